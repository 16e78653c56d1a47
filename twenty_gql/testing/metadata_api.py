"""The ``/metadata`` endpoint: Twenty 2.43's real metadata schema (package data, the fixture SDL
unchanged) with resolvers for the data-model operations, answered from the ``Workspace``.

Emulated root fields: ``objects``, ``object``, ``fields``, ``field``, ``createOneObject``,
``updateOneObject``, ``deleteOneObject``, ``createOneField``, ``updateOneField``,
``deleteOneField`` (plus their nested ``Object.fields``/``fieldsList``/``indexMetadatas``/
``indexMetadataList``, ``Field.object``/``relation``/``morphRelations``), and the webhook
operations of ``twenty_gql.testing.webhooks``. Every other root field
of the schema validates, and resolves to a GraphQL error naming it as not emulated, with
``extensions.code = METHOD_NOT_ALLOWED`` and ``subCode = NOT_EMULATED`` (the method exists in
Twenty, the emulator does not offer it; clients must not retry it).

Connections follow nestjs-query: ordered by id, ``paging`` first/last (default 10, at most 1000),
after/before opaque cursors; ``PageInfo`` without totalCount.
"""

from __future__ import annotations

import base64
import binascii
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    execute,
    parse,
    validate,
)

from twenty_gql.testing.errors import TwentyApiError, twenty_error, with_code
from twenty_gql.testing.files import FILE_MUTATIONS
from twenty_gql.testing.introspection import as_js16
from twenty_gql.testing.roles import ADMIN, Role, permission_denied
from twenty_gql.testing.webhooks import WEBHOOK_ROOT_RESOLVERS
from twenty_gql.testing.workspace import Workspace

__all__ = ["EMULATED_ROOT_FIELDS", "MetadataApi", "metadata_schema", "metadata_sdl"]

#: graphql-core 3.3 makes GraphQLResolveInfo generic, 3.2 does not: resolvers take Any.
Info = Any

SDL_RESOURCE = "twenty-metadata-2.43.graphql"
PAGE_DEFAULT = 10
PAGE_MAX = 1000

EMULATED_ROOT_FIELDS = frozenset(
    {
        "objects",
        "object",
        "fields",
        "field",
        "createOneObject",
        "updateOneObject",
        "deleteOneObject",
        "createOneField",
        "updateOneField",
        "deleteOneField",
        *WEBHOOK_ROOT_RESOLVERS,
    }
) | frozenset(FILE_MUTATIONS)  # createFileUpload, completeFileUpload (files.py)


@functools.lru_cache(maxsize=1)
def metadata_sdl() -> str:
    """The shipped 2.43 metadata SDL (byte-identical copy of the shared fixture)."""
    return (
        resources.files("twenty_gql.testing")
        .joinpath("data")
        .joinpath(SDL_RESOURCE)
        .read_text("utf-8")
    )


_schema_lock = threading.Lock()
_schema: GraphQLSchema | None = None


def metadata_schema() -> GraphQLSchema:
    """The metadata schema with the emulator's resolvers attached (built once per process;
    resolvers find the workspace in ``info.context``)."""
    global _schema
    with _schema_lock:
        if _schema is None:
            schema = as_js16(build_schema(metadata_sdl()))
            _attach(schema)
            _schema = schema
        return _schema


# ---- helpers ------------------------------------------------------------------------------


def _ws(info: Info) -> Workspace:
    ws = info.context["workspace"]
    assert isinstance(ws, Workspace)
    return ws


def _bad(message: str) -> TwentyApiError:
    return TwentyApiError(message, "BAD_USER_INPUT", None, message)


def encode_cursor(node_id: str) -> str:
    return base64.b64encode(f"id:{node_id}".encode()).decode("ascii")


def decode_cursor(cursor: Any) -> str:
    try:
        text = base64.b64decode(str(cursor), validate=True).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad(f"Invalid cursor: {cursor!r}") from None
    if not text.startswith("id:"):
        raise _bad(f"Invalid cursor: {cursor!r}")
    return text[3:]


def _compare(value: Any, op: str, arg: Any) -> bool:
    if op == "is":
        return value is arg if arg is None or isinstance(arg, bool) else value == arg
    if op == "isNot":
        return not _compare(value, "is", arg)
    if op == "eq":
        return bool(value == arg)
    if op == "neq":
        return bool(value != arg)
    if op == "in":
        return value in (arg or [])
    if op == "notIn":
        return value not in (arg or [])
    if value is None:
        return False
    if op in ("gt", "gte", "lt", "lte"):
        text, other = str(value), str(arg)
        return {
            "gt": text > other,
            "gte": text >= other,
            "lt": text < other,
            "lte": text <= other,
        }[op]
    if op in ("like", "notLike", "iLike", "notILike"):
        import re

        pattern = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in str(arg))
        flags = re.IGNORECASE if op in ("iLike", "notILike") else 0
        hit = re.fullmatch(pattern, str(value), flags) is not None
        return hit if op in ("like", "iLike") else not hit
    raise _bad(f"Unknown filter operator {op!r}")


def _matches(node: Any, flt: dict[str, Any] | None) -> bool:
    if not flt:
        return True
    for key, cond in flt.items():
        if cond is None:
            continue
        if key == "and":
            if not all(_matches(node, sub) for sub in cond):
                return False
        elif key == "or":
            if cond and not any(_matches(node, sub) for sub in cond):
                return False
        else:
            value = getattr(node, key, None)
            for op, arg in cond.items():
                if not _compare(value, op, arg):
                    return False
    return True


def connection(
    nodes: Sequence[Any], paging: dict[str, Any] | None, flt: dict[str, Any] | None
) -> dict[str, Any]:
    """A nestjs-query style connection over ``nodes`` (anything with an ``id``), ordered by id."""
    paging = paging or {}
    first, last = paging.get("first"), paging.get("last")
    after, before = paging.get("after"), paging.get("before")
    if first is not None and last is not None:
        raise _bad("Cannot provide both first and last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise _bad(f"{name} must be a positive integer, got {value}")
    items = sorted((n for n in nodes if _matches(n, flt)), key=lambda n: str(n.id))
    if after is not None:
        after_id = decode_cursor(after)
        items = [n for n in items if str(n.id) > after_id]
    if before is not None:
        before_id = decode_cursor(before)
        items = [n for n in items if str(n.id) < before_id]
    has_next = has_prev = False
    if last is not None:
        size = min(last, PAGE_MAX)
        has_prev = len(items) > size
        items = items[-size:] if size else []
    else:
        size = min(PAGE_DEFAULT if first is None else first, PAGE_MAX)
        has_next = len(items) > size
        items = items[:size]
    edges = [{"node": n, "cursor": encode_cursor(str(n.id))} for n in items]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_prev,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


# ---- resolvers ----------------------------------------------------------------------------


def _objects(_s: Any, info: Info, paging: Any = None, filter: Any = None) -> Any:
    return connection(_ws(info).objects(), paging, filter)


def _object(_s: Any, info: Info, id: str) -> Any:
    return _ws(info).object(id)


def _fields(_s: Any, info: Info, paging: Any = None, filter: Any = None) -> Any:
    return connection(_ws(info).model.metadata_fields(), paging, filter)


def _field(_s: Any, info: Info, id: str) -> Any:
    return _ws(info).model.metadata_field(id)


def _create_object(_s: Any, info: Info, input: dict[str, Any]) -> Any:
    return _ws(info).create_object(input["object"])


def _update_object(_s: Any, info: Info, input: dict[str, Any]) -> Any:
    return _ws(info).update_object(input["id"], input["update"])


def _delete_object(_s: Any, info: Info, input: dict[str, Any]) -> Any:
    return _ws(info).delete_object(input["id"])


def _create_field(_s: Any, info: Info, input: dict[str, Any]) -> Any:
    return _ws(info).model.metadata_view(_ws(info).create_field(input["field"]))


def _update_field(_s: Any, info: Info, input: dict[str, Any]) -> Any:
    return _ws(info).model.metadata_view(_ws(info).update_field(input["id"], input["update"]))


def _delete_field(_s: Any, info: Info, input: dict[str, Any]) -> Any:
    return _ws(info).model.metadata_view(_ws(info).delete_field(input["id"]))


def _object_fields(obj: Any, info: Info, paging: Any = None, filter: Any = None) -> Any:
    return connection(_ws(info).model.metadata_fields(obj.id), paging, filter)


def _object_fields_list(obj: Any, info: Info) -> Any:
    return _ws(info).model.metadata_fields(obj.id)


def _object_indexes(obj: Any, info: Info, paging: Any = None, filter: Any = None) -> Any:
    return connection(_ws(info).indexes(obj.id), paging, filter)


def _object_index_list(obj: Any, info: Info) -> Any:
    return _ws(info).indexes(obj.id)


def _empty_list(_obj: Any, _info: Info) -> Any:
    return []


def _field_object(fld: Any, info: Info) -> Any:
    return _ws(info).object(fld.objectMetadataId)


def _field_relation(fld: Any, info: Info) -> Any:
    return _ws(info).model.metadata_relation(fld.id)


def _field_morph_relations(fld: Any, info: Info) -> Any:
    if fld.type != "MORPH_RELATION":
        return None
    return _ws(info).model.metadata_morph_relations(fld.id)


def _not_emulated(name: str) -> Callable[..., Any]:
    def resolve(_s: Any, _info: Info, **_args: Any) -> Any:
        raise TwentyApiError(
            f"{name} is not emulated: the Twenty emulator serves only the data-model operations "
            f"({', '.join(sorted(EMULATED_ROOT_FIELDS))}) of the metadata API.",
            "METHOD_NOT_ALLOWED",
            "NOT_EMULATED",
        )

    return resolve


_ROOT: dict[str, Callable[..., Any]] = {
    "objects": _objects,
    "object": _object,
    "fields": _fields,
    "field": _field,
    "createOneObject": _create_object,
    "updateOneObject": _update_object,
    "deleteOneObject": _delete_object,
    "createOneField": _create_field,
    "updateOneField": _update_field,
    "deleteOneField": _delete_field,
    **FILE_MUTATIONS,
    **WEBHOOK_ROOT_RESOLVERS,
}

_NESTED: dict[tuple[str, str], Callable[..., Any]] = {
    ("Object", "fields"): _object_fields,
    ("Object", "fieldsList"): _object_fields_list,
    ("Object", "indexMetadatas"): _object_indexes,
    ("Object", "indexMetadataList"): _object_index_list,
    ("Object", "searchFieldMetadataList"): _empty_list,
    ("Field", "object"): _field_object,
    ("Field", "relation"): _field_relation,
    ("Field", "morphRelations"): _field_morph_relations,
}


def _dict_or_attr(source: Any, info: Info, **_args: Any) -> Any:
    if isinstance(source, dict):
        return source.get(info.field_name)
    return getattr(source, info.field_name, None)


def _data_model_guard(resolve: Callable[..., Any]) -> Callable[..., Any]:
    """Object/field writes need the role's data-model permission (Twenty: FORBIDDEN)."""

    def guarded(root: Any, info: Info, **args: Any) -> Any:
        if not info.context.get("role", ADMIN).data_model:
            raise permission_denied()
        return resolve(root, info, **args)

    return guarded


def _attach(schema: GraphQLSchema) -> None:
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        if root is None:
            continue
        for name, fld in root.fields.items():
            fld.resolve = _ROOT.get(name) or _not_emulated(name)
            if root is schema.mutation_type and name in _ROOT:
                fld.resolve = _data_model_guard(fld.resolve)
    for (type_name, field_name), resolver in _NESTED.items():
        gql_type = schema.get_type(type_name)
        assert isinstance(gql_type, GraphQLObjectType)
        gql_type.fields[field_name].resolve = resolver
    for name in ("Object", "Field", "Relation", "Index", "IndexField"):
        gql_type = schema.get_type(name)
        assert isinstance(gql_type, GraphQLObjectType)
        for fname, fld in gql_type.fields.items():
            if fld.resolve is None and not fname.startswith("__"):
                fld.resolve = _dict_or_attr


class MetadataApi:
    """Parses (cached), validates and runs /metadata requests against one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.schema = metadata_schema()
        self._cache: OrderedDict[str, tuple[DocumentNode | None, list[GraphQLError]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def prepare(self, document: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
        with self._lock:
            cached = self._cache.get(document)
            if cached is not None:
                self._cache.move_to_end(document)
                return cached
        try:
            ast: DocumentNode | None = parse(document)
        except GraphQLError as exc:
            result: tuple[DocumentNode | None, list[GraphQLError]] = (
                None,
                [with_code(exc, "GRAPHQL_PARSE_FAILED")],
            )
        except RecursionError:
            result = (
                None,
                [with_code(GraphQLError("Document is too deep"), "GRAPHQL_PARSE_FAILED")],
            )
        else:
            assert ast is not None
            try:
                errors = [
                    with_code(e, "GRAPHQL_VALIDATION_FAILED") for e in validate(self.schema, ast)
                ]
            except RecursionError:
                errors = [
                    with_code(GraphQLError("Document is too deep"), "GRAPHQL_VALIDATION_FAILED")
                ]
            result = (ast, errors)
        with self._lock:
            self._cache[document] = result
            if len(self._cache) > 256:
                self._cache.popitem(last=False)
        return result

    def execute(
        self,
        document: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        role: Role = ADMIN,
    ) -> ExecutionResult:
        ast, errors = self.prepare(document)
        if ast is None or errors:
            return ExecutionResult(None, errors)
        with self.workspace.lock:
            try:
                result = execute(
                    self.schema,
                    ast,
                    variable_values=variables,
                    operation_name=operation_name or None,
                    context_value={"workspace": self.workspace, "role": role},
                )
            except Exception as exc:  # graphql-core itself failed: never crash the server
                return ExecutionResult(
                    None,
                    [with_code(GraphQLError(f"Internal error: {exc}"), "INTERNAL_SERVER_ERROR")],
                )
        assert isinstance(result, ExecutionResult)
        if result.errors:
            result = ExecutionResult(result.data, [twenty_error(e) for e in result.errors])
        return result
