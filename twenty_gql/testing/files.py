"""Files in the emulator: Twenty's direct-upload flow and a loopback storage endpoint.

What Twenty does (read in the server source, ``core-modules/file/file-upload/``; see
docs/files.md for what is confirmed and what is not):

1. ``createFileUpload(filename, size, fileFolder, fieldMetadataId | fieldMetadataUniversalIdentifier)``
   on ``/metadata`` records a PENDING file and returns ``{fileId, uploadUrl, contentType,
   expiresAt}``. Without presigned S3 the upload url is the server's own
   ``PUT /file-upload/<fileId>?token=<upload token>`` (content type ``application/octet-stream``,
   token valid ``STORAGE_S3_PRESIGNED_URL_EXPIRES_IN`` = 900 s). Sizes must be integers in
   ``1..1 GiB`` (``FILE_TOO_LARGE`` otherwise). A FilesField upload names its FILES field.
2. The client PUTs exactly ``size`` bytes: more -> 413 ``FILE_TOO_LARGE``; fewer -> 400
   ``FILE_SIZE_MISMATCH``; a bad or expired token -> 403; not PENDING -> 400. Answer 204. A
   second PUT before completion replaces the first (the bytes land in one pending object).
3. ``completeFileUpload(fileId)`` checks the bytes arrived (``FILE_NOT_UPLOADED``) with the
   declared size, promotes them, and returns ``{id, path, size, createdAt, url}`` where ``url``
   is ``GET /file/<folder>/<fileId>?token=<file token>`` (``FILE_TOKEN_EXPIRES_IN`` = 1 day).
   Completing again returns the same file with a fresh url. Unknown ids -> ``NOT_FOUND`` /
   ``FILE_NOT_FOUND``.

A record then references the file in a FILES field: ``[{fileId, label}]`` (an ``attachment``
record: ``file``, plus ``name`` and its ``target<Object>Id``).

Storage here is a directory: a temporary one, or ``<data file>.files/`` next to the SQLite
file with ``--data`` (an ``index.json`` of file entries plus one blob per file), so files
survive a restart. Bytes are streamed to disk in both directions: the emulator never holds a
file in memory.

Test knobs on :class:`FileService` (``files_for(emulator.workspace)``): ``configure(...)``
(ttl, size limit), ``advance_clock(seconds)`` (expire signed urls without waiting) and
``drop_next_put(after_bytes)`` (close the connection mid-upload), ``refuse_next_put()`` (a
403 as for a url that expired in transit). ``stats`` counts storage
requests and any ``Authorization`` header seen on them (a client must never send its key there).
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import json
import mimetypes
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp import web

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.workspace import Workspace

__all__ = [
    "DIRECT_UPLOAD_FOLDERS",
    "FILE_MUTATIONS",
    "FileEntry",
    "FileService",
    "add_routes",
    "files_for",
]

#: folders ``createFileUpload`` accepts (``DIRECT_UPLOAD_FILE_FOLDERS`` in file-upload.service.ts)
DIRECT_UPLOAD_FOLDERS = ("FilesField", "Workflow", "EmailAttachment", "AgentChat", "EmailImage")
UPLOAD_CONTENT_TYPE = "application/octet-stream"
DEFAULT_UPLOAD_TTL = 900.0  # STORAGE_S3_PRESIGNED_URL_EXPIRES_IN default
DEFAULT_DOWNLOAD_TTL = 86400.0  # FILE_TOKEN_EXPIRES_IN default '1d'
DEFAULT_MAX_FILE_SIZE = 1024**3  # settings.storage.maxDirectUploadFileSize '1GB' (bytes lib: 2^30)
_CHUNK = 256 * 1024

_base_url: contextvars.ContextVar[str] = contextvars.ContextVar("twenty_files_base_url")


def _now_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FileEntry:
    """One file row (Twenty's ``core.file``): ``status`` PENDING until completed."""

    id: str
    path: str  # "<folder>/<resource path>", e.g. "FilesField/<field uid>/<id>.pdf"
    name: str  # the filename the client declared
    size: int  # declared at createFileUpload
    status: str = "PENDING"
    createdAt: str = ""
    mimeType: str = UPLOAD_CONTENT_TYPE
    fieldMetadataId: str | None = None
    received: int | None = None  # bytes of the last complete PUT (None: none yet)

    @property
    def folder(self) -> str:
        return self.path.split("/", 1)[0]


def _rest_error(status: int, message: str, code: str) -> web.Response:
    """Twenty's REST error body (``{statusCode, messages, error}``, twenty-api.md §3.3)."""
    body = {"statusCode": status, "messages": [message], "error": code}
    return web.json_response(body, status=status)


def _forbidden() -> web.Response:
    # a Nest guard returning false: ForbiddenException's default body
    body = {"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"}
    return web.json_response(body, status=403)


class FileService:
    """File rows, signed tokens and blob storage for one emulated workspace."""

    def __init__(self, root: Path | None) -> None:
        self._lock = threading.RLock()
        self._temporary = root is None
        self.root = (
            Path(tempfile.mkdtemp(prefix="twenty-emulator-files-")) if root is None else root
        )
        self.root.mkdir(parents=True, exist_ok=True)
        self.entries: dict[str, FileEntry] = {}
        self.upload_ttl = DEFAULT_UPLOAD_TTL
        self.download_ttl = DEFAULT_DOWNLOAD_TTL
        self.max_file_size = DEFAULT_MAX_FILE_SIZE
        self.clock_offset = 0.0
        self._drops: deque[int] = deque()
        self._refusals = 0
        self.stats = {
            "puts": 0,
            "gets": 0,
            "dropped_puts": 0,
            "authorization_headers": 0,
            "chunked_puts": 0,  # PUTs without Content-Length (S3 presigned PUTs refuse them)
            "rejected": 0,
        }
        self._secret = secrets.token_bytes(32)
        self._load()

    # ---- persistence -----------------------------------------------------------------------

    @property
    def _index(self) -> Path:
        return self.root / "index.json"

    def _load(self) -> None:
        if not self._index.exists():
            return
        saved = json.loads(self._index.read_text("utf-8"))
        self._secret = _unb64(saved["secret"])
        self.entries = {e["id"]: FileEntry(**e) for e in saved.get("files", [])}

    def _save(self) -> None:
        if self._temporary:
            return
        doc = {"secret": _b64(self._secret), "files": [asdict(e) for e in self.entries.values()]}
        tmp = self._index.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc), "utf-8")
        os.replace(tmp, self._index)

    def close(self) -> None:
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)

    def blob(self, file_id: str, *, pending: bool = False) -> Path:
        return self.root / (f"{file_id}.pending" if pending else file_id)

    # ---- knobs -------------------------------------------------------------------------------

    def configure(
        self,
        *,
        upload_ttl: float | None = None,
        download_ttl: float | None = None,
        max_file_size: int | None = None,
    ) -> None:
        """Signed url lifetimes (seconds) and the largest accepted size (bytes)."""
        for name, value in (("upload_ttl", upload_ttl), ("download_ttl", download_ttl)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
                setattr(self, name, float(value))
        if max_file_size is not None:
            if isinstance(max_file_size, bool) or not isinstance(max_file_size, int):
                raise ValueError(f"max_file_size must be an int, got {max_file_size!r}")
            if max_file_size < 1:
                raise ValueError(f"max_file_size must be >= 1, got {max_file_size}")
            self.max_file_size = max_file_size

    def advance_clock(self, seconds: float) -> None:
        """Move the service's clock forward (signed urls expire without waiting)."""
        self.clock_offset += float(seconds)

    def drop_next_put(self, after_bytes: int = 0, times: int = 1) -> None:
        """The next ``times`` uploads lose their connection after ``after_bytes`` bytes (the
        partial bytes are discarded, as a storage would)."""
        if after_bytes < 0 or times < 1:
            raise ValueError("after_bytes must be >= 0 and times >= 1")
        with self._lock:
            self._drops.extend([after_bytes] * times)

    def refuse_next_put(self, times: int = 1) -> None:
        """The next ``times`` uploads are answered 403 as if their signed url had expired in
        transit (the token check happens when the PUT arrives)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._refusals += times

    def now(self) -> float:
        return time.time() + self.clock_offset

    # ---- tokens ------------------------------------------------------------------------------

    def _sign(self, kind: str, file_id: str, ttl: float) -> str:
        payload = _b64(
            json.dumps({"type": kind, "fileId": file_id, "exp": self.now() + ttl}).encode()
        )
        mac = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return f"{payload}.{_b64(mac)}"

    def _verify(self, token: str | None, kind: str, file_id: str) -> bool:
        if not token or token.count(".") != 1:
            return False
        payload, mac = token.split(".")
        try:
            good = hmac.compare_digest(
                _unb64(mac), hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
            )
            claims = json.loads(_unb64(payload)) if good else None
        except (ValueError, UnicodeDecodeError):
            return False
        return (
            isinstance(claims, dict)
            and claims.get("type") == kind
            and claims.get("fileId") == file_id
            and isinstance(claims.get("exp"), (int, float))
            and claims["exp"] > self.now()
        )

    def _download_url(self, entry: FileEntry) -> str:
        token = self._sign("FILE", entry.id, self.download_ttl)
        return f"{_base_url.get('')}/file/{entry.folder}/{entry.id}?token={token}"

    # ---- the two mutations -------------------------------------------------------------------

    def create_upload(
        self,
        workspace: Workspace,
        filename: str,
        size: float,
        folder: str,
        field_id: str | None,
        field_uid: str | None,
    ) -> dict[str, Any]:
        if folder not in DIRECT_UPLOAD_FOLDERS:
            raise _upload_error(
                f"Direct upload is not supported for file folder {folder}",
                "BAD_REQUEST",
                "Direct upload is not supported for this file type.",
            )
        if size != int(size) or size <= 0 or size > self.max_file_size:
            shown = int(size) if size == int(size) else size
            raise _upload_error(
                f"Invalid file size {shown} (max {self.max_file_size} bytes)",
                "FILE_TOO_LARGE",
                "The file is empty or exceeds the maximum allowed size.",
            )
        file_id = str(uuid.uuid4())
        ext = filename.rsplit(".", 1)[1] if "." in filename.strip(".") else ""
        name = f"{file_id}.{ext}" if ext else file_id
        field = None
        if folder == "FilesField":
            field = _files_field(workspace, field_id, field_uid)
            path = f"{folder}/{field.universalIdentifier or field.id}/{name}"
        else:
            path = f"{folder}/{name}"
        now = self.now()
        entry = FileEntry(
            id=file_id,
            path=path,
            name=filename,
            size=int(size),
            createdAt=_now_iso(now),
            fieldMetadataId=field.id if field is not None else None,
        )
        with self._lock:
            self.entries[file_id] = entry
            self._save()
        token = self._sign("FILE_UPLOAD", file_id, self.upload_ttl)
        return {
            "fileId": file_id,
            "uploadUrl": f"{_base_url.get('')}/file-upload/{file_id}?token={token}",
            "contentType": UPLOAD_CONTENT_TYPE,
            "expiresAt": _now_iso(now + self.upload_ttl),
        }

    def complete_upload(self, file_id: str) -> dict[str, Any]:
        with self._lock:
            entry = self.entries.get(file_id)
            if entry is None:
                raise TwentyApiError(
                    f"File not found: {file_id}", "NOT_FOUND", "FILE_NOT_FOUND", "File not found."
                )
            if entry.status != "UPLOADED":
                if entry.received is None or not self.blob(file_id, pending=True).exists():
                    raise _upload_error(
                        f'File "{entry.path}" has not been uploaded to storage yet.',
                        "FILE_NOT_UPLOADED",
                        "The file has not been uploaded yet. Please upload it before confirming.",
                    )
                if entry.received != entry.size:  # a PUT checks it too; kept as Twenty does
                    raise _upload_error(
                        f'File "{entry.path}" has {entry.received} bytes in storage but '
                        f"{entry.size} were declared.",
                        "FILE_SIZE_MISMATCH",
                        "The uploaded file does not match the declared size. "
                        "Please retry the upload.",
                    )
                os.replace(self.blob(file_id, pending=True), self.blob(file_id))
                entry.status = "UPLOADED"
                entry.mimeType = mimetypes.guess_type(entry.name)[0] or UPLOAD_CONTENT_TYPE
                self._save()
            return {
                "id": entry.id,
                "path": entry.path,
                "size": float(entry.size),
                "createdAt": entry.createdAt,
                "url": self._download_url(entry),
            }

    # ---- storage endpoints -------------------------------------------------------------------

    def _seen(self, request: web.Request) -> None:
        if "Authorization" in request.headers:
            self.stats["authorization_headers"] += 1

    async def put(self, request: web.Request) -> web.StreamResponse:
        """``PUT /file-upload/{id}?token=``: stream the body to a pending blob."""
        self.stats["puts"] += 1
        self._seen(request)
        if request.content_length is None:
            self.stats["chunked_puts"] += 1
        file_id = request.match_info["id"]
        with self._lock:
            refuse = self._refusals > 0
            self._refusals -= int(refuse)
        if refuse or not self._verify(request.query.get("token"), "FILE_UPLOAD", file_id):
            self.stats["rejected"] += 1
            return _forbidden()
        with self._lock:
            entry = self.entries.get(file_id)
            drop_after = self._drops.popleft() if self._drops else None
        if entry is None:
            return _rest_error(404, f"File not found: {file_id}", "FILE_NOT_FOUND")
        if entry.status != "PENDING":
            return _rest_error(400, f"File {file_id} is not awaiting an upload", "BAD_REQUEST")
        part = self.root / f"{file_id}.part-{secrets.token_hex(4)}"
        received = 0
        try:
            with part.open("wb") as out:
                while True:
                    chunk = await request.content.readany()
                    if not chunk:
                        break
                    if drop_after is not None and received + len(chunk) > drop_after:
                        out.write(chunk[: max(0, drop_after - received)])
                        self.stats["dropped_puts"] += 1
                        if request.transport is not None:
                            request.transport.close()
                        return web.Response(status=500)  # never written: the socket is gone
                    received += len(chunk)
                    if received > entry.size:
                        self.stats["rejected"] += 1
                        response = _rest_error(
                            413,
                            f"Upload exceeds declared size of {entry.size} bytes",
                            "FILE_TOO_LARGE",
                        )
                        response.force_close()
                        return response
                    out.write(chunk)
            if received != entry.size:
                self.stats["rejected"] += 1
                return _rest_error(
                    400,
                    f"Uploaded {received} bytes but {entry.size} were declared",
                    "FILE_SIZE_MISMATCH",
                )
            with self._lock:
                os.replace(part, self.blob(file_id, pending=True))  # a second PUT replaces it
                entry.received = received
                self._save()
            return web.Response(status=204)
        finally:
            part.unlink(missing_ok=True)

    async def get(self, request: web.Request) -> web.StreamResponse:
        """``GET /file/{folder}/{id}?token=``: the completed file's bytes."""
        self.stats["gets"] += 1
        self._seen(request)
        file_id = request.match_info["id"]
        if not self._verify(request.query.get("token"), "FILE", file_id):
            self.stats["rejected"] += 1
            return _forbidden()
        entry = self.entries.get(file_id)
        path = self.blob(file_id)
        if (
            entry is None
            or entry.status != "UPLOADED"
            or entry.folder != request.match_info["folder"]
            or not path.exists()
        ):
            return _rest_error(404, "File not found", "FILE_NOT_FOUND")
        return web.FileResponse(path, chunk_size=_CHUNK, headers={"Content-Type": entry.mimeType})


def _upload_error(message: str, sub_code: str, friendly: str) -> TwentyApiError:
    code = "NOT_FOUND" if sub_code == "FILE_NOT_FOUND" else "BAD_USER_INPUT"
    return TwentyApiError(message, code, sub_code, friendly)


def _files_field(workspace: Workspace, field_id: str | None, field_uid: str | None) -> Any:
    if not field_id and not field_uid:
        message = "fieldMetadataId or fieldMetadataUniversalIdentifier must be provided"
        raise _upload_error(message, "BAD_REQUEST", message)
    field = None
    for candidate in workspace.fields():
        if (field_id is None or candidate.id == field_id) and (
            field_uid is None or candidate.universalIdentifier == field_uid
        ):
            field = candidate
            break
    if field is None:
        raise _upload_error(
            f"Files field {field_id or field_uid} not found",
            "BAD_REQUEST",
            "The target files field could not be found.",
        )
    if field.type != "FILES":
        raise _upload_error(
            f"Field {field.id} is not a files field",
            "BAD_REQUEST",
            "Files can only be uploaded into a files field.",
        )
    return field


# ---- one service per workspace ----------------------------------------------------------------

_services: weakref.WeakKeyDictionary[Workspace, FileService] = weakref.WeakKeyDictionary()
_services_lock = threading.Lock()


def files_for(workspace: Workspace) -> FileService:
    """The workspace's file service (created on first use; persistent with a ``data_path``)."""
    with _services_lock:
        service = _services.get(workspace)
        if service is None:
            path = workspace.store.path
            root = path.with_name(path.name + ".files") if path is not None else None
            service = _services[workspace] = FileService(root)
            weakref.finalize(workspace, service.close)
        return service


# ---- /metadata resolvers ------------------------------------------------------------------------


def _ws(info: Any) -> Workspace:
    ws = info.context["workspace"]
    assert isinstance(ws, Workspace)
    return ws


def _create_file_upload(
    _s: Any,
    info: Any,
    filename: str,
    size: float,
    fileFolder: str,
    fieldMetadataId: str | None = None,
    fieldMetadataUniversalIdentifier: str | None = None,
) -> Any:
    ws = _ws(info)
    return files_for(ws).create_upload(
        ws, filename, size, fileFolder, fieldMetadataId, fieldMetadataUniversalIdentifier
    )


def _complete_file_upload(_s: Any, info: Any, fileId: str) -> Any:
    return files_for(_ws(info)).complete_upload(fileId)


#: root resolvers metadata_api.py serves
FILE_MUTATIONS: dict[str, Callable[..., Any]] = {
    "createFileUpload": _create_file_upload,
    "completeFileUpload": _complete_file_upload,
}

_ID = re.compile(r"^[0-9a-fA-F-]{36}$")

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application, server: Any) -> None:
    """Register the storage endpoints on the emulator's app (``server.workspace``), and remember
    each request's origin so signed urls point back at the host the client used."""

    @web.middleware
    async def origin(request: web.Request, handler: _Handler) -> web.StreamResponse:
        token = _base_url.set(f"{request.scheme}://{request.host}")
        try:
            return await handler(request)
        finally:
            _base_url.reset(token)

    def service() -> FileService:
        return files_for(server.workspace)

    async def put(request: web.Request) -> web.StreamResponse:
        if not _ID.match(request.match_info["id"]):
            return _rest_error(404, "File not found", "FILE_NOT_FOUND")
        return await service().put(request)

    async def get(request: web.Request) -> web.StreamResponse:
        if not _ID.match(request.match_info["id"]):
            return _rest_error(404, "File not found", "FILE_NOT_FOUND")
        return await service().get(request)

    async def cleanup(_app: web.Application) -> None:
        with _services_lock:
            svc = _services.pop(server.workspace, None)
        if svc is not None:
            svc.close()

    app.middlewares.append(origin)
    app.router.add_put("/file-upload/{id}", put)
    app.router.add_get("/file/{folder}/{id}", get)
    app.on_cleanup.append(cleanup)
