"""The outcome types of a bulk write (:mod:`twenty_gql.bulk`): per-record failures, progress
snapshots and the :class:`BulkResult` that accounts for every input position."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from twenty_gql.errors import TwentyError

__all__ = [
    "BulkEntry",
    "BulkFailure",
    "BulkFailuresError",
    "BulkProgress",
    "BulkResult",
    "BulkWriteError",
    "DuplicateInInputError",
    "InvalidRecordError",
    "Outcome",
    "partial_result",
]

R = TypeVar("R")
I = TypeVar("I")  # noqa: E741 - the input record type, as in ``BulkResult[R, I]``


class Outcome(str, enum.Enum):
    """What happened to one input position of a bulk write."""

    CREATED = "created"
    """A new record was inserted."""
    UPDATED = "updated"
    """An existing record was updated (an upsert matched it by id or by a unique field)."""
    FAILED = "failed"
    """The record did not land; ``error`` says why."""
    DUPLICATE_IN_INPUT = "duplicate_in_input"
    """Not sent: it shares a unique key with another input position (``duplicate_of``) that
    was sent in its place (``on_duplicate="first"`` or ``"last"``)."""
    NOT_ATTEMPTED = "not_attempted"
    """Never sent: the run stopped first (outage beyond ``outage_tolerance``, ``deadline``,
    cancellation)."""
    UNKNOWN = "unknown"
    """Sent, but whether it applied cannot be known (the connection died with the request in
    flight, then the run stopped). A rerun with the checkpoint lands it exactly once."""
    SKIPPED = "skipped"
    """Landed in an earlier run according to the checkpoint (not sent again)."""


_CODES: tuple[Outcome | None, ...] = (None, *Outcome)
_CODE_OF = {o: n for n, o in enumerate(_CODES) if o is not None}


class InvalidRecordError(TwentyError, TypeError):
    """An input record is not a mapping of create-input keys (reported per record, not sent)."""


class BulkWriteError(TwentyError):
    """A record failed with an error that is not a :class:`TwentyError` (a bug in a callback
    or the transport stack); the original is the ``__cause__``."""


class DuplicateInInputError(TwentyError, ValueError):
    """The record repeats a unique key of an earlier input record (``on_duplicate="error"``).

    ``field`` is the unique field (``"domainName"``, ``"emails"``, ``"id"``...), ``value`` the
    normalised key, ``first_index`` the input position that holds it first (and was sent).
    """

    code = "DUPLICATE_IN_INPUT"

    def __init__(self, index: int, field: str, value: Any, first_index: int) -> None:
        self.index, self.field, self.value, self.first_index = index, field, value, first_index
        shown = value[0] if isinstance(value, tuple) and len(value) == 1 else value
        super().__init__(
            f"record {index} repeats {field}={shown!r} of record {first_index} in the same input "
            "(on_duplicate='error'; pass on_duplicate='first' or 'last' to merge twins)"
        )


def typed_error(exc: BaseException) -> TwentyError:
    """``exc`` if it is a :class:`TwentyError`, else a :class:`BulkWriteError` caused by it."""
    if isinstance(exc, TwentyError):
        return exc
    err = BulkWriteError(f"{type(exc).__name__}: {exc}")
    err.__cause__ = exc
    return err


@dataclass(frozen=True)
class BulkFailure(Generic[I]):
    """One record that did not land: its position in the input, the record, and why."""

    index: int
    record: I
    error: TwentyError

    @property
    def reason(self) -> str:
        return str(self.error)

    @property
    def code(self) -> str | None:
        code = getattr(self.error, "code", None)
        return code if isinstance(code, str) else None


@dataclass(frozen=True)
class BulkEntry(Generic[R, I]):
    """The outcome of one input position (:meth:`BulkResult.entry`, iteration).

    ``record`` is the landed record (for a duplicate: the record of ``duplicate_of``), None when
    nothing landed or ``keep_records=False``; ``input`` the caller's record (None with
    ``keep_records=False`` unless it failed); ``error`` the typed error of a failure.
    """

    index: int
    outcome: Outcome
    record: R | None
    input: I | None
    error: TwentyError | None = None
    duplicate_of: int | None = None


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

    def __init__(
        self,
        failures: Sequence[BulkFailure[Any]],
        total: int,
        *,
        not_attempted: int = 0,
        unknown: int = 0,
        stopped: BaseException | None = None,
    ) -> None:
        self.failures = list(failures)
        self.not_attempted = not_attempted
        self.unknown = unknown
        self.stopped = stopped
        first = self.failures[:3]
        detail = "; ".join(f"#{f.index}: {f.reason}" for f in first)
        more = f" (and {len(self.failures) - 3} more)" if len(self.failures) > 3 else ""
        text = f"{len(self.failures)} of {total} records failed" + (
            f": {detail}{more}" if detail else ""
        )
        if not_attempted or unknown:
            text += (
                f"; the run stopped ({stopped}): {not_attempted} not attempted, "
                f"{unknown} with an unknown outcome (rerun with the checkpoint)"
            )
        super().__init__(text)


@dataclass
class BulkResult(Generic[R, I]):
    """The outcome of a bulk write, generic in the record type ``R`` the server returns and the
    input type ``I`` the caller sent (``BulkResult[Company, CompanyCreateInput]``).

    Every input position has exactly one :class:`Outcome` (:meth:`outcome`, :meth:`entry`,
    iteration, :attr:`counts`). ``records`` are the landed records in input order (never
    ``None``; ``indexes[i]`` is the input position of ``records[i]``). ``failures`` are sorted
    by index and carry the input record and a typed error. With ``keep_records=False`` records
    and inputs are not kept (memory stays flat: one byte per position for its outcome, plus the
    failures); counts and outcomes stay exact.

    A cancelled run raises ``asyncio.CancelledError`` as usual (never swallowed); the error
    carries the partial result as ``bulk_result``: what landed before the cancellation
    (``indexes``), what failed, and what was ``in_flight`` (outcome ``unknown``). ``total`` is
    then the number of input records read so far.
    """

    records: list[R]
    indexes: list[int]
    failures: list[BulkFailure[I]]
    total: int
    succeeded: int
    """Records that landed in this run (``created + updated``)."""
    skipped: int
    requests: int
    throttled: int
    batch_size: int
    in_flight: list[int] = field(default_factory=list)
    """Only in the partial result of a cancelled run (``CancelledError.bulk_result``): input
    positions whose request was in flight when the run was cancelled. They may or may not
    have landed; a rerun with the checkpoint resends them as upserts onto the same ids."""

    not_attempted: list[int] = field(default_factory=list)
    """Input positions never sent because the run stopped early (``stopped``): an outage longer
    than ``outage_tolerance`` or the ``deadline``. Rerun with the checkpoint to send them."""
    unknown: list[int] = field(default_factory=list)
    """Input positions whose write may or may not have applied (the connection died with the
    request in flight, then the run stopped). A rerun with the checkpoint resends them as
    upserts onto the same ids, so they land exactly once."""
    stopped: BaseException | None = None
    """Why the run stopped before sending everything (a ``ServiceUnavailableError`` or a
    ``DeadlineExceededError``), else None."""
    duplicates: dict[int, int] = field(default_factory=dict)
    """Input position -> the position it merged into (outcome ``duplicate_in_input``)."""
    codes: bytearray = field(default_factory=bytearray, repr=False)
    """One byte per input position: its :class:`Outcome` (internal encoding; use
    :meth:`outcome`)."""
    inputs: Mapping[int, I] = field(default_factory=dict, repr=False)
    """The input records by position (empty with ``keep_records=False``)."""
    counts: dict[Outcome, int] = field(default_factory=dict, init=False)
    """Positions per outcome; every :class:`Outcome` is a key."""
    _by_index: dict[int, R] = field(default_factory=dict, init=False, repr=False)
    _failure_at: dict[int, BulkFailure[I]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_index = dict(zip(self.indexes, self.records, strict=True))
        self._failure_at = {f.index: f for f in self.failures}
        counted = {o: 0 for o in Outcome}
        for code in range(1, len(_CODES)):
            outcome = _CODES[code]
            if outcome is not None:
                counted[outcome] = self.codes.count(code)
        self.counts = counted

    # counts -----------------------------------------------------------------------------------

    @property
    def created(self) -> int:
        return self.counts[Outcome.CREATED]

    @property
    def updated(self) -> int:
        return self.counts[Outcome.UPDATED]

    @property
    def duplicate_in_input(self) -> int:
        return self.counts[Outcome.DUPLICATE_IN_INPUT]

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        """Every position landed, merged into a twin (``on_duplicate="first"|"last"``) or was
        already landed per the checkpoint."""
        return not (self.failures or self.not_attempted or self.unknown)

    # per position -----------------------------------------------------------------------------

    def outcome(self, index: int) -> Outcome:
        """The outcome of input position ``index`` (IndexError outside ``range(total)``)."""
        if not 0 <= index < self.total:
            raise IndexError(f"input position {index} is outside 0..{self.total - 1}")
        code = self.codes[index] if index < len(self.codes) else 0
        found = _CODES[code]
        return Outcome.NOT_ATTEMPTED if found is None else found

    def entry(self, index: int) -> BulkEntry[R, I]:
        """Everything known about input position ``index``."""
        outcome = self.outcome(index)
        failure = self._failure_at.get(index)
        into = self.duplicates.get(index)
        record = self._by_index.get(into if into is not None else index)
        given = self.inputs.get(index)
        if given is None and failure is not None:
            given = failure.record
        return BulkEntry(
            index=index,
            outcome=outcome,
            record=record,
            input=given,
            error=failure.error if failure is not None else None,
            duplicate_of=into,
        )

    def __iter__(self) -> Iterator[BulkEntry[R, I]]:
        """Every input position's :class:`BulkEntry`, in input order."""
        for index in range(self.total):
            yield self.entry(index)

    def __len__(self) -> int:
        return self.total

    def indexes_with(self, outcome: Outcome) -> list[int]:
        """The input positions with ``outcome``, ascending."""
        code = _CODE_OF[outcome]
        return [
            i for i in range(self.total) if (self.codes[i] if i < len(self.codes) else 0) == code
        ]

    def raise_for_failures(self) -> None:
        """Raise :class:`BulkFailuresError` when any record failed or the run stopped early."""
        if not self.ok:
            raise BulkFailuresError(
                self.failures,
                self.total,
                not_attempted=len(self.not_attempted),
                unknown=len(self.unknown),
                stopped=self.stopped,
            )


def outcome_code(outcome: Outcome) -> int:
    """The byte :attr:`BulkResult.codes` stores for ``outcome``."""
    return _CODE_OF[outcome]


def partial_result(exc: BaseException) -> BulkResult[Any, Any] | None:
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
