"""The emulator's HTTP side: an ``aiohttp.web`` application serving ``POST /graphql``,
``POST /metadata`` and ``GET /rest/metadata/...`` in front of one ``Workspace``.

Every request goes through the same steps (see ``EmulatorServer._graphql_like``):

1. read the body (at most ``max_body_bytes``; larger -> HTTP 413 with a GraphQL error body);
2. faults: added latency, then maybe a proxy-style 502/503 (plain text, nothing applied), or a
   planned connection drop (before applying, or after applying the write);
3. auth (twenty-api.md §5): HTTP 200 ``{"errors": [...]}`` with UNAUTHENTICATED / FORBIDDEN;
4. the JSON body: not JSON / not an object / no query string / variables not an object ->
   HTTP 400 with a GraphQL error body (GRAPHQL_PARSE_FAILED / BAD_USER_INPUT);
5. document limits (GRAPHQL_VALIDATION_FAILED, HTTP 200): nesting depth, ``GRAPHQL_MAX_FIELDS``
   (2000) field selections, more than 20 root resolvers (10 on /metadata), a root resolver
   twice; introspection fields (``__schema``, ``__type``) are exempt from depth and root limits;
6. rate limiting on /graphql (§3.2): one token per root resolver, both buckets must hold them;
   refused -> HTTP 200, ``extensions.code`` BAD_USER_INPUT (or RATE_LIMITED, configurable),
   ``subCode`` LIMIT_REACHED, message ``Limit reached (N tokens per W ms)``; tokens taken for a
   request that then fails parsing/validation are given back (Twenty throttles in the query
   runners, after validation);
7. execute: ``Workspace.execute_core`` for /graphql, ``MetadataApi`` for /metadata.

Every answer to ``/graphql`` and ``/metadata`` carries ``Server-Timing: app;dur=MS``: the time the
handler spent on it (added latency included), so a client can tell its own share of a call.

API keys never reach logs: the app has no access log, and no message quotes a token.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, fields, replace
from typing import Any

import msgspec
from aiohttp import web
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from .auth import AuthFailure, KeyRing
from .errors import DEFAULT_USER_MESSAGE, format_error
from .faults import FaultPlan, Faults
from .metadata_api import MetadataApi
from .ratelimit import RateLimiter
from .workspace import Workspace

__all__ = ["DocumentLimits", "EmulatorServer", "EmulatorStats", "analyse_document", "build_app"]

_log = logging.getLogger("twenty_gql.testing")

RATE_LIMIT_FRIENDLY = "Rate limit reached. Please try again later."
MAX_TOKENS = 50_000  # lexical tokens per document (graphql-core parse guard)
MAX_VARIABLE_DEPTH = 64  # JSON nesting of variable values (coercion is recursive)


@dataclass
class EmulatorStats:
    """Counters since start. ``faults_injected`` = ``status_faults`` + ``dropped``."""

    requests: int = 0
    graphql_requests: int = 0
    metadata_requests: int = 0
    rest_requests: int = 0
    faults_injected: int = 0
    status_faults: int = 0
    dropped: int = 0
    dropped_after_apply: int = 0
    throttled: int = 0
    auth_failures: int = 0
    bad_requests: int = 0

    @property
    def faults(self) -> int:
        return self.faults_injected

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class DocumentLimits:
    max_root_fields: int = 20
    max_depth: int = 20
    max_fields: int = 2000  # GRAPHQL_MAX_FIELDS


GRAPHQL_LIMITS = DocumentLimits()
METADATA_LIMITS = DocumentLimits(max_root_fields=10, max_depth=10)


@dataclass(frozen=True)
class DocumentInfo:
    root_fields: tuple[str, ...]  # non-introspection root fields of the chosen operation
    depth: int  # deepest selection nesting, introspection subtrees excluded
    field_count: int  # field selections in the whole document (fragments counted once)


def _json_depth(value: Any, stop: int) -> int:
    """Nesting depth of decoded JSON (iterative; stops counting past ``stop``)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if deepest > stop:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _brace_depth(text: str) -> int:
    """Deepest ``{`` nesting outside strings and comments: a cheap pre-check so a hostile
    document never reaches the recursive parser."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == '"':
            if text.startswith('"""', i):
                j = text.find('"""', i + 3)
                i = n if j < 0 else j + 3
                continue
            i += 1
            while i < n and text[i] != '"' and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
        elif c in "{[(":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "}])":
            depth -= 1
        i += 1
    return deepest


def analyse_document(
    document: str, operation_name: str | None, limits: DocumentLimits
) -> DocumentInfo | GraphQLError | None:
    """Check ``document`` against ``limits``. A ``GraphQLError`` (code GRAPHQL_VALIDATION_FAILED)
    when a limit is exceeded; None when it does not parse or no single operation is chosen (the
    executor then reports that in its own words); else what the rate limiter needs."""
    if _brace_depth(document) > 2 * limits.max_depth + 8:
        return _limit_error(f"Query is too deeply nested (maximum depth {limits.max_depth}).")
    try:
        ast = parse(document, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        if "token limit" in exc.message.lower():
            return _limit_error(f"Query is too large (more than {MAX_TOKENS} tokens).")
        return None
    except RecursionError:
        return _limit_error("Query is too deeply nested.")
    return _check(ast, operation_name, limits)


def _check(
    ast: DocumentNode, operation_name: str | None, limits: DocumentLimits
) -> DocumentInfo | GraphQLError | None:
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    count = 0

    def count_fields(sel_set: SelectionSetNode | None) -> None:
        nonlocal count
        if sel_set is None:
            return
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                count += 1
                count_fields(sel.selection_set)
            elif isinstance(sel, InlineFragmentNode):
                count_fields(sel.selection_set)

    for definition in ast.definitions:
        if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode)):
            count_fields(definition.selection_set)
    if count > limits.max_fields:
        return _limit_error(f"Query has too many fields: {count} (maximum {limits.max_fields}).")
    operations = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None

    def depth_of(sel_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
        if sel_set is None:
            return 0
        deepest = 0
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                if sel.name.value in ("__schema", "__type"):
                    continue
                deepest = max(deepest, 1 + depth_of(sel.selection_set, seen))
            elif isinstance(sel, InlineFragmentNode):
                deepest = max(deepest, depth_of(sel.selection_set, seen))
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments.get(sel.name.value)
                if frag is not None and sel.name.value not in seen:
                    deepest = max(deepest, depth_of(frag.selection_set, seen | {sel.name.value}))
            if deepest > limits.max_depth:
                break
        return deepest

    roots: list[str] = []

    def collect(sel_set: SelectionSetNode, seen: frozenset[str]) -> None:
        for sel in sel_set.selections:
            if isinstance(sel, FieldNode):
                if not sel.name.value.startswith("__"):
                    roots.append(sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                collect(sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                frag = fragments.get(sel.name.value)
                if frag is not None and sel.name.value not in seen:
                    collect(frag.selection_set, seen | {sel.name.value})

    operation = operations[0]
    collect(operation.selection_set, frozenset())
    if len(roots) > limits.max_root_fields:
        return _limit_error(
            f"Query has too many root resolvers: {len(roots)} (maximum {limits.max_root_fields})."
        )
    seen_roots: set[str] = set()
    for name in roots:
        if name in seen_roots:
            return _limit_error(f"Duplicate root resolver: {name!r} appears more than once.")
        seen_roots.add(name)
    depth = depth_of(operation.selection_set, frozenset())
    if depth > limits.max_depth:
        return _limit_error(f"Query is too deeply nested (maximum depth {limits.max_depth}).")
    return DocumentInfo(tuple(roots), depth, count)


_PRE_EXECUTION = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"})


def _pre_execution(errors: list[GraphQLError] | None) -> bool:
    """True when the request failed before any resolver ran (parse / validation errors)."""
    return bool(errors) and all(
        (e.extensions or {}).get("code") in _PRE_EXECUTION for e in errors or ()
    )


def _limit_error(message: str) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={"code": "GRAPHQL_VALIDATION_FAILED", "userFriendlyMessage": message},
    )


def _error(
    message: str, code: str, sub_code: str | None = None, friendly: str | None = None
) -> dict[str, Any]:
    ext: dict[str, Any] = {"code": code}
    if sub_code is not None:
        ext["subCode"] = sub_code
    ext["userFriendlyMessage"] = friendly or DEFAULT_USER_MESSAGE
    return {"message": message, "extensions": ext}


_encoder = msgspec.json.Encoder()


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(body), status=status, content_type="application/json")


class _Dropped(Exception):
    """Internal: the connection was dropped on purpose; nothing to answer."""


class EmulatorServer:
    """The state the handlers share: workspace, keys, limiter, faults, stats."""

    def __init__(
        self,
        workspace: Workspace,
        keys: KeyRing,
        limiter: RateLimiter,
        faults: Faults,
        *,
        throttle_code: str = "BAD_USER_INPUT",
        max_body_bytes: int = 5 * 1024 * 1024,
        throttle_metadata: bool = False,
    ) -> None:
        self.workspace = workspace
        self.keys = keys
        self.limiter = limiter
        self.faults = faults
        self.throttle_code = throttle_code
        self.max_body_bytes = max_body_bytes
        self.throttle_metadata = throttle_metadata
        self.metadata = MetadataApi(workspace)
        self._stats = EmulatorStats()
        self._stats_lock = threading.Lock()
        self._analysis: OrderedDict[tuple[str, str | None, DocumentLimits], Any] = OrderedDict()

    # ---- bookkeeping ------------------------------------------------------------------------

    def count(self, **deltas: int) -> None:
        with self._stats_lock:
            for name, delta in deltas.items():
                setattr(self._stats, name, getattr(self._stats, name) + delta)

    @property
    def stats(self) -> EmulatorStats:
        with self._stats_lock:
            return replace(self._stats)

    def analyse(
        self, document: str, operation_name: str | None, limits: DocumentLimits
    ) -> DocumentInfo | GraphQLError | None:
        key = (document, operation_name, limits)
        cached = self._analysis.get(key)
        if cached is not None or key in self._analysis:
            return cached  # type: ignore[no-any-return,unused-ignore]
        result = analyse_document(document, operation_name, limits)
        self._analysis[key] = result
        if len(self._analysis) > 512:
            self._analysis.popitem(last=False)
        return result

    @staticmethod
    def token_of(request: web.Request) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return request.query.get("token") or None

    def authenticate(self, request: web.Request) -> AuthFailure | None:
        failure = self.keys.verify(self.token_of(request))
        if failure is not None:
            self.count(auth_failures=1)
        return failure

    # ---- the common prologue: body, faults ----------------------------------------------------

    async def read_body(self, request: web.Request) -> bytes | web.Response:
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            self.count(bad_requests=1)
            msg = f"Request body too large: the limit is {self.max_body_bytes} bytes."
            return json_response({"errors": [_error(msg, "BAD_USER_INPUT", None, msg)]}, 413)

    async def inject(self, request: web.Request) -> FaultPlan | web.Response:
        """Latency, then a proxy error or a planned drop. Returns the plan to follow."""
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000.0)
        plan = self.faults.plan()
        if plan.status is not None:
            self.count(faults_injected=1, status_faults=1)
            text = (
                "502 Bad Gateway" if plan.status == 502 else "503 Service Temporarily Unavailable"
            )
            return web.Response(text=text, status=plan.status, content_type="text/plain")
        if plan.drop and not plan.apply_first:
            self.drop(request)
        return plan

    def drop(self, request: web.Request, applied: bool = False) -> None:
        self.count(faults_injected=1, dropped=1, dropped_after_apply=int(applied))
        transport = request.transport
        if transport is not None:
            transport.close()
        raise _Dropped

    # ---- GraphQL endpoints ------------------------------------------------------------------

    async def graphql(self, request: web.Request) -> web.StreamResponse:
        start = time.perf_counter()
        self.count(requests=1, graphql_requests=1)
        return _timed(await self._graphql_like(request, metadata=False), start)

    async def metadata_endpoint(self, request: web.Request) -> web.StreamResponse:
        start = time.perf_counter()
        self.count(requests=1, metadata_requests=1)
        return _timed(await self._graphql_like(request, metadata=True), start)

    async def _graphql_like(self, request: web.Request, *, metadata: bool) -> web.StreamResponse:
        try:
            body = await self.read_body(request)
            if isinstance(body, web.Response):
                return body
            plan = await self.inject(request)
            if isinstance(plan, web.Response):
                return plan
            try:
                response = self._answer(request, body, metadata)
            except Exception as exc:  # a bug must not take the server down or leak a traceback
                _log.exception("twenty emulator: internal error on %s", request.path)
                message = f"Internal server error: {type(exc).__name__}"
                response = json_response(
                    {"errors": [_error(message, "INTERNAL_SERVER_ERROR")], "data": None}, 500
                )
            if plan.drop:
                self.drop(request, applied=True)
            return response
        except _Dropped:
            return web.Response(status=500)  # never written: the transport is closed

    def _answer(self, request: web.Request, body: bytes, metadata: bool) -> web.Response:
        failure = self.authenticate(request)
        if failure is not None:
            return json_response({"errors": [_error(failure.message, failure.code)]})
        try:
            payload = msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            return self._bad_request(f"POST body is not valid JSON: {exc}", "GRAPHQL_PARSE_FAILED")
        except RecursionError:
            return self._bad_request("POST body JSON is nested too deeply.", "BAD_USER_INPUT")
        if not isinstance(payload, dict):
            return self._bad_request(
                "POST body must be a JSON object with a 'query' string "
                f"(got {type(payload).__name__}).",
                "BAD_USER_INPUT",
            )
        query = payload.get("query")
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        if not isinstance(query, str) or not query.strip():
            return self._bad_request("Must provide query string.", "BAD_USER_INPUT")
        if variables is not None and not isinstance(variables, dict):
            return self._bad_request("Variables must be provided as an Object.", "BAD_USER_INPUT")
        if operation_name is not None and not isinstance(operation_name, str):
            return self._bad_request("operationName must be a string.", "BAD_USER_INPUT")
        if variables and _json_depth(variables, MAX_VARIABLE_DEPTH) > MAX_VARIABLE_DEPTH:
            message = f"Variable values are nested too deeply (maximum depth {MAX_VARIABLE_DEPTH})."
            return json_response(
                {"errors": [_error(message, "BAD_USER_INPUT", None, message)], "data": None}
            )
        limits = METADATA_LIMITS if metadata else GRAPHQL_LIMITS
        info = self.analyse(query, operation_name or None, limits)
        if isinstance(info, GraphQLError):
            return json_response({"errors": [format_error(info)], "data": None})
        tokens = 0
        if info is not None and (not metadata or self.throttle_metadata):
            tokens = len(info.root_fields)
            refused = self.limiter.take(tokens)
            if refused is not None:
                self.count(throttled=1)
                return json_response(
                    {
                        "errors": [
                            _error(
                                refused, self.throttle_code, "LIMIT_REACHED", RATE_LIMIT_FRIENDLY
                            )
                        ],
                        "data": None,
                    }
                )
        if metadata:
            result = self.metadata.execute(query, variables, operation_name)
        else:
            result = self.workspace.execute_core(query, variables, operation_name or None)
        if tokens and result.data is None and _pre_execution(result.errors):
            self.limiter.refund(tokens)
        out: dict[str, Any] = {}
        if result.errors:
            out["errors"] = [format_error(e) for e in result.errors]
        out["data"] = result.data
        return json_response(out)

    def _bad_request(self, message: str, code: str) -> web.Response:
        self.count(bad_requests=1)
        return json_response({"errors": [_error(message, code, None, message)]}, 400)

    # ---- REST ---------------------------------------------------------------------------------

    async def rest(self, request: web.Request) -> web.StreamResponse:
        from .rest import answer_rest

        self.count(requests=1, rest_requests=1)
        try:
            body = await self.read_body(request)
            if isinstance(body, web.Response):
                return body
            plan = await self.inject(request)
            if isinstance(plan, web.Response):
                return plan
            response = answer_rest(self, request)
            if plan.drop:
                self.drop(request, applied=True)
            return response
        except _Dropped:
            return web.Response(status=500)


def _timed(response: web.StreamResponse, start: float) -> web.StreamResponse:
    """Add ``Server-Timing: app;dur=MS`` (handler time, added latency included)."""
    if not response.prepared:
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.3f}"
    return response


def build_app(server: EmulatorServer) -> web.Application:
    app = web.Application(client_max_size=server.max_body_bytes)
    app.router.add_post("/graphql", server.graphql)
    app.router.add_post("/metadata", server.metadata_endpoint)
    app.router.add_route("*", "/rest/{tail:.*}", server.rest)
    from .files import add_routes as add_file_routes  # PUT /file-upload/{id}, GET /file/...

    add_file_routes(app, server)
    return app
