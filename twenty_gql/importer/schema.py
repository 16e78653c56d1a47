"""What ``twenty-gql import`` needs from the workspace schema, read from the one introspection
model the code generator uses (:mod:`codegen.introspect`: a graphql-core ``GraphQLSchema``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    get_introspection_query,
)

__all__ = ["INTROSPECTION", "ImportSchema", "TypeRef", "UsageError"]

#: the standard introspection query (what ``twenty-gql generate`` sends), without descriptions
INTROSPECTION = get_introspection_query(descriptions=False)


class UsageError(Exception):
    """A problem that stops the import before anything is sent (exit 2)."""


@dataclass(frozen=True)
class TypeRef:
    """An input type reference: ``[Enum!]!`` is list=True, item_required=True, required=True."""

    name: str
    kind: str  # SCALAR | ENUM | INPUT_OBJECT
    required: bool
    list: bool = False
    item_required: bool = False


def _unwrap(t: GraphQLInputType) -> TypeRef:
    required = isinstance(t, GraphQLNonNull)
    node: Any = t.of_type if isinstance(t, GraphQLNonNull) else t
    is_list = isinstance(node, GraphQLList)
    item_required = False
    if is_list:
        node = node.of_type
        item_required = isinstance(node, GraphQLNonNull)
        if item_required:
            node = node.of_type
    if isinstance(node, (GraphQLList, GraphQLNonNull)):
        raise ValueError("unsupported input type shape in the schema")
    kind = (
        "ENUM"
        if isinstance(node, GraphQLEnumType)
        else "INPUT_OBJECT"
        if isinstance(node, GraphQLInputObjectType)
        else "SCALAR"
    )
    return TypeRef(node.name, kind, required, is_list, item_required)


def _has_default(f: GraphQLInputField) -> bool:
    # graphql-core 3.3 keeps a schema's default in ``default``; 3.2 in ``default_value``
    return getattr(f, "default", None) is not None or f.default_value is not Undefined


@dataclass
class ImportSchema:
    """What the importer needs from the introspected workspace schema."""

    inputs: dict[str, dict[str, tuple[TypeRef, bool]]]  # type -> field -> (ref, has default)
    enums: dict[str, frozenset[str]]
    creates: dict[str, tuple[str, str]]  # create<Plural> field -> (data arg input type, name)

    @classmethod
    def from_schema(cls, schema: GraphQLSchema) -> ImportSchema:
        inputs: dict[str, dict[str, tuple[TypeRef, bool]]] = {}
        enums: dict[str, frozenset[str]] = {}
        for name, t in schema.type_map.items():
            if isinstance(t, GraphQLInputObjectType):
                fields: dict[str, tuple[TypeRef, bool]] = {}
                for fname, f in t.fields.items():
                    try:
                        fields[fname] = (_unwrap(f.type), _has_default(f))
                    except ValueError:
                        continue
                inputs[name] = fields
            elif isinstance(t, GraphQLEnumType) and not name.startswith("__"):
                enums[name] = frozenset(t.values)
        return cls(inputs, enums, _creates(schema))

    def resolve_object(self, obj: str) -> tuple[str, str]:
        """OBJECT (``company``, ``companies``, ``Company``) -> (create<Plural> field, input type)."""
        pascal = obj[:1].upper() + obj[1:]
        if f"create{pascal}" in self.creates:
            field_name = f"create{pascal}"
            return field_name, self.creates[field_name][0]
        wanted = f"{pascal}CreateInput"
        for field_name, (input_type, _) in sorted(self.creates.items()):
            if input_type == wanted:
                return field_name, input_type
        known = sorted(
            t.removesuffix("CreateInput")[:1].lower() + t.removesuffix("CreateInput")[1:]
            for t, _ in self.creates.values()
        )
        raise UsageError(
            f"unknown object {obj!r}: the workspace has no batch create for it "
            f"(objects: {', '.join(known)})"
        )

    def unique_fields(self, input_type: str) -> tuple[str, ...]:
        """Upsert keys from ``<X>WhereUniqueInput`` (dotted for composite sub-fields), minus id."""
        where = self.inputs.get(input_type.removesuffix("CreateInput") + "WhereUniqueInput", {})
        keys: list[str] = []
        for name, (ref, _) in sorted(where.items()):
            if name == "id":
                continue
            if ref.kind == "INPUT_OBJECT":
                keys += [f"{name}.{sub}" for sub in sorted(self.inputs.get(ref.name, {}))]
            else:
                keys.append(name)
        return tuple(keys)


def _creates(schema: GraphQLSchema) -> dict[str, tuple[str, str]]:
    creates: dict[str, tuple[str, str]] = {}
    mutation = schema.mutation_type
    for name, f in (mutation.fields if mutation is not None else {}).items():
        data = f.args.get("data")
        if not name.startswith("create") or data is None or "upsert" not in f.args:
            continue
        try:
            ref = _unwrap(data.type)
        except ValueError:
            continue
        if ref.list and ref.name.endswith("CreateInput"):
            creates[name] = (ref.name, name)
    return creates
