"""The emulated Twenty workspace: data model + records + the core GraphQL schema built from them.

The workspace composes the parts (see docs/ARCHITECTURE.md): ``ModelEditor`` (data model and
its validation), ``Store`` (persistence), ``side_effects`` (what record writes do to related
records), ``CoreResolvers`` (record reads and writes) and ``CoreExecutor`` (document execution).

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
import threading
from pathlib import Path
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, validate_schema

from twenty_gql.testing import side_effects
from twenty_gql.testing.execution import CoreExecutor
from twenty_gql.testing.model import FieldMeta, IndexMeta, ObjectMeta, RelationMeta
from twenty_gql.testing.model_editor import ModelEditor
from twenty_gql.testing.resolvers import CoreResolvers
from twenty_gql.testing.roles import ADMIN, Role
from twenty_gql.testing.schema_builder import CoreSchemaBuilder
from twenty_gql.testing.seeds import DEMO_ORDER, SEEDS, demo_records, standard_model
from twenty_gql.testing.settings import Settings
from twenty_gql.testing.store import Store
from twenty_gql.testing.validation import model_error
from twenty_gql.testing.views import AggregateSpec, ObjectView, make_views

__all__ = ["Settings", "Workspace"]


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
        self.model = ModelEditor(self.store, on_change=lambda: self._rebuild())
        self.executor = CoreExecutor(self.store)
        self._views: dict[str, ObjectView] = {}
        self._schema: GraphQLSchema | None = None
        self._builder: CoreSchemaBuilder | None = None
        self.schema_version = 0
        self._resolvers = CoreResolvers(self)
        saved = self.store.saved_model()
        if saved is not None:
            self.model.load(saved)
            self._rebuild(save=False)
        else:
            self._seed(seed)

    def _seed(self, seed: str) -> None:
        objects, fields = standard_model() if seed in ("standard", "demo") else ([], [])
        self.model.replace(objects, fields)
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
            for object_id in self.model.object_map:
                self.store.drop_table(object_id)
            self.seed = seed
            self._seed(seed)

    def _load_demo(self) -> None:
        records = demo_records()
        for name in DEMO_ORDER:
            view = self._views[name]
            items = records[name]
            step = self.settings.batch_limit
            for start in range(0, len(items), step):
                self._resolvers.create_many(view, items[start : start + step])

    # ---- views and schema -----------------------------------------------------------------

    def _rebuild(self, save: bool = True) -> None:
        views = make_views(self.model.object_map, self.model.field_map)
        builder = CoreSchemaBuilder(list(views.values()), self._resolvers)
        try:
            schema = builder.build()
            errors = _schema_errors(schema)
        except (TypeError, ValueError, GraphQLError) as exc:
            errors = [str(exc)]
        if errors:
            raise model_error(f"The data model does not give a valid schema: {errors[0]}")
        self._views = views
        self._schema = schema
        self._builder = builder
        self.executor.set_schema(schema, builder.one_to_many)
        self.schema_version += 1
        if save:
            self.store.save_model(self.model.dump())

    @property
    def core_schema(self) -> GraphQLSchema:
        assert self._schema is not None
        return self._schema

    def view(self, object_name: str) -> ObjectView | None:
        return self._views.get(object_name)

    def view_names(self) -> list[str]:
        """Active objects' ``nameSingular``, in metadata order."""
        return list(self._views)

    def aggregate_specs(self, view: ObjectView) -> dict[str, AggregateSpec]:
        assert self._builder is not None
        return self._builder.aggregates(view)

    def records(self, object_name: str, *, with_deleted: bool = True) -> list[dict[str, Any]]:
        """Stored records of an object (copies; for test inspection)."""
        obj = self.object_by_name(object_name)
        if obj is None:
            raise KeyError(object_name)
        rows = self.store.table(obj.id).values()
        return [copy.deepcopy(r) for r in rows if with_deleted or r.get("deletedAt") is None]

    # ---- the data model (ModelEditor) ---------------------------------------------------------

    def objects(self) -> list[ObjectMeta]:
        return self.model.objects()

    def object(self, id: str) -> ObjectMeta:
        return self.model.object(id)

    def object_by_name(self, name_singular: str) -> ObjectMeta | None:
        return self.model.object_by_name(name_singular)

    def fields(self, object_id: str | None = None) -> list[FieldMeta]:
        return self.model.fields(object_id)

    def field(self, id: str) -> FieldMeta:
        return self.model.field(id)

    def field_or_none(self, id: str) -> FieldMeta | None:
        return self.model.field_or_none(id)

    def relation(self, field_id: str) -> RelationMeta | None:
        return self.model.relation(field_id)

    def morph_relations(self, field_id: str) -> list[RelationMeta]:
        return self.model.morph_relations(field_id)

    def indexes(self, object_id: str) -> list[IndexMeta]:
        return self.model.indexes(object_id)

    def create_object(self, input: dict[str, Any]) -> ObjectMeta:
        return self.model.create_object(input)

    def update_object(self, id: str, update: dict[str, Any]) -> ObjectMeta:
        return self.model.update_object(id, update)

    def delete_object(self, id: str) -> ObjectMeta:
        return self.model.delete_object(id)

    def create_field(self, input: dict[str, Any]) -> FieldMeta:
        return self.model.create_field(input)

    def update_field(self, id: str, update: dict[str, Any]) -> FieldMeta:
        return self.model.update_field(id, update)

    def delete_field(self, id: str) -> FieldMeta:
        return self.model.delete_field(id)

    # ---- record side effects (used by resolvers) ----------------------------------------------

    def on_records_destroyed(self, view: ObjectView, ids: set[str]) -> None:
        """Apply ``onDelete`` of relations pointing at destroyed records (SET_NULL / CASCADE)."""
        side_effects.on_records_destroyed(self._views.values(), self.store, view, ids)

    def reassign_relations(self, view: ObjectView, from_ids: list[str], to_id: str) -> None:
        """Point many-to-one references at ``to_id`` (used by mergeMany)."""
        side_effects.reassign_relations(self._views.values(), self.store, view, from_ids, to_id)

    # ---- execution (CoreExecutor) -------------------------------------------------------------

    def root_fields(self, document: str, operation_name: str | None = None) -> list[str] | None:
        """Root field names of the operation a request would run (see ``CoreExecutor``)."""
        return self.executor.root_fields(document, operation_name)

    def execute_core(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        role: Role = ADMIN,
    ) -> ExecutionResult:
        """Run one core-API request as ``role``. Errors carry Twenty's ``extensions``."""
        return self.executor.execute(document, variables, operation_name, role)

    def close(self) -> None:
        self.store.close()


def _schema_errors(schema: GraphQLSchema) -> list[str]:
    return [e.message for e in validate_schema(schema)]
