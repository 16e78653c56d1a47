"""Per-object input types of the core schema (and the per-field enum/leaf types and aggregate
specs they use): create/update, filter, orderBy, groupBy,
where-unique and relation (connect/disconnect) inputs, and findMany arguments."""

from __future__ import annotations

import functools
from typing import Any, cast

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLString,
)

from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    ENUM_FIELD_TYPES,
    CompositeSubField,
    FieldMeta,
    capitalize,
    pascal,
)
from twenty_gql.testing.schema_types import (
    SharedTypes,
    is_required_on_create,
    nn,
    relations_last,
)
from twenty_gql.testing.views import (
    AggregateSpec,
    ObjectView,
    enum_type_name,
    number_kind,
    type_name,
)

__all__ = ["InputTypes"]


class InputTypes(SharedTypes):
    def leaf_output(self, view: ObjectView, fld: FieldMeta) -> Any:
        t = fld.type
        if t in COMPOSITE_TYPES:
            return self.composite(t, "")
        if t in ENUM_FIELD_TYPES:
            enum = self.enum_for(view, fld)
            if t == "MULTI_SELECT":
                return GraphQLList(nn(enum)) if not fld.isNullable else GraphQLList(enum)
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
                connect_name, lambda: {"where": GraphQLInputField(nn(self.where_unique(target)))}
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
                    t = nn(t)
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
