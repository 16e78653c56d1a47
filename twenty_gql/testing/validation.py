"""Validation rules of the metadata API shared by object and field writes (pure functions).

Names (camelCase, <= 63 characters, not reserved), SELECT/MULTI_SELECT/RATING options, default
values and the field types that can be unique. Every rule raises ``TwentyApiError`` with
``BAD_USER_INPUT`` (and Twenty's ``subCode`` where it has one).
"""

from __future__ import annotations

import re
from typing import Any

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.model import COMPOSITE_TYPES, ENUM_FIELD_TYPES, FieldMeta, is_camel_case

__all__ = [
    "NULLABLE_FIELD_ATTRS",
    "NULLABLE_OBJECT_ATTRS",
    "RESERVED_NAMES",
    "UNIQUE_CAPABLE",
    "camel_from_label",
    "check_name",
    "drop_nulls",
    "model_error",
    "validate_default",
    "validate_options",
]

RESERVED_NAMES = frozenset(
    {
        "and",
        "or",
        "not",
        "filter",
        "orderBy",
        "first",
        "last",
        "before",
        "after",
        "offset",
        "edges",
        "node",
        "pageInfo",
        "totalCount",
        "cursor",
        "query",
        "mutation",
        "subscription",
        "type",
        "input",
        "enum",
        "union",
        "scalar",
        "interface",
        "object",
        "objects",
        "field",
        "fields",
        "relation",
        "relations",
        "index",
        "user",
        "users",
        "workspace",
        "workspaces",
        "event",
        "events",
        "search",
        "data",
        "ids",
        "upsert",
    }
)
UNIQUE_CAPABLE = frozenset(COMPOSITE_TYPES) | {
    "TEXT",
    "NUMBER",
    "UUID",
    "DATE",
    "DATE_TIME",
    "NUMERIC",
    "SELECT",
}
_ENUM_VALUE = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def model_error(
    message: str, code: str = "BAD_USER_INPUT", sub_code: str | None = None
) -> TwentyApiError:
    return TwentyApiError(message, code, sub_code, message if code == "BAD_USER_INPUT" else None)


def check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name:
        raise model_error(f"{what} is required and must be a string")
    if not is_camel_case(name):
        raise model_error(f"{what} '{name}' should be in camelCase", sub_code="INVALID_NAME")
    if len(name) > 63:
        raise model_error(f"{what} '{name}' exceeds 63 characters", sub_code="INVALID_NAME")
    if name in RESERVED_NAMES:
        raise model_error(f"{what} '{name}' is reserved", sub_code="RESERVED_KEYWORD")
    return name


def validate_options(ftype: str, options: Any) -> list[dict[str, Any]] | None:
    if ftype not in ENUM_FIELD_TYPES:
        return options if options is not None else None
    if options is None and ftype == "RATING":
        return [{"value": f"RATING_{i}", "label": str(i), "position": i - 1} for i in range(1, 6)]
    if not isinstance(options, list) or not options:
        raise model_error(f"Options are required for {ftype} fields")
    seen = set()
    out = []
    for i, opt in enumerate(options):
        if not isinstance(opt, dict) or not isinstance(opt.get("value"), str):
            raise model_error(f"Option {i} must be an object with a string value")
        value = opt["value"]
        if not _ENUM_VALUE.match(value):
            raise model_error(f"Option value '{value}' must match /^[_A-Za-z][_0-9A-Za-z]*$/")
        if value in seen:
            raise model_error(f"Duplicate option value '{value}'")
        seen.add(value)
        out.append(
            {
                "id": opt.get("id") or f"{value}-{i}",
                "value": value,
                "label": opt.get("label") or value,
                "position": opt.get("position", i),
                "color": opt.get("color") or "gray",
            }
        )
    return out


def validate_default(fld: FieldMeta) -> None:
    dv = fld.defaultValue
    if dv is None:
        return
    if fld.type in ("SELECT", "RATING"):
        values = {o["value"] for o in fld.options or []}
        if str(dv).strip("'") not in values:
            raise model_error(f"Default value {dv!r} of {fld.name} is not one of its options")
    elif fld.type == "MULTI_SELECT":
        values = {o["value"] for o in fld.options or []}
        if not isinstance(dv, list) or any(str(v).strip("'") not in values for v in dv):
            raise model_error(f"Default value {dv!r} of {fld.name} is not a list of its options")
    elif fld.type == "BOOLEAN" and not isinstance(dv, bool):
        raise model_error(f"Default value of BOOLEAN field {fld.name} must be a boolean")
    elif fld.type in ("NUMBER", "NUMERIC") and (
        isinstance(dv, bool) or not isinstance(dv, (int, float))
    ):
        raise model_error(f"Default value of {fld.type} field {fld.name} must be a number")


NULLABLE_OBJECT_ATTRS = frozenset(
    {
        "description",
        "icon",
        "shortcut",
        "color",
        "labelIdentifierFieldMetadataId",
        "imageIdentifierFieldMetadataId",
    }
)
NULLABLE_FIELD_ATTRS = frozenset({"description", "icon", "defaultValue", "options", "settings"})


def drop_nulls(update: dict[str, Any], nullable: frozenset[str]) -> dict[str, Any]:
    """GraphQL clients send ``null`` for attributes they do not change: ignore those, except
    where null is a real value (description, defaultValue, ...)."""
    return {k: v for k, v in update.items() if v is not None or k in nullable}


def camel_from_label(label: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", label)
    if not words:
        return ""
    first = str(words[0])
    return first[:1].lower() + first[1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])
