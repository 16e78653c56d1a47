"""Adversarial Twenty-shaped schemas for the code generator, and the checks run on its output.

The strategies draw a *spec* (record types, fields, enums, root fields, descriptions) whose
names and descriptions are hostile to a Python code generator, then build a real
``GraphQLSchema`` from it with graphql-core's type constructors. The schema is written either
as SDL (``print_schema``: graphql-core does all escaping) or as an introspection result (JSON),
so what reaches the generator is always a *valid* schema that a Twenty server could serve.

Names must match ``[_A-Za-z][_0-9A-Za-z]*`` and must not start with ``__`` (GraphQL reserves
that prefix), so dunders appear as ``_init__``/``import__`` in names and verbatim in
descriptions. Every description carries the marker :data:`MARKER`; the checks assert that the
marker only ever lands inside string literals, docstrings and comments.

The checks (used by ``tests/reliability/test_codegen_adversarial.py`` and
``bench/fuzz_codegen.py``):

* :func:`generate_into` runs ``twenty-gql generate`` (``codegen.generate_cli.main``) on files,
  and the pipeline a second time to prove the output is byte-for-byte deterministic;
* :func:`check_sources` parses every module, checks that no schema text is code (tokens), that
  every identifier is generator vocabulary or derived from a schema name by the documented
  naming rules (:mod:`codegen.naming`), that imports and called builtins are on an allow-list,
  and that every operation document validates against the schema;
* :func:`import_packages` imports every module of every package in one subprocess;
* :func:`run_mypy` runs one ``mypy --strict`` over all packages.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import keyword
import os
import re
import subprocess
import sys
import time
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    build_client_schema,
    build_schema,
    get_introspection_query,
    graphql_sync,
    parse,
    print_schema,
    validate,
)
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from codegen import naming
from codegen.generate import GenerateConfig, generate

ROOT = Path(__file__).resolve().parents[2]
MARKER = "PWNED"

# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

_GQL_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")


def valid_name(name: str) -> bool:
    return bool(_GQL_NAME.match(name)) and not name.startswith("__")


KEYWORDS = sorted(keyword.kwlist + keyword.softkwlist)
BUILTIN_NAMES = [
    "list", "type", "id", "print", "object", "str", "int", "float", "bool", "dict", "set",
    "tuple", "len", "open", "eval", "exec", "compile", "globals", "locals", "getattr", "setattr",
    "super", "property", "classmethod", "staticmethod", "isinstance", "sorted", "repr", "map",
    "filter", "input", "format", "vars", "dir", "help", "hash", "iter", "next", "range",
    "Ellipsis", "NotImplemented", "Exception", "ValueError", "TypeError", "AttributeError",
    "ImportError", "frozenset", "bytes", "breakpoint", "exit", "quit", "license", "copyright",
]  # fmt: skip
# Every name the templates, build.py and runtime.py.j2 use in generated code (and their
# underscore-less spellings, which is what a schema name can reach after naming rules).
TEMPLATE_NAMES = [
    "msgspec", "_msgspec", "Struct", "field", "UNSET", "UnsetType", "typing", "_t", "_te",
    "typing_extensions", "TypedDict", "Literal", "Any", "TYPE_CHECKING", "enum", "_enum",
    "Enum", "datetime", "_dt", "uuid", "_uuid", "UUID", "decimal", "_decimal", "Decimal",
    "_runtime", "runtime", "Operation", "Executor", "lazy_module", "include_key",
    "include_document", "importlib", "_importlib", "annotations", "client", "self", "cls",
    "variables", "_v", "_d", "v", "d", "op", "key", "include", "records", "upsert", "options",
    "page_size", "pageSize", "_paginate", "paginate", "_create_many", "create_many",
    "_BulkResult", "BulkResult", "_RELATION_SELECTIONS", "RELATION_SELECTIONS", "_LAZY",
    "LAZY", "_SUBMODULES", "SUBMODULES", "GENERATOR_VERSION", "SCHEMA_HASHES", "SOURCES",
    "CoreApi", "MetadataApi", "ObjectsApi", "FieldsApi", "all", "_all__", "getattr__",
    "_dir__", "_D_people", "D_people", "_D_companies_with", "iterate", "find_many",
    "findMany", "find_one", "document", "name", "endpoint", "kind", "root_fields",
    "result_type", "idempotent", "frozen", "kw_only", "total", "default", "_m_company",
    "m_company", "objects", "core", "metadata", "_common", "_types", "_root", "_api",
    "_queries", "_mutations", "schema", "PEOPLE_OP", "OP", "WithRelations", "with",
    "Iterable", "AsyncIterable", "AsyncIterator", "Mapping", "Protocol", "TypeVar", "_T",
    "_LazyModule", "_package", "_name", "package", "edges", "node", "pageInfo", "cursor",
    "totalCount", "PageInfo", "Edge", "Connection", "Input", "Filter", "_init__", "init__",
    "_class__", "class__", "_import__", "import__", "_builtins__", "_name__", "_slots__",
    "_client", "os", "sys", "subprocess", "system", "pathlib",
]  # fmt: skip
LOOKALIKES = ["l", "I", "O", "O0", "Il1", "lI", "l1", "I1", "O_0", "o0O", "_l", "Ol"]
COLLISION_BASES = ["fooBar", "httpURL", "aB", "xY1", "idX", "pageSize", "listId"]


def collision_group(base: str) -> list[str]:
    """Spellings that all become the same (or case-twin) Python identifiers."""
    snake = naming.snake_case(base)
    out = {
        base,
        snake,
        base[0].upper() + base[1:],
        snake.replace("_", "__"),
        snake.upper(),
        "_" + base,
        base + "_",
        snake + "_",
        base.lower(),
    }
    return sorted(n for n in out if valid_name(n))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
_ident = st.builds(
    lambda a, b: a + b,
    st.sampled_from(_LETTERS),
    st.text(alphabet=_LETTERS + "0123456789", max_size=11),
).filter(valid_name)
_long = st.builds(
    lambda stem, n, tail: (stem * (n // max(1, len(stem)) + 1))[:n] + tail,
    st.sampled_from(["a", "fooBar", "Class_", "x_Y", "importOs", "TIER_"]),
    st.integers(200, 260),
    st.sampled_from(["", "1", "_", "Z"]),
).filter(valid_name)

NAME_POOL = sorted(
    {n for n in KEYWORDS + BUILTIN_NAMES + TEMPLATE_NAMES + LOOKALIKES if valid_name(n)}
    | {n for b in COLLISION_BASES for n in collision_group(b)}
)


def names() -> st.SearchStrategy[str]:
    """One adversarial GraphQL name (valid by the GraphQL grammar)."""
    return st.one_of(
        st.sampled_from(NAME_POOL),
        st.sampled_from(NAME_POOL).map(lambda n: n[0].upper() + n[1:]).filter(valid_name),
        _ident,
        _long,
    ).filter(lambda n: MARKER.lower() not in n.lower())


@st.composite
def name_lists(draw: st.DrawFn, min_size: int = 0, max_size: int = 6) -> list[str]:
    """Distinct names, sometimes including a whole snake_case collision group."""
    out = draw(st.lists(names(), min_size=min_size, max_size=max_size, unique=True))
    if draw(st.booleans()):
        group = collision_group(draw(st.sampled_from(COLLISION_BASES)))
        out += draw(st.lists(st.sampled_from(group), min_size=2, max_size=5, unique=True))
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------
# Descriptions
# ---------------------------------------------------------------------------------------------

PAYLOADS = [
    f'"""\nimport os; os.system("{MARKER}")\n"""',
    f"'''\n{MARKER} = __import__('os').system('id')\n'''",
    f'\\"""; import os; {MARKER}() #',
    f'"; {MARKER}(); "',
    f"\\\n{MARKER}()",
    f'\nimport os; os.system("{MARKER}")',
    f"\n\n{MARKER} = 1\nopen('{MARKER}', 'w')\n",
    f"{{{{ {MARKER} }}}} {{% for x in range(3) %}}{{{{ x }}}}{{% endfor %}} {{# {MARKER} #}}",
    f"{MARKER} # noqa: E501  # type: ignore[misc]",
    f"{MARKER} \x00 NUL \x07 bell \x1b[31m escape \x7f del",
    f"{MARKER} back\\slash at end \\",
    f"{MARKER} \\x00 \\u0000 \\N{{NULL}} \\'\\\" literal escapes",
    f"{MARKER} ｉｍｐｏｒｔ ｏｓ — Ꭵmport оs (Cyrillic о) \u202eevil\u202c \u2028 \u2029 \r\n tail",
    f"{MARKER} \t\ttabs\n    indented\n\tmixed",
    f"{MARKER} %s {{0}} ${{x}} `cmd` $(cmd)",
    f"_init__ __class__ __import__('os') __builtins__ {MARKER}",
    f"{MARKER}\r",
    f"{MARKER}\n\n\n",
    f"  \n  {MARKER} leading blank lines\n",
    f"{MARKER}" + "x" * 300,
]


def descriptions() -> st.SearchStrategy[str | None]:
    text = st.text(max_size=40)
    return st.one_of(
        st.none(),
        st.sampled_from(PAYLOADS),
        st.builds(lambda a, p, b: f"{a}{p}{b}", text, st.sampled_from(PAYLOADS), text),
        text.map(lambda t: f"{MARKER}{t}"),
    )


# ---------------------------------------------------------------------------------------------
# Specs -> graphql-core schemas
# ---------------------------------------------------------------------------------------------


@dataclass
class FieldSpec:
    name: str
    kind: str  # "String" | "Int" | "Float" | "Boolean" | "ID" | "UUID" | "JSON" | "enum" | "list"
    description: str | None
    deprecated: str | None = None
    non_null: bool = False


@dataclass
class RecordSpec:
    name: str
    plural: str
    singular: str
    description: str | None
    fields: list[FieldSpec]
    enum_values: list[tuple[str, str | None]]
    enum_suffix: str
    extra_args: list[tuple[str, str | None, str | None]]  # name, description, string default
    relation: str | None = None  # field name of a to-one relation to the next record
    connection: str | None = None  # field name of a to-many relation to the next record


@dataclass
class SchemaSpec:
    records: list[RecordSpec]
    extra_roots: list[tuple[str, str, str | None, list[str]]]  # name, kind, desc, arg names
    meta_types: list[tuple[str, str | None, list[FieldSpec]]]
    fmt: str  # "sdl" | "json"
    schema_description: str | None = None
    scalar: tuple[str, str | None] = ("Weird", None)  # a custom scalar (name, description)
    union: tuple[str, str | None] = ("AnyRecord", None)  # union of every record type
    interface: tuple[str, str | None] = ("Node", None)  # ``{ id: UUID! }``, every record


_KINDS = ["String", "Int", "Float", "Boolean", "ID", "UUID", "JSON", "enum", "list", "scalar"]


@st.composite
def field_specs(draw: st.DrawFn, max_size: int = 7) -> list[FieldSpec]:
    out = []
    for n in draw(name_lists(max_size=max_size)):
        out.append(
            FieldSpec(
                name=n,
                kind=draw(st.sampled_from(_KINDS)),
                description=draw(descriptions()),
                deprecated=draw(st.one_of(st.none(), st.none(), descriptions())),
                non_null=draw(st.booleans()),
            )
        )
    return out


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


@st.composite
def record_specs(draw: st.DrawFn) -> RecordSpec:
    name = _cap(draw(names()))
    plural = draw(names())
    singular = draw(names().filter(lambda n: n != plural))
    values = draw(
        st.lists(
            names().filter(lambda n: n not in ("true", "false", "null")),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    enum_values = [(v, draw(descriptions())) for v in values]
    extra = [
        (a, draw(descriptions()), draw(st.one_of(st.none(), descriptions())))
        for a in draw(name_lists(max_size=3))
    ]
    return RecordSpec(
        name=name,
        plural=plural,
        singular=singular,
        description=draw(descriptions()),
        fields=draw(field_specs()),
        enum_values=enum_values,
        enum_suffix=draw(st.sampled_from(["Enum", "KindEnum", "Filter", "Input"])),
        extra_args=extra,
        relation=draw(st.one_of(st.none(), names())),
        connection=draw(st.one_of(st.none(), names())),
    )


@st.composite
def schema_specs(draw: st.DrawFn) -> SchemaSpec:
    records = draw(st.lists(record_specs(), min_size=1, max_size=3))
    extra = [
        (
            n,
            draw(st.sampled_from(["String", "Int", "record", "list", "enum", "union", "iface"])),
            draw(descriptions()),
            draw(name_lists(max_size=3)),
        )
        for n in draw(name_lists(max_size=4))
    ]
    meta = [
        (_cap(n), draw(descriptions()), draw(field_specs(max_size=4)))
        for n in draw(
            st.lists(
                st.one_of(st.sampled_from(["Object", "Field"]), names()),
                min_size=1,
                max_size=3,
                unique_by=lambda n: _cap(n),
            )
        )
    ]
    return SchemaSpec(
        records=records,
        extra_roots=extra,
        meta_types=meta,
        fmt=draw(st.sampled_from(["sdl", "json"])),
        schema_description=draw(descriptions()),
        scalar=(_cap(draw(names())), draw(descriptions())),
        union=(_cap(draw(names())), draw(descriptions())),
        interface=(_cap(draw(names())), draw(descriptions())),
    )


_STANDARD = ("String", "Int", "Float", "Boolean", "ID")


def _scalar(name: str, desc: str | None = None) -> GraphQLScalarType:
    return GraphQLScalarType(name, description=desc)


class _Types:
    """Type registry: a derived name already taken makes the caller skip that element."""

    def __init__(self, reserved: Iterable[str]) -> None:
        self.taken: set[str] = set(reserved)

    def free(self, *names: str) -> bool:
        return all(valid_name(n) and n not in self.taken for n in names)

    def take(self, *names: str) -> None:
        self.taken.update(names)


def _thunk_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return dict(pairs)


def build_core(spec: SchemaSpec) -> GraphQLSchema:
    """A Twenty-shaped core schema: records with connections, inputs, filters, enums, roots."""
    uuid, cursor, json_ = _scalar("UUID"), _scalar("Cursor"), _scalar("JSON")
    page_info = GraphQLObjectType(
        "PageInfo",
        {
            "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
            "hasPreviousPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
            "startCursor": GraphQLField(cursor),
            "endCursor": GraphQLField(cursor),
        },
    )
    order = GraphQLEnumType(
        "OrderByDirection",
        {
            "AscNullsFirst": GraphQLEnumValue("AscNullsFirst"),
            "DescNullsLast": GraphQLEnumValue("DescNullsLast"),
        },
    )
    string_filter = GraphQLInputObjectType(
        "StringFilter",
        {
            "eq": GraphQLInputField(GraphQLString),
            "in": GraphQLInputField(GraphQLList(GraphQLString)),
        },
    )
    uuid_filter = GraphQLInputObjectType(
        "UUIDFilter", {"eq": GraphQLInputField(uuid), "in": GraphQLInputField(GraphQLList(uuid))}
    )
    reg = _Types(
        (
            *("UUID", "Cursor", "JSON", "PageInfo", "OrderByDirection", "StringFilter"),
            *("UUIDFilter", "Query", "Mutation", *_STANDARD),
        )
    )
    query: dict[str, GraphQLField] = {}
    mutation: dict[str, GraphQLField] = {}
    built: list[tuple[RecordSpec, dict[str, Any]]] = []
    custom = json_
    if reg.free(spec.scalar[0]):
        reg.take(spec.scalar[0])
        custom = _scalar(spec.scalar[0], spec.scalar[1])
    iface: GraphQLInterfaceType | None = None
    if reg.free(spec.interface[0]):
        reg.take(spec.interface[0])
        iface = GraphQLInterfaceType(
            spec.interface[0],
            {"id": GraphQLField(GraphQLNonNull(uuid))},
            description=spec.interface[1],
        )
    roots_taken: set[str] = set()
    for spec_rec in spec.records:
        for tail in ("", "X", "Y2", "Z_3"):  # a taken name is retried with a suffix
            rec = replace(
                spec_rec,
                name=spec_rec.name + tail,
                plural=spec_rec.plural + tail,
                singular=spec_rec.singular + tail,
            )
            n = rec.name
            enum_name = f"{n}Tier{rec.enum_suffix}"
            type_names = [n] + [
                f"{n}{s}"
                for s in (
                    "Edge",
                    "Connection",
                    "FilterInput",
                    "CreateInput",
                    "UpdateInput",
                    "OrderByInput",
                    "WhereUniqueInput",
                )
            ]
            type_names.append(enum_name)
            roots = [rec.plural, rec.singular, f"create{_cap(rec.singular)}"]
            roots += [f"create{_cap(rec.plural)}", f"update{_cap(rec.singular)}"]
            roots += [f"delete{_cap(rec.singular)}"]
            if (
                reg.free(*type_names)
                and len(set(roots)) == len(roots)
                and not roots_taken.intersection(roots)
            ):
                break
        else:
            continue
        reg.take(*type_names)
        roots_taken.update(roots)
        enum = GraphQLEnumType(
            enum_name,
            {v: GraphQLEnumValue(v, description=d) for v, d in rec.enum_values},
            description=rec.description,
        )
        built.append((rec, {"enum": enum, "roots": roots}))
    if not built:
        raise ValueError("no record survived")
    objs: dict[str, GraphQLObjectType] = {}
    conns: dict[str, GraphQLObjectType] = {}
    filters: dict[str, GraphQLInputObjectType] = {}
    orders: dict[str, GraphQLInputObjectType] = {}
    creates: dict[str, GraphQLInputObjectType] = {}

    def out_type(f: FieldSpec, enum: GraphQLEnumType) -> Any:
        base: Any = {
            "String": GraphQLString,
            "Int": GraphQLInt,
            "Float": GraphQLFloat,
            "Boolean": GraphQLBoolean,
            "ID": GraphQLID,
            "UUID": uuid,
            "JSON": json_,
            "enum": enum,
            "list": GraphQLList(GraphQLNonNull(GraphQLString)),
            "scalar": custom,
        }[f.kind]
        return GraphQLNonNull(base) if f.non_null else base

    def in_type(f: FieldSpec, enum: GraphQLEnumType) -> Any:
        t = out_type(f, enum)
        return t.of_type if isinstance(t, GraphQLNonNull) else t

    for i, (rec, parts) in enumerate(built):
        n = rec.name
        nxt = built[(i + 1) % len(built)][0].name
        enum = parts["enum"]
        scalar_fields = [f for f in rec.fields if f.name not in ("id",)]

        def obj_fields(rec: RecordSpec = rec, nxt: str = nxt, enum: Any = enum) -> dict[str, Any]:
            fs: dict[str, Any] = {"id": GraphQLField(GraphQLNonNull(uuid))}
            for f in rec.fields:
                if f.name == "id":
                    continue
                fs[f.name] = GraphQLField(
                    out_type(f, enum), description=f.description, deprecation_reason=f.deprecated
                )
            if rec.relation and rec.relation not in fs:
                fs[rec.relation] = GraphQLField(objs[nxt], description=rec.description)
            if rec.connection and rec.connection not in fs:
                fs[rec.connection] = GraphQLField(
                    conns[nxt],
                    args={
                        "filter": GraphQLArgument(filters[nxt]),
                        "first": GraphQLArgument(GraphQLInt),
                        "after": GraphQLArgument(GraphQLString),
                    },
                )
            return fs

        objs[n] = GraphQLObjectType(
            n, obj_fields, interfaces=[iface] if iface else None, description=rec.description
        )
        edge = GraphQLObjectType(
            f"{n}Edge",
            lambda n=n: {
                "node": GraphQLField(GraphQLNonNull(objs[n])),
                "cursor": GraphQLField(GraphQLNonNull(cursor)),
            },
        )
        conns[n] = GraphQLObjectType(
            f"{n}Connection",
            {
                "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge)))),
                "pageInfo": GraphQLField(GraphQLNonNull(page_info)),
                "totalCount": GraphQLField(GraphQLInt),
            },
            description=rec.description,
        )

        def filter_fields(n: str = n, fs: list[FieldSpec] = scalar_fields) -> dict[str, Any]:
            out: dict[str, Any] = {"id": GraphQLInputField(uuid_filter)}
            for f in fs:
                out.setdefault(f.name, GraphQLInputField(string_filter, description=f.description))
            for k in ("and", "or"):
                out.setdefault(k, GraphQLInputField(GraphQLList(filters[n])))
            out.setdefault("not", GraphQLInputField(filters[n]))
            return out

        filters[n] = GraphQLInputObjectType(f"{n}FilterInput", filter_fields)
        orders[n] = GraphQLInputObjectType(
            f"{n}OrderByInput",
            {"id": GraphQLInputField(order)}
            | {f.name: GraphQLInputField(order) for f in scalar_fields},
        )
        creates[n] = GraphQLInputObjectType(
            f"{n}CreateInput",
            {"id": GraphQLInputField(GraphQLID)}
            | {
                f.name: GraphQLInputField(in_type(f, enum), description=f.description)
                for f in scalar_fields
            },
            description=rec.description,
        )
        update = GraphQLInputObjectType(
            f"{n}UpdateInput",
            {f.name: GraphQLInputField(in_type(f, enum)) for f in scalar_fields}
            or {"id": GraphQLInputField(GraphQLID)},
        )
        unique = GraphQLInputObjectType(f"{n}WhereUniqueInput", {"id": GraphQLInputField(uuid)})
        plural, singular, c1, cm, up, de = parts["roots"]
        find_args = {
            "filter": GraphQLArgument(filters[n]),
            "orderBy": GraphQLArgument(GraphQLList(orders[n])),
            "first": GraphQLArgument(GraphQLInt),
            "last": GraphQLArgument(GraphQLInt),
            "offset": GraphQLArgument(GraphQLInt),
            "before": GraphQLArgument(GraphQLString),
            "after": GraphQLArgument(GraphQLString),
        }
        for a, d, default in rec.extra_args:
            if a not in find_args:
                kw: dict[str, Any] = {"description": d}
                if default is not None:
                    kw["default_value"] = default
                find_args[a] = GraphQLArgument(GraphQLString, **kw)
        query[plural] = GraphQLField(conns[n], args=find_args, description=rec.description)
        query[singular] = GraphQLField(
            objs[n], args={"filter": GraphQLArgument(GraphQLNonNull(filters[n]))}
        )
        mutation[c1] = GraphQLField(
            objs[n],
            args={
                "data": GraphQLArgument(GraphQLNonNull(creates[n])),
                "upsert": GraphQLArgument(GraphQLBoolean),
            },
            description=rec.description,
        )
        mutation[cm] = GraphQLField(
            GraphQLList(GraphQLNonNull(objs[n])),
            args={
                "data": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(creates[n])))),
                "upsert": GraphQLArgument(GraphQLBoolean),
            },
        )
        mutation[up] = GraphQLField(
            objs[n],
            args={
                "id": GraphQLArgument(GraphQLNonNull(uuid)),
                "data": GraphQLArgument(GraphQLNonNull(update)),
            },
        )
        mutation[de] = GraphQLField(objs[n], args={"id": GraphQLArgument(GraphQLNonNull(uuid))})
        parts["unique"] = unique
    first_rec, first_parts = built[0]
    union: GraphQLUnionType | None = None
    if reg.free(spec.union[0]):
        reg.take(spec.union[0])
        union = GraphQLUnionType(spec.union[0], list(objs.values()), description=spec.union[1])
    for name, kind, desc, args in spec.extra_roots:
        if name in query:
            continue
        ret: Any = {
            "String": GraphQLString,
            "Int": GraphQLNonNull(GraphQLInt),
            "record": objs[first_rec.name],
            "list": GraphQLList(GraphQLString),
            "enum": first_parts["enum"],
            "union": GraphQLList(union) if union else GraphQLString,
            "iface": iface or GraphQLString,
        }[kind]
        query[name] = GraphQLField(
            ret,
            args={a: GraphQLArgument(GraphQLString, description=desc) for a in args},
            description=desc,
        )
    extra_types: list[GraphQLNamedType] = [p["unique"] for _, p in built]
    return GraphQLSchema(
        query=GraphQLObjectType("Query", query),
        mutation=GraphQLObjectType("Mutation", mutation),
        types=extra_types,
        description=spec.schema_description,
    )


def build_metadata(spec: SchemaSpec) -> GraphQLSchema:
    """A metadata-ish schema: cursor-paged connections and createOne/updateOne/deleteOne."""
    uuid = _scalar("UUID")
    page_info = GraphQLObjectType(
        "PageInfo",
        {
            "hasNextPage": GraphQLField(GraphQLBoolean),
            "endCursor": GraphQLField(GraphQLString),
        },
    )
    paging = GraphQLInputObjectType(
        "CursorPaging",
        {"first": GraphQLInputField(GraphQLInt), "after": GraphQLInputField(GraphQLString)},
    )
    reg = _Types(["UUID", "PageInfo", "CursorPaging", "Query", "Mutation", *_STANDARD])
    query: dict[str, GraphQLField] = {}
    mutation: dict[str, GraphQLField] = {}
    for name, desc, fields in spec.meta_types:
        plural = name[0].lower() + name[1:] + "s"
        single = name[0].lower() + name[1:]
        tnames = [name, f"{name}Edge", f"{name}Connection", f"CreateOne{name}Input"]
        if not reg.free(*tnames) or plural in query or single in query or plural == single:
            continue
        reg.take(*tnames)
        fs: dict[str, Any] = {"id": GraphQLField(GraphQLNonNull(uuid))}
        for f in fields:
            fs.setdefault(
                f.name,
                GraphQLField(
                    GraphQLString if f.kind != "list" else GraphQLList(GraphQLString),
                    description=f.description,
                    deprecation_reason=f.deprecated,
                ),
            )
        obj = GraphQLObjectType(name, fs, description=desc)
        edge = GraphQLObjectType(
            f"{name}Edge",
            {"node": GraphQLField(GraphQLNonNull(obj)), "cursor": GraphQLField(GraphQLString)},
        )
        conn = GraphQLObjectType(
            f"{name}Connection",
            {
                "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge)))),
                "pageInfo": GraphQLField(GraphQLNonNull(page_info)),
            },
        )
        create = GraphQLInputObjectType(
            f"CreateOne{name}Input",
            {f.name: GraphQLInputField(GraphQLString, description=f.description) for f in fields}
            or {"id": GraphQLInputField(uuid)},
            description=desc,
        )
        query[plural] = GraphQLField(
            GraphQLNonNull(conn),
            args={"paging": GraphQLArgument(paging, default_value={"first": 10})},
            description=desc,
        )
        query[single] = GraphQLField(obj, args={"id": GraphQLArgument(GraphQLNonNull(uuid))})
        mutation[f"createOne{name}"] = GraphQLField(
            GraphQLNonNull(obj), args={"input": GraphQLArgument(GraphQLNonNull(create))}
        )
        mutation[f"deleteOne{name}"] = GraphQLField(
            GraphQLNonNull(obj), args={"id": GraphQLArgument(GraphQLNonNull(uuid))}
        )
    if not query:
        query["ok"] = GraphQLField(GraphQLBoolean)
    return GraphQLSchema(
        query=GraphQLObjectType("Query", query),
        mutation=GraphQLObjectType("Mutation", mutation) if mutation else None,
    )


def schema_text(schema: GraphQLSchema, fmt: str) -> str:
    """The schema as SDL (graphql-core escaping) or as an introspection result (JSON)."""
    if fmt == "sdl":
        return print_schema(schema)
    result = graphql_sync(schema, get_introspection_query(descriptions=True))
    assert result.errors is None, result.errors
    return json.dumps({"data": result.data})


def load_back(text: str, fmt: str) -> GraphQLSchema:
    """The schema the generator sees (for validating generated documents)."""
    if fmt == "sdl":
        return build_schema(text)
    return build_client_schema(json.loads(text)["data"])


def schema_names(schema: GraphQLSchema) -> set[str]:
    """Every name the schema author chose: types, fields, arguments, enum values."""
    out: set[str] = set()
    for tname, t in schema.type_map.items():
        if tname.startswith("__"):
            continue
        out.add(tname)
        if isinstance(t, GraphQLEnumType):
            out.update(t.values)
        if isinstance(t, (GraphQLObjectType, GraphQLInputObjectType, GraphQLInterfaceType)):
            for fname, f in t.fields.items():
                out.add(fname)
                out.update(getattr(f, "args", {}) or {})
    return out


def schema_descriptions(schema: GraphQLSchema) -> list[str]:
    out: list[str] = []

    def add(d: str | None) -> None:
        if d:
            out.append(d)

    add(schema.description)
    for tname, t in schema.type_map.items():
        if tname.startswith("__"):
            continue
        add(t.description)
        if isinstance(t, GraphQLEnumType):
            for v in t.values.values():
                add(v.description)
                add(v.deprecation_reason)
        if isinstance(t, (GraphQLObjectType, GraphQLInputObjectType)):
            for f in t.fields.values():
                add(f.description)
                add(getattr(f, "deprecation_reason", None))
                for a in (getattr(f, "args", {}) or {}).values():
                    add(a.description)
                    if isinstance(a.default_value, str):
                        add(a.default_value)
    return out


# ---------------------------------------------------------------------------------------------
# Running the generator
# ---------------------------------------------------------------------------------------------


@dataclass
class Generated:
    package: str
    out: Path  # directory holding the package
    core: GraphQLSchema
    metadata: GraphQLSchema
    files: dict[str, str] = field(default_factory=dict)


def write_schemas(spec: SchemaSpec, where: Path) -> tuple[Path, Path]:
    where.mkdir(parents=True, exist_ok=True)
    ext = "graphql" if spec.fmt == "sdl" else "json"
    core_p, meta_p = where / f"core.{ext}", where / f"metadata.{ext}"
    core_p.write_text(schema_text(build_core(spec), spec.fmt), encoding="utf-8")
    meta_p.write_text(schema_text(build_metadata(spec), spec.fmt), encoding="utf-8")
    return core_p, meta_p


def generate_into(spec: SchemaSpec, where: Path, package: str, out: Path) -> Generated:
    """``twenty-gql generate`` from files in ``where`` into ``out/package``.

    Asserts exit status 0 and byte-identical output from a second run of the pipeline.
    """
    from codegen.generate_cli import main as generate_main

    core_p, meta_p = write_schemas(spec, where)
    cfg = where / "pyproject.toml"  # flags, plus the custom scalar's Python type
    scalars = {spec.scalar[0]: "typing.Any"}
    cfg.write_text(f'[tool.twenty-gql.scalars]\n"{spec.scalar[0]}" = "typing.Any"\n', "utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = generate_main(
            [
                "--core-schema",
                str(core_p),
                "--metadata-schema",
                str(meta_p),
                "--out",
                str(out),
                "--package",
                package,
                "--config",
                str(cfg),
            ]
        )
    if rc != 0:
        # re-run in-process to surface the traceback of the real failure
        generate(
            GenerateConfig(
                package=package, core_schema=core_p, metadata_schema=meta_p, scalars=scalars
            )
        )
        raise AssertionError(f"generate exited {rc}: {err.getvalue().strip()}")
    files = {
        str(p.relative_to(out)): p.read_text(encoding="utf-8")
        for p in sorted((out / package).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert f"{package}/__init__.py" in files, sorted(files)
    again = generate(
        GenerateConfig(package=package, core_schema=core_p, metadata_schema=meta_p, scalars=scalars)
    )
    assert again == files, "generator output is not deterministic (second run differs)"
    core_s = load_back(core_p.read_text(encoding="utf-8"), spec.fmt)
    meta_s = load_back(meta_p.read_text(encoding="utf-8"), spec.fmt)
    return Generated(package=package, out=out, core=core_s, metadata=meta_s, files=files)


# ---------------------------------------------------------------------------------------------
# Static checks on the generated sources
# ---------------------------------------------------------------------------------------------

ALLOWED_IMPORTS = frozenset(
    {
        "__future__",
        "datetime",
        "decimal",
        "enum",
        "functools",
        "importlib",
        "msgspec",
        "typing",
        "typing_extensions",
        "uuid",
        "weakref",  # _runtime.files_of: one shared Files per client
        "twenty_gql._sentinel",  # _runtime: NOT_GIVEN / NotGiven (optional arguments)
        "twenty_gql.bulk",
        "twenty_gql.errors",  # _runtime: RecordNotFoundError / EmptyResultError of the facades
        "twenty_gql.datamodel",  # CoreApi.data_model, loaded on first use
        "twenty_gql.dynamic",  # CoreApi.object(name), loaded on first use
        "twenty_gql.files",
        "twenty_gql.operation",
        "twenty_gql.page",  # _runtime: Page / page_of
        "twenty_gql.pagination",
        "twenty_gql.webhooks",  # events.py: ObjectEvents, WebhookDispatcher, loaded on first use
    }
)
ALLOWED_CALLED_BUILTINS = frozenset(
    {"all", "bool", "frozenset", "getattr", "globals", "isinstance", "map", "repr", "set"}
    | {"sorted", "str", "tuple"}
    | {"AttributeError", "ImportError", "TypeError", "ValueError"}
)
FORBIDDEN_NAMES = frozenset(
    {"eval", "exec", "compile", "__import__", "open", "os", "subprocess", "system", "breakpoint"}
    | {"input", "exit", "quit", "setattr", "delattr", "vars", "locals", "__builtins__"}
)
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def generator_vocabulary() -> frozenset[str]:
    """Identifiers the generator itself writes, read from its sources (not from a schema).

    The literal text of the templates (Jinja tags removed) and the string constants of
    ``codegen/*.py`` (build.py assembles annotations and defaults as text). Read at test time,
    so the list follows template changes; it never includes :data:`FORBIDDEN_NAMES`.
    """
    words: set[str] = set()
    for tpl in sorted((ROOT / "codegen" / "templates").glob("*.j2")):
        words.update(_IDENT.findall(_JINJA_TAG.sub(" ", tpl.read_text(encoding="utf-8"))))
    for src in sorted((ROOT / "codegen").glob("*.py")):
        tree = ast.parse(src.read_text(encoding="utf-8"))
        docstrings = {
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                words.update(_IDENT.findall(node.value))
    words.update(n for n in dir(builtins))
    words.update(ALLOWED_IMPORTS)
    words.update(
        {"annotations", "twenty_gql", "operation", "bulk", "pagination", "webhooks", "files"}
        | {"datamodel", "dynamic"}
    )
    return frozenset(words - FORBIDDEN_NAMES)


VOCABULARY = generator_vocabulary()
_COLLISION_SUFFIX = re.compile(r"_\d+$")
_PREFIXES = ("_m_", "_D_", "_F_", "_")
_SUFFIXES = (
    "_with_op",
    "_WITH_CACHE",
    "_with",
    "_OP",
    "Api",
    "Literal",
    "WithRelations",
    "WithRelationsConnection",
    "WithRelationsEdge",
    "RelationName",
    "Result",  # operation result structs (CompaniesResult)
    "WithRelationsResult",
    "_count",  # the count operation of a facade's count() (companies_count, COMPANIES_COUNT_OP)
    "_COUNT",
    "CountResult",
    "TotalCount",  # its connection struct (CompanyTotalCount)
    "Fields",  # record fragments (_F_CompanyFields)
)


def derived_names(schema_names_: Iterable[str]) -> set[str]:
    """Every identifier the naming rules can make from these schema names (before suffixes)."""
    out: set[str] = set()
    for n in schema_names_:
        for f in (
            naming.class_name,
            naming.attribute_name,
            naming.struct_attribute_name,
            naming.param_name,
            naming.function_name,
            naming.module_name,
            naming.enum_member_name,
            naming.snake_case,
            naming.safe_ascii,
        ):
            ident = f(n)
            out.add(ident)
            out.add(ident.strip("_"))
            out.add(ident.upper().strip("_"))
            out.add(ident.lower())
        out.add(n)
    return out


def _is_derived(ident: str, derived: set[str]) -> bool:
    """``ident`` = optional generator prefix + a naming-rule image + generator suffixes."""
    candidates = {ident}
    for _ in range(3):
        more = set()
        for c in candidates:
            more.add(_COLLISION_SUFFIX.sub("", c))
            more.add(c.rstrip("_"))
            more.update(c[len(p) :] for p in _PREFIXES if c.startswith(p))
            more.update(c[: -len(x)] for x in _SUFFIXES if c.endswith(x))
        candidates |= more
    return any(c in derived or c.strip("_") in derived for c in candidates if c)


def code_tokens(source: str) -> list[tokenize.TokenInfo]:
    """Tokens of ``source`` that are code: no strings, comments, or f-string text."""
    skip = {tokenize.STRING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE}
    for nm in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END"):
        if hasattr(tokenize, nm):
            skip.add(getattr(tokenize, nm))
    return [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in skip and t.string.strip()
    ]


def _annotation_strings(nodes: list[ast.AST]) -> list[str]:
    """String constants that are code for type checkers: TypedDict value annotations."""
    out = []
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "TypedDict"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Dict)
        ):
            for v in node.args[1].values:
                assert isinstance(v, ast.Constant) and isinstance(v.value, str), ast.dump(v)
                out.append(v.value)
    return out


def _identifiers(nodes: list[ast.AST]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
            yield node.arg
        elif isinstance(node, ast.alias):
            yield from node.name.split(".")
            if node.asname:
                yield node.asname


@dataclass
class SourceStats:
    modules: int = 0
    documents: int = 0
    identifiers: int = 0


def check_sources(gen: Generated, stats: SourceStats) -> None:
    """Parse, token, identifier, import, builtin-call and document checks on one package."""
    names = schema_names(gen.core) | schema_names(gen.metadata)
    derived = derived_names(names)
    for rel, text in gen.files.items():
        assert "\x00" not in text, f"{rel}: NUL byte in output"
        if not rel.endswith(".py"):
            if rel.endswith(".graphql"):
                build_schema(text)  # the saved schema is the (valid) schema itself
            continue
        stats.modules += 1
        tree = ast.parse(text, filename=rel)
        compile(tree, rel, "exec")  # symbol-table errors too (duplicate argument names)
        for tok in code_tokens(text):
            assert MARKER not in tok.string, f"{rel}:{tok.start[0]}: schema text as code: {tok}"
        nodes = list(ast.walk(tree))
        for node in nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mod = node.module if isinstance(node, ast.ImportFrom) else None
                if isinstance(node, ast.ImportFrom) and node.level:
                    continue  # relative: inside the generated package
                targets = [mod] if mod else [a.name for a in node.names]
                for t in targets:
                    assert t in ALLOWED_IMPORTS, f"{rel}: imports {t!r}"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                fn = node.func.id
                if fn in dir(builtins):
                    assert fn in ALLOWED_CALLED_BUILTINS, f"{rel}: calls builtin {fn}()"
        trees = [nodes] + [
            list(ast.walk(ast.parse(a, mode="eval"))) for a in _annotation_strings(nodes)
        ]
        for t in trees:
            for ident in _identifiers(t):
                stats.identifiers += 1
                assert MARKER not in ident, f"{rel}: identifier {ident!r} from a description"
                assert ident not in FORBIDDEN_NAMES or ident in derived, (
                    f"{rel}: forbidden name {ident!r} in code"
                )
                assert ident in VOCABULARY or _is_derived(ident, derived), (
                    f"{rel}: identifier {ident!r} is neither generator vocabulary nor derived "
                    "from a schema name"
                )
        for doc in _documents(tree, nodes):
            schema = gen.core if "/core/" in rel else gen.metadata
            errors = validate(schema, parse(doc))
            assert not errors, f"{rel}: document does not validate: {errors[0].message}\n{doc}"
            stats.documents += 1
    # not vacuous: a type that becomes a class keeps its description (as a docstring/comment)
    all_text = "\n".join(gen.files.values())
    kept = [
        t.description
        for schema in (gen.core, gen.metadata)
        for name, t in schema.type_map.items()
        if isinstance(t, (GraphQLObjectType, GraphQLEnumType, GraphQLInputObjectType))
        and not name.startswith("__")
        and t.description
        and MARKER in t.description
    ]
    assert MARKER in all_text or not kept, f"every description was dropped: {kept[:3]}"


def _documents(tree: ast.Module, nodes: list[ast.AST]) -> list[str]:
    """Every GraphQL document the module would send (static: read from the literals).

    A document is a string literal, a module constant (a record's ``_F_...Fields`` fragment), a
    ``+`` of those, or an ``include_document(...)`` call (tried with every relation and with the
    first); any other expression fails the check rather than being skipped.
    """
    docs: list[str] = []
    selections: dict[str, str] = {}
    consts: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "_RELATION_SELECTIONS"
            and node.value is not None
        ):
            selections = ast.literal_eval(node.value)
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            consts[node.targets[0].id] = node.value.value

    def texts(node: ast.expr) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.Name) and node.id in consts:
            return [consts[node.id]]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [a + b for a in texts(node.left) for b in texts(node.right)]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "include_document"
        ):
            prefix = ast.literal_eval(node.args[0])
            suffix = ast.literal_eval(node.args[2])
            depth = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "depth"), 0)

            def join(names: list[str]) -> str:
                pad = "  " * depth
                body = (pad + line + "\n" for n in names for line in selections[n].split("\n"))
                return prefix + "".join(body) + suffix

            sels = sorted(selections)
            return [join(sels), join(sels[:1])] if sels else [join([])]
        raise AssertionError(f"document expression not understood: {ast.dump(node)[:200]}")

    for node in nodes:
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "Operation":
            kw = {k.arg: k.value for k in node.keywords}
            d = kw.get("document")
            if d is not None:
                docs += texts(d)
    return docs


# ---------------------------------------------------------------------------------------------
# Import and type-check many packages at once
# ---------------------------------------------------------------------------------------------

_IMPORT_ALL = r"""
import importlib, json, pkgutil, sys
report = {}
for pkg in sys.argv[1:]:
    mod = importlib.import_module(pkg)
    count = 1
    for info in pkgutil.walk_packages(mod.__path__, pkg + "."):
        sub = importlib.import_module(info.name)
        count += 1
        for name in getattr(sub, "__all__", ()):
            getattr(sub, name)
    for name in mod.__all__:
        getattr(mod, name)
    report[pkg] = count
print(json.dumps(report))
"""


def import_packages(pkgs_dir: Path, packages: list[str], cwd: Path) -> dict[str, int]:
    """Import every module of every package (and every ``__all__`` name) in one subprocess."""
    env = {"PYTHONPATH": f"{pkgs_dir}{os.pathsep}{ROOT}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, *packages],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    report: dict[str, int] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not [p for p in cwd.rglob("*") if MARKER in p.name], "a payload created a file"
    return report


def run_mypy(pkgs_dir: Path, packages: list[str]) -> subprocess.CompletedProcess[str]:
    """One ``mypy --strict`` over all ``packages`` (returns the finished process)."""
    env = dict(os.environ, MYPYPATH=str(ROOT))
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    cmd += ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", os.devnull]
    for p in packages:
        cmd += ["-p", p]
    return subprocess.run(cmd, cwd=pkgs_dir, env=env, capture_output=True, text=True, timeout=900)


# ---------------------------------------------------------------------------------------------
# The fuzz loop (shared by the CI test and bench/fuzz_codegen.py)
# ---------------------------------------------------------------------------------------------


@dataclass
class FuzzRun:
    pkgs_dir: Path
    packages: list[str] = field(default_factory=list)
    stats: SourceStats = field(default_factory=SourceStats)
    tried: int = 0
    seconds: float = 0.0
    failing: SchemaSpec | None = None  # after a failure: the (shrunk) schema that failed


def fuzz(run: FuzzRun, work: Path, examples: int, *, seed_: int | None = None) -> FuzzRun:
    """Generate and statically check ``examples`` adversarial schemas into ``run.pkgs_dir``.

    Reproducible: derandomized (``seed_=None``) or seeded. Raises on the first failure after
    hypothesis has shrunk it; ``run.failing`` then holds the minimal schema spec.
    """
    pkgs_dir = run.pkgs_dir

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=seed_ is None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(schema_specs())
    def one(spec: SchemaSpec) -> None:
        run.tried += 1
        package = f"adv_{run.tried}"
        try:
            gen = generate_into(spec, work / package, package, out=pkgs_dir)
            check_sources(gen, run.stats)
        except BaseException:
            run.failing = spec
            raise
        run.packages.append(package)

    test = one if seed_ is None else seed(seed_)(one)
    start = time.perf_counter()
    try:
        test()
    finally:
        run.seconds = time.perf_counter() - start
    return run


def spec_sdl(spec: SchemaSpec) -> str:
    """Both schemas of ``spec`` as SDL, for a failure report."""
    return (
        "# core\n"
        + print_schema(build_core(spec))
        + "\n# metadata\n"
        + print_schema(build_metadata(spec))
    )
