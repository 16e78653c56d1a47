"""The outcome types of a bulk write (:mod:`twenty_gql.bulk`): per-record failures, progress
snapshots and the :class:`BulkResult` that accounts for every input position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from twenty_gql.errors import TwentyError

__all__ = [
    "BulkFailure",
    "BulkFailuresError",
    "BulkProgress",
    "BulkResult",
    "InvalidRecordError",
    "partial_result",
]

R = TypeVar("R")


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

    def __init__(
        self,
        failures: Sequence[BulkFailure],
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

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        """Every record landed (or was already landed per the checkpoint)."""
        return not (self.failures or self.not_attempted or self.unknown)

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
