"""API-key roles and Twenty's record permission checks (object-level).

Twenty checks every record query against the role of the caller (an API key has a role): a
``select`` needs read, ``insert``/``update`` need update (creates included), ``soft-delete``
and ``restore`` need soft delete, ``delete`` (destroy) needs destroy; system objects are not
checked; a query that selects a relation needs read on the related object too
(``validateOperationIsPermittedOrThrow`` in twenty-server's twenty-orm). A refusal is a
``PermissionsException(PERMISSION_DENIED)`` that the GraphQL layer turns into::

    message "Entity performing the request does not have permission"
    extensions {code: FORBIDDEN, subCode: PERMISSION_DENIED,
                userFriendlyMessage: "User does not have permission."}

with the root field null. Metadata writes (objects, fields) need the data-model setting
permission and are refused the same way. Inferred, not read in the source: a mutation's
result needs no read permission on its own object; mergeMany needs update and soft delete.

A role is written ``PRESET[,OBJECT=PERMS...]``: presets ``admin`` (everything), ``read-only``
(read records, no metadata writes), ``no-delete`` (read and write, no soft delete / destroy /
metadata writes), ``none`` (nothing); ``OBJECT`` is an object's ``nameSingular`` and ``PERMS``
letters among ``r`` (read), ``w`` (create / update), ``d`` (soft delete / restore), ``x``
(destroy), or ``-`` for none. Example: ``read-only,company=rw,note=rwdx``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from twenty_gql.testing.errors import TwentyApiError

__all__ = [
    "PERMISSION_DENIED_MESSAGE",
    "ObjectPermissions",
    "Role",
    "operation_permission",
    "permission_denied",
]

PERMISSION_DENIED_MESSAGE = "Entity performing the request does not have permission"
PERMISSION_DENIED_FRIENDLY = "User does not have permission."


def permission_denied() -> TwentyApiError:
    return TwentyApiError(
        PERMISSION_DENIED_MESSAGE, "FORBIDDEN", "PERMISSION_DENIED", PERMISSION_DENIED_FRIENDLY
    )


@dataclass(frozen=True)
class ObjectPermissions:
    read: bool = True
    update: bool = True
    soft_delete: bool = True
    destroy: bool = True

    @classmethod
    def parse(cls, letters: str) -> ObjectPermissions:
        if letters != "-" and (not letters or set(letters) - set("rwdx")):
            raise ValueError(
                f"permissions {letters!r}: use letters among r (read), w (create/update), "
                "d (soft delete/restore), x (destroy), or - for none"
            )
        return cls("r" in letters, "w" in letters, "d" in letters, "x" in letters)

    def allows(self, permission: str) -> bool:
        return bool(getattr(self, permission))


_ALL = ObjectPermissions()
_PRESETS: dict[str, tuple[ObjectPermissions, bool]] = {
    "admin": (_ALL, True),
    "read-only": (ObjectPermissions(True, False, False, False), False),
    "no-delete": (ObjectPermissions(True, True, False, False), False),
    "none": (ObjectPermissions(False, False, False, False), False),
}
_ENTRY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")

#: core root resolver -> the permissions it needs on its object
_OPERATIONS: dict[str, tuple[str, ...]] = {
    "findMany": ("read",),
    "findOne": ("read",),
    "findDuplicates": ("read",),
    "groupBy": ("read",),
    "createOne": ("update",),
    "createMany": ("update",),
    "updateOne": ("update",),
    "updateMany": ("update",),
    "mergeMany": ("update", "soft_delete"),
    "deleteOne": ("soft_delete",),
    "deleteMany": ("soft_delete",),
    "restoreOne": ("soft_delete",),
    "restoreMany": ("soft_delete",),
    "destroyOne": ("destroy",),
    "destroyMany": ("destroy",),
}


def operation_permission(method: str) -> tuple[str, ...]:
    return _OPERATIONS[method]


@dataclass(frozen=True)
class Role:
    """What an API key may do. ``objects`` overrides ``default`` per object ``nameSingular``;
    ``data_model``: may create / update / delete objects and fields through /metadata."""

    name: str = "admin"
    default: ObjectPermissions = _ALL
    objects: Mapping[str, ObjectPermissions] = field(default_factory=dict)
    data_model: bool = True

    def __repr__(self) -> str:
        return f"Role({self.name!r})"

    def allows(self, object_name: str, permission: str) -> bool:
        return self.objects.get(object_name, self.default).allows(permission)

    @classmethod
    def parse(cls, spec: str) -> Role:
        """``PRESET[,OBJECT=PERMS...]`` (see the module doc); ValueError names what is wrong."""
        if not isinstance(spec, str) or not spec.strip():
            raise ValueError("role must be a non-empty string like 'read-only'")
        preset, *entries = [part.strip() for part in spec.split(",")]
        if preset not in _PRESETS:
            raise ValueError(
                f"unknown role preset {preset!r}: expected one of {', '.join(_PRESETS)}"
            )
        default, data_model = _PRESETS[preset]
        objects: dict[str, ObjectPermissions] = {}
        for entry in entries:
            match = _ENTRY.match(entry)
            if match is None:
                raise ValueError(f"role entry {entry!r}: expected OBJECT=PERMS, e.g. company=rw")
            objects[match.group(1)] = ObjectPermissions.parse(match.group(2))
        return cls(spec.strip(), default, objects, data_model)

    @classmethod
    def of(cls, value: Any) -> Role:
        """A ``Role`` from a ``Role``, a spec string, or None (admin)."""
        if value is None:
            return ADMIN
        if isinstance(value, Role):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        raise TypeError(f"role must be a Role or a string like 'read-only', got {value!r}")


ADMIN = Role()
