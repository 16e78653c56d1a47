"""Build the core (``/graphql``) schema from workspace metadata, programmatically (twenty-api.md §1-§2).

Nothing here is a hard-coded SDL: every object type, input, enum and root field is derived from
``ObjectMeta``/``FieldMeta`` with Twenty's naming rules. Types are created in a fixed order
(metadata order, then shared types) so the printed schema is stable byte for byte.

``CoreSchemaBuilder`` is the top of three layers: ``schema_types.SharedTypes`` (shared types),
``schema_inputs.InputTypes`` (per-object inputs), then object types, aggregates and root fields here."""

from __future__ import annotations

from typing import Any, cast

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
)

from twenty_gql.testing.introspection import Js16Schema
from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    ENUM_FIELD_TYPES,
    pascal,
)
from twenty_gql.testing.schema_inputs import InputTypes
from twenty_gql.testing.schema_search import SEARCH_TYPE_NAMES, search_field
from twenty_gql.testing.schema_types import (
    COMPOSITE_INPUT_KINDS,
    OBJECT_TYPE_SUFFIXES,
    SHARED_TYPE_NAMES,
    nn,
    relations_last,
)
from twenty_gql.testing.views import (
    AggregateSpec,
    ObjectView,
    ResolverProvider,
    enum_type_name,
    number_kind,
    type_name,
)

__all__ = [
    "AggregateSpec",
    "CoreSchemaBuilder",
    "ObjectView",
    "ResolverProvider",
    "enum_type_name",
    "number_kind",
    "type_name",
]


class CoreSchemaBuilder(InputTypes):
    def object_type(self, view: ObjectView) -> GraphQLObjectType:
        name = type_name(view.obj)

        def fields() -> dict[str, GraphQLField]:
            out: dict[str, GraphQLField] = {}
            for fld in relations_last(view):
                if fld.relationType == "MANY_TO_ONE":
                    target = view.targets[fld.name]
                    join = fld.joinColumnName or f"{fld.name}Id"
                    out[join] = GraphQLField(GraphQLID if fld.isNullable else nn(GraphQLID))
                    out[fld.name] = GraphQLField(
                        self.object_type(self.view_by_name[target.nameSingular]),
                        resolve=self.resolvers.many_to_one(view, fld),
                    )
                elif fld.relationType == "ONE_TO_MANY":
                    target_view = self.view_by_name[view.targets[fld.name].nameSingular]
                    self.one_to_many.add((name, fld.name))
                    out[fld.name] = GraphQLField(
                        self.connection(target_view),
                        args=self.find_many_args(target_view),
                        resolve=self.resolvers.one_to_many(view, fld),
                    )
                else:
                    t = self.leaf_output(view, fld)
                    if fld.name == "id" or not fld.isNullable:
                        t = t if isinstance(t, GraphQLNonNull) else nn(t)
                    out[fld.name] = GraphQLField(t, description=fld.description)
            return out

        return cast(
            GraphQLObjectType,
            self._memo(
                name, lambda: GraphQLObjectType(name, fields, description=view.obj.description)
            ),
        )

    def _aggregate_fields(self, view: ObjectView) -> dict[str, GraphQLField]:
        out: dict[str, GraphQLField] = {}
        for agg_name, spec in self.aggregates(view).items():
            if spec.op in ("min", "max") and spec.sub is None:
                fld = view.by_name[spec.field or ""]
                t: Any = (
                    self.scalar("DateTime") if fld.type in ("DATE", "DATE_TIME") else GraphQLFloat
                )
            elif spec.op in ("min", "max", "avg", "sum") or spec.op.startswith("percentage"):
                t = GraphQLFloat
            else:
                t = GraphQLInt
            out[agg_name] = GraphQLField(t, resolve=self.resolvers.aggregate(spec))
        return out

    def edge(self, view: ObjectView) -> GraphQLObjectType:
        name = f"{type_name(view.obj)}Edge"
        return cast(
            GraphQLObjectType,
            self._memo(
                name,
                lambda: GraphQLObjectType(
                    name,
                    lambda: {
                        "node": GraphQLField(nn(self.object_type(view))),
                        "cursor": GraphQLField(nn(self.scalar("Cursor"))),
                    },
                ),
            ),
        )

    def connection(self, view: ObjectView, group_by: bool = False) -> GraphQLObjectType:
        name = f"{type_name(view.obj)}{'GroupByConnection' if group_by else 'Connection'}"

        def fields() -> dict[str, GraphQLField]:
            out = self._aggregate_fields(view)
            out["edges"] = GraphQLField(nn(GraphQLList(nn(self.edge(view)))))
            out["pageInfo"] = GraphQLField(nn(self.page_info()))
            if group_by:
                out["groupByDimensionValues"] = GraphQLField(nn(GraphQLList(nn(GraphQLString))))
            return out

        return cast(GraphQLObjectType, self._memo(name, lambda: GraphQLObjectType(name, fields)))

    def root_fields(
        self, view: ObjectView
    ) -> tuple[dict[str, GraphQLField], dict[str, GraphQLField]]:
        obj = view.obj
        singular = obj.nameSingular
        plural = obj.namePlural
        ps = pascal(singular)
        pp = pascal(plural)
        otype = self.object_type(view)
        res = self.resolvers
        uuid_t = self.scalar("UUID")
        filt = self.filter_input(view)
        create = self.create_or_update(view, "Create")
        update = self.create_or_update(view, "Update")
        many_out: GraphQLOutputType = GraphQLList(nn(otype))
        q: dict[str, GraphQLField] = {
            plural: GraphQLField(
                self.connection(view),
                args=self.find_many_args(view),
                resolve=res.root("findMany", view),
            ),
            singular: GraphQLField(
                otype,
                args={"filter": GraphQLArgument(nn(filt))},
                resolve=res.root("findOne", view),
            ),
        }
        if obj.duplicateCriteria:
            q[f"{singular}Duplicates"] = GraphQLField(
                GraphQLList(nn(self.connection(view))),
                args={
                    "ids": GraphQLArgument(GraphQLList(uuid_t)),
                    "data": GraphQLArgument(GraphQLList(create)),
                },
                resolve=res.root("findDuplicates", view),
            )
        q[f"{plural}GroupBy"] = GraphQLField(
            GraphQLList(nn(self.connection(view, group_by=True))),
            args={
                "groupBy": GraphQLArgument(nn(GraphQLList(nn(self.group_by_input(view))))),
                "filter": GraphQLArgument(filt),
                "orderBy": GraphQLArgument(
                    GraphQLList(self.order_by_input(view, with_group_by=True))
                ),
                "orderByForRecords": GraphQLArgument(GraphQLList(self.order_by_input(view))),
                "viewId": GraphQLArgument(uuid_t),
                "limit": GraphQLArgument(GraphQLInt),
                "offsetForRecords": GraphQLArgument(GraphQLInt),
            },
            resolve=res.root("groupBy", view),
        )
        id_arg = {"id": GraphQLArgument(nn(uuid_t))}
        filter_arg = {"filter": GraphQLArgument(nn(filt))}
        m: dict[str, GraphQLField] = {
            f"create{ps}": GraphQLField(
                otype,
                args={
                    "data": GraphQLArgument(nn(create)),
                    "upsert": GraphQLArgument(GraphQLBoolean),
                },
                resolve=res.root("createOne", view),
            ),
            f"create{pp}": GraphQLField(
                many_out,
                args={
                    "data": GraphQLArgument(nn(GraphQLList(nn(create)))),
                    "upsert": GraphQLArgument(GraphQLBoolean),
                },
                resolve=res.root("createMany", view),
            ),
            f"update{ps}": GraphQLField(
                otype,
                args={"id": GraphQLArgument(nn(uuid_t)), "data": GraphQLArgument(nn(update))},
                resolve=res.root("updateOne", view),
            ),
            f"update{pp}": GraphQLField(
                many_out,
                args={"data": GraphQLArgument(nn(update)), "filter": GraphQLArgument(nn(filt))},
                resolve=res.root("updateMany", view),
            ),
            f"delete{ps}": GraphQLField(otype, args=id_arg, resolve=res.root("deleteOne", view)),
            f"delete{pp}": GraphQLField(
                many_out, args=filter_arg, resolve=res.root("deleteMany", view)
            ),
            f"destroy{ps}": GraphQLField(otype, args=id_arg, resolve=res.root("destroyOne", view)),
            f"destroy{pp}": GraphQLField(
                many_out, args=filter_arg, resolve=res.root("destroyMany", view)
            ),
            f"restore{ps}": GraphQLField(otype, args=id_arg, resolve=res.root("restoreOne", view)),
            f"restore{pp}": GraphQLField(
                many_out, args=filter_arg, resolve=res.root("restoreMany", view)
            ),
        }
        if obj.duplicateCriteria:
            m[f"merge{pp}"] = GraphQLField(
                otype,
                args={
                    "ids": GraphQLArgument(nn(GraphQLList(nn(uuid_t)))),
                    "conflictPriorityIndex": GraphQLArgument(nn(GraphQLInt)),
                    "dryRun": GraphQLArgument(GraphQLBoolean),
                },
                resolve=res.root("mergeMany", view),
            )
        return q, m

    def check_type_names(self) -> None:
        """Raise TypeError when two generated types would share a name (graphql-core would
        otherwise keep one silently through the memo, or refuse the schema)."""
        owners: dict[str, str] = {}

        def claim(name: str, owner: str) -> None:
            other = owners.setdefault(name, owner)
            if other != owner:
                raise TypeError(f"type name {name} of {owner} clashes with {other}")

        for name in (*SHARED_TYPE_NAMES, *SEARCH_TYPE_NAMES):
            claim(name, "the shared types")
        for ctype, subs in COMPOSITE_TYPES.items():
            base = pascal(ctype)
            for suffix in ("", *(f"{k}Input" for k in COMPOSITE_INPUT_KINDS)):
                claim(base + suffix, f"composite {ctype}")
            for sub in subs:
                if sub.type == "SELECT":
                    enum = f"{base}{pascal(sub.name)}Enum"
                    claim(enum, f"composite {ctype}")
                    claim(enum + "Filter", f"composite {ctype}")
        for view in self.views:
            tname = type_name(view.obj)
            owner = f"object {view.obj.nameSingular}"
            for suffix in OBJECT_TYPE_SUFFIXES:
                claim(tname + suffix, owner)
            for fld in view.fields:
                if fld.type in ENUM_FIELD_TYPES:
                    enum = enum_type_name(view.obj, fld)
                    claim(enum, f"{owner} field {fld.name}")
                    claim(enum + "Filter", f"{owner} field {fld.name}")
                if fld.isUnique and fld.type in COMPOSITE_TYPES:
                    claim(f"{tname}{pascal(fld.name)}WhereInput", f"{owner} field {fld.name}")

    def build(self) -> GraphQLSchema:
        self.check_type_names()
        query: dict[str, GraphQLField] = {}
        mutation: dict[str, GraphQLField] = {}
        for view in self.views:
            q, m = self.root_fields(view)
            for root, fields in ((query, q), (mutation, m)):
                clash = set(root) & set(fields)
                if clash:
                    raise TypeError(
                        f"root field {sorted(clash)[0]} of object {view.obj.nameSingular} "
                        "clashes with another object's"
                    )
                root.update(fields)
        if query:
            query["search"] = search_field(self, self.resolvers.search())
        if not query:
            # An empty workspace still needs a Query root: Twenty always has one, and
            # introspection/build_client_schema require it. `_empty` always resolves null.
            query["_empty"] = GraphQLField(
                GraphQLBoolean,
                description="Placeholder: this workspace has no objects yet",
                resolve=self.resolvers.empty(),
            )
        schema = Js16Schema(
            query=GraphQLObjectType("Query", query),
            mutation=GraphQLObjectType("Mutation", mutation) if mutation else None,
            types=[self.order_by_direction(), self.filter_is()] if self.views else None,
        )
        return schema
