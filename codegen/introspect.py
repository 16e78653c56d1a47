"""Stage 1 of the pipeline: get the two schemas (``/graphql`` and ``/metadata``).

Either over HTTP (the standard introspection query, ``Authorization: Bearer <key>``, like the
official twenty-sdk) or from files: an SDL ``.graphql`` or an introspection ``.json`` with or
without the ``{"data": ...}`` wrapper. Every failure is a :class:`SchemaSourceError` whose
message is one readable line that never contains the API key.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import msgspec
from graphql import (
    GraphQLError,
    GraphQLSchema,
    IntrospectionQuery,
    build_client_schema,
    build_schema,
    get_introspection_query,
    introspection_from_schema,
    print_schema,
)

from codegen.errors import SchemaSourceError

__all__ = [
    "LoadedSchema",
    "SchemaSourceError",
    "canonical_schema",
    "endpoint_url",
    "fetch_schema",
    "fetch_schemas",
    "from_schema",
    "json_headers",
    "load_schema_file",
    "schema_from_introspection",
    "schema_hash",
    "sort_introspection",
]

ENDPOINTS = ("graphql", "metadata")


@dataclass(frozen=True)
class LoadedSchema:
    """One endpoint's schema plus where it came from (``source`` never holds a secret)."""

    schema: GraphQLSchema
    source: str
    sdl: str  # lexicographically sorted SDL: the canonical text hashed for drift checks
    hash: str


def _by_name(items: Any) -> Any:
    return sorted(items, key=lambda x: x["name"]) if isinstance(items, list) else items


def sort_introspection(data: dict[str, Any]) -> dict[str, Any]:
    """An introspection result with types, fields, arguments and values sorted by name.

    Building from sorted JSON gives the same schema as ``lexicographic_sort_schema`` at a
    fraction of the cost (no second schema build).
    """
    schema = dict(data["__schema"])
    types = []
    for t in _by_name(schema.get("types") or []):
        t = dict(t)
        for key in ("fields", "inputFields", "enumValues", "interfaces", "possibleTypes"):
            if isinstance(t.get(key), list):
                t[key] = _by_name(t[key])
        if isinstance(t.get("fields"), list):
            t["fields"] = [
                {**f, "args": _by_name(f["args"])} if isinstance(f.get("args"), list) else f
                for f in t["fields"]
            ]
        types.append(t)
    schema["types"] = types
    directives = []
    for d in _by_name(schema.get("directives") or []):
        d = dict(d)
        if isinstance(d.get("args"), list):
            d["args"] = _by_name(d["args"])
        directives.append(d)
    schema["directives"] = directives
    schema["description"] = None
    return {**data, "__schema": schema}


def canonical_schema(schema: GraphQLSchema) -> GraphQLSchema:
    """``schema`` as introspection sees it, sorted: SDL files and live servers compare equal."""
    data = introspection_from_schema(schema, schema_description=False)
    return build_client_schema(cast(IntrospectionQuery, sort_introspection(dict(data))))


def _canonical(
    schema: GraphQLSchema, source: str, *, from_introspection: bool = False
) -> LoadedSchema:
    # A schema built from sorted introspection JSON is canonical already.
    canon = schema if from_introspection else canonical_schema(schema)
    sdl = print_schema(canon)
    return LoadedSchema(schema=canon, source=source, sdl=sdl, hash=schema_hash(sdl))


def from_schema(schema: GraphQLSchema, source: str) -> LoadedSchema:
    """A :class:`LoadedSchema` for an in-process schema (e.g. the emulator's)."""
    return _canonical(schema, source)


def schema_hash(sdl: str) -> str:
    """``sha256:<hex>`` of a canonical SDL text."""
    return "sha256:" + hashlib.sha256(sdl.encode("utf-8")).hexdigest()


def schema_from_introspection(payload: Any, source: str) -> LoadedSchema:
    """Build a schema from an introspection result (``{"__schema": ...}``, maybe wrapped)."""
    if isinstance(payload, dict) and "data" in payload and "__schema" not in payload:
        errors = payload.get("errors")
        if errors:
            raise SchemaSourceError(
                f"{source}: server answered with errors: {_first_error(errors)}"
            )
        payload = payload["data"]
    if not isinstance(payload, dict) or not isinstance(payload.get("__schema"), dict):
        raise SchemaSourceError(
            f"{source}: not an introspection result (expected a JSON object with '__schema')"
        )
    try:
        schema = build_client_schema(cast(IntrospectionQuery, sort_introspection(payload)))
    except (GraphQLError, TypeError, KeyError, ValueError) as exc:
        raise SchemaSourceError(
            f"{source}: invalid introspection result: {_one_line(exc)}"
        ) from None
    return _canonical(schema, source, from_introspection=True)


def load_schema_file(path: str | Path) -> LoadedSchema:
    """Load an SDL ``.graphql``/``.graphqls``/``.gql`` or an introspection ``.json`` file."""
    p = Path(path)
    source = p.name
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaSourceError(f"cannot read schema file {p}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SchemaSourceError(f"schema file {p} is not UTF-8 text") from None
    if p.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            payload = msgspec.json.decode(text)
        except msgspec.DecodeError:
            try:  # for the line number in the message
                json.loads(text)
            except json.JSONDecodeError as exc:
                raise SchemaSourceError(
                    f"{p}: invalid JSON at line {exc.lineno}: {exc.msg}"
                ) from None
            raise SchemaSourceError(f"{p}: invalid JSON") from None
        return schema_from_introspection(payload, source)
    try:
        schema = build_schema(text)
    except GraphQLError as exc:
        raise SchemaSourceError(f"{p}: invalid GraphQL SDL: {_one_line(exc)}") from None
    return _canonical(schema, source)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _first_error(errors: Any) -> str:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        err = errors[0]
        code = (err.get("extensions") or {}).get("code") if isinstance(err, dict) else None
        msg = " ".join(str(err.get("message", "")).split())[:200]
        return f"{code}: {msg}" if code else msg
    return " ".join(str(errors).split())[:200]


def _redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "***") if secret else text


def json_headers(api_key: str | None) -> dict[str, str]:
    """The headers of a GraphQL POST to Twenty (with the bearer key when there is one)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def endpoint_url(base: str, endpoint: str) -> str:
    """``base`` + ``/endpoint`` without credentials, query or fragment (they never leak)."""
    parts = urlsplit(base)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/") + "/" + endpoint, "", ""))


async def fetch_schema(
    session: aiohttp.ClientSession, url: str, endpoint: str, api_key: str | None
) -> LoadedSchema:
    """POST the introspection query to ``url/endpoint`` and build the schema."""
    target = endpoint_url(url, endpoint)
    headers = json_headers(api_key)
    body = {"query": get_introspection_query(descriptions=True)}
    try:
        async with session.post(target, json=body, headers=headers) as resp:
            raw = await resp.read()
            status = resp.status
            ctype = resp.headers.get("Content-Type", "")
    except aiohttp.ClientError as exc:
        raise SchemaSourceError(
            f"cannot connect to {target}: {_redact(_one_line(exc), api_key) or type(exc).__name__}"
        ) from None
    except asyncio.TimeoutError:
        raise SchemaSourceError(f"timed out waiting for {target}") from None
    text = raw.decode("utf-8", errors="replace")
    if "html" in ctype.lower() or text.lstrip()[:1] == "<":
        raise SchemaSourceError(
            f"{target} answered HTTP {status} with an HTML page, not GraphQL "
            "(is the URL the Twenty server's base URL?)"
        )
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        raise SchemaSourceError(
            f"{target} answered HTTP {status} with non-JSON content ({ctype or 'no content type'})"
        ) from None
    if isinstance(payload, dict) and payload.get("errors"):
        first = _redact(_first_error(payload["errors"]), api_key)
        if "UNAUTHENTICATED" in first or "FORBIDDEN" in first or status in (401, 403):
            raise SchemaSourceError(f"{target}: authentication failed ({first}); check the API key")
        raise SchemaSourceError(f"{target}: introspection failed: {first}")
    if status in (401, 403):
        raise SchemaSourceError(
            f"{target}: authentication failed (HTTP {status}); check the API key"
        )
    if status >= 400:
        raise SchemaSourceError(f"{target} answered HTTP {status}")
    return schema_from_introspection(payload, target)


async def _fetch_all(
    url: str, api_key: str | None, endpoints: tuple[str, ...], timeout: float
) -> dict[str, LoadedSchema]:
    if not url.startswith(("http://", "https://")):
        scheme = url.split("://", 1)[0] if "://" in url else ""  # not the rest: it may hold a key
        what = f"scheme {scheme!r}" if scheme else "no scheme"
        raise SchemaSourceError(f"invalid URL ({what}): expected http:// or https://")
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        results = [await fetch_schema(session, url, ep, api_key) for ep in endpoints]
    return dict(zip(endpoints, results, strict=True))


def fetch_schemas(
    url: str,
    api_key: str | None,
    endpoints: tuple[str, ...] = ENDPOINTS,
    *,
    timeout: float = 30.0,
) -> dict[str, LoadedSchema]:
    """Introspect ``endpoints`` of the server at ``url`` (blocking; runs its own loop)."""
    return asyncio.run(_fetch_all(url, api_key, endpoints, timeout))
