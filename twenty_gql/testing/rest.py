"""REST metadata (twenty-api.md §4.3): ``GET /rest/metadata/objects[/{id}]`` and
``GET /rest/metadata/fields[/{id}]``, answered by running the equivalent /metadata query and
flattening it like Twenty's ``cleanGraphQLResponse`` (edges/node removed, ``pageInfo`` lifted to
the top level). Pagination: ``limit`` (default and maximum 1000), ``starting_after`` /
``ending_before`` (record ids; not both). Other metadata paths answer 400 ``Query path '…'
invalid. …``; other verbs on valid paths answer 405 (not emulated); the data REST API
(``/rest/<plural>``) answers 404. Errors use Twenty's REST shape
``{"statusCode", "messages": [...], "error"}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from aiohttp import web
from graphql import ExecutionResult

from twenty_gql.testing.auth import AuthFailure
from twenty_gql.testing.metadata_api import encode_cursor
from twenty_gql.testing.responses import json_response

__all__ = ["answer_rest", "clean_graphql_response"]

REST_LIMIT_MAX = 1000

_FIELD_SELECTION = """
  id universalIdentifier type name label description icon isActive isSystem
  isUIEditable isNullable isUnique isSearchable defaultValue options settings objectMetadataId
  isLabelSyncedWithName morphId createdAt updatedAt applicationId
  relation { type sourceObjectMetadata { id nameSingular namePlural }
             targetObjectMetadata { id nameSingular namePlural }
             sourceFieldMetadata { id name } targetFieldMetadata { id name } }
"""

_OBJECT_SELECTION = f"""
  id universalIdentifier nameSingular namePlural labelSingular labelPlural description icon
  shortcut color isRemote isActive isSystem isUIEditable isUICreatable isSearchable openRecordIn
  applicationId createdAt updatedAt labelIdentifierFieldMetadataId imageIdentifierFieldMetadataId
  isLabelSyncedWithName duplicateCriteria
  fields(paging: {{first: 1000}}) {{ edges {{ node {{ {_FIELD_SELECTION} }} }} }}
"""

_PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

_QUERIES = {
    ("objects", False): (
        "query RestObjects($paging: CursorPaging!) { objects(paging: $paging) "
        f"{{ edges {{ node {{ {_OBJECT_SELECTION} }} }} {_PAGE_INFO} }} }}"
    ),
    (
        "objects",
        True,
    ): f"query RestObject($id: UUID!) {{ object(id: $id) {{ {_OBJECT_SELECTION} }} }}",
    ("fields", False): (
        "query RestFields($paging: CursorPaging!) { fields(paging: $paging) "
        f"{{ edges {{ node {{ {_FIELD_SELECTION} }} }} {_PAGE_INFO} }} }}"
    ),
    ("fields", True): f"query RestField($id: UUID!) {{ field(id: $id) {{ {_FIELD_SELECTION} }} }}",
}

_STATUS_TEXT = {400: "BadRequestException", 404: "NotFoundException", 405: "MethodNotAllowed"}


def rest_error(status: int, message: str, error: str | None = None) -> web.Response:
    return json_response(
        {
            "statusCode": status,
            "messages": [message],
            "error": error or _STATUS_TEXT.get(status, "Error"),
        },
        status,
    )


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        if isinstance(value.get("edges"), list):
            return [_clean(edge.get("node")) for edge in value["edges"]]
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def clean_graphql_response(data: dict[str, Any]) -> dict[str, Any]:
    """Twenty's ``cleanGraphQLResponse``: connections become lists, pageInfo goes on top."""
    out: dict[str, Any] = {"data": {}}
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(value.get("edges"), list):
            out["data"][key] = _clean(value)
            if value.get("pageInfo") is not None:
                out["pageInfo"] = value["pageInfo"]
            if value.get("totalCount") is not None:
                out["totalCount"] = value["totalCount"]
        else:
            out["data"][key] = _clean(value)
    return out


def _uuid(value: str, name: str) -> str | web.Response:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return rest_error(400, f"Invalid {name}: '{value}' is not a UUID.")


Authenticate = Callable[[web.Request], "AuthFailure | None"]
ExecuteMetadata = Callable[[str, "dict[str, Any] | None", "str | None"], ExecutionResult]


def answer_rest(
    request: web.Request, authenticate: Authenticate, execute: ExecuteMetadata
) -> web.Response:
    """Answer one ``/rest/...`` request: ``authenticate`` checks the key, ``execute`` runs a
    /metadata query (``MetadataApi.execute``)."""
    failure = authenticate(request)
    if failure is not None:
        return rest_error(failure.status, failure.message, failure.code)
    tail = request.match_info.get("tail", "")
    parts = [p for p in tail.split("/") if p]
    if not parts or parts[0] != "metadata":
        return rest_error(
            404,
            f"Cannot {request.method} {request.path}: the data REST API is not emulated "
            "(use POST /graphql); only /rest/metadata/objects and /rest/metadata/fields are served.",
            "NotFoundException",
        )
    segments = parts[1:]
    if not 1 <= len(segments) <= 2 or segments[0] not in ("objects", "fields"):
        return rest_error(
            400,
            f"Query path '{request.path}' invalid. Valid examples: /rest/metadata/objects or "
            "/rest/metadata/fields/<id>",
        )
    if request.method != "GET":
        return rest_error(
            405,
            f"{request.method} {request.path} is not emulated: the Twenty emulator serves only "
            "GET on /rest/metadata (use POST /metadata for changes).",
        )
    kind, one = segments[0], len(segments) == 2
    variables = _one_variables(segments[1]) if one else _list_variables(request)
    if isinstance(variables, web.Response):
        return variables
    result = execute(_QUERIES[(kind, one)], variables, None)
    if result.errors:
        error = result.errors[0]
        code = (error.extensions or {}).get("code")
        status = 404 if code == "NOT_FOUND" else 400 if code == "BAD_USER_INPUT" else 500
        return rest_error(status, error.message, str(code))
    return json_response(clean_graphql_response(result.data or {}))


def _one_variables(record_id: str) -> dict[str, Any] | web.Response:
    checked = _uuid(record_id, "id")
    if isinstance(checked, web.Response):
        return checked
    return {"id": checked}


def _list_variables(request: web.Request) -> dict[str, Any] | web.Response:
    """``limit`` / ``starting_after`` / ``ending_before`` -> the /metadata ``paging`` variable."""
    query = request.query
    limit_text = query.get("limit")
    limit = REST_LIMIT_MAX
    if limit_text is not None:
        try:
            limit = int(limit_text)
        except ValueError:
            return rest_error(400, f"limit must be an integer, got '{limit_text}'")
        if limit < 0:
            return rest_error(400, f"limit must be a positive integer, got {limit}")
        limit = min(limit, REST_LIMIT_MAX)
    after, before = query.get("starting_after"), query.get("ending_before")
    if after is not None and before is not None:
        return rest_error(400, "starting_after and ending_before cannot be used together")
    paging: dict[str, Any]
    if before is not None:
        checked = _uuid(before, "ending_before")
        if isinstance(checked, web.Response):
            return checked
        paging = {"last": limit, "before": encode_cursor(checked)}
    else:
        paging = {"first": limit}
        if after is not None:
            checked = _uuid(after, "starting_after")
            if isinstance(checked, web.Response):
                return checked
            paging["after"] = encode_cursor(checked)
    return {"paging": paging}
