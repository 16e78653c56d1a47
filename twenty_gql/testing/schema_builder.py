"""Build the core (``/graphql``) schema from workspace metadata, programmatically (twenty-api.md §1-§2).

Nothing here is a hard-coded SDL: every object type, input, enum and root field is derived from
``ObjectMeta``/``FieldMeta`` with Twenty's naming rules. Types are created in a fixed order
(metadata order, then shared types) so the printed schema is stable byte for byte.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    ENUM_FIELD_TYPES,
    RELATION_TYPES,
    CompositeSubField,
    FieldMeta,
    ObjectMeta,
    capitalize,
    pascal,
)
from twenty_gql.testing.scalars import SCALARS

__all__ = [
    "AggregateSpec",
    "CoreSchemaBuilder",
    "ObjectView",
    "ResolverProvider",
    "enum_type_name",
    "number_kind",
    "type_name",
]

Resolver = Callable[..., Any]

DATE_GRANULARITIES = (
    "DAY",
    "MONTH",
    "QUARTER",
    "YEAR",
    "DAY_OF_THE_WEEK",
    "MONTH_OF_THE_YEAR",
    "QUARTER_OF_THE_YEAR",
    "NONE",
)
FILE_CATEGORIES = (
    "ARCHIVE",
    "AUDIO",
    "IMAGE",
    "PRESENTATION",
    "SPREADSHEET",
    "TEXT_DOCUMENT",
    "VIDEO",
    "OTHER",
)


COMPOSITE_INPUT_KINDS = ("Create", "Update", "Filter", "OrderBy", "GroupBy")
OBJECT_TYPE_SUFFIXES = (
    "",
    "Edge",
    "Connection",
    "GroupByConnection",
    "CreateInput",
    "UpdateInput",
    "FilterInput",
    "OrderByInput",
    "GroupByInput",
    "OrderByWithGroupByInput",
    "OrderByWithGroupByAggregateInput",
    "WhereUniqueInput",
    "ConnectInput",
    "RelationInput",
)
SHARED_TYPE_NAMES = (
    "Query",
    "Mutation",
    "Subscription",
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    *SCALARS,
    "OrderByDirection",
    "FilterIs",
    "PageInfo",
    "StringFilter",
    "UUIDFilter",
    "DateTimeFilter",
    "DateFilter",
    "FloatFilter",
    "IntFilter",
    "BigIntFilter",
    "BigFloatFilter",
    "BooleanFilter",
    "RawJsonFilter",
    "ArrayFilter",
    "TSVectorFilter",
    "RichTextFilter",
    "RichTextLeafFilter",
    "FileCategory",
    "FileObject",
    "FileInput",
    "DateGranularityEnum",
    "GroupByDateGranularityInput",
    "OrderByDateGranularityInput",
)


def type_name(obj: ObjectMeta) -> str:
    return pascal(obj.nameSingular)


def enum_type_name(obj: ObjectMeta, fld: FieldMeta) -> str:
    return f"{pascal(obj.nameSingular)}{pascal(fld.name)}Enum"


def number_kind(fld: FieldMeta) -> str:
    """``Float`` / ``Int`` / ``BigInt`` from ``settings.dataType`` of a NUMBER field."""
    settings = fld.settings if isinstance(fld.settings, dict) else {}
    data_type = str(settings.get("dataType") or "float").lower()
    return {"int": "Int", "bigint": "BigInt"}.get(data_type, "Float")


@dataclass(frozen=True)
class AggregateSpec:
    """How to compute one aggregate field of a connection (twenty-api.md §1.4)."""

    op: str  # countUniqueValues, countEmpty, ..., min, max, avg, sum, countTrue, countFalse, totalCount
    field: str | None
    sub: str | None = None


@dataclass
class ObjectView:
    """An object with its active, resolvable fields (what the builder and resolvers work on)."""

    obj: ObjectMeta
    fields: list[FieldMeta]
    by_name: dict[str, FieldMeta]
    #: FK column name -> the MANY_TO_ONE field
    join_columns: dict[str, FieldMeta]
    targets: dict[str, ObjectMeta]  # relation field name -> target object


def make_views(
    objects: dict[str, ObjectMeta], fields: dict[str, FieldMeta]
) -> dict[str, ObjectView]:
    """Active objects with their active fields; relations to missing/inactive ends are skipped."""
    views: dict[str, ObjectView] = {}
    for obj in objects.values():
        if not obj.isActive:
            continue
        flds: list[FieldMeta] = []
        targets: dict[str, ObjectMeta] = {}
        for fid in obj.fieldIds:
            fld = fields.get(fid)
            if fld is None or not fld.isActive:
                continue
            if fld.type in RELATION_TYPES:
                target = objects.get(fld.relationTargetObjectMetadataId or "")
                inverse = fields.get(fld.relationTargetFieldMetadataId or "")
                if target is None or not target.isActive or fld.relationType is None:
                    continue
                if fld.relationType == "ONE_TO_MANY" and (inverse is None or not inverse.isActive):
                    continue
                targets[fld.name] = target
            flds.append(fld)
        views[obj.nameSingular] = ObjectView(
            obj=obj,
            fields=flds,
            by_name={f.name: f for f in flds},
            join_columns={
                f.joinColumnName or f"{f.name}Id": f
                for f in flds
                if f.relationType == "MANY_TO_ONE"
            },
            targets=targets,
        )
    return views


class ResolverProvider:
    """Interface the builder calls to get resolvers (implemented in ``resolvers.py``)."""

    def root(self, method: str, view: ObjectView) -> Resolver:
        raise NotImplementedError

    def many_to_one(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        raise NotImplementedError

    def one_to_many(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        raise NotImplementedError

    def aggregate(self, spec: AggregateSpec) -> Resolver:
        raise NotImplementedError

    def empty(self) -> Resolver:
        raise NotImplementedError


def _nn(t: Any) -> Any:
    return GraphQLNonNull(t)


class CoreSchemaBuilder:
    def __init__(self, views: list[ObjectView], resolvers: ResolverProvider) -> None:
        self.views = views
        self.view_by_name = {v.obj.nameSingular: v for v in views}
        self.resolvers = resolvers
        self.types: dict[str, GraphQLNamedType] = {}
        self.aggregate_specs: dict[str, dict[str, AggregateSpec]] = {}
        #: (object type name, field name) of every one-to-many connection field
        self.one_to_many: set[tuple[str, str]] = set()

    # ---- shared types ------------------------------------------------------------------

    def scalar(self, name: str) -> Any:
        builtin = {
            "String": GraphQLString,
            "Int": GraphQLInt,
            "Float": GraphQLFloat,
            "Boolean": GraphQLBoolean,
            "ID": GraphQLID,
        }
        if name in builtin:
            return builtin[name]
        return SCALARS[name]

    def _memo(self, name: str, make: Callable[[], GraphQLNamedType]) -> Any:
        found = self.types.get(name)
        if found is None:
            found = make()
            self.types[name] = found
        return found

    def order_by_direction(self) -> GraphQLEnumType:
        return cast(
            GraphQLEnumType,
            self._memo(
                "OrderByDirection",
                lambda: GraphQLEnumType(
                    "OrderByDirection",
                    {
                        "AscNullsFirst": GraphQLEnumValue(
                            "AscNullsFirst", description="Ascending order, NULLs first"
                        ),
                        "AscNullsLast": GraphQLEnumValue(
                            "AscNullsLast", description="Ascending order, NULLs last"
                        ),
                        "DescNullsFirst": GraphQLEnumValue(
                            "DescNullsFirst", description="Descending order, NULLs first"
                        ),
                        "DescNullsLast": GraphQLEnumValue(
                            "DescNullsLast", description="Descending order, NULLs last"
                        ),
                    },
                    description="This enum is used to specify the order of results",
                ),
            ),
        )

    def filter_is(self) -> GraphQLEnumType:
        return cast(
            GraphQLEnumType,
            self._memo(
                "FilterIs",
                lambda: GraphQLEnumType(
                    "FilterIs",
                    {
                        "NULL": GraphQLEnumValue("NULL", description="Null"),
                        "NOT_NULL": GraphQLEnumValue("NOT_NULL", description="Not null"),
                    },
                    description="This enum to filter by nullability",
                ),
            ),
        )

    def page_info(self) -> GraphQLObjectType:
        return cast(
            GraphQLObjectType,
            self._memo(
                "PageInfo",
                lambda: GraphQLObjectType(
                    "PageInfo",
                    {
                        "startCursor": GraphQLField(self.scalar("ConnectionCursor")),
                        "endCursor": GraphQLField(self.scalar("ConnectionCursor")),
                        "hasNextPage": GraphQLField(_nn(GraphQLBoolean)),
                        "hasPreviousPage": GraphQLField(_nn(GraphQLBoolean)),
                    },
                ),
            ),
        )

    def _comparison_filter(self, name: str, scalar: Any, ops: tuple[str, ...]) -> Any:
        def make() -> GraphQLInputObjectType:
            fields: dict[str, GraphQLInputField] = {}
            for op in ops:
                if op == "in":
                    fields[op] = GraphQLInputField(GraphQLList(_nn(scalar)))
                elif op == "is":
                    fields[op] = GraphQLInputField(self.filter_is())
                else:
                    fields[op] = GraphQLInputField(scalar)
            return GraphQLInputObjectType(name, fields)

        return self._memo(name, make)

    def scalar_filter(self, name: str) -> Any:
        """One of the operator input types of twenty-api.md §1.6, by name."""
        cmp_ops = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "is")
        if name == "StringFilter":

            def make_string() -> GraphQLInputObjectType:
                s = GraphQLString
                return GraphQLInputObjectType(
                    name,
                    {
                        "eq": GraphQLInputField(s),
                        "neq": GraphQLInputField(s),
                        "gt": GraphQLInputField(s),
                        "gte": GraphQLInputField(s),
                        "lt": GraphQLInputField(s),
                        "lte": GraphQLInputField(s),
                        "in": GraphQLInputField(GraphQLList(_nn(s))),
                        "startsWith": GraphQLInputField(s),
                        "endsWith": GraphQLInputField(s),
                        "like": GraphQLInputField(s),
                        "ilike": GraphQLInputField(s),
                        "regex": GraphQLInputField(s),
                        "iregex": GraphQLInputField(s),
                        "is": GraphQLInputField(self.filter_is()),
                    },
                )

            return self._memo(name, make_string)
        if name == "UUIDFilter":

            def make_uuid() -> GraphQLInputObjectType:
                u = self.scalar("UUID")
                return GraphQLInputObjectType(
                    name,
                    {
                        "eq": GraphQLInputField(u),
                        "neq": GraphQLInputField(u),
                        "in": GraphQLInputField(GraphQLList(u)),
                        "is": GraphQLInputField(self.filter_is()),
                    },
                )

            return self._memo(name, make_uuid)
        scalars = {
            "DateTimeFilter": "DateTime",
            "DateFilter": "Date",
            "FloatFilter": "Float",
            "IntFilter": "Int",
            "BigIntFilter": "BigInt",
            "BigFloatFilter": "BigFloat",
        }
        if name in scalars:
            return self._comparison_filter(name, self.scalar(scalars[name]), cmp_ops)
        if name == "BooleanFilter":
            return self._comparison_filter(name, GraphQLBoolean, ("eq", "is"))
        if name == "RawJsonFilter":

            def make_raw() -> GraphQLInputObjectType:
                return GraphQLInputObjectType(
                    name,
                    {
                        "is": GraphQLInputField(self.filter_is()),
                        "like": GraphQLInputField(GraphQLString),
                        "containsJsonb": GraphQLInputField(GraphQLString),
                    },
                )

            return self._memo(name, make_raw)
        if name == "ArrayFilter":

            def make_array() -> GraphQLInputObjectType:
                return GraphQLInputObjectType(
                    name,
                    {
                        "containsIlike": GraphQLInputField(GraphQLString),
                        "is": GraphQLInputField(self.filter_is()),
                        "isEmptyArray": GraphQLInputField(GraphQLBoolean),
                    },
                )

            return self._memo(name, make_array)
        if name == "TSVectorFilter":
            return self._memo(
                name,
                lambda: GraphQLInputObjectType(name, {"search": GraphQLInputField(GraphQLString)}),
            )
        raise KeyError(name)

    def rich_text_filter(self) -> Any:
        def make() -> GraphQLInputObjectType:
            leaf = self._memo(
                "RichTextLeafFilter",
                lambda: GraphQLInputObjectType(
                    "RichTextLeafFilter", {"ilike": GraphQLInputField(GraphQLString)}
                ),
            )
            return GraphQLInputObjectType(
                "RichTextFilter",
                {"blocknote": GraphQLInputField(leaf), "markdown": GraphQLInputField(leaf)},
            )

        return self._memo("RichTextFilter", make)

    def enum_filter(self, enum: GraphQLEnumType, multi: bool) -> Any:
        name = f"{enum.name}Filter"

        def make() -> GraphQLInputObjectType:
            fields: dict[str, GraphQLInputField] = {
                "eq": GraphQLInputField(enum),
                "neq": GraphQLInputField(enum),
                "in": GraphQLInputField(GraphQLList(enum)),
                "containsAny": GraphQLInputField(GraphQLList(enum)),
                "is": GraphQLInputField(self.filter_is()),
                "isEmptyArray": GraphQLInputField(GraphQLBoolean),
            }
            if not multi:
                for op in ("gt", "gte", "lt", "lte"):
                    fields[op] = GraphQLInputField(enum)
            return GraphQLInputObjectType(name, fields)

        return self._memo(name, make)

    def file_types(self) -> tuple[Any, Any]:
        category = self._memo(
            "FileCategory",
            lambda: GraphQLEnumType(
                "FileCategory", {v: GraphQLEnumValue(v) for v in FILE_CATEGORIES}
            ),
        )
        out = self._memo(
            "FileObject",
            lambda: GraphQLObjectType(
                "FileObject",
                {
                    "fileId": GraphQLField(_nn(self.scalar("UUID"))),
                    "label": GraphQLField(_nn(GraphQLString)),
                    "fileCategory": GraphQLField(_nn(category)),
                },
            ),
        )
        inp = self._memo(
            "FileInput",
            lambda: GraphQLInputObjectType(
                "FileInput",
                {
                    "fileId": GraphQLInputField(_nn(self.scalar("UUID"))),
                    "label": GraphQLInputField(_nn(GraphQLString)),
                },
            ),
        )
        return out, inp

    def date_granularity(self) -> Any:
        return self._memo(
            "DateGranularityEnum",
            lambda: GraphQLEnumType(
                "DateGranularityEnum",
                {v: GraphQLEnumValue(v) for v in DATE_GRANULARITIES},
                description="Date granularity for group by and order by (emulated literals)",
            ),
        )

    def group_by_date_input(self) -> Any:
        return self._memo(
            "GroupByDateGranularityInput",
            lambda: GraphQLInputObjectType(
                "GroupByDateGranularityInput",
                {"granularity": GraphQLInputField(self.date_granularity())},
            ),
        )

    def order_by_date_input(self) -> Any:
        return self._memo(
            "OrderByDateGranularityInput",
            lambda: GraphQLInputObjectType(
                "OrderByDateGranularityInput",
                {
                    "orderBy": GraphQLInputField(self.order_by_direction()),
                    "granularity": GraphQLInputField(self.date_granularity()),
                },
            ),
        )

    # ---- composites --------------------------------------------------------------------

    def composite_enum(self, ctype: str, sub: CompositeSubField) -> GraphQLEnumType:
        name = f"{pascal(ctype)}{pascal(sub.name)}Enum"
        return cast(
            GraphQLEnumType,
            self._memo(
                name,
                lambda: GraphQLEnumType(name, {v: GraphQLEnumValue(v) for v in sub.enum_values}),
            ),
        )

    def sub_scalar(self, ctype: str, sub: CompositeSubField) -> Any:
        if sub.type == "SELECT":
            return self.composite_enum(ctype, sub)
        return self.scalar(
            {"TEXT": "String", "NUMERIC": "BigFloat", "RAW_JSON": "JSON", "UUID": "UUID"}[sub.type]
        )

    def sub_filter(self, ctype: str, sub: CompositeSubField) -> Any:
        if sub.type == "SELECT":
            return self.enum_filter(self.composite_enum(ctype, sub), multi=False)
        return self.scalar_filter(
            {
                "TEXT": "StringFilter",
                "NUMERIC": "BigFloatFilter",
                "RAW_JSON": "RawJsonFilter",
                "UUID": "UUIDFilter",
            }[sub.type]
        )

    def composite(self, ctype: str, kind: str) -> Any:
        """``kind``: '' (output), Create, Update, Filter, OrderBy, GroupBy."""
        base = pascal(ctype)
        if kind == "Filter" and ctype == "RICH_TEXT":
            return self.rich_text_filter()
        name = base if kind == "" else f"{base}{kind}Input"
        subs = [s for s in COMPOSITE_TYPES[ctype] if s.hidden is not True]

        def make() -> GraphQLNamedType:
            if kind == "":
                return GraphQLObjectType(
                    name,
                    {
                        s.name: GraphQLField(
                            _nn(self.sub_scalar(ctype, s))
                            if s.required
                            else self.sub_scalar(ctype, s)
                        )
                        for s in subs
                    },
                )
            fields: dict[str, GraphQLInputField] = {}
            for s in subs:
                if kind in ("Create", "Update"):
                    if s.hidden == "input":
                        continue
                    fields[s.name] = GraphQLInputField(self.sub_scalar(ctype, s))
                elif kind == "Filter":
                    fields[s.name] = GraphQLInputField(self.sub_filter(ctype, s))
                elif kind == "OrderBy":
                    fields[s.name] = GraphQLInputField(self.order_by_direction())
                elif kind == "GroupBy":
                    fields[s.name] = GraphQLInputField(GraphQLBoolean)
            return GraphQLInputObjectType(name, fields)

        return self._memo(name, make)

    # ---- per object --------------------------------------------------------------------

    def enum_for(self, view: ObjectView, fld: FieldMeta) -> GraphQLEnumType:
        name = enum_type_name(view.obj, fld)

        def make() -> GraphQLEnumType:
            values: dict[str, GraphQLEnumValue] = {}
            options = fld.options if isinstance(fld.options, list) else []
            if not options and fld.type == "RATING":
                options = [{"value": f"RATING_{i}", "label": str(i)} for i in range(1, 6)]
            for opt in sorted(options, key=lambda o: (o.get("position", 0), str(o.get("value")))):
                value = str(opt.get("value"))
                values[value] = GraphQLEnumValue(value, description=opt.get("label"))
            return GraphQLEnumType(name, values)

        return cast(GraphQLEnumType, self._memo(name, make))

    def leaf_output(self, view: ObjectView, fld: FieldMeta) -> Any:
        t = fld.type
        if t in COMPOSITE_TYPES:
            return self.composite(t, "")
        if t in ENUM_FIELD_TYPES:
            enum = self.enum_for(view, fld)
            if t == "MULTI_SELECT":
                return GraphQLList(_nn(enum)) if not fld.isNullable else GraphQLList(enum)
            return enum
        if t == "NUMBER":
            return self.scalar(number_kind(fld))
        if t == "ARRAY":
            return GraphQLList(GraphQLString)
        if t == "FILES":
            return GraphQLList(self.file_types()[0])
        return self.scalar(
            {
                "UUID": "UUID",
                "TEXT": "String",
                "DATE_TIME": "DateTime",
                "DATE": "Date",
                "BOOLEAN": "Boolean",
                "NUMERIC": "BigFloat",
                "POSITION": "Position",
                "RAW_JSON": "JSON",
                "TS_VECTOR": "TSVector",
            }[t]
        )

    def leaf_input(self, view: ObjectView, fld: FieldMeta, kind: str) -> Any:
        t = fld.type
        if fld.name == "id":
            return GraphQLID
        if t in COMPOSITE_TYPES:
            return self.composite(t, kind)
        if t in ENUM_FIELD_TYPES:
            enum = self.enum_for(view, fld)
            return GraphQLList(enum) if t == "MULTI_SELECT" else enum
        if t == "FILES":
            return GraphQLList(self.file_types()[1])
        out = self.leaf_output(view, fld)
        return out

    def leaf_filter(self, view: ObjectView, fld: FieldMeta) -> Any:
        t = fld.type
        if t in COMPOSITE_TYPES:
            return self.composite(t, "Filter")
        if t in ENUM_FIELD_TYPES:
            return self.enum_filter(self.enum_for(view, fld), multi=t == "MULTI_SELECT")
        if t == "NUMBER":
            return self.scalar_filter(f"{number_kind(fld)}Filter")
        return self.scalar_filter(
            {
                "UUID": "UUIDFilter",
                "TEXT": "StringFilter",
                "DATE_TIME": "DateTimeFilter",
                "DATE": "DateFilter",
                "BOOLEAN": "BooleanFilter",
                "NUMERIC": "BigFloatFilter",
                "POSITION": "FloatFilter",
                "RAW_JSON": "RawJsonFilter",
                "ARRAY": "ArrayFilter",
                "TS_VECTOR": "TSVectorFilter",
                "FILES": "RawJsonFilter",
            }[t]
        )

    def object_type(self, view: ObjectView) -> GraphQLObjectType:
        name = type_name(view.obj)

        def fields() -> dict[str, GraphQLField]:
            out: dict[str, GraphQLField] = {}
            for fld in relations_last(view):
                if fld.relationType == "MANY_TO_ONE":
                    target = view.targets[fld.name]
                    join = fld.joinColumnName or f"{fld.name}Id"
                    out[join] = GraphQLField(GraphQLID if fld.isNullable else _nn(GraphQLID))
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
                        t = t if isinstance(t, GraphQLNonNull) else _nn(t)
                    out[fld.name] = GraphQLField(t, description=fld.description)
            return out

        return cast(
            GraphQLObjectType,
            self._memo(
                name, lambda: GraphQLObjectType(name, fields, description=view.obj.description)
            ),
        )

    def aggregates(self, view: ObjectView) -> dict[str, AggregateSpec]:
        key = view.obj.nameSingular
        if key in self.aggregate_specs:
            return self.aggregate_specs[key]
        specs: dict[str, AggregateSpec] = {"totalCount": AggregateSpec("totalCount", None)}
        for fld in view.fields:
            if fld.relationType is not None:
                continue
            cap = capitalize(fld.name)
            for op in ("countUniqueValues", "countEmpty", "countNotEmpty"):
                specs[f"{op}{cap}"] = AggregateSpec(op, fld.name)
            for op in ("percentageEmpty", "percentageNotEmpty"):
                specs[f"{op}{cap}"] = AggregateSpec(op, fld.name)
            if fld.type in ("DATE", "DATE_TIME"):
                specs[f"min{cap}"] = AggregateSpec("min", fld.name)
                specs[f"max{cap}"] = AggregateSpec("max", fld.name)
            elif fld.type == "BOOLEAN":
                specs[f"countTrue{cap}"] = AggregateSpec("countTrue", fld.name)
                specs[f"countFalse{cap}"] = AggregateSpec("countFalse", fld.name)
            elif fld.type == "NUMBER":
                for op in ("min", "max", "avg", "sum"):
                    specs[f"{op}{cap}"] = AggregateSpec(op, fld.name)
            elif fld.type == "CURRENCY":
                for op in ("min", "max", "sum", "avg"):
                    specs[f"{op}{cap}AmountMicros"] = AggregateSpec(op, fld.name, "amountMicros")
        self.aggregate_specs[key] = specs
        return specs

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
                        "node": GraphQLField(_nn(self.object_type(view))),
                        "cursor": GraphQLField(_nn(self.scalar("Cursor"))),
                    },
                ),
            ),
        )

    def connection(self, view: ObjectView, group_by: bool = False) -> GraphQLObjectType:
        name = f"{type_name(view.obj)}{'GroupByConnection' if group_by else 'Connection'}"

        def fields() -> dict[str, GraphQLField]:
            out = self._aggregate_fields(view)
            out["edges"] = GraphQLField(_nn(GraphQLList(_nn(self.edge(view)))))
            out["pageInfo"] = GraphQLField(_nn(self.page_info()))
            if group_by:
                out["groupByDimensionValues"] = GraphQLField(_nn(GraphQLList(_nn(GraphQLString))))
            return out

        return cast(GraphQLObjectType, self._memo(name, lambda: GraphQLObjectType(name, fields)))

    def where_unique(self, view: ObjectView) -> GraphQLInputObjectType:
        tname = type_name(view.obj)
        name = f"{tname}WhereUniqueInput"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {"id": GraphQLInputField(self.scalar("UUID"))}
            for fld in relations_last(view):
                if not fld.isUnique or fld.name == "id" or fld.relationType is not None:
                    continue
                if fld.type in COMPOSITE_TYPES:
                    parts = [s for s in COMPOSITE_TYPES[fld.type] if s.unique_part]
                    if not parts:
                        continue
                    sub_name = f"{tname}{pascal(fld.name)}WhereInput"
                    sub_type = self._memo(
                        sub_name, functools.partial(self._where_sub, sub_name, fld.type, parts)
                    )
                    out[fld.name] = GraphQLInputField(sub_type)
                else:
                    out[fld.name] = GraphQLInputField(self.leaf_input(view, fld, "Create"))
            return out

        return cast(
            GraphQLInputObjectType,
            self._memo(name, lambda: GraphQLInputObjectType(name, fields)),
        )

    def _where_sub(
        self, name: str, ctype: str, parts: list[CompositeSubField]
    ) -> GraphQLInputObjectType:
        return GraphQLInputObjectType(
            name, {p.name: GraphQLInputField(self.sub_scalar(ctype, p)) for p in parts}
        )

    def relation_input(self, target: ObjectView) -> GraphQLInputObjectType:
        tname = type_name(target.obj)
        connect_name = f"{tname}ConnectInput"
        connect = self._memo(
            connect_name,
            lambda: GraphQLInputObjectType(
                connect_name, lambda: {"where": GraphQLInputField(_nn(self.where_unique(target)))}
            ),
        )
        name = f"{tname}RelationInput"
        return cast(
            GraphQLInputObjectType,
            self._memo(
                name,
                lambda: GraphQLInputObjectType(
                    name,
                    {
                        "connect": GraphQLInputField(connect),
                        "disconnect": GraphQLInputField(GraphQLBoolean),
                    },
                ),
            ),
        )

    def create_or_update(self, view: ObjectView, kind: str) -> GraphQLInputObjectType:
        name = f"{type_name(view.obj)}{kind}Input"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {}
            for fld in relations_last(view):
                if fld.type == "TS_VECTOR" or fld.relationType == "ONE_TO_MANY":
                    continue
                if fld.relationType == "MANY_TO_ONE":
                    target = self.view_by_name[view.targets[fld.name].nameSingular]
                    out[fld.joinColumnName or f"{fld.name}Id"] = GraphQLInputField(GraphQLID)
                    out[fld.name] = GraphQLInputField(self.relation_input(target))
                    continue
                t = self.leaf_input(view, fld, kind)
                if kind == "Create" and is_required_on_create(fld):
                    t = _nn(t)
                out[fld.name] = GraphQLInputField(t)
            return out

        return cast(
            GraphQLInputObjectType, self._memo(name, lambda: GraphQLInputObjectType(name, fields))
        )

    def filter_input(self, view: ObjectView) -> GraphQLInputObjectType:
        name = f"{type_name(view.obj)}FilterInput"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {}
            for fld in relations_last(view):
                if fld.relationType == "ONE_TO_MANY":
                    continue
                if fld.relationType == "MANY_TO_ONE":
                    out[fld.joinColumnName or f"{fld.name}Id"] = GraphQLInputField(
                        self.scalar_filter("UUIDFilter")
                    )
                    continue
                out[fld.name] = GraphQLInputField(self.leaf_filter(view, fld))
            me = self.filter_input(view)
            out["and"] = GraphQLInputField(GraphQLList(me))
            out["or"] = GraphQLInputField(GraphQLList(me))
            out["not"] = GraphQLInputField(me)
            return out

        return cast(
            GraphQLInputObjectType, self._memo(name, lambda: GraphQLInputObjectType(name, fields))
        )

    def order_by_input(
        self, view: ObjectView, with_group_by: bool = False
    ) -> GraphQLInputObjectType:
        tname = type_name(view.obj)
        name = f"{tname}OrderByWithGroupByInput" if with_group_by else f"{tname}OrderByInput"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {}
            if with_group_by:
                agg_name = f"{tname}OrderByWithGroupByAggregateInput"
                agg = self._memo(
                    agg_name,
                    lambda: GraphQLInputObjectType(
                        agg_name,
                        {
                            a: GraphQLInputField(self.order_by_direction())
                            for a in self.aggregates(view)
                        },
                    ),
                )
                out["aggregate"] = GraphQLInputField(agg)
            for fld in relations_last(view):
                if fld.relationType == "ONE_TO_MANY":
                    continue
                if fld.relationType == "MANY_TO_ONE":
                    target = self.view_by_name[view.targets[fld.name].nameSingular]
                    out[fld.joinColumnName or f"{fld.name}Id"] = GraphQLInputField(
                        self.order_by_direction()
                    )
                    if not with_group_by:
                        out[fld.name] = GraphQLInputField(self.order_by_input(target))
                    continue
                if fld.type in COMPOSITE_TYPES:
                    out[fld.name] = GraphQLInputField(self.composite(fld.type, "OrderBy"))
                elif with_group_by and fld.type in ("DATE", "DATE_TIME"):
                    out[fld.name] = GraphQLInputField(self.order_by_date_input())
                else:
                    out[fld.name] = GraphQLInputField(self.order_by_direction())
            return out

        return cast(
            GraphQLInputObjectType, self._memo(name, lambda: GraphQLInputObjectType(name, fields))
        )

    def group_by_input(self, view: ObjectView) -> GraphQLInputObjectType:
        name = f"{type_name(view.obj)}GroupByInput"

        def fields() -> dict[str, GraphQLInputField]:
            out: dict[str, GraphQLInputField] = {}
            for fld in relations_last(view):
                if fld.relationType == "ONE_TO_MANY":
                    continue
                if fld.relationType == "MANY_TO_ONE":
                    target = self.view_by_name[view.targets[fld.name].nameSingular]
                    out[fld.name] = GraphQLInputField(self.group_by_input(target))
                elif fld.type in COMPOSITE_TYPES:
                    out[fld.name] = GraphQLInputField(self.composite(fld.type, "GroupBy"))
                elif fld.type in ("DATE", "DATE_TIME"):
                    out[fld.name] = GraphQLInputField(self.group_by_date_input())
                else:
                    out[fld.name] = GraphQLInputField(GraphQLBoolean)
            return out

        return cast(
            GraphQLInputObjectType, self._memo(name, lambda: GraphQLInputObjectType(name, fields))
        )

    def find_many_args(self, view: ObjectView) -> dict[str, GraphQLArgument]:
        return {
            "filter": GraphQLArgument(self.filter_input(view)),
            "orderBy": GraphQLArgument(GraphQLList(self.order_by_input(view))),
            "first": GraphQLArgument(GraphQLInt),
            "last": GraphQLArgument(GraphQLInt),
            "offset": GraphQLArgument(GraphQLInt),
            "before": GraphQLArgument(GraphQLString),
            "after": GraphQLArgument(GraphQLString),
        }

    # ---- root ----------------------------------------------------------------------------

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
        many_out: GraphQLOutputType = GraphQLList(_nn(otype))
        q: dict[str, GraphQLField] = {
            plural: GraphQLField(
                self.connection(view),
                args=self.find_many_args(view),
                resolve=res.root("findMany", view),
            ),
            singular: GraphQLField(
                otype,
                args={"filter": GraphQLArgument(_nn(filt))},
                resolve=res.root("findOne", view),
            ),
        }
        if obj.duplicateCriteria:
            q[f"{singular}Duplicates"] = GraphQLField(
                GraphQLList(_nn(self.connection(view))),
                args={
                    "ids": GraphQLArgument(GraphQLList(uuid_t)),
                    "data": GraphQLArgument(GraphQLList(create)),
                },
                resolve=res.root("findDuplicates", view),
            )
        q[f"{plural}GroupBy"] = GraphQLField(
            GraphQLList(_nn(self.connection(view, group_by=True))),
            args={
                "groupBy": GraphQLArgument(_nn(GraphQLList(_nn(self.group_by_input(view))))),
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
        id_arg = {"id": GraphQLArgument(_nn(uuid_t))}
        filter_arg = {"filter": GraphQLArgument(_nn(filt))}
        m: dict[str, GraphQLField] = {
            f"create{ps}": GraphQLField(
                otype,
                args={
                    "data": GraphQLArgument(_nn(create)),
                    "upsert": GraphQLArgument(GraphQLBoolean),
                },
                resolve=res.root("createOne", view),
            ),
            f"create{pp}": GraphQLField(
                many_out,
                args={
                    "data": GraphQLArgument(_nn(GraphQLList(_nn(create)))),
                    "upsert": GraphQLArgument(GraphQLBoolean),
                },
                resolve=res.root("createMany", view),
            ),
            f"update{ps}": GraphQLField(
                otype,
                args={"id": GraphQLArgument(_nn(uuid_t)), "data": GraphQLArgument(_nn(update))},
                resolve=res.root("updateOne", view),
            ),
            f"update{pp}": GraphQLField(
                many_out,
                args={"data": GraphQLArgument(_nn(update)), "filter": GraphQLArgument(_nn(filt))},
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
                    "ids": GraphQLArgument(_nn(GraphQLList(_nn(uuid_t)))),
                    "conflictPriorityIndex": GraphQLArgument(_nn(GraphQLInt)),
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

        for name in SHARED_TYPE_NAMES:
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
        if not query:
            # An empty workspace still needs a Query root: Twenty always has one, and
            # introspection/build_client_schema require it. `_empty` always resolves null.
            query["_empty"] = GraphQLField(
                GraphQLBoolean,
                description="Placeholder: this workspace has no objects yet",
                resolve=self.resolvers.empty(),
            )
        schema = GraphQLSchema(
            query=GraphQLObjectType("Query", query),
            mutation=GraphQLObjectType("Mutation", mutation) if mutation else None,
            types=[self.order_by_direction(), self.filter_is()] if self.views else None,
        )
        return schema


def nested_one_to_many(
    schema: GraphQLSchema, document: DocumentNode, one_to_many: set[tuple[str, str]]
) -> str | None:
    """Name of a one-to-many field selected below another one-to-many field, if any.

    Twenty rejects such documents (TOO_COMPLEX_QUERY). Fragments are inlined; each
    (fragment, nesting) pair is visited once.
    """
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    seen: set[tuple[str, bool]] = set()

    def walk(selection_set: SelectionSetNode | None, parent: Any, inside: bool) -> str | None:
        if selection_set is None:
            return None
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                named = get_named_type(parent)
                if not isinstance(named, GraphQLObjectType):
                    continue
                fdef = named.fields.get(sel.name.value)
                if fdef is None:
                    continue
                is_o2m = (named.name, sel.name.value) in one_to_many
                if is_o2m and inside:
                    return sel.name.value
                found = walk(sel.selection_set, fdef.type, inside or is_o2m)
                if found:
                    return found
            elif isinstance(sel, InlineFragmentNode):
                cond = (
                    schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                )
                found = walk(sel.selection_set, cond or parent, inside)
                if found:
                    return found
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments.get(sel.name.value)
                if frag is None or (sel.name.value, inside) in seen:
                    continue
                seen.add((sel.name.value, inside))
                cond = schema.get_type(frag.type_condition.name.value)
                found = walk(frag.selection_set, cond or parent, inside)
                if found:
                    return found
        return None

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            root = schema.get_root_type(definition.operation)
            found = walk(definition.selection_set, root, False)
            if found:
                return found
    return None


def relations_last(view: ObjectView) -> list[FieldMeta]:
    """Fields in metadata order, relation fields after the others (as Twenty adds them)."""
    return [f for f in view.fields if f.relationType is None] + [
        f for f in view.fields if f.relationType is not None
    ]


def is_required_on_create(fld: FieldMeta) -> bool:
    """Twenty: required (``!``) in a create input iff not nullable and without a default."""
    if fld.name == "id" or fld.relationType is not None:
        return False
    return not fld.isNullable and fld.defaultValue is None


def input_type_of(t: Any) -> GraphQLInputType:
    return cast(GraphQLInputType, t)
