"""The typed errors of :mod:`twenty_gql.files` and the mapping of Twenty's file errors to them."""

from __future__ import annotations

import re
from typing import Any, NoReturn

from twenty_gql.errors import GraphQLResponseError, TwentyError

_MAX_BYTES = re.compile(r"max (\d+) bytes")
_EXCERPT = 300


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


class _Expired(Exception):
    """Internal: the storage refused the signed url (403)."""


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
