"""Where a client's rate-limit tokens come from: the :class:`RateBudget` interface.

``TwentyClient(rate_limit=...)`` takes a :class:`~twenty_gql.scheduling.RateLimit` (a budget kept
in this process, :class:`~twenty_gql.scheduling.Scheduler`) or any :class:`RateBudget`, e.g.
:class:`~twenty_gql.redis_budget.RedisBudget`, which keeps the buckets in Redis so that every
process and host using one workspace draws from one budget.

A budget holds Twenty's token buckets (twenty-api.md §3.2), what the client learns from throttle
answers ("Limit reached (T tokens per W ms)") and the learned batch limit ("Maximum number of
records to upsert is N"). :class:`SchedulerStats` is its snapshot for ``stats()``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from twenty_gql.errors import TwentyError

__all__ = ["BucketStats", "BudgetUnavailableError", "RateBudget", "SchedulerStats"]


class BudgetUnavailableError(TwentyError):
    """The shared budget's store (Redis) could not be reached, and the budget was told to fail
    rather than pace locally (``RedisBudget(..., on_unavailable="raise")``)."""


@dataclass(frozen=True)
class BucketStats:
    """One token bucket. ``tokens_left`` may be negative in a shared budget: tokens already
    promised to calls that are waiting for them. ``learned``: ``tokens``/``window`` came from a
    throttle answer of the server rather than from the configured :class:`RateLimit`."""

    tokens: int
    window: float  # seconds
    tokens_left: float
    learned: bool


@dataclass(frozen=True)
class SchedulerStats:
    """A snapshot of a rate budget.

    ``backend``: ``"local"`` (this process) or ``"redis"`` (shared). ``waits``: acquisitions by
    this process that had to wait, ``waited``: the seconds they waited in total; ``waiting``:
    calls of this process waiting now.
    ``batch_limit``: the learned batch limit (None until the server announced one).
    ``key``: the Redis key of a shared budget (a hash of the workspace url and namespace).
    ``fallback``: a shared budget is pacing locally because its store is unreachable.
    """

    backend: str
    buckets: tuple[BucketStats, ...]
    waits: int
    waiting: int
    batch_limit: int | None
    waited: float = 0.0
    key: str | None = None
    fallback: bool = False


class RateBudget(abc.ABC):
    """Tokens for calls to one workspace's ``/graphql`` endpoint.

    ``waits`` counts acquisitions that had to wait. ``batch_limit`` is the last known learned
    batch limit (read synchronously by the client after each :meth:`acquire`).
    """

    waits: int = 0
    waited: float = 0.0
    batch_limit: int | None = None

    def bind(self, url: str) -> None:  # noqa: B027 - optional hook, default: nothing to do
        """Called by ``TwentyClient`` with its base url (a shared budget keys on it)."""

    @abc.abstractmethod
    async def acquire(self, tokens: int = 1) -> None:
        """Take ``tokens`` from every bucket, waiting until they are there."""

    @abc.abstractmethod
    def refund(self, tokens: int) -> None:
        """Give back tokens taken for a request that was never sent."""

    @abc.abstractmethod
    async def throttled(self, tokens: int | None, window: float | None) -> None:
        """The server refused a call for throttling: adopt its numbers (``tokens`` per
        ``window`` seconds) when it gave them, and empty that bucket (all when unknown)."""

    @abc.abstractmethod
    async def learn_batch_limit(self, limit: int) -> None:
        """The server announced a batch limit: remember it (the lowest one wins)."""

    def cached_snapshot(self) -> SchedulerStats | None:
        """The budget's state without a round trip (None when there is none yet): what
        ``TwentyClient.stats()`` reports."""
        return None

    async def get_batch_limit(self) -> int | None:
        """The learned batch limit now (a shared budget asks its store; ``batch_limit`` is the
        value as of the last answer, with no round trip)."""
        return self.batch_limit
