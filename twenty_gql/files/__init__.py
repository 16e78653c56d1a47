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

# The package re-exports what ``twenty_gql.files`` defined when it was one module: the public
# names of ``__all__``, the type aliases and the default chunk size, and (as ``x as x``) the
# internal helpers the unit tests reach for.
from twenty_gql.files._client import Files
from twenty_gql.files._errors import (
    DownloadUrlUnavailableError,
    FileMissingError,
    FileNotUploadedError,
    FilesError,
    FileTooLargeError,
    SignedUrlExpiredError,
    StorageError,
    WrongSizeError,
)
from twenty_gql.files._errors import _Expired as _Expired
from twenty_gql.files._errors import _typed as _typed
from twenty_gql.files._sources import DEFAULT_CHUNK_SIZE as DEFAULT_CHUNK_SIZE
from twenty_gql.files._sources import Progress as Progress
from twenty_gql.files._sources import Source as Source
from twenty_gql.files._sources import _prepare as _prepare
from twenty_gql.files._storage import _scrub as _scrub
from twenty_gql.files._storage import _shown as _shown
from twenty_gql.files._storage import _storage_status as _storage_status
from twenty_gql.files._upload import logger as logger
from twenty_gql.files._values import FileRef as FileRef
from twenty_gql.files._values import RecordFile, UploadedFile

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
