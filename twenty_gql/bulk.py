"""Bulk writes that lose nothing: chunking, concurrency, idempotent retries, per-record outcomes.

Twenty takes at most N records per ``create<Plural>`` call (60 by default), charges one
rate-limit token per call, and answers a bad batch with one error for the whole batch.
:func:`create_many` turns any number of records into a stream of calls that

* streams the input (a list, any iterable, or an async iterable) into chunks of the batch size
  (``batch_size`` or ``client.batch_size``); when the server answers *"Maximum number of records
  to upsert is N."* the chunk is re-split at N and ``client.learn_batch_limit(N)`` keeps it;
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
* rides out outages: while the client's circuit is open (``ServiceUnavailableError``) nothing
  new is sent and the run waits for the circuit's probes, up to ``outage_tolerance`` seconds;
  beyond it (or past ``deadline``) the run stops and reports every record it did not land as
  ``not_attempted`` or ``unknown`` (a rerun with the checkpoint lands them exactly once);
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

import time
import uuid
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from twenty_gql._bulk_engine import (
    EngineOptions,
    _aiter,
    _BulkClient,
    _check_callables,
    _Engine,
    _extract,
    _has_unique_key,
    _Item,
    _resolve_sizes,
    _Sender,
    retry_policy,
)
from twenty_gql._bulk_result import (
    BulkFailure,
    BulkFailuresError,
    BulkProgress,
    BulkResult,
    InvalidRecordError,
    partial_result,
)
from twenty_gql._checkpoint import Checkpoint, CheckpointMismatchError, record_digest
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

T = TypeVar("T")
R = TypeVar("R")

#: seconds a bulk run waits for an unreachable server before it stops (``outage_tolerance``)
DEFAULT_OUTAGE_TOLERANCE = 60.0


def _options(
    client: object,
    max_retries: int,
    base: float | None,
    cap: float | None,
    outage_tolerance: float,
    deadline: float | None,
) -> EngineOptions:
    for name, value in (("outage_tolerance", outage_tolerance), ("deadline", deadline)):
        if value is not None and (
            not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0
        ):
            raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
    clock = time.monotonic
    return EngineOptions(
        retry=retry_policy(client, max_retries, base, cap),
        outage_tolerance=float(outage_tolerance),
        deadline=None if deadline is None else clock() + float(deadline),
        clock=clock,
    )


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
    retry_base: float | None = None,
    retry_cap: float | None = None,
    outage_tolerance: float = DEFAULT_OUTAGE_TOLERANCE,
    deadline: float | None = None,
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
        max_retries: resends of one chunk after transport failures the client could not
            absorb, on the client's ``RetryPolicy`` (``retry_base`` / ``retry_cap`` override
            its backoff); throttling waits are bounded by its ``max_throttle_wait``.
        outage_tolerance: seconds to wait for the server while the client's circuit is open
            (nothing new is sent meanwhile); beyond it the run stops and reports the rest as
            ``not_attempted`` / ``unknown``.
        deadline: seconds the whole run may take; then it stops the same way.
    Returns:
        a :class:`BulkResult`; failures are reported in it, never silently dropped.
    """
    size, conc = _resolve_sizes(client, batch_size, concurrency)
    _check_create_args(records, upsert, unique_fields)
    _check_callables(result=result, on_progress=on_progress)
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
        total=len(records) if isinstance(records, Sequence) else None,
        on_progress=on_progress,
        checkpoint=journal,
        keep_records=keep_records,
        options=_options(client, max_retries, retry_base, retry_cap, outage_tolerance, deadline),
        match_by_id=True,
        learn_limit=True,
    )
    source = _CreateSource(engine, journal, upsert, unique_fields)
    try:
        await engine.run_or_report(source.items(records), lambda: source.count)
    finally:
        if journal is not None:
            journal.close()
    engine.progress()
    return engine.result(source.count)


def _check_create_args(records: object, upsert: object, unique_fields: object) -> None:
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


class _CreateSource(Generic[R]):
    """The input records of ``create_many`` as items to send: a client id where needed, the
    checkpoint consulted on a resumed run, invalid records reported (never sent)."""

    def __init__(
        self,
        engine: _Engine[R],
        journal: Checkpoint | None,
        upsert: bool,
        unique_fields: Sequence[str],
    ) -> None:
        self.engine, self.journal = engine, journal
        self.upsert, self.unique_fields = upsert, unique_fields
        self.count = 0

    def prepare(self, index: int, record: Any, digest: bytes | None = None) -> _Item | None:
        if not isinstance(record, Mapping):
            self.engine.fail(
                [_Item(index, None, record)],
                InvalidRecordError(
                    f"record {index} is a {type(record).__name__}, expected a mapping of "
                    "create-input fields"
                ),
            )
            return None
        journal = self.journal
        if digest is None:
            digest = record_digest(record) if journal is not None else b""
        payload = dict(record)
        keyed = self.upsert and _has_unique_key(payload, self.unique_fields)
        if payload.get("id") is None and not keyed:
            payload["id"] = (
                journal.client_id(index, digest) if journal is not None else str(uuid.uuid4())
            )
        return _Item(index, payload, record, digest)

    async def items(self, records: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterable[_Item]:
        journal = self.journal
        if journal is not None and journal.resumed:
            async for held in self._resumed(records, journal):
                yield held
            return
        async for record in _aiter(records):
            index = self.count
            self.count += 1
            item = self.prepare(index, record)
            if item is not None:
                yield item

    async def _resumed(
        self, records: Iterable[Any] | AsyncIterable[Any], journal: Checkpoint
    ) -> AsyncIterable[_Item]:
        """Hold the records that still have to be sent until every journaled position has
        been read and checked against the input (nothing is sent for an input that is not
        the one the checkpoint was written for)."""
        pending: list[_Item] | None = []
        async for record in _aiter(records):
            index = self.count
            self.count += 1
            item = self._unless_landed(index, record, journal)
            if pending is None:
                if item is not None:
                    yield item
                continue
            if item is not None:
                pending.append(item)
            if self.count >= journal.max_end:
                journal.verify_complete()
                held, pending = pending, None
                for held_item in held:
                    yield held_item
        if pending is not None:
            journal.verify_complete()
            for held_item in pending:
                yield held_item

    def _unless_landed(self, index: int, record: Any, journal: Checkpoint) -> _Item | None:
        if not isinstance(record, Mapping):
            return self.prepare(index, record)  # reported as invalid
        digest = record_digest(record)
        if journal.covered(index, digest):
            self.engine.state.skipped += 1
            return None
        return self.prepare(index, record, digest)


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
    outage_tolerance: float,
    deadline: float | None,
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
        options=_options(client, max_retries, None, None, outage_tolerance, deadline),
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
    outage_tolerance: float = DEFAULT_OUTAGE_TOLERANCE,
    deadline: float | None = None,
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
        outage_tolerance,
        deadline,
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
    outage_tolerance: float = DEFAULT_OUTAGE_TOLERANCE,
    deadline: float | None = None,
) -> BulkResult[R]:
    """Soft-delete (or, given a ``destroy<Plural>`` / ``restore<Plural>`` op, destroy or
    restore) records by id in chunks through the operation's ``filter`` argument."""
    return await _by_ids(
        client,
        op,
        ids,
        {},
        result,
        batch_size,
        concurrency,
        on_progress,
        max_retries,
        outage_tolerance,
        deadline,
    )
