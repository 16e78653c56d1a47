"""The emulator's HTTP side: an ``aiohttp.web`` application serving ``POST /graphql``,
``POST /metadata`` and ``GET /rest/metadata/...`` in front of one ``Workspace``.

Every request goes through the same steps (see ``EmulatorServer._graphql_like``):

1. read the body (at most ``max_body_bytes``; larger -> HTTP 413 with a GraphQL error body);
2. faults: added latency, then maybe a proxy-style 502/503 (plain text, nothing applied), or a
   planned connection drop (before applying, or after applying the write);
3. auth (twenty-api.md §5): HTTP 200 ``{"errors": [...]}`` with UNAUTHENTICATED / FORBIDDEN;
4. the JSON body: not JSON / not an object / no query string / variables not an object ->
   HTTP 400 with a GraphQL error body (GRAPHQL_PARSE_FAILED / BAD_USER_INPUT);
5. document limits (``twenty_gql.testing.limits``; GRAPHQL_VALIDATION_FAILED, HTTP 200);
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
from dataclasses import dataclass, fields, replace
from typing import Any

import msgspec
from aiohttp import web
from graphql import GraphQLError

from twenty_gql.testing.auth import AuthFailure, KeyRing
from twenty_gql.testing.errors import format_error
from twenty_gql.testing.faults import FaultPlan, Faults
from twenty_gql.testing.limits import (
    GRAPHQL_LIMITS,
    MAX_VARIABLE_DEPTH,
    METADATA_LIMITS,
    DocumentAnalyser,
    json_depth,
)
from twenty_gql.testing.metadata_api import MetadataApi
from twenty_gql.testing.ratelimit import RateLimiter
from twenty_gql.testing.responses import error_body, json_response
from twenty_gql.testing.rest import answer_rest
from twenty_gql.testing.workspace import Workspace

__all__ = ["EmulatorServer", "EmulatorStats", "build_app"]

_log = logging.getLogger("twenty_gql.testing")

RATE_LIMIT_FRIENDLY = "Rate limit reached. Please try again later."


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


_PRE_EXECUTION = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"})


def _pre_execution(errors: list[GraphQLError] | None) -> bool:
    """True when the request failed before any resolver ran (parse / validation errors)."""
    return bool(errors) and all(
        (e.extensions or {}).get("code") in _PRE_EXECUTION for e in errors or ()
    )


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
        self.analyse = DocumentAnalyser()

    # ---- bookkeeping ------------------------------------------------------------------------

    def count(self, **deltas: int) -> None:
        with self._stats_lock:
            for name, delta in deltas.items():
                setattr(self._stats, name, getattr(self._stats, name) + delta)

    @property
    def stats(self) -> EmulatorStats:
        with self._stats_lock:
            return replace(self._stats)

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
            return json_response({"errors": [error_body(msg, "BAD_USER_INPUT", None, msg)]}, 413)

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
                    {"errors": [error_body(message, "INTERNAL_SERVER_ERROR")], "data": None}, 500
                )
            if plan.drop:
                self.drop(request, applied=True)
            return response
        except _Dropped:
            return web.Response(status=500)  # never written: the transport is closed

    def _answer(self, request: web.Request, body: bytes, metadata: bool) -> web.Response:
        failure = self.authenticate(request)
        if failure is not None:
            return json_response({"errors": [error_body(failure.message, failure.code)]})
        role = self.keys.role_of(self.token_of(request))
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
        if variables and json_depth(variables, MAX_VARIABLE_DEPTH) > MAX_VARIABLE_DEPTH:
            message = f"Variable values are nested too deeply (maximum depth {MAX_VARIABLE_DEPTH})."
            return json_response(
                {"errors": [error_body(message, "BAD_USER_INPUT", None, message)], "data": None}
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
                            error_body(
                                refused, self.throttle_code, "LIMIT_REACHED", RATE_LIMIT_FRIENDLY
                            )
                        ],
                        "data": None,
                    }
                )
        if metadata:
            result = self.metadata.execute(query, variables, operation_name, role)
        else:
            result = self.workspace.execute_core(query, variables, operation_name or None, role)
        if tokens and result.data is None and _pre_execution(result.errors):
            self.limiter.refund(tokens)
        out: dict[str, Any] = {}
        if result.errors:
            out["errors"] = [format_error(e) for e in result.errors]
        out["data"] = result.data
        return json_response(out)

    def _bad_request(self, message: str, code: str) -> web.Response:
        self.count(bad_requests=1)
        return json_response({"errors": [error_body(message, code, None, message)]}, 400)

    # ---- REST ---------------------------------------------------------------------------------

    async def rest(self, request: web.Request) -> web.StreamResponse:
        self.count(requests=1, rest_requests=1)
        try:
            body = await self.read_body(request)
            if isinstance(body, web.Response):
                return body
            plan = await self.inject(request)
            if isinstance(plan, web.Response):
                return plan
            response = answer_rest(request, self.authenticate, self.metadata.execute)
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
    from twenty_gql.testing.files import (
        add_routes as add_file_routes,  # PUT /file-upload/{id}, GET /file/...
    )

    add_file_routes(app, server)
    return app
