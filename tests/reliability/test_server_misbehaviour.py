"""A misbehaving server: typed errors, no hang beyond the timeout, no leaked connection, the
retry policy followed, and the same client working again once the server behaves.

Each test starts its own raw HTTP/1.1 server on 127.0.0.1 (port 0): asyncio streams, so it can
send exactly the broken bytes wanted (truncated bodies, drips, silence, TLS confusion) and
count the connections it holds open. A connection the client gave up on must be closed by the
client: the server sees EOF and its ``open`` count returns to 0. The client's side is checked
too: no connection left acquired in aiohttp's connector.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
import pytest

from tests.reliability._connections import acquired
from twenty_gql import (
    ConnectError,
    ConnectionDroppedError,
    DecodeError,
    HTTPStatusError,
    Operation,
    ResponseTooLargeError,
    RetryPolicy,
    TransportError,
    TransportTimeoutError,
    TwentyClient,
)

KEY = "misbehaviour-test-key"
GOOD = msgspec.json.encode({"data": {"companies": {"totalCount": 3}}})
QUERY: Operation[dict[str, Any]] = Operation(
    name="Count",
    document="query Count { companies { totalCount } }",
    endpoint="graphql",
    kind="query",
    root_fields=("companies",),
    result_type=dict,
    idempotent=True,
)
MUTATION: Operation[dict[str, Any]] = Operation(
    name="Make",
    document='mutation Make { createCompany(data: {name: "x"}) { id } }',
    endpoint="graphql",
    kind="mutation",
    root_fields=("createCompany",),
    result_type=dict,
    idempotent=False,
)
FAST_RETRY = RetryPolicy(max_retries=2, base=0.01, cap=0.02)

Writer = asyncio.StreamWriter
Behaviour = Callable[[Writer, "Server"], Awaitable[bool]]  # returns: keep the connection open


def http(status: int, body: bytes, ctype: str = "application/json", **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
    return (head + extra + "\r\n").encode() + body


async def answer_good(w: Writer, s: Server) -> bool:
    w.write(http(200, GOOD))
    await w.drain()
    return True


class Server:
    """A raw HTTP/1.1 server: ``behaviour`` answers each request (switch it to ``answer_good``
    to check the client recovers). Counts requests, open connections, and the Authorization
    headers it saw."""

    def __init__(self, behaviour: Behaviour, ssl_context: ssl.SSLContext | None = None) -> None:
        self.behaviour = behaviour
        self.ssl_context = ssl_context
        self.requests = 0
        self.open = 0
        self.connections = 0
        self.closed = asyncio.Event()  # set whenever a connection closes
        self.auth: list[str] = []
        self.paths: list[str] = []
        self._server: asyncio.Server | None = None
        self._handlers: dict[asyncio.Task[None], tuple[asyncio.StreamReader, Writer]] = {}

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", 0, ssl=self.ssl_context
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for _, writer in self._handlers.values():
            writer.close()  # a waiting handler sees EOF or a write error and returns
        if self._handlers:
            await asyncio.wait(list(self._handlers), timeout=5)
        await self._server.wait_closed()

    async def until_client_hangs_up(self) -> None:
        """Answer nothing; return when the client closes the connection."""
        task = asyncio.current_task()
        assert task is not None
        reader = self._handlers[task][0]
        while await reader.read(1 << 16):
            pass

    async def _handle(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers[task] = (reader, writer)
        self.open += 1
        self.connections += 1
        try:
            while True:
                first = await reader.readline()
                if not first:
                    return
                if not first.startswith(b"POST "):  # e.g. a TLS ClientHello: what nginx says
                    writer.write(http(400, b"<html>400 Bad Request</html>", "text/html"))
                    await writer.drain()
                    return
                self.paths.append(first.split()[1].decode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    if name.lower() == "authorization":
                        self.auth.append(value.strip())
                await reader.readexactly(length)
                self.requests += 1
                if not await self.behaviour(writer, self):
                    return
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            return
        finally:
            self.open -= 1
            self.closed.set()
            self._handlers.pop(task, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def settled(self, expected: int = 0, timeout: float = 3.0) -> int:
        """Open connections once the client had time to close what it abandoned."""

        async def wait() -> None:
            while self.open != expected:
                self.closed.clear()
                await self.closed.wait()

        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(wait(), timeout)
        return self.open


def idle(client: TwentyClient) -> int:
    """Keep-alive connections in the client's pool (fine after a complete answer)."""
    session = client._transport._session  # type: ignore[attr-defined]
    return 0 if session is None else sum(map(len, session.connector._conns.values()))


@contextlib.asynccontextmanager
async def scenario(
    behaviour: Behaviour, **client_kw: Any
) -> AsyncIterator[tuple[Server, TwentyClient]]:
    client_kw.setdefault("retry", FAST_RETRY)
    async with (
        Server(behaviour) as server,
        TwentyClient(server.url, KEY, rate_limit=None, **client_kw) as client,
    ):
        yield server, client
        # after a failed call the client holds no connection in use, and every connection
        # the server still has open is one the client keeps pooled (a complete answer
        # leaves a reusable keep-alive connection); then it recovers
        assert acquired(client) == 0
        pooled = idle(client)
        assert pooled <= 1
        assert await server.settled(pooled) == pooled, "a broken connection was left open"
        server.behaviour = answer_good
        assert await client.execute(QUERY) == {"companies": {"totalCount": 3}}


# -- wrong bodies --------------------------------------------------------------------------------


async def html_200(w: Writer, s: Server) -> bool:
    w.write(http(200, b"<!DOCTYPE html><html><body>Sign in</body></html>", "text/html"))
    await w.drain()
    return True


async def html_502(w: Writer, s: Server) -> bool:
    w.write(http(502, b"<html><h1>502 Bad Gateway</h1></html>", "text/html"))
    await w.drain()
    return True


async def test_html_200_is_a_decode_error_and_not_retried() -> None:
    async with scenario(html_200) as (server, client):
        with pytest.raises(DecodeError, match="HTML") as info:
            await client.execute(QUERY)
        assert "Sign in" in info.value.body and info.value.retryable is False
        assert server.requests == 1


async def test_html_502_is_retried_for_a_query_and_not_for_a_create() -> None:
    async with scenario(html_502) as (server, client):
        with pytest.raises(HTTPStatusError) as info:
            await client.execute(QUERY)
        assert info.value.status == 502 and info.value.retryable
        assert "502 Bad Gateway" in str(info.value)
        assert server.requests == 1 + FAST_RETRY.max_retries
        with pytest.raises(HTTPStatusError):
            await client.execute(MUTATION)  # may have been applied behind the proxy
        assert server.requests == 2 + FAST_RETRY.max_retries


def answer_with(body: bytes) -> Behaviour:
    async def behaviour(w: Writer, s: Server) -> bool:
        w.write(http(200, body))
        await w.drain()
        return True

    return behaviour


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"data": {"companies": {"totalC', "not JSON"),
        (b"{}", "neither data nor errors"),
        (b'{"data": null}', "neither data nor errors"),
        (b'{"data": {"companies": 5}, "errors": "nope"}', "unexpected response shape"),
        (b"", "not JSON"),
    ],
    ids=["truncated-json", "empty-object", "data-null", "wrong-shape", "empty-body"],
)
async def test_broken_json_bodies_are_decode_errors(body: bytes, words: str) -> None:
    async with scenario(answer_with(body)) as (server, client):
        with pytest.raises(DecodeError, match=words):
            await client.execute(QUERY)
        with pytest.raises(DecodeError):
            await client.execute_raw("{ companies { totalCount } }")
        assert server.requests == 2  # a decode error is final: not resent


async def cut_short(w: Writer, s: Server) -> bool:
    """Announces 1000 bytes, sends 20 and hangs up."""
    w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    w.write(b'{"data": {"companies"')
    await w.drain()
    return False


async def test_connection_closed_mid_body_is_dropped_and_retried_for_a_query() -> None:
    async with scenario(cut_short) as (server, client):
        with pytest.raises(ConnectionDroppedError) as info:
            await client.execute(QUERY)
        assert info.value.request_sent is True
        assert server.requests == 1 + FAST_RETRY.max_retries
        with pytest.raises(ConnectionDroppedError):
            await client.execute(MUTATION)
        assert server.requests == 2 + FAST_RETRY.max_retries


# -- size ---------------------------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


def huge(chunked: bool) -> Behaviour:
    async def behaviour(w: Writer, s: Server) -> bool:
        chunk = b" " * (1 << 20)
        if chunked:
            w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            w.write(b"Transfer-Encoding: chunked\r\n\r\n")
        else:
            w.write(f"HTTP/1.1 200 OK\r\nContent-Length: {FIFTY_MB}\r\n\r\n".encode())
        for _ in range(FIFTY_MB // len(chunk)):
            w.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await w.drain()  # blocks once the client stops reading: nothing piles up
        w.write(b"0\r\n\r\n" if chunked else b"")
        await w.drain()
        return True

    return behaviour


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_50_mb_answer_hits_the_size_cap(chunked: bool) -> None:
    cap = 4 * 1024 * 1024
    async with scenario(huge(chunked), max_response_bytes=cap) as (server, client):
        with pytest.raises(ResponseTooLargeError) as info:
            await client.execute(QUERY)
        err = info.value
        assert err.limit == cap and f"max_response_bytes={cap}" in str(err)
        assert err.size == (None if chunked else FIFTY_MB)
        assert isinstance(err, TransportError) and not err.retryable
        assert server.requests == 1  # the same request would get the same answer


async def test_a_small_gzip_body_that_inflates_past_the_cap_is_stopped() -> None:
    bomb = gzip.compress(b" " * (20 * 1024 * 1024), compresslevel=1)  # ~90 KB on the wire

    async def inflate(w: Writer, s: Server) -> bool:
        w.write(http(200, bomb, Content_Encoding="gzip"))
        await w.drain()
        return True

    cap = 4 * 1024 * 1024
    assert len(bomb) < cap
    async with scenario(inflate, max_response_bytes=cap) as (server, client):
        with pytest.raises(ResponseTooLargeError, match="exceeds max_response_bytes") as info:
            await client.execute(QUERY)
        assert info.value.size is None and server.requests == 1


async def test_the_default_cap_refuses_an_announced_100_mb_body_before_reading() -> None:
    async def announce(w: Writer, s: Server) -> bool:
        w.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n{" % (100 * 1024 * 1024))
        await w.drain()
        await s.until_client_hangs_up()  # never sends the rest: the client must not wait
        return False

    async with scenario(announce) as (_, client):
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=67108864"):
            await asyncio.wait_for(client.execute(QUERY), 10)


# -- time ----------------------------------------------------------------------------------------

TIMEOUT = 1.0
BOUND = 5.0  # generous for a loaded 2-core CI box; the point is "no hang"


async def drip(w: Writer, s: Server) -> bool:
    w.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n")
    for _ in range(10000):
        w.write(b" ")
        await w.drain()
        await asyncio.sleep(0.1)  # one byte per 100 ms: never a gap long enough to look dead
    return True


async def silent(w: Writer, s: Server) -> bool:
    await s.until_client_hangs_up()
    return False


@pytest.mark.parametrize("behaviour", [drip, silent], ids=["slow-drip", "no-answer"])
async def test_slow_or_silent_server_times_out_within_the_timeout(behaviour: Behaviour) -> None:
    async with scenario(behaviour, timeout=TIMEOUT, max_retries=0, retry=None) as (s, client):
        started = time.monotonic()
        with pytest.raises(TransportTimeoutError) as info:
            await client.execute(QUERY)
        took = time.monotonic() - started
        assert TIMEOUT * 0.9 <= took < BOUND, took
        assert info.value.request_sent is True
        assert s.requests == 1


async def test_a_timed_out_query_is_retried_per_policy_and_a_create_is_not() -> None:
    async with scenario(silent, timeout=0.3) as (server, client):
        with pytest.raises(TransportTimeoutError):
            await client.execute(QUERY)
        assert server.requests == 1 + FAST_RETRY.max_retries
        with pytest.raises(TransportTimeoutError):
            await client.execute(MUTATION)
        assert server.requests == 2 + FAST_RETRY.max_retries


# -- redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("where", ["same-host", "other-host"])
async def test_redirects_are_not_followed_and_the_key_goes_nowhere_else(
    status: int, where: str
) -> None:
    async with Server(answer_good) as elsewhere:
        target = (
            "/other/graphql"
            if where == "same-host"
            else f"http://localhost:{elsewhere.port}/graphql"
        )

        async def redirect(w: Writer, s: Server) -> bool:
            w.write(http(status, b"moved", "text/plain", Location=target))
            await w.drain()
            return True

        async with scenario(redirect) as (server, client):
            with pytest.raises(HTTPStatusError) as info:
                await client.execute(QUERY)
            err = info.value
            assert err.status == status and not err.retryable
            assert "redirect to" in str(err) and target in str(err)
            assert server.paths == ["/graphql"]  # no request to the redirect target
            assert server.auth == [f"Bearer {KEY}"]
            assert KEY not in str(err) and KEY not in repr(err)
        assert elsewhere.requests == 0 and elsewhere.auth == []


# -- TLS confusion -----------------------------------------------------------------------------


async def test_https_to_a_plain_http_server_is_a_connect_error_without_hanging() -> None:
    async with Server(answer_good) as server:
        url = f"https://127.0.0.1:{server.port}"
        async with TwentyClient(url, KEY, rate_limit=None, timeout=5.0, retry=FAST_RETRY) as c:
            started = time.monotonic()
            with pytest.raises(ConnectError, match="TLS") as info:
                await c.execute(QUERY)
            assert time.monotonic() - started < BOUND
            assert info.value.request_sent is False and info.value.retryable is False
            assert server.requests == 0 and server.auth == []  # nothing readable went out
            assert acquired(c) == 0
        assert await server.settled() == 0


@pytest.fixture
def tls_context(tmp_path: Path) -> ssl.SSLContext:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl CLI not available to make a throwaway certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


async def test_plain_http_to_a_tls_only_server_is_a_typed_error(
    tls_context: ssl.SSLContext,
) -> None:
    async with Server(answer_good, ssl_context=tls_context) as server:
        async with TwentyClient(server.url, KEY, rate_limit=None, timeout=5.0) as client:
            started = time.monotonic()
            # the server's TLS layer hangs up on the plain request: possibly sent, so a
            # non-idempotent call is not resent
            with pytest.raises(ConnectionDroppedError):
                await client.execute(QUERY, idempotent=False)
            assert time.monotonic() - started < BOUND
            assert server.requests == 0
            assert acquired(client) == 0
        assert await server.settled() == 0
