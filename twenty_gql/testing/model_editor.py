"""Metadata writes (twenty-api.md §4.2): create/update/delete of objects and fields.

``ModelEditor`` adds the writes to ``DataModel``: each validates its input (``validation``),
changes the maps, commits the model (schema rebuilt) and brings stored records along (new
columns backfilled with the default, renamed columns moved, dropped ones removed).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from twenty_gql.testing.datamodel import DataModel, model_transaction
from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    CUSTOM_APPLICATION_ID,
    FIELD_TYPE_ALIASES,
    FIELD_TYPES,
    RELATION_TYPES,
    FieldMeta,
    ObjectMeta,
    capitalize,
)
from twenty_gql.testing.record_input import default_value
from twenty_gql.testing.scalars import now_iso
from twenty_gql.testing.seeds import standard_fixture
from twenty_gql.testing.validation import (
    NULLABLE_FIELD_ATTRS,
    NULLABLE_OBJECT_ATTRS,
    UNIQUE_CAPABLE,
    check_name,
    drop_nulls,
    model_error,
    validate_default,
    validate_options,
)

__all__ = ["ModelEditor"]


class ModelEditor(DataModel):
    @model_transaction
    def create_object(self, input: dict[str, Any]) -> ObjectMeta:
        """``createOneObject``: a custom object with Twenty's default fields and relations."""
        with self.lock:
            data = dict(input.get("object", input)) if "object" in input else dict(input)
            singular, plural = data.get("nameSingular"), data.get("namePlural")
            self._check_object_names(singular, plural)  # type: ignore[arg-type]
            for key in ("labelSingular", "labelPlural"):
                if not isinstance(data.get(key), str) or not data[key]:
                    raise model_error(f"{key} is required")
            now = now_iso()

            oid = str(uuid.uuid4())
            obj = ObjectMeta(
                id=oid,
                universalIdentifier=oid,
                nameSingular=str(singular),
                namePlural=str(plural),
                labelSingular=data["labelSingular"],
                labelPlural=data["labelPlural"],
                description=data.get("description"),
                icon=data.get("icon") or "IconListNumbers",
                shortcut=data.get("shortcut"),
                color=data.get("color"),
                isCustom=True,
                isRemote=bool(data.get("isRemote") or False),
                isLabelSyncedWithName=bool(data.get("isLabelSyncedWithName") or False),
                applicationId=CUSTOM_APPLICATION_ID,
                createdAt=now,
                updatedAt=now,
            )
            saved_objects = dict(self._objects)
            saved_fields = dict(self._fields)
            try:
                self._objects[oid] = obj
                fixture = standard_fixture()
                for raw in fixture["customObjectDefaultFields"]:
                    if raw["name"] == "name" and data.get("skipNameField"):
                        continue
                    fld = self._new_field(obj, raw, now)
                    if fld.name == "name":
                        obj.labelIdentifierFieldMetadataId = fld.id
                    if fld.type == "TS_VECTOR":
                        fld.settings = dict(fld.settings or {})
                    self._attach(obj, fld)
                for pair in fixture["customObjectDefaultRelations"]["pairs"]:
                    target = self.object_by_name(pair["targetObject"])
                    if target is None:
                        continue
                    pattern = pair["targetFieldPattern"]
                    target_name = (
                        "target" + capitalize(obj.nameSingular)
                        if pattern.startswith("target")
                        else obj.nameSingular
                    )
                    if any(self._fields[f].name == target_name for f in target.fieldIds):
                        continue
                    self._create_relation_pair(
                        obj,
                        name=pair["customObjectField"],
                        label=capitalize(target.labelPlural),
                        icon=target.icon or "IconBuildingSkyscraper",
                        rel_type="ONE_TO_MANY",
                        target=target,
                        target_name=target_name,
                        target_label=capitalize(obj.labelSingular),
                        target_icon=obj.icon,
                        morph_id=pair.get("morphId"),
                        now=now,
                        system=True,
                    )
                self._commit_model()
            except Exception:
                self._objects = saved_objects
                self._fields = saved_fields
                raise
            return obj

    @model_transaction
    def update_object(self, id: str, update: dict[str, Any]) -> ObjectMeta:
        with self.lock:
            obj = self.object(id)
            allowed = {
                "labelSingular",
                "labelPlural",
                "nameSingular",
                "namePlural",
                "description",
                "icon",
                "shortcut",
                "color",
                "isActive",
                "labelIdentifierFieldMetadataId",
                "imageIdentifierFieldMetadataId",
                "isLabelSyncedWithName",
            }
            unknown = set(update) - allowed
            if unknown:
                raise model_error(
                    f"Cannot update object attribute(s): {', '.join(sorted(unknown))}"
                )
            update = drop_nulls(update, NULLABLE_OBJECT_ATTRS)
            singular = update.get("nameSingular") or obj.nameSingular
            plural = update.get("namePlural") or obj.namePlural
            if (singular, plural) != (obj.nameSingular, obj.namePlural):
                if not obj.isCustom:
                    raise model_error(
                        "Cannot rename a standard object", sub_code="INVALID_OBJECT_INPUT"
                    )
                self._check_object_names(singular, plural, ignore=obj.id)
            for key in ("labelIdentifierFieldMetadataId", "imageIdentifierFieldMetadataId"):
                value = update.get(key)
                if value is not None and value not in obj.fieldIds:
                    raise model_error(f"{key} {value} is not a field of {obj.nameSingular}")
            before = dataclasses.replace(obj, fieldIds=list(obj.fieldIds))
            for key, value in update.items():
                if (
                    key in ("labelSingular", "labelPlural", "nameSingular", "namePlural")
                    and not value
                ):
                    raise model_error(f"{key} cannot be empty")
                setattr(obj, key, value)
            obj.updatedAt = now_iso()
            try:
                self._commit_model()
            except Exception:
                self._objects[obj.id] = before
                raise
            return obj

    @model_transaction
    def delete_object(self, id: str) -> ObjectMeta:
        with self.lock:
            obj = self.object(id)
            if not obj.isCustom:
                raise model_error(
                    "Standard objects cannot be deleted", sub_code="INVALID_OBJECT_INPUT"
                )
            for fid in list(obj.fieldIds):
                fld = self._fields.get(fid)
                if fld is not None and fld.type in RELATION_TYPES:
                    self._drop_inverse(fld)
                self._fields.pop(fid, None)
            del self._objects[obj.id]
            self.store.drop_table(obj.id)
            self._commit_model()
            return obj

    @model_transaction
    def create_field(self, input: dict[str, Any]) -> FieldMeta:
        """``createOneField``; RELATION fields need ``relationCreationPayload`` (both sides made)."""
        with self.lock:
            data = dict(input.get("field", input)) if "field" in input else dict(input)
            obj = self.object(str(data.get("objectMetadataId")))
            name = check_name(data.get("name"), "Field name")
            ftype = FIELD_TYPE_ALIASES.get(str(data.get("type")), str(data.get("type")))
            if ftype not in FIELD_TYPES:
                raise model_error(
                    f"Unknown field type {data.get('type')!r}", sub_code="INVALID_FIELD_INPUT"
                )
            if not isinstance(data.get("label"), str) or not data["label"]:
                raise model_error("label is required")
            self._check_field_name_free(obj, name)
            now = now_iso()
            if ftype in RELATION_TYPES:
                return self._create_relation_field(obj, data, name, ftype, now)
            options = validate_options(ftype, data.get("options"))
            raw = {
                "name": name,
                "type": ftype,
                "label": data["label"],
                "description": data.get("description"),
                "icon": data.get("icon"),
                "isNullable": True if data.get("isNullable") is None else bool(data["isNullable"]),
                "isUnique": bool(data.get("isUnique") or False),
                "isSystem": False,
                "defaultValue": data.get("defaultValue"),
                "options": options,
                "settings": data.get("settings"),
            }
            if ftype == "TS_VECTOR":
                raise model_error("TS_VECTOR fields cannot be created through the API")
            if raw["isUnique"] and ftype not in UNIQUE_CAPABLE:
                raise model_error(f"{ftype} fields cannot be unique")
            fld = self._new_field(obj, raw, now)
            fld.isCustom = True
            fld.isActive = True if data.get("isActive") is None else bool(data["isActive"])
            validate_default(fld)
            if not fld.isNullable and fld.defaultValue is None and self.store.table(obj.id):
                raise model_error(
                    f"Cannot add non-nullable field {name} without a default value to an object "
                    "that has records"
                )
            if fld.isUnique:
                self._check_unique_backfill(obj, fld)
            self._attach(obj, fld)
            try:
                self._commit_model()
            except Exception:
                obj.fieldIds.remove(fld.id)
                del self._fields[fld.id]
                raise
            self._backfill(obj, fld)
            return fld

    def _check_unique_backfill(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        if fld.defaultValue is not None and len(self.store.table(obj.id)) > 1:
            raise model_error(
                f"Cannot add unique field {fld.name} with a default value: records would clash"
            )

    def _backfill(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        for rec in self.store.table(obj.id).values():
            if fld.name not in rec:
                rec[fld.name] = default_value(fld)
                self.store.touch(obj.id, rec["id"])
        self.store.commit()

    @model_transaction
    def update_field(self, id: str, update: dict[str, Any]) -> FieldMeta:
        with self.lock:
            fld = self.field(id)
            obj = self._objects[fld.objectMetadataId]
            if "type" in update and update["type"] != fld.type:
                raise model_error(
                    "A field's type cannot be changed", sub_code="INVALID_FIELD_INPUT"
                )
            allowed = {
                "name",
                "label",
                "description",
                "icon",
                "isActive",
                "isNullable",
                "isUnique",
                "defaultValue",
                "options",
                "settings",
                "isLabelSyncedWithName",
                "isUIEditable",
                "isSearchable",
                "isAuditLogged",
                "universalIdentifier",
                "objectMetadataId",
                "type",
            }
            unknown = set(update) - allowed
            if unknown:
                raise model_error(f"Cannot update field attribute(s): {', '.join(sorted(unknown))}")
            update = drop_nulls(update, NULLABLE_FIELD_ATTRS)
            if update.get("objectMetadataId") not in (None, fld.objectMetadataId):
                raise model_error("A field cannot move to another object")
            before = dataclasses.replace(fld)
            if "name" in update and update["name"] != fld.name:
                if not fld.isCustom:
                    raise model_error(
                        "Standard fields cannot be renamed", sub_code="INVALID_FIELD_INPUT"
                    )
                check_name(update["name"], "Field name")
                self._check_field_name_free(obj, update["name"], ignore=fld.id)
            if "options" in update:
                update = dict(update, options=validate_options(fld.type, update["options"]))
            old_name = fld.name
            for key, value in update.items():
                if key in ("type", "objectMetadataId"):
                    continue
                setattr(fld, key, value)
            try:
                validate_default(fld)
                if fld.type in ("SELECT", "MULTI_SELECT", "RATING") and "options" in update:
                    self._check_options_in_use(obj, fld)
                rows = self.store.table(obj.id).values()
                if (
                    not fld.isNullable
                    and before.isNullable
                    and any(r.get(fld.name) is None for r in rows)
                ):
                    raise model_error(
                        f"Field {fld.name} has null values and cannot become non-nullable"
                    )
                if fld.isUnique and not before.isUnique:
                    if fld.type not in UNIQUE_CAPABLE or fld.relationType is not None:
                        raise model_error(f"{fld.type} fields cannot be unique")
                    self._check_values_unique(obj, fld)
                fld.updatedAt = now_iso()
                self._commit_model()
            except Exception:
                self._fields[fld.id] = before
                raise
            if old_name != fld.name:
                self._rename_column(obj, fld, old_name)
            return fld

    def _check_values_unique(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        parts = [s.name for s in COMPOSITE_TYPES.get(fld.type, ()) if s.unique_part]
        seen: set[Any] = set()
        for rec in self.store.table(obj.id).values():
            if rec.get("deletedAt") is not None:
                continue
            value = rec.get(fld.name)
            if parts:
                value = (
                    tuple((value or {}).get(p) for p in parts) if isinstance(value, dict) else None
                )
                if value is not None and any(v in (None, "") for v in value):
                    value = None
            if value in (None, ""):
                continue
            key = json.dumps(value, sort_keys=True, default=str)
            if key in seen:
                raise model_error(f"Field {fld.name} has duplicate values and cannot become unique")
            seen.add(key)

    def _check_options_in_use(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        values = {o["value"] for o in fld.options or []}
        for rec in self.store.table(obj.id).values():
            v = rec.get(fld.name)
            used = v if isinstance(v, list) else [v]
            if any(x is not None and x not in values for x in used):
                raise model_error(f"Option(s) of {fld.name} removed while records still use them")

    def _rename_column(self, obj: ObjectMeta, fld: FieldMeta, old: str) -> None:
        old_key, new_key = old, fld.name
        if fld.relationType == "MANY_TO_ONE":
            old_key = str((fld.settings or {}).get("joinColumnName") or f"{old}Id")
            fld.settings = dict(fld.settings or {}, joinColumnName=f"{fld.name}Id")
            new_key = f"{fld.name}Id"
            self._commit_model()
        for rec in self.store.table(obj.id).values():
            if old_key in rec:
                rec[new_key] = rec.pop(old_key)
                self.store.touch(obj.id, rec["id"])
        self.store.commit()

    @model_transaction
    def delete_field(self, id: str) -> FieldMeta:
        with self.lock:
            fld = self.field(id)
            obj = self._objects[fld.objectMetadataId]
            if not fld.isCustom:
                raise model_error(
                    "Standard fields cannot be deleted", sub_code="INVALID_FIELD_INPUT"
                )
            if fld.isActive and fld.type not in RELATION_TYPES:
                raise model_error(
                    "Active fields cannot be deleted: deactivate it first (isActive: false)"
                )
            if obj.labelIdentifierFieldMetadataId == fld.id:
                raise model_error("The label identifier field cannot be deleted")
            obj.fieldIds.remove(fld.id)
            del self._fields[fld.id]
            if fld.type in RELATION_TYPES:
                self._drop_inverse(fld)
            key = fld.joinColumnName if fld.relationType == "MANY_TO_ONE" else fld.name
            for rec in self.store.table(obj.id).values():
                if key in rec:
                    del rec[key]
                    self.store.touch(obj.id, rec["id"])
            self._commit_model()
            return fld
