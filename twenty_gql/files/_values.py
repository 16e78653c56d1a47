"""The values :class:`~twenty_gql.files.Files` returns, and the checks of names and ids."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from dataclasses import field as _dc_field
from typing import Union

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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
