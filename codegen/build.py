"""Stage 2: graphql-core schemas -> IR (:mod:`codegen.model`).

Twenty conventions recognised on the core (``/graphql``) schema, read from the live schema:

* a *record type* ``X`` is the ``node`` of ``XConnection.edges`` returned by a query field
  (``companies: CompanyConnection`` -> ``Company``); its module also owns ``XEdge``,
  ``XConnection``, ``XGroupByConnection`` and every type named ``X<Something>`` that ends in
  ``Input``/``Enum``/``Filter`` (longest record-name prefix wins);
* root fields are matched to facade methods by return type and name prefix (findMany,
  findOne, findDuplicates, groupBy, create/update/delete/destroy/restore one and many, merge);
  every other root field still gets a generic typed function (in ``core/_root.py``);
* bulk-upsert keys are the fields of ``XWhereUniqueInput``.

Selections: records select every scalar, enum and composite field (all sub-fields) plus
relation foreign keys; relations (fields whose type is a record or a record connection) are
offered through ``include=``. Metadata (and any unrecognised) types select leaves plus object
fields up to ``METADATA_DEPTH`` levels without cycles; connection/edge/page-info wrappers do not
count as a level. Deprecated fields and fields with required arguments are never selected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined

from codegen import model as m
from codegen import naming
from codegen.scalars import STD_ALIASES, ScalarMap
from codegen.text import py_str

__all__ = ["METADATA_DEPTH", "EndpointInput", "build_endpoint", "render_imports"]

METADATA_DEPTH = 2


_STD_ALIASES = {
    "_dt": "import datetime as _dt",
    "_decimal": "import decimal as _decimal",
    "_enum": "import enum as _enum",
    "_t": "import typing as _t",
    "_uuid": "import uuid as _uuid",
}
_THIRD_ALIASES = {
    "_msgspec": "import msgspec as _msgspec",
    "_te": "import typing_extensions as _te",
}
_FIRST_ALIASES: dict[str, str] = {}
_ALIAS_RE = re.compile(r"\b(_dt|_decimal|_enum|_t|_uuid|_msgspec|_te)\.")

STD_MODULES = frozenset(STD_ALIASES)
STRUCT_BASES = "_msgspec.Struct, frozen=True, kw_only=True"
_CONNECTION_KEEP = ("edges", "pageInfo", "totalCount", "groupByDimensionValues")
_INPUT_SUFFIXES = ("Input", "Enum", "Filter")


@dataclass(frozen=True)
class EndpointInput:
    endpoint: str  # "graphql" | "metadata"
    schema: GraphQLSchema
    scalars: ScalarMap = field(default_factory=ScalarMap)


@dataclass
class _Imports:
    """Names one module needs, collected while its annotations are built."""

    aliases: set[str] = field(default_factory=set)
    runtime: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    type_checking: dict[str, set[str]] = field(default_factory=dict)
    lazy: dict[str, str] = field(default_factory=dict)  # alias -> module
    modules: set[str] = field(default_factory=set)  # ``import x.y as _s_x_y`` lines (scalars)
    needs_runtime_helper: bool = False

    def scan(self, code: str) -> str:
        self.aliases.update(_ALIAS_RE.findall(code))
        return code


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


def _member_key(name: str) -> tuple[int, str, str]:
    # ruff/isort "order-by-type": CONSTANTS, then Classes, then variables.
    if name.isupper() and len(name) > 1:
        return (0, name.lower(), name)
    if name[:1].isupper():
        return (1, name.lower(), name)
    return (2, name.lower(), name)


def _from_import(module: str, names: Iterable[str], indent: str = "") -> list[str]:
    ordered = sorted(set(names), key=_member_key)
    one = f"{indent}from {module} import {ordered[0]}"
    if len(ordered) == 1 and len(one) <= 100:
        return [one]
    return (
        [f"{indent}from {module} import ("]
        + [f"{indent}    {n}," for n in ordered]
        + [f"{indent})"]
    )


def _module_sort_key(module: str) -> tuple[int, str]:
    level = len(module) - len(module.lstrip("."))
    return (-level, module.lstrip("."))


def _relative(src: str, dst: str) -> str:
    """Relative module path from module key ``src`` to module key ``dst`` (keys use ``/``)."""
    src_dir = src.split("/")[:-1]
    dst_parts = dst.split("/")
    if src_dir == dst_parts[:-1]:
        return "." + dst_parts[-1]
    return "." * (1 + len(src_dir)) + ".".join(dst_parts)


def _split(module: str) -> tuple[str, str]:
    """``..objects.person`` -> (``..objects``, ``person``); ``.person`` -> (``.``, ``person``)."""
    dots = len(module) - len(module.lstrip("."))
    rest = module[dots:]
    if "." in rest:
        head, tail = rest.rsplit(".", 1)
        return "." * dots + head, tail
    return "." * dots, rest


def render_imports(imp: _Imports, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    depth = len(key.split("/")) - 1
    std = [_STD_ALIASES[a] for a in sorted(imp.aliases) if a in _STD_ALIASES]
    if (imp.type_checking or imp.lazy) and "import typing as _t" not in std:
        std.append("import typing as _t")
    std.sort(key=lambda s: s.split()[1])
    third = [_THIRD_ALIASES[a] for a in sorted(imp.aliases) if a in _THIRD_ALIASES]
    third = sorted([*third, *imp.modules], key=lambda s: s.split()[1])
    first = [_FIRST_ALIASES[a] for a in sorted(imp.aliases) if a in _FIRST_ALIASES]
    local: list[tuple[tuple[int, str], list[str]]] = []
    if imp.needs_runtime_helper or imp.lazy:
        up = "." * (depth + 2)
        local.append((_module_sort_key(up), [f"from {up} import _runtime"]))
    for target, names in imp.runtime.items():
        module = _relative(key, target)
        local.append((_module_sort_key(module), _from_import(module, names)))
    local.sort(key=lambda kv: kv[0])
    groups = [g for g in (std, third, first, [ln for _, lines in local for ln in lines]) if g]
    runtime_lines: list[str] = []
    for g in groups:
        if runtime_lines:
            runtime_lines.append("")
        runtime_lines.extend(g)
    tc: list[tuple[tuple[int, str, str], list[str]]] = []
    for alias, target in imp.lazy.items():
        pkg, name = _split(_relative(key, target))
        lvl, mod = _module_sort_key(pkg)
        tc.append(((lvl, mod, name), [f"    from {pkg} import {name} as {alias}"]))
    absolute: list[str] = []
    for target, names in sorted(imp.type_checking.items()):
        if target.startswith("\0"):
            absolute += _from_import(target[1:], names, "    ")
            continue
        module = _relative(key, target)
        lvl, mod = _module_sort_key(module)
        tc.append(((lvl, mod, ""), _from_import(module, names, "    ")))
    tc.sort(key=lambda kv: kv[0])
    relative = [line for _, lines in tc for line in lines]
    if absolute and relative:
        absolute.append("")
    return tuple(runtime_lines), tuple(absolute + relative)


def _unwrap(t: GraphQLType) -> GraphQLType:
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def _deprecated(f: GraphQLField | GraphQLInputField | GraphQLArgument) -> bool:
    return bool(getattr(f, "deprecation_reason", None))


def _has_default(f: GraphQLInputField | GraphQLArgument) -> bool:
    """Whether the schema gives ``f`` a default (graphql-core 3.3 ``default``, 3.2 ``default_value``)."""
    default = getattr(f, "default", None)
    if default is not None and default is not Undefined:
        return True
    return getattr(f, "default_value", Undefined) is not Undefined


def _has_required_args(f: GraphQLField) -> bool:
    return any(_is_required_input(a) for a in f.args.values())


def _is_required_input(f: GraphQLInputField | GraphQLArgument) -> bool:
    return isinstance(f.type, GraphQLNonNull) and not _has_default(f)


def _doc(obj: object) -> str:
    desc = getattr(obj, "description", None)
    return desc if isinstance(desc, str) else ""


class _Endpoint:
    """Builds all modules of one endpoint (``core`` or ``metadata``)."""

    def __init__(
        self, endpoint: str, schema: GraphQLSchema, scalars: ScalarMap | None = None
    ) -> None:
        self.endpoint = endpoint
        self.scalars = scalars if scalars is not None else ScalarMap()
        self.schema = schema  # canonical (sorted) already: see codegen.introspect
        self.is_core = endpoint == "graphql"
        self.pkg = "core" if self.is_core else "metadata"
        self.common = "_common" if self.is_core else "_types"
        self.types = {
            n: t for n, t in sorted(self.schema.type_map.items()) if not n.startswith("__")
        }
        self._find_records()
        self._name_classes()
        self._assign_modules()
        self._compute_tagged()
        self.imports: dict[str, _Imports] = {}
        self._field_names: dict[str, list[str]] = {}
        self.meta_props: tuple[tuple[str, str], ...] = ()
        self._compute_aliases()

    # ---- classification -------------------------------------------------------------
    def _find_records(self) -> None:
        self.records: dict[str, str] = {}  # record type name -> findMany root field
        self.record_connections: dict[str, str] = {}  # XConnection -> X
        self.record_edges: dict[str, str] = {}  # XEdge -> X
        q = self.schema.query_type
        if not self.is_core or q is None:
            return
        for fname, f in q.fields.items():
            conn = get_named_type(f.type)
            if isinstance(_unwrap(f.type), GraphQLList) or not isinstance(conn, GraphQLObjectType):
                continue
            node = self._connection_node(conn)
            if node is not None and conn.name == f"{node.name}Connection":
                self.records.setdefault(node.name, fname)
                self.record_connections[conn.name] = node.name
                edge = get_named_type(conn.fields["edges"].type)
                self.record_edges[edge.name] = node.name
        for name in list(self.records):
            gb = self.types.get(f"{name}GroupByConnection")
            if isinstance(gb, GraphQLObjectType):
                self.record_connections[gb.name] = name

    def _connection_node(self, t: GraphQLObjectType) -> GraphQLObjectType | None:
        edges = t.fields.get("edges")
        if edges is None:
            return None
        edge = get_named_type(edges.type)
        if not isinstance(edge, GraphQLObjectType) or "node" not in edge.fields:
            return None
        node = get_named_type(edge.fields["node"].type)
        return node if isinstance(node, GraphQLObjectType) else None

    def _name_classes(self) -> None:
        ns = naming.Namespace()
        # The documented entry points keep their names: claimed before any schema type (a type
        # named ``CoreApi`` becomes ``CoreApi_2``, and the top-level package still exports
        # ``CoreApi`` from ``core._api``).
        for key, api in (
            ("\0core", "CoreApi"),
            ("\0meta", "MetadataApi"),
            ("\0objs", "ObjectsApi"),
            ("\0fields", "FieldsApi"),
        ):
            ns.claim(key, api)
        names = [
            n
            for n, t in self.types.items()
            if isinstance(t, (GraphQLObjectType, GraphQLInputObjectType, GraphQLEnumType))
        ]
        self.cls = ns.claim_all(names, naming.class_name, case_insensitive=False)
        extra: dict[str, str] = {}
        for n, t in self.types.items():
            if isinstance(t, GraphQLEnumType):
                extra[f"{n}\0lit"] = f"{self.cls[n]}Literal"
        for r in self.records:
            extra[f"{r}\0api"] = f"{self.cls[r]}Api"
            extra[f"{r}\0rel"] = f"{self.cls[r]}WithRelations"
            extra[f"{r}\0relconn"] = f"{self.cls[r]}WithRelationsConnection"
            extra[f"{r}\0reledge"] = f"{self.cls[r]}WithRelationsEdge"
            extra[f"{r}\0relname"] = f"{self.cls[r]}RelationName"
        for key in sorted(extra):
            ns.claim(key, extra[key])
        self.cls = dict(ns.assigned)

    def _assign_modules(self) -> None:
        self.owner: dict[str, str] = {}
        mods = naming.Namespace(
            reserved={"_common", "_types", "_root", "_api", "_queries", "_mutations"}
        )
        self.record_module = {
            r: f"objects/{mod}"
            for r, mod in mods.claim_all(
                self.records, naming.module_name, case_insensitive=True
            ).items()
        }
        by_len = sorted(self.records, key=lambda r: (-len(r), r))
        for n, t in self.types.items():
            if isinstance(t, (GraphQLScalarType, GraphQLUnionType, GraphQLInterfaceType)):
                continue
            owner = self.common
            if n in self.records:
                owner = self.record_module[n]
            elif n in self.record_connections:
                owner = self.record_module[self.record_connections[n]]
            elif n in self.record_edges:
                owner = self.record_module[self.record_edges[n]]
            elif self.is_core:
                for r in by_len:
                    rest = n[len(r) :]
                    if (
                        n.startswith(r)
                        and rest[:1].isupper()
                        and (rest == "Edge" or rest.endswith(_INPUT_SUFFIXES))
                    ):
                        owner = self.record_module[r]
                        break
            self.owner[n] = owner

    def _compute_tagged(self) -> None:
        self.tagged: set[str] = set()
        for t in self.types.values():
            if isinstance(t, GraphQLUnionType):
                self.tagged.update(x.name for x in t.types)
            elif isinstance(t, GraphQLInterfaceType):
                self.tagged.update(x.name for x in self.schema.get_possible_types(t))

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
            members = self._possible(t)
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

    def _response(self, t: GraphQLObjectType, fname: str) -> str:
        alias = self.aliases.get((t.name, fname))
        return f"{alias}: {fname}" if alias else fname

    # ---- references and annotations ------------------------------------------------
    def imp(self, module: str) -> _Imports:
        found = self.imports.get(module)
        if found is None:
            found = self.imports[module] = _Imports()
        return found

    def ref(self, module: str, type_name: str, *, runtime: bool, key: str | None = None) -> str:
        owner = self.owner[type_name]
        name = self.cls[key if key is not None else type_name]
        if owner == module:
            return name
        imp = self.imp(module)
        if owner == self.common:
            imp.runtime.setdefault(owner, set()).add(name)
            return name
        if runtime:
            alias = "_m_" + owner.rsplit("/", 1)[-1]
            imp.lazy[alias] = owner
            return f"{alias}.{name}"
        imp.type_checking.setdefault(owner, set()).add(name)
        return name

    def out_ann(self, module: str, t: GraphQLType, *, nullable_ok: bool = True) -> str:
        """Annotation of an output value (``X | None`` when nullable)."""
        if isinstance(t, GraphQLNonNull):
            return self._out_inner(module, t.of_type)
        inner = self._out_inner(module, t)
        return inner if inner == "_t.Any" else f"{inner} | None"

    def _out_inner(self, module: str, t: GraphQLType) -> str:
        imp = self.imp(module)
        if isinstance(t, GraphQLList):
            return imp.scan(f"list[{self.out_ann(module, t.of_type)}]")
        named = get_named_type(t)
        if isinstance(named, GraphQLScalarType):
            return imp.scan(self.scalar(module, named.name)[0])
        if isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)):
            members = [x.name for x in self._possible(named)]
            if not members:
                return imp.scan("dict[str, _t.Any]")
            return " | ".join(self.ref(module, x, runtime=True) for x in members)
        return self.ref(module, named.name, runtime=True)

    def scalar(self, module: str, name: str) -> tuple[str, str]:
        """(output, input) annotations of scalar ``name``; a custom type's import is noted."""
        out, inp, custom = self.scalars.annotations(name, self.endpoint)
        if custom is not None and custom.import_line and custom.module not in STD_MODULES:
            self.imp(module).modules.add(custom.import_line)
        return out, inp

    def _possible(self, t: GraphQLUnionType | GraphQLInterfaceType) -> list[GraphQLObjectType]:
        if isinstance(t, GraphQLUnionType):
            return sorted(t.types, key=lambda x: x.name)
        return sorted(self.schema.get_possible_types(t), key=lambda x: x.name)

    def in_ann(self, module: str, t: GraphQLType) -> str:
        if isinstance(t, GraphQLNonNull):
            return self._in_inner(module, t.of_type)
        inner = self._in_inner(module, t)
        return inner if inner == "_t.Any" else f"{inner} | None"

    def _in_inner(self, module: str, t: GraphQLType) -> str:
        imp = self.imp(module)
        if isinstance(t, GraphQLList):
            return imp.scan(f"list[{self.in_ann(module, t.of_type)}]")
        named = get_named_type(t)
        if isinstance(named, GraphQLScalarType):
            return imp.scan(self.scalar(module, named.name)[1])
        if isinstance(named, GraphQLEnumType):
            enum = self.ref(module, named.name, runtime=False)
            lit = self.ref(module, named.name, runtime=False, key=f"{named.name}\0lit")
            return f"{enum} | {lit}"
        return self.ref(module, named.name, runtime=False)

    # ---- selections -----------------------------------------------------------------
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
            if _deprecated(f) or _has_required_args(f) or fname.startswith("__"):
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
            if isinstance(named, (GraphQLUnionType, GraphQLInterfaceType)) and not self._possible(
                named
            ):
                continue
            out.append(fname)
        return out

    def always_selected(self, t: GraphQLObjectType) -> bool:
        """Core types (records, composites, connections) are always selected in full."""
        return self.is_core

    def selection(self, t: GraphQLNamedType, level: int, path: tuple[str, ...]) -> str:
        """The selection set text for ``t`` (``{ ... }``), never empty."""
        if isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)):
            parts = ["__typename"]
            for member in self._possible(t):
                inner = self.selection(member, level, path)
                parts.append(f"... on {member.name} {inner}")
            return "{ " + " ".join(parts) + " }"
        assert isinstance(t, GraphQLObjectType)
        parts = ["__typename"] if t.name in self.tagged else []
        for fname in self.struct_field_names(t):
            f = t.fields[fname]
            named = get_named_type(f.type)
            if is_leaf_type(named):
                parts.append(self._response(t, fname))
                continue
            if self.is_core:
                if named.name in path and named.name not in self.record_connections:
                    continue
                if named.name in self.records and t.name not in self.record_edges:
                    continue
                sel = self.selection(named, level, (*path, named.name))
                parts.append(f"{self._response(t, fname)} {sel}")
                continue
            if named.name in path:
                continue
            nl = level if self._transparent(named) else level + 1
            if nl > METADATA_DEPTH:
                continue
            if self._transparent(named) and not self._wrapper_complete(
                named, nl, (*path, named.name)
            ):
                continue
            parts.append(
                f"{self._response(t, fname)} {self.selection(named, nl, (*path, named.name))}"
            )
        if not parts:
            parts = ["__typename"]
        return "{ " + " ".join(parts) + " }"

    def root_selection(self, t: GraphQLNamedType) -> str:
        if is_leaf_type(t):
            return ""
        level = 0 if self._transparent(t) else 1
        return " " + self.selection(t, level, (t.name,))

    # ---- type definitions ------------------------------------------------------------
    def struct_for(self, module: str, t: GraphQLObjectType) -> m.StructDef:
        fields: list[m.StructField] = []
        attrs = naming.Namespace()
        names = self.struct_field_names(t)
        attr_names = {n: naming.struct_attribute_name(n) for n in names}
        for n in sorted(names, key=lambda n: (attr_names[n], n)):
            attrs.claim(n, attr_names[n])
        for fname in names:
            f = t.fields[fname]
            named = get_named_type(f.type)
            optional_unset = (
                not is_leaf_type(named) and not self.always_selected(t) and not self._transparent(t)
            )
            fields.append(
                self._struct_field(
                    module,
                    attrs.assigned[fname],
                    self.aliases.get((t.name, fname), fname),
                    f.type,
                    _doc(f),
                    optional_unset,
                )
            )
        bases = STRUCT_BASES
        if t.name in self.tagged:
            bases += f', tag_field="__typename", tag={py_str(t.name)}'
        self.imp(module).aliases.add("_msgspec")
        return m.StructDef(name=self.cls[t.name], bases=bases, doc=_doc(t), fields=tuple(fields))

    def _struct_field(
        self, module: str, attr: str, wire: str, gtype: GraphQLType, doc: str, optional_unset: bool
    ) -> m.StructField:
        ann = self.out_ann(module, gtype)
        default = ""
        if optional_unset:
            ann = f"{ann} | _msgspec.UnsetType"
            default = "_msgspec.UNSET"
        elif not isinstance(gtype, GraphQLNonNull):
            default = "None"
        if attr == wire:
            rhs = f" = {default}" if default else ""
        elif default:
            rhs = f" = _msgspec.field(default={default}, name={py_str(wire)})"
        else:
            rhs = f" = _msgspec.field(name={py_str(wire)})"
        self.imp(module).scan(ann + rhs)
        return m.StructField(name=attr, annotation=ann, rhs=rhs, doc=doc)

    def enum_for(self, module: str, t: GraphQLEnumType) -> m.EnumDef:
        ns = naming.Namespace()
        members = []
        for value in sorted(t.values):
            v = t.values[value]
            members.append(
                m.EnumMember(
                    name=ns.claim(value, naming.enum_member_name(value)),
                    literal=py_str(value),
                    doc=_doc(v),
                )
            )
        self.imp(module).aliases.update({"_enum", "_t"})
        return m.EnumDef(
            name=self.cls[t.name],
            literal_alias=self.cls[f"{t.name}\0lit"],
            doc=_doc(t),
            members=tuple(members),
        )

    def input_for(self, module: str, t: GraphQLInputObjectType) -> m.InputDef:
        fields = []
        for fname, f in t.fields.items():
            ann = self.in_ann(module, f.type)
            if _is_required_input(f):
                ann = f"_te.Required[{ann}]"
            elif isinstance(f.type, GraphQLNonNull):
                pass  # has a default: may be left out, but not null
            fields.append(
                m.InputField(
                    key_literal=py_str(fname), annotation_literal=py_str(ann), comment=_doc(f)
                )
            )
        self.imp(module).aliases.add("_te")
        return m.InputDef(
            name=self.cls[t.name],
            name_literal=py_str(self.cls[t.name]),
            doc=_doc(t),
            fields=tuple(fields),
        )

    # ---- operations -----------------------------------------------------------------
    def operation(
        self, module: str, kind: str, fname: str, f: GraphQLField, func_name: str, const_name: str
    ) -> m.OperationDef:
        # the facade method calls the function by name: a parameter must not shadow it
        pns = naming.Namespace(reserved={"client", "self", func_name})
        args = sorted(f.args.items(), key=lambda kv: (not _is_required_input(kv[1]), kv[0]))
        params: list[m.Param] = []
        for aname in sorted(f.args):
            pns.claim(aname, naming.param_name(aname))
        for aname, arg in args:
            required = _is_required_input(arg)
            ann = self.in_ann(module, arg.type)
            if not required and isinstance(arg.type, GraphQLNonNull):
                ann = f"{ann} | None"
            params.append(
                m.Param(
                    name=pns.assigned[aname],
                    key_literal=py_str(aname),
                    annotation=ann,
                    required=required,
                )
            )
        op_name = fname[0].upper() + fname[1:]
        # An argument with a default is declared nullable: leaving the variable out then
        # lets the server apply the default (GraphQL "VariablesInAllowedPosition").
        var_decl = ", ".join(
            f"${a}: {arg.type.of_type if isinstance(arg.type, GraphQLNonNull) and _has_default(arg) else arg.type}"
            for a, arg in args
        )
        arg_use = ", ".join(f"{a}: ${a}" for a, _ in args)
        call = f"{fname}({arg_use})" if args else fname
        head = f"{kind} {op_name}({var_decl})" if args else f"{kind} {op_name}"
        document = f"{head} {{ {call}{self.root_selection(get_named_type(f.type))} }}"
        data = self.data_struct(module, f"_D_{func_name}", fname, f)
        result_attr = data.fields[0].name
        idempotent = kind == "query" or (
            fname.startswith(("update", "delete", "destroy", "restore")) and "id" in f.args
        )
        # only a Boolean ``upsert`` argument is the upsert flag (``keyed_upsert(bool, data)``)
        upsert_arg = f.args.get("upsert")
        upsert = (
            pns.assigned["upsert"]
            if upsert_arg is not None and get_named_type(upsert_arg.type).name == "Boolean"
            else ""
        )
        upsert_data = pns.assigned.get("data", "") if upsert and "data" in f.args else ""
        doc = _doc(f)
        if _deprecated(f):
            doc = (doc + "\n\n" if doc else "") + f"Deprecated: {f.deprecation_reason}"
        if params:
            self.imp(module).aliases.add("_t")
        self.imp(module).needs_runtime_helper = True
        return m.OperationDef(
            func_name=func_name,
            const_name=const_name,
            data_struct=data,
            op_name_literal=py_str(op_name),
            document_literal=py_str(document),
            endpoint_literal=py_str(self.endpoint),
            kind_literal=py_str(kind),
            root_field_literal=py_str(fname),
            idempotent=idempotent,
            upsert_param=upsert,
            params=tuple(params),
            result_attr=result_attr,
            return_annotation=data.fields[0].annotation,
            doc=doc,
            upsert_data_param=upsert_data,
        )

    def data_struct(
        self, module: str, name: str, fname: str, f: GraphQLField, ann: str | None = None
    ) -> m.StructDef:
        sf = self._struct_field(
            module, naming.struct_attribute_name(fname), fname, f.type, "", False
        )
        if ann is not None:
            default = "" if isinstance(f.type, GraphQLNonNull) else "None"
            if sf.name == fname:
                rhs = f" = {default}" if default else ""
            elif default:
                rhs = f" = _msgspec.field(default={default}, name={py_str(fname)})"
            else:
                rhs = f" = _msgspec.field(name={py_str(fname)})"
            sf = m.StructField(name=sf.name, annotation=ann, rhs=rhs, doc="")
        self.imp(module).aliases.add("_msgspec")
        return m.StructDef(name=name, bases=STRUCT_BASES, doc="", fields=(sf,))

    # ---- Twenty conventions ---------------------------------------------------------
    def classify(self, kind: str, fname: str, f: GraphQLField) -> tuple[str, str] | None:
        named = get_named_type(f.type)
        is_list = isinstance(_unwrap(f.type), GraphQLList)
        if kind == "query":
            if named.name in self.record_connections:
                rec = self.record_connections[named.name]
                if named.name == f"{rec}Connection":
                    if not is_list and self.records.get(rec) == fname:
                        return rec, "find_many"
                    if is_list:
                        return rec, "find_duplicates"
                elif is_list:
                    return rec, "group_by"
            if named.name in self.records and not is_list and "filter" in f.args:
                return named.name, "find_one"
            return None
        if named.name not in self.records:
            return None
        for verb in ("create", "update", "delete", "destroy", "restore"):
            if fname.startswith(verb) and fname[len(verb) :][:1].isupper():
                return named.name, verb + ("_many" if is_list else "")
        if fname.startswith("merge") and not is_list:
            return named.name, "merge"
        return None

    def relations(self, rec: str) -> list[tuple[str, GraphQLField, bool]]:
        t = self.types[rec]
        assert isinstance(t, GraphQLObjectType)
        out = []
        for fname, f in t.fields.items():
            if _deprecated(f) or _has_required_args(f):
                continue
            named = get_named_type(f.type)
            if named.name in self.records:
                out.append((fname, f, False))
            elif (
                named.name in self.record_connections
                and named.name == f"{self.record_connections[named.name]}Connection"
            ):
                out.append((fname, f, True))
        return out

    def unique_fields(self, rec: str) -> tuple[str, ...]:
        t = self.types.get(f"{rec}WhereUniqueInput")
        if isinstance(t, GraphQLInputObjectType):
            return tuple(sorted(t.fields))
        return ()


_FACADE_ORDER = (
    "find_many",
    "find_one",
    "find_duplicates",
    "group_by",
    "create",
    "create_many",
    "update",
    "update_many",
    "delete",
    "delete_many",
    "destroy",
    "destroy_many",
    "restore",
    "restore_many",
    "merge",
)
_FACADE_DOCS = {
    "find_many": "One page of records (``findMany``).",
    "find_one": "The record matching ``filter`` (``findOne``).",
    "find_duplicates": "Records that duplicate the given ids or data (``findDuplicates``).",
    "group_by": "Aggregates grouped by the given fields (``groupBy``).",
    "create": "Create (or, with ``upsert=True``, upsert) one record.",
    "update": "Update one record by id; keys left out of ``data`` are not sent, ``None`` sets null.",
    "update_many": "Update every record matching ``filter``.",
    "delete": "Soft-delete one record by id.",
    "delete_many": "Soft-delete every record matching ``filter``.",
    "destroy": "Permanently delete one record by id.",
    "destroy_many": "Permanently delete every record matching ``filter``.",
    "restore": "Restore one soft-deleted record by id.",
    "restore_many": "Restore every soft-deleted record matching ``filter``.",
    "merge": "Merge duplicate records into one.",
}
_PAGING_ARGS = ("first", "last", "before", "after", "offset")


def _op_names(op_ns: naming.Namespace, kind: str, fname: str) -> tuple[str, str]:
    func = op_ns.claim(f"{kind}\0{fname}", naming.function_name(fname))
    const = op_ns.claim(
        f"{kind}\0{fname}\0op", func.upper().strip("_") + "_OP" if func.strip("_") else "OP"
    )
    return func, const


def build_endpoint(ep: EndpointInput) -> tuple[list[m.ModuleDef], m.InitDef]:
    """All modules of one endpoint and its ``__init__``."""
    b = _Endpoint(ep.endpoint, ep.schema, ep.scalars)
    modules: dict[str, dict[str, list[object]]] = {}

    def mod(key: str) -> dict[str, list[object]]:
        return modules.setdefault(
            key,
            {
                "enums": [],
                "inputs": [],
                "structs": [],
                "ops": [],
                "facades": [],
                "includes": [],
                "skipped": [],
            },
        )

    # One namespace for every function and OP constant of the endpoint: the package
    # ``__init__`` re-exports all modules' names flat, and a query and a mutation may share a
    # name, so names unique per module only would shadow one another there.
    op_ns = naming.Namespace(reserved=set(b.cls.values()))

    # types
    for n, t in b.types.items():
        owner = b.owner.get(n)
        if owner is None:
            continue
        if isinstance(t, GraphQLEnumType):
            mod(owner)["enums"].append(b.enum_for(owner, t))
        elif isinstance(t, GraphQLInputObjectType):
            mod(owner)["inputs"].append(b.input_for(owner, t))
        elif isinstance(t, GraphQLObjectType):
            if (
                t is b.schema.query_type
                or t is b.schema.mutation_type
                or t is b.schema.subscription_type
            ):
                continue
            mod(owner)["structs"].append(b.struct_for(owner, t))

    # operations
    facade_ops: dict[str, dict[str, m.OperationDef]] = {}
    for kind, root in (("query", b.schema.query_type), ("mutation", b.schema.mutation_type)):
        if root is None:
            continue
        for fname, f in root.fields.items():
            cls = b.classify(kind, fname, f) if b.is_core else None
            if b.is_core:
                key = b.record_module[cls[0]] if cls else "_root"
            else:
                key = "_queries" if kind == "query" else "_mutations"
            func, const = _op_names(op_ns, kind, fname)
            op = b.operation(key, kind, fname, f, func, const)
            mod(key)["ops"].append(op)
            if cls is not None:
                facade_ops.setdefault(cls[0], {}).setdefault(cls[1], op)
    sub = b.schema.subscription_type
    if sub is not None:
        key = "_root" if b.is_core else "_queries"
        for fname in sub.fields:
            mod(key)["skipped"].append(
                f"subscription {fname}: skipped (the runtime has no subscription transport yet)"
            )

    # core facades
    api_props: list[tuple[str, str, str]] = []
    if b.is_core:
        props = naming.Namespace()
        for rec, ops in sorted(facade_ops.items()):
            key = b.record_module[rec]
            facade = _record_facade(b, rec, key, ops, mod(key))
            mod(key)["facades"].append(facade)
            prop = props.claim(rec, naming.attribute_name(b.records.get(rec, rec)))
            api_props.append((prop, facade.name, key))
    else:
        _metadata_facades(b, mod("_api"), modules)

    # module defs
    out: list[m.ModuleDef] = []
    exports: list[m.LazyExport] = []
    for key in sorted(modules):
        parts = modules[key]
        imp = b.imp(key)
        runtime, tc = render_imports(imp, key)
        names: list[str] = []
        for e in parts["enums"]:
            assert isinstance(e, m.EnumDef)
            names += [e.name, e.literal_alias]
        for i in parts["inputs"]:
            assert isinstance(i, m.InputDef)
            names.append(i.name)
        for s in parts["structs"]:
            assert isinstance(s, m.StructDef)
            names.append(s.name)
        for o in parts["ops"]:
            assert isinstance(o, m.OperationDef)
            names += [o.func_name, o.const_name]
        for fc in parts["facades"]:
            assert isinstance(fc, m.FacadeDef)
            names.append(fc.name)
        for inc in parts["includes"]:
            assert isinstance(inc, m.IncludeVariant)
            if inc.relation_alias not in names:
                names.append(inc.relation_alias)
        for n in names:
            exports.append(m.LazyExport(name=n, module="." + key.replace("/", ".")))
        doc = _module_doc(b, key)
        api: dict[str, object] = {}
        if key == "_api" and not b.is_core:
            api = {
                "api_class": b.cls["\0meta"],
                "api_doc": "Typed access to the data model: ``MetadataApi(client).objects``.",
                "api_props": b.meta_props,
            }
            names.append(b.cls["\0meta"])
            exports.append(m.LazyExport(name=b.cls["\0meta"], module="._api"))
        out.append(
            m.ModuleDef(
                path=f"{b.pkg}/{key}.py",
                doc=doc,
                imports=runtime,
                type_checking_imports=tc,
                lazy_modules=tuple((a, _relative(key, t)) for a, t in sorted(imp.lazy.items())),
                enums=tuple(parts["enums"]),  # type: ignore[arg-type]
                inputs=tuple(parts["inputs"]),  # type: ignore[arg-type]
                structs=tuple(parts["structs"]),  # type: ignore[arg-type]
                operations=tuple(parts["ops"]),  # type: ignore[arg-type]
                facades=tuple(parts["facades"]),  # type: ignore[arg-type]
                include_variants=tuple(parts["includes"]),  # type: ignore[arg-type]
                all_names=tuple(sorted(names)),
                skipped=tuple(parts["skipped"]),  # type: ignore[arg-type]
                **api,  # type: ignore[arg-type]
            )
        )
    if b.is_core:
        out.append(_core_api_module(b, api_props))
        exports.append(m.LazyExport(name=b.cls["\0core"], module="._api"))
    exports.sort(key=lambda e: e.name)
    init = m.InitDef(
        path=f"{b.pkg}/__init__.py",
        doc=(
            "Workspace data API (``/graphql``): one module per object, imported on first use."
            if b.is_core
            else "Metadata API (``/metadata``): objects, fields and every other operation."
        ),
        constants=(),
        exports=tuple(exports),
        submodules=(),
    )
    return out, init


def _module_doc(b: _Endpoint, key: str) -> str:
    if key == b.common:
        return "Types shared by several objects (composites, filters, enums, page info)."
    if key == "_root":
        return "Root fields that follow no per-object convention (generic typed functions)."
    if key == "_queries":
        return "Metadata queries: one typed function per root field."
    if key == "_mutations":
        return "Metadata mutations: one typed function per root field."
    if key == "_api":
        return "Facades over the metadata API: ``MetadataApi(client).objects`` / ``.fields``."
    recs = [r for r, k in b.record_module.items() if k == key]
    return (
        f"The ``{recs[0]}`` object: types, inputs, enums, operations and its facade."
        if recs
        else key
    )


def _record_facade(
    b: _Endpoint, rec: str, key: str, ops: dict[str, m.OperationDef], parts: dict[str, list[object]]
) -> m.FacadeDef:
    methods: list[m.FacadeMethod] = []
    for name in _FACADE_ORDER:
        op = ops.get(name)
        if op is None:
            continue
        if name == "create_many":
            uniq = b.unique_fields(rec)
            lit = "(" + "".join(f"{py_str(u)}, " for u in uniq).rstrip() + ")" if uniq else "()"
            if len(uniq) == 1:
                lit = f"({py_str(uniq[0])},)"
            data = next((p for p in op.params if p.key_literal == '"data"'), None)
            if data is None:
                continue
            rec_ann = data.annotation.removeprefix("list[").removesuffix("]")
            b.imp(key).aliases.add("_t")
            b.imp(key).type_checking.setdefault("\0twenty_gql.bulk", set()).add(
                "BulkResult as _BulkResult"
            )
            methods.append(
                m.FacadeMethod(
                    name=name,
                    kind="bulk",
                    op=op,
                    doc=(
                        "Create or upsert any number of records, chunked to the server's batch "
                        "limit by ``twenty_gql.bulk.create_many``."
                    ),
                    extra=lit,
                    params=(
                        m.Param(
                            name="records",
                            key_literal='"data"',
                            annotation=f"_t.Iterable[{rec_ann}] | _t.AsyncIterable[{rec_ann}]",
                            required=True,
                        ),
                    ),
                    return_annotation=f"_BulkResult[{b.cls[rec]}]",
                )
            )
            continue
        methods.append(
            m.FacadeMethod(name=name, kind="call", op=op, doc=_FACADE_DOCS.get(name, ""))
        )
        if name == "find_many":
            keep = tuple(p for p in op.params if p.key_literal.strip('"') not in _PAGING_ARGS)
            keep = _facade_params(keep, "page_size")
            node_ann = b.cls[rec]
            methods.append(
                m.FacadeMethod(
                    name="iterate",
                    kind="iterate",
                    op=op,
                    doc="Every matching record, page after page (``twenty_gql.pagination``).",
                    params=keep,
                    return_annotation=f"_t.AsyncIterator[{node_ann}]",
                )
            )
    rels = b.relations(rec)
    if rels:
        _include_variants(b, rec, key, ops, parts, rels, methods)
    return m.FacadeDef(
        name=b.cls[f"{rec}\0api"],
        doc=f"Typed operations on ``{rec}`` records.",
        methods=tuple(methods),
    )


def _facade_params(params: tuple[m.Param, ...], own: str) -> tuple[m.Param, ...]:
    """``params`` renamed where they clash with the facade method's own parameter ``own``.

    ``iterate`` adds ``page_size`` and ``find_*_with`` add ``include``: a schema argument that
    becomes the same identifier (``pageSize``, ``include``) gets ``_2`` in that method only.
    """
    ns = naming.Namespace(reserved={own, "self"})
    for p in params:
        if p.name not in (own, "self"):
            ns.claim(p.key_literal, p.name)
    return tuple(replace(p, name=ns.claim(p.key_literal, p.name)) for p in params)


def _include_variants(
    b: _Endpoint,
    rec: str,
    key: str,
    ops: dict[str, m.OperationDef],
    parts: dict[str, list[object]],
    rels: list[tuple[str, GraphQLField, bool]],
    methods: list[m.FacadeMethod],
) -> None:
    t = b.types[rec]
    assert isinstance(t, GraphQLObjectType)
    base = next(s for s in parts["structs"] if isinstance(s, m.StructDef) and s.name == b.cls[rec])
    ns = naming.Namespace(reserved={f.name for f in base.fields})
    rel_fields = []
    selections = []
    for fname, f, _many in rels:
        attr = ns.claim(fname, naming.struct_attribute_name(fname))
        rel_fields.append(b._struct_field(key, attr, fname, f.type, _doc(f), True))
        target = get_named_type(f.type)
        sel = b.selection(target, 1, (rec, target.name))
        selections.append((py_str(fname), py_str(f"{fname} {sel}")))
    rel_name = b.cls[f"{rec}\0rel"]
    with_rel = m.StructDef(
        name=rel_name,
        bases=f"{b.cls[rec]}, frozen=True, kw_only=True",
        doc=f"A ``{rec}`` with the relations asked for through ``include=`` (others are UNSET).",
        fields=tuple(rel_fields),
    )
    structs = [with_rel]
    conn_name = f"{rec}Connection"
    edge_name = f"{rec}Edge"
    conn = next(
        (
            s
            for s in parts["structs"]
            if isinstance(s, m.StructDef) and s.name == b.cls.get(conn_name)
        ),
        None,
    )
    edge = next(
        (
            s
            for s in parts["structs"]
            if isinstance(s, m.StructDef) and s.name == b.cls.get(edge_name)
        ),
        None,
    )
    if conn is not None and edge is not None:
        edge_fields = tuple(
            m.StructField(name=f.name, annotation=rel_name, rhs=f.rhs, doc=f.doc)
            if f.name == "node"
            else f
            for f in edge.fields
        )
        rel_edge = b.cls[f"{rec}\0reledge"]
        rel_conn = b.cls[f"{rec}\0relconn"]
        structs.append(m.StructDef(name=rel_edge, bases=STRUCT_BASES, doc="", fields=edge_fields))
        conn_fields = tuple(
            m.StructField(name=f.name, annotation=f"list[{rel_edge}]", rhs=f.rhs, doc=f.doc)
            if f.name == "edges"
            else f
            for f in conn.fields
        )
        structs.append(m.StructDef(name=rel_conn, bases=STRUCT_BASES, doc="", fields=conn_fields))
    parts["structs"].extend(structs)
    alias = b.cls[f"{rec}\0relname"]
    selections_t = tuple(selections)
    for which, op_key, with_type in (
        ("find_many_with", "find_many", b.cls.get(f"{rec}\0relconn")),
        ("find_one_with", "find_one", rel_name),
    ):
        op = ops.get(op_key)
        if op is None or with_type is None:
            continue
        root = op.root_field_literal.strip('"')
        q = b.schema.query_type
        assert q is not None
        f = q.fields[root]
        base_doc = op.document_literal[1:-1]
        node_sel = b.selection(t, 1, (rec,))
        marker = node_sel
        idx = base_doc.find(marker)
        if idx < 0:
            continue
        cut = idx + len(marker) - 1
        op_name = op.op_name_literal[1:-1]
        prefix = base_doc[:cut].replace(f"query {op_name}", f"query {op_name}WithRelations", 1)
        suffix = base_doc[cut:]
        ann = with_type
        nullable = not isinstance(f.type, GraphQLNonNull)
        full_ann = f"{ann} | None" if nullable else ann
        data = b.data_struct(key, f"_D_{op.func_name}_with", root, f, ann=full_ann)
        func = f"_{op.func_name}_with_op"
        variant = m.IncludeVariant(
            func_name=func,
            cache_name=f"_{op.func_name.upper()}_WITH_CACHE",
            op_name_literal=py_str(op.op_name_literal[1:-1] + "WithRelations"),
            prefix_literal=py_str(prefix),
            suffix_literal=py_str(suffix),
            selections=selections_t,
            relation_alias=alias,
            data_struct=data,
            result_attr=data.fields[0].name,
            endpoint_literal=op.endpoint_literal,
            root_field_literal=op.root_field_literal,
        )
        parts["includes"].append(variant)
        methods.append(
            m.FacadeMethod(
                name=which,
                kind="include",
                op=op,
                doc=f"Like ``{op_key}``, also selecting the relations named in ``include``.",
                extra=func,
                params=_facade_params(op.params, "include"),
                return_annotation=full_ann,
            )
        )
    b.imp(key).aliases.update({"_t", "_msgspec"})
    b.imp(key).needs_runtime_helper = True


def _metadata_facades(
    b: _Endpoint, parts: dict[str, list[object]], modules: dict[str, dict[str, list[object]]]
) -> None:
    all_ops: dict[str, m.OperationDef] = {}
    where: dict[str, str] = {}
    for key in ("_queries", "_mutations"):
        for o in modules.get(key, {}).get("ops", []):
            assert isinstance(o, m.OperationDef)
            all_ops[o.root_field_literal.strip('"')] = o
            where[o.root_field_literal.strip('"')] = key
    groups = (
        (
            "\0objs",
            "objects",
            {
                "find_many": "objects",
                "find_one": "object",
                "create": "createOneObject",
                "update": "updateOneObject",
                "delete": "deleteOneObject",
            },
        ),
        (
            "\0fields",
            "fields",
            {
                "find_many": "fields",
                "find_one": "field",
                "create": "createOneField",
                "update": "updateOneField",
                "delete": "deleteOneField",
            },
        ),
    )
    imp = b.imp("_api")
    for cls_key, _prop, mapping in groups:
        methods = []
        for meth, root in mapping.items():
            op = all_ops.get(root)
            if op is None:
                continue
            imp.runtime.setdefault(where[root], set()).add(op.func_name)
            _retarget_op_annotations(b, op, "_api")
            methods.append(m.FacadeMethod(name=meth, kind="call", op=op, doc=_doc_for_meta(meth)))
        if methods:
            parts["facades"].append(
                m.FacadeDef(name=b.cls[cls_key], doc="", methods=tuple(methods))
            )
    facades = [f for f in parts["facades"] if isinstance(f, m.FacadeDef)]
    b.meta_props = tuple(
        (prop, b.cls[ck]) for ck, prop, _ in groups if any(f.name == b.cls[ck] for f in facades)
    )
    imp.needs_runtime_helper = True


def _doc_for_meta(meth: str) -> str:
    return {
        "find_many": "One page (``paging``) of items matching ``filter``.",
        "find_one": "One item by id.",
        "create": "Create one item.",
        "update": "Update one item (``input={'id': ..., 'update': {...}}``).",
        "delete": "Delete one item.",
    }[meth]


def _retarget_op_annotations(b: _Endpoint, op: m.OperationDef, module: str) -> None:
    # Metadata annotations only name classes from ``_types``; make ``module`` import them.
    text = " ".join([op.return_annotation] + [p.annotation for p in op.params])
    imp = b.imp(module)
    imp.scan(text)
    common_classes = {b.cls[n] for n, o in b.owner.items() if o == b.common}
    for word in set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", text)):
        if word in common_classes:
            imp.runtime.setdefault(b.common, set()).add(word)


def _core_api_module(b: _Endpoint, props: list[tuple[str, str, str]]) -> m.ModuleDef:
    imp = b.imp("_api")
    imp.needs_runtime_helper = True
    for _, _, key in props:
        imp.lazy["_m_" + key.rsplit("/", 1)[-1]] = key
    runtime, tc = render_imports(imp, "_api")
    return m.ModuleDef(
        path=f"{b.pkg}/_api.py",
        doc="``CoreApi(client)``: one attribute per object; each object's module loads on first use.",
        imports=runtime,
        type_checking_imports=tc,
        lazy_modules=tuple((a, _relative("_api", t)) for a, t in sorted(imp.lazy.items())),
        all_names=(b.cls["\0core"],),
        api_class=b.cls["\0core"],
        api_doc="Typed access to every object of the workspace: ``CoreApi(client).companies``.",
        api_props=tuple((prop, f"_m_{key.rsplit('/', 1)[-1]}.{cls}") for prop, cls, key in props),
    )
