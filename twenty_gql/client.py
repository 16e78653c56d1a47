"""``TwentyClient``: sends prepared operations to a Twenty workspace (docs/CONTRACTS.md §1).

Per call: take tokens from the scheduler, pass the endpoint's circuit breaker, hold a
concurrency slot, POST the pre-encoded body prefix plus the msgspec-encoded variables, decode
the answer straight into the operation's result type, and map errors to
:mod:`twenty_gql.errors`. Failures go through :class:`~twenty_gql.scheduling.RetryPolicy`.
Nothing here parses or prints GraphQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Literal, TypeVar

import msgspec

from twenty_gql import _json
from twenty_gql._answers import decode_answer, scrubbed
from twenty_gql._config import ENDPOINTS, check_key, check_url, pos_int
from twenty_gql.budget import RateBudget
from twenty_gql.circuit import CircuitPolicy, CircuitState, EndpointCircuit
from twenty_gql.errors import (
    BatchLimitExceededError,
    ClientClosedError,
    ConfigurationError,
    DeadlineExceededError,
    ServiceUnavailableError,
    ThrottledError,
    TransportError,
    TwentyError,
)
from twenty_gql.observability import ClientEvent, ClientStats, emit
from twenty_gql.operation import Endpoint, Operation
from twenty_gql.scheduling import RateLimit, RetryPolicy, Scheduler
from twenty_gql.transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AiohttpTransport,
    Request,
    Transport,
)

__all__ = ["DEFAULT_CIRCUIT", "DEFAULT_CLOSE_TIMEOUT", "DEFAULT_RATE_LIMIT", "TwentyClient"]

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
logger = logging.getLogger("twenty_gql")

DEFAULT_RATE_LIMIT: Final = RateLimit()
DEFAULT_CIRCUIT: Final = CircuitPolicy()
#: seconds ``aclose()`` waits for calls in flight by default
DEFAULT_CLOSE_TIMEOUT: Final = 10.0
_MASK = "***"
_NO_DEADLINE = float("inf")


@dataclass(slots=True)
class _Call:
    """One call's state across its attempts."""

    endpoint: Literal["graphql", "metadata"]
    request: Request
    tokens: int
    idempotent: bool
    name: str | None
    decode: Callable[[bytes], Any]
    deadline: float  # on the client's clock; inf when none
    attempt: int = 0
    throttle_attempt: int = 0
    throttle_waited: float = 0.0
    sent: bool = False  # an attempt may have reached the server


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
    ``circuit`` is the per-endpoint circuit breaker (:class:`~twenty_gql.circuit.CircuitPolicy`;
    ``None``: off): once the server is unreachable, calls fail fast with
    ``ServiceUnavailableError``. ``on_event`` receives a
    :class:`~twenty_gql.observability.ClientEvent` per request, retry, throttling wait and
    circuit change; :meth:`stats` is a snapshot of the counters.
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
        rate_limit: RateLimit | RateBudget | None = DEFAULT_RATE_LIMIT,
        max_concurrency: int = 16,
        batch_size: int = 60,
        page_size_max: int = 200,
        transport: Transport | None = None,
        allow_insecure_http: bool = False,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        learn_rate_limit: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        circuit: CircuitPolicy | None = DEFAULT_CIRCUIT,
        on_event: Callable[[ClientEvent], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._closed = False
        self._key = check_key(api_key if api_key is not None else os.environ.get("TWENTY_API_KEY"))
        self.url = check_url(
            url if url is not None else os.environ.get("TWENTY_URL", ""), allow_insecure_http
        )
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ConfigurationError(f"timeout must be a number of seconds > 0, got {timeout!r}")
        self.max_concurrency = pos_int("max_concurrency", max_concurrency)
        self.batch_size = pos_int("batch_size", batch_size)
        self.page_size_max = pos_int("page_size_max", page_size_max)
        max_response_bytes = pos_int("max_response_bytes", max_response_bytes)
        if rate_limit is not None and not isinstance(rate_limit, (RateLimit, RateBudget)):
            raise ConfigurationError(
                "rate_limit must be a twenty_gql.RateLimit, a RateBudget (e.g. RedisBudget) or "
                f"None, got {rate_limit!r}"
            )
        if circuit is not None and not isinstance(circuit, CircuitPolicy):
            raise ConfigurationError(
                f"circuit must be a twenty_gql.CircuitPolicy or None, got {circuit!r}"
            )
        if on_event is not None and not callable(on_event):
            raise ConfigurationError(f"on_event must be callable, got {on_event!r}")
        self.retry = retry if retry is not None else RetryPolicy()
        if retry is None:
            self.retry.max_retries = pos_int("max_retries", max_retries, 0)
        self._sleep = sleep
        self._clock = clock if clock is not None else time.monotonic
        sched_kw: dict[str, Any] = {"sleep": sleep}
        if clock is not None:
            sched_kw["clock"] = clock
        self._sched_kw = sched_kw
        self._learn = bool(learn_rate_limit)
        self.scheduler: RateBudget | None
        if isinstance(rate_limit, RateBudget):
            rate_limit.bind(self.url)  # a shared budget keys on the workspace url
            self.scheduler = rate_limit
        else:
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
        self._urls = {ep: f"{self.url}/{ep}" for ep in ENDPOINTS}
        self._on_event = on_event
        self._circuits: dict[str, EndpointCircuit] = (
            {
                ep: EndpointCircuit(ep, circuit, clock=self._clock, on_change=self._circuit_changed)
                for ep in ENDPOINTS
            }
            if circuit is not None
            else {}
        )
        self._counts = {
            "requests": 0,
            "retries": 0,
            "throttled": 0,
            "paced": 0,
            "deadline_exceeded": 0,
        }
        self._active = 0
        self._idle: asyncio.Event | None = None
        self._closing = False

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

    async def aclose(self, timeout: float = DEFAULT_CLOSE_TIMEOUT) -> int:
        """Stop taking calls, wait up to ``timeout`` seconds for the calls in flight, then
        close the connection pool. Returns how many calls were still in flight: they fail
        with ``ClientClosedError`` (their request may have reached the server) and are
        logged. Idempotent; later calls raise ``ClientClosedError``."""
        if self._closed or self._closing:
            return 0
        self._closing = True
        left = self._active
        if left:
            self._idle = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._idle.wait(), max(0.0, timeout))
            left = self._active
            if left:
                logger.warning(
                    "twenty_gql: closing with %d call(s) still in flight after %.1fs; "
                    "their outcome is unknown",
                    left,
                    timeout,
                )
        self._closed = True
        close = getattr(self._transport, "aclose", None)
        if close is not None:
            await close()
        return left

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<TwentyClient url={self.url!r} api_key={_MASK!r}{state}>"

    # -- what the client learns and reports ------------------------------------------------------

    def learn_batch_limit(self, limit: int) -> None:
        """The server announced it takes at most ``limit`` records per call: later bulk writes
        send chunks of that size. The one place the learnt limit is kept (``batch_size``)."""
        if 0 < limit < self.batch_size:
            logger.info("twenty_gql: server batch limit is %d (was %d)", limit, self.batch_size)
            self.batch_size = limit

    def circuit_state(self, endpoint: Endpoint = "graphql") -> CircuitState:
        """The endpoint's circuit state (``closed`` when the breaker is off)."""
        circuit = self._circuits.get(endpoint)
        return circuit.state if circuit is not None else "closed"

    def stats(self) -> ClientStats:
        """A snapshot of the counters, circuit states and learnt limits."""
        c = self._counts
        sched = self.scheduler
        snap = sched.cached_snapshot() if sched is not None else None
        buckets = tuple((b.tokens, b.window) for b in snap.buckets) if snap else ()
        return ClientStats(
            requests=c["requests"],
            retries=c["retries"],
            throttled=c["throttled"],
            paced=sched.waits if sched is not None else 0,
            failed_fast=sum(x.fast_failures for x in self._circuits.values()),
            deadline_exceeded=c["deadline_exceeded"],
            in_flight=self._active,
            circuits={ep: x.state for ep, x in self._circuits.items()},
            circuit_opened={ep: x.opened_count for ep, x in self._circuits.items()},
            batch_size=self.batch_size,
            rate_limit=buckets,
            tokens_left=tuple(b.tokens_left for b in snap.buckets) if snap else None,
        )

    def _circuit_changed(
        self, endpoint: str, old: CircuitState, new: CircuitState, cause: BaseException | None
    ) -> None:
        if new == "open" and old == "closed":
            logger.warning(
                "twenty_gql: %s unreachable (%s); failing calls fast until it answers",
                endpoint,
                type(cause).__name__ if cause else "no answer",
            )
        elif new == "closed":
            logger.warning("twenty_gql: %s answers again; circuit closed", endpoint)
        else:
            logger.debug("twenty_gql: %s circuit %s -> %s", endpoint, old, new)
        emit(
            self._on_event,
            ClientEvent("circuit", endpoint, error=cause, state=new, previous=old),
        )

    # -- calls ------------------------------------------------------------------------------------

    async def execute(
        self,
        op: Operation[T],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
        deadline: float | None = None,
    ) -> T:
        """Run ``op`` and return its ``data`` decoded into ``op.result_type``. ``deadline``:
        seconds the whole call (pacing, retries, waits) may take, else
        ``DeadlineExceededError``."""
        prep = op._cache.get("twenty_gql.runtime") or _json.prepared(op)
        body = prep.prefix + (_json.dumps_variables(variables) if variables else b"{}") + b"}"
        call = _Call(
            op.endpoint,
            Request(self._urls[op.endpoint], self._headers, body),
            op.tokens,
            op.idempotent if idempotent is None else idempotent,
            op.name,
            prep.decode,
            self._deadline(deadline),
        )
        result: T = await self._run(call)
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
        deadline: float | None = None,
    ) -> dict[str, Any]:
        """Send any document; ``data`` comes back as plain dicts. ``tokens`` is the number of
        root fields (rate-limit cost) when more than one."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be 'graphql' or 'metadata', got {endpoint!r}")
        if not isinstance(document, str) or not document.strip():
            raise ValueError("document must be a non-empty GraphQL string")
        body = (
            _json.body_prefix(document, operation_name)
            + (_json.dumps_variables(variables) if variables else b"{}")
            + b"}"
        )
        call = _Call(
            endpoint,
            Request(self._urls[endpoint], self._headers, body),
            max(1, tokens),
            idempotent,
            operation_name,
            _RAW_DECODE,
            self._deadline(deadline),
        )
        data: Any = await self._run(call)
        return data if isinstance(data, dict) else {}

    def _deadline(self, seconds: float | None) -> float:
        if seconds is None:
            return _NO_DEADLINE
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not seconds > 0:
            raise ValueError(f"deadline must be a number of seconds > 0, got {seconds!r}")
        return self._clock() + float(seconds)

    async def _run(self, call: _Call) -> Any:
        if self._closed or self._closing:
            raise ClientClosedError("this TwentyClient is closed; create a new one")
        self._active += 1
        try:
            while True:
                ok, value = await self._attempt(call)
                if ok:
                    return value
                await self._wait_to_resend(call, value)
        finally:
            self._active -= 1
            if self._idle is not None and not self._active:
                self._idle.set()

    async def _attempt(self, call: _Call) -> tuple[bool, Any]:
        """One send: (True, data) or (False, the scrubbed error)."""
        sched = self.scheduler if call.endpoint == "graphql" else None
        if sched is not None:
            await self._within(call, self._acquire(sched, call))
            if sched.batch_limit is not None and sched.batch_limit < self.batch_size:
                self.batch_size = sched.batch_limit  # learned by another client of the budget
        circuit = self._circuits.get(call.endpoint)
        probe = (
            circuit is not None and circuit.state != "closed" and self._admit(circuit, sched, call)
        )
        sem = self._sem or self._new_semaphore()
        try:
            await sem.acquire()
        except asyncio.CancelledError:
            self._not_sent(sched, circuit, probe, call)
            raise
        started = time.perf_counter() if self._on_event is not None else 0.0
        err: TwentyError | None = None
        try:
            if self._closed:
                raise ClientClosedError("this TwentyClient was closed during the call")
            self._counts["requests"] += 1
            sent_before, call.sent = call.sent, True
            try:
                sending = self._transport.send(call.request)
                response = await (
                    sending if call.deadline == _NO_DEADLINE else self._within(call, sending)
                )
                return True, decode_answer(
                    response, call.decode, call.name, call.request.url, self._key
                )
            except DeadlineExceededError:
                raise
            except TwentyError as exc:
                err = self._failed(exc, call, sent_before)
                return False, err
        except BaseException:
            if circuit is not None:
                circuit.cancelled(probe)
                circuit = None
            raise
        finally:
            sem.release()
            if circuit is not None:
                circuit.record(err, probe)
            if self._on_event is not None:
                self._request_event(err, call, started)

    def _new_semaphore(self) -> asyncio.Semaphore:
        self._sem = asyncio.Semaphore(self.max_concurrency)
        return self._sem

    def _admit(
        self, circuit: EndpointCircuit | None, sched: RateBudget | None, call: _Call
    ) -> bool:
        """Pass the endpoint's circuit (True: this send is its probe) or raise
        ``ServiceUnavailableError`` (the tokens taken are given back: nothing is sent)."""
        if circuit is None or circuit.state == "closed":
            return False
        try:
            return circuit.admit(sent_before=call.sent)
        except ServiceUnavailableError:
            if sched is not None:
                sched.refund(call.tokens)
            raise

    @staticmethod
    def _not_sent(
        sched: RateBudget | None, circuit: EndpointCircuit | None, probe: bool, call: _Call
    ) -> None:
        """Cancelled while waiting for a slot: nothing was sent."""
        if sched is not None:
            sched.refund(call.tokens)
        if circuit is not None:
            circuit.cancelled(probe)

    def _failed(self, exc: TwentyError, call: _Call, sent_before: bool) -> TwentyError:
        if self._closed:  # aclose() gave up waiting and closed the pool under it
            raise ClientClosedError(
                f"{call.name or 'request'}: the client was closed during the call; "
                "whether the request reached the server is unknown"
            ) from None
        err = scrubbed(exc, self._key)
        if isinstance(err, TransportError) and not err.request_sent:
            call.sent = sent_before
        return err

    def _request_event(self, err: TwentyError | None, call: _Call, started: float) -> None:
        duration = time.perf_counter() - started
        emit(self._on_event, ClientEvent("request", call.endpoint, call.name, duration, error=err))

    async def _acquire(self, sched: RateBudget, call: _Call) -> None:
        if self._on_event is None:
            await sched.acquire(call.tokens)
            return
        before = self._clock()
        await sched.acquire(call.tokens)
        waited = self._clock() - before
        if waited > 0:
            emit(
                self._on_event,
                ClientEvent("throttle_wait", call.endpoint, call.name, duration=waited),
            )

    async def _within(self, call: _Call, aw: Awaitable[T]) -> T:
        """``await aw`` within the call's deadline (else ``DeadlineExceededError``)."""
        if call.deadline == _NO_DEADLINE:
            return await aw
        remaining = call.deadline - self._clock()
        try:
            if remaining <= 0:
                raise asyncio.TimeoutError
            return await asyncio.wait_for(aw, remaining)
        except asyncio.TimeoutError:
            if asyncio.iscoroutine(aw):
                aw.close()
            raise self._deadline_error(call) from None

    def _deadline_error(self, call: _Call) -> DeadlineExceededError:
        self._counts["deadline_exceeded"] += 1
        outcome = " (it may have reached the server)" if call.sent else " (nothing was sent)"
        return DeadlineExceededError(
            f"{call.name or 'request'}: the call's deadline passed{outcome}",
            request_sent=call.sent,
        )

    async def _wait_to_resend(self, call: _Call, err: TwentyError) -> None:
        """Learn from the failure, then sleep before the next attempt, or raise ``err``."""
        if isinstance(err, BatchLimitExceededError):
            self.learn_batch_limit(err.limit)
            if self.scheduler is not None:  # a shared budget tells the other processes
                await self.scheduler.learn_batch_limit(err.limit)
        if isinstance(err, ThrottledError):
            self._counts["throttled"] += 1
            await self._learn_throttle(err, call.endpoint == "graphql")
        delay = self.retry.delay(
            err,
            attempt=call.attempt,
            throttle_attempt=call.throttle_attempt,
            throttle_waited=call.throttle_waited,
            idempotent=call.idempotent,
        )
        if delay is None:
            raise err
        if call.deadline != _NO_DEADLINE and self._clock() + delay >= call.deadline:
            raise self._deadline_error(call) from err
        if isinstance(err, ThrottledError):
            call.throttle_attempt += 1
            call.throttle_waited += delay
        else:
            call.attempt += 1
        self._counts["retries"] += 1
        if self._on_event is not None:
            kind: Literal["throttle_wait", "retry"]
            for kind in (
                ("throttle_wait", "retry") if isinstance(err, ThrottledError) else ("retry",)
            ):
                attempt = call.attempt + call.throttle_attempt
                emit(
                    self._on_event,
                    ClientEvent(kind, call.endpoint, call.name, delay, attempt, err),
                )
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "twenty_gql: %s %s failed (%s: %s); retrying in %.3fs",
                call.endpoint,
                call.name or "(anonymous)",
                type(err).__name__,
                err,
                delay,
            )
        await self._sleep(delay)

    async def _learn_throttle(self, err: ThrottledError, graphql: bool) -> None:
        sched = self.scheduler if graphql else None
        if sched is None and self._learn and graphql and err.tokens:
            # No client-side pacing was configured, but the server announced its bucket:
            # mirror it from now on (all tasks of this client share it).
            self.scheduler = sched = Scheduler(
                RateLimit(((err.tokens, err.window or 1.0),)), **self._sched_kw
            )
            logger.info(
                "twenty_gql: server throttles at %d tokens per %.3fs; pacing to match",
                err.tokens,
                err.window or 1.0,
            )
        if sched is not None:
            await sched.throttled(err.tokens, err.window)


_RAW_DECODE = msgspec.json.Decoder(_json.Envelope[dict[str, Any]]).decode
