"""``TwentyClient``: sends prepared operations to a Twenty workspace (docs/CONTRACTS.md §1).

Per call: take tokens from the scheduler, hold a concurrency slot, POST the pre-encoded body
prefix plus the msgspec-encoded variables, decode the answer straight into the operation's
result type, and map errors to :mod:`twenty_gql.errors`. Failures go through
:class:`~twenty_gql.scheduling.RetryPolicy`. Nothing here parses or prints GraphQL.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Final, Literal, TypeVar
from urllib.parse import urlsplit

import msgspec

from twenty_gql import _json
from twenty_gql.errors import (
    BatchLimitExceededError,
    ClientClosedError,
    ConfigurationError,
    DecodeError,
    HTTPStatusError,
    ThrottledError,
    TwentyError,
    error_from_graphql,
)
from twenty_gql.operation import Endpoint, Operation
from twenty_gql.scheduling import RateLimit, RetryPolicy, Scheduler
from twenty_gql.transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AiohttpTransport,
    Request,
    Response,
    Transport,
)

__all__ = ["DEFAULT_RATE_LIMIT", "TwentyClient"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
logger = logging.getLogger("twenty_gql")

DEFAULT_RATE_LIMIT: Final = RateLimit()
_DEFAULT: Any = object()
_ENDPOINTS = ("graphql", "metadata")
_MASK = "***"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(url: str) -> str:
    """``url`` for an error message: credentials, query string and fragment (where a key may
    have been pasted) are left out."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "(unparseable url)"
    netloc = parts.netloc.rpartition("@")[2]
    hidden = "@" in parts.netloc or parts.query or parts.fragment
    return repr(
        f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else netloc + parts.path
    ) + (" (credentials, query and fragment not shown)" if hidden else "")


def _check_url(url: str, allow_insecure_http: bool) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(
            "no Twenty url: pass url=... or set TWENTY_URL (e.g. https://api.twenty.com)"
        )
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise ConfigurationError(f"url {_shown(url)} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"url {_shown(url)} must be http(s)://host[:port][/path]")
    if parts.username or parts.password:
        raise ConfigurationError("url must not carry credentials; pass api_key=... instead")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"url {_shown(url)} must not have a query string or fragment")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError as exc:
        raise ConfigurationError(f"url {_shown(url)} has an invalid port: {exc}") from None
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing plain http:// to {parts.hostname} (the API key would travel in clear); "
            "use https:// or pass allow_insecure_http=True"
        )
    path = parts.path.rstrip("/")
    for ep in _ENDPOINTS:  # tolerate a url that names an endpoint
        if path.endswith("/" + ep):
            path = path[: -len(ep) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _check_key(api_key: str | None) -> str:
    if api_key is None or api_key == "":
        raise ConfigurationError("no API key: pass api_key=... or set TWENTY_API_KEY")
    if not isinstance(api_key, str):
        raise ConfigurationError(f"api_key must be a str, not {type(api_key).__name__}")
    if any(c.isspace() for c in api_key) or not api_key.isprintable():
        raise ConfigurationError("api_key contains whitespace or control characters")
    return api_key


def _pos_int(name: str, v: Any, minimum: int = 1) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise ConfigurationError(f"{name} must be an int >= {minimum}, got {v!r}")
    return v


def _header(headers: Mapping[str, str], name: str) -> str | None:
    v = headers.get(name)
    if v is None:
        low = name.lower()
        for k, val in headers.items():
            if k.lower() == low:
                return val
    return v


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = _header(headers, "Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        import datetime as _dt

        when = parsedate_to_datetime(raw)
        return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


class TwentyClient:
    """An async client for one Twenty workspace.

    ``url`` / ``api_key`` default to ``TWENTY_URL`` / ``TWENTY_API_KEY``. Use it as
    ``async with TwentyClient() as client:`` (or call :meth:`aclose`). ``rate_limit`` mirrors
    the server's buckets client-side (``None``: off); ``max_concurrency`` caps requests in
    flight; ``batch_size`` is how many records bulk writes send per call (lowered when the
    server announces a smaller limit). ``transport`` replaces the aiohttp transport (e.g. a
    :class:`~twenty_gql.transport.MockTransport`). ``retry`` tunes the retry policy
    (``max_retries`` is a shortcut for its field, used when ``retry`` is not given).
    With ``rate_limit=None`` and ``learn_rate_limit=True``, a server that throttles anyway
    ("Limit reached (T tokens per W ms)") makes the client adopt that bucket from then on.
    ``max_response_bytes`` caps the size of an answer (64 MiB by default;
    ``ResponseTooLargeError`` beyond it; the aiohttp transport only). Redirects are never
    followed: a 3xx answer raises ``HTTPStatusError``. ``sleep``/``clock`` are injectable for
    tests.
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        max_concurrency: int = 16,
        batch_size: int = 60,
        page_size_max: int = 200,
        transport: Transport | None = None,
        allow_insecure_http: bool = False,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        learn_rate_limit: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._closed = False
        self._key = _check_key(api_key if api_key is not None else os.environ.get("TWENTY_API_KEY"))
        self.url = _check_url(
            url if url is not None else os.environ.get("TWENTY_URL", ""), allow_insecure_http
        )
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigurationError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        self.max_concurrency = _pos_int("max_concurrency", max_concurrency)
        self.batch_size = _pos_int("batch_size", batch_size)
        self.page_size_max = _pos_int("page_size_max", page_size_max)
        max_response_bytes = _pos_int("max_response_bytes", max_response_bytes)
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise ConfigurationError(
                f"rate_limit must be a twenty_gql.RateLimit or None, got {rate_limit!r}"
            )
        self.retry = retry if retry is not None else RetryPolicy()
        if retry is None:
            self.retry.max_retries = _pos_int("max_retries", max_retries, 0)
        self._sleep = sleep
        sched_kw: dict[str, Any] = {"sleep": sleep}
        if clock is not None:
            sched_kw["clock"] = clock
        self._sched_kw = sched_kw
        self._learn = bool(learn_rate_limit)
        self.scheduler = Scheduler(rate_limit, **sched_kw) if rate_limit is not None else None
        self._sem: asyncio.Semaphore | None = None
        self._transport: Transport = (
            transport
            if transport is not None
            else AiohttpTransport(
                timeout=float(timeout),
                max_connections=self.max_concurrency,
                max_response_bytes=max_response_bytes,
            )
        )
        base = {
            "Authorization": f"Bearer {self._key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        if headers:
            base.update(headers)
        self._headers = base
        self._urls = {ep: f"{self.url}/{ep}" for ep in _ENDPOINTS}
        self.stats = {"requests": 0, "retries": 0, "throttled": 0}

    # -- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> TwentyClient:
        if self._closed:
            raise ClientClosedError("this TwentyClient is closed; create a new one")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool. Idempotent; later calls raise ``ClientClosedError``."""
        if self._closed:
            return
        self._closed = True
        close = getattr(self._transport, "aclose", None)
        if close is not None:
            await close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<TwentyClient url={self.url!r} api_key={_MASK!r}{state}>"

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, _MASK) if self._key in text else text

    def learn_batch_limit(self, limit: int) -> None:
        """The server announced it takes at most ``limit`` records per call: later bulk writes
        send chunks of that size. The one place the learnt limit is kept (``batch_size``)."""
        if 0 < limit < self.batch_size:
            logger.info("twenty_gql: server batch limit is %d (was %d)", limit, self.batch_size)
            self.batch_size = limit

    # -- calls ------------------------------------------------------------------------------------

    async def execute(
        self,
        op: Operation[T],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> T:
        """Run ``op`` and return its ``data`` decoded into ``op.result_type``."""
        prep = op._cache.get("twenty_gql.runtime") or _json.prepared(op)
        body = prep.prefix + (_json.dumps_variables(variables) if variables else b"{}") + b"}"
        result: T = await self._run(
            op.endpoint,
            body,
            op.tokens,
            op.idempotent if idempotent is None else idempotent,
            op.name,
            prep.decode,
        )
        return result

    async def execute_raw(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        endpoint: Endpoint = "graphql",
        operation_name: str | None = None,
        idempotent: bool = False,
        tokens: int = 1,
    ) -> dict[str, Any]:
        """Send any document; ``data`` comes back as plain dicts. ``tokens`` is the number of
        root fields (rate-limit cost) when more than one."""
        if endpoint not in _ENDPOINTS:
            raise ValueError(f"endpoint must be 'graphql' or 'metadata', got {endpoint!r}")
        if not isinstance(document, str) or not document.strip():
            raise ValueError("document must be a non-empty GraphQL string")
        body = (
            _json.body_prefix(document, operation_name)
            + (_json.dumps_variables(variables) if variables else b"{}")
            + b"}"
        )
        data: Any = await self._run(
            endpoint, body, max(1, tokens), idempotent, operation_name, _RAW_DECODE
        )
        return data if isinstance(data, dict) else {}

    async def _run(
        self,
        endpoint: Literal["graphql", "metadata"],
        body: bytes,
        tokens: int,
        idempotent: bool,
        name: str | None,
        decode: Callable[[bytes], Any],
    ) -> Any:
        if self._closed:
            raise ClientClosedError("this TwentyClient is closed; create a new one")
        request = Request(self._urls[endpoint], self._headers, body)
        sem = self._sem
        if sem is None:
            sem = self._sem = asyncio.Semaphore(self.max_concurrency)
        graphql = endpoint == "graphql"
        attempt = throttle_attempt = 0
        throttle_waited = 0.0
        while True:
            sched = self.scheduler if graphql else None
            if sched is not None:
                await sched.acquire(tokens)
            try:
                await sem.acquire()
            except asyncio.CancelledError:
                if sched is not None:
                    sched.refund(tokens)  # cancelled while waiting for a slot: nothing sent
                raise
            try:
                if self._closed:
                    raise ClientClosedError("this TwentyClient was closed during the call")
                self.stats["requests"] += 1
                try:
                    response = await self._transport.send(request)
                    return self._decode(response, decode, name, request.url)
                except TwentyError as exc:
                    err: TwentyError = self._scrubbed(exc)
            finally:
                sem.release()
            # failure path (slow path from here on)
            if isinstance(err, BatchLimitExceededError):
                self.learn_batch_limit(err.limit)
            if isinstance(err, ThrottledError):
                self.stats["throttled"] += 1
                if sched is None and self._learn and graphql and err.tokens:
                    # No client-side pacing was configured, but the server announced its
                    # bucket: mirror it from now on (all tasks of this client share it).
                    if self.scheduler is None:
                        self.scheduler = Scheduler(
                            RateLimit(((err.tokens, err.window or 1.0),)), **self._sched_kw
                        )
                        logger.info(
                            "twenty_gql: server throttles at %d tokens per %.3fs; pacing to match",
                            err.tokens,
                            err.window or 1.0,
                        )
                    sched = self.scheduler
                if sched is not None:
                    if err.tokens and err.window:
                        sched.learn(err.tokens, err.window)
                    sched.drain(err.window)
            delay = self.retry.delay(
                err,
                attempt=attempt,
                throttle_attempt=throttle_attempt,
                throttle_waited=throttle_waited,
                idempotent=idempotent,
            )
            if delay is None:
                raise err
            if isinstance(err, ThrottledError):
                throttle_attempt += 1
                throttle_waited += delay
            else:
                attempt += 1
            self.stats["retries"] += 1
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "twenty_gql: %s %s failed (%s: %s); retrying in %.3fs",
                    endpoint,
                    name or "(anonymous)",
                    type(err).__name__,
                    err,
                    delay,
                )
            await self._sleep(delay)

    def _decode(
        self,
        response: Response,
        decode: Callable[[bytes], Any],
        name: str | None,
        url: str,
    ) -> Any:
        status = response.status
        body = response.body
        if status == 200:
            try:
                env = decode(body)
            except msgspec.ValidationError as exc:
                return self._raise_slow(response, name, url, f"unexpected response shape: {exc}")
            except msgspec.DecodeError as exc:
                return self._raise_slow(response, name, url, f"response is not JSON: {exc}")
            if env.errors is None:
                if env.data is None:
                    raise DecodeError(
                        f"response to {name or 'request'} has neither data nor errors",
                        self._scrub(body.decode("utf-8", "replace")),
                    )
                return env.data
            return self._raise_slow(response, name, url, None)
        return self._raise_slow(response, name, url, None)

    def _raise_slow(
        self, response: Response, name: str | None, url: str, problem: str | None
    ) -> Any:
        """Everything but a clean 200: decode generically and raise the right error."""
        status = response.status
        text = self._scrub(response.body.decode("utf-8", "replace"))
        retry_after = _retry_after(response.headers) if status != 200 else None
        try:
            doc = _json.decode_any(response.body)
        except msgspec.DecodeError:
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("errors"), list) and doc["errors"]:
            raise self._scrubbed(
                error_from_graphql(
                    doc["errors"],
                    doc.get("data"),
                    operation=name,
                    status=status,
                    retry_after=retry_after,
                )
            )
        if status == 429:
            raise error_from_graphql(
                [{"message": text[:300] or "HTTP 429 Too Many Requests"}],
                operation=name,
                status=429,
                retry_after=retry_after,
            )
        if 300 <= status < 400:
            where = _header(response.headers, "Location")
            text = self._scrub(
                f"redirect to {where!r} not followed (the API key is only sent to the "
                f"configured url; point the client at the final url): {text}"
            )
        if not 200 <= status < 300:
            raise HTTPStatusError(status, text, retry_after=retry_after, url=url)
        if problem is None:
            problem = "response has neither data nor errors"
        if text.lstrip().startswith("<"):
            problem = "response is HTML, not JSON (a proxy or login page?)"
        raise DecodeError(f"{problem} [{name or 'request'} to {url}]", text, status=status)

    def _scrubbed(self, err: E) -> E:
        """``err`` with the API key masked in its message and text attributes."""
        key = self._key
        if key in str(err.args) or key in repr(vars(err)):
            err.args = tuple(self._scrub(a) if isinstance(a, str) else a for a in err.args)
            for name, value in vars(err).items():
                if isinstance(value, str) and key in value:
                    setattr(err, name, self._scrub(value))
        return err


_RAW_DECODE = msgspec.json.Decoder(_json.Envelope[dict[str, Any]]).decode
