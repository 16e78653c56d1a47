"""Stage: what each operation selects.

Records select every scalar, enum and composite field (all sub-fields) plus relation foreign
keys; relations (fields whose type is a record or a record connection) are offered through
``include=``. Metadata (and any unrecognised) types select leaves plus object fields up to
``METADATA_DEPTH`` levels without cycles; connection/edge/page-info wrappers do not count as a
level. Deprecated fields and fields with required arguments are never selected. Fields whose
shapes clash inside a union/interface selection get response aliases.
"""

from __future__ import annotations

from dataclasses import replace

from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)

from codegen import model as m
from codegen.conventions import Conventions, deprecated, has_required_args

__all__ = ["METADATA_DEPTH", "Selections"]

METADATA_DEPTH = 2
_CONNECTION_KEEP = ("edges", "pageInfo", "totalCount", "groupByDimensionValues")


def _shapes_conflict(a: GraphQLType, b: GraphQLType) -> bool:
    """GraphQL's ``doTypesConflict``: list vs not, nullability, or two different leaf types."""
    if isinstance(a, GraphQLList) or isinstance(b, GraphQLList):
        if not (isinstance(a, GraphQLList) and isinstance(b, GraphQLList)):
            return True
        return _shapes_conflict(a.of_type, b.of_type)
    if isinstance(a, GraphQLNonNull) or isinstance(b, GraphQLNonNull):
        if not (isinstance(a, GraphQLNonNull) and isinstance(b, GraphQLNonNull)):
            return True
        return _shapes_conflict(a.of_type, b.of_type)
    if is_leaf_type(a) or is_leaf_type(b):
        return getattr(a, "name", None) != getattr(b, "name", None)
    return False


class Selections(Conventions):
    """:class:`Conventions` plus the fields every result type selects."""

    def __init__(self, endpoint: str, schema: GraphQLSchema) -> None:
        super().__init__(endpoint, schema)
        self._field_names: dict[str, list[str]] = {}
        self._fragments: dict[str, m.Fragment] = {}
        self._compute_aliases()

    def _compute_aliases(self) -> None:
        """Response aliases for fields that would conflict inside a union/interface selection.

        GraphQL rejects ``... on A { x } ... on B { x }`` when ``A.x`` and ``B.x`` have
        different shapes (OverlappingFieldsCanBeMerged: list vs not, nullability, different
        leaf types, recursively in sub-selections). Such a field is selected as ``x__A: x``
        wherever ``A`` is selected, and ``A``'s struct decodes that key.
        """
        self.aliases: dict[tuple[str, str], str] = {}
        for t in self.types.values():
            if not isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)):
                continue
            members = self.possible(t)
            clash: set[str] = set()
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    clash.update(self._clashing_fields(a, b, set()))
            for member in members:
                for fname in self.struct_field_names(member):
                    key = (member.name, fname)
                    if fname not in clash or key in self.aliases:
                        continue
                    alias, n = f"{fname}__{member.name}", 1
                    while alias in member.fields:
                        n += 1
                        alias = f"{fname}__{member.name}_{n}"
                    self.aliases[key] = alias

    def _clashing_fields(
        self, a: GraphQLObjectType, b: GraphQLObjectType, seen: set[tuple[str, str]]
    ) -> set[str]:
        """Field names selected on both ``a`` and ``b`` whose shapes cannot be merged."""
        if (a.name, b.name) in seen:
            return set()
        seen.add((a.name, b.name))
        out = set()
        for fname in set(self.struct_field_names(a)) & set(self.struct_field_names(b)):
            ta, tb = a.fields[fname].type, b.fields[fname].type
            if _shapes_conflict(ta, tb):
                out.add(fname)
                continue
            na, nb = get_named_type(ta), get_named_type(tb)
            if (
                isinstance(na, GraphQLObjectType)
                and isinstance(nb, GraphQLObjectType)
                and self._clashing_fields(na, nb, seen)
            ):
                out.add(fname)
        return out

    def _response(self, t: GraphQLObjectType, fname: str) -> m.FieldSel:
        return m.FieldSel(fname, self.aliases.get((t.name, fname), ""))

    # ---- references and annotations ------------------------------------------------
    def _transparent(self, t: GraphQLNamedType) -> bool:
        return t.name.endswith(("Connection", "Edge")) or t.name == "PageInfo"

    def _wrapper_complete(self, t: GraphQLNamedType, level: int, path: tuple[str, ...]) -> bool:
        """Whether every object field of wrapper ``t`` (connection, edge, page info) can be
        selected at ``level`` below ``path``. A wrapper is selected only whole, so its result
        struct declares ``edges`` / ``node`` / ``pageInfo`` as always present."""
        assert isinstance(t, (GraphQLObjectType, GraphQLInterfaceType))
        for fname in self.struct_field_names(t):
            named = get_named_type(t.fields[fname].type)
            if is_leaf_type(named):
                continue
            if named.name in path:
                return False
            nl = level if self._transparent(named) else level + 1
            if nl > METADATA_DEPTH:
                return False
            if self._transparent(named) and not self._wrapper_complete(
                named, nl, (*path, named.name)
            ):
                return False
        return True

    def struct_field_names(self, t: GraphQLObjectType | GraphQLInterfaceType) -> list[str]:
        """Fields a result struct for ``t`` declares (and selections may choose from)."""
        cached = self._field_names.get(t.name)
        if cached is None:
            cached = self._field_names[t.name] = self._struct_field_names(t)
        return cached

    def _struct_field_names(self, t: GraphQLObjectType | GraphQLInterfaceType) -> list[str]:
        out = []
        for fname, f in t.fields.items():
            if deprecated(f) or has_required_args(f) or fname.startswith("__"):
                continue
            named = get_named_type(f.type)
            if self.is_core and (
                named.name in self.records or named.name in self.record_connections
            ):
                if (t.name in self.record_connections and fname == "edges") or (
                    t.name in self.record_edges and fname == "node"
                ):
                    out.append(fname)
                continue  # relations: through include=
            if t.name in self.record_connections and fname not in _CONNECTION_KEEP:
                continue
            if isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)) and not self.possible(
                named
            ):
                continue
            out.append(fname)
        return out

    def always_selected(self, t: GraphQLObjectType) -> bool:
        """Core types (records, composites, connections) are always selected in full."""
        return self.is_core

    def selection(
        self,
        t: GraphQLNamedType,
        level: int,
        path: tuple[str, ...],
        used: dict[str, m.Fragment] | None = None,
    ) -> tuple[m.Selection, ...]:
        """The selections of ``t``, never empty. With ``used``, a core record is selected as
        ``...XFields`` and its fragment noted in ``used``; without, it is written out."""
        if isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)):
            members: list[m.Selection] = [m.FieldSel("__typename")]
            for member in self.possible(t):
                inner = self.selection(member, level, path, used)
                members.append(m.InlineFragment(member.name, inner))
            return tuple(members)
        assert isinstance(t, GraphQLObjectType)
        if used is not None and self.is_core and t.name in self.records:
            fragment = self.record_fragment(t)
            used[fragment.name] = fragment
            return (m.FragmentSpread(fragment.name),)
        parts: list[m.Selection] = [m.FieldSel("__typename")] if t.name in self.tagged else []
        for fname in self.struct_field_names(t):
            named = get_named_type(t.fields[fname].type)
            if is_leaf_type(named):
                parts.append(self._response(t, fname))
                continue
            inner = self._sub_selection(t, named, level, path, used)
            if inner:
                parts.append(replace(self._response(t, fname), selections=inner))
        return tuple(parts) or (m.FieldSel("__typename"),)

    def _sub_selection(
        self,
        t: GraphQLObjectType,
        named: GraphQLNamedType,
        level: int,
        path: tuple[str, ...],
        used: dict[str, m.Fragment] | None,
    ) -> tuple[m.Selection, ...]:
        """What field of type ``named`` on ``t`` selects; () to leave the field out."""
        if self.is_core:
            if named.name in path and named.name not in self.record_connections:
                return ()
            if named.name in self.records and t.name not in self.record_edges:
                return ()
            return self.selection(named, level, (*path, named.name), used)
        if named.name in path:
            return ()
        nl = level if self._transparent(named) else level + 1
        if nl > METADATA_DEPTH:
            return ()
        if self._transparent(named) and not self._wrapper_complete(named, nl, (*path, named.name)):
            return ()
        return self.selection(named, nl, (*path, named.name), used)

    def record_fragment(self, t: GraphQLObjectType) -> m.Fragment:
        """``fragment XFields on X { ... }``: every field a record ``X`` selects."""
        found = self._fragments.get(t.name)
        if found is None:
            found = self._fragments[t.name] = m.Fragment(
                f"{t.name}Fields", t.name, self.selection(t, 1, (t.name,))
            )
        return found

    def root_selection(
        self, t: GraphQLNamedType, used: dict[str, m.Fragment]
    ) -> tuple[m.Selection, ...]:
        if is_leaf_type(t):
            return ()
        level = 0 if self._transparent(t) else 1
        return self.selection(t, level, (t.name,), used)

    # ---- type definitions ------------------------------------------------------------
