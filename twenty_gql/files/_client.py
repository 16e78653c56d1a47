"""The :class:`Files` client: its settings and lifecycle, attachments, FILES fields, listing
(upload is in ``_upload.py``, data-model lookups in ``_model.py``, storage I/O in ``_storage.py``)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any

from twenty_gql.client import TwentyClient
from twenty_gql.errors import GraphQLResponseError, NotFoundError, UniqueConflictError
from twenty_gql.files._errors import FileMissingError, _raise_typed
from twenty_gql.files._sources import DEFAULT_CHUNK_SIZE, Progress, Source
from twenty_gql.files._upload import _Uploads
from twenty_gql.files._values import (
    RecordFile,
    UploadedFile,
    _ident,
    _pascal,
    _RecordFiles,
    _uuid,
)


class Files(_Uploads):
    """File transfers for one :class:`~twenty_gql.TwentyClient` (see the package docstring).

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
