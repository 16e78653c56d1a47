"""The workspace's data model: objects and fields (twenty-api.md §4), their reads and the
relation bookkeeping shared by every metadata write.

``DataModel`` owns the ``ObjectMeta`` / ``FieldMeta`` maps. Every write runs under
``model_transaction`` (the store's lock; on any error the maps are restored) and ends with
``_commit_model``, which calls ``on_change`` (the workspace rebuilds the core schema there and
refuses a model that does not give a valid one) and commits the store. Record columns follow
the model (a dropped relation drops its join column).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    FIELD_TYPE_ALIASES,
    RELATION_TYPES,
    FieldMeta,
    IndexFieldMeta,
    IndexMeta,
    ObjectMeta,
    RelationMeta,
    capitalize,
    deterministic_id,
)
from twenty_gql.testing.store import Store
from twenty_gql.testing.validation import camel_from_label, check_name, model_error

__all__ = ["DataModel", "model_transaction"]

_M = TypeVar("_M", bound=Callable[..., Any])


def model_transaction(method: _M) -> _M:
    """Run a metadata change under the lock; on any error restore the data model as it was."""

    @functools.wraps(method)
    def wrapper(self: DataModel, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            snapshot = copy.deepcopy((self._objects, self._fields))
            try:
                return method(self, *args, **kwargs)
            except Exception:
                self._objects, self._fields = snapshot
                raise

    return cast(_M, wrapper)


class DataModel:
    def __init__(self, store: Store, on_change: Callable[[], None]) -> None:
        self.store = store
        self.lock: threading.RLock = store.lock
        self._on_change = on_change
        self._objects: dict[str, ObjectMeta] = {}
        self._fields: dict[str, FieldMeta] = {}

    # ---- state ----------------------------------------------------------------------------

    @property
    def object_map(self) -> dict[str, ObjectMeta]:
        return self._objects

    @property
    def field_map(self) -> dict[str, FieldMeta]:
        return self._fields

    def replace(self, objects: list[ObjectMeta], fields: list[FieldMeta]) -> None:
        self._objects = {o.id: o for o in objects}
        self._fields = {f.id: f for f in fields}

    def dump(self) -> dict[str, Any]:
        return {
            "objects": [dataclasses.asdict(o) for o in self._objects.values()],
            "fields": [dataclasses.asdict(f) for f in self._fields.values()],
        }

    def load(self, saved: dict[str, Any]) -> None:
        self._objects = {o["id"]: ObjectMeta(**o) for o in saved["objects"]}
        self._fields = {f["id"]: FieldMeta(**f) for f in saved["fields"]}

    def _commit_model(self) -> None:
        self._on_change()
        self.store.commit()

    # ---- reads ------------------------------------------------------------------------------

    def objects(self) -> list[ObjectMeta]:
        return list(self._objects.values())

    def object(self, id: str) -> ObjectMeta:
        obj = self._objects.get(str(id))
        if obj is None:
            raise TwentyApiError(
                f"Unable to find ObjectMetadataEntity with id: {id}",
                "NOT_FOUND",
                "OBJECT_METADATA_NOT_FOUND",
            )
        return obj

    def object_by_name(self, name_singular: str) -> ObjectMeta | None:
        for obj in self._objects.values():
            if obj.nameSingular == name_singular:
                return obj
        return None

    def fields(self, object_id: str | None = None) -> list[FieldMeta]:
        if object_id is None:
            return list(self._fields.values())
        obj = self.object(object_id)
        return [self._fields[f] for f in obj.fieldIds if f in self._fields]

    def field(self, id: str) -> FieldMeta:
        fld = self._fields.get(str(id))
        if fld is None:
            raise TwentyApiError(
                f"Unable to find FieldMetadataEntity with id: {id}",
                "NOT_FOUND",
                "FIELD_METADATA_NOT_FOUND",
            )
        return fld

    def field_or_none(self, id: str) -> FieldMeta | None:
        return self._fields.get(id)

    def relation(self, field_id: str) -> RelationMeta | None:
        """The metadata API's ``Field.relation`` for a RELATION/MORPH_RELATION field."""
        fld = self.field(field_id)
        if fld.type not in RELATION_TYPES or fld.relationType is None:
            return None
        target_obj = self._objects.get(fld.relationTargetObjectMetadataId or "")
        target_fld = self._fields.get(fld.relationTargetFieldMetadataId or "")
        if target_obj is None or target_fld is None:
            return None
        return RelationMeta(
            type=fld.relationType,
            sourceObjectMetadata=self._objects[fld.objectMetadataId],
            targetObjectMetadata=target_obj,
            sourceFieldMetadata=fld,
            targetFieldMetadata=target_fld,
        )

    def morph_relations(self, field_id: str) -> list[RelationMeta]:
        """``Field.morphRelations``: one relation per field sharing this field's morphId."""
        fld = self.field(field_id)
        if fld.type != "MORPH_RELATION" or not fld.morphId:
            return []
        out = []
        for other_id in self._objects[fld.objectMetadataId].fieldIds:
            other = self._fields.get(other_id)
            if other is not None and other.morphId == fld.morphId:
                rel = self.relation(other.id)
                if rel is not None:
                    out.append(rel)
        return out

    # ---- the /metadata view: one MORPH_RELATION field per morphId ---------------------------

    def metadata_view(self, fld: FieldMeta) -> FieldMeta:
        """How /metadata shows ``fld``. The per-target fields of a morph relation (``targetCompany``,
        ``targetPerson``, ... sharing a ``morphId``; what the core schema exposes) are ONE field
        there: named without the target suffix (``target``), with the first member's id and
        settings, ``relation`` null and the targets in ``morphRelations`` (twenty-api.md §12;
        the id and settings choice is inferred)."""
        if fld.type != "MORPH_RELATION" or not fld.morphId:
            return fld
        first = next(iter(self._morph_members(fld)), fld)
        target = self._objects.get(first.relationTargetObjectMetadataId or "")
        suffix = ""
        if target is not None:
            plural = first.relationType == "ONE_TO_MANY"
            suffix = capitalize(target.namePlural if plural else target.nameSingular)
        name = first.name[: -len(suffix)] if suffix and first.name.endswith(suffix) else first.name
        return dataclasses.replace(
            first,
            name=name or first.name,
            relationTargetObjectMetadataId=None,
            relationTargetFieldMetadataId=None,
        )

    def _morph_members(self, fld: FieldMeta) -> list[FieldMeta]:
        owner = self._objects.get(fld.objectMetadataId)
        ids = owner.fieldIds if owner is not None else []
        members = [self._fields[f] for f in ids if f in self._fields]
        return [m for m in members if m.morphId == fld.morphId and m.type == "MORPH_RELATION"]

    def metadata_fields(self, object_id: str | None = None) -> list[FieldMeta]:
        out: list[FieldMeta] = []
        seen: set[tuple[str, str]] = set()
        for fld in self.fields(object_id):
            if fld.type == "MORPH_RELATION" and fld.morphId:
                key = (fld.objectMetadataId, fld.morphId)
                if key in seen:
                    continue
                seen.add(key)
            out.append(self.metadata_view(fld))
        return out

    def metadata_field(self, id: str) -> FieldMeta:
        return self.metadata_view(self.field(id))

    def metadata_relation(self, field_id: str) -> RelationMeta | None:
        """``Field.relation``: null for a morph relation; the other end shown as /metadata does."""
        if self.field(field_id).type == "MORPH_RELATION":
            return None
        rel = self.relation(field_id)
        if rel is None:
            return None
        return dataclasses.replace(
            rel, targetFieldMetadata=self.metadata_view(rel.targetFieldMetadata)
        )

    def metadata_morph_relations(self, field_id: str) -> list[RelationMeta]:
        """``Field.morphRelations``: one relation per target of the morph field."""
        fld = self.field(field_id)
        view = self.metadata_view(fld)
        return [
            dataclasses.replace(rel, sourceFieldMetadata=view)
            for rel in self.morph_relations(field_id)
        ]

    def indexes(self, object_id: str) -> list[IndexMeta]:
        """``Object.indexMetadataList``: a unique index per unique field (composite fields index
        their unique-constraint sub-fields), plus the GIN index of the search vector."""
        obj = self.object(object_id)
        out: list[IndexMeta] = []
        for fld in self.fields(obj.id):
            if fld.name == "id" or not (fld.isUnique or fld.type == "TS_VECTOR"):
                continue
            if fld.type == "TS_VECTOR":
                subs: list[str | None] = [None]
            elif fld.type in COMPOSITE_TYPES:
                subs = [s.name for s in COMPOSITE_TYPES[fld.type] if s.unique_part]
            else:
                subs = [None]
            index_id = deterministic_id("index", fld.id)
            parts = tuple(
                IndexFieldMeta(
                    id=deterministic_id("index-field", fld.id, str(sub)),
                    fieldMetadataId=fld.id,
                    order=float(i),
                    subFieldName=sub,
                    createdAt=fld.createdAt,
                    updatedAt=fld.updatedAt,
                )
                for i, sub in enumerate(subs)
            )
            unique = fld.type != "TS_VECTOR"
            out.append(
                IndexMeta(
                    id=index_id,
                    name=f"IDX_{'UNIQUE_' if unique else ''}{index_id.replace('-', '')[:24].upper()}",
                    isCustom=fld.isCustom,
                    isUnique=unique,
                    indexWhereClause='"deletedAt" IS NULL' if unique else None,
                    indexType="BTREE" if unique else "GIN",
                    createdAt=fld.createdAt,
                    updatedAt=fld.updatedAt,
                    indexFieldMetadataList=parts,
                )
            )
        return out

    # ---- shared by the writes ----------------------------------------------------------------

    def _check_object_names(self, singular: str, plural: str, ignore: str | None = None) -> None:
        check_name(singular, "nameSingular")
        check_name(plural, "namePlural")
        if singular == plural:
            raise model_error("The singular and plural name cannot be the same for an object")
        for obj in self._objects.values():
            if obj.id == ignore:
                continue
            taken = {obj.nameSingular, obj.namePlural}
            if singular in taken or plural in taken:
                raise model_error(
                    f"Object already exists with name {singular if singular in taken else plural}",
                    sub_code="OBJECT_ALREADY_EXISTS",
                )

    def _new_field(self, obj: ObjectMeta, raw: dict[str, Any], now: str) -> FieldMeta:

        fid = str(uuid.uuid4())
        return FieldMeta(
            id=fid,
            universalIdentifier=fid,
            objectMetadataId=obj.id,
            type=FIELD_TYPE_ALIASES.get(raw["type"], raw["type"]),
            name=raw["name"],
            label=raw.get("label") or raw["name"],
            description=raw.get("description"),
            icon=raw.get("icon"),
            isSystem=bool(raw.get("isSystem", False)),
            isUIEditable=bool(raw.get("isUIEditable", True)),
            isNullable=bool(raw.get("isNullable", True)),
            isUnique=bool(raw.get("isUnique", False)),
            isCustom=obj.isCustom and not raw.get("isSystem", False),
            defaultValue=copy.deepcopy(raw.get("defaultValue")),
            options=copy.deepcopy(raw.get("options")),
            settings=copy.deepcopy(raw.get("settings")),
            applicationId=obj.applicationId,
            createdAt=now,
            updatedAt=now,
        )

    def _attach(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        self._fields[fld.id] = fld
        obj.fieldIds.append(fld.id)

    def _check_field_name_free(self, obj: ObjectMeta, name: str, ignore: str | None = None) -> None:
        for fid in obj.fieldIds:
            other = self._fields.get(fid)
            if other is None or other.id == ignore:
                continue
            taken = {other.name}
            if other.relationType == "MANY_TO_ONE":
                taken.add(other.joinColumnName or f"{other.name}Id")
            if name in taken:
                raise model_error(
                    f"Name '{name}' is not available: {obj.nameSingular} already has a field with it",
                    sub_code="NOT_AVAILABLE",
                )

    def _relation_target(
        self, obj: ObjectMeta, name: str, payload: Any, what: str
    ) -> tuple[str, ObjectMeta, str, str]:
        """Validate one relation payload: (type, target object, target field name, label)."""
        if not isinstance(payload, dict):
            raise model_error(f"{what} is required for relation fields and must be an object")
        rel_type = payload.get("type")
        if rel_type not in ("MANY_TO_ONE", "ONE_TO_MANY"):
            raise model_error(f"{what}.type must be MANY_TO_ONE or ONE_TO_MANY, got {rel_type!r}")
        target = self._objects.get(str(payload.get("targetObjectMetadataId")))
        if target is None:
            raise model_error(
                f"{what}.targetObjectMetadataId {payload.get('targetObjectMetadataId')!r} "
                "is not an object"
            )
        target_label = payload.get("targetFieldLabel")
        if not isinstance(target_label, str) or not target_label:
            raise model_error(f"{what}.targetFieldLabel is required")
        target_name = payload.get("targetFieldName") or camel_from_label(target_label)
        check_name(target_name, f"{what}.targetFieldName")
        if target.id == obj.id and target_name == name:
            raise model_error("A relation cannot use the same name on both sides")
        self._check_field_name_free(target, target_name)
        if rel_type == "MANY_TO_ONE":
            self._check_field_name_free(obj, f"{name}Id")
        else:
            self._check_field_name_free(target, f"{target_name}Id")
        return str(rel_type), target, str(target_name), target_label

    def _create_relation_pair(
        self,
        obj: ObjectMeta,
        *,
        name: str,
        label: str,
        icon: str | None,
        rel_type: str,
        target: ObjectMeta,
        target_name: str,
        target_label: str,
        target_icon: str | None,
        morph_id: str | None,
        now: str,
        system: bool = False,
        morph_on_source: bool = False,
        description: str | None = None,
        nullable: bool = True,
    ) -> FieldMeta:
        inverse_type = "MANY_TO_ONE" if rel_type == "ONE_TO_MANY" else "ONE_TO_MANY"

        def settings(kind: str, fname: str) -> dict[str, Any]:
            if kind == "MANY_TO_ONE":
                return {
                    "relationType": kind,
                    "onDelete": "SET_NULL",
                    "joinColumnName": f"{fname}Id",
                }
            return {"relationType": kind}

        src = self._new_field(
            obj,
            {
                "name": name,
                "type": "MORPH_RELATION" if morph_id and morph_on_source else "RELATION",
                "label": label,
                "icon": icon,
                "isSystem": system,
                "isNullable": nullable,
                "description": description,
                "settings": settings(rel_type, name),
            },
            now,
        )
        dst = self._new_field(
            target,
            {
                "name": target_name,
                "type": "MORPH_RELATION" if morph_id and not morph_on_source else "RELATION",
                "label": target_label,
                "icon": target_icon,
                "isSystem": system,
                "settings": settings(inverse_type, target_name),
            },
            now,
        )
        if morph_on_source:
            src.morphId = morph_id
        else:
            dst.morphId = morph_id
        src.relationTargetObjectMetadataId = target.id
        src.relationTargetFieldMetadataId = dst.id
        dst.relationTargetObjectMetadataId = obj.id
        dst.relationTargetFieldMetadataId = src.id
        self._attach(obj, src)
        self._attach(target, dst)
        return src

    def _create_relation_field(
        self, obj: ObjectMeta, data: dict[str, Any], name: str, ftype: str, now: str
    ) -> FieldMeta:
        """RELATION (``relationCreationPayload``) or MORPH_RELATION
        (``morphRelationsCreationPayload``: one field ``<name><Target>`` per target, one morphId).
        Returns the (first) field created on ``obj``; every inverse field is created too."""

        if ftype == "MORPH_RELATION":
            payloads = data.get("morphRelationsCreationPayload")
            if not isinstance(payloads, list) or not payloads:
                raise model_error(
                    "morphRelationsCreationPayload is required for MORPH_RELATION fields"
                )
            morph_id: str | None = str(uuid.uuid4())
        else:
            payloads = [data.get("relationCreationPayload")]
            morph_id = None
        what = "morphRelationsCreationPayload" if morph_id else "relationCreationPayload"
        plans = []
        names_here: set[str] = set()
        for payload in payloads:
            rel_type, target, target_name, target_label = self._relation_target(
                obj, name, payload, what
            )
            if morph_id:
                suffix = target.nameSingular if rel_type == "MANY_TO_ONE" else target.namePlural
                field_name = name + capitalize(suffix)
                self._check_field_name_free(obj, field_name)
                if rel_type == "MANY_TO_ONE":
                    self._check_field_name_free(obj, f"{field_name}Id")
            else:
                field_name = name
            if field_name in names_here:
                raise model_error(f"{what} names the same target twice")
            names_here.add(field_name)
            plans.append((rel_type, target, target_name, target_label, field_name, payload))
        if morph_id and len({p[0] for p in plans}) != 1:
            raise model_error("All morph relations of one field must have the same type")
        created: list[FieldMeta] = []
        for rel_type, target, target_name, target_label, field_name, payload in plans:
            fld = self._create_relation_pair(
                obj,
                name=field_name,
                label=data["label"],
                icon=data.get("icon"),
                rel_type=rel_type,
                target=target,
                target_name=target_name,
                target_label=target_label,
                target_icon=payload.get("targetFieldIcon"),
                morph_id=morph_id,
                morph_on_source=True,
                now=now,
                description=data.get("description"),
            )
            fld.isCustom = True
            self._fields[fld.relationTargetFieldMetadataId or ""].isCustom = True
            created.append(fld)
        try:
            self._commit_model()
        except Exception:
            for fld in created:
                inverse = self._fields.pop(fld.relationTargetFieldMetadataId or "")
                self._objects[inverse.objectMetadataId].fieldIds.remove(inverse.id)
                obj.fieldIds.remove(fld.id)
                del self._fields[fld.id]
            raise
        return created[0]

    def _drop_inverse(self, fld: FieldMeta) -> None:
        inverse = self._fields.pop(fld.relationTargetFieldMetadataId or "", None)
        if inverse is None:
            return
        owner = self._objects.get(inverse.objectMetadataId)
        if owner is not None and inverse.id in owner.fieldIds:
            owner.fieldIds.remove(inverse.id)
            if inverse.relationType == "MANY_TO_ONE":
                join = inverse.joinColumnName or f"{inverse.name}Id"
                for rec in self.store.table(owner.id).values():
                    if join in rec:
                        del rec[join]
                        self.store.touch(owner.id, rec["id"])
