"""Bulk writes that lose nothing: chunking, concurrency, idempotent retries, per-record outcomes.

Twenty takes at most N records per ``create<Plural>`` call (60 by default), charges one
rate-limit token per call, and answers a bad batch with one error for the whole batch.
:func:`create_many` turns any number of records into a stream of calls that

* streams the input (a list, any iterable, or an async iterable) into chunks of the batch size
  (``batch_size`` or ``client.batch_size``); when the server answers *"Maximum number of records
  to upsert is N."* the chunk is re-split at N and ``client.batch_size`` learns N;
* keeps at most ``concurrency`` chunks in flight (bounded memory whatever the input length); the
  client's scheduler paces them under Twenty's rate limits;
* makes every resend safe: a record without ``id`` (and, when upserting, without a value for
  any of ``unique_fields``) gets a client-generated UUID before its first send, so a chunk
  resent after a dropped connection upserts onto what the first attempt wrote. A plain create
  whose outcome is unknown (dropped connection, 5xx, or not journaled when a checkpointed run
  was killed) is resent as an upsert keyed on those ids. (Caveat: such a resent record that also
  carries a unique value already used by *another* record updates that record instead of
  failing as a duplicate, since Twenty's upsert matches on every unique key.);
* isolates bad records: a chunk rejected for its content is bisected until the offending
  records are found; every other record lands. Throttling and transport failures are retried
  (never bisected); a whole-batch error (``UNAUTHENTICATED``, ``FORBIDDEN``, a broken document)
  aborts and every record that did not land is reported with that error;
* returns a :class:`BulkResult`: the server's records in input order, one
  :class:`BulkFailure` (input index, record, typed error) per failed record, counts, and
  :meth:`BulkResult.raise_for_failures`. Nothing is silently dropped;
* optionally reports progress (:class:`BulkProgress`) and journals landed records to a
  checkpoint file so a killed run can be rerun to the same final state (see
  ``twenty_gql._checkpoint``).

:func:`update_many` and :func:`delete_many` chunk a list of ids through the ``filter:
{id: {in: [...]}}`` form of ``update<Plural>`` / ``delete<Plural>`` (and ``destroy`` /
``restore``) with the same retry, bisect and outcome rules. (For per-record *different*
updates, upsert records that carry their ``id`` with :func:`create_many`.)
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from twenty_gql._checkpoint import Checkpoint, CheckpointMismatchError, record_digest
from twenty_gql.errors import TwentyError
from twenty_gql.operation import Operation

__all__ = [
    "BulkFailure",
    "BulkFailuresError",
    "BulkProgress",
    "BulkResult",
    "CheckpointMismatchError",
    "InvalidRecordError",
    "create_many",
    "delete_many",
    "partial_result",
    "update_many",
]

logger = logging.getLogger("twenty_gql.bulk")

T = TypeVar("T")
R = TypeVar("R")

_LIMIT_RE = re.compile(r"Maximum number of records to upsert is (\d+)")
_UPDATE_LIMIT_RE = re.compile(r"(?:Cannot update|update up to) (?:more than )?(\d+) records")
_THROTTLE_RE = re.compile(r"Limit reached \((\d+) tokens per (\d+) ?ms\)")
# Errors that say nothing about a record's content: the whole batch (and every later one) fails.
_FATAL_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "GRAPHQL_PARSE_FAILED",
        "PERSISTED_QUERY_NOT_FOUND",
        "PERSISTED_QUERY_NOT_SUPPORTED",
        "METHOD_NOT_ALLOWED",
        "SCHEMA_VERSION_MISMATCH",
        "APP_VERSION_MISMATCH",
        "EMAIL_NOT_VERIFIED",
        "QUOTA_EXHAUSTED",
    }
)
_THROTTLE_CODES = frozenset({"LIMIT_REACHED", "RATE_LIMITED"})


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


class InvalidRecordError(TwentyError, TypeError):
    """An input record is not a mapping of create-input keys (reported per record, not sent)."""


@dataclass(frozen=True)
class BulkFailure:
    """One record that did not land: its position in the input, the record, and why."""

    index: int
    record: Any
    error: BaseException

    @property
    def reason(self) -> str:
        return str(self.error)

    @property
    def code(self) -> str | None:
        code = getattr(self.error, "code", None)
        return code if isinstance(code, str) else None


@dataclass(frozen=True)
class BulkProgress:
    """A progress snapshot handed to ``on_progress`` after every request (and at the end)."""

    done: int  # landed (this run)
    failed: int  # reported as failures so far
    skipped: int  # already landed according to the checkpoint
    throttled: int  # waits caused by throttling (server answers and client-side pacing)
    requests: int  # requests sent
    total: int | None  # input length when known (a Sequence), else None


class BulkFailuresError(TwentyError):
    """Raised by :meth:`BulkResult.raise_for_failures`: some records did not land."""

    def __init__(self, failures: Sequence[BulkFailure], total: int) -> None:
        self.failures = list(failures)
        first = self.failures[:3]
        detail = "; ".join(f"#{f.index}: {f.reason}" for f in first)
        more = f" (and {len(self.failures) - 3} more)" if len(self.failures) > 3 else ""
        super().__init__(f"{len(self.failures)} of {total} records failed: {detail}{more}")


@dataclass
class BulkResult(Generic[R]):
    """The outcome of a bulk write.

    ``records`` are the records the server returned, in input order (landed records only;
    ``indexes[i]`` is the input position of ``records[i]``; ``None`` where the server answered
    without the record). ``failures`` are sorted by index. With ``keep_records=False`` (or for
    records skipped thanks to a checkpoint) ``records`` holds nothing for them.

    A cancelled run raises ``asyncio.CancelledError`` as usual (never swallowed); the error
    carries the partial result as ``bulk_result``: what landed before the cancellation
    (``indexes``), what failed, and what was ``in_flight``. ``total`` is then the number of
    input records read so far; positions in none of the three lists were never sent.
    """

    records: list[R | None]
    indexes: list[int]
    failures: list[BulkFailure]
    total: int
    succeeded: int
    skipped: int
    requests: int
    throttled: int
    batch_size: int
    in_flight: list[int] = field(default_factory=list)
    """Only in the partial result of a cancelled run (``CancelledError.bulk_result``): input
    positions whose request was in flight when the run was cancelled. They may or may not
    have landed; a rerun with the checkpoint resends them as upserts onto the same ids."""

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures

    def raise_for_failures(self) -> None:
        """Raise :class:`BulkFailuresError` when any record failed."""
        if self.failures:
            raise BulkFailuresError(self.failures, self.total)


def partial_result(exc: BaseException) -> BulkResult[Any] | None:
    """The partial :class:`BulkResult` of a cancelled bulk run, found on ``exc`` or the
    exceptions it was raised from (``asyncio.wait_for`` / ``asyncio.timeout`` raise a
    ``TimeoutError`` from the ``CancelledError``; Python 3.10 re-raises a cancelled task's
    error as a new ``CancelledError`` whose ``__context__`` is the original). None if none."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        found = getattr(e, "bulk_result", None)
        if isinstance(found, BulkResult):
            return found
        todo += [e.__cause__, e.__context__]
    return None


# -- error classification ----------------------------------------------------------------------

_Kind = Literal["limit", "throttled", "transient", "fatal", "content"]


def _classify(exc: BaseException) -> tuple[_Kind, float]:
    """Decide what a failed chunk send means. Returns (kind, number): the learnt batch limit for
    ``limit``, the suggested wait in seconds for ``throttled`` (0 when unknown)."""
    message = str(exc)
    code = getattr(exc, "code", None)
    sub_code = getattr(exc, "sub_code", None)
    status = getattr(exc, "status", None)
    if (
        sub_code in _THROTTLE_CODES
        or code in _THROTTLE_CODES
        or status == 429
        or "Throttl" in type(exc).__name__
        or message.startswith("Limit reached")
    ):
        wait = 0.0
        t = _THROTTLE_RE.search(message)
        if t and int(t.group(1)) > 0:
            wait = int(t.group(2)) / 1000.0 / int(t.group(1))
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, (int, float)) and retry_after > 0:
            wait = max(wait, float(retry_after))
        return "throttled", wait
    limit = getattr(exc, "limit", None)
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        return "limit", float(limit)
    m = _LIMIT_RE.search(message) or _UPDATE_LIMIT_RE.search(message)
    if m and int(m.group(1)) > 0:
        return "limit", float(m.group(1))
    if code in _FATAL_CODES or status in (401, 403, 404):
        return "fatal", 0.0
    if code == "GRAPHQL_VALIDATION_FAILED":
        # A variable error naming records is about content; anything else is the document.
        return ("content" if _hinted_indexes(exc, 1 << 30) else "fatal"), 0.0
    if getattr(exc, "retryable", False) is True or _is_transport_error(exc):
        return "transient", 0.0
    if isinstance(status, int) and status >= 500:
        return "transient", 0.0
    if isinstance(code, str) or status in (400, 413, 422):
        return "content", 0.0
    if isinstance(exc, (TypeError, ValueError)):
        return "content", 0.0  # the record could not be encoded: nothing was sent
    return "fatal", 0.0


# -- the engine -----------------------------------------------------------------------------------


@dataclass
class _Item:
    index: int
    payload: Any  # what is sent (prepared record, or an id)
    original: Any  # what the caller gave (reported on failure)
    digest: bytes = b""


@dataclass
class _State(Generic[R]):
    batch_size: int
    landed: dict[int, R | None] = field(default_factory=dict)
    landed_count: int = 0
    failures: list[BulkFailure] = field(default_factory=list)
    skipped: int = 0
    requests: int = 0
    throttled: int = 0
    abort: BaseException | None = None
    in_flight: dict[int, list[_Item]] = field(default_factory=dict)  # by request number


_Sender = Callable[[list[_Item], bool], Awaitable[Sequence[Any] | None]]


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
        max_retries: int,
        retry_base: float,
        retry_cap: float,
        match_by_id: bool,
        learn_limit: bool,
    ) -> None:
        self.client = client
        self.send = send
        self.state: _State[R] = _State(batch_size=batch_size)
        self.concurrency = concurrency
        self.total = total
        self.on_progress = on_progress
        self.checkpoint = checkpoint
        self.keep_records = keep_records
        self.max_retries = max_retries
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self.match_by_id = match_by_id
        self.learn_limit = learn_limit
        self._pacing_base = _client_wait_count(client)
        # A rerun from a checkpoint: any record not journaled may have landed in the killed run.
        self.resumed = checkpoint is not None and checkpoint.resumed
        self._rng = random.Random()

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

    def fail(self, items: Iterable[_Item], error: BaseException) -> None:
        for it in items:
            self.state.failures.append(BulkFailure(it.index, it.original, error))

    def succeed(self, items: list[_Item], returned: Sequence[Any] | None) -> None:
        s = self.state
        s.landed_count += len(items)
        if self.checkpoint is not None:
            self.checkpoint.record([(it.index, it.digest) for it in items])
        if not self.keep_records:
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
            rest = iter([row for row in rows if id(row) not in used])
        else:
            rest = iter(rows)
        for pos, it in enumerate(items):
            s.landed[it.index] = assigned[pos] if pos in assigned else next(rest, None)

    # sending ----------------------------------------------------------------------------------

    async def run_chunk(self, items: list[_Item], ambiguous: bool = False) -> None:
        attempt = 0
        while True:
            s = self.state
            if s.abort is not None:
                self.fail(items, s.abort)
                return
            if len(items) > s.batch_size:
                size = s.batch_size
                for start in range(0, len(items), size):
                    await self.run_chunk(items[start : start + size], ambiguous)
                return
            s.requests += 1
            ticket = s.requests
            s.in_flight[ticket] = items
            try:
                returned = await self.send(items, ambiguous)
            except asyncio.CancelledError:
                raise  # the chunk stays in ``in_flight``: its outcome is unknown
            except Exception as exc:
                del s.in_flight[ticket]
                kind, number = _classify(exc)
                if kind == "limit" and self.learn_limit and int(number) < len(items):
                    self._learn(int(number))
                    continue
                if kind in ("throttled", "transient"):
                    attempt += 1
                    if kind == "throttled":
                        s.throttled += 1
                    else:
                        ambiguous = True  # the write may have applied
                    if attempt > self.max_retries:
                        logger.warning(
                            "bulk: giving up on %d records after %d attempts: %s",
                            len(items),
                            attempt,
                            exc,
                        )
                        self.fail(items, exc)
                        self.progress()
                        return
                    await asyncio.sleep(self._backoff(attempt, number))
                    continue
                if kind == "fatal":
                    if s.abort is None:
                        logger.error("bulk: aborting, the server refused the batch: %s", exc)
                        s.abort = exc
                    self.fail(items, exc)
                    self.progress()
                    return
                # content (or a limit the chunk already respects): isolate the bad records
                if len(items) == 1:
                    self.fail(items, exc)
                    self.progress()
                    return
                hinted = _hinted_indexes(exc, len(items))
                if hinted:
                    # The server named the offending records (variable coercion errors): send
                    # each alone (to get its own error) and the rest together.
                    for i in hinted:
                        await self.run_chunk([items[i]], ambiguous)
                    rest = [it for i, it in enumerate(items) if i not in hinted]
                    if rest:
                        await self.run_chunk(rest, ambiguous)
                    return
                mid = len(items) // 2
                await self.run_chunk(items[:mid], ambiguous)
                await self.run_chunk(items[mid:], ambiguous)
                return
            del s.in_flight[ticket]
            self.succeed(items, returned)
            self.progress()
            return

    def _learn(self, limit: int) -> None:
        s = self.state
        if limit < s.batch_size:
            logger.info("bulk: server batch limit is %d (was using %d)", limit, s.batch_size)
            s.batch_size = limit
        try:
            if limit < self.client.batch_size:
                self.client.batch_size = limit
        except AttributeError:  # a client without the attribute: remember locally only
            pass

    def _backoff(self, attempt: int, hint: float) -> float:
        ceiling = min(self.retry_cap, self.retry_base * (2 ** (attempt - 1)))
        return max(hint, self._rng.uniform(0, ceiling))

    # the pipeline -----------------------------------------------------------------------------

    async def run(self, source: AsyncIterable[_Item]) -> None:
        queue: asyncio.Queue[list[_Item] | None] = asyncio.Queue(maxsize=self.concurrency)

        async def worker() -> None:
            while True:
                chunk = await queue.get()
                if chunk is None:
                    return
                await self.run_chunk(chunk, self.resumed)

        async def produce() -> None:
            chunk: list[_Item] = []
            async for item in source:
                if self.state.abort is not None:
                    self.fail([item], self.state.abort)
                    continue
                chunk.append(item)
                if len(chunk) >= self.state.batch_size:
                    await queue.put(chunk)
                    chunk = []
            if chunk:
                await queue.put(chunk)
            for _ in range(self.concurrency):
                await queue.put(None)

        tasks = [asyncio.ensure_future(produce())]
        tasks += [asyncio.ensure_future(worker()) for _ in range(self.concurrency)]
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

    def result(self, total: int) -> BulkResult[R]:
        s = self.state
        s.failures.sort(key=lambda f: f.index)
        order = sorted(s.landed)
        records: list[R | None] = [s.landed[i] for i in order]
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
            in_flight=sorted(it.index for items in s.in_flight.values() for it in items),
        )


# Wire failures and garbled answers (a truncated body): the write may or may not have applied.
_TRANSPORT_NAMES = (
    "TransportError",
    "ConnectionDropped",
    "ConnectError",
    "Timeout",
    "Disconnect",
    "DecodeError",
)


def _is_transport_error(exc: BaseException) -> bool:
    """A failure on the wire (the runtime may mark it non-retryable for a non-idempotent write,
    but bulk knows how to resend it safely)."""
    if isinstance(exc, (OSError, TimeoutError, asyncio.TimeoutError)):
        return True
    return any(any(n in cls.__name__ for n in _TRANSPORT_NAMES) for cls in type(exc).__mro__)


# graphql-core 3.3: "Variable '$data' has invalid value at [3].employees: ..."
# graphql-core 3.2: "Variable '$data' got invalid value ...; ... at 'data[3].employees'"
_VAR_INDEX_RE = re.compile(r"Variable '\$data' .*?(?:at \[|at 'data\[)(\d+)\]")


def _hinted_indexes(exc: BaseException, size: int) -> list[int]:
    """Chunk positions the server's error messages name as invalid (may be empty)."""
    messages = [str(exc)]
    for err in getattr(exc, "errors", None) or ():
        msg = err.get("message") if isinstance(err, Mapping) else getattr(err, "message", None)
        if isinstance(msg, str):
            messages.append(msg)
    found = {int(m.group(1)) for msg in messages for m in _VAR_INDEX_RE.finditer(msg)}
    hinted = sorted(i for i in found if 0 <= i < size)
    return hinted if len(hinted) < size else []


def _extract(result: Callable[[Any], Sequence[Any] | None], data: Any) -> Sequence[Any] | None:
    """Apply the caller's ``result`` picker; the write has landed even if the picker fails."""
    try:
        return result(data)
    except Exception:
        logger.warning("bulk: the result picker raised; records landed but are not returned")
        return None


def _client_wait_count(client: object) -> int:
    """Throttling waits the client absorbed: its scheduler's pacing waits plus the throttling
    answers it retried (``TwentyClient.scheduler.waits`` / ``stats["throttled"]``)."""
    total = 0
    scheduler = getattr(client, "scheduler", None)
    waits = getattr(scheduler, "waits", None)
    if isinstance(waits, int) and not isinstance(waits, bool):
        total += waits
    stats = getattr(client, "stats", None)
    if isinstance(stats, Mapping):
        throttled = stats.get("throttled")
        if isinstance(throttled, int) and not isinstance(throttled, bool):
            total += throttled
    return total


def _get_id(obj: Any) -> str | None:
    if isinstance(obj, (str, uuid.UUID)):
        return str(obj).lower()
    value = obj.get("id") if isinstance(obj, Mapping) else getattr(obj, "id", None)
    if value is None:
        return None
    return str(value).lower()


def _has_value(value: Any) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, Mapping):
        return any(_has_value(v) for v in value.values())
    return True


def _has_unique_key(record: Mapping[str, Any], unique_fields: Sequence[str]) -> bool:
    """Whether the record carries a non-empty value for one of the upsert keys.

    Names may be dotted (``"domainName.primaryLinkUrl"``) to require a composite sub-field;
    a plain composite name counts when any of its sub-fields has a value.
    """
    for name in unique_fields:
        value: Any = record
        for part in name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if _has_value(value):
            return True
    return False


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


# -- public API --------------------------------------------------------------------------------


async def create_many(
    client: _BulkClient,
    op: Operation[T],
    records: Iterable[Mapping[str, Any]] | AsyncIterable[Mapping[str, Any]],
    *,
    upsert: bool,
    result: Callable[[T], Sequence[R] | None],
    unique_fields: Sequence[str] = (),
    batch_size: int | None = None,
    concurrency: int | None = None,
    on_progress: Callable[[BulkProgress], object] | None = None,
    checkpoint: str | Any | None = None,
    keep_records: bool = True,
    max_retries: int = 8,
    retry_base: float = 0.25,
    retry_cap: float = 8.0,
) -> BulkResult[R]:
    """Create (or upsert) any number of records through a ``create<Plural>`` operation.

    Args:
        client: a ``TwentyClient`` (anything with ``execute`` and ``batch_size``).
        op: the generated ``create<Plural>`` operation (variables ``data`` and ``upsert``).
        records: create-input mappings: a list, any iterable, or an async iterable.
        upsert: send ``upsert: true`` (update records matching by id or a unique field).
        result: picks the list of created records out of the decoded ``op`` result.
        unique_fields: create-input keys acting as upsert keys (``"domainName"`` or dotted
            ``"domainName.primaryLinkUrl"``); upserted records carrying one keep no generated id.
        batch_size: records per request (default ``client.batch_size``).
        concurrency: requests in flight at most (default ``client.max_concurrency``).
        on_progress: called with a :class:`BulkProgress` after every request.
        checkpoint: path of a checkpoint journal; rerunning with the same path and input skips
            what already landed (raises :class:`CheckpointMismatchError` for another input).
        keep_records: keep the returned records (set False for huge imports: memory stays flat).
        max_retries: resends of one chunk after throttling / transport failures the client
            could not absorb.
    Returns:
        a :class:`BulkResult`; failures are reported in it, never silently dropped.
    """
    size, conc = _resolve_sizes(client, batch_size, concurrency)
    if not isinstance(upsert, bool):
        raise TypeError(f"upsert must be a bool, got {type(upsert).__name__}")
    if isinstance(unique_fields, str):
        raise TypeError("unique_fields must be a sequence of field names, not a string")
    if isinstance(records, (Mapping, str, bytes)) or not isinstance(
        records, (Iterable, AsyncIterable)
    ):
        raise TypeError(
            "records must be a list, iterable or async iterable of create-input mappings, "
            f"got {type(records).__name__}"
        )
    _check_callables(result=result, on_progress=on_progress)
    total = len(records) if isinstance(records, Sequence) else None
    journal = (
        Checkpoint(checkpoint, operation=op.name, upsert=upsert) if checkpoint is not None else None
    )

    async def send(items: list[_Item], ambiguous: bool) -> Sequence[Any] | None:
        as_upsert = upsert or ambiguous
        variables = {"data": [it.payload for it in items], "upsert": as_upsert}
        data = await client.execute(op, variables, idempotent=as_upsert)
        return _extract(result, data)

    engine: _Engine[R] = _Engine(
        client,
        send,
        batch_size=size,
        concurrency=conc,
        total=total,
        on_progress=on_progress,
        checkpoint=journal,
        keep_records=keep_records,
        max_retries=max_retries,
        retry_base=retry_base,
        retry_cap=retry_cap,
        match_by_id=True,
        learn_limit=True,
    )

    def prepare(index: int, record: Any, digest: bytes | None = None) -> _Item | None:
        if not isinstance(record, Mapping):
            engine.fail(
                [_Item(index, None, record)],
                InvalidRecordError(
                    f"record {index} is a {type(record).__name__}, expected a mapping of "
                    "create-input fields"
                ),
            )
            return None
        if digest is None:
            digest = record_digest(record) if journal is not None else b""
        payload = dict(record)
        if payload.get("id") is None and not (upsert and _has_unique_key(payload, unique_fields)):
            payload["id"] = (
                journal.client_id(index, digest) if journal is not None else str(uuid.uuid4())
            )
        return _Item(index, payload, record, digest)

    count = 0

    async def items() -> AsyncIterable[_Item]:
        nonlocal count
        # On a resumed run, hold the records that still have to be sent until every journaled
        # position has been read and checked against the input (nothing is sent for an input
        # that is not the one the checkpoint was written for).
        pending: list[_Item] | None = [] if journal is not None and journal.resumed else None
        source: AsyncIterable[Any] = _aiter(records)
        async for record in source:
            index = count
            count += 1
            if pending is None:
                item = prepare(index, record)
                if item is not None:
                    yield item
                continue
            assert journal is not None
            if not isinstance(record, Mapping):
                item = prepare(index, record)  # reported as invalid
            else:
                digest = record_digest(record)
                if journal.covered(index, digest):
                    engine.state.skipped += 1
                    item = None
                else:
                    item = prepare(index, record, digest)
            if item is not None:
                pending.append(item)
            if count >= journal.max_end:
                journal.verify_complete()
                held, pending = pending, None
                for item in held:
                    yield item
        if pending is not None:
            assert journal is not None
            journal.verify_complete()
            for item in pending:
                yield item

    try:
        await engine.run_or_report(items(), lambda: count)
    finally:
        if journal is not None:
            journal.close()
    engine.progress()
    return engine.result(count)


def _ids_sender(
    client: _BulkClient,
    op: Operation[T],
    extra: Mapping[str, Any],
    result: Callable[[T], Sequence[Any] | None],
) -> _Sender:
    async def send(items: list[_Item], ambiguous: bool) -> Sequence[Any] | None:
        variables = {**extra, "filter": {"id": {"in": [it.payload for it in items]}}}
        data = await client.execute(op, variables, idempotent=True)
        return _extract(result, data)

    return send


async def _by_ids(
    client: _BulkClient,
    op: Operation[T],
    ids: Iterable[str | uuid.UUID] | AsyncIterable[str | uuid.UUID],
    extra: Mapping[str, Any],
    result: Callable[[T], Sequence[R] | None],
    batch_size: int | None,
    concurrency: int | None,
    on_progress: Callable[[BulkProgress], object] | None,
    max_retries: int,
) -> BulkResult[R]:
    size, conc = _resolve_sizes(client, batch_size, concurrency)
    if isinstance(ids, (Mapping, str, bytes)) or not isinstance(ids, (Iterable, AsyncIterable)):
        raise TypeError(f"ids must be an iterable of record ids, got {type(ids).__name__}")
    _check_callables(result=result, on_progress=on_progress)
    engine: _Engine[R] = _Engine(
        client,
        _ids_sender(client, op, extra, result),
        batch_size=size,
        concurrency=conc,
        total=len(ids) if isinstance(ids, Sequence) else None,
        on_progress=on_progress,
        checkpoint=None,
        keep_records=True,
        max_retries=max_retries,
        retry_base=0.25,
        retry_cap=8.0,
        match_by_id=True,
        learn_limit=True,
    )
    count = 0

    async def items() -> AsyncIterable[_Item]:
        nonlocal count
        async for raw in _aiter(ids):
            index = count
            count += 1
            text = ""
            if isinstance(raw, (str, uuid.UUID)):
                try:
                    text = str(uuid.UUID(str(raw)))
                except ValueError:
                    text = ""
            if not text:
                engine.fail(
                    [_Item(index, raw, raw)],
                    InvalidRecordError(f"id {index} is not a UUID: {raw!r}"),
                )
                continue
            yield _Item(index, text, raw)

    await engine.run_or_report(items(), lambda: count)
    engine.progress()
    return engine.result(count)


async def update_many(
    client: _BulkClient,
    op: Operation[T],
    ids: Iterable[str | uuid.UUID] | AsyncIterable[str | uuid.UUID],
    data: Mapping[str, Any],
    *,
    result: Callable[[T], Sequence[R] | None],
    batch_size: int | None = None,
    concurrency: int | None = None,
    on_progress: Callable[[BulkProgress], object] | None = None,
    max_retries: int = 8,
) -> BulkResult[R]:
    """Apply the same ``data`` to records by id, via ``update<Plural>(data, filter)`` in chunks.

    Updates by id are idempotent, so throttled or dropped chunks are resent as they are. The
    result's ``records`` are the updated records matched back to the input ids; ids the server
    did not return (no such record) appear with ``None``.
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a mapping of update-input fields, got {type(data).__name__}")
    return await _by_ids(
        client,
        op,
        ids,
        {"data": dict(data)},
        result,
        batch_size,
        concurrency,
        on_progress,
        max_retries,
    )


async def delete_many(
    client: _BulkClient,
    op: Operation[T],
    ids: Iterable[str | uuid.UUID] | AsyncIterable[str | uuid.UUID],
    *,
    result: Callable[[T], Sequence[R] | None],
    batch_size: int | None = None,
    concurrency: int | None = None,
    on_progress: Callable[[BulkProgress], object] | None = None,
    max_retries: int = 8,
) -> BulkResult[R]:
    """Soft-delete (or, given a ``destroy<Plural>`` / ``restore<Plural>`` op, destroy or
    restore) records by id in chunks through the operation's ``filter`` argument."""
    return await _by_ids(
        client, op, ids, {}, result, batch_size, concurrency, on_progress, max_retries
    )
