"""The emulated workspace's data model: object and field metadata, composite definitions, names.

``ObjectMeta`` / ``FieldMeta`` / ``RelationMeta`` carry the attribute names of Twenty's metadata
API (``nameSingular``, ``isNullable``, ...) so the /metadata endpoint can answer straight from them
(twenty-api.md §4.2). Everything here is plain data; behaviour lives in ``workspace.py``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "COMPOSITE_TYPES",
    "CUSTOM_APPLICATION_ID",
    "ENUM_FIELD_TYPES",
    "FIELD_TYPES",
    "FIELD_TYPE_ALIASES",
    "NAMESPACE",
    "RELATION_TYPES",
    "STANDARD_APPLICATION_ID",
    "CompositeSubField",
    "FieldMeta",
    "IndexFieldMeta",
    "IndexMeta",
    "ObjectMeta",
    "RelationMeta",
    "capitalize",
    "deterministic_id",
    "is_camel_case",
    "pascal",
]

#: Namespace of the deterministic ids the seeds use (uuid5), so a seed is stable byte for byte.
NAMESPACE = uuid.UUID("6f1c8a3e-2b7d-4c55-9e0a-20202020aaaa")

#: Twenty application id that owns the standard objects (any stable value; clients only display it).
STANDARD_APPLICATION_ID = "20202020-64aa-4b6f-b003-9c74b97cee20"
CUSTOM_APPLICATION_ID = "20202020-0000-4000-8000-00000000c057"

FIELD_TYPES = frozenset(
    {
        "ACTOR",
        "ADDRESS",
        "ARRAY",
        "BOOLEAN",
        "CURRENCY",
        "DATE",
        "DATE_TIME",
        "EMAILS",
        "FILES",
        "FULL_NAME",
        "LINKS",
        "MORPH_RELATION",
        "MULTI_SELECT",
        "NUMBER",
        "NUMERIC",
        "PHONES",
        "POSITION",
        "RATING",
        "RAW_JSON",
        "RELATION",
        "RICH_TEXT",
        "SELECT",
        "TEXT",
        "TS_VECTOR",
        "UUID",
    }
)
ENUM_FIELD_TYPES = frozenset({"SELECT", "MULTI_SELECT", "RATING"})
RELATION_TYPES = frozenset({"RELATION", "MORPH_RELATION"})

#: Legacy spellings accepted on input and normalised (twenty-api.md §2).
FIELD_TYPE_ALIASES = {"RICH_TEXT_V2": "RICH_TEXT"}


@dataclass(frozen=True)
class CompositeSubField:
    """One sub-field of a composite type (twenty-api.md §2.2)."""

    name: str
    type: str  # TEXT, NUMERIC, RAW_JSON, UUID, SELECT
    hidden: bool | str = False  # False, True (everywhere) or "input"
    unique_part: bool = False
    required: bool = False
    enum_values: tuple[str, ...] = ()


def _subs(*items: CompositeSubField) -> tuple[CompositeSubField, ...]:
    return items


ACTOR_SOURCES = (
    "EMAIL",
    "CALENDAR",
    "WORKFLOW",
    "AGENT",
    "API",
    "IMPORT",
    "MANUAL",
    "SYSTEM",
    "WEBHOOK",
    "APPLICATION",
)

COMPOSITE_TYPES: dict[str, tuple[CompositeSubField, ...]] = {
    "FULL_NAME": _subs(
        CompositeSubField("firstName", "TEXT"), CompositeSubField("lastName", "TEXT")
    ),
    "LINKS": _subs(
        CompositeSubField("primaryLinkLabel", "TEXT"),
        CompositeSubField("primaryLinkUrl", "TEXT", unique_part=True),
        CompositeSubField("secondaryLinks", "RAW_JSON"),
    ),
    "CURRENCY": _subs(
        CompositeSubField("amountMicros", "NUMERIC"), CompositeSubField("currencyCode", "TEXT")
    ),
    "ADDRESS": _subs(
        CompositeSubField("addressStreet1", "TEXT"),
        CompositeSubField("addressStreet2", "TEXT"),
        CompositeSubField("addressStreet3", "TEXT"),
        CompositeSubField("addressCity", "TEXT"),
        CompositeSubField("addressPostcode", "TEXT"),
        CompositeSubField("addressState", "TEXT"),
        CompositeSubField("addressCountry", "TEXT"),
        CompositeSubField("addressLat", "NUMERIC"),
        CompositeSubField("addressLng", "NUMERIC"),
    ),
    "EMAILS": _subs(
        CompositeSubField("primaryEmail", "TEXT", unique_part=True),
        CompositeSubField("additionalEmails", "RAW_JSON"),
    ),
    "PHONES": _subs(
        CompositeSubField("primaryPhoneNumber", "TEXT", unique_part=True),
        CompositeSubField("primaryPhoneCountryCode", "TEXT", unique_part=True),
        CompositeSubField("primaryPhoneCallingCode", "TEXT", unique_part=True),
        CompositeSubField("additionalPhones", "RAW_JSON"),
    ),
    "ACTOR": _subs(
        CompositeSubField("source", "SELECT", required=True, enum_values=ACTOR_SOURCES),
        CompositeSubField("workspaceMemberId", "UUID", hidden="input"),
        CompositeSubField("name", "TEXT", hidden="input", required=True),
        CompositeSubField("context", "RAW_JSON"),
    ),
    "RICH_TEXT": _subs(
        CompositeSubField("blocknote", "TEXT"), CompositeSubField("markdown", "TEXT")
    ),
}

_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def capitalize(name: str) -> str:
    return name[:1].upper() + name[1:]


def pascal(name: str) -> str:
    """Pascal case of a camelCase or SNAKE_CASE name (``FULL_NAME`` -> ``FullName``)."""
    if "_" in name or name.isupper():
        return "".join(part.capitalize() for part in name.lower().split("_") if part)
    return capitalize(name)


def is_camel_case(name: str) -> bool:
    return bool(_CAMEL.match(name))


def deterministic_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass
class FieldMeta:
    """A field's metadata, named like the metadata API's ``Field`` type."""

    id: str
    objectMetadataId: str
    type: str
    name: str
    label: str
    universalIdentifier: str = ""
    description: str | None = None
    icon: str | None = None
    isActive: bool = True
    isSystem: bool = False
    isUIEditable: bool = True
    isNullable: bool = True
    isUnique: bool = False
    isSearchable: bool = False
    isAuditLogged: bool = True
    isCustom: bool = False
    isLabelSyncedWithName: bool = False
    defaultValue: Any = None
    options: Any = None
    settings: Any = None
    morphId: str | None = None
    createdAt: str = "2026-01-01T00:00:00.000Z"
    updatedAt: str = "2026-01-01T00:00:00.000Z"
    applicationId: str = STANDARD_APPLICATION_ID
    #: for RELATION / MORPH_RELATION: the other side
    relationTargetObjectMetadataId: str | None = None
    relationTargetFieldMetadataId: str | None = None

    @property
    def isUIReadOnly(self) -> bool:
        return not self.isUIEditable

    @property
    def writability(self) -> str:
        return "SYSTEM" if self.isSystem else "OPEN"

    @property
    def relationType(self) -> str | None:
        """``MANY_TO_ONE`` / ``ONE_TO_MANY`` for relation fields, else None."""
        if self.type not in RELATION_TYPES:
            return None
        settings = self.settings or {}
        value = settings.get("relationType")
        return str(value) if value else None

    @property
    def joinColumnName(self) -> str | None:
        if self.relationType != "MANY_TO_ONE":
            return None
        settings = self.settings or {}
        return str(settings.get("joinColumnName") or f"{self.name}Id")

    @property
    def is_many_to_one(self) -> bool:
        return self.relationType == "MANY_TO_ONE"

    @property
    def is_one_to_many(self) -> bool:
        return self.relationType == "ONE_TO_MANY"


@dataclass
class ObjectMeta:
    """An object's metadata, named like the metadata API's ``Object`` type."""

    id: str
    nameSingular: str
    namePlural: str
    labelSingular: str
    labelPlural: str
    universalIdentifier: str = ""
    description: str | None = None
    icon: str | None = None
    shortcut: str | None = None
    color: str | None = None
    isCustom: bool = False
    isRemote: bool = False
    isActive: bool = True
    isSystem: bool = False
    isSearchable: bool = True
    isUIEditable: bool = True
    isUICreatable: bool = True
    isLabelSyncedWithName: bool = False
    duplicateCriteria: list[list[str]] | None = None
    labelIdentifierFieldMetadataId: str | None = None
    imageIdentifierFieldMetadataId: str | None = None
    openRecordIn: str = "SIDE_PANEL"
    applicationId: str = STANDARD_APPLICATION_ID
    createdAt: str = "2026-01-01T00:00:00.000Z"
    updatedAt: str = "2026-01-01T00:00:00.000Z"
    #: the field ids of this object, in metadata order
    fieldIds: list[str] = field(default_factory=list)

    @property
    def isUIReadOnly(self) -> bool:
        return not self.isUIEditable

    @property
    def readability(self) -> str:
        return "OPEN"

    @property
    def writability(self) -> str:
        return "SYSTEM" if self.isSystem else "OPEN"


@dataclass(frozen=True)
class RelationMeta:
    """The metadata API's ``Relation``: one side of a relation seen from ``sourceFieldMetadata``."""

    type: str  # RelationType: MANY_TO_ONE | ONE_TO_MANY
    sourceObjectMetadata: ObjectMeta
    targetObjectMetadata: ObjectMeta
    sourceFieldMetadata: FieldMeta
    targetFieldMetadata: FieldMeta


@dataclass(frozen=True)
class IndexFieldMeta:
    """The metadata API's ``IndexField``."""

    id: str
    fieldMetadataId: str
    order: float
    subFieldName: str | None
    createdAt: str
    updatedAt: str


@dataclass(frozen=True)
class IndexMeta:
    """The metadata API's ``Index`` (derived: one unique index per unique field)."""

    id: str
    name: str
    isCustom: bool
    isUnique: bool
    indexWhereClause: str | None
    indexType: str  # IndexType: BTREE | GIN
    createdAt: str
    updatedAt: str
    indexFieldMetadataList: tuple[IndexFieldMeta, ...]
