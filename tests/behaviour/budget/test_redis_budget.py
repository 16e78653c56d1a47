"""RedisBudget against a real Redis server: shared buckets, reservations in arrival order,
learning shared between clients, batch limit, cancellation refunds, Redis down, key hygiene."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

# skipped (not failed) without redis-py: a run with only the core dependencies installed
aioredis = pytest.importorskip("redis.asyncio", reason="the redis extra is not installed")

from twenty_gql.budget import BudgetUnavailableError, SchedulerStats  # noqa: E402
from twenty_gql.client import TwentyClient  # noqa: E402
from twenty_gql.errors import ConfigurationError  # noqa: E402
from twenty_gql.redis_budget import RedisBudget, budget_key  # noqa: E402
from twenty_gql.scheduling import RateLimit  # noqa: E402
from twenty_gql.testing import TwentyEmulator  # noqa: E402
from twenty_gql.testing.redis_server import RedisServerProcess  # noqa: E402
from twenty_gql.testing.redis_server import free_port as _free_port  # noqa: E402

from .conftest import RedisServer  # noqa: E402

URL = "http://127.0.0.1:3000"


class Sleeps:
    """Records the waits asked for; sleeps for real only when ``real``."""

    def __init__(self, real: bool = False) -> None:
        self.real = real
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(seconds if self.real else 0)


def budget(
    server: RedisServer, namespace: str, buckets: Any = ((5, 1.0),), **kw: Any
) -> RedisBudget:
    kw.setdefault("latency", 0.0)  # exact token arithmetic unless a test asks for the margin
    return RedisBudget(
        server.url,
        namespace=namespace,
        rate_limit=RateLimit(tuple(buckets)),
        workspace_url=kw.pop("workspace_url", URL),
        **kw,
    )


def left(snap: SchedulerStats) -> list[float]:
    return [round(b.tokens_left, 1) for b in snap.buckets]


async def test_tokens_are_shared_by_two_budgets(redis_server: RedisServer, namespace: str) -> None:
    async with (
        budget(redis_server, namespace) as a,
        budget(redis_server, namespace) as b,
    ):
        for _ in range(3):
            await a.acquire()
        snap = await b.snapshot()
        assert snap.backend == "redis" and snap.key == a.key == b.key
        assert [(x.tokens, x.window, x.learned) for x in snap.buckets] == [(5, 1.0, False)]
        assert 2.0 <= snap.buckets[0].tokens_left < 2.5  # 3 of 5 taken (plus a little refill)
        await b.acquire(2)
        assert (await a.snapshot()).buckets[0].tokens_left < 0.5


async def test_waits_are_reservations_in_arrival_order(
    redis_server: RedisServer, namespace: str
) -> None:
    sleeps_a, sleeps_b = Sleeps(), Sleeps()
    async with (
        budget(redis_server, namespace, ((2, 1.0),), sleep=sleeps_a) as a,
        budget(redis_server, namespace, ((2, 1.0),), sleep=sleeps_b) as b,
    ):
        for i in range(6):  # 2 at once, then one every 0.5 s, alternating processes
            await (a if i % 2 == 0 else b).acquire()
        waits = [w for pair in zip(sleeps_a.calls, sleeps_b.calls, strict=True) for w in pair]
        assert len(waits) == 4  # the first two did not wait
        # each later caller is told the time of its own turn: 0.5, 1.0, 1.5, 2.0 s from now
        for got, turn in zip(waits, (0.5, 1.0, 1.5, 2.0), strict=True):
            assert turn - 0.1 < got <= turn
        assert a.waits == 2 and b.waits == 2
        assert (await a.snapshot()).waited == pytest.approx(sum(sleeps_a.calls))
        assert (await a.snapshot()).buckets[0].tokens_left < -1.5  # 4 tokens promised


async def test_reservations_beyond_max_wait_ask_again_later(
    redis_server: RedisServer, namespace: str
) -> None:
    sleeps = Sleeps(real=True)
    async with budget(redis_server, namespace, ((10, 0.5),), max_wait=0.2, sleep=sleeps) as b:
        await b.acquire(10)  # empty
        loop = asyncio.get_running_loop()
        start = loop.time()
        await b.acquire(5)  # needs 0.25 s: more than max_wait, so not reserved at first
        elapsed = loop.time() - start
        assert len(sleeps.calls) == 2  # "come back in ~0.05 s", then "your turn in ~0.2 s"
        assert sleeps.calls[0] < 0.06 and 0.15 < sleeps.calls[1] <= 0.2
        assert 0.22 < elapsed < 1.0


async def test_a_full_bucket_counts_the_latency_margin(
    redis_server: RedisServer, namespace: str
) -> None:
    """The server's bucket stops refilling at capacity while a request travels: taking from a
    full bucket counts ``latency`` seconds of refill as already spent (once, not per call)."""
    async with budget(redis_server, namespace, ((5, 1.0),), latency=0.2) as b:
        await b.acquire()
        assert 2.9 < (await b.snapshot()).buckets[0].tokens_left < 3.2  # 5 - 1 (margin) - 1
        await b.acquire()
        assert 1.9 < (await b.snapshot()).buckets[0].tokens_left < 2.2  # not below full: no margin
    with pytest.raises(ConfigurationError, match="latency"):
        RedisBudget(redis_server.url, latency=-1)


async def test_learning_and_draining_are_shared(redis_server: RedisServer, namespace: str) -> None:
    buckets = ((100, 1.0), (100, 60.0))
    async with (
        budget(redis_server, namespace, buckets) as a,
        budget(redis_server, namespace, buckets) as b,
    ):
        await a.acquire()
        await a.throttled(10, 0.5)  # "Limit reached (10 tokens per 500 ms)": the 1 s bucket
        snap = await b.snapshot()
        assert [(x.tokens, x.window, x.learned) for x in snap.buckets] == [
            (10, 0.5, True),
            (100, 60.0, False),
        ]
        assert snap.buckets[0].tokens_left < 0.5  # drained
        assert snap.buckets[1].tokens_left > 98.0  # untouched
        await b.throttled(None, None)  # no numbers: every bucket drained
        assert all(x.tokens_left < 0.5 for x in (await a.snapshot()).buckets)


async def test_batch_limit_is_shared_lowest_wins(redis_server: RedisServer, namespace: str) -> None:
    async with (
        budget(redis_server, namespace) as a,
        budget(redis_server, namespace) as b,
    ):
        await a.learn_batch_limit(20)
        await a.learn_batch_limit(40)  # a higher one does not replace it
        assert b.batch_limit is None
        await b.acquire()  # every answer carries it
        assert b.batch_limit == 20
        assert (await b.snapshot()).batch_limit == 20
        await a.learn_batch_limit(15)
        assert b.batch_limit == 20 and await b.get_batch_limit() == 15


async def test_a_cancelled_waiter_gives_its_turn_back(
    redis_server: RedisServer, namespace: str
) -> None:
    sleeping = asyncio.Event()

    async def sleep(seconds: float) -> None:
        sleeping.set()
        await asyncio.sleep(seconds)

    async with budget(redis_server, namespace, ((2, 10.0),), sleep=sleep) as b:
        await b.acquire(2)
        task = asyncio.create_task(b.acquire())  # reserves a token due in ~5 s
        await sleeping.wait()
        assert b.waiting == 1
        assert (await b.snapshot()).buckets[0].tokens_left < -0.9
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.gather(*b._tasks)  # the refund runs in the background
        assert -0.2 < (await b.snapshot()).buckets[0].tokens_left < 0.2
        assert b.waiting == 0


async def test_script_cache_flushed_falls_back_to_eval(
    redis_server: RedisServer, namespace: str
) -> None:
    async with budget(redis_server, namespace) as b:
        await b.acquire()
        r = aioredis.Redis.from_url(redis_server.url)
        try:
            await r.script_flush()
            await b.acquire()  # EVALSHA -> NOSCRIPT -> load and run again
            assert 2.5 < (await b.snapshot()).buckets[0].tokens_left < 3.5
        finally:
            await r.aclose()


async def test_key_is_hashed_and_expires(redis_server: RedisServer, namespace: str) -> None:
    assert budget_key(URL, "a") == budget_key(URL + "/", "a")
    assert budget_key(URL, "a") != budget_key(URL, "b") != budget_key("http://other", "b")
    async with budget(redis_server, namespace, ((5, 1.0), (50, 30.0))) as b:
        await b.acquire()
        r = aioredis.Redis.from_url(redis_server.url)
        try:
            ttl = await r.pttl(b.key)
        finally:
            await r.aclose()
        assert 60_000 <= ttl <= 61_000  # two of its longest windows (+1 s)
        assert namespace not in b.key and "127.0.0.1" not in b.key


async def test_redis_down_raises_typed_error_without_password() -> None:
    port = _free_port()  # nothing listens there
    b = RedisBudget(
        f"redis://:s3cret-pw@127.0.0.1:{port}/0", workspace_url=URL, on_unavailable="raise"
    )
    with pytest.raises(BudgetUnavailableError) as info:
        await b.acquire()
    assert f"127.0.0.1:{port}" in str(info.value)
    assert "s3cret-pw" not in str(info.value) and "s3cret-pw" not in repr(b)
    await b.aclose()


async def test_redis_down_paces_locally_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    port = _free_port()
    sleeps = Sleeps()
    b = RedisBudget(
        f"redis://127.0.0.1:{port}/0",
        workspace_url=URL,
        rate_limit=RateLimit(((2, 1.0),)),
        sleep=sleeps,
    )
    with caplog.at_level(logging.WARNING, logger="twenty_gql"):
        for _ in range(3):
            await b.acquire()
    assert len(sleeps.calls) >= 1  # the third one waited for the local bucket
    snap = b.cached_snapshot()
    assert snap is not None and snap.fallback and snap.backend == "redis"
    warnings = [r.getMessage() for r in caplog.records if "pacing in this process" in r.message]
    assert len(warnings) == 1 and f"127.0.0.1:{port}" in warnings[0]
    await b.aclose()


async def test_bad_configuration_is_a_typed_error(redis_server: RedisServer) -> None:
    with pytest.raises(ConfigurationError, match="namespace"):
        RedisBudget(redis_server.url, namespace="")
    with pytest.raises(ConfigurationError, match="max_wait"):
        RedisBudget(redis_server.url, max_wait=0)
    with pytest.raises(ConfigurationError, match="on_unavailable"):
        RedisBudget(redis_server.url, on_unavailable="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"redis\.asyncio\.Redis"):
        RedisBudget(42)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="rate_limit"):
        RedisBudget(redis_server.url, rate_limit=((5, 1.0),))  # type: ignore[arg-type]
    unbound = RedisBudget(redis_server.url)
    with pytest.raises(ConfigurationError, match="workspace url"):
        await unbound.acquire()
    unbound.bind(URL)
    with pytest.raises(ConfigurationError, match="another workspace"):
        unbound.bind("http://127.0.0.1:4000")
    await unbound.aclose()


async def _hammer(emu: TwentyEmulator, limits: list[Any], calls: int) -> None:
    clients = [TwentyClient(emu.url, emu.api_key, rate_limit=lim) for lim in limits]
    try:
        await asyncio.gather(
            *(
                clients[i % len(clients)].execute_raw(
                    "query { companies(first: 1) { totalCount } }"
                )
                for i in range(calls)
            )
        )
    finally:
        for c in clients:
            await c.aclose()


async def test_two_clients_share_one_budget_against_the_emulator(
    redis_server: RedisServer, namespace: str
) -> None:
    """Two clients mirroring the server's 5-per-second bucket: with one Redis budget the
    server never throttles; each with its own bucket, it does (and they retry)."""
    limit = RateLimit(((5, 1.0),))
    async with TwentyEmulator(seed="standard", rate_limit=((5, 1000),)) as emu:
        budgets = [RedisBudget(redis_server.url, namespace=namespace, rate_limit=limit)]
        budgets.append(RedisBudget(redis_server.url, namespace=namespace, rate_limit=limit))
        await _hammer(emu, list(budgets), 14)
        shared = emu.stats.throttled
        key = budgets[0].key
        r = aioredis.Redis.from_url(redis_server.url)
        try:
            stored = {k: v for k, v in (await r.hgetall(key)).items()}
            keys = [k async for k in r.scan_iter()]
        finally:
            await r.aclose()
        for b in budgets:
            await b.aclose()
        await asyncio.sleep(1.0)  # the server's bucket fills again
        before = emu.stats.throttled
        await _hammer(emu, [limit, limit], 14)
        independent = emu.stats.throttled - before
    assert shared == 0
    assert independent > 0
    # the API key is nowhere in Redis: not in a key name, not in a value
    blob = b" ".join(keys) + b" ".join(k + b"=" + v for k, v in stored.items())
    assert emu.api_key.encode() not in blob and b"127.0.0.1" not in blob


async def test_pacing_returns_to_redis_when_it_is_back(caplog: pytest.LogCaptureFixture) -> None:
    first = RedisServerProcess().start()
    port = first.port
    try:
        b = RedisBudget(
            first.url, workspace_url=URL, rate_limit=RateLimit(((100, 1.0),)), latency=0.0
        )
        await b.acquire()
        assert not (await b.snapshot()).fallback
        first.stop()
        with caplog.at_level(logging.WARNING, logger="twenty_gql"):
            await b.acquire()  # Redis gone: local pacing
            assert (await b.snapshot()).fallback
            second = RedisServerProcess(port=port).start()  # back, empty (no persistence)
            try:
                await asyncio.sleep(1.1)  # it is tried again at most once a second
                await b.acquire()
                snap = await b.snapshot()
                assert not snap.fallback
                assert 98.0 < snap.buckets[0].tokens_left < 100.0  # a fresh shared budget
            finally:
                await b.aclose()
                second.stop()
        messages = [r.getMessage() for r in caplog.records]
        assert any("pacing in this process" in m for m in messages)
        assert any("is back; sharing again" in m for m in messages)
    finally:
        first.stop()
