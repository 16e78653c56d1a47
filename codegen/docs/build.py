"""Stage: the bindings' IR (and the schema it was built from) -> the docs IR.

The site is built from the very values the bindings are rendered from: record structs
(``StructDef``: attribute, wire name, ``PyType``), facades (``FacadeDef``/``FacadeMethod``:
name, parameters, return annotation, doc) and operations (``OperationDef``). Facade methods are
taken as the IR lists them, whatever they are; nothing here names a method.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from codegen import model as m
from codegen.conventions import Conventions, doc_of
from codegen.docs.datamodel import FieldMeta, ModelInfo
from codegen.docs.model import (
    Change,
    FieldDoc,
    FilterDoc,
    MethodDoc,
    ObjectDoc,
    OperationDoc,
    OptionDoc,
    ParamDoc,
    RelationDoc,
    SiteDoc,
)
from codegen.pytypes import LiteralOf, Named, Nullable, PyType, UnionOf
from codegen.text import py_str

__all__ = ["build_site", "show_type"]

Built = Mapping[str, tuple[list[m.ModuleDef], m.InitDef]]


def show_type(t: PyType) -> str:
    """``t`` as a reader writes it: ``Company | None``, ``list[UUID]``; no import aliases."""
    if isinstance(t, Named):
        name = t.name.lstrip("_") or t.name
        return f"{name}[{', '.join(show_type(a) for a in t.args)}]" if t.args else name
    if isinstance(t, UnionOf):
        return " | ".join(show_type(x) for x in t.members)
    if isinstance(t, Nullable):
        return f"{show_type(t.inner)} | None"
    assert isinstance(t, LiteralOf)
    return f"Literal[{', '.join(py_str(v) for v in t.values)}]"


# What an optional argument defaults to when the IR does not say: the runtime's sentinel for
# "not sent" (an argument left at ``NOT_GIVEN`` is not sent at all).
NOT_GIVEN = "NOT_GIVEN"


def param_default(p: m.Param) -> str:
    """The default of an optional parameter as source text: the Param's own ``default`` when
    the IR carries one (text as is, any other value as its ``repr``), else ``NOT_GIVEN``;
    "" for a required parameter."""
    if p.required:
        return ""
    own: object = getattr(p, "default", None)
    if own is None or own == "":
        return NOT_GIVEN
    return own if isinstance(own, str) else repr(own)


def _params(params: tuple[m.Param, ...]) -> tuple[ParamDoc, ...]:
    return tuple(
        ParamDoc(p.name, show_type(p.annotation), p.required, param_default(p)) for p in params
    )


def _signature(name: str, params: tuple[ParamDoc, ...], returns: str) -> str:
    args = [f"{p.name}: {p.annotation}" + (f" = {p.default}" if p.default else "") for p in params]
    return f"{name}({', '.join(args)}) -> {returns}"


def _is_unset(t: PyType) -> bool:
    return isinstance(t, Named) and t.name == "UnsetType"


def user_type(t: PyType) -> PyType:
    """``t`` as a user reads the value: ``msgspec.UNSET`` (a relation not selected) dropped."""
    if isinstance(t, UnionOf):
        kept = tuple(x for x in t.members if not _is_unset(x))
        if len(kept) == 1:
            return kept[0]
        return UnionOf(kept) if kept != t.members else t
    return t


def _core(t: PyType) -> PyType:
    """The type under ``| None`` and ``| UnsetType``."""
    t = user_type(t)
    while isinstance(t, Nullable):
        t = user_type(t.inner)
    return t


def _include_method(facade: m.FacadeDef | None, with_struct: str) -> str:
    """The facade's include method returning one ``with_struct`` record (else any include
    method), as the IR lists it; "" when the facade has none."""
    found = [meth for meth in (facade.methods if facade else ()) if meth.kind.startswith("include")]
    for meth in found:
        ret = meth.return_annotation
        core = _core(ret) if ret is not None else None
        if isinstance(core, Named) and core.name == with_struct:
            return meth.name
    return found[0].name if found else ""


def method_parts(meth: m.FacadeMethod) -> tuple[tuple[m.Param, ...], PyType]:
    """A facade method's own parameters and return annotation; a method that only binds its
    operation's function (no own parameters or return in the IR) has the operation's."""
    op: m.OperationDef | None = getattr(meth, "op", None)
    if meth.params or meth.return_annotation is not None or op is None:
        ret = meth.return_annotation
        if ret is None:
            ret = op.return_annotation if op is not None else Named("None")
        return meth.params, ret
    return op.params, op.return_annotation


def _include_param(meth: m.FacadeMethod, mod: m.ModuleDef) -> tuple[ParamDoc, ...]:
    """The leading ``include`` parameter of an include method, which the module renders from
    its include variant (typed by its relation-name alias) rather than listing it in the
    method's params; () when the method lists it itself or is no include method."""
    if not meth.kind.startswith("include") or any(p.name == "include" for p in meth.params):
        return ()
    if not mod.include_variants:
        return ()
    alias = mod.include_variants[0].relation_alias
    return (ParamDoc("include", f"Iterable[{alias}]", True),)


class _Examples:
    """Short example calls, derived from each parameter's name and type."""

    def __init__(self, obj: str, fields: tuple[FieldDoc, ...], rels: tuple[RelationDoc, ...]):
        self.obj = obj
        text = [f for f in fields if f.filter_type == "StringFilter" and f.wire != "id"]
        self.text_field = text[0].wire if text else ""
        self.relation = rels[0].field if rels else ""

    def value(self, p: ParamDoc) -> str:
        ann, name = p.annotation, p.name
        if name in ("id", "ids") or ann.startswith(("UUID", "str | UUID", "UUID | str")):
            return f'"{self.obj}-id"' if name != "ids" else f'["{self.obj}-id"]'
        if name == "filter" or ann.endswith("FilterInput") or "FilterInput |" in ann:
            if self.text_field:
                return f'{{"{self.text_field}": {{"eq": "Acme"}}}}'
            return '{"id": {"eq": "..."}}'
        if name == "include":
            return f'["{self.relation}"]' if self.relation else "[...]"
        many = ann.startswith(("list[", "Iterable[", "Sequence["))
        if name in ("data", "records") or "CreateInput" in ann or "UpdateInput" in ann:
            one = f'{{"{self.text_field}": "Acme"}}' if self.text_field else "{...}"
            return f"[{one}]" if many or name == "records" else one
        if many:
            return "[...]"
        if ann.startswith("int"):
            return "10"
        if ann.startswith("bool"):
            return "True"
        if ann.startswith("str"):
            return '"..."'
        return "..."

    def call(self, target: str, name: str, params: tuple[ParamDoc, ...], returns: str) -> str:
        wanted = [p for p in params if p.required or p.name == "filter"]
        args = ", ".join(f"{p.name}={self.value(p)}" for p in wanted)
        call = f"{target}.{name}({args})"
        if returns.startswith(("AsyncIterator[", "AsyncIterable[")):
            return f"async for record in {call}:\n    print(record)  # {returns[14:-1]}"
        return f"result = await {call}\n# result: {returns}"


def _options(values: list[str], meta: FieldMeta) -> tuple[OptionDoc, ...]:
    """The enum's values, in the metadata's order when it lists them (labels and colors
    from it), any other value after them sorted."""
    known = {o.value: o for o in meta.options}
    listed = [o.value for o in meta.options if o.value in values]
    rest = sorted(v for v in values if v not in known)
    return tuple(
        OptionDoc(v, known[v].label, known[v].color) if v in known else OptionDoc(v)
        for v in listed + rest
    )


def _filter_types(schema: GraphQLSchema, conv: Conventions) -> dict[str, dict[str, str]]:
    """Per record: field -> its filter input type, from ``<Record>FilterInput``."""
    out: dict[str, dict[str, str]] = {}
    for rec in conv.records:
        t = schema.type_map.get(f"{rec}FilterInput")
        if isinstance(t, GraphQLInputObjectType):
            out[rec] = {
                n: get_named_type(f.type).name
                for n, f in t.fields.items()
                if n not in ("and", "or", "not")
            }
    return out


def _filter_docs(schema: GraphQLSchema, used: set[str]) -> tuple[FilterDoc, ...]:
    docs = []
    for name in sorted(used):
        t = schema.type_map.get(name)
        if isinstance(t, GraphQLInputObjectType):
            ops = tuple((n, str(f.type)) for n, f in sorted(t.fields.items()))
            docs.append(FilterDoc(name, ops))
    return tuple(docs)


def _module(modules: list[m.ModuleDef], path: str) -> m.ModuleDef | None:
    return next((mod for mod in modules if mod.path == path), None)


def _core_objects(
    schema: GraphQLSchema, modules: list[m.ModuleDef], info: ModelInfo
) -> tuple[tuple[ObjectDoc, ...], set[str]]:
    conv = Conventions("graphql", schema)
    api = _module(modules, "core/_api.py")
    attr_of = {show_type(t): prop for prop, t in (api.api_props if api else ())}
    slug = {rec: conv.record_module[rec].rsplit("/", 1)[-1] for rec in conv.records}
    filters = _filter_types(schema, conv)
    used_filters: set[str] = set()
    # Twenty's ``nameSingular`` of each object: its ``findOne`` root field
    one_names: dict[str, str] = {}
    q = schema.query_type
    for fname, f in q.fields.items() if q else ():
        cls = conv.classify("query", fname, f)
        if cls is not None and cls[1] == "find_one":
            one_names.setdefault(cls[0], fname)
    rels_out: dict[str, list[RelationDoc]] = {}
    for rec in conv.records:
        for fname, f, many in conv.relations(rec):
            target = get_named_type(f.type).name
            target = conv.record_connections.get(target, target)
            rels_out.setdefault(rec, []).append(
                RelationDoc(fname, rec, target, many, slug[rec], slug.get(target, ""))
            )
    objects = []
    for rec in sorted(conv.records):
        t = conv.types[rec]
        mod = _module(modules, f"core/{conv.record_module[rec]}.py")
        if mod is None or not isinstance(t, GraphQLObjectType):
            continue
        structs = {s.name: s for s in mod.structs}
        by_wire: dict[str, m.StructField] = {}
        for key in (f"{rec}\0rel", rec):  # the record's own attributes win
            s = structs.get(conv.cls.get(key, ""))
            by_wire.update((f.wire, f) for f in (s.fields if s else ()))
        facade = next((fd for fd in mod.facades if fd.name == conv.cls[f"{rec}\0api"]), None)
        facade_name = facade.name if facade else ""
        attr = attr_of.get(facade_name, "")
        include = _include_method(facade, conv.cls.get(f"{rec}\0rel", ""))
        many_of = {r.field: r for r in rels_out.get(rec, ())}
        obj_name = one_names.get(rec, rec[:1].lower() + rec[1:])
        unique = set(conv.unique_fields(rec)) - {"id"}
        own_filters = filters.get(rec, {})
        used_filters.update(own_filters.values())
        fields = []
        for wire, f in sorted(t.fields.items()):
            sf = by_wire.get(wire)
            named = get_named_type(f.type)
            meta = info.field(obj_name, wire)
            target = conv.record_connections.get(named.name, named.name)
            py_type = show_type(user_type(sf.annotation)) if sf else ""
            via = ""
            rel = many_of.get(wire)
            if rel is not None and sf is not None:
                if rel.many:
                    py_type = f"list of {rel.target} (connection)"
                if include:
                    via = f"crm.{attr or obj_name}.{include}([{py_str(wire)}], ...)"
            fields.append(
                FieldDoc(
                    wire=wire,
                    attr=sf.name if sf else "",
                    py_type=py_type,
                    graphql_type=str(f.type),
                    nullable=not isinstance(f.type, GraphQLNonNull),
                    description=doc_of(f),
                    options=_options(list(named.values), meta)
                    if isinstance(named, GraphQLEnumType)
                    else (),
                    default=meta.default,
                    unique=wire in unique or meta.unique,
                    filter_type=own_filters.get(wire, ""),
                    relation=target if target in conv.records else "",
                    via=via,
                )
            )
        outgoing = tuple(rels_out.get(rec, ()))
        incoming = tuple(
            r for other in sorted(rels_out) for r in rels_out[other] if r.target == rec
        )
        ex = _Examples(obj_name, tuple(fields), outgoing)
        attr = attr or obj_name
        methods = []
        for meth in facade.methods if facade else ():
            raw_params, raw_ret = method_parts(meth)
            params, returns = _include_param(meth, mod) + _params(raw_params), show_type(raw_ret)
            methods.append(
                MethodDoc(
                    name=meth.name,
                    kind=meth.kind,
                    params=params,
                    returns=returns,
                    doc=meth.doc,
                    signature=_signature(meth.name, params, returns),
                    example=ex.call(f"crm.{attr}", meth.name, params, returns),
                )
            )
        objects.append(
            ObjectDoc(
                name=rec,
                object_name=obj_name,
                slug=slug[rec],
                api_attr=attr,
                facade=facade_name,
                custom=info.is_custom(obj_name),
                description=doc_of(t),
                fields=tuple(fields),
                outgoing=outgoing,
                incoming=incoming,
                methods=tuple(methods),
                filter_input=f"{rec}FilterInput" if rec in filters else "",
            )
        )
    return tuple(objects), used_filters


def _metadata_ops(modules: list[m.ModuleDef]) -> tuple[OperationDoc, ...]:
    api = _module(modules, "metadata/_api.py")
    facade_of: dict[str, str] = {}
    if api is not None:
        prop_of = {show_type(t): prop for prop, t in api.api_props}
        for fd in api.facades:
            for meth in fd.methods:
                op: m.OperationDef | None = getattr(meth, "op", None)
                if op is not None:
                    facade_of[op.func_name] = f"meta.{prop_of.get(fd.name, fd.name)}.{meth.name}"
    ops = sorted(
        (op for mod in modules for op in mod.operations), key=lambda o: (o.kind, o.func_name)
    )
    out = []
    for op in ops:
        params, returns = _params(op.params), show_type(op.return_annotation)
        out.append(
            OperationDoc(
                func=op.func_name,
                kind=op.kind,
                root_field=op.root_fields[0] if op.root_fields else "",
                params=params,
                returns=returns,
                doc=op.doc,
                signature=_signature(op.func_name, params, returns),
                facade=facade_of.get(op.func_name, ""),
            )
        )
    return tuple(out)


def build_site(
    package: str,
    schemas: Mapping[str, GraphQLSchema],
    hashes: Mapping[str, str],
    built: Built,
    info: ModelInfo,
    changes: list[Change] | None = None,
    changes_since: str = "",
) -> SiteDoc:
    """The docs IR of one workspace (``built``: :func:`codegen.build.build_endpoint` per endpoint)."""
    objects: tuple[ObjectDoc, ...] = ()
    filters: tuple[FilterDoc, ...] = ()
    if "graphql" in built:
        objects, used = _core_objects(schemas["graphql"], built["graphql"][0], info)
        filters = _filter_docs(schemas["graphql"], used)
    meta_ops = _metadata_ops(built["metadata"][0]) if "metadata" in built else ()
    return SiteDoc(
        package=package,
        sources=tuple(sorted(hashes.items())),
        custom_source=info.source,
        options_source=info.options_source,
        objects=objects,
        filters=filters,
        metadata_ops=meta_ops,
        changes=tuple(changes) if changes is not None else None,
        changes_since=changes_since,
    )
