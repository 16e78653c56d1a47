"""Seeds for the emulated workspace: ``standard``, ``demo`` and ``empty``.

``standard`` is built from the package's copy of the standard-objects fixture
(``data/standard-objects.json``): every object, field, option, relation pair and duplicate
criterion (29 objects: the CRM ones, messaging, calendar, connected accounts, workflows,
dashboards, favorites). Relations whose target object is not part of the fixture are left out,
since the emulator cannot serve a type for them (none are, today). Legacy ``RICH_TEXT_V2`` fields become
``RICH_TEXT`` (the composite of the newest servers, the only spelling the 2.43 metadata schema
knows).

``demo`` adds a few hundred deterministic records (``random.Random(20)``): the CRM objects, plus
a few favorites (two in folders), a dashboard, the first member's connected account with a
mailbox (three threads of two messages, participants linked to people and the member) and a
calendar (three events with participants); its records are built in ``demo_seed.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

# The demo seed's records live in demo_seed.py; imported from here as before.
from twenty_gql.testing.demo_seed import DEMO_COUNTS as DEMO_COUNTS
from twenty_gql.testing.demo_seed import DEMO_ORDER, demo_records
from twenty_gql.testing.model import (
    FIELD_TYPE_ALIASES,
    FieldMeta,
    ObjectMeta,
    deterministic_id,
)

__all__ = ["DEMO_ORDER", "SEEDS", "demo_records", "standard_fixture", "standard_model"]

SEEDS = ("standard", "demo", "empty")


@lru_cache(maxsize=4096)
def _model_id(kind: str, object_name: str, field_name: str = "") -> str:
    """``deterministic_id`` of a standard object or field, memoised: every emulator start and
    reset rebuilds the standard model, and the uuid5 calls were half of that cost."""
    if kind == "object":
        return deterministic_id(kind, object_name)
    return deterministic_id(kind, object_name, field_name)


@lru_cache(maxsize=1)
def _fixture_text() -> str:
    return (resources.files("twenty_gql.testing") / "data" / "standard-objects.json").read_text(
        encoding="utf-8"
    )


def standard_fixture() -> dict[str, Any]:
    """A fresh copy of the standard-objects fixture (package data)."""
    data: dict[str, Any] = json.loads(_fixture_text())
    return data


def field_from_fixture(object_id: str, object_name: str, raw: dict[str, Any]) -> FieldMeta:
    ftype = FIELD_TYPE_ALIASES.get(raw["type"], raw["type"])
    settings = raw.get("settings")
    if ftype in ("RELATION", "MORPH_RELATION"):
        settings = dict(settings or {})
        settings.setdefault("relationType", raw.get("relationType"))
        if raw.get("relationType") == "MANY_TO_ONE":
            settings.setdefault("joinColumnName", raw.get("joinColumnName") or f"{raw['name']}Id")
            if raw.get("onDelete"):
                settings.setdefault("onDelete", raw["onDelete"])
    fid = _model_id("field", object_name, raw["name"])
    return FieldMeta(
        id=fid,
        universalIdentifier=fid,
        objectMetadataId=object_id,
        type=ftype,
        name=raw["name"],
        label=raw.get("label") or raw["name"],
        description=raw.get("description"),
        icon=raw.get("icon"),
        isSystem=bool(raw.get("isSystem", False)),
        isUIEditable=bool(raw.get("isUIEditable", True)),
        isNullable=bool(raw.get("isNullable", True)),
        isUnique=bool(raw.get("isUnique", False)),
        isSearchable=raw["name"] in ("name", "title"),
        defaultValue=raw.get("defaultValue"),
        options=raw.get("options"),
        settings=settings,
        morphId=raw.get("morphId") if ftype == "MORPH_RELATION" else None,
    )


def standard_model() -> tuple[list[ObjectMeta], list[FieldMeta]]:
    """Objects and fields of the standard seed, relations linked both ways."""
    data = standard_fixture()
    objects: list[ObjectMeta] = []
    fields: list[FieldMeta] = []
    raw_by_object: dict[str, list[dict[str, Any]]] = {}
    names = {o["nameSingular"] for o in data["objects"]}
    for raw_obj in data["objects"]:
        name = raw_obj["nameSingular"]
        oid = _model_id("object", name)
        obj = ObjectMeta(
            id=oid,
            universalIdentifier=raw_obj.get("universalIdentifier") or oid,
            nameSingular=name,
            namePlural=raw_obj["namePlural"],
            labelSingular=raw_obj["labelSingular"],
            labelPlural=raw_obj["labelPlural"],
            description=raw_obj.get("description"),
            icon=raw_obj.get("icon"),
            shortcut=raw_obj.get("shortcut"),
            isSystem=bool(raw_obj.get("isSystem", False)),
            isSearchable=bool(raw_obj.get("isSearchable", False)),
            duplicateCriteria=raw_obj.get("duplicateCriteria"),
        )
        objects.append(obj)
        raw_by_object[name] = raw_obj["fields"]
    by_name = {o.nameSingular: o for o in objects}
    field_index: dict[tuple[str, str], FieldMeta] = {}
    for obj in objects:
        for raw in raw_by_object[obj.nameSingular]:
            if (
                raw["type"] in ("RELATION", "MORPH_RELATION")
                and raw.get("targetObject") not in names
            ):
                continue
            fld = field_from_fixture(obj.id, obj.nameSingular, raw)
            if fld.type in ("RELATION", "MORPH_RELATION"):
                fld.relationTargetObjectMetadataId = by_name[raw["targetObject"]].id
                fld.relationTargetFieldMetadataId = _model_id(
                    "field", raw["targetObject"], raw["inverseFieldName"]
                )
            fields.append(fld)
            obj.fieldIds.append(fld.id)
            field_index[(obj.nameSingular, fld.name)] = fld
    for raw_obj in data["objects"]:
        obj = by_name[raw_obj["nameSingular"]]
        label_field = field_index.get(
            (obj.nameSingular, raw_obj.get("labelIdentifierFieldName") or "")
        )
        obj.labelIdentifierFieldMetadataId = label_field.id if label_field else None
        image_field = field_index.get(
            (obj.nameSingular, raw_obj.get("imageIdentifierFieldName") or "")
        )
        obj.imageIdentifierFieldMetadataId = image_field.id if image_field else None
    return objects, fields
