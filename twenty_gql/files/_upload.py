"""The upload flow: ``createFileUpload``, the PUT to the signed url (resent on a dropped
connection or a 5xx, a new url after an expiry), ``completeFileUpload``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from twenty_gql.errors import GraphQLResponseError, TransportError
from twenty_gql.files._errors import (
    FileTooLargeError,
    SignedUrlExpiredError,
    StorageError,
    _Expired,
    _raise_typed,
)
from twenty_gql.files._model import _DataModel
from twenty_gql.files._sources import Progress, Source, _Body, _prepare
from twenty_gql.files._storage import _epoch, _StorageIO, _Target
from twenty_gql.files._values import UploadedFile, _uuid

logger = logging.getLogger("twenty_gql")

_CREATE = """mutation TwentyGqlCreateFileUpload($filename: String!, $size: Float!, $folder: FileFolder!, $fieldMetadataId: String) {
  createFileUpload(filename: $filename, size: $size, fileFolder: $folder, fieldMetadataId: $fieldMetadataId) {
    fileId uploadUrl contentType expiresAt
  }
}"""
_COMPLETE = """mutation TwentyGqlCompleteFileUpload($fileId: String!) {
  completeFileUpload(fileId: $fileId) { id path size createdAt url }
}"""


class _Uploads(_DataModel, _StorageIO):
    """Upload and complete, for :class:`~twenty_gql.files.Files` (a base class of it)."""

    url_renewals: int
    expiry_margin: float
    _clock: Callable[[], float]

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
