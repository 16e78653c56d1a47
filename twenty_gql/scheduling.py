"""Client-side pacing and the retry policy.

* :class:`RateLimit` - the rate limit to mirror: token buckets as ``(tokens, window_seconds)``
  pairs. The default is Twenty's: 100 per 1 s and 100 per 60 s, per workspace, one token per
  root field, continuous refill.
* :class:`Scheduler` - the buckets shared by every task of one client (FIFO: a task never
  overtakes one that started waiting before it). It learns the server's numbers from
  "Limit reached (T tokens per W ms)" and drains when the server says it throttled us. It is
  the in-process :class:`~twenty_gql.budget.RateBudget`; ``snapshot()`` describes it.
* :class:`RetryPolicy` - whether and when to resend after a failure: capped exponential
  backoff with full jitter; ``Retry-After`` honoured; throttling waits per the server's window;
  a request that may have reached the server is resent only when it is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from twenty_gql.budget import BucketStats, RateBudget, SchedulerStats
from twenty_gql.errors import (
    HTTPStatusError,
    ThrottledError,
    TransportError,
)

__all__ = ["RateLimit", "RetryPolicy", "Scheduler", "TokenBucket"]

logger = logging.getLogger("twenty_gql")


@dataclass(frozen=True)
class RateLimit:
    """Token buckets to mirror, as ``(tokens, window_seconds)``; every bucket must have room.

    ``RateLimit()`` is Twenty's default (100/1 s and 100/60 s). ``RateLimit(((100, 2.0),))`` is
    one bucket of 100 tokens per 2 s.
    """

    buckets: tuple[tuple[int, float], ...] = ((100, 1.0), (100, 60.0))

    def __post_init__(self) -> None:
        if not self.buckets:
            raise ValueError("RateLimit needs at least one (tokens, window_seconds) bucket")
        for b in self.buckets:
            if (
                not isinstance(b, tuple)
                or len(b) != 2
                or not isinstance(b[0], int)
                or isinstance(b[0], bool)
                or b[0] < 1
                or not isinstance(b[1], (int, float))
                or not math.isfinite(b[1])
                or b[1] <= 0
            ):
                raise ValueError(
                    f"RateLimit bucket {b!r} must be (tokens: int >= 1, window_seconds: float > 0)"
                )


class TokenBucket:
    """Capacity ``tokens``, refilled continuously at ``tokens / window`` per second."""

    __slots__ = ("capacity", "learned", "level", "rate", "stamp", "window")

    def __init__(self, tokens: int, window: float, now: float) -> None:
        self.capacity = float(tokens)
        self.window = float(window)
        self.rate = tokens / window
        self.level = float(tokens)
        self.stamp = now
        self.learned = False

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
            self.stamp = now

    def wait_for(self, n: float) -> float:
        """Seconds until ``n`` tokens are available (after :meth:`refill`)."""
        n = min(n, self.capacity)
        return 0.0 if self.level >= n - 1e-9 else (n - self.level) / self.rate

    def resize(self, tokens: int, window: float) -> None:
        self.capacity = float(tokens)
        self.window = float(window)
        self.rate = tokens / window
        self.level = min(self.level, self.capacity)


class Scheduler(RateBudget):
    """Token buckets plus FIFO waiting, shared by all tasks of one client (in this process).

    ``clock`` and ``sleep`` are injectable (tests drive them by hand).
    """

    def __init__(
        self,
        rate_limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        now = clock()
        self.buckets = [TokenBucket(t, w, now) for t, w in rate_limit.buckets]
        self._waiting = 0
        self._lock: asyncio.Lock | None = None
        self.waits = 0  # how many acquisitions had to wait (for stats)
        self.waited = 0.0  # seconds they waited in total
        self.batch_limit: int | None = None

    def _try(self, n: float) -> float:
        now = self.clock()
        wait = 0.0
        for b in self.buckets:
            b.refill(now)
            wait = max(wait, b.wait_for(n))
        if wait <= 0.0:
            for b in self.buckets:
                b.level -= min(n, b.capacity)
        return wait

    async def acquire(self, tokens: int = 1) -> None:
        """Take ``tokens`` from every bucket, waiting (FIFO) until they are there."""
        if self._waiting == 0 and self._try(tokens) <= 0.0:
            return
        lock = self._lock
        if lock is None:
            lock = self._lock = asyncio.Lock()
        self._waiting += 1
        self.waits += 1
        try:
            async with lock:
                while True:
                    wait = self._try(tokens)
                    if wait <= 0.0:
                        return
                    if logger.isEnabledFor(logging.DEBUG):
                        logger.debug("twenty_gql: rate limit: waiting %.3fs for a token", wait)
                    self.waited += wait
                    await self.sleep(wait)
        finally:
            self._waiting -= 1

    def refund(self, tokens: int) -> None:
        """Give back tokens taken for a request that was never sent (its task was cancelled
        while waiting for a concurrency slot)."""
        now = self.clock()
        for b in self.buckets:
            b.refill(now)
            b.level = min(b.capacity, b.level + min(tokens, b.capacity))

    def learn(self, tokens: int, window: float) -> None:
        """Adopt the server's numbers for one bucket: the one with the same window, else the
        one whose window is nearest (log scale)."""
        if tokens < 1 or window <= 0:
            return
        best = min(self.buckets, key=lambda b: abs(math.log(b.window / window)))
        best.resize(tokens, window)
        best.learned = True

    def drain(self, window: float | None = None) -> None:
        """The server said it is out of tokens: empty the matching bucket (or all)."""
        now = self.clock()
        for b in self.buckets:
            b.refill(now)
            if window is None or math.isclose(b.window, window):
                b.level = min(b.level, 0.0)

    async def throttled(self, tokens: int | None, window: float | None) -> None:
        if tokens and window:
            self.learn(tokens, window)
        self.drain(window)

    async def learn_batch_limit(self, limit: int) -> None:
        if limit >= 1 and (self.batch_limit is None or limit < self.batch_limit):
            self.batch_limit = limit

    def cached_snapshot(self) -> SchedulerStats:
        return self.snapshot()

    def snapshot(self) -> SchedulerStats:
        """Tokens left per bucket (refilled to now), learned numbers, waits."""
        now = self.clock()
        for b in self.buckets:
            b.refill(now)
        return SchedulerStats(
            backend="local",
            buckets=tuple(
                BucketStats(round(b.capacity), b.window, b.level, b.learned) for b in self.buckets
            ),
            waits=self.waits,
            waiting=self._waiting,
            batch_limit=self.batch_limit,
            waited=self.waited,
        )


_RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass
class RetryPolicy:
    """When to resend.

    * Transient failures (connection errors, 502/503/504, throttling) are retried up to
      ``max_retries`` times (throttling has its own budget: ``max_throttle_wait`` seconds of
      waiting in total), with capped exponential backoff and full jitter:
      ``uniform(0, min(cap, base * 2**attempt))``.
    * ``Retry-After`` (seconds) is honoured when present (up to ``max_retry_after``; a longer
      one is not waited for).
    * Throttling waits the time one token needs per the server's window, plus full jitter
      (bounded by that window) so throttled tasks do not all resend at once.
    * Anything that may have reached the server is resent only when the request is
      idempotent. A connect error (nothing sent) or HTTP 429 (refused before execution) is
      always safe. A GraphQL throttling error is safe when no root field got data.
    * Every other GraphQL error, decode error and HTTP status is final.
    """

    max_retries: int = 4
    base: float = 0.25
    cap: float = 8.0
    max_throttle_wait: float = 300.0
    max_retry_after: float = 120.0
    random: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, attempt: int) -> float:
        return self.random() * min(self.cap, self.base * (2.0**attempt))

    def delay(
        self,
        exc: BaseException,
        *,
        attempt: int,
        throttle_attempt: int,
        throttle_waited: float,
        idempotent: bool,
    ) -> float | None:
        """Seconds to wait before resending, or None to give up and raise ``exc``.

        ``attempt`` counts earlier non-throttling retries, ``throttle_attempt`` earlier
        throttling retries, ``throttle_waited`` the seconds already waited for throttling.
        """
        if isinstance(exc, ThrottledError):
            if not idempotent and exc.status != 429 and _has_data(exc.data):
                return None  # another root field already ran: resending would repeat it
            # jitter spreads the resends of many throttled tasks; within one server window
            jitter = self.random() * min(self.cap, self.base * 2.0**throttle_attempt)
            wait = exc.wait + (min(jitter, exc.window) if exc.window else jitter)
            if exc.retry_after is not None and exc.retry_after > self.max_retry_after:
                return None
            if throttle_waited + wait > self.max_throttle_wait:
                return None
            return wait
        if attempt >= self.max_retries:
            return None
        if isinstance(exc, TransportError):
            if not exc.retryable or (exc.request_sent and not idempotent):
                return None
            return self.backoff(attempt)
        if isinstance(exc, HTTPStatusError):
            if exc.status not in _RETRY_STATUSES or not idempotent:
                return None
            if exc.retry_after is not None:
                if exc.retry_after > self.max_retry_after:
                    return None
                return max(exc.retry_after, 0.0)
            return self.backoff(attempt)
        return None


def _has_data(data: object) -> bool:
    if isinstance(data, dict):
        return any(v is not None for v in data.values())
    return data is not None
