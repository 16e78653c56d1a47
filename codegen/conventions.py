"""Stage: Twenty's conventions, read from the live schema.

* a *record type* ``X`` is the ``node`` of ``XConnection.edges`` returned by a query field
  (``companies: CompanyConnection`` -> ``Company``); its module also owns ``XEdge``,
  ``XConnection``, ``XGroupByConnection`` and every type named ``X<Something>`` that ends in
  ``Input``/``Enum``/``Filter`` (longest record-name prefix wins);
* root fields are matched to facade methods by return type and name prefix (findMany,
  findOne, findDuplicates, groupBy, create/update/delete/destroy/restore one and many, merge);
  every other root field still gets a generic typed function (in ``core/_root.py``);
* bulk-upsert keys are the fields of ``XWhereUniqueInput``.

:class:`Conventions` also names every generated class (one namespace per endpoint) and places
every schema type in a module. The metadata endpoint has no records: everything lives in
``metadata/_types.py``.
"""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    get_named_type,
)
from graphql.pyutils import Undefined

from codegen import naming

__all__ = [
    "Conventions",
    "deprecated",
    "doc_of",
    "has_default",
    "has_required_args",
    "is_required_input",
    "unwrap",
]

_INPUT_SUFFIXES = ("Input", "Enum", "Filter")


def unwrap(t: GraphQLType) -> GraphQLType:
    return t.of_type if isinstance(t, GraphQLNonNull) else t


def deprecated(f: GraphQLField | GraphQLInputField | GraphQLArgument) -> bool:
    return bool(getattr(f, "deprecation_reason", None))


def has_default(f: GraphQLInputField | GraphQLArgument) -> bool:
    """Whether the schema gives ``f`` a default (graphql-core 3.3 ``default``, 3.2 ``default_value``)."""
    default = getattr(f, "default", None)
    if default is not None and default is not Undefined:
        return True
    return getattr(f, "default_value", Undefined) is not Undefined


def has_required_args(f: GraphQLField) -> bool:
    return any(is_required_input(a) for a in f.args.values())


def is_required_input(f: GraphQLInputField | GraphQLArgument) -> bool:
    return isinstance(f.type, GraphQLNonNull) and not has_default(f)


def doc_of(obj: object) -> str:
    desc = getattr(obj, "description", None)
    return desc if isinstance(desc, str) else ""


class Conventions:
    """What the schema of one endpoint (``core`` or ``metadata``) means, before any code."""

    def __init__(self, endpoint: str, schema: GraphQLSchema) -> None:
        self.endpoint = endpoint
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

    def _find_records(self) -> None:
        self.records: dict[str, str] = {}  # record type name -> findMany root field
        self.record_connections: dict[str, str] = {}  # XConnection -> X
        self.record_edges: dict[str, str] = {}  # XEdge -> X
        q = self.schema.query_type
        if not self.is_core or q is None:
            return
        for fname, f in q.fields.items():
            conn = get_named_type(f.type)
            if isinstance(unwrap(f.type), GraphQLList) or not isinstance(conn, GraphQLObjectType):
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
            if isinstance(
                t,
                (
                    GraphQLObjectType,
                    GraphQLInputObjectType,
                    GraphQLEnumType,
                    GraphQLUnionType,
                    GraphQLInterfaceType,
                ),
            )
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
            if isinstance(t, GraphQLScalarType):
                continue
            if isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)):
                self.owner[n] = self.common  # a named alias of its members (codegen.types)
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

    def possible(self, t: GraphQLUnionType | GraphQLInterfaceType) -> list[GraphQLObjectType]:
        if isinstance(t, GraphQLUnionType):
            return sorted(t.types, key=lambda x: x.name)
        return sorted(self.schema.get_possible_types(t), key=lambda x: x.name)

    def classify(self, kind: str, fname: str, f: GraphQLField) -> tuple[str, str] | None:
        named = get_named_type(f.type)
        is_list = isinstance(unwrap(f.type), GraphQLList)
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
            if deprecated(f) or has_required_args(f):
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
