"""Bulk writes that lose nothing: chunking, concurrency, idempotent retries, per-record outcomes.

Twenty takes at most N records per ``create<Plural>`` call (60 by default), charges one
rate-limit token per call, and answers a bad batch with one error for the whole batch.
:func:`create_many` turns any number of records into a stream of calls that

* streams the input (a list, any iterable, or an async iterable) into chunks of the batch size
  (``batch_size`` or ``client.batch_size``); when the server answers *"Maximum number of records
  to upsert is N."* the chunk is re-split at N and ``client.learn_batch_limit(N)`` keeps it;
* keeps at most ``concurrency`` chunks in flight (bounded memory whatever the input length); the
  client's scheduler paces them under Twenty's rate limits;
* finds input records sharing a unique key (``unique_fields``: id, e-mail, domain...) before
  anything is sent and handles them by ``on_duplicate`` (``"error"`` / ``"first"`` / ``"last"``);
* makes every resend safe: a record without ``id`` gets a client-generated UUID before its first
  send, so a chunk resent after a dropped connection upserts onto what the first attempt wrote
  (and the id the server answers with tells ``created`` from ``updated``). A plain create
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
* returns a :class:`BulkResult`: an :class:`Outcome` per input position, the server's records
  in input order, one :class:`BulkFailure` (input index, record, typed error) per failed
  record, counts, and :meth:`BulkResult.raise_for_failures`. Nothing is silently dropped;
* optionally reports progress (:class:`BulkProgress`) and journals landed records to a
  checkpoint file so a killed run can be rerun to the same final state (see
  ``twenty_gql._checkpoint``).

:func:`update_many` and :func:`delete_many` chunk a list of ids through the ``filter:
{id: {in: [...]}}`` form of ``update<Plural>`` / ``delete<Plural>`` (and ``destroy`` /
``restore``) with the same retry, bisect and outcome rules. (For per-record *different*
updates, upsert records that carry their ``id`` with :func:`create_many`.)
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Literal, TypeVar, overload

from twenty_gql._bulk_engine import (
    EngineOptions,
    _aiter,
    _BulkClient,
    _check_callables,
    _Engine,
    _extract,
    _get_id,
    _Item,
    _resolve_sizes,
    _Sender,
    retry_policy,
)
from twenty_gql._bulk_result import (
    BulkEntry,
    BulkFailure,
    BulkFailuresError,
    BulkProgress,
    BulkResult,
    BulkWriteError,
    DuplicateInInputError,
    InvalidRecordError,
    Outcome,
    partial_result,
)
from twenty_gql._checkpoint import Checkpoint, CheckpointMismatchError, record_digest
from twenty_gql.operation import Operation

__all__ = [
    "BoundBulkCreator",
    "BulkCreator",
    "BulkEntry",
    "BulkFailure",
    "BulkFailuresError",
    "BulkProgress",
    "BulkResult",
    "BulkWriteError",
    "CheckpointMismatchError",
    "DuplicateInInputError",
    "InvalidRecordError",
    "OnDuplicate",
    "Outcome",
    "create_many",
    "delete_many",
    "normalise_unique_value",
    "partial_result",
    "update_many",
]

T = TypeVar("T")
R = TypeVar("R")
I = TypeVar("I")  # noqa: E741 - the create-input type

#: what ``create_many`` does with input records sharing a unique key (see :func:`create_many`)
OnDuplicate = Literal["error", "first", "last"]

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
    records: Iterable[I] | AsyncIterable[I],
    *,
    upsert: bool,
    result: Callable[[T], Sequence[R] | None],
    unique_fields: Sequence[str] = (),
    on_duplicate: OnDuplicate = "error",
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
) -> BulkResult[R, I]:
    """Create (or upsert) any number of records through a ``create<Plural>`` operation.

    Args:
        client: a ``TwentyClient`` (anything with ``execute`` and ``batch_size``).
        op: the generated ``create<Plural>`` operation (variables ``data`` and ``upsert``).
        records: create-input mappings: a list, any iterable, or an async iterable.
        upsert: send ``upsert: true`` (update records matching by id or a unique field).
        result: picks the list of created records out of the decoded ``op`` result.
        unique_fields: create-input keys acting as upsert keys (``"domainName"``, ``"emails"``,
            ``"id"`` or dotted ``"domainName.primaryLinkUrl"``); input records sharing one are
            found before anything is sent and handled by ``on_duplicate``.
        on_duplicate: ``"error"`` (default): a record repeating a unique key of an earlier
            input record fails with :class:`DuplicateInInputError` (the first one is sent);
            ``"first"``: the first occurrence is sent, later twins get the outcome
            ``duplicate_in_input`` pointing at it; ``"last"``: the last occurrence's data is
            sent, earlier twins point at it (a non-sequence input is read into a list first,
            since the last occurrence is only known at the end).
        batch_size: records per request (default ``client.batch_size``).
        concurrency: requests in flight at most (default ``client.max_concurrency``).
        on_progress: called with a :class:`BulkProgress` after every request.
        checkpoint: path of a checkpoint journal; rerunning with the same path and input skips
            what already landed (raises :class:`CheckpointMismatchError` for another input).
        keep_records: keep the returned and input records (False for huge imports: memory stays
            flat; counts and per-position outcomes stay exact).
        max_retries: resends of one chunk after transport failures the client could not
            absorb, on the client's ``RetryPolicy`` (``retry_base`` / ``retry_cap`` override
            its backoff); throttling waits are bounded by its ``max_throttle_wait``.
        outage_tolerance: seconds to wait for the server while the client's circuit is open
            (nothing new is sent meanwhile); beyond it the run stops and reports the rest as
            ``not_attempted`` / ``unknown``.
        deadline: seconds the whole run may take; then it stops the same way.
    Returns:
        a :class:`BulkResult` with one :class:`Outcome` per input position; failures are
        reported in it, never silently dropped.
    """
    size, conc = _resolve_sizes(client, batch_size, concurrency)
    _check_create_args(records, upsert, unique_fields)
    if on_duplicate not in ("error", "first", "last"):
        raise ValueError(f"on_duplicate must be 'error', 'first' or 'last', got {on_duplicate!r}")
    _check_callables(result=result, on_progress=on_progress)
    journal = (
        Checkpoint(checkpoint, operation=op.name, upsert=upsert) if checkpoint is not None else None
    )
    lookup = _lookup_op(op) if upsert else None

    async def send(items: list[_Item], ambiguous: bool) -> Sequence[Any] | None:
        as_upsert = upsert or ambiguous
        if lookup is not None:
            await _note_existing(client, lookup, items)
        variables = {"data": [it.payload for it in items], "upsert": as_upsert}
        data = await client.execute(op, variables, idempotent=as_upsert)
        return _extract(result, data)

    def classify(item: _Item, row: Any, as_upsert: bool) -> Outcome:
        return _classify_create(item, row, as_upsert, upsert)

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
        upsert=upsert,
        classify=classify,
    )
    dedup = _Dedup(unique_fields, on_duplicate)
    source = _CreateSource(engine, journal, dedup)
    try:
        await engine.run_or_report(source.items(records), lambda: source.count)
    finally:
        if journal is not None:
            journal.close()
    engine.progress()
    return engine.result(source.count)


def _classify_create(item: _Item, row: Any, as_upsert: bool, upsert: bool) -> Outcome:
    """Created or updated, from the id the server answered with.

    Every record sent without an id carries a client-generated one: the same id back means
    the record was inserted (also when a resend upserted onto what an earlier attempt of this
    run inserted), another id means an upsert matched an existing record by a unique field
    (Twenty answers with the matched record's id). A record carrying the caller's own id was
    looked up (``id in [...]``) before its first send.
    """
    if not as_upsert:
        return Outcome.CREATED  # a plain create that succeeded inserted every record
    if row is None:
        return Outcome.UNKNOWN  # landed, but the server's answer did not say how
    if _get_id(row) != _get_id(item.payload):
        return Outcome.UPDATED
    if item.client_id is not None or not upsert:
        return Outcome.CREATED
    if item.existed is None:
        return Outcome.UNKNOWN
    return Outcome.UPDATED if item.existed else Outcome.CREATED


def _lookup_op(op: Operation[Any]) -> Operation[dict[str, Any]] | None:
    """A query of the ids that exist among a chunk's own ids, on the object ``op`` creates."""
    root = op.root_fields[0] if op.root_fields else ""
    if not root.startswith("create") or len(root) <= len("create"):
        return None
    plural = root[len("create")].lower() + root[len("create") + 1 :]
    if not plural.isidentifier():
        return None
    return Operation(
        name="TwentyGqlBulkExistingIds",
        document=(
            "query TwentyGqlBulkExistingIds($ids: [UUID], $first: Int) { "
            f"{plural}(filter: {{id: {{in: $ids}}}}, first: $first) "
            "{ edges { node { id } } } }"
        ),
        endpoint="graphql",
        kind="query",
        root_fields=(plural,),
        result_type=dict,
        idempotent=True,
    )


_LOOKUP_PAGE = 50


async def _note_existing(
    client: _BulkClient, lookup: Operation[dict[str, Any]], items: list[_Item]
) -> None:
    """Set ``existed`` on the items carrying the caller's own id that were not looked up yet
    (once per item: a resend keeps what the first attempt saw)."""
    todo = [it for it in items if it.client_id is None and it.existed is None]
    wanted: list[tuple[_Item, str]] = []
    for it in todo:
        rid = _get_id(it.payload)
        if rid is not None and _is_uuid(rid):
            wanted.append((it, rid))
        else:
            it.existed = False  # not a UUID: the write itself rejects it
    # ``existed`` is set only from an answer: a failed lookup is redone with the resend
    for start in range(0, len(wanted), _LOOKUP_PAGE):
        part = wanted[start : start + _LOOKUP_PAGE]
        ids = [rid for _, rid in part]
        data = await client.execute(lookup, {"ids": ids, "first": len(ids)}, idempotent=True)
        conn = data.get(lookup.root_fields[0]) if isinstance(data, Mapping) else None
        edges = conn.get("edges") if isinstance(conn, Mapping) else None
        found = {
            _get_id(e.get("node"))
            for e in edges or ()
            if isinstance(e, Mapping) and isinstance(e.get("node"), Mapping)
        }
        for it, rid in part:
            it.existed = rid in found


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


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


# -- duplicate keys inside one input ------------------------------------------------------------

#: sub-fields of Twenty's composite fields that take part in a unique index
#: (``isIncludedInUniqueConstraint``: LINKS, EMAILS, PHONES)
_UNIQUE_PARTS = (
    "primaryLinkUrl",
    "primaryEmail",
    "primaryPhoneNumber",
    "primaryPhoneCountryCode",
    "primaryPhoneCallingCode",
)

_Key = tuple[str, Any]


def normalise_unique_value(part: str, value: Any) -> Any:
    """A unique value as Twenty stores it: ``transformEmailsValue`` lower-cases e-mails;
    ``transformLinksValue`` lower-cases a URL's scheme and host and drops a trailing slash
    (``lowercaseUrlOriginAndRemoveTrailingSlash``). Everything else compares exactly."""
    if not isinstance(value, str):
        return value
    if part == "primaryEmail":
        return value.lower()
    if part == "primaryLinkUrl":
        scheme = value.find("://")
        start = scheme + 3 if scheme >= 0 else 0
        end = len(value)
        for stop in "/?#":
            at = value.find(stop, start)
            if 0 <= at < end:
                end = at
        return (value[:end].lower() + value[end:]).rstrip("/")
    if part == "id":
        try:
            return str(uuid.UUID(value))
        except ValueError:
            return value
    return value


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _key_of(name: str, record: Mapping[str, Any]) -> Any:
    """The normalised key of unique field ``name`` in ``record``, None when it has none."""
    value: Any = record
    parts = name.split(".") if "." in name else (name,)
    for part in parts:
        value = value.get(part) if type(value) is dict or isinstance(value, Mapping) else None
    if value is None or value == "":
        return None
    if type(value) is str:
        return normalise_unique_value(parts[-1], value)
    if isinstance(value, uuid.UUID):
        value = str(value)
    if type(value) is dict or isinstance(value, Mapping):
        subs = [p for p in _UNIQUE_PARTS if p in value]
        if not subs or not any(_present(value[p]) for p in subs if p in _UNIQUE_PARTS[:3]):
            return None
        return tuple((p, normalise_unique_value(p, value[p])) for p in subs)
    if not _present(value) or isinstance(value, (list, dict)):
        return None
    return normalise_unique_value(parts[-1], value)


class _Dedup:
    """Finds input records sharing a unique key, before anything is sent."""

    def __init__(self, unique_fields: Sequence[str], policy: OnDuplicate) -> None:
        self.fields = tuple(unique_fields)
        self.policy = policy
        self.seen: dict[bytes, int] = {}
        self.winner: dict[int, int] = {}

    @property
    def active(self) -> bool:
        return bool(self.fields)

    def keys(self, record: Mapping[str, Any]) -> list[_Key]:
        out: list[_Key] = []
        for name in self.fields:
            key = _key_of(name, record)
            if key is not None:
                out.append((name, key))
        return out

    def remembered(self, key: _Key) -> bytes:
        """``key`` as a 128-bit digest: what ``seen`` holds for every key of the input (about
        100 bytes a key; a false match is as likely as a collision of 128-bit hashes)."""
        name, value = key
        return hashlib.blake2b(f"{name}\0{value!r}".encode(), digest_size=16).digest()

    def plan_last(self, records: Sequence[Any]) -> None:
        """``on_duplicate="last"``: every position whose key occurs again later points at the
        last occurrence (chains through different keys end at the last record of the chain)."""
        last: dict[_Key, int] = {}
        for i, rec in enumerate(records):
            if isinstance(rec, Mapping):
                for key in self.keys(rec):
                    last[key] = i
        for i, rec in enumerate(records):
            if isinstance(rec, Mapping):
                w = max((last[k] for k in self.keys(rec)), default=i)
                if w != i:
                    self.winner[i] = w
        for i in list(self.winner):
            w = self.winner[i]
            while w in self.winner:
                w = self.winner[w]
            self.winner[i] = w

    def twin(self, index: int, record: Mapping[str, Any]) -> tuple[int, str, Any] | None:
        """The position ``record`` merges into (with the shared key), None to send it."""
        if not self.fields:
            return None
        if self.policy == "last":
            w = self.winner.get(index)
            return None if w is None else (w, "", None)
        keys = self.keys(record)
        compact = [self.remembered(k) for k in keys]
        for (name, value), text in zip(keys, compact, strict=True):
            first = self.seen.get(text)
            if first is not None:
                return first, name, value
        for text in compact:
            self.seen[text] = index
        return None


class _CreateSource(Generic[R]):
    """The input records of ``create_many`` as items to send: duplicates handled, a client id
    where needed, the checkpoint consulted on a resumed run, invalid records reported (never
    sent)."""

    def __init__(self, engine: _Engine[R], journal: Checkpoint | None, dedup: _Dedup) -> None:
        self.engine, self.journal, self.dedup = engine, journal, dedup
        self.count = 0

    def admit(self, index: int, record: Any) -> bool:
        """Keep the input, handle a duplicate; False when the record is not to be sent."""
        if not isinstance(record, Mapping):
            self.engine.fail(
                [_Item(index, None, record)],
                InvalidRecordError(
                    f"record {index} is a {type(record).__name__}, expected a mapping of "
                    "create-input fields"
                ),
            )
            return False
        self.engine.keep_input(index, record)
        twin = self.dedup.twin(index, record)
        if twin is None:
            return True
        into, name, value = twin
        if self.dedup.policy == "error":
            self.engine.fail(
                [_Item(index, None, record)], DuplicateInInputError(index, name, value, into)
            )
        else:
            self.engine.duplicate(index, into)
        return False

    def prepare(self, index: int, record: Mapping[str, Any], digest: bytes | None = None) -> _Item:
        journal = self.journal
        if digest is None:
            digest = record_digest(record) if journal is not None else b""
        payload = dict(record)
        client_id: str | None = None
        if payload.get("id") is None:
            client_id = (
                journal.client_id(index, digest) if journal is not None else str(uuid.uuid4())
            )
            payload["id"] = client_id
        return _Item(index, payload, record, digest, client_id=client_id)

    async def items(self, records: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterable[_Item]:
        if self.dedup.active and self.dedup.policy == "last":
            if not isinstance(records, Sequence):
                records = [r async for r in _aiter(records)]
                self.engine.total = len(records)
            self.dedup.plan_last(records)
        journal = self.journal
        if journal is not None and journal.resumed:
            async for held in self._resumed(records, journal):
                yield held
            return
        async for record in _aiter(records):
            index = self.count
            self.count += 1
            if self.admit(index, record):
                yield self.prepare(index, record)

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
        if not self.admit(index, record):
            return None
        digest = record_digest(record)
        if journal.covered(index, digest):
            self.engine.skip(index)
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
) -> BulkResult[R, Any]:
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
) -> BulkResult[R, Any]:
    """Apply the same ``data`` to records by id, via ``update<Plural>(data, filter)`` in chunks.

    Updates by id are idempotent, so throttled or dropped chunks are resent as they are. The
    result's ``records`` are the updated records matched back to the input ids (outcome
    ``updated``); an id the server did not return (no such record) has no record.
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
) -> BulkResult[R, Any]:
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


# -- the generated facades' ``create_many`` ------------------------------------------------------


class BulkCreator(Generic[R, I]):
    """``create_many`` of a generated record facade, bound in one line of the generated class::

        create_many: BulkCreator[Company, CompanyCreateInput] = BulkCreator(
            CREATE_COMPANIES_OP, lambda d: d.create_companies, unique_fields=("domainName", "id")
        )

    Read from a facade (``crm.companies.create_many``) it is a :class:`BoundBulkCreator`, whose
    call has explicit, typed keyword parameters (a misspelt one is a type error).
    """

    def __init__(
        self,
        op: Operation[T],
        result: Callable[[T], Sequence[R] | None],
        *,
        unique_fields: Sequence[str] = (),
        doc: str = "",
    ) -> None:
        self.op: Operation[Any] = op
        self.result: Callable[[Any], Sequence[R] | None] = result
        self.unique_fields = tuple(unique_fields)
        self.__doc__ = doc or BoundBulkCreator.__call__.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> BulkCreator[R, I]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> BoundBulkCreator[R, I]: ...
    def __get__(
        self, obj: object | None, owner: type | None = None
    ) -> BulkCreator[R, I] | BoundBulkCreator[R, I]:
        if obj is None:
            return self
        return BoundBulkCreator(self, getattr(obj, "_client"))  # noqa: B009 - the facade's client


class BoundBulkCreator(Generic[R, I]):
    """:class:`BulkCreator` bound to a facade's client: call it like :func:`create_many`."""

    __slots__ = ("_client", "_creator")

    def __init__(self, creator: BulkCreator[R, I], client: _BulkClient) -> None:
        self._creator = creator
        self._client = client

    async def __call__(
        self,
        records: Iterable[I] | AsyncIterable[I],
        *,
        upsert: bool = False,
        on_duplicate: OnDuplicate = "error",
        batch_size: int | None = None,
        concurrency: int | None = None,
        on_progress: Callable[[BulkProgress], object] | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        keep_records: bool = True,
        max_retries: int = 8,
        retry_base: float | None = None,
        retry_cap: float | None = None,
        outage_tolerance: float = DEFAULT_OUTAGE_TOLERANCE,
        deadline: float | None = None,
    ) -> BulkResult[R, I]:
        """Create or upsert any number of records, chunked to the server's batch limit, with an
        :class:`Outcome` per input position (see :func:`twenty_gql.bulk.create_many` for every
        parameter; ``on_duplicate`` handles input records sharing a unique key)."""
        c = self._creator
        return await create_many(
            self._client,
            c.op,
            records,
            upsert=upsert,
            result=c.result,
            unique_fields=c.unique_fields,
            on_duplicate=on_duplicate,
            batch_size=batch_size,
            concurrency=concurrency,
            on_progress=on_progress,
            checkpoint=checkpoint,
            keep_records=keep_records,
            max_retries=max_retries,
            retry_base=retry_base,
            retry_cap=retry_cap,
            outage_tolerance=outage_tolerance,
            deadline=deadline,
        )
