"""Outages: the per-endpoint circuit breaker, call deadlines, bounded aclose(), events, stats()."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp.web
import pytest

from twenty_gql import (
    CircuitPolicy,
    ClientClosedError,
    ClientEvent,
    ConnectError,
    DeadlineExceededError,
    MockTransport,
    Operation,
    Request,
    Response,
    ServiceUnavailableError,
    TwentyClient,
)

KEY = "outage-test-key-0123456789"
OK = Response(200, b'{"data": {"n": 1}}')
PING: Operation[dict[str, Any]] = Operation(
    name="Ping",
    document="query Ping { n }",
    endpoint="graphql",
    kind="query",
    root_fields=("n",),
    result_type=dict,
    idempotent=True,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Server:
    """A handler whose health the test flips: down -> ConnectError, up -> an answer."""

    def __init__(self) -> None:
        self.up = False
        self.seen = 0

    def __call__(self, request: Request) -> Response:
        self.seen += 1
        if not self.up:
            raise ConnectError("connection refused")
        return OK


def client_for(server: Server, clock: Clock, **kw: Any) -> TwentyClient:
    return TwentyClient(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport(server),
        rate_limit=None,
        max_retries=0,
        clock=clock,
        **kw,
    )


async def test_the_circuit_opens_fails_fast_and_closes_after_a_probe() -> None:
    server, clock, events = Server(), Clock(), []
    client = client_for(
        server, clock, circuit=CircuitPolicy(failures=3, probe_base=2.0), on_event=events.append
    )
    for _ in range(3):
        with pytest.raises(ConnectError):
            await client.execute(PING)
    assert client.circuit_state() == "open" and server.seen == 3
    for _ in range(100):  # nothing reaches the transport while the circuit is open
        with pytest.raises(ServiceUnavailableError) as info:
            await client.execute(PING)
    assert server.seen == 3
    err = info.value
    assert err.endpoint == "graphql" and isinstance(err.last_cause, ConnectError)
    assert err.request_sent is False and err.retry_in == pytest.approx(2.0)
    assert KEY not in str(err) and "not sent" in str(err)
    assert client.circuit_state("metadata") == "closed"  # per endpoint

    clock.now += 2.0  # the probe is due; the server is still down: open again, longer wait
    with pytest.raises(ConnectError):
        await client.execute(PING)
    assert client.circuit_state() == "open" and server.seen == 4
    with pytest.raises(ServiceUnavailableError) as info:
        await client.execute(PING)
    assert info.value.retry_in == pytest.approx(4.0)

    server.up = True
    clock.now += 4.0
    assert await client.execute(PING) == {"n": 1}  # the probe succeeds: closed again
    assert client.circuit_state() == "closed"
    assert await client.execute(PING) == {"n": 1}
    changes = [(e.previous, e.state) for e in events if e.kind == "circuit"]
    assert changes == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "open"),
        ("open", "half_open"),
        ("half_open", "closed"),
    ]
    stats = client.stats()
    assert stats.failed_fast == 101 and stats.circuit_opened == {"graphql": 1, "metadata": 0}
    assert stats.circuits == {"graphql": "closed", "metadata": "closed"}
    assert stats.requests == 6
    await client.aclose()


async def test_only_one_probe_at_a_time() -> None:
    clock = Clock()
    release = asyncio.Event()
    seen = 0

    async def slow_recovery(request: Request) -> Response:
        nonlocal seen
        seen += 1
        if seen <= 2:
            raise ConnectError("refused")
        await release.wait()
        return OK

    client = TwentyClient(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport(slow_recovery),
        rate_limit=None,
        max_retries=0,
        clock=clock,
        circuit=CircuitPolicy(failures=2, probe_base=1.0),
    )
    for _ in range(2):
        with pytest.raises(ConnectError):
            await client.execute(PING)
    clock.now += 1.0
    probe = asyncio.ensure_future(client.execute(PING))
    await asyncio.sleep(0)
    assert client.circuit_state() == "half_open"
    with pytest.raises(ServiceUnavailableError):
        await client.execute(PING)  # the probe is in flight: others still fail fast
    release.set()
    assert await probe == {"n": 1}
    assert client.circuit_state() == "closed" and seen == 3
    await client.aclose()


async def test_answers_with_errors_keep_the_circuit_closed() -> None:
    answers = [
        Response(200, b'{"errors": [{"message": "nope", "extensions": {"code": "NOT_FOUND"}}]}'),
        Response(400, b"bad request"),
    ] * 5
    client = TwentyClient(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport(answers),
        rate_limit=None,
        max_retries=0,
        circuit=CircuitPolicy(failures=2),
    )
    for _ in range(10):
        with pytest.raises(Exception, match=r"nope|HTTP 400"):
            await client.execute(PING)
    assert client.circuit_state() == "closed"
    await client.aclose()


async def test_a_silent_window_opens_the_circuit_before_the_failure_count() -> None:
    server, clock = Server(), Clock()
    client = client_for(server, clock, circuit=CircuitPolicy(failures=100, silence=5.0))
    with pytest.raises(ConnectError):
        await client.execute(PING)
    clock.now += 5.0  # no answer for 5 s and failing: open
    with pytest.raises(ConnectError):
        await client.execute(PING)
    assert client.circuit_state() == "open"
    await client.aclose()


async def test_a_retried_call_blocked_by_the_circuit_says_it_may_have_been_sent() -> None:
    from twenty_gql import TransportTimeoutError

    def dropped(request: Request) -> Response:
        raise TransportTimeoutError("no answer in time (the request was written)")

    client = TwentyClient(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport(dropped),
        rate_limit=None,
        max_retries=3,
        circuit=CircuitPolicy(failures=2, probe_base=60.0),
        sleep=lambda s: asyncio.sleep(0),
    )
    with pytest.raises(ServiceUnavailableError) as info:
        await client.execute(PING)  # idempotent: resent until the circuit refuses
    assert info.value.request_sent is True
    await client.aclose()


def test_circuit_policy_is_validated() -> None:
    with pytest.raises(ValueError, match="failures"):
        CircuitPolicy(failures=0)
    with pytest.raises(ValueError, match="probe_base"):
        CircuitPolicy(probe_base=-1)
    with pytest.raises(Exception, match="circuit must be"):
        TwentyClient("http://127.0.0.1:1", KEY, circuit=5)  # type: ignore[arg-type]


async def test_circuit_none_turns_the_breaker_off() -> None:
    server, clock = Server(), Clock()
    client = client_for(server, clock, circuit=None)
    for _ in range(20):
        with pytest.raises(ConnectError):
            await client.execute(PING)
    assert server.seen == 20 and client.circuit_state() == "closed"
    await client.aclose()


# -- deadlines ----------------------------------------------------------------------------------


async def test_a_call_deadline_cuts_a_slow_answer() -> None:
    async def slow(request: Request) -> Response:
        await asyncio.sleep(5)
        return OK

    client = TwentyClient("http://127.0.0.1:1", KEY, transport=MockTransport(slow), rate_limit=None)
    with pytest.raises(DeadlineExceededError) as info:
        await client.execute(PING, deadline=0.05)
    assert info.value.request_sent is True and isinstance(info.value, TimeoutError)
    assert client.stats().deadline_exceeded == 1
    await client.aclose()


async def test_a_deadline_shorter_than_the_retry_wait_fails_at_once() -> None:
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    client = TwentyClient(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport([ConnectError("refused")] * 3),
        rate_limit=None,
        sleep=sleep,
    )
    client.retry.base = client.retry.cap = 100.0
    client.retry.random = lambda: 1.0
    with pytest.raises(DeadlineExceededError) as info:
        await client.execute(PING, deadline=1.0)
    assert info.value.request_sent is False and slept == []
    assert isinstance(info.value.__cause__, ConnectError)
    with pytest.raises(ValueError, match="deadline"):
        await client.execute(PING, deadline=0)
    await client.aclose()


# -- aclose ---------------------------------------------------------------------------------------


async def _slow_server(delay: float) -> tuple[aiohttp.web.AppRunner, str]:
    async def handler(request: aiohttp.web.Request) -> aiohttp.web.Response:
        await asyncio.sleep(delay)
        return aiohttp.web.json_response({"data": {"n": 1}})

    app = aiohttp.web.Application()
    app.router.add_post("/graphql", handler)
    runner = aiohttp.web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def test_aclose_waits_for_calls_in_flight() -> None:
    runner, url = await _slow_server(0.2)
    try:
        client = TwentyClient(url, KEY, rate_limit=None)
        call = asyncio.ensure_future(client.execute(PING))
        await asyncio.sleep(0.05)
        assert client.stats().in_flight == 1
        assert await client.aclose(timeout=5.0) == 0
        assert await call == {"n": 1}
        with pytest.raises(ClientClosedError):
            await client.execute(PING)
    finally:
        await runner.cleanup()


async def test_aclose_gives_up_after_its_timeout_and_reports_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runner, url = await _slow_server(30)
    try:
        client = TwentyClient(url, KEY, rate_limit=None)
        calls = [asyncio.ensure_future(client.execute(PING)) for _ in range(3)]
        await asyncio.sleep(0.05)
        with caplog.at_level(logging.WARNING, logger="twenty_gql"):
            assert await client.aclose(timeout=0.1) == 3
        assert "3 call(s) still in flight" in caplog.text and KEY not in caplog.text
        for call in calls:
            with pytest.raises(ClientClosedError, match="unknown"):
                await call
    finally:
        await runner.cleanup()


# -- events and stats -----------------------------------------------------------------------------


async def test_events_cover_requests_retries_and_throttle_waits() -> None:
    throttled = Response(
        200,
        b'{"errors": [{"message": "Limit reached (100 tokens per 1000 ms)",'
        b' "extensions": {"code": "RATE_LIMITED"}}]}',
    )
    events: list[ClientEvent] = []

    async def no_sleep(s: float) -> None:
        return None

    def broken(event: ClientEvent) -> None:
        events.append(event)
        raise RuntimeError("a broken exporter never breaks a call")

    client = TwentyClient(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport([ConnectError("refused"), throttled, OK]),
        rate_limit=None,
        learn_rate_limit=False,
        on_event=broken,
        sleep=no_sleep,
    )
    assert await client.execute(PING) == {"n": 1}
    kinds = [e.kind for e in events]
    assert kinds == ["request", "retry", "request", "throttle_wait", "retry", "request"]
    assert isinstance(events[0].error, ConnectError) and events[-1].error is None
    assert events[3].duration > 0 and events[4].attempt == 2
    stats = client.stats()
    assert (stats.requests, stats.retries, stats.throttled) == (3, 2, 1)
    assert stats.batch_size == 60 and stats.rate_limit == () and stats.tokens_left is None
    await client.aclose()


async def test_stats_report_the_learnt_limits() -> None:
    client = TwentyClient("http://127.0.0.1:1", KEY, transport=MockTransport([]))
    client.learn_batch_limit(25)
    client.learn_batch_limit(40)  # never raised again
    stats = client.stats()
    assert stats.batch_size == 25
    assert stats.rate_limit == ((100.0, 1.0), (100.0, 60.0))
    await client.aclose()


async def test_stats_take_tokens_left_from_the_budget_snapshot() -> None:
    from twenty_gql.budget import RateBudget
    from twenty_gql.client import TwentyClient as Client
    from twenty_gql.scheduling import RateLimit

    now = [0.0]
    client = Client(
        "http://127.0.0.1:1",
        KEY,
        transport=MockTransport([]),
        rate_limit=RateLimit(((100, 1.0), (300, 60.0))),
        clock=lambda: now[0],
    )
    assert client.scheduler is not None
    await client.scheduler.acquire(40)
    stats = client.stats()
    assert stats.rate_limit == ((100, 1.0), (300, 60.0))
    assert stats.tokens_left == (60.0, 260.0)

    class Remote(RateBudget):  # a budget that knows nothing without a round trip
        async def acquire(self, tokens: int = 1) -> None:
            return None

        def refund(self, tokens: int) -> None:
            return None

        async def throttled(self, tokens: int | None, window: float | None) -> None:
            return None

        async def learn_batch_limit(self, limit: int) -> None:
            return None

    client.scheduler = Remote()
    stats = client.stats()
    assert stats.tokens_left is None and stats.rate_limit == ()
    await client.aclose()
