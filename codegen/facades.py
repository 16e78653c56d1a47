"""Stage: facades, the object-oriented surface over the typed functions.

Core: one ``<Object>Api`` class per record type (``crm.companies``) whose methods are the
object's operations matched by :mod:`codegen.conventions`, plus ``iterate`` (pages), bulk
``create_many`` and the ``include=`` variants of ``find_many``/``find_one``; ``CoreApi`` holds
one lazily imported attribute per object. Metadata: ``MetadataApi`` with ``objects`` and
``fields``.
"""

from __future__ import annotations

from dataclasses import replace

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
)

from codegen import model as m
from codegen import naming
from codegen.conventions import doc_of, unwrap
from codegen.imports import with_imports
from codegen.pytypes import BOOL, INT, STR, Named, Nullable, PyType, alias, list_of, union
from codegen.types import TypeBuilder

__all__ = [
    "attachment_targets",
    "core_api_module",
    "file_methods",
    "files_fields",
    "metadata_facades",
    "record_facade",
]

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


def record_facade(
    b: TypeBuilder,
    rec: str,
    key: str,
    ops: dict[str, m.OperationDef],
    parts: m.ModuleParts,
) -> m.FacadeDef:
    methods: list[m.FacadeMethod] = []
    for name in m.FACADE_ORDER:
        op = ops.get(name)
        if op is None:
            continue
        if name == "create_many":
            mutation = b.schema.mutation_type
            arg = mutation.fields[op.root_fields[0]].args.get("data") if mutation else None
            records_type = unwrap(arg.type) if arg is not None else None
            if not isinstance(records_type, GraphQLList):
                continue
            rec_ann = b.in_ann(key, records_type.of_type)
            # ``create_many: BulkCreator[Company, CompanyCreateInput] = BulkCreator(...)``: the
            # runtime descriptor's bound call has the explicit, typed keyword parameters.
            methods.append(
                m.FacadeMethod(
                    name=name,
                    kind="bulk",
                    op=op,
                    doc=(
                        "Create or upsert any number of records, chunked to the server's batch "
                        "limit, with an outcome per input record (``twenty_gql.bulk``)."
                    ),
                    extra=f"{alias('twenty_gql.bulk')}.BulkCreator",
                    unique_fields=b.unique_fields(rec),
                    return_annotation=Named(
                        "BulkCreator", "twenty_gql.bulk", (Named(b.cls[rec]), rec_ann)
                    ),
                )
            )
            continue
        methods.append(
            m.FacadeMethod(name=name, kind="call", op=op, doc=_FACADE_DOCS.get(name, ""))
        )
        if name == "find_many":
            keep = tuple(p for p in op.params if p.key not in _PAGING_ARGS)
            keep = _facade_params(keep, "page_size")
            methods.append(
                m.FacadeMethod(
                    name="iterate",
                    kind="iterate",
                    op=op,
                    doc="Every matching record, page after page (``twenty_gql.pagination``).",
                    params=keep,
                    return_annotation=Named("AsyncIterator", "typing", (Named(b.cls[rec]),)),
                )
            )
    rels = b.relations(rec)
    if rels:
        _include_variants(b, rec, key, ops, parts, rels, methods)
    methods += file_methods(b, rec, key, ops, methods)
    return m.FacadeDef(
        name=b.cls[f"{rec}\0api"],
        doc=f"Typed operations on ``{rec}`` records.",
        methods=tuple(methods),
    )


#: the core schema's type of one FILES field value (``[FileObject]``; Twenty's
#: ``files.object-type.ts``)
FILE_OBJECT = "FileObject"
_FILES_IMPORTS = (
    "Progress as _Progress",
    "RecordFile as _RecordFile",
    "Source as _Source",
    "UploadedFile as _UploadedFile",
)


def object_name(rec: str, ops: dict[str, m.OperationDef]) -> str:
    """The object's GraphQL name (``company``): its ``findOne`` root field, else ``rec`` with
    a lower-case first letter (Twenty's naming)."""
    op = ops.get("find_one")
    if op is not None:
        return op.root_fields[0]
    return rec[:1].lower() + rec[1:]


def attachment_targets(schema: GraphQLSchema, rec: str, obj: str) -> bool:
    """Whether the standard ``Attachment`` object can point at records of ``rec``: it has the
    relation ``target<Rec>`` with its ``target<Rec>Id`` (Twenty >= 1.x morph relation), or
    the older ``<obj>`` / ``<obj>Id`` pair."""
    att = schema.type_map.get("Attachment")
    if not isinstance(att, GraphQLObjectType) or rec == "Attachment":
        return False
    fields = att.fields
    return any(
        rel in fields
        and f"{rel}Id" in fields
        and isinstance(get_named_type(fields[rel].type), GraphQLObjectType)
        and get_named_type(fields[rel].type).name == rec
        for rel in (f"target{rec}", obj)
    )


def files_fields(t: GraphQLObjectType) -> list[str]:
    """The FILES fields of a record type: lists of ``FileObject``, in schema order."""
    return [
        name
        for name, f in t.fields.items()
        if isinstance(unwrap(f.type), GraphQLList) and get_named_type(f.type).name == FILE_OBJECT
    ]


def file_methods(
    b: TypeBuilder,
    rec: str,
    key: str,
    ops: dict[str, m.OperationDef],
    taken: list[m.FacadeMethod],
) -> list[m.FacadeMethod]:
    """``attach_file``/``files`` where attachments can target ``rec``, one ``set_<field>`` per
    FILES field; each delegates to the client's shared ``twenty_gql.files.Files``."""
    t = b.types.get(rec)
    if not isinstance(t, GraphQLObjectType) or not ops:
        return []
    obj = object_name(rec, ops)
    attach = attachment_targets(b.schema, rec, obj)
    fields = files_fields(t)
    if not attach and not fields:
        return []
    anchor = ops.get("find_one") or next(iter(ops.values()))
    ns = naming.Namespace(reserved={meth.name for meth in taken} | {"self"})
    b.imp(key).type_checking.setdefault("\0twenty_gql.files", set()).update(_FILES_IMPORTS)
    record_file, uploaded, source = Named("_RecordFile"), Named("_UploadedFile"), Named("_Source")
    # a record id as read (``uuid.UUID``) or as text; sent as ``str(id)``, checked by Files
    ident = m.Param("id", "id", union(STR, Named("UUID", "uuid")), required=True)
    progress = m.Param("progress", "progress", Nullable(Named("_Progress")), required=False)
    methods: list[m.FacadeMethod] = []
    if attach:
        methods.append(
            m.FacadeMethod(
                name=ns.claim("\0attach", "attach_file"),
                kind="attach_file",
                op=anchor,
                doc=(
                    "Upload ``file`` (a path, bytes, an async byte iterator or an "
                    f"``UploadedFile``) and attach it to the ``{obj}`` record ``id`` "
                    "(``twenty_gql.files.Files.attach``); ``name`` defaults to the filename."
                ),
                params=(
                    ident,
                    m.Param("file", "file", union(uploaded, source), required=True),
                    m.Param("name", "name", Nullable(STR), required=False),
                    m.Param("filename", "filename", Nullable(STR), required=False),
                    m.Param("size", "size", Nullable(INT), required=False),
                    progress,
                ),
                return_annotation=record_file,
                object_name=obj,
            )
        )
    methods.append(
        m.FacadeMethod(
            name=ns.claim("\0files", "files"),
            kind="files",
            op=anchor,
            doc=(
                f"The files of the ``{obj}`` record ``id``: its FILES fields, then its "
                "attachments (``twenty_gql.files.Files.list``)."
            ),
            params=(ident,),
            return_annotation=list_of(record_file),
            object_name=obj,
        )
    )
    item = union(uploaded, record_file, source, Named("tuple", args=(STR, source)))
    for fname in fields:
        methods.append(
            m.FacadeMethod(
                name=ns.claim(fname, "set_" + naming.attribute_name(fname)),
                kind="set_files",
                op=anchor,
                doc=(
                    f"Set the FILES field ``{fname}`` of the ``{obj}`` record ``id`` to ``files`` "
                    "(sources, or ``(filename, source)`` pairs, are uploaded first; "
                    "``append=True`` keeps the files already there; "
                    "``twenty_gql.files.Files.set_files_field``)."
                ),
                params=(
                    ident,
                    m.Param("files", "files", Named("Sequence", "typing", (item,)), required=True),
                    m.Param("append", "append", BOOL, required=False),
                    progress,
                ),
                return_annotation=list_of(record_file),
                object_name=obj,
                field_name=fname,
            )
        )
    return methods


def _facade_params(params: tuple[m.Param, ...], own: str) -> tuple[m.Param, ...]:
    """``params`` renamed where they clash with the facade method's own parameter ``own``.

    ``iterate`` adds ``page_size`` and ``find_*_with`` add ``include``: a schema argument that
    becomes the same identifier (``pageSize``, ``include``) gets ``_2`` in that method only.
    """
    ns = naming.Namespace(reserved={own, "self"})
    for p in params:
        if p.name not in (own, "self"):
            ns.claim(p.key, p.name)
    return tuple(replace(p, name=ns.claim(p.key, p.name)) for p in params)


def _include_variants(
    b: TypeBuilder,
    rec: str,
    key: str,
    ops: dict[str, m.OperationDef],
    parts: m.ModuleParts,
    rels: list[tuple[str, GraphQLField, bool]],
    methods: list[m.FacadeMethod],
) -> None:
    t = b.types[rec]
    assert isinstance(t, GraphQLObjectType)
    base = parts.struct(b.cls[rec])
    assert base is not None
    ns = naming.Namespace(reserved={f.name for f in base.fields})
    rel_fields = []
    relations: list[m.Relation] = []
    for fname, f, _many in rels:
        attr = ns.claim(fname, naming.struct_attribute_name(fname))
        rel_fields.append(b._struct_field(key, attr, fname, f.type, doc_of(f), True))
        target = get_named_type(f.type)
        sel = b.selection(target, 1, (rec, target.name))
        relations.append(m.Relation(fname, m.FieldSel(fname, selections=sel)))
    rel_name = b.cls[f"{rec}\0rel"]
    with_rel = m.StructDef(
        name=rel_name,
        base=b.cls[rec],
        doc=f"A ``{rec}`` with the relations asked for through ``include=`` (others are UNSET).",
        fields=tuple(rel_fields),
    )
    structs = [with_rel]
    conn_name = f"{rec}Connection"
    edge_name = f"{rec}Edge"
    conn = parts.struct(b.cls.get(conn_name))
    edge = parts.struct(b.cls.get(edge_name))
    if conn is not None and edge is not None:
        edge_fields = tuple(
            replace(f, annotation=Named(rel_name)) if f.name == "node" else f for f in edge.fields
        )
        rel_edge = b.cls[f"{rec}\0reledge"]
        rel_conn = b.cls[f"{rec}\0relconn"]
        structs.append(m.StructDef(name=rel_edge, doc="", fields=edge_fields))
        conn_fields = tuple(
            replace(f, annotation=list_of(Named(rel_edge))) if f.name == "edges" else f
            for f in conn.fields
        )
        structs.append(m.StructDef(name=rel_conn, doc="", fields=conn_fields))
    parts.structs.extend(structs)
    alias = b.cls[f"{rec}\0relname"]
    for which, op_key, with_type in (
        ("find_many_with", "find_many", b.cls.get(f"{rec}\0relconn")),
        ("find_one_with", "find_one", rel_name),
    ):
        op = ops.get(op_key)
        if op is None or with_type is None:
            continue
        root = op.root_fields[0]
        q = b.schema.query_type
        assert q is not None
        f = q.fields[root]
        if not isinstance(op.document, m.Document):
            continue
        document = _with_slot(op.document, f"{rec}Fields")
        if document is None:
            continue
        ann = Named(with_type)
        full_ann: PyType = ann if isinstance(f.type, GraphQLNonNull) else Nullable(ann)
        data_name = b.op_names.claim(
            f"{op.const_name}\0with",
            op.data_struct.name.removesuffix("Result") + "WithRelationsResult",
        )
        data = b.data_struct(key, data_name, root, f, ann=full_ann)
        func = f"_{op.func_name}_with_op"
        variant = m.IncludeVariant(
            func_name=func,
            cache_name=f"_{op.func_name.upper()}_WITH_CACHE",
            op_name=document.name,
            document=document,
            relations=tuple(relations),
            relation_alias=alias,
            data_struct=data,
            result_attr=data.fields[0].name,
            endpoint=op.endpoint,
            root_field=root,
        )
        parts.includes.append(variant)
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
    b.imp(key).needs_runtime_helper = True


def _with_slot(doc: m.Document, fragment: str) -> m.Document | None:
    """``doc`` renamed ``<Name>WithRelations``, with a slot after the record's fragment spread."""

    def walk(sels: tuple[m.Selection, ...]) -> tuple[m.Selection, ...]:
        out: list[m.Selection] = []
        for sel in sels:
            if isinstance(sel, m.FieldSel) and sel.selections:
                sel = replace(sel, selections=walk(sel.selections))
            out.append(sel)
            if sel == m.FragmentSpread(fragment):
                out.append(m.Slot())
        return tuple(out)

    selections = walk(doc.selections)
    if m.Slot() not in _flatten(selections):
        return None
    return replace(doc, name=doc.name + "WithRelations", selections=selections)


def _flatten(sels: tuple[m.Selection, ...]) -> list[m.Selection]:
    out: list[m.Selection] = []
    for sel in sels:
        out.append(sel)
        if isinstance(sel, (m.FieldSel, m.InlineFragment)):
            out += _flatten(sel.selections)
    return out


def metadata_facades(
    b: TypeBuilder, parts: m.ModuleParts, modules: dict[str, m.ModuleParts]
) -> None:
    all_ops: dict[tuple[str, str], m.OperationDef] = {}
    where: dict[tuple[str, str], str] = {}
    for key, mod in sorted(modules.items()):
        for o in mod.ops:
            all_ops[o.kind, o.root_fields[0]] = o
            where[o.kind, o.root_fields[0]] = key
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
            kind = "query" if meth.startswith("find") else "mutation"
            op = all_ops.get((kind, root))
            if op is None:
                continue
            # the operation's module is imported on the first call: MetadataApi stays cheap
            alias = "_m_" + where[kind, root].rsplit("/", 1)[-1]
            imp.lazy[alias] = where[kind, root]
            params, returns = _annotations_in(b, kind, root, op, "_api")
            methods.append(
                m.FacadeMethod(
                    name=meth,
                    kind="lazy_call",
                    op=op,
                    doc=_doc_for_meta(meth),
                    extra=alias,
                    params=params,
                    return_annotation=returns,
                )
            )
        if methods:
            parts.facades.append(m.FacadeDef(name=b.cls[cls_key], doc="", methods=tuple(methods)))
    facades = parts.facades
    b.meta_props = tuple(
        (prop, Named(b.cls[ck]))
        for ck, prop, _ in groups
        if any(f.name == b.cls[ck] for f in facades)
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


def _annotations_in(
    b: TypeBuilder, kind: str, root: str, op: m.OperationDef, module: str
) -> tuple[tuple[m.Param, ...], PyType]:
    """``op``'s parameters and return type as written in ``module``, whose imports of them are
    for type checking only (facade annotations are never evaluated at run time)."""
    parent = b.schema.query_type if kind == "query" else b.schema.mutation_type
    assert parent is not None
    f = parent.fields[root]
    params = []
    for p in op.params:
        arg = f.args[p.key]
        ann = b.in_ann(module, arg.type)
        if not p.required and isinstance(arg.type, GraphQLNonNull):
            ann = Nullable(ann)
        params.append(replace(p, annotation=ann))
    returns = b.out_ann(module, f.type, runtime=False)
    imp = b.imp(module)
    for target, names in list(imp.runtime.items()):
        imp.type_checking.setdefault(target, set()).update(names)
        del imp.runtime[target]
    return tuple(params), returns


def core_api_module(b: TypeBuilder, props: list[tuple[str, str, str]]) -> m.ModuleDef:
    imp = b.imp("_api")
    imp.needs_runtime_helper = True
    for _, _, key in props:
        imp.lazy["_m_" + key.rsplit("/", 1)[-1]] = key
    # the client's shared Files, when some facade has file methods (not an object accessor:
    # an object whose accessor is ``files`` keeps it and this one becomes ``files_2``)
    api_files = ""
    if any("\0twenty_gql.files" in i.type_checking for i in b.imports.values()):
        taken = naming.Namespace(reserved={prop for prop, _, _ in props} | {"property"})
        api_files = taken.claim("\0files", "files")
        imp.type_checking.setdefault("\0twenty_gql.files", set()).add("Files as _Files")
    mod = m.ModuleDef(
        path=f"{b.pkg}/_api.py",
        api_files=api_files,
        doc="``CoreApi(client)``: one attribute per object; each object's module loads on first use.",
        all_names=(b.cls["\0core"],),
        api_class=b.cls["\0core"],
        api_doc="Typed access to every object of the workspace: ``CoreApi(client).companies``.",
        api_props=tuple(
            (prop, Named(cls, via=f"_m_{key.rsplit('/', 1)[-1]}")) for prop, cls, key in props
        ),
    )
    return with_imports(mod, imp, "_api")
