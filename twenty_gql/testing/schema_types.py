"""Shared types of the core schema (filters, ordering, PageInfo, composite and file types),
and helpers shared by the per-object builders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from graphql import (
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
    GraphQLString,
)

from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    CompositeSubField,
    FieldMeta,
    pascal,
)
from twenty_gql.testing.scalars import SCALARS
from twenty_gql.testing.views import (
    AggregateSpec,
    ObjectView,
    ResolverProvider,
)

__all__ = [
    "COMPOSITE_INPUT_KINDS",
    "OBJECT_TYPE_SUFFIXES",
    "SHARED_TYPE_NAMES",
    "SharedTypes",
    "input_type_of",
    "is_required_on_create",
    "nn",
    "relations_last",
]

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


def nn(t: Any) -> Any:
    return GraphQLNonNull(t)


class SharedTypes:
    """Types every object uses (filters, PageInfo, composite types, ...), memoised by name."""

    def __init__(self, views: list[ObjectView], resolvers: ResolverProvider) -> None:
        self.views = views
        self.view_by_name = {v.obj.nameSingular: v for v in views}
        self.resolvers = resolvers
        self.types: dict[str, GraphQLNamedType] = {}
        self.aggregate_specs: dict[str, dict[str, AggregateSpec]] = {}
        #: (object type name, field name) of every one-to-many connection field
        self.one_to_many: set[tuple[str, str]] = set()

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
                        "hasNextPage": GraphQLField(nn(GraphQLBoolean)),
                        "hasPreviousPage": GraphQLField(nn(GraphQLBoolean)),
                    },
                ),
            ),
        )

    def _comparison_filter(self, name: str, scalar: Any, ops: tuple[str, ...]) -> Any:
        def make() -> GraphQLInputObjectType:
            fields: dict[str, GraphQLInputField] = {}
            for op in ops:
                if op == "in":
                    fields[op] = GraphQLInputField(GraphQLList(nn(scalar)))
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
                        "in": GraphQLInputField(GraphQLList(nn(s))),
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
                    "fileId": GraphQLField(nn(self.scalar("UUID"))),
                    "label": GraphQLField(nn(GraphQLString)),
                    "fileCategory": GraphQLField(nn(category)),
                },
            ),
        )
        inp = self._memo(
            "FileInput",
            lambda: GraphQLInputObjectType(
                "FileInput",
                {
                    "fileId": GraphQLInputField(nn(self.scalar("UUID"))),
                    "label": GraphQLInputField(nn(GraphQLString)),
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
                            nn(self.sub_scalar(ctype, s))
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
