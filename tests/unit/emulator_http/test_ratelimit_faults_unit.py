"""Token buckets with a fake clock; rate-limit parsing; fault plans."""

from __future__ import annotations

import pytest

from twenty_gql.testing.faults import FaultPlan, Faults
from twenty_gql.testing.ratelimit import RateLimiter, parse_rate_limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_two_buckets_continuous_refill() -> None:
    clock = Clock()
    rl = RateLimiter(((10, 1000), (15, 60000)), clock=clock)
    assert [rl.take(1) for _ in range(10)] == [None] * 10
    assert rl.take(1) == "Limit reached (10 tokens per 1000 ms)"
    clock.now += 0.25  # 2.5 tokens back in the short bucket
    assert rl.take(2) is None
    assert rl.take(1) == "Limit reached (10 tokens per 1000 ms)"
    clock.now += 1.0  # short bucket full again; long bucket holds 15 - 12 + ~0.4
    assert rl.take(3) is None
    assert rl.take(1) == "Limit reached (15 tokens per 60000 ms)"


def test_request_needing_more_than_left_is_refused_whole() -> None:
    clock = Clock()
    rl = RateLimiter(((5, 1000),), clock=clock)
    assert rl.take(4) is None
    assert rl.take(3) is not None
    assert rl.take(1) is None  # the refused request consumed nothing
    assert rl.take(0) is None


def test_refund_gives_tokens_back_up_to_capacity() -> None:
    rl = RateLimiter(((3, 60000),), clock=Clock())
    assert rl.take(3) is None and rl.take(1) is not None
    rl.refund(2)
    assert rl.take(2) is None and rl.take(1) is not None
    rl.refund(50)  # never above capacity
    assert rl.take(3) is None and rl.take(1) is not None


def test_off_and_reconfigure() -> None:
    rl = RateLimiter(None)
    assert all(rl.take(50) is None for _ in range(100))
    rl.configure(((1, 60000),))
    assert rl.take(1) is None and rl.take(1) is not None


def test_parse_rate_limit() -> None:
    assert parse_rate_limit("100/1000,100/60000") == ((100, 1000), (100, 60000))
    assert parse_rate_limit(" 10/500 ") == ((10, 500),)
    assert parse_rate_limit("off") is None
    for bad in ("100", "a/b", "0/1000", "10/0", "10/-5", ""):
        with pytest.raises(ValueError, match="rate limit"):
            parse_rate_limit(bad)


def test_fault_plans_are_reproducible_and_validated() -> None:
    def plans(seed: int) -> list[tuple[int | None, bool, bool]]:
        f = Faults(fault_rate=0.2, drop_rate=0.2, drop_after_apply=True, seed=seed)
        return [(p.status, p.drop, p.apply_first) for p in (f.plan() for _ in range(200))]

    a, b = plans(1), plans(1)
    assert a == b and a != plans(2)
    statuses = [s for s, _d, _ap in a if s is not None]
    drops = [d for _s, d, ap in a if d and ap]
    assert set(statuses) == {502, 503} and 15 < len(statuses) < 70 and 10 < len(drops) < 70
    assert Faults().plan() == FaultPlan()
    for kwargs in (
        {"fault_rate": 1.5},
        {"drop_rate": -0.1},
        {"latency_ms": -1},
        {"fault_rate": True},
    ):
        with pytest.raises(ValueError):
            Faults(**kwargs)  # type: ignore[arg-type]
