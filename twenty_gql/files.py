"""Files: upload, attach, list and download, streamed (docs/files.md).

Twenty's direct-upload flow (read in the server source, ``core-modules/file/file-upload/``):
``createFileUpload`` on ``/metadata`` gives a signed ``uploadUrl`` (a presigned S3 PUT, or the
server's own ``PUT /file-upload/<id>?token=...``); the bytes go there with a plain HTTP PUT;
``completeFileUpload`` confirms them and returns a signed download ``url``. A record references
the file in a FILES field as ``[{fileId, label}]``; an ``attachment`` record links it to a
company, person, opportunity, note or task through its ``target<Object>Id``.

::

    async with TwentyClient() as client, Files(client) as files:
        doc = await files.attach("company", company_id, "contract.pdf")
        for f in await files.list("company", company_id):
            await files.download(f, f"/tmp/{f.label}")

Guarantees:

* Nothing is read whole into memory: a path is read in ``chunk_size`` pieces, an async byte
  iterator is passed through, downloads are written as they arrive.
* The API key goes only to ``/graphql`` and ``/metadata`` (through the client). Storage urls
  get their own aiohttp session with no default headers and no redirects, so the key never
  travels there; signed urls never appear in a repr, a log line or an exception message (only
  ``scheme://host/path`` does).
* Retries only where safe: a PUT to the same signed url before it expires replaces the same
  pending object, so a dropped connection or a 5xx is retried (from the start of the source,
  which must be re-readable: a path, bytes, or a callable returning a fresh iterator).
  ``createFileUpload`` is never resent blindly (the client's retry policy treats it as not
  idempotent); an expired or refused signed url is replaced by asking for a new one.
  ``completeFileUpload`` is idempotent in Twenty (completing twice returns the same file).
* Typed errors, each a :class:`~twenty_gql.errors.TwentyError`::

    FilesError
    ├── WrongSizeError          the bytes sent are not the size declared (either side saw it)
    ├── FileTooLargeError       above the server's limit, or more bytes than declared (413)
    ├── SignedUrlExpiredError   a signed url was refused as expired and could not be renewed
    ├── FileMissingError        unknown file id, or nothing stored at the url (404)
    │   └── FileNotUploadedError  completeFileUpload before the bytes arrived
    ├── DownloadUrlUnavailableError  no signed url is known for this file
    └── StorageError            any other answer from the storage url

A generated per-workspace facade only has to pass object and field names:
``upload(source, object=..., field=...)``, ``attach(object, record_id, ...)``,
``set_files_field(object, record_id, field, files)``, ``list(object, record_id)``,
``download(file, dest)``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from dataclasses import field as _dc_field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, Union
from urllib.parse import parse_qsl, urlsplit

from twenty_gql.client import TwentyClient
from twenty_gql.errors import (
    ClientClosedError,
    ConnectionDroppedError,
    GraphQLResponseError,
    NotFoundError,
    TransportError,
    TwentyError,
    UniqueConflictError,
)
from twenty_gql.transport import _translate

__all__ = [
    "DownloadUrlUnavailableError",
    "FileMissingError",
    "FileNotUploadedError",
    "FileTooLargeError",
    "Files",
    "FilesError",
    "RecordFile",
    "SignedUrlExpiredError",
    "StorageError",
    "UploadedFile",
    "WrongSizeError",
]

logger = logging.getLogger("twenty_gql")

#: what ``upload``/``attach`` accept: a path (str or PathLike), bytes, an async byte iterable
#: (sent once, not retried), or a zero-argument callable returning a fresh async iterable
#: (re-readable, so a dropped upload can be retried)
Source = Union[
    str,
    "os.PathLike[str]",
    bytes,
    bytearray,
    memoryview,
    AsyncIterable[bytes],
    Callable[[], AsyncIterable[bytes]],
]
#: ``progress(done_bytes, total_bytes)`` after every chunk (total None when unknown)
Progress = Callable[[int, Union[int, None]], object]  # noqa: UP007 (a runtime alias on 3.9 syntax)

DEFAULT_CHUNK_SIZE = 512 * 1024
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_BYTES = re.compile(r"max (\d+) bytes")
_EXCERPT = 300


# ---- errors ---------------------------------------------------------------------------------


class FilesError(TwentyError):
    """A file transfer failed. ``file_id`` when one is known; ``sub_code`` is Twenty's
    exception code (``FILE_TOO_LARGE``, ``FILE_SIZE_MISMATCH``, ...) when the server sent one."""

    def __init__(
        self, message: str, *, file_id: str | None = None, sub_code: str | None = None
    ) -> None:
        super().__init__(message)
        self.file_id = file_id
        self.sub_code = sub_code


class WrongSizeError(FilesError, ValueError):
    """The bytes sent do not match the size declared to ``createFileUpload`` (``declared``;
    ``actual`` when counted). Nothing was stored."""

    def __init__(
        self, message: str, *, declared: int | None = None, actual: int | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.declared = declared
        self.actual = actual


class FileTooLargeError(FilesError, ValueError):
    """The file is empty or above the server's limit (``limit`` bytes when the server named
    it; Twenty's default is 1 GiB), or the upload ran past its declared size."""

    def __init__(
        self, message: str, *, size: int | None = None, limit: int | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.size = size
        self.limit = limit


class SignedUrlExpiredError(FilesError):
    """A signed url was refused (HTTP 403: expired, or its token does not match) and no new
    one could be had (uploads ask ``createFileUpload`` again up to ``url_renewals`` times;
    a download url comes from a fresh ``list``)."""


class FileMissingError(FilesError, LookupError):
    """The file does not exist: unknown id (``FILE_NOT_FOUND``, "FileId(s) not found") or
    nothing stored at the url (404)."""


class FileNotUploadedError(FileMissingError):
    """``completeFileUpload`` found no bytes: the PUT never completed (``FILE_NOT_UPLOADED``)."""


class DownloadUrlUnavailableError(FilesError):
    """No signed download url is known for this file: the server's ``FileObject`` has no
    ``url`` (older Twenty) and this ``Files`` did not upload it."""


class StorageError(FilesError):
    """The storage url answered with an unexpected status. ``status``, ``body`` (an excerpt)."""

    def __init__(self, message: str, *, status: int, body: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.status = status
        self.body = body[:_EXCERPT]
        self.retryable = status in (500, 502, 503, 504)


# ---- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """A completed upload (``completeFileUpload``'s answer). ``url`` is a signed download url
    (a credential: kept out of the repr)."""

    id: str
    path: str
    size: int
    created_at: str
    filename: str
    url: str = _dc_field(default="", repr=False)

    @property
    def file_id(self) -> str:
        return self.id

    @property
    def label(self) -> str:
        return self.filename


@dataclass(frozen=True)
class RecordFile:
    """A file referenced by a record: from a FILES ``field`` of the record itself, or from an
    attachment (``field == "attachment"``, ``attachment_id`` set). ``url`` (signed, not in the
    repr) when the server's ``FileObject`` exposes one."""

    file_id: str
    label: str
    object: str
    record_id: str
    field: str
    attachment_id: str | None = None
    url: str | None = _dc_field(default=None, repr=False)


FileRef = Union[UploadedFile, RecordFile, str]  # noqa: UP007
_RecordFiles = list[RecordFile]


def _shown(url: str) -> str:
    """``url`` without its query (where the signature is): safe for messages and logs."""
    try:
        p = urlsplit(url)
    except ValueError:
        return "(unparseable url)"
    return f"{p.scheme}://{p.netloc.rpartition('@')[2]}{p.path}"


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _ident(kind: str, name: str) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ValueError(f"{kind} must be a GraphQL name (letters, digits, _), got {name!r}")
    return name


def _uuid(kind: str, value: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"{kind} must be a UUID, got {value!r}") from None


# ---- sources --------------------------------------------------------------------------------


class _Body:
    """An upload source: its size, name and a way to (re)open it as chunks."""

    def __init__(
        self,
        size: int,
        filename: str,
        open_: Callable[[], AsyncIterator[bytes]],
        reopenable: bool,
    ) -> None:
        self.size = size
        self.filename = filename
        self.open = open_
        self.reopenable = reopenable
        self.opened = 0


async def _read_path(path: Path, chunk: int) -> AsyncIterator[bytes]:
    f = await asyncio.to_thread(path.open, "rb")
    try:
        while True:
            data = await asyncio.to_thread(f.read, chunk)
            if not data:
                return
            yield data
    finally:
        f.close()


async def _read_bytes(data: memoryview, chunk: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), chunk):
        yield bytes(data[i : i + chunk])


def _prepare(source: Source, filename: str | None, size: int | None, chunk: int) -> _Body:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            st = path.stat()
        except OSError as exc:
            raise FileMissingError(f"cannot read {str(path)!r}: {exc.strerror}") from None
        if not path.is_file():
            raise FileMissingError(f"{str(path)!r} is not a regular file")
        if size is not None and size != st.st_size:
            raise WrongSizeError(
                f"size={size} given but {str(path)!r} has {st.st_size} bytes",
                declared=size,
                actual=st.st_size,
            )
        return _Body(st.st_size, filename or path.name, lambda: _read_path(path, chunk), True)
    if isinstance(source, (bytes, bytearray, memoryview)):
        view = memoryview(source).cast("B")
        if size is not None and size != len(view):
            raise WrongSizeError(
                f"size={size} given but the bytes are {len(view)} long",
                declared=size,
                actual=len(view),
            )
        if not filename:
            raise ValueError("filename= is required when uploading bytes")
        return _Body(len(view), filename, lambda: _read_bytes(view, chunk), True)
    if callable(source) and not isinstance(source, AsyncIterable):
        factory = source

        def reopen() -> AsyncIterator[bytes]:
            it = factory()
            if not isinstance(it, AsyncIterable):
                raise TypeError(
                    f"the source callable returned {type(it).__name__}, not an async iterable"
                )
            return aiter(it)

        return _Body(_need_size(size), _need_name(filename), reopen, True)
    if isinstance(source, AsyncIterable):
        iterable = source
        return _Body(_need_size(size), _need_name(filename), lambda: aiter(iterable), False)
    raise TypeError(
        f"cannot upload a {type(source).__name__}: pass a path, bytes, an async iterable of "
        "bytes, or a callable returning one"
    )


def _need_size(size: int | None) -> int:
    if size is None:
        raise ValueError("size= (bytes) is required when uploading from an iterator")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError(f"size must be an int >= 0, got {size!r}")
    return size


def _need_name(filename: str | None) -> str:
    if not filename:
        raise ValueError("filename= is required when uploading from an iterator")
    return filename


# ---- the facade ---------------------------------------------------------------------------------


class _Expired(Exception):
    """Internal: the storage refused the signed url (403)."""


@dataclass
class _Target:
    file_id: str
    url: str
    content_type: str
    expires_at: float  # epoch seconds (inf when unparseable)


_CREATE = """mutation TwentyGqlCreateFileUpload($filename: String!, $size: Float!, $folder: FileFolder!, $fieldMetadataId: String) {
  createFileUpload(filename: $filename, size: $size, fileFolder: $folder, fieldMetadataId: $fieldMetadataId) {
    fileId uploadUrl contentType expiresAt
  }
}"""
_COMPLETE = """mutation TwentyGqlCompleteFileUpload($fileId: String!) {
  completeFileUpload(fileId: $fileId) { id path size createdAt url }
}"""
_MODEL = """query TwentyGqlFilesModel {
  objects(paging: {first: 1000}) {
    edges { node { id nameSingular namePlural fieldsList {
      id name type settings morphRelations { targetObjectMetadata { nameSingular } }
    } } }
  }
}"""
_FILE_OBJECT = (
    """query TwentyGqlFileObjectShape { __type(name: "FileObject") { fields { name } } }"""
)


class Files:
    """File transfers for one :class:`~twenty_gql.TwentyClient` (see the module docstring).

    ``chunk_size`` is the read/write unit; ``storage_timeout`` the seconds a storage socket may
    stay silent; ``url_renewals`` how many fresh upload urls to ask for after an expiry;
    ``max_put_retries`` (default: the client's ``retry.max_retries``) how often a failed PUT to
    the same url is resent. ``clock``/``sleep`` are injectable for tests. Use ``async with``
    (or :meth:`aclose`) to close the storage session.
    """

    def __init__(
        self,
        client: TwentyClient,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        storage_timeout: float = 60.0,
        url_renewals: int = 2,
        max_put_retries: int | None = None,
        expiry_margin: float = 5.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if not isinstance(client, TwentyClient):
            raise TypeError(f"Files needs a TwentyClient, got {type(client).__name__}")
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1024:
            raise ValueError(f"chunk_size must be an int >= 1024, got {chunk_size!r}")
        self.client = client
        self.chunk_size = chunk_size
        self.storage_timeout = float(storage_timeout)
        self.url_renewals = url_renewals
        self.max_put_retries = (
            client.retry.max_retries if max_put_retries is None else max_put_retries
        )
        self.expiry_margin = expiry_margin
        self._clock = clock
        self._sleep = sleep
        self._session: Any = None
        self._closed = False
        self._model: dict[str, dict[str, Any]] | None = None
        self._file_object_fields: frozenset[str] | None = None
        #: signed download urls of files this instance uploaded (fileId -> url)
        self._urls: dict[str, str] = {}
        self.stats = {"puts": 0, "put_retries": 0, "url_renewals": 0, "gets": 0}

    def __repr__(self) -> str:
        return f"<Files client={self.client!r}{' closed' if self._closed else ''}>"

    async def __aenter__(self) -> Files:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _storage(self) -> Any:
        if self._closed or self.client.closed:
            raise ClientClosedError("this Files (or its TwentyClient) is closed")
        if self._session is None:
            import aiohttp

            # No default headers at all: the Authorization header lives only in the client's
            # own session, so nothing here can carry the key to a storage host.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=None, sock_connect=10.0, sock_read=self.storage_timeout
                ),
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    def _check_url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
        except ValueError:
            raise StorageError("the server sent an unparseable signed url", status=0) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StorageError(
                f"the server sent a signed url that is not http(s): {_shown(url)}", status=0
            )
        if (
            parts.scheme == "http"
            and self.client.url.startswith("https:")
            and not _is_loopback(parts.hostname)
        ):
            raise StorageError(
                f"refusing a plain http:// signed url ({_shown(url)}) from an https server",
                status=0,
            )
        return url

    # ---- the data model (cached) -------------------------------------------------------------

    async def _objects(self) -> dict[str, dict[str, Any]]:
        if self._model is None:
            data = await self.client.execute_raw(
                _MODEL, endpoint="metadata", operation_name="TwentyGqlFilesModel", idempotent=True
            )
            edges = ((data.get("objects") or {}).get("edges")) or []
            model: dict[str, dict[str, Any]] = {}
            for edge in edges:
                node = edge.get("node") or {}
                fields = {f["name"]: f for f in node.get("fieldsList") or [] if "name" in f}
                model[node.get("nameSingular", "")] = {**node, "fields": fields}
            self._model = model
        return self._model

    async def _object(self, name: str, field_name: str | None = None) -> dict[str, Any]:
        """The object's metadata; fetched again once when it (or ``field_name``) is missing
        from the cached model (the data model may have changed since)."""
        _ident("object", name)
        obj = (await self._objects()).get(name)
        if obj is None or (field_name is not None and field_name not in obj["fields"]):
            self._model = None
            obj = (await self._objects()).get(name)
        if obj is None:
            raise ValueError(f"no object named {name!r} in this workspace")
        return obj

    async def _files_field(self, object: str, field_name: str) -> dict[str, Any]:
        obj = await self._object(object, _ident("field", field_name))
        fld: dict[str, Any] | None = obj["fields"].get(field_name)
        if fld is None:
            raise ValueError(f"{object} has no field {field_name!r}")
        if fld.get("type") != "FILES":
            raise ValueError(f"{object}.{field_name} is a {fld.get('type')} field, not FILES")
        return fld

    async def _files_fields(self, object: str) -> list[str]:
        obj = await self._object(object)
        return sorted(n for n, f in obj["fields"].items() if f.get("type") == "FILES")

    async def _attachment_column(self, object: str) -> str | None:
        """The attachment join column pointing at ``object`` (``targetCompanyId`` in newer
        Twenty, ``companyId`` in older), or None when attachments cannot target it."""
        model = await self._objects()
        attachment = model.get("attachment")
        if attachment is None:
            return None
        fields = attachment["fields"]
        for fld in fields.values():  # Twenty >= 1.x: one MORPH_RELATION field, e.g. `target`
            targets = fld.get("morphRelations") or []
            if fld.get("type") == "MORPH_RELATION" and any(
                (rel.get("targetObjectMetadata") or {}).get("nameSingular") == object
                for rel in targets
            ):
                return f"{fld['name']}{_pascal(object)}Id"  # its core view: targetCompanyId
        for name in (f"target{_pascal(object)}", object):  # per-target relation fields
            fld = fields.get(name)
            if fld is not None and fld.get("type") in ("RELATION", "MORPH_RELATION"):
                settings = fld.get("settings") or {}
                join = settings.get("joinColumnName") if isinstance(settings, dict) else None
                return str(join or f"{name}Id")
        return None

    async def _file_object_has(self, name: str) -> bool:
        if self._file_object_fields is None:
            data = await self.client.execute_raw(
                _FILE_OBJECT, operation_name="TwentyGqlFileObjectShape", idempotent=True
            )
            t = data.get("__type") or {}
            self._file_object_fields = frozenset(f["name"] for f in t.get("fields") or [])
        return name in self._file_object_fields

    async def _file_selection(self) -> str:
        return "fileId label url" if await self._file_object_has("url") else "fileId label"

    # ---- upload ------------------------------------------------------------------------------

    async def upload(
        self,
        source: Source,
        *,
        object: str = "attachment",
        field: str = "file",
        filename: str | None = None,
        size: int | None = None,
        progress: Progress | None = None,
    ) -> UploadedFile:
        """Upload ``source`` into the FILES field ``object.field`` (default: the attachment's
        ``file``) and complete it. Not yet attached to any record: pass the result to
        :meth:`attach` or :meth:`set_files_field`. ``progress`` starts again from 0 when a
        PUT is resent."""
        body = _prepare(source, filename, size, self.chunk_size)
        if body.size == 0:
            raise FileTooLargeError(
                f"{body.filename!r} is empty: Twenty refuses empty uploads", size=0
            )
        fld = await self._files_field(object, field)
        target = await self._create(body, fld["id"])
        renewals = attempt = 0
        while True:
            try:
                if self._clock() >= target.expires_at - self.expiry_margin:
                    raise _Expired
                await self._put(target, body, progress)
                break
            except _Expired:
                if renewals >= self.url_renewals or (body.opened and not body.reopenable):
                    raise SignedUrlExpiredError(
                        f"the upload url for {body.filename!r} expired or was refused "
                        f"({renewals} renewal(s) tried)",
                        file_id=target.file_id,
                    ) from None
                renewals += 1
                self.stats["url_renewals"] += 1
                logger.info(
                    "twenty_gql: upload url for file %s refused or expired; asking for a new one",
                    target.file_id,
                )
                target = await self._create(body, fld["id"])
                attempt = 0
            except (TransportError, StorageError) as exc:
                retryable = exc.retryable and body.reopenable
                if not retryable or attempt >= self.max_put_retries:
                    raise
                delay = self.client.retry.backoff(attempt)
                attempt += 1
                self.stats["put_retries"] += 1
                logger.info(
                    "twenty_gql: upload of file %s failed (%s); retrying the PUT in %.3fs",
                    target.file_id,
                    type(exc).__name__,
                    delay,
                )
                await self._sleep(delay)
        return await self.complete(target.file_id, filename=body.filename)

    async def complete(self, file_id: str, *, filename: str = "") -> UploadedFile:
        """``completeFileUpload(file_id)``: confirm bytes already PUT (idempotent in Twenty;
        :meth:`upload` calls it). ``FileNotUploadedError`` when they never arrived,
        ``FileMissingError`` for an unknown id."""
        done = await self._complete(_uuid("file_id", file_id))
        uploaded = UploadedFile(
            id=str(done["id"]),
            path=str(done.get("path") or ""),
            size=int(done.get("size") or 0),
            created_at=str(done.get("createdAt") or ""),
            filename=filename or str(done.get("path") or "").rsplit("/", 1)[-1],
            url=str(done.get("url") or ""),
        )
        if uploaded.url:
            self._urls[uploaded.id] = uploaded.url
        return uploaded

    async def _create(self, body: _Body, field_id: str) -> _Target:
        try:
            data = await self.client.execute_raw(
                _CREATE,
                {
                    "filename": body.filename,
                    "size": body.size,
                    "folder": "FilesField",
                    "fieldMetadataId": field_id,
                },
                endpoint="metadata",
                operation_name="TwentyGqlCreateFileUpload",
                idempotent=False,
            )
        except GraphQLResponseError as exc:
            _raise_typed(exc, None)
        t = data.get("createFileUpload") or {}
        return _Target(
            file_id=str(t["fileId"]),
            url=self._check_url(str(t["uploadUrl"])),
            content_type=str(t.get("contentType") or "application/octet-stream"),
            expires_at=_epoch(t.get("expiresAt")),
        )

    async def _complete(self, file_id: str) -> dict[str, Any]:
        try:
            data = await self.client.execute_raw(
                _COMPLETE,
                {"fileId": file_id},
                endpoint="metadata",
                operation_name="TwentyGqlCompleteFileUpload",
                idempotent=True,  # completing an uploaded file again returns it again
            )
        except GraphQLResponseError as exc:
            _raise_typed(exc, file_id)
        out: dict[str, Any] = data.get("completeFileUpload") or {}
        return out

    async def _put(self, target: _Target, body: _Body, progress: Progress | None) -> None:
        session = self._storage()
        problem: list[FilesError] = []
        total = body.size

        async def chunks() -> AsyncIterator[bytes]:
            body.opened += 1
            sent = 0
            async for chunk in body.open():
                if not chunk:
                    continue
                if sent + len(chunk) > total:
                    problem.append(
                        WrongSizeError(
                            f"{body.filename!r} yielded more than the {total} bytes declared",
                            declared=total,
                            actual=sent + len(chunk),
                            file_id=target.file_id,
                        )
                    )
                    raise problem[-1]
                sent += len(chunk)
                yield chunk
                if progress is not None:
                    progress(sent, total)
            if sent != total:
                problem.append(
                    WrongSizeError(
                        f"{body.filename!r} yielded {sent} bytes, not the {total} declared",
                        declared=total,
                        actual=sent,
                        file_id=target.file_id,
                    )
                )
                raise problem[-1]

        self.stats["puts"] += 1
        headers = {"Content-Type": target.content_type, "Content-Length": str(total)}
        try:
            async with session.put(
                target.url, data=chunks(), headers=headers, allow_redirects=False
            ) as r:
                status = r.status
                text = "" if 200 <= status < 300 else await _excerpt(r)
        except WrongSizeError:
            raise
        except Exception as exc:
            if problem:
                raise problem[-1] from None
            raise _storage_failure(exc, target.url) from None
        if problem:
            raise problem[-1]
        if 200 <= status < 300:
            return
        raise _storage_status(status, text, target.url, target.file_id, body.size)

    # ---- records -----------------------------------------------------------------------------

    async def attach(
        self,
        object: str,
        record_id: str,
        file: UploadedFile | Source,
        *,
        name: str | None = None,
        filename: str | None = None,
        size: int | None = None,
        progress: Progress | None = None,
    ) -> RecordFile:
        """Create an ``attachment`` on ``object`` record ``record_id`` holding ``file`` (an
        :class:`UploadedFile`, or a source uploaded first). ``name`` defaults to the filename."""
        record_id = _uuid("record_id", record_id)
        column = await self._attachment_column(_ident("object", object))
        if column is None:
            raise ValueError(f"attachments cannot target {object!r} in this workspace")
        if not isinstance(file, UploadedFile):
            file = await self.upload(file, filename=filename, size=size, progress=progress)
        label = name or file.filename
        attachment_id = str(uuid.uuid4())  # a client id makes the create safe to resend
        selection = await self._file_selection()
        doc = (
            "mutation TwentyGqlCreateAttachment($data: AttachmentCreateInput!) {\n"
            f"  createAttachment(data: $data) {{ id file {{ {selection} }} }}\n}}"
        )
        data = {
            "id": attachment_id,
            "name": label,
            column: record_id,
            "file": [{"fileId": file.id, "label": label}],
        }
        try:
            out = await self.client.execute_raw(
                doc, {"data": data}, operation_name="TwentyGqlCreateAttachment", idempotent=True
            )
        except UniqueConflictError:
            out = {"createAttachment": await self._attachment(attachment_id, selection)}
        except GraphQLResponseError as exc:
            _raise_typed(exc, file.id)
        node = out.get("createAttachment") or {}
        files = node.get("file") or [{"fileId": file.id, "label": label}]
        return self._record_file(files[0], object, record_id, "attachment", attachment_id)

    async def _attachment(self, attachment_id: str, selection: str) -> dict[str, Any]:
        doc = (
            "query TwentyGqlAttachment {\n"
            f'  attachment(filter: {{id: {{eq: "{attachment_id}"}}}}) {{ id file {{ {selection} }} }}\n}}'
        )
        data = await self.client.execute_raw(
            doc, operation_name="TwentyGqlAttachment", idempotent=True
        )
        node = data.get("attachment")
        if not node:
            raise FileMissingError(f"attachment {attachment_id} was not created")
        result: dict[str, Any] = dict(node)
        return result

    async def set_files_field(
        self,
        object: str,
        record_id: str,
        field: str,
        files: Sequence[UploadedFile | RecordFile | Source | tuple[str, Source]],
        *,
        append: bool = False,
        progress: Progress | None = None,
    ) -> _RecordFiles:
        """Set the FILES field ``object.field`` of ``record_id`` to ``files`` (uploaded first
        when they are sources, or ``(filename, source)`` pairs; ``append=True`` keeps the files
        already there). Twenty caps a
        field at its ``settings.maxNumberOfValues``."""
        record_id = _uuid("record_id", record_id)
        fld = await self._files_field(object, field)
        items: list[dict[str, str]] = []
        if append:
            items = [
                {"fileId": f.file_id, "label": f.label}
                for f in await self._record_files(object, record_id, [field])
            ]
        settings = fld.get("settings")
        cap = settings.get("maxNumberOfValues") if isinstance(settings, dict) else None
        if isinstance(cap, int) and len(items) + len(files) > cap:
            raise ValueError(
                f"{object}.{field} holds at most {cap} file(s) (settings.maxNumberOfValues); "
                f"{len(items) + len(files)} given{' with append=True' if append else ''}"
            )
        for f in files:
            if isinstance(f, UploadedFile):
                items.append({"fileId": f.id, "label": f.filename})
            elif isinstance(f, RecordFile):
                items.append({"fileId": f.file_id, "label": f.label})
            else:
                name, src = f if isinstance(f, tuple) else (None, f)
                up = await self.upload(
                    src, object=object, field=field, filename=name, progress=progress
                )
                items.append({"fileId": up.id, "label": up.filename})
        selection = await self._file_selection()
        pascal = _pascal(object)
        doc = (
            f"mutation TwentyGqlSetFiles($data: {pascal}UpdateInput!) {{\n"
            f'  update{pascal}(id: "{record_id}", data: $data) {{ id {field} {{ {selection} }} }}\n}}'
        )
        try:
            out = await self.client.execute_raw(
                doc,
                {"data": {field: items}},
                operation_name="TwentyGqlSetFiles",
                idempotent=True,  # an update by id
            )
        except GraphQLResponseError as exc:
            _raise_typed(exc, None)
        node = out.get(f"update{pascal}")
        if not node:
            raise NotFoundError(f"no {object} record with id {record_id}", code="NOT_FOUND")
        return [self._record_file(v, object, record_id, field) for v in node.get(field) or []]

    async def list(
        self, object: str, record_id: str, *, attachments: bool = True, fields: bool = True
    ) -> _RecordFiles:
        """The files of ``object`` record ``record_id``: its FILES fields (``fields``), then its
        attachments (``attachments``, oldest first as the server orders them)."""
        record_id = _uuid("record_id", record_id)
        out: _RecordFiles = []
        if fields:
            names = await self._files_fields(object)
            if names:
                out.extend(await self._record_files(object, record_id, names))
        if attachments and object != "attachment":
            column = await self._attachment_column(object)
            if column is not None:
                out.extend(await self._attachments_of(object, record_id, column))
        return out

    async def _record_files(
        self, object: str, record_id: str, names: Sequence[str]
    ) -> _RecordFiles:
        selection = await self._file_selection()
        parts = " ".join(f"{_ident('field', n)} {{ {selection} }}" for n in names)
        doc = (
            "query TwentyGqlRecordFiles {\n"
            f'  {object}(filter: {{id: {{eq: "{record_id}"}}}}) {{ id {parts} }}\n}}'
        )
        data = await self.client.execute_raw(
            doc, operation_name="TwentyGqlRecordFiles", idempotent=True
        )
        node = data.get(object)
        if not node:
            raise NotFoundError(f"no {object} record with id {record_id}", code="NOT_FOUND")
        return [
            self._record_file(v, object, record_id, n) for n in names for v in node.get(n) or []
        ]

    async def _attachments_of(self, object: str, record_id: str, column: str) -> _RecordFiles:
        selection = await self._file_selection()
        doc = (
            "query TwentyGqlAttachments($after: String) {\n"
            f'  attachments(filter: {{{column}: {{eq: "{record_id}"}}}}, first: 60, after: $after) {{\n'
            f"    edges {{ node {{ id file {{ {selection} }} }} }}\n"
            "    pageInfo { hasNextPage endCursor }\n  }\n}"
        )
        out: _RecordFiles = []
        after: str | None = None
        while True:
            data = await self.client.execute_raw(
                doc,
                {"after": after} if after else None,
                operation_name="TwentyGqlAttachments",
                idempotent=True,
            )
            conn = data.get("attachments") or {}
            for edge in conn.get("edges") or []:
                node = edge.get("node") or {}
                for v in node.get("file") or []:
                    out.append(self._record_file(v, object, record_id, "attachment", node["id"]))
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return out
            after = str(info["endCursor"])

    def _record_file(
        self,
        value: dict[str, Any],
        object: str,
        record_id: str,
        field_name: str,
        attachment_id: str | None = None,
    ) -> RecordFile:
        file_id = str(value["fileId"])
        return RecordFile(
            file_id=file_id,
            label=str(value.get("label") or ""),
            object=object,
            record_id=record_id,
            field=field_name,
            attachment_id=attachment_id,
            url=value.get("url") or self._urls.get(file_id),
        )

    # ---- download ----------------------------------------------------------------------------

    def _download_url(self, file: FileRef) -> tuple[str, str | None]:
        if isinstance(file, str):
            return self._check_url(file), None
        file_id = file.id if isinstance(file, UploadedFile) else file.file_id
        url = file.url or self._urls.get(file_id)
        if not url:
            raise DownloadUrlUnavailableError(
                f"no signed download url for file {file_id}: this server's FileObject has no "
                "url and this Files did not upload it",
                file_id=file_id,
            )
        return self._check_url(url), file_id

    async def stream(
        self, file: FileRef, *, progress: Progress | None = None
    ) -> AsyncIterator[bytes]:
        """The file's bytes, chunk by chunk, as they arrive (not retried once bytes flowed)."""
        url, file_id = self._download_url(file)
        session = self._storage()
        self.stats["gets"] += 1
        try:
            async with session.get(url, allow_redirects=False) as r:
                if r.status != 200:
                    text = await _excerpt(r)
                    raise _storage_status(r.status, text, url, file_id, None)
                total = r.content_length
                done = 0
                async for chunk in r.content.iter_chunked(self.chunk_size):
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
                    yield chunk
                if total is not None and done != total:
                    raise ConnectionDroppedError(
                        f"download from {_shown(url)} ended after {done} of {total} bytes"
                    )
        except (FilesError, TransportError):
            raise
        except Exception as exc:
            raise _storage_failure(exc, url) from None

    async def download(
        self, file: FileRef, dest: str | os.PathLike[str], *, progress: Progress | None = None
    ) -> int:
        """Write the file to ``dest`` (through ``dest + '.part'``, renamed when complete) and
        return its size. A failure before the first byte is retried like any idempotent GET."""
        path = Path(dest)
        part = path.with_name(path.name + ".part")
        attempt = 0
        while True:
            written = 0
            try:
                with part.open("wb") as out:
                    async for chunk in self.stream(file, progress=progress):
                        await asyncio.to_thread(out.write, chunk)
                        written += len(chunk)
                os.replace(part, path)
                return written
            except (TransportError, StorageError) as exc:
                part.unlink(missing_ok=True)
                if not exc.retryable or attempt >= self.max_put_retries:
                    raise
                delay = self.client.retry.backoff(attempt)
                attempt += 1
                await self._sleep(delay)
            except BaseException:
                part.unlink(missing_ok=True)
                raise


# ---- helpers --------------------------------------------------------------------------------


def _epoch(value: Any) -> float:
    if not isinstance(value, str):
        return float("inf")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("inf")


async def _excerpt(r: Any) -> str:
    try:
        raw = await r.content.read(2048)
    except Exception:
        return ""
    text: str = raw.decode("utf-8", "replace")
    return text


def _scrub(text: str, url: str) -> str:
    """``text`` with the signed url and every long query value of it masked."""
    text = text.replace(url, _shown(url))
    try:
        values = [v for _k, v in parse_qsl(urlsplit(url).query) if len(v) >= 8]
    except ValueError:
        values = []
    for value in values:
        text = text.replace(value, "***")
    return text


def _storage_failure(exc: BaseException, url: str) -> BaseException:
    """An aiohttp failure on a storage url, with the signature left out of the message."""
    translated = _translate(exc, _shown(url))
    if not isinstance(translated, TwentyError):
        return _StorageTransportError(f"{type(exc).__name__} talking to {_shown(url)}")
    translated.args = tuple(_scrub(a, url) if isinstance(a, str) else a for a in translated.args)
    return translated


class _StorageTransportError(TransportError):
    """An unexpected failure talking to storage (never shows the signed url)."""


def _storage_status(
    status: int, text: str, url: str, file_id: str | None, size: int | None
) -> FilesError:
    where = _shown(url)
    text = _scrub(text, url)
    code = _rest_code(text)
    if status == 403:
        if size is not None:  # an upload: the caller renews the url
            raise _Expired
        return SignedUrlExpiredError(
            f"the download url {where} was refused (expired or invalid): list the record's "
            "files again for a fresh one",
            file_id=file_id,
        )
    if status == 413 or code == "FILE_TOO_LARGE":
        return FileTooLargeError(
            f"storage refused the upload to {where} as too large: {text[:200]}",
            size=size,
            file_id=file_id,
            sub_code="FILE_TOO_LARGE",
        )
    if code == "FILE_SIZE_MISMATCH":
        return WrongSizeError(
            f"storage received another size than declared ({size}): {text[:200]}",
            declared=size,
            file_id=file_id,
            sub_code=code,
        )
    if status == 404:
        return FileMissingError(f"nothing stored at {where}", file_id=file_id, sub_code=code)
    return StorageError(f"HTTP {status} from {where}", status=status, body=text, file_id=file_id)


def _rest_code(text: str) -> str | None:
    m = re.search(r'"error"\s*:\s*"([A-Z_]+)"', text)
    return m.group(1) if m else None


def _raise_typed(exc: GraphQLResponseError, file_id: str | None) -> NoReturn:
    """Raise the typed error for ``exc`` (chained to it), or ``exc`` itself."""
    typed = _typed(exc, file_id)
    if typed is exc:
        raise exc
    raise typed from exc


def _typed(exc: GraphQLResponseError, file_id: str | None) -> TwentyError:
    """Twenty's file errors (subCode or message) as the typed errors of this module."""
    sub = exc.sub_code or ""
    msg = exc.message
    if sub == "FILE_TOO_LARGE" or msg.startswith("Invalid file size"):
        m = _MAX_BYTES.search(msg)
        return FileTooLargeError(
            msg, limit=int(m.group(1)) if m else None, file_id=file_id, sub_code=sub or None
        )
    if sub == "FILE_SIZE_MISMATCH":
        return WrongSizeError(msg, file_id=file_id, sub_code=sub)
    if sub == "FILE_NOT_UPLOADED" or "has not been uploaded" in msg:
        return FileNotUploadedError(msg, file_id=file_id, sub_code=sub or None)
    if (
        sub == "FILE_NOT_FOUND"
        or msg.startswith("File not found")
        or msg.startswith("FileId(s) not found")
    ):
        return FileMissingError(msg, file_id=file_id, sub_code=sub or None)
    return exc
