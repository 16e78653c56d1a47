"""Introspection shaped like Twenty's server (graphql-js 16.8), whatever graphql-core runs us.

graphql-core 3.3 follows graphql-js 17: ``@deprecated`` is also allowed on
DIRECTIVE_DEFINITION, ``@oneOf`` is a specified directive, ``__Type.isOneOf``,
``__Directive.isDeprecated``/``deprecationReason`` and the FRAGMENT_VARIABLE_DEFINITION
directive location exist; graphql-core 3.2.8 already has ``@oneOf`` and ``isOneOf``. Twenty pins
graphql 16.8.0, which has none of them, and graphql-core 3.2's ``build_client_schema`` rejects an
introspection that declares ``@deprecated`` on DIRECTIVE_DEFINITION.

``Js16Schema`` is a ``GraphQLSchema`` that serves graphql-js 16.8's directives (include, skip,
deprecated on its four locations, specifiedBy) and lists graphql-js 16.8's introspection types
in ``__schema { types }``; the ``__schema``/``__type`` meta fields resolve to those types, so
validation rejects ``isOneOf`` like graphql-js does. graphql-core 3.2 resolves meta fields
without asking the schema, so there only the directives are replaced: its introspection types
already match graphql-js 16 except ``__Type.isOneOf`` (graphql-core >= 3.2.8), which stays.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any, cast

from graphql import (
    DirectiveLocation,
    GraphQLDeprecatedDirective,
    GraphQLDirective,
    GraphQLEnumType,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLSpecifiedByDirective,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    introspection_types,
    is_specified_directive,
)

__all__ = ["JS16_DIRECTIVES", "Js16Schema", "as_js16"]

#: graphql-js 16.8.0's specified directives, in its order
JS16_DIRECTIVES: tuple[GraphQLDirective, ...] = (
    GraphQLIncludeDirective,
    GraphQLSkipDirective,
    GraphQLDirective(
        name="deprecated",
        locations=[
            DirectiveLocation.FIELD_DEFINITION,
            DirectiveLocation.ARGUMENT_DEFINITION,
            DirectiveLocation.INPUT_FIELD_DEFINITION,
            DirectiveLocation.ENUM_VALUE,
        ],
        args=GraphQLDeprecatedDirective.args,
        description=GraphQLDeprecatedDirective.description,
    ),
    GraphQLSpecifiedByDirective,
)

#: fields of graphql-js 16.8's introspection object types
_JS16_FIELDS: dict[str, tuple[str, ...]] = {
    "__Schema": (
        "description",
        "types",
        "queryType",
        "mutationType",
        "subscriptionType",
        "directives",
    ),
    "__Directive": ("name", "description", "isRepeatable", "locations", "args"),
    "__Type": (
        "kind",
        "name",
        "description",
        "specifiedByURL",
        "fields",
        "interfaces",
        "possibleTypes",
        "enumValues",
        "inputFields",
        "ofType",
    ),
    "__Field": ("name", "description", "args", "type", "isDeprecated", "deprecationReason"),
    "__InputValue": (
        "name",
        "description",
        "type",
        "defaultValue",
        "isDeprecated",
        "deprecationReason",
    ),
    "__EnumValue": ("name", "description", "isDeprecated", "deprecationReason"),
}
#: fields that take no argument in graphql-js 16.8 (graphql-core 3.3 adds includeDeprecated)
_NO_ARGS = frozenset({("__Schema", "directives")})
_JS16_LOCATIONS = (
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
)


_lock = threading.Lock()
#: graphql-core >= 3.3 asks ``GraphQLSchema.get_field`` for ``__schema``/``__type``
_SCHEMA_RESOLVES_META_FIELDS = hasattr(GraphQLSchema, "get_field")


@contextlib.contextmanager
def _reserved_names_free() -> Iterator[None]:
    """graphql-core 3.3 refuses to create a type named like an introspection type
    (``GraphQLNamedType.reserved_types``); lift that while the copies are made."""
    reserved = getattr(GraphQLNamedType, "reserved_types", None)
    if reserved is None:  # graphql-core 3.2
        yield
        return
    GraphQLNamedType.reserved_types = {
        k: v for k, v in reserved.items() if k not in introspection_types
    }
    try:
        yield
    finally:
        GraphQLNamedType.reserved_types = reserved


@functools.cache
def _js16_types() -> dict[str, GraphQLNamedType]:
    """Copies of graphql-core's introspection types cut down to graphql-js 16.8's fields."""
    with _lock, _reserved_names_free():
        return _make_copies()


def _make_copies() -> dict[str, GraphQLNamedType]:
    copies: dict[str, GraphQLNamedType] = {}

    def swap(t: Any) -> Any:
        if isinstance(t, GraphQLNonNull):
            return GraphQLNonNull(swap(t.of_type))
        if isinstance(t, GraphQLList):
            return GraphQLList(swap(t.of_type))
        return copies.get(t.name, t)

    def object_copy(name: str) -> GraphQLObjectType:
        original = cast(GraphQLObjectType, introspection_types[name])

        def fields() -> dict[str, GraphQLField]:
            return {
                fname: GraphQLField(
                    swap(fld.type),
                    args={} if (name, fname) in _NO_ARGS else fld.args,
                    resolve=fld.resolve,
                    description=fld.description,
                    deprecation_reason=fld.deprecation_reason,
                )
                for fname, fld in original.fields.items()
                if fname in _JS16_FIELDS[name]
            }

        return GraphQLObjectType(name, fields, description=original.description)

    location = cast(GraphQLEnumType, introspection_types["__DirectiveLocation"])
    copies["__DirectiveLocation"] = GraphQLEnumType(
        "__DirectiveLocation",
        {k: v for k, v in location.values.items() if k in _JS16_LOCATIONS},
        description=location.description,
    )
    copies["__TypeKind"] = introspection_types["__TypeKind"]
    for name in _JS16_FIELDS:
        copies[name] = object_copy(name)
    for name in _JS16_FIELDS:  # resolve the field thunks now, while the names are free
        _ = cast(GraphQLObjectType, copies[name]).fields
    return copies


@functools.cache
def _meta_fields() -> tuple[GraphQLField, GraphQLField]:
    types = _js16_types()
    schema_field = GraphQLField(
        GraphQLNonNull(cast(GraphQLObjectType, types["__Schema"])),
        description=SchemaMetaFieldDef.description,
        resolve=SchemaMetaFieldDef.resolve,
    )
    type_field = GraphQLField(
        cast(GraphQLObjectType, types["__Type"]),
        args=TypeMetaFieldDef.args,
        description=TypeMetaFieldDef.description,
        resolve=TypeMetaFieldDef.resolve,
    )
    return schema_field, type_field


class Js16Schema(GraphQLSchema):
    """A schema whose introspection looks like a graphql-js 16.8 server's (see module doc)."""

    def __init__(self, **kwargs: Any) -> None:
        custom = [d for d in kwargs.get("directives") or () if not is_specified_directive(d)]
        kwargs["directives"] = [*JS16_DIRECTIVES, *custom]
        super().__init__(**kwargs)
        if not _SCHEMA_RESOLVES_META_FIELDS:
            return  # graphql-core 3.2: the executor would still use its own types
        for name, copy in _js16_types().items():
            if name in self.type_map:
                self.type_map[name] = copy

    def get_field(self, parent_type: Any, field_name: str) -> GraphQLField | None:
        if field_name in ("__schema", "__type") and parent_type is self.query_type:
            schema_field, type_field = _meta_fields()
            return schema_field if field_name == "__schema" else type_field
        field: GraphQLField | None = super().get_field(parent_type, field_name)
        return field


def as_js16(schema: GraphQLSchema) -> Js16Schema:
    """The same schema (types shared, not copied) with graphql-js 16.8 introspection."""
    kwargs = dict(schema.to_kwargs())
    kwargs.pop("assume_valid", None)
    return Js16Schema(**kwargs)
