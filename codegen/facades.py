"""Stage: facades, the object-oriented surface over the typed functions.

Core: one ``<Object>Api`` class per record type (``crm.companies``) whose methods are the
object's operations matched by :mod:`codegen.conventions`, plus ``iterate`` (pages), bulk
``create_many`` and the ``include=`` variants of ``find_many``/``find_one``; ``CoreApi`` holds
one lazily imported attribute per object. Metadata: ``MetadataApi`` with ``objects`` and
``fields``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
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
from codegen.pytypes import (
    BOOL,
    INT,
    STR,
    Named,
    Nullable,
    PyType,
    alias,
    list_of,
    omittable,
    union,
)
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
    "get": (
        "The record with this id; ``RecordNotFoundError`` when there is none (or it is in "
        "the trash)."
    ),
    "find_one": "The record matching ``filter``; ``RecordNotFoundError`` when none does.",
    "find_one_or_none": "The record matching ``filter``, or None when none does.",
    "find_many": (
        "One page of the records matching ``filter``: ``page.nodes``, ``page.total_count``; "
        "continue with ``after=page.end_cursor`` while ``page.has_next_page``."
    ),
    "count": "How many records match ``filter`` (a query selecting only ``totalCount``).",
    "iterate": "Every matching record, page after page (``twenty_gql.pagination``).",
    "find_deleted": (
        "One page of the trash: soft-deleted records (``deletedAt`` set) matching ``filter``."
    ),
    "iterate_deleted": "Every soft-deleted record matching ``filter``, page after page.",
    "find_duplicates": "Records that duplicate the given ids or data (``findDuplicates``).",
    "group_by": "Aggregates grouped by the given fields (``groupBy``).",
    "create": (
        "Create (or, with ``upsert=True``, upsert) one record and return it; "
        "``EmptyResultError`` if the server answers null."
    ),
    "update": (
        "Update the record ``id`` and return it: keys left out of ``data`` are not sent, "
        "``None`` sets null."
    ),
    "update_where": "Update every record matching ``filter``; returns them.",
    "delete": "Soft-delete the record ``id`` (it goes to the trash; ``restore`` undoes it).",
    "delete_where": "Soft-delete every record matching ``filter``; returns them.",
    "restore": "Restore the soft-deleted record ``id`` from the trash.",
    "restore_where": "Restore every soft-deleted record matching ``filter``; returns them.",
    "destroy": "Permanently delete the record ``id`` (also from the trash).",
    "destroy_where": "Permanently delete every record matching ``filter``; returns them.",
    "merge": "Merge duplicate records into one.",
}
_PAGING_ARGS = ("first", "last", "before", "after", "offset")
# facade method -> the operation role (``conventions.classify``) it calls
_ROLE = {
    "get": "find_one",
    "find_one": "find_one",
    "find_one_or_none": "find_one",
    "find_many": "find_many",
    "count": "find_many",
    "iterate": "find_many",
    "find_deleted": "find_many",
    "iterate_deleted": "find_many",
    "create": "create",
    "update": "update",
    "update_where": "update_many",
    "delete": "delete",
    "delete_where": "delete_many",
    "restore": "restore",
    "restore_where": "restore_many",
    "destroy": "destroy",
    "destroy_where": "destroy_many",
}
_UUID_OR_STR = union(Named("UUID", "uuid"), STR)


def record_facade(
    b: TypeBuilder,
    rec: str,
    key: str,
    ops: dict[str, m.OperationDef],
    parts: m.ModuleParts,
) -> m.FacadeDef:
    methods: list[m.FacadeMethod] = []
    for name in m.FACADE_ORDER:
        if name in _ROLE:
            meth = _designed(b, rec, key, name, ops, parts)
            if meth is not None:
                methods.append(meth)
            continue
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
    rels = b.relations(rec)
    if rels:
        _include_variants(b, rec, key, ops, parts, rels, methods)
    methods += file_methods(b, rec, key, ops, methods)
    return m.FacadeDef(
        name=b.cls[f"{rec}\0api"],
        doc=f"Typed operations on ``{rec}`` records.",
        methods=tuple(methods),
    )


def _designed(
    b: TypeBuilder,
    rec: str,
    key: str,
    name: str,
    ops: dict[str, m.OperationDef],
    parts: m.ModuleParts,
) -> m.FacadeMethod | None:
    """The designed method ``name`` of ``rec``'s facade, or None when the schema lacks what it
    needs (its operation, an ``id`` filter for ``get``, ``deletedAt`` and ``and`` for the
    trash, a connection with ``pageInfo`` and ``totalCount`` for pages)."""
    op = ops.get(_ROLE[name])
    if op is None or not isinstance(op.document, m.Document):
        return None
    record: PyType = Named(b.cls[rec])
    doc = _FACADE_DOCS[name]
    root = op.root_fields[0]
    obj = object_name(rec, ops)
    common: dict[str, Any] = {
        "name": name,
        "op": op,
        "doc": doc,
        "root_field": root,
        "object_name": obj,
    }
    by_key = {p.key: p for p in op.params}
    if name == "get":
        if not _has_id_filter(b, rec):
            return None
        return m.FacadeMethod(
            kind="get",
            params=(m.Param("id", "id", _UUID_OR_STR, required=True),),
            positional=1,
            asked="id",
            return_annotation=record,
            **common,
        )
    if name in ("find_one", "find_one_or_none"):
        flt = by_key.get("filter")
        if flt is None:
            return None
        return m.FacadeMethod(
            kind=name,
            params=op.params,
            asked=flt.name,
            return_annotation=record if name == "find_one" else Nullable(record),
            **common,
        )
    if name in ("find_many", "find_deleted", "iterate", "iterate_deleted", "count"):
        return _listing(b, rec, key, name, op, parts, common)
    return _write(name, op, record, common)


def _listing(
    b: TypeBuilder,
    rec: str,
    key: str,
    name: str,
    op: m.OperationDef,
    parts: m.ModuleParts,
    common: dict[str, Any],
) -> m.FacadeMethod | None:
    """``find_many``/``find_deleted`` (a ``Page``), ``iterate``/``iterate_deleted``, ``count``."""
    record: PyType = Named(b.cls[rec])
    by_key = {p.key: p for p in op.params}
    deleted = name.endswith("_deleted")
    if deleted and not _has_trash_filter(b, rec):
        return None
    if name == "count":
        flt = by_key.get("filter")
        if flt is None or not _countable(b, rec):
            return None
        return m.FacadeMethod(
            kind="count",
            params=(flt,),
            count_op=_count_op(b, rec, key, op, parts),
            field_name="total_count",
            return_annotation=INT,
            **common,
        )
    if name.startswith("iterate"):
        keep = tuple(p for p in op.params if p.key not in _PAGING_ARGS)
        return m.FacadeMethod(
            kind="iterate",
            params=_facade_params(keep, "page_size"),
            deleted=deleted,
            return_annotation=Named("AsyncIterator", "typing", (record,)),
            **common,
        )
    if not _pageable(b, rec):
        # not a connection ``Page`` can type: ``find_many`` is the module function, bound
        return (
            m.FacadeMethod(name=name, kind="call", op=op, doc=common["doc"])
            if not deleted
            else None
        )
    return m.FacadeMethod(
        kind="page",
        params=op.params,
        deleted=deleted,
        return_annotation=Named("Page", via="_runtime", args=(record,)),
        **common,
    )


def _write(
    name: str, op: m.OperationDef, record: PyType, common: dict[str, Any]
) -> m.FacadeMethod | None:
    """``create``, ``update``/``delete``/``restore``/``destroy`` (by id), the ``*_where``."""
    by_key = {p.key: p for p in op.params}
    if name == "create":
        data = by_key.get("data")
        if data is None or any(p.required and p is not data for p in op.params):
            return None
        params = [data]
        if op.upsert_param:
            params.append(m.Param(op.upsert_param, "upsert", BOOL, required=False))
        return m.FacadeMethod(
            kind="create",
            params=tuple(params),
            positional=1,
            return_annotation=record,
            **common,
        )
    if name.endswith("_where"):
        return m.FacadeMethod(
            kind="where",
            params=op.params,
            return_annotation=list_of(record),
            **common,
        )
    # update / delete / restore / destroy: the required arguments positional, ``id`` first
    required = sorted((p for p in op.params if p.required), key=lambda p: p.key != "id")
    optional = [p for p in op.params if not p.required]
    return m.FacadeMethod(
        kind="record",
        params=tuple(required + optional),
        positional=len(required),
        return_annotation=record,
        **common,
    )


def _filter_fields(b: TypeBuilder, rec: str) -> dict[str, GraphQLInputField]:
    t = b.types.get(f"{rec}FilterInput")
    return dict(t.fields) if isinstance(t, GraphQLInputObjectType) else {}


def _has_id_filter(b: TypeBuilder, rec: str) -> bool:
    """``{"id": {"eq": ...}}`` is a valid ``<Rec>FilterInput``."""
    f = _filter_fields(b, rec).get("id")
    t = get_named_type(f.type) if f is not None else None
    return isinstance(t, GraphQLInputObjectType) and "eq" in t.fields


def _has_trash_filter(b: TypeBuilder, rec: str) -> bool:
    """``{"and": [filter, {"deletedAt": {"is": "NOT_NULL"}}]}`` is a valid filter."""
    fields = _filter_fields(b, rec)
    d = fields.get("deletedAt")
    t = get_named_type(d.type) if d is not None else None
    return "and" in fields and isinstance(t, GraphQLInputObjectType) and "is" in t.fields


def _pageable(b: TypeBuilder, rec: str) -> bool:
    """``<Rec>Connection`` has ``edges: [<Rec>Edge]`` with a non-null ``node``: what
    ``twenty_gql.page.page_of`` types a page by (``pageInfo``/``totalCount`` it reads when
    there: Twenty always has both)."""
    conn = b.types.get(f"{rec}Connection")
    if not isinstance(conn, GraphQLObjectType) or "edges" not in conn.fields:
        return False
    if not isinstance(unwrap(conn.fields["edges"].type), GraphQLList):
        return False
    edge = get_named_type(conn.fields["edges"].type)
    node = edge.fields.get("node") if isinstance(edge, GraphQLObjectType) else None
    return node is not None and isinstance(node.type, GraphQLNonNull)


def _countable(b: TypeBuilder, rec: str) -> bool:
    """``<Rec>Connection`` has an ``Int`` ``totalCount``."""
    conn = b.types.get(f"{rec}Connection")
    f = conn.fields.get("totalCount") if isinstance(conn, GraphQLObjectType) else None
    return f is not None and get_named_type(f.type).name == "Int"


def _count_op(
    b: TypeBuilder, rec: str, key: str, find_many: m.OperationDef, parts: m.ModuleParts
) -> m.OperationDef:
    """``<find_many>_count(client, filter=...)``: the ``findMany`` root field selecting only
    ``totalCount`` (no records), for the facade's ``count``; a module function of its own."""
    root = find_many.root_fields[0]
    base = f"{root}\0count"
    func = b.op_names.claim(base, find_many.func_name + "_count")
    const = b.op_names.claim(base + "\0op", func.upper().strip("_") + "_OP")
    conn_name = b.op_names.claim(base + "\0conn", b.cls[rec] + "TotalCount")
    data_name = b.op_names.claim(base + "\0data", naming.class_name(root) + "CountResult")
    flt = next(p for p in find_many.params if p.key == "filter")
    assert isinstance(find_many.document, m.Document)
    variable = next(v for v in find_many.document.variables if v.name == "filter")
    conn = m.StructDef(
        name=conn_name,
        doc=f"The number of ``{rec}`` records matching a filter (``totalCount`` only).",
        fields=(
            m.StructField(
                name="total_count",
                annotation=Nullable(INT),
                wire="totalCount",
                default="none",
                doc="",
            ),
        ),
    )
    parts.structs.append(conn)
    attr = naming.struct_attribute_name(root)
    data = m.StructDef(
        name=data_name,
        doc="",
        fields=(
            m.StructField(
                name=attr,
                annotation=Nullable(Named(conn_name)),
                wire=root,
                default="none",
                doc="",
            ),
        ),
    )
    document = m.Document(
        kind="query",
        name=naming.class_name(root) + "Count",
        variables=(variable,),
        field=root,
        selections=(m.FieldSel("totalCount"),),
    )
    op = m.OperationDef(
        func_name=func,
        const_name=const,
        data_struct=data,
        op_name=document.name,
        document=document,
        endpoint=find_many.endpoint,
        kind="query",
        root_fields=(root,),
        idempotent=True,
        upsert_param="",
        params=(flt,),
        result_attr=attr,
        return_annotation=Nullable(Named(conn_name)),
        doc=f"How many ``{rec}`` records match ``filter`` (``totalCount`` of ``{root}``).",
    )
    parts.ops.append(op)
    return op


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
        common: dict[str, Any] = {
            "op": op,
            "extra": func,
            "root_field": root,
            "object_name": object_name(rec, ops),
        }
        if which == "find_many_with":
            if not _pageable(b, rec):
                continue
            methods.append(
                m.FacadeMethod(
                    name=which,
                    kind="include_page",
                    doc="Like ``find_many``, also selecting the relations named in ``include``.",
                    params=_facade_params(op.params, "include"),
                    return_annotation=Named("Page", via="_runtime", args=(Named(rel_name),)),
                    **common,
                )
            )
            continue
        params = _facade_params(op.params, "include")
        flt = next((p for p in params if p.key == "filter"), None)
        if flt is None:
            continue
        methods.append(
            m.FacadeMethod(
                name=which,
                kind="include_one",
                doc=(
                    "Like ``find_one``, also selecting the relations named in ``include``; "
                    "``RecordNotFoundError`` when no record matches."
                ),
                params=params,
                asked=flt.name,
                return_annotation=ann,
                **common,
            )
        )
        if _has_id_filter(b, rec):
            methods.append(
                m.FacadeMethod(
                    name="get_with",
                    kind="include_get",
                    doc=(
                        "Like ``get``, also selecting the relations named in ``include``; "
                        "``RecordNotFoundError`` when there is no such record."
                    ),
                    params=(m.Param("id", "id", _UUID_OR_STR, required=True),),
                    positional=1,
                    asked="id",
                    return_annotation=ann,
                    **common,
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
        params.append(replace(p, annotation=ann if p.required else omittable(ann)))
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
        taken = naming.Namespace(
            reserved={prop for prop, _, _ in props} | {"property", *naming.CORE_API_RESERVED}
        )
        api_files = taken.claim("\0files", "files")
        imp.type_checking.setdefault("\0twenty_gql.files", set()).add("Files as _Files")
    imp.type_checking.setdefault("\0twenty_gql.dynamic", set()).add(
        "DynamicObjectApi as _DynamicObjectApi"
    )
    imp.type_checking.setdefault("\0twenty_gql.datamodel", set()).add("DataModel as _DataModel")
    mod = m.ModuleDef(
        path=f"{b.pkg}/_api.py",
        api_files=api_files,
        api_object="object",
        api_data_model="data_model",
        doc="``CoreApi(client)``: one attribute per object; each object's module loads on first use.",
        all_names=(b.cls["\0core"],),
        api_class=b.cls["\0core"],
        api_doc="Typed access to every object of the workspace: ``CoreApi(client).companies``.",
        api_props=tuple(
            (prop, Named(cls, via=f"_m_{key.rsplit('/', 1)[-1]}")) for prop, cls, key in props
        ),
    )
    return with_imports(mod, imp, "_api")
