"""The engine behind :mod:`twenty_gql.bulk`: chunks in flight, resends, bisection, outcomes.

Failures are classified by :func:`twenty_gql.errors.write_failure` (the error's type) and
resent on the client's :class:`~twenty_gql.scheduling.RetryPolicy` (bulk's own ``max_retries``
/ base / cap); a batch limit the server announces is learnt through
``client.learn_batch_limit`` (the one place that keeps it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from twenty_gql._bulk_result import (
    BulkFailure,
    BulkProgress,
    BulkResult,
    Outcome,
    outcome_code,
    typed_error,
)
from twenty_gql._checkpoint import Checkpoint
from twenty_gql.errors import (
    BatchLimitExceededError,
    DeadlineExceededError,
    WriteFailure,
    record_positions,
    write_failure,
)
from twenty_gql.operation import Operation
from twenty_gql.scheduling import RetryPolicy

logger = logging.getLogger("twenty_gql.bulk")

T = TypeVar("T")
R = TypeVar("R")


class _BulkClient(Protocol):
    """What bulk needs from ``TwentyClient`` (docs/CONTRACTS.md §1)."""

    batch_size: int

    async def execute(
        self,
        op: Operation[Any],
        variables: Mapping[str, Any] | None = ...,
        *,
        idempotent: bool | None = ...,
    ) -> Any: ...


@dataclass
class _Item:
    index: int
    payload: Any  # what is sent (prepared record, or an id)
    original: Any  # what the caller gave (reported on failure)
    digest: bytes = b""
    client_id: str | None = None  # the id bulk generated for it (None: the caller's own id)
    existed: bool | None = None  # own-id upserts: whether the id existed before the first send


@dataclass
class _State(Generic[R]):
    batch_size: int
    landed: dict[int, R] = field(default_factory=dict)
    landed_count: int = 0
    codes: bytearray = field(default_factory=bytearray)  # outcome per input position
    inputs: dict[int, Any] = field(default_factory=dict)  # kept with keep_records
    duplicates: dict[int, int] = field(default_factory=dict)
    failures: list[BulkFailure[Any]] = field(default_factory=list)
    skipped: int = 0
    requests: int = 0
    throttled: int = 0
    abort: BaseException | None = None  # a batch-fatal error: the rest fails with it
    stop: BaseException | None = None  # an outage beyond tolerance or the deadline: unsent
    not_attempted: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)
    outage_since: float | None = None
    in_flight: dict[int, list[_Item]] = field(default_factory=dict)  # by request number


@dataclass
class _DeadlineHit(Exception):
    """The deadline cut a request off in flight (internal)."""


@dataclass
class _Tries:
    """Resends of one chunk so far, in :meth:`RetryPolicy.delay`'s terms."""

    attempt: int = 0
    throttle_attempt: int = 0
    throttle_waited: float = 0.0


_Sender = Callable[[list[_Item], bool], Awaitable[Sequence[Any] | None]]
#: (item, the row the server returned for it or None, sent as an upsert) -> its outcome
_Classifier = Callable[[_Item, Any, bool], Outcome]


def _landed_as_updated(item: _Item, row: Any, as_upsert: bool) -> Outcome:
    return Outcome.UPDATED


@dataclass(frozen=True)
class EngineOptions:
    """How the engine resends and when it stops (the bulk functions' keyword arguments)."""

    retry: RetryPolicy
    outage_tolerance: float = 60.0
    deadline: float | None = None  # absolute, on ``clock``
    clock: Callable[[], float] = time.monotonic


def retry_policy(
    client: object, max_retries: int, base: float | None, cap: float | None
) -> RetryPolicy:
    """The client's retry policy with bulk's own budget (a chunk is resent as an upsert onto the
    same ids, so it may be resent more often than a single call)."""
    policy = getattr(client, "retry", None)
    if not isinstance(policy, RetryPolicy):
        policy = RetryPolicy()
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}")
    # Throttling the client could not absorb is resent ``max_retries`` times too (each wait as
    # the policy computes it), rather than against a second time budget.
    changes: dict[str, Any] = {"max_retries": max_retries, "max_throttle_wait": float("inf")}
    if base is not None:
        changes["base"] = float(base)
    if cap is not None:
        changes["cap"] = float(cap)
    return dataclasses.replace(policy, **changes)


class _Engine(Generic[R]):
    def __init__(
        self,
        client: _BulkClient,
        send: _Sender,
        *,
        batch_size: int,
        concurrency: int,
        total: int | None,
        on_progress: Callable[[BulkProgress], object] | None,
        checkpoint: Checkpoint | None,
        keep_records: bool,
        options: EngineOptions,
        match_by_id: bool,
        learn_limit: bool,
        upsert: bool = False,
        classify: _Classifier = _landed_as_updated,
    ) -> None:
        self.client = client
        self.send = send
        self.state: _State[R] = _State(batch_size=batch_size)
        self.concurrency = concurrency
        self.total = total
        self.on_progress = on_progress
        self.checkpoint = checkpoint
        self.keep_records = keep_records
        self.options = options
        self.retry = options.retry
        self.match_by_id = match_by_id
        self.learn_limit = learn_limit
        self.upsert = upsert
        self.classify = classify
        self._pacing_base = _client_wait_count(client)
        # A rerun from a checkpoint: any record not journaled may have landed in the killed run.
        self.resumed = checkpoint is not None and checkpoint.resumed

    # progress ---------------------------------------------------------------------------------

    def _throttled(self) -> int:
        return self.state.throttled + max(0, _client_wait_count(self.client) - self._pacing_base)

    def progress(self) -> None:
        if self.on_progress is None:
            return
        s = self.state
        snap = BulkProgress(
            done=s.landed_count,
            failed=len(s.failures),
            skipped=s.skipped,
            throttled=self._throttled(),
            requests=s.requests,
            total=self.total,
        )
        try:
            self.on_progress(snap)
        except Exception:  # a broken progress callback must not lose records
            logger.exception("bulk progress callback raised; ignoring")

    # outcomes ---------------------------------------------------------------------------------

    def mark(self, index: int, outcome: Outcome) -> None:
        codes = self.state.codes
        if index >= len(codes):
            codes.extend(bytes(index + 1 - len(codes)))
        codes[index] = outcome_code(outcome)

    def keep_input(self, index: int, record: Any) -> None:
        if self.keep_records:
            self.state.inputs[index] = record

    def skip(self, index: int) -> None:
        """Position ``index`` landed in an earlier run (checkpoint)."""
        self.state.skipped += 1
        self.mark(index, Outcome.SKIPPED)

    def duplicate(self, index: int, into: int) -> None:
        self.state.duplicates[index] = into
        self.mark(index, Outcome.DUPLICATE_IN_INPUT)

    def fail(self, items: Iterable[_Item], error: BaseException) -> None:
        typed = typed_error(error)
        for it in items:
            self.state.failures.append(BulkFailure(it.index, it.original, typed))
            self.mark(it.index, Outcome.FAILED)

    def succeed(
        self, items: list[_Item], returned: Sequence[Any] | None, ambiguous: bool = False
    ) -> None:
        s = self.state
        s.landed_count += len(items)
        if self.checkpoint is not None:
            self.checkpoint.record([(it.index, it.digest) for it in items])
        as_upsert = self.upsert or ambiguous
        if not (self.keep_records or as_upsert):
            # a plain create: the outcome does not depend on the answer, nothing is kept
            for it in items:
                self.mark(it.index, self.classify(it, None, as_upsert))
            return
        rows = list(returned or [])
        assigned: dict[int, Any] = {}
        if self.match_by_id and rows:
            by_id: dict[str, Any] = {}
            for row in rows:
                rid = _get_id(row)
                if rid is not None:
                    by_id[rid] = row
            used: set[int] = set()
            for pos, it in enumerate(items):
                rid = _get_id(it.payload)
                if rid is not None and rid in by_id:
                    assigned[pos] = by_id[rid]
                    used.add(id(by_id[rid]))
            # Rows the sent ids did not find are records an upsert matched by a unique field
            # (Twenty answers with the matched record's id); they keep their relative order.
            rest = iter([row for row in rows if id(row) not in used])
        else:
            rest = iter(rows)
        for pos, it in enumerate(items):
            row = assigned[pos] if pos in assigned else next(rest, None)
            self.mark(it.index, self.classify(it, row, as_upsert))
            if self.keep_records and row is not None:
                s.landed[it.index] = row

    def not_sent(self, items: Iterable[_Item], ambiguous: bool) -> None:
        """The run stopped (outage, deadline) before these records' request got an answer:
        ``unknown`` when an earlier attempt may have applied, else ``not_attempted``."""
        (self.state.unknown if ambiguous else self.state.not_attempted).extend(
            it.index for it in items
        )
        for it in items:
            self.mark(it.index, Outcome.UNKNOWN if ambiguous else Outcome.NOT_ATTEMPTED)

    # sending ----------------------------------------------------------------------------------

    async def run_chunk(self, items: list[_Item], ambiguous: bool = False) -> None:
        tries = _Tries()
        while not self._stopped(items, ambiguous):
            if len(items) > self.state.batch_size:
                size = self.state.batch_size
                for start in range(0, len(items), size):
                    await self.run_chunk(items[start : start + size], ambiguous)
                return
            try:
                returned = await self._send(items, ambiguous)
            except _DeadlineHit:
                self.not_sent(items, True)  # cut off in flight: it may have landed
                return
            except Exception as exc:
                kind = write_failure(exc)
                if kind == "temporary" or getattr(exc, "request_sent", False):
                    ambiguous = True  # the write may have applied
                if await self._again(kind, exc, items, ambiguous, tries):
                    continue
                return
            self.state.outage_since = None
            self.succeed(items, returned, ambiguous)
            self.progress()
            return

    def _stopped(self, items: list[_Item], ambiguous: bool) -> bool:
        s = self.state
        if s.abort is not None:
            self.fail(items, s.abort)
        elif s.stop is None and self._remaining() <= 0:
            s.stop = DeadlineExceededError("the bulk run's deadline passed")
        if s.stop is not None and s.abort is None:
            self.not_sent(items, ambiguous)
        return s.abort is not None or s.stop is not None

    def _remaining(self) -> float:
        deadline = self.options.deadline
        return float("inf") if deadline is None else deadline - self.options.clock()

    async def _send(self, items: list[_Item], ambiguous: bool) -> Sequence[Any] | None:
        s = self.state
        s.requests += 1
        ticket = s.requests
        s.in_flight[ticket] = items
        remaining = self._remaining()
        try:
            if remaining == float("inf"):
                returned = await self.send(items, ambiguous)
            else:
                returned = await asyncio.wait_for(self.send(items, ambiguous), remaining)
        except asyncio.CancelledError:
            raise  # the chunk stays in ``in_flight``: its outcome is unknown
        except asyncio.TimeoutError:
            del s.in_flight[ticket]
            if self._remaining() > 0:
                raise
            if s.stop is None:
                s.stop = DeadlineExceededError("the bulk run's deadline passed")
            raise _DeadlineHit from None
        except BaseException:
            del s.in_flight[ticket]
            raise
        del s.in_flight[ticket]
        return returned

    async def _again(
        self, kind: WriteFailure, exc: Exception, items: list[_Item], ambiguous: bool, tries: _Tries
    ) -> bool:
        """Handle one failed send; True to send the same chunk again."""
        if kind == "batch_limit" and isinstance(exc, BatchLimitExceededError):
            if self.learn_limit and exc.limit < len(items):
                self._learn(exc.limit)
                return True
            kind = "content"
        if kind == "outage":
            return await self._outage(exc, items, ambiguous)
        if kind in ("throttled", "temporary"):
            return await self._resend_later(kind, exc, items, tries)
        if kind == "batch_fatal":
            if self.state.abort is None:
                logger.error("bulk: aborting, the server refused the batch: %s", exc)
                self.state.abort = exc
            self.fail(items, exc)
            self.progress()
            return False
        await self._isolate(exc, items, ambiguous)
        return False

    async def _resend_later(
        self, kind: WriteFailure, exc: Exception, items: list[_Item], tries: _Tries
    ) -> bool:
        delay = self.retry.delay(
            exc,
            attempt=tries.attempt,
            throttle_attempt=tries.throttle_attempt,
            throttle_waited=tries.throttle_waited,
            idempotent=True,  # resent as an upsert onto the same ids
        )
        if kind == "temporary" and delay is None and tries.attempt < self.retry.max_retries:
            # a garbled answer or a 5xx is final for one call; bulk resends it as an upsert
            delay = self.retry.backoff(tries.attempt)
        elif kind == "throttled" and tries.throttle_attempt >= self.retry.max_retries:
            delay = None
        if delay is None:
            logger.warning("bulk: giving up on %d records: %s", len(items), exc)
            self.fail(items, exc)
            self.progress()
            return False
        if kind == "throttled":
            self.state.throttled += 1
            tries.throttle_attempt += 1
            tries.throttle_waited += delay
        else:
            tries.attempt += 1
        await self._sleep(delay)
        return True

    async def _outage(self, exc: Exception, items: list[_Item], ambiguous: bool) -> bool:
        """The client's circuit is open: wait for its next probe, up to ``outage_tolerance``
        since the outage began; then stop the run (nothing more is sent)."""
        s = self.state
        now = self.options.clock()
        if s.outage_since is None:
            s.outage_since = now
            logger.warning("bulk: the server is unreachable; waiting for it (%s)", exc)
        left = self.options.outage_tolerance - (now - s.outage_since)
        if left <= 0:
            if s.stop is None:
                s.stop = exc
                logger.error("bulk: the server stayed unreachable; stopping the run: %s", exc)
            self.not_sent(items, ambiguous)
            return False
        retry_in = getattr(exc, "retry_in", 0.0)
        await self._sleep(min(left, max(0.05, retry_in if isinstance(retry_in, float) else 0.0)))
        return True

    async def _sleep(self, delay: float) -> None:
        await asyncio.sleep(max(0.0, min(delay, self._remaining())))

    async def _isolate(self, exc: Exception, items: list[_Item], ambiguous: bool) -> None:
        """A chunk refused for its content: find the offending records (the server's hints,
        else bisection); every other record is sent again."""
        if len(items) == 1:
            self.fail(items, exc)
            self.progress()
            return
        hinted = record_positions(exc, len(items))
        if hinted:
            # The server named the offending records (variable coercion errors): send each
            # alone (to get its own error) and the rest together.
            for i in hinted:
                await self.run_chunk([items[i]], ambiguous)
            rest = [it for i, it in enumerate(items) if i not in hinted]
            if rest:
                await self.run_chunk(rest, ambiguous)
            return
        mid = len(items) // 2
        await self.run_chunk(items[:mid], ambiguous)
        await self.run_chunk(items[mid:], ambiguous)

    def _learn(self, limit: int) -> None:
        s = self.state
        if limit < s.batch_size:
            logger.info("bulk: server batch limit is %d (was using %d)", limit, s.batch_size)
            s.batch_size = limit
        learn = getattr(self.client, "learn_batch_limit", None)
        if callable(learn):
            learn(limit)

    # the pipeline -----------------------------------------------------------------------------

    async def _worker(self, queue: asyncio.Queue[list[_Item] | None]) -> None:
        while True:
            chunk = await queue.get()
            if chunk is None:
                return
            await self.run_chunk(chunk, self.resumed)

    async def _produce(
        self, source: AsyncIterable[_Item], queue: asyncio.Queue[list[_Item] | None]
    ) -> None:
        chunk: list[_Item] = []
        async for item in source:
            if self._stopped([item], self.resumed):
                continue
            chunk.append(item)
            if len(chunk) >= self.state.batch_size:
                await queue.put(chunk)
                chunk = []
        if chunk:
            await queue.put(chunk)
        for _ in range(self.concurrency):
            await queue.put(None)

    async def run(self, source: AsyncIterable[_Item]) -> None:
        queue: asyncio.Queue[list[_Item] | None] = asyncio.Queue(maxsize=self.concurrency)
        tasks = [asyncio.ensure_future(self._produce(source, queue))]
        tasks += [asyncio.ensure_future(self._worker(queue)) for _ in range(self.concurrency)]
        try:
            # A failing task (a bad input iterator, a checkpoint mismatch, cancellation) stops
            # the others instead of leaving the producer blocked on a full queue.
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
        finally:
            for task in tasks:
                if not task.done():
                    task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def run_or_report(self, source: AsyncIterable[_Item], count: Callable[[], int]) -> None:
        """:meth:`run`; on cancellation the ``CancelledError`` propagates carrying the partial
        result as ``bulk_result``."""
        try:
            await self.run(source)
        except asyncio.CancelledError as exc:
            exc.bulk_result = self.result(count())  # type: ignore[attr-defined]
            raise

    def result(self, total: int) -> BulkResult[R, Any]:
        s = self.state
        s.failures.sort(key=lambda f: f.index)
        order = sorted(s.landed)
        records: list[R] = [s.landed[i] for i in order]
        in_flight = sorted(it.index for items in s.in_flight.values() for it in items)
        codes = bytearray(s.codes[:total])
        codes.extend(bytes(total - len(codes)))
        for i in in_flight:
            if codes[i] == 0:
                codes[i] = outcome_code(Outcome.UNKNOWN)
        pending = outcome_code(Outcome.NOT_ATTEMPTED)
        codes = codes.replace(b"\x00", bytes([pending]))
        return BulkResult(
            records=records,
            indexes=order,
            failures=s.failures,
            total=total,
            succeeded=s.landed_count,
            skipped=s.skipped,
            requests=s.requests,
            throttled=self._throttled(),
            batch_size=s.batch_size,
            in_flight=in_flight,
            not_attempted=sorted(s.not_attempted),
            unknown=sorted(s.unknown),
            stopped=s.stop,
            duplicates=dict(s.duplicates),
            codes=codes,
            inputs=s.inputs,
        )


def _extract(result: Callable[[Any], Sequence[Any] | None], data: Any) -> Sequence[Any] | None:
    """Apply the caller's ``result`` picker; the write has landed even if the picker fails."""
    try:
        return result(data)
    except Exception:
        logger.warning("bulk: the result picker raised; records landed but are not returned")
        return None


def _client_wait_count(client: object) -> int:
    """Throttling waits the client absorbed: its own pacing waits plus the throttling answers
    it retried (``TwentyClient.stats().throttle_waits``); 0 for a client without stats."""
    stats = getattr(client, "stats", None)
    snapshot = stats() if callable(stats) else None
    waits = getattr(snapshot, "throttle_waits", 0)
    return waits if isinstance(waits, int) and not isinstance(waits, bool) else 0


def _get_id(obj: Any) -> str | None:
    if type(obj) is dict:  # the common case, without the ABC check
        value = obj.get("id")
        return None if value is None else str(value).lower()
    if isinstance(obj, (str, uuid.UUID)):
        return str(obj).lower()
    value = obj.get("id") if isinstance(obj, Mapping) else getattr(obj, "id", None)
    if value is None:
        return None
    return str(value).lower()


async def _aiter(records: Iterable[T] | AsyncIterable[T]) -> AsyncIterable[T]:
    if isinstance(records, AsyncIterable):
        async for r in records:
            yield r
    else:
        for n, r in enumerate(records):
            yield r
            if n % 1000 == 999:
                await asyncio.sleep(0)  # let in-flight chunks progress on a long sync input


def _check_callables(**named: object) -> None:
    for name, value in named.items():
        if value is not None and not callable(value):
            raise TypeError(f"{name} must be callable, got {type(value).__name__}")


def _resolve_sizes(
    client: _BulkClient, batch_size: int | None, concurrency: int | None
) -> tuple[int, int]:
    size = batch_size if batch_size is not None else getattr(client, "batch_size", 60)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {size!r}")
    conc = concurrency if concurrency is not None else getattr(client, "max_concurrency", 8)
    if not isinstance(conc, int) or isinstance(conc, bool) or conc < 1:
        raise ValueError(f"concurrency must be a positive integer, got {conc!r}")
    return size, conc
