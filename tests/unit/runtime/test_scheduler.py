"""Twenty's token buckets, driven by an injected clock (no real waiting)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twenty_gql import MockTransport, Operation, RateLimit, Response, TwentyClient
from twenty_gql.budget import RateBudget
from twenty_gql.errors import BatchLimitExceededError, ConfigurationError
from twenty_gql.scheduling import Scheduler


class Clock:
    """A fake monotonic clock; ``sleep`` advances it instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def sched(clock: Clock, buckets: tuple[tuple[int, float], ...]) -> Scheduler:
    return Scheduler(RateLimit(buckets), clock=clock, sleep=clock.sleep)


async def test_a_full_bucket_serves_its_capacity_without_waiting() -> None:
    clock = Clock()
    s = sched(clock, ((100, 1.0),))
    for _ in range(100):
        await s.acquire(1)
    assert clock.sleeps == []


async def test_an_empty_bucket_waits_for_continuous_refill() -> None:
    clock = Clock()
    s = sched(clock, ((100, 1.0),))
    for _ in range(100):
        await s.acquire(1)
    await s.acquire(1)
    assert clock.sleeps == pytest.approx([0.01])  # one token per 10 ms
    await s.acquire(3)
    assert clock.sleeps[-1] == pytest.approx(0.03)


async def test_both_buckets_must_have_room_the_long_one_binds() -> None:
    clock = Clock()
    s = sched(clock, ((100, 1.0), (100, 60.0)))
    for _ in range(100):
        await s.acquire(1)
    clock.now += 5.0  # the short bucket is full again, the long one has ~8 tokens
    for _ in range(8):
        await s.acquire(1)
    assert clock.sleeps == []
    await s.acquire(1)
    assert sum(clock.sleeps) == pytest.approx(0.6 - (5.0 - 8 * 0.6), abs=1e-6)


async def test_a_multi_field_operation_costs_one_token_per_root_field() -> None:
    clock = Clock()
    s = sched(clock, ((10, 1.0),))
    await s.acquire(10)
    await s.acquire(5)
    assert sum(clock.sleeps) == pytest.approx(0.5)


async def test_rate_over_time_never_exceeds_the_bucket() -> None:
    clock = Clock()
    s = sched(clock, ((100, 2.0),))
    start = clock.now
    stamps = []
    for _ in range(300):
        await s.acquire(1)
        stamps.append(clock.now)
    # 100 at once, then 50 per second: 300 tokens take 4 s
    assert clock.now - start == pytest.approx(4.0, rel=1e-6)
    for t in stamps:  # any 2 s window holds at most 100 + refill during it
        in_window = sum(1 for u in stamps if t <= u < t + 2.0)
        assert in_window <= 201


async def test_waiters_are_served_in_arrival_order() -> None:
    clock = Clock()
    s = sched(clock, ((1, 1.0),))
    await s.acquire(1)
    order: list[int] = []

    async def take(i: int) -> None:
        await s.acquire(1)
        order.append(i)

    await asyncio.gather(*(take(i) for i in range(5)))
    assert order == [0, 1, 2, 3, 4]
    assert clock.now == pytest.approx(1005.0)


def test_learn_adopts_the_servers_numbers_for_the_nearest_window() -> None:
    clock = Clock()
    s = sched(clock, ((100, 1.0), (100, 60.0)))
    s.learn(50, 2.0)
    assert [(b.capacity, b.window) for b in s.buckets] == [(50, 2.0), (100, 60.0)]
    s.learn(1000, 3600.0)
    assert [(b.capacity, b.window) for b in s.buckets] == [(50, 2.0), (1000, 3600.0)]


async def test_drain_makes_the_next_caller_wait() -> None:
    clock = Clock()
    s = sched(clock, ((100, 1.0),))
    s.drain(1.0)
    await s.acquire(1)
    assert clock.sleeps == pytest.approx([0.01])


@pytest.mark.parametrize(
    "bad", [(), ((0, 1.0),), ((10, 0),), ((10, -1.0),), ((1.5, 1.0),), ((10,),)]
)
def test_rate_limit_rejects_bad_buckets(bad: Any) -> None:
    with pytest.raises(ValueError, match="bucket"):
        RateLimit(bad)


async def test_the_client_shares_one_scheduler_across_tasks_and_learns_from_throttling() -> None:
    clock = Clock()
    throttle = {
        "errors": [
            {
                "message": "Limit reached (5 tokens per 1000 ms)",
                "extensions": {"code": "BAD_USER_INPUT", "subCode": "LIMIT_REACHED"},
            }
        ]
    }
    answers: list[Any] = [Response.json({"data": {"x": 1}})] * 3 + [Response.json(throttle)]
    answers += [Response.json({"data": {"x": 1}})] * 20
    op: Operation[Any] = Operation(
        name="Q", document="query Q { x }", endpoint="graphql", kind="query",
        root_fields=("x",), result_type=dict, idempotent=True,
    )  # fmt: skip
    async with TwentyClient(
        "https://t.example",
        "key-123456",
        transport=MockTransport(answers),
        rate_limit=RateLimit(((100, 1.0),)),
        clock=clock,
        sleep=clock.sleep,
    ) as c:
        assert c.scheduler is not None
        start = clock.now
        for _ in range(4):
            await c.execute(op)
        assert [(b.capacity, b.window) for b in c.scheduler.buckets] == [(5.0, 1.0)]
        await asyncio.gather(*(c.execute(op) for _ in range(10)))
        # after the drain (at `start`: the first calls took no time), the resend and the 10
        # calls need 11 tokens at 5 per second
        assert clock.now - start >= 2.2 - 1e-6
        assert c.stats().throttled == 1


async def test_without_a_rate_limit_the_client_adopts_the_bucket_the_server_announces() -> None:
    clock = Clock()
    throttle = {
        "errors": [
            {
                "message": "Limit reached (10 tokens per 2000 ms)",
                "extensions": {"code": "RATE_LIMITED"},
            }
        ]
    }
    ok = Response.json({"data": {"x": 1}})
    op: Operation[Any] = Operation(
        name="Q", document="query Q { x }", endpoint="graphql", kind="query",
        root_fields=("x",), result_type=dict, idempotent=True,
    )  # fmt: skip
    async with TwentyClient(
        "https://t.example",
        "key-123456",
        transport=MockTransport([ok, Response.json(throttle)] + [ok] * 5),
        rate_limit=None,
        clock=clock,
        sleep=clock.sleep,
    ) as c:
        await c.execute(op)
        assert c.scheduler is None
        start = clock.now
        for _ in range(5):
            await c.execute(op)
        assert c.scheduler is not None
        assert [(b.capacity, b.window) for b in c.scheduler.buckets] == [(10.0, 2.0)]
        # drained at the refusal: the resend and 4 more calls need 5 tokens at 5 per second
        assert clock.now - start >= 1.0 - 1e-6


@settings(max_examples=60, deadline=None)
@given(
    tokens=st.integers(1, 50),
    window=st.floats(0.1, 10.0),
    costs=st.lists(st.integers(1, 5), min_size=1, max_size=80),
    gaps=st.lists(st.floats(0.0, 0.5), min_size=80, max_size=80),
)
def test_no_window_ever_admits_more_than_the_bucket_allows(
    tokens: int, window: float, costs: list[int], gaps: list[float]
) -> None:
    """Over any window of length w, admitted tokens <= capacity + refill during w."""
    clock = Clock()
    s = sched(clock, ((tokens, window),))
    admitted: list[tuple[float, int]] = []

    async def drive() -> None:
        for cost, gap in zip(costs, gaps, strict=False):
            clock.now += gap
            await s.acquire(cost)
            admitted.append((clock.now, min(cost, tokens)))

    asyncio.run(drive())
    rate = tokens / window
    for i, (t0, _) in enumerate(admitted):
        for t1, _ in admitted[i:]:
            used = sum(c for t, c in admitted if t0 <= t <= t1)
            assert used <= tokens + rate * (t1 - t0) + 1e-6


async def test_a_cancelled_waiter_does_not_block_the_others() -> None:
    clock = Clock()
    s = sched(clock, ((1, 1.0),))
    await s.acquire(1)
    gate = asyncio.Event()

    async def slow_sleep(seconds: float) -> None:
        await gate.wait()
        clock.now += seconds

    s.sleep = slow_sleep
    first = asyncio.create_task(s.acquire(1))
    await asyncio.sleep(0)
    second = asyncio.create_task(s.acquire(1))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    await asyncio.wait_for(second, 1.0)
    assert first.cancelled() and s._waiting == 0


async def test_snapshot_reports_tokens_left_learned_numbers_and_batch_limit() -> None:
    clock = Clock()
    s = sched(clock, ((100, 1.0), (100, 60.0)))
    for _ in range(30):
        await s.acquire(1)
    snap = s.snapshot()
    assert snap.backend == "local" and snap.key is None and not snap.fallback
    assert [(b.tokens, b.window, b.tokens_left, b.learned) for b in snap.buckets] == [
        (100, 1.0, 70.0, False),
        (100, 60.0, 70.0, False),
    ]
    clock.now += 0.1  # snapshot refills to now: +10 in the short bucket, +1/6 in the long one
    await s.throttled(50, 2.0)  # nearest window: the 1 s bucket; drained
    await s.learn_batch_limit(40)
    await s.learn_batch_limit(50)  # a higher one does not replace it
    snap = s.snapshot()
    assert [(b.tokens, b.window, b.learned) for b in snap.buckets] == [
        (50, 2.0, True),
        (100, 60.0, False),
    ]
    assert snap.buckets[0].tokens_left == 0.0
    assert snap.buckets[1].tokens_left == pytest.approx(70.0 + 100 / 60 * 0.1)
    assert snap.batch_limit == 40 and snap.waits == 0 and snap.waiting == 0
    assert await s.get_batch_limit() == 40
    await s.acquire(1)  # the drained bucket makes it wait
    assert s.snapshot().waits == 1
    assert s.snapshot().waited == pytest.approx(sum(clock.sleeps)) and clock.sleeps


class RecordingBudget(RateBudget):
    """A RateBudget that only records what the client asks of it."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.bound: list[str] = []

    def bind(self, url: str) -> None:
        self.bound.append(url)

    async def acquire(self, tokens: int = 1) -> None:
        self.calls.append(("acquire", tokens))

    def refund(self, tokens: int) -> None:
        self.calls.append(("refund", tokens))

    async def throttled(self, tokens: int | None, window: float | None) -> None:
        self.calls.append(("throttled", tokens, window))

    async def learn_batch_limit(self, limit: int) -> None:
        self.calls.append(("batch", limit))
        self.batch_limit = limit


async def test_the_client_draws_from_any_rate_budget_backend() -> None:
    clock = Clock()
    throttle = {
        "errors": [
            {
                "message": "Limit reached (5 tokens per 1000 ms)",
                "extensions": {"code": "BAD_USER_INPUT", "subCode": "LIMIT_REACHED"},
            }
        ]
    }
    batch = {
        "errors": [
            {
                "message": "Maximum number of records to upsert is 20.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }
    ok = Response.json({"data": {"x": 1}})
    op: Operation[Any] = Operation(
        name="Q", document="query Q { x { a } y { a } }", endpoint="graphql", kind="query",
        root_fields=("x", "y"), result_type=dict, idempotent=True,
    )  # fmt: skip
    budget = RecordingBudget()
    async with TwentyClient(
        "https://t.example/",
        "key-123456",
        transport=MockTransport([ok, Response.json(throttle), ok, Response.json(batch)]),
        rate_limit=budget,
        clock=clock,
        sleep=clock.sleep,
    ) as c:
        assert c.scheduler is budget and budget.bound == ["https://t.example"]
        await c.execute(op)
        await c.execute(op)  # throttled, then resent
        with pytest.raises(BatchLimitExceededError):
            await c.execute(op, idempotent=False)
        assert budget.calls == [
            ("acquire", 2),
            ("acquire", 2),
            ("throttled", 5, 1.0),
            ("acquire", 2),
            ("acquire", 2),
            ("batch", 20),
        ]
        assert c.batch_size == 20
    other = RecordingBudget()
    other.batch_limit = 25  # learned by another client sharing the budget
    async with TwentyClient(
        "https://t.example", "key-123456", transport=MockTransport([ok]), rate_limit=other
    ) as c2:
        await c2.execute(op)
        assert c2.batch_size == 25  # adopted with the next token


def test_rate_limit_must_be_a_rate_limit_or_a_budget() -> None:
    with pytest.raises(ConfigurationError, match="RateBudget"):
        TwentyClient("https://t.example", "key-123456", rate_limit=((5, 1.0),))  # type: ignore[arg-type]
