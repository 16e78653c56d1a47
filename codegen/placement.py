"""Stage: which module each metadata type lives in, so a call loads only what its answer needs.

The metadata endpoint has no records, and one module of all its types costs every first call
the import of thousands of lines. Instead, each output type (struct, enum, union) is placed by
*use*: the root fields whose result, as selected (:mod:`codegen.selections`), reaches it. Types
reached by exactly the same root fields are always needed together and share a module
``types/<name>.py`` (named after its shortest type a root field returns, else its shortest);
a union and its members share one so the union stays a named alias. The root fields themselves live in the module of the type they
return (``objects`` next to ``ObjectConnection``), those returning a scalar in ``_scalars``.
Input objects, and enums only inputs use, go to ``_inputs`` (operations import them for type
checking only); types no root field reaches stay in ``_types``.

References across these modules are resolved by :class:`codegen.types.TypeBuilder` as for core
objects: lazily (``_m_<module>.Name``) at run time, or for type checking only.
"""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
)

from codegen import naming
from codegen.selections import Selections

__all__ = ["INPUTS", "SCALAR_OPS", "TYPES_DIR", "op_module", "place_metadata"]

INPUTS = "_inputs"
SCALAR_OPS = "_scalars"
TYPES_DIR = "types"

_Output = GraphQLObjectType | GraphQLEnumType | GraphQLUnionType | GraphQLInterfaceType


def _uses(s: Selections, t: GraphQLNamedType) -> list[_Output]:
    """The types a struct/union of ``t`` names at run time (its selected fields, its members)."""
    found: list[GraphQLNamedType] = []
    if isinstance(t, GraphQLObjectType):
        found = [get_named_type(t.fields[f].type) for f in s.struct_field_names(t)]
    elif isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)):
        found = list(s.possible(t))
    return [x for x in found if isinstance(x, _Output)]


def _root_fields(s: Selections) -> list[tuple[str, GraphQLField]]:
    out: list[tuple[str, GraphQLField]] = []
    for kind, root in (("query", s.schema.query_type), ("mutation", s.schema.mutation_type)):
        if root is not None:
            out += [(f"{kind}\0{name}", f) for name, f in root.fields.items()]
    return out


def _reached(s: Selections) -> dict[str, set[str]]:
    """Output type name -> the root fields whose selected result reaches it."""
    reached: dict[str, set[str]] = {}
    for root, f in _root_fields(s):
        todo = [get_named_type(f.type)]
        seen: set[str] = set()
        while todo:
            t = todo.pop()
            if t.name not in seen and isinstance(t, _Output):
                seen.add(t.name)
                todo += _uses(s, t)
        for name in seen:
            reached.setdefault(name, set()).add(root)
    return reached


def _groups(s: Selections, reached: dict[str, set[str]]) -> list[list[str]]:
    """Output types in groups: same root fields reaching them, or a union and its members."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def merge(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of: dict[frozenset[str], str] = {}
    for name in sorted(reached):
        merge(name, first_of.setdefault(frozenset(reached[name]), name))
    for t in s.types.values():
        if isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)):
            for member in s.possible(t):
                merge(t.name, member.name)
    groups: dict[str, list[str]] = {}
    for name, t in s.types.items():
        if isinstance(t, _Output):
            groups.setdefault(find(name), []).append(name)
    return list(groups.values())


def place_metadata(s: Selections) -> dict[str, str]:
    """Schema type name -> module key for every metadata type (see the module docstring)."""
    reached = _reached(s)
    returned = {get_named_type(f.type).name for _, f in _root_fields(s)}
    owner: dict[str, str] = {}
    modules = naming.Namespace()
    named = sorted(
        (min(names, key=lambda n: (n not in returned, len(n), n)), names)
        for names in _groups(s, reached)
        if any(n in reached for n in names)
    )
    for rep, names in named:
        key = f"{TYPES_DIR}/{modules.claim(rep, naming.module_name(rep))}"
        owner.update(dict.fromkeys(names, key))
    inputs_only = _enums_of_inputs(s)
    for name, t in s.types.items():
        if isinstance(t, GraphQLInputObjectType) or (name in inputs_only and name not in owner):
            owner[name] = INPUTS
        elif isinstance(t, _Output):
            owner.setdefault(name, s.common)
    return owner


def _enums_of_inputs(s: Selections) -> set[str]:
    return {
        get_named_type(f.type).name
        for t in s.types.values()
        if isinstance(t, GraphQLInputObjectType)
        for f in t.fields.values()
        if isinstance(get_named_type(f.type), GraphQLEnumType)
    } | {
        get_named_type(a.type).name
        for root in (s.schema.query_type, s.schema.mutation_type)
        if root is not None
        for f in root.fields.values()
        for a in f.args.values()
        if isinstance(get_named_type(a.type), GraphQLEnumType)
    }


def op_module(owner: dict[str, str], f: GraphQLField) -> str:
    """The module of root field ``f``: the one of the type it returns, else ``_scalars``."""
    key = owner.get(get_named_type(f.type).name, "")
    return key if key.startswith(TYPES_DIR + "/") else SCALAR_OPS
