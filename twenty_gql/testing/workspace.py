"""The emulated Twenty workspace: data model + records + the core GraphQL schema built from them.

This is the boundary between the emulator's HTTP side and its core (docs/CONTRACTS.md §3)::

    ws = Workspace(seed="standard")              # or "demo" / "empty"; data_path=... persists
    ws.objects(); ws.create_object({...}); ws.create_field({...})   # metadata (twenty-api.md §4)
    ws.core_schema                               # graphql-core schema, rebuilt on every change
    result = ws.execute_core(document, variables, operation_name)   # ExecutionResult

Metadata methods take the metadata API's input shapes (``CreateObjectInput``,
``UpdateObjectPayload``, ``CreateFieldInput``, ``UpdateFieldInput``) as plain dicts and return
``ObjectMeta`` / ``FieldMeta`` dataclasses; bad input raises ``TwentyApiError`` with
``extensions.code`` ``BAD_USER_INPUT`` (validation) or ``NOT_FOUND``.

Deliberate choices where twenty-api.md leaves room (all visible in the golden SDL,
``tests/unit/emulator_core/expected/standard-core.graphql``):

* Newest variants: ``DateTimeFilter``/``UUIDFilter``, ``JSON`` for RAW_JSON sub-fields, PageInfo
  cursors ``ConnectionCursor``, edge cursors ``Cursor``, ``<rel>: <Target>OrderByInput`` and
  ``<rel>: <Target>GroupByInput`` for many-to-one relations.
* Create/update inputs also carry ``createdAt``/``updatedAt``/``deletedAt`` and the actor
  fields (Twenty's generator includes every non-relation field); TS_VECTOR is output/filter only.
* Field descriptions are printed; relation fields come after the other fields.
* Per-enum filters carry gt/gte/lt/lte for SELECT/RATING (ordered by option position).
* ``first``/``last`` above ``page_max`` are clamped (no error); the default page is
  ``page_default``; nested one-to-many connections hold at most ``relation_page_max``.
* An empty workspace serves ``type Query { _empty: Boolean }`` and no Mutation type.
* ``DateGranularityEnum`` literals and RATING options (``RATING_1``..``RATING_5``) are guesses.
* Records created through the API get ``createdBy``/``updatedBy`` ``{source: API,
  name: settings.actor_name}`` and, without a position, ``max(position) + 1``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    execute,
    parse,
    specified_rules,
    validate,
    validate_schema,
)

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    CUSTOM_APPLICATION_ID,
    ENUM_FIELD_TYPES,
    FIELD_TYPE_ALIASES,
    FIELD_TYPES,
    RELATION_TYPES,
    FieldMeta,
    IndexFieldMeta,
    IndexMeta,
    ObjectMeta,
    RelationMeta,
    capitalize,
    deterministic_id,
    is_camel_case,
)
from twenty_gql.testing.resolvers import CoreResolvers, default_value
from twenty_gql.testing.scalars import now_iso
from twenty_gql.testing.schema_builder import (
    AggregateSpec,
    CoreSchemaBuilder,
    ObjectView,
    make_views,
    nested_one_to_many,
)
from twenty_gql.testing.seeds import (
    DEMO_ORDER,
    SEEDS,
    demo_records,
    standard_fixture,
    standard_model,
)
from twenty_gql.testing.store import Store

__all__ = ["Settings", "Workspace"]

_M = TypeVar("_M", bound=Callable[..., Any])

#: Names Twenty refuses for objects and fields (reserved words of the core schema and SQL).
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
_UNIQUE_CAPABLE = frozenset(COMPOSITE_TYPES) | {
    "TEXT",
    "NUMBER",
    "UUID",
    "DATE",
    "DATE_TIME",
    "NUMERIC",
    "SELECT",
}
_ENUM_VALUE = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


@dataclass
class Settings:
    """Limits of the emulated server (twenty-api.md §3.1; all configurable).

    * ``batch_limit``: max records per createMany/upsert and per updateMany (QUERY_MAX_RECORDS).
    * ``page_default``: findMany page size when neither ``first`` nor ``last`` is given.
    * ``page_max``: ``first``/``last`` above it are clamped to it (a page of ``page_max``
      records with ``hasNextPage`` telling the client to continue); no error is raised.
    * ``relation_page_max``: cap of nested one-to-many connections
      (QUERY_MAX_RECORDS_FROM_RELATION = 60).
    * ``actor_name``: ``createdBy.name`` / ``updatedBy.name`` of records written through the API.
    * ``limit_delete_many``: also cap deleteMany/destroyMany/restoreMany at ``batch_limit``
      matched rows (UNCONFIRMED in Twenty; off by default).
    * ``destroy_requires_soft_delete``: destroy only soft-deleted records; a live one is
      "Record not found" (UNCONFIRMED in Twenty; off by default).
    * ``cursor_aware_page_info``: ``hasPreviousPage`` is also true when paging forward from an
      ``after`` cursor, ``hasNextPage`` when paging back from a ``before`` cursor (newer
      buildCursorPage, UNCONFIRMED; off by default: the strict rule of twenty-api.md §1.7).
    """

    batch_limit: int = 60
    page_default: int = 60
    page_max: int = 200
    relation_page_max: int = 60
    actor_name: str = "API Key"
    limit_delete_many: bool = False
    destroy_requires_soft_delete: bool = False
    cursor_aware_page_info: bool = False


def _err(message: str, code: str = "BAD_USER_INPUT", sub_code: str | None = None) -> TwentyApiError:
    return TwentyApiError(message, code, sub_code, message if code == "BAD_USER_INPUT" else None)


def _model_transaction(method: _M) -> _M:
    """Run a metadata change under the lock; on any error restore the data model as it was."""

    @functools.wraps(method)
    def wrapper(self: Workspace, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            snapshot = copy.deepcopy((self._objects, self._fields))
            try:
                return method(self, *args, **kwargs)
            except Exception:
                self._objects, self._fields = snapshot
                raise

    return cast(_M, wrapper)


class Workspace:
    def __init__(
        self,
        seed: str = "standard",
        *,
        data_path: str | Path | None = None,
        batch_limit: int = 60,
        page_max: int = 200,
        page_default: int = 60,
        relation_page_max: int = 60,
    ) -> None:
        if seed not in SEEDS:
            raise ValueError(f"unknown seed {seed!r}: expected one of {', '.join(SEEDS)}")
        for name, value in (
            ("batch_limit", batch_limit),
            ("page_max", page_max),
            ("page_default", page_default),
            ("relation_page_max", relation_page_max),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.settings = Settings(
            batch_limit=batch_limit,
            page_default=page_default,
            page_max=page_max,
            relation_page_max=relation_page_max,
        )
        self.seed = seed
        self.store = Store(data_path)
        self.lock: threading.RLock = self.store.lock
        self._objects: dict[str, ObjectMeta] = {}
        self._fields: dict[str, FieldMeta] = {}
        self._views: dict[str, ObjectView] = {}
        self._schema: GraphQLSchema | None = None
        self._builder: CoreSchemaBuilder | None = None
        self._documents: OrderedDict[str, tuple[DocumentNode | None, list[GraphQLError]]] = (
            OrderedDict()
        )
        self.schema_version = 0
        self._resolvers = CoreResolvers(self)
        saved = self.store.saved_model()
        if saved is not None:
            self._load_model(saved)
            self._rebuild(save=False)
        else:
            self._seed(seed)

    def _seed(self, seed: str) -> None:
        objects, fields = standard_model() if seed in ("standard", "demo") else ([], [])
        self._objects = {o.id: o for o in objects}
        self._fields = {f.id: f for f in fields}
        self._rebuild()
        if seed == "demo":
            self._load_demo()
        self.store.commit()

    def reset(self, seed: str | None = None) -> None:
        """Drop every record and custom object and reload ``seed`` (default: the seed this
        workspace was created with). Persisted too when the workspace has a ``data_path``.
        Settings are kept. Lets one long-lived emulator isolate test cases."""
        seed = self.seed if seed is None else seed
        if seed not in SEEDS:
            raise ValueError(f"unknown seed {seed!r}: expected one of {', '.join(SEEDS)}")
        with self.lock:
            for object_id in list(self.store.tables):
                self.store.drop_table(object_id)
            for object_id in self._objects:
                self.store.drop_table(object_id)
            self.seed = seed
            self._seed(seed)

    # ---- model persistence ---------------------------------------------------------------

    def _dump_model(self) -> dict[str, Any]:
        return {
            "objects": [dataclasses.asdict(o) for o in self._objects.values()],
            "fields": [dataclasses.asdict(f) for f in self._fields.values()],
        }

    def _load_model(self, saved: dict[str, Any]) -> None:
        self._objects = {o["id"]: ObjectMeta(**o) for o in saved["objects"]}
        self._fields = {f["id"]: FieldMeta(**f) for f in saved["fields"]}

    def _load_demo(self) -> None:
        records = demo_records()
        for name in DEMO_ORDER:
            view = self._views[name]
            items = records[name]
            step = self.settings.batch_limit
            for start in range(0, len(items), step):
                self._resolvers._createMany(view, items[start : start + step])

    # ---- views and schema -----------------------------------------------------------------

    def _rebuild(self, save: bool = True) -> None:
        views = make_views(self._objects, self._fields)
        builder = CoreSchemaBuilder(list(views.values()), self._resolvers)
        try:
            schema = builder.build()
            errors = _schema_errors(schema)
        except (TypeError, ValueError, GraphQLError) as exc:
            errors = [str(exc)]
        if errors:
            raise _err(f"The data model does not give a valid schema: {errors[0]}")
        self._views = views
        self._schema = schema
        self._builder = builder
        self._documents.clear()
        self.schema_version += 1
        if save:
            self.store.save_model(self._dump_model())

    @property
    def core_schema(self) -> GraphQLSchema:
        assert self._schema is not None
        return self._schema

    def view(self, object_name: str) -> ObjectView | None:
        return self._views.get(object_name)

    def aggregate_specs(self, view: ObjectView) -> dict[str, AggregateSpec]:
        assert self._builder is not None
        return self._builder.aggregates(view)

    # ---- metadata reads ----------------------------------------------------------------------

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

    def records(self, object_name: str, *, with_deleted: bool = True) -> list[dict[str, Any]]:
        """Stored records of an object (copies; for test inspection)."""
        obj = self.object_by_name(object_name)
        if obj is None:
            raise KeyError(object_name)
        rows = self.store.table(obj.id).values()
        return [copy.deepcopy(r) for r in rows if with_deleted or r.get("deletedAt") is None]

    # ---- metadata writes ---------------------------------------------------------------------

    def _check_name(self, name: Any, what: str) -> str:
        if not isinstance(name, str) or not name:
            raise _err(f"{what} is required and must be a string")
        if not is_camel_case(name):
            raise _err(f"{what} '{name}' should be in camelCase", sub_code="INVALID_NAME")
        if len(name) > 63:
            raise _err(f"{what} '{name}' exceeds 63 characters", sub_code="INVALID_NAME")
        if name in RESERVED_NAMES:
            raise _err(f"{what} '{name}' is reserved", sub_code="RESERVED_KEYWORD")
        return name

    def _check_object_names(self, singular: str, plural: str, ignore: str | None = None) -> None:
        self._check_name(singular, "nameSingular")
        self._check_name(plural, "namePlural")
        if singular == plural:
            raise _err("The singular and plural name cannot be the same for an object")
        for obj in self._objects.values():
            if obj.id == ignore:
                continue
            taken = {obj.nameSingular, obj.namePlural}
            if singular in taken or plural in taken:
                raise _err(
                    f"Object already exists with name {singular if singular in taken else plural}",
                    sub_code="OBJECT_ALREADY_EXISTS",
                )

    def _commit_model(self) -> None:
        self._rebuild()
        self.store.commit()

    @_model_transaction
    def create_object(self, input: dict[str, Any]) -> ObjectMeta:
        """``createOneObject``: a custom object with Twenty's default fields and relations."""
        with self.lock:
            data = dict(input.get("object", input)) if "object" in input else dict(input)
            singular, plural = data.get("nameSingular"), data.get("namePlural")
            self._check_object_names(singular, plural)  # type: ignore[arg-type]
            for key in ("labelSingular", "labelPlural"):
                if not isinstance(data.get(key), str) or not data[key]:
                    raise _err(f"{key} is required")
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

    @_model_transaction
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
                raise _err(f"Cannot update object attribute(s): {', '.join(sorted(unknown))}")
            update = _drop_nulls(update, _NULLABLE_OBJECT_ATTRS)
            singular = update.get("nameSingular") or obj.nameSingular
            plural = update.get("namePlural") or obj.namePlural
            if (singular, plural) != (obj.nameSingular, obj.namePlural):
                if not obj.isCustom:
                    raise _err("Cannot rename a standard object", sub_code="INVALID_OBJECT_INPUT")
                self._check_object_names(singular, plural, ignore=obj.id)
            for key in ("labelIdentifierFieldMetadataId", "imageIdentifierFieldMetadataId"):
                value = update.get(key)
                if value is not None and value not in obj.fieldIds:
                    raise _err(f"{key} {value} is not a field of {obj.nameSingular}")
            before = dataclasses.replace(obj, fieldIds=list(obj.fieldIds))
            for key, value in update.items():
                if (
                    key in ("labelSingular", "labelPlural", "nameSingular", "namePlural")
                    and not value
                ):
                    raise _err(f"{key} cannot be empty")
                setattr(obj, key, value)
            obj.updatedAt = now_iso()
            try:
                self._commit_model()
            except Exception:
                self._objects[obj.id] = before
                raise
            return obj

    @_model_transaction
    def delete_object(self, id: str) -> ObjectMeta:
        with self.lock:
            obj = self.object(id)
            if not obj.isCustom:
                raise _err("Standard objects cannot be deleted", sub_code="INVALID_OBJECT_INPUT")
            for fid in list(obj.fieldIds):
                fld = self._fields.get(fid)
                if fld is not None and fld.type in RELATION_TYPES:
                    self._drop_inverse(fld)
                self._fields.pop(fid, None)
            del self._objects[obj.id]
            self.store.drop_table(obj.id)
            self._commit_model()
            return obj

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

    def _validate_options(self, ftype: str, options: Any) -> list[dict[str, Any]] | None:
        if ftype not in ENUM_FIELD_TYPES:
            return options if options is not None else None
        if options is None and ftype == "RATING":
            return [
                {"value": f"RATING_{i}", "label": str(i), "position": i - 1} for i in range(1, 6)
            ]
        if not isinstance(options, list) or not options:
            raise _err(f"Options are required for {ftype} fields")
        seen = set()
        out = []
        for i, opt in enumerate(options):
            if not isinstance(opt, dict) or not isinstance(opt.get("value"), str):
                raise _err(f"Option {i} must be an object with a string value")
            value = opt["value"]
            if not _ENUM_VALUE.match(value):
                raise _err(f"Option value '{value}' must match /^[_A-Za-z][_0-9A-Za-z]*$/")
            if value in seen:
                raise _err(f"Duplicate option value '{value}'")
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

    def _validate_default(self, fld: FieldMeta) -> None:
        dv = fld.defaultValue
        if dv is None:
            return
        if fld.type in ("SELECT", "RATING"):
            values = {o["value"] for o in fld.options or []}
            if str(dv).strip("'") not in values:
                raise _err(f"Default value {dv!r} of {fld.name} is not one of its options")
        elif fld.type == "MULTI_SELECT":
            values = {o["value"] for o in fld.options or []}
            if not isinstance(dv, list) or any(str(v).strip("'") not in values for v in dv):
                raise _err(f"Default value {dv!r} of {fld.name} is not a list of its options")
        elif fld.type == "BOOLEAN" and not isinstance(dv, bool):
            raise _err(f"Default value of BOOLEAN field {fld.name} must be a boolean")
        elif fld.type in ("NUMBER", "NUMERIC") and (
            isinstance(dv, bool) or not isinstance(dv, (int, float))
        ):
            raise _err(f"Default value of {fld.type} field {fld.name} must be a number")

    @_model_transaction
    def create_field(self, input: dict[str, Any]) -> FieldMeta:
        """``createOneField``; RELATION fields need ``relationCreationPayload`` (both sides made)."""
        with self.lock:
            data = dict(input.get("field", input)) if "field" in input else dict(input)
            obj = self.object(str(data.get("objectMetadataId")))
            name = self._check_name(data.get("name"), "Field name")
            ftype = FIELD_TYPE_ALIASES.get(str(data.get("type")), str(data.get("type")))
            if ftype not in FIELD_TYPES:
                raise _err(
                    f"Unknown field type {data.get('type')!r}", sub_code="INVALID_FIELD_INPUT"
                )
            if not isinstance(data.get("label"), str) or not data["label"]:
                raise _err("label is required")
            self._check_field_name_free(obj, name)
            now = now_iso()
            if ftype in RELATION_TYPES:
                return self._create_relation_field(obj, data, name, ftype, now)
            options = self._validate_options(ftype, data.get("options"))
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
                raise _err("TS_VECTOR fields cannot be created through the API")
            if raw["isUnique"] and ftype not in _UNIQUE_CAPABLE:
                raise _err(f"{ftype} fields cannot be unique")
            fld = self._new_field(obj, raw, now)
            fld.isCustom = True
            fld.isActive = True if data.get("isActive") is None else bool(data["isActive"])
            self._validate_default(fld)
            if not fld.isNullable and fld.defaultValue is None and self.store.table(obj.id):
                raise _err(
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
            raise _err(
                f"Cannot add unique field {fld.name} with a default value: records would clash"
            )

    def _backfill(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        for rec in self.store.table(obj.id).values():
            if fld.name not in rec:
                rec[fld.name] = default_value(fld)
                self.store.touch(obj.id, rec["id"])
        self.store.commit()

    def _check_field_name_free(self, obj: ObjectMeta, name: str, ignore: str | None = None) -> None:
        for fid in obj.fieldIds:
            other = self._fields.get(fid)
            if other is None or other.id == ignore:
                continue
            taken = {other.name}
            if other.relationType == "MANY_TO_ONE":
                taken.add(other.joinColumnName or f"{other.name}Id")
            if name in taken:
                raise _err(
                    f"Name '{name}' is not available: {obj.nameSingular} already has a field with it",
                    sub_code="NOT_AVAILABLE",
                )

    def _relation_target(
        self, obj: ObjectMeta, name: str, payload: Any, what: str
    ) -> tuple[str, ObjectMeta, str, str]:
        """Validate one relation payload: (type, target object, target field name, label)."""
        if not isinstance(payload, dict):
            raise _err(f"{what} is required for relation fields and must be an object")
        rel_type = payload.get("type")
        if rel_type not in ("MANY_TO_ONE", "ONE_TO_MANY"):
            raise _err(f"{what}.type must be MANY_TO_ONE or ONE_TO_MANY, got {rel_type!r}")
        target = self._objects.get(str(payload.get("targetObjectMetadataId")))
        if target is None:
            raise _err(
                f"{what}.targetObjectMetadataId {payload.get('targetObjectMetadataId')!r} "
                "is not an object"
            )
        target_label = payload.get("targetFieldLabel")
        if not isinstance(target_label, str) or not target_label:
            raise _err(f"{what}.targetFieldLabel is required")
        target_name = payload.get("targetFieldName") or _camel_from_label(target_label)
        self._check_name(target_name, f"{what}.targetFieldName")
        if target.id == obj.id and target_name == name:
            raise _err("A relation cannot use the same name on both sides")
        self._check_field_name_free(target, target_name)
        if rel_type == "MANY_TO_ONE":
            self._check_field_name_free(obj, f"{name}Id")
        else:
            self._check_field_name_free(target, f"{target_name}Id")
        return str(rel_type), target, str(target_name), target_label

    def _create_relation_field(
        self, obj: ObjectMeta, data: dict[str, Any], name: str, ftype: str, now: str
    ) -> FieldMeta:
        """RELATION (``relationCreationPayload``) or MORPH_RELATION
        (``morphRelationsCreationPayload``: one field ``<name><Target>`` per target, one morphId).
        Returns the (first) field created on ``obj``; every inverse field is created too."""

        if ftype == "MORPH_RELATION":
            payloads = data.get("morphRelationsCreationPayload")
            if not isinstance(payloads, list) or not payloads:
                raise _err("morphRelationsCreationPayload is required for MORPH_RELATION fields")
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
                raise _err(f"{what} names the same target twice")
            names_here.add(field_name)
            plans.append((rel_type, target, target_name, target_label, field_name, payload))
        if morph_id and len({p[0] for p in plans}) != 1:
            raise _err("All morph relations of one field must have the same type")
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

    @_model_transaction
    def update_field(self, id: str, update: dict[str, Any]) -> FieldMeta:
        with self.lock:
            fld = self.field(id)
            obj = self._objects[fld.objectMetadataId]
            if "type" in update and update["type"] != fld.type:
                raise _err("A field's type cannot be changed", sub_code="INVALID_FIELD_INPUT")
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
                raise _err(f"Cannot update field attribute(s): {', '.join(sorted(unknown))}")
            update = _drop_nulls(update, _NULLABLE_FIELD_ATTRS)
            if update.get("objectMetadataId") not in (None, fld.objectMetadataId):
                raise _err("A field cannot move to another object")
            before = dataclasses.replace(fld)
            if "name" in update and update["name"] != fld.name:
                if not fld.isCustom:
                    raise _err("Standard fields cannot be renamed", sub_code="INVALID_FIELD_INPUT")
                self._check_name(update["name"], "Field name")
                self._check_field_name_free(obj, update["name"], ignore=fld.id)
            if "options" in update:
                update = dict(update, options=self._validate_options(fld.type, update["options"]))
            old_name = fld.name
            for key, value in update.items():
                if key in ("type", "objectMetadataId"):
                    continue
                setattr(fld, key, value)
            try:
                self._validate_default(fld)
                if fld.type in ("SELECT", "MULTI_SELECT", "RATING") and "options" in update:
                    self._check_options_in_use(obj, fld)
                rows = self.store.table(obj.id).values()
                if (
                    not fld.isNullable
                    and before.isNullable
                    and any(r.get(fld.name) is None for r in rows)
                ):
                    raise _err(f"Field {fld.name} has null values and cannot become non-nullable")
                if fld.isUnique and not before.isUnique:
                    if fld.type not in _UNIQUE_CAPABLE or fld.relationType is not None:
                        raise _err(f"{fld.type} fields cannot be unique")
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
                raise _err(f"Field {fld.name} has duplicate values and cannot become unique")
            seen.add(key)

    def _check_options_in_use(self, obj: ObjectMeta, fld: FieldMeta) -> None:
        values = {o["value"] for o in fld.options or []}
        for rec in self.store.table(obj.id).values():
            v = rec.get(fld.name)
            used = v if isinstance(v, list) else [v]
            if any(x is not None and x not in values for x in used):
                raise _err(f"Option(s) of {fld.name} removed while records still use them")

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

    @_model_transaction
    def delete_field(self, id: str) -> FieldMeta:
        with self.lock:
            fld = self.field(id)
            obj = self._objects[fld.objectMetadataId]
            if not fld.isCustom:
                raise _err("Standard fields cannot be deleted", sub_code="INVALID_FIELD_INPUT")
            if fld.isActive and fld.type not in RELATION_TYPES:
                raise _err("Active fields cannot be deleted: deactivate it first (isActive: false)")
            if obj.labelIdentifierFieldMetadataId == fld.id:
                raise _err("The label identifier field cannot be deleted")
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

    # ---- record side effects (used by resolvers) ----------------------------------------------

    def on_records_destroyed(self, view: ObjectView, ids: set[str]) -> None:
        """Apply ``onDelete`` of relations pointing at destroyed records (SET_NULL / CASCADE)."""
        for other in self._views.values():
            for join, fld in other.join_columns.items():
                if other.targets.get(fld.name) is not view.obj:
                    continue
                on_delete = (fld.settings or {}).get("onDelete", "SET_NULL")
                table = self.store.table(other.obj.id)
                for rec in list(table.values()):
                    if rec.get(join) in ids:
                        if on_delete == "CASCADE":
                            self.store.remove(other.obj.id, rec["id"])
                        else:
                            table[rec["id"]] = dict(rec, **{join: None})
                            self.store.touch(other.obj.id, rec["id"])

    def reassign_relations(self, view: ObjectView, from_ids: list[str], to_id: str) -> None:
        """Point many-to-one references at ``to_id`` (used by mergeMany)."""
        sources = set(from_ids)
        for other in self._views.values():
            for join, fld in other.join_columns.items():
                if other.targets.get(fld.name) is not view.obj:
                    continue
                table = self.store.table(other.obj.id)
                for rec in list(table.values()):
                    if rec.get(join) in sources:
                        table[rec["id"]] = dict(rec, **{join: to_id})
                        self.store.touch(other.obj.id, rec["id"])

    # ---- execution --------------------------------------------------------------------------

    def _prepare(self, document: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        cached = self._documents.get(document)
        if cached is not None:
            self._documents.move_to_end(document)
            return cached
        try:
            ast = parse(document)
        except (GraphQLError, RecursionError) as exc:
            error = exc if isinstance(exc, GraphQLError) else GraphQLError("Document is too deep")
            result: tuple[DocumentNode | None, list[GraphQLError]] = (
                None,
                [_with_code(error, "GRAPHQL_PARSE_FAILED")],
            )
        else:
            try:
                found = validate(self.core_schema, ast, specified_rules)
            except RecursionError:
                found = [GraphQLError("Document is too deep to validate")]
            errors = [_with_code(e, "GRAPHQL_VALIDATION_FAILED") for e in found]
            if not errors and self._builder is not None:
                nested = nested_one_to_many(self.core_schema, ast, self._builder.one_to_many)
                if nested is not None:
                    errors.append(
                        TwentyApiError(
                            "Query complexity is too high. One-to-Many relation cannot be nested "
                            f"in another One-to-Many relation ({nested}).",
                            "BAD_USER_INPUT",
                            "TOO_COMPLEX_QUERY",
                        )
                    )
            result = (ast, errors)
        self._documents[document] = result
        if len(self._documents) > 512:
            self._documents.popitem(last=False)
        return result

    def root_fields(self, document: str, operation_name: str | None = None) -> list[str] | None:
        """Root field names (not aliases, repeats kept, fragments inlined) of the operation a
        request would run, from the cached parse; None when the document does not parse or the
        operation cannot be chosen. For the HTTP side's rate limiting and document limits."""
        with self.lock:
            ast, _errors = self._prepare(document)
        if ast is None:
            return None
        operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1:
            return None
        fragments = {
            d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)
        }
        names: list[str] = []
        seen_fragments: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for sel in selection_set.selections:
                if isinstance(sel, FieldNode):
                    if not sel.name.value.startswith("__"):
                        names.append(sel.name.value)
                elif isinstance(sel, InlineFragmentNode):
                    walk(sel.selection_set)
                elif isinstance(sel, FragmentSpreadNode):
                    frag = fragments.get(sel.name.value)
                    if frag is not None and sel.name.value not in seen_fragments:
                        seen_fragments.add(sel.name.value)
                        walk(frag.selection_set)

        walk(operations[0].selection_set)
        return names

    def execute_core(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> ExecutionResult:
        """Run one core-API request. Errors carry Twenty's ``extensions`` (code, subCode, ...)."""
        raw_document: object = document
        raw_variables: object = variables
        if not isinstance(raw_document, str):
            return ExecutionResult(
                None, [_with_code(GraphQLError("Must provide query string."), "BAD_USER_INPUT")]
            )
        if raw_variables is not None and not isinstance(raw_variables, dict):
            return ExecutionResult(
                None,
                [
                    _with_code(
                        GraphQLError("Variables must be provided as an Object"), "BAD_USER_INPUT"
                    )
                ],
            )
        operation_name = operation_name or None  # JSON bodies often send ""
        with self.lock:
            ast, errors = self._prepare(document)
            if ast is None or errors:
                return ExecutionResult(None, list(errors))
            try:
                result = execute(
                    self.core_schema,
                    ast,
                    variable_values=variables,
                    operation_name=operation_name,
                )
            except Exception as exc:  # graphql-core itself failed: never crash the server
                result = ExecutionResult(
                    None,
                    [_with_code(GraphQLError(f"Internal error: {exc}"), "INTERNAL_SERVER_ERROR")],
                )
            finally:
                self.store.commit()
            assert isinstance(result, ExecutionResult)
            if result.errors:
                result = ExecutionResult(result.data, [_twenty_error(e) for e in result.errors])
            return result

    def close(self) -> None:
        self.store.close()


_NULLABLE_OBJECT_ATTRS = frozenset(
    {
        "description",
        "icon",
        "shortcut",
        "color",
        "labelIdentifierFieldMetadataId",
        "imageIdentifierFieldMetadataId",
    }
)
_NULLABLE_FIELD_ATTRS = frozenset({"description", "icon", "defaultValue", "options", "settings"})


def _drop_nulls(update: dict[str, Any], nullable: frozenset[str]) -> dict[str, Any]:
    """GraphQL clients send ``null`` for attributes they do not change: ignore those, except
    where null is a real value (description, defaultValue, ...)."""
    return {k: v for k, v in update.items() if v is not None or k in nullable}


def _camel_from_label(label: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", label)
    if not words:
        return ""
    first = str(words[0])
    return first[:1].lower() + first[1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _with_code(error: GraphQLError, code: str) -> GraphQLError:
    ext = dict(error.extensions or {})
    ext.setdefault("code", code)
    ext.setdefault("userFriendlyMessage", "An error occurred.")
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=ext,
    )


def _twenty_error(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    if isinstance(original, TwentyApiError):
        return _with_code(
            GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                original_error=original,
                extensions=dict(original.extensions or {}),
            ),
            original.code,
        )
    if original is not None and not isinstance(original, GraphQLError):
        return _with_code(error, "INTERNAL_SERVER_ERROR")
    # variable coercion / operation selection errors
    return _with_code(error, "BAD_USER_INPUT")


def _schema_errors(schema: GraphQLSchema) -> list[str]:
    return [e.message for e in validate_schema(schema)]
