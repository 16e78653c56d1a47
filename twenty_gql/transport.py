"""The transport seam: one async method between the client and the wire.

* :class:`Transport` - the protocol: ``async def send(request) -> Response``. A transport may
  also have ``async def aclose()``; the client calls it when it closes.
* :class:`AiohttpTransport` - the real one: one ``aiohttp.ClientSession`` (keep-alive
  connection reuse), created lazily inside the running loop. aiohttp exceptions are translated
  here into :mod:`twenty_gql.errors` transport errors, with ``request_sent`` False only when the
  connection was never established: ``ClientConnectorError`` (refused, DNS, TLS) and aiohttp's
  ``ConnectionTimeoutError`` (connect / pool-wait timeout). Everything else - a reused
  keep-alive connection the server closed, a reset while writing or reading, a truncated body,
  a read timeout, the total timeout firing even during connect - counts as possibly sent.
* :class:`MockTransport` - for users' unit tests: a handler callable or a queue of canned
  answers; records every request; an unexpected request raises :class:`MockTransportError`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol

import msgspec

from twenty_gql.errors import (
    ConnectError,
    ConnectionDroppedError,
    ResponseTooLargeError,
    TransportError,
    TransportTimeoutError,
)

__all__ = [
    "AiohttpTransport",
    "MockTransport",
    "MockTransportError",
    "Request",
    "Response",
    "Transport",
]


class Request:
    """One HTTP POST: ``url``, ``headers`` (shared, do not mutate), ``body`` (JSON bytes)."""

    __slots__ = ("body", "headers", "url")

    def __init__(self, url: str, headers: Mapping[str, str], body: bytes) -> None:
        self.url = url
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        """The decoded body (``query``, ``operationName``, ``variables``)."""
        return msgspec.json.decode(self.body)

    @property
    def operation_name(self) -> str | None:
        name = self.json().get("operationName")
        return name if isinstance(name, str) else None

    def __repr__(self) -> str:  # headers hold the key: never shown
        return f"Request(url={self.url!r}, body={len(self.body)} bytes)"


class Response:
    """An HTTP answer: ``status``, ``headers`` (case-insensitive lookups not guaranteed for a
    plain dict; the client checks both spellings), ``body`` bytes."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers: Mapping[str, str] = headers if headers is not None else {}

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        """A JSON answer, e.g. ``Response.json({"data": {...}})``."""
        return cls(status, msgspec.json.encode(payload), headers)

    def __repr__(self) -> str:
        return f"Response(status={self.status}, body={len(self.body)} bytes)"


class Transport(Protocol):
    """Sends one request and returns the HTTP answer, or raises a ``TransportError``."""

    async def send(self, request: Request) -> Response: ...


DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class AiohttpTransport:
    """The default transport: one aiohttp session, created in the running loop on first use.

    Redirects are never followed (the answer comes back as it is, e.g. a 301, so the key is
    never sent to another URL). A body longer than ``max_response_bytes`` (announced, or
    counted while reading a chunked or compressed answer) raises ``ResponseTooLargeError``
    without reading the rest.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        connect_timeout: float | None = 10.0,
        max_connections: int = 100,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._max_connections = max_connections
        self._max_response_bytes = max_response_bytes
        self._session: Any = None
        self._plain: Any = None
        self._headers: Mapping[str, str] | None = None

    def _open(self, headers: Mapping[str, str] | None) -> Any:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=30)
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self._timeout, sock_connect=self._connect_timeout),
            skip_auto_headers=("User-Agent",),
            headers=dict(headers) if headers else None,
        )

    async def send(self, request: Request) -> Response:
        # The client hands the same headers mapping to every request: it becomes the session's
        # default headers, so aiohttp does not merge a per-call header dict. A request with
        # other headers that drops one of those goes through a second session without defaults.
        session = self._session
        if session is None:
            self._headers = request.headers
            session = self._session = self._open(request.headers)
        headers: Mapping[str, str] | None = None
        if request.headers is not self._headers:
            headers = request.headers
            if self._headers and not all(k in headers for k in self._headers):
                session = self._plain = self._plain or self._open(None)
        try:
            async with session.post(
                request.url, data=request.body, headers=headers, allow_redirects=False
            ) as r:
                length = r.content_length
                if (
                    length is None
                    or length > self._max_response_bytes
                    or "Content-Encoding" in r.headers  # a small body may inflate
                ):
                    body = await self._read_capped(r, request.url)
                else:
                    body = await r.read()
                return Response(r.status, body, r.headers)
        except Exception as exc:
            raise _translate(exc, request.url) from None

    async def _read_capped(self, r: Any, url: str) -> bytes:
        """The body, read at most ``max_response_bytes`` far (an announced larger length is
        refused before reading anything)."""
        cap = self._max_response_bytes
        length = r.content_length
        if length is not None and length > cap:
            r.close()  # the rest is never read: the connection must not be reused
            raise ResponseTooLargeError(
                f"response from {url} is {length} bytes, more than max_response_bytes={cap}",
                limit=cap,
                size=length,
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await r.content.readany()
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                r.close()
                raise ResponseTooLargeError(
                    f"response from {url} exceeds max_response_bytes={cap} (stopped reading "
                    f"after {size} bytes)",
                    limit=cap,
                )
            chunks.append(chunk)

    async def aclose(self) -> None:
        sessions = (self._session, self._plain)
        self._session = self._plain = None
        for session in sessions:
            if session is not None:
                await session.close()


def _translate(exc: BaseException, url: str) -> BaseException:
    """aiohttp / asyncio failure -> our transport error (``request_sent`` kept precise)."""
    import aiohttp

    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, (aiohttp.ClientConnectorCertificateError, aiohttp.ClientSSLError)):
        # TLS failed before any byte of the request: not sent, and resending will not help.
        return ConnectError(f"TLS error connecting to {url}: {what}", retryable=False)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(f"cannot connect to {url}: {what}")
    # aiohttp >= 3.10 tells a connect timeout apart; before, it is a ServerTimeoutError below
    # (counted as possibly sent: never wrongly resends a write)
    if isinstance(exc, getattr(aiohttp, "ConnectionTimeoutError", ())):
        return TransportTimeoutError(f"connect timeout for {url}", request_sent=False)
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return TransportTimeoutError(f"timed out waiting for {url}", request_sent=True)
    if isinstance(
        exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError)
    ):
        return ConnectionDroppedError(f"connection to {url} dropped: {what}")
    if isinstance(exc, aiohttp.InvalidURL):
        return ConnectError(f"invalid url {url}: {what}", retryable=False)
    if isinstance(exc, aiohttp.ClientError):
        return TransportError(f"transport error for {url}: {what}")
    return exc


class MockTransportError(AssertionError):
    """A :class:`MockTransport` received a request it was not told to expect."""


_Canned = Response | BaseException | tuple[str, Response | BaseException]
_Handler = Callable[[Request], Response | Awaitable[Response]]


class MockTransport:
    """A transport for unit tests that answers from a handler or a queue, never blindly.

    * ``MockTransport(handler)``: ``handler(request)`` returns a :class:`Response` (or an
      awaitable of one) or raises (e.g. ``ConnectError``) - anything else is an error.
    * ``MockTransport([answer, ...])``: answers in order; each is a ``Response``, an exception
      to raise, or ``(operation_name, answer)`` to also check the request's ``operationName``.
      A request after the queue is empty raises :class:`MockTransportError`.

    ``requests`` records every request received (in order).
    """

    def __init__(self, handler: _Handler | Iterable[_Canned]) -> None:
        self.requests: list[Request] = []
        self._handler: _Handler | None = None
        self._queue: deque[_Canned] = deque()
        if callable(handler):
            self._handler = handler
        else:
            self._queue.extend(handler)

    def add(self, answer: _Canned) -> None:
        """Queue one more answer."""
        self._queue.append(answer)

    @property
    def pending(self) -> int:
        """Canned answers not used yet."""
        return len(self._queue)

    async def send(self, request: Request) -> Response:
        self.requests.append(request)
        if self._handler is not None:
            out: Any = self._handler(request)
            if inspect.isawaitable(out):
                out = await out
            if not isinstance(out, Response):
                raise MockTransportError(
                    f"handler returned {type(out).__name__}, not a Response, for {request!r}"
                )
            return out
        if not self._queue:
            raise MockTransportError(
                f"unexpected request #{len(self.requests)} (operation "
                f"{request.operation_name!r} to {request.url}): no canned answer left"
            )
        answer = self._queue.popleft()
        if isinstance(answer, tuple):
            expected, answer = answer
            got = request.operation_name
            if got != expected:
                raise MockTransportError(
                    f"request #{len(self.requests)}: expected operation {expected!r}, got {got!r}"
                )
        if isinstance(answer, BaseException):
            raise answer
        if not isinstance(answer, Response):
            raise MockTransportError(f"canned answer {answer!r} is not a Response or exception")
        return answer
