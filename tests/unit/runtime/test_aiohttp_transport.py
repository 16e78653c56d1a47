"""AiohttpTransport against a tiny canned aiohttp server on 127.0.0.1: connection reuse and the
translation of every wire failure (with ``request_sent`` kept precise)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from twenty_gql import (
    ConnectError,
    ConnectionDroppedError,
    DecodeError,
    HTTPStatusError,
    Operation,
    TransportTimeoutError,
    TwentyClient,
)
from twenty_gql.transport import AiohttpTransport, Request

KEY = "key-for-the-canned-server"
OP: Operation[dict[str, Any]] = Operation(
    name="Q", document="query Q { x }", endpoint="graphql", kind="query",
    root_fields=("x",), result_type=dict, idempotent=False,
)  # fmt: skip


class Canned:
    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.auth: list[str | None] = []
        self.mode = "ok"
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        self.auth.append(request.headers.get("Authorization"))
        await request.read()
        if self.mode == "slow":
            await asyncio.sleep(0.5)
        if self.mode == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if self.mode == "truncate":
            resp = web.StreamResponse(headers={"Content-Length": "100"})
            await resp.prepare(request)
            await resp.write(b'{"data": {"x"')
            assert request.transport is not None
            request.transport.close()
            return resp
        if self.mode == "proxy":
            return web.Response(
                status=502, text="<html>Bad Gateway</html>", content_type="text/html"
            )
        if self.mode == "login":
            return web.Response(
                text="<!doctype html><title>Sign in</title>", content_type="text/html"
            )
        return web.json_response({"data": {"x": 1}})


@pytest.fixture
async def canned() -> AsyncIterator[Canned]:
    c = Canned()
    app = web.Application()
    app.router.add_post("/graphql", c.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    c.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield c
    finally:
        await runner.cleanup()


async def test_one_session_reuses_its_connection(canned: Canned) -> None:
    async with TwentyClient(canned.url, KEY, rate_limit=None) as client:
        for _ in range(10):
            assert await client.execute(OP) == {"x": 1}
    assert len(canned.peers) == 10
    assert len(set(canned.peers)) == 1
    assert canned.auth == [f"Bearer {KEY}"] * 10


async def test_a_request_with_other_headers_sends_exactly_those(canned: Canned) -> None:
    transport = AiohttpTransport()
    try:
        await transport.send(Request(canned.url + "/graphql", {"Authorization": "Bearer a"}, b"{}"))
        await transport.send(Request(canned.url + "/graphql", {"X-Other": "1"}, b"{}"))
    finally:
        await transport.aclose()
    assert canned.auth == ["Bearer a", None]


async def test_dropped_connection_is_translated(canned: Canned) -> None:
    canned.mode = "drop"
    async with TwentyClient(canned.url, KEY, rate_limit=None) as client:
        with pytest.raises(ConnectionDroppedError) as info:
            await client.execute(OP)
    assert info.value.request_sent is True and info.value.retryable
    assert len(canned.peers) == 1  # a non-idempotent query was not resent


async def test_truncated_body_is_a_dropped_connection(canned: Canned) -> None:
    canned.mode = "truncate"
    async with TwentyClient(canned.url, KEY, rate_limit=None) as client:
        with pytest.raises(ConnectionDroppedError):
            await client.execute(OP)


async def test_read_timeout_counts_as_sent(canned: Canned) -> None:
    canned.mode = "slow"
    async with TwentyClient(canned.url, KEY, rate_limit=None, timeout=0.1) as client:
        with pytest.raises(TransportTimeoutError) as info:
            await client.execute(OP)
    assert info.value.request_sent is True


async def test_proxy_error_page_and_login_page(canned: Canned) -> None:
    async with TwentyClient(canned.url, KEY, rate_limit=None) as client:
        canned.mode = "proxy"
        with pytest.raises(HTTPStatusError) as info:
            await client.execute(OP)
        assert info.value.status == 502 and "Bad Gateway" in info.value.body
        canned.mode = "login"
        with pytest.raises(DecodeError, match="HTML"):
            await client.execute(OP)


async def test_refused_connection_is_a_connect_error_not_sent() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    async with TwentyClient(f"http://127.0.0.1:{port}", KEY, max_retries=0) as client:
        with pytest.raises(ConnectError) as info:
            await client.execute(OP)
    assert info.value.request_sent is False and KEY not in str(info.value)
