"""Stage: graphql-core schema -> IR (:mod:`codegen.model`) for one endpoint.

The stages it runs, one module each: :mod:`codegen.conventions` (what the schema means),
:mod:`codegen.selections` (what is selected), :mod:`codegen.placement` (metadata modules),
:mod:`codegen.types` (types and operations),
:mod:`codegen.facades` (the object surface) and :mod:`codegen.imports`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

from codegen import model as m
from codegen import naming
from codegen.facades import core_api_module, metadata_facades, record_facade
from codegen.imports import with_imports
from codegen.placement import INPUTS, SCALAR_OPS, TYPES_DIR, op_module
from codegen.scalars import ScalarMap
from codegen.types import TypeBuilder

__all__ = ["EndpointInput", "build_endpoint"]


@dataclass(frozen=True)
class EndpointInput:
    endpoint: str  # "graphql" | "metadata"
    schema: GraphQLSchema
    scalars: ScalarMap = field(default_factory=ScalarMap)


def _op_names(op_ns: naming.Namespace, kind: str, fname: str) -> tuple[str, str, str]:
    """The function, ``Operation`` constant and result struct names of root field ``fname``."""
    func = op_ns.claim(f"{kind}\0{fname}", naming.function_name(fname))
    const = op_ns.claim(
        f"{kind}\0{fname}\0op", func.upper().strip("_") + "_OP" if func.strip("_") else "OP"
    )
    data = op_ns.claim(f"{kind}\0{fname}\0data", naming.class_name(fname) + "Result")
    return func, const, data


_SKIPPED = "subscription {}: skipped (the runtime has no subscription transport yet)"


def build_endpoint(ep: EndpointInput) -> tuple[list[m.ModuleDef], m.InitDef]:
    """All modules of one endpoint and its ``__init__``."""
    b = TypeBuilder(ep.endpoint, ep.schema, ep.scalars)
    modules: dict[str, m.ModuleParts] = {}

    def mod(key: str) -> m.ModuleParts:
        return modules.setdefault(key, m.ModuleParts())

    _build_types(b, mod)
    facade_ops = _build_operations(b, mod)
    api_props: list[tuple[str, str, str]] = []
    if b.is_core:
        # CoreApi's accessors are @property methods: one named ``property`` would shadow the
        # decorator for the accessors after it in the class body
        # ``object`` / ``data_model`` are CoreApi's untyped accessors: an object whose
        # accessor would take one of those names gets a suffix instead
        props = naming.Namespace(reserved=("property", *naming.CORE_API_RESERVED))
        for rec, ops in sorted(facade_ops.items()):
            key = b.record_module[rec]
            facade = record_facade(b, rec, key, ops, mod(key))
            mod(key).facades.append(facade)
            prop = props.claim(rec, naming.attribute_name(b.records.get(rec, rec)))
            api_props.append((prop, facade.name, key))
    else:
        metadata_facades(b, mod("_api"), modules)
    out = [_module_def(b, key, modules[key]) for key in sorted(modules)]
    if b.is_core:
        out.append(core_api_module(b, api_props))
    return out, _init_def(b, out)


def _build_types(b: TypeBuilder, mod: Callable[[str], m.ModuleParts]) -> None:
    roots = (b.schema.query_type, b.schema.mutation_type, b.schema.subscription_type)
    for n, t in b.types.items():
        owner = b.owner.get(n)
        if owner is None:
            continue
        if isinstance(t, GraphQLEnumType):
            mod(owner).enums.append(b.enum_for(owner, t))
        elif isinstance(t, GraphQLInputObjectType):
            mod(owner).inputs.append(b.input_for(owner, t))
        elif isinstance(t, GraphQLObjectType) and t not in roots:
            mod(owner).structs.append(b.struct_for(owner, t))
        elif isinstance(t, (GraphQLUnionType, GraphQLInterfaceType)) and b.named_union(t):
            mod(owner).aliases.append(b.union_alias(owner, t))


def _build_operations(
    b: TypeBuilder, mod: Callable[[str], m.ModuleParts]
) -> dict[str, dict[str, m.OperationDef]]:
    """One operation per root field; returns record -> facade verb -> operation (core)."""
    # One namespace (``b.op_names``) for every function, OP constant and result struct of the
    # endpoint: the package ``__init__`` re-exports all modules' names flat, and a query and a
    # mutation may share a name, so names unique per module only would shadow one another there.
    facade_ops: dict[str, dict[str, m.OperationDef]] = {}
    for kind, root in (("query", b.schema.query_type), ("mutation", b.schema.mutation_type)):
        if root is None:
            continue
        for fname, f in root.fields.items():
            cls = b.classify(kind, fname, f) if b.is_core else None
            if b.is_core:
                key = b.record_module[cls[0]] if cls else "_root"
            else:
                key = op_module(b.owner, f)
            func, const, data = _op_names(b.op_names, kind, fname)
            op = b.operation(key, kind, fname, f, (func, const, data))
            mod(key).ops.append(op)
            if cls is not None:
                facade_ops.setdefault(cls[0], {}).setdefault(cls[1], op)
    sub = b.schema.subscription_type
    if sub is not None:
        skipped = mod("_root" if b.is_core else SCALAR_OPS).skipped
        skipped += [_SKIPPED.format(fname) for fname in sub.fields]
    return facade_ops


def _module_def(b: TypeBuilder, key: str, parts: m.ModuleParts) -> m.ModuleDef:
    names = parts.names()
    is_meta_api = key == "_api" and not b.is_core
    if is_meta_api:
        names.append(b.cls["\0meta"])
    mod = m.ModuleDef(
        path=f"{b.pkg}/{key}.py",
        doc=_module_doc(b, key),
        enums=tuple(parts.enums),
        inputs=tuple(parts.inputs),
        structs=tuple(parts.structs),
        aliases=tuple(parts.aliases),
        operations=tuple(parts.ops),
        facades=tuple(parts.facades),
        include_variants=tuple(parts.includes),
        all_names=tuple(sorted(names)),
        skipped=tuple(parts.skipped),
        api_class=b.cls["\0meta"] if is_meta_api else "",
        api_doc="Typed access to the data model: ``MetadataApi(client).objects``."
        if is_meta_api
        else "",
        api_props=b.meta_props if is_meta_api else (),
        fragments=_fragments(parts),
    )
    return with_imports(mod, b.imp(key), key)


def _fragments(parts: m.ModuleParts) -> tuple[m.Fragment, ...]:
    """Every named fragment the module's documents spread, each once, by name."""
    found: dict[str, m.Fragment] = {}
    for doc in [o.document for o in parts.ops] + [i.document for i in parts.includes]:
        found.update((f.name, f) for f in doc.fragments)
    return tuple(found[n] for n in sorted(found))


def _init_def(b: TypeBuilder, modules: list[m.ModuleDef]) -> m.InitDef:
    """The endpoint package's ``__init__``: every module's names, exported lazily."""
    exports = [
        m.LazyExport(
            name=n, module="." + mod.path.split("/", 1)[1].removesuffix(".py").replace("/", ".")
        )
        for mod in modules
        for n in mod.all_names
    ]
    return m.InitDef(
        path=f"{b.pkg}/__init__.py",
        doc=(
            "Workspace data API (``/graphql``): one module per object, imported on first use."
            if b.is_core
            else "Metadata API (``/metadata``): objects, fields and every other operation."
        ),
        constants=(),
        exports=tuple(sorted(exports, key=lambda e: e.name)),
        submodules=(),
    )


def _module_doc(b: TypeBuilder, key: str) -> str:
    if key == b.common:
        return "Types shared by several objects (composites, filters, enums, page info)."
    if key == "_root":
        return "Root fields that follow no per-object convention (generic typed functions)."
    if key == SCALAR_OPS:
        return "Metadata root fields that return a scalar: one typed function each."
    if key == INPUTS:
        return "Metadata input types (TypedDicts) and the enums only inputs use."
    if key.startswith(TYPES_DIR + "/"):
        return "Metadata types loaded together on first use, and the root fields returning them."
    if key == "_api":
        return "Facades over the metadata API: ``MetadataApi(client).objects`` / ``.fields``."
    recs = [r for r, k in b.record_module.items() if k == key]
    return (
        f"The ``{recs[0]}`` object: types, inputs, enums, operations and its facade."
        if recs
        else key
    )
