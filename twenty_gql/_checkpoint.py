"""The bulk checkpoint: an fsync'd JSONL journal of the input records that have landed.

Layout (one JSON object per line)::

    {"kind": "twenty-gql-bulk-checkpoint", "v": 1, "seed": "<uuid>", "operation": "createCompanies",
     "upsert": true}
    {"r": [[0, 60]], "h": "<sha256 hex>"}          # one line per successful request
    {"r": [[60, 90], [91, 120]], "h": "..."}

``r`` lists the input positions the request carried as half-open ``[start, end)`` ranges and
``h`` is a SHA-256 over those records' content (position + canonical JSON of each record), so a
rerun with a different input is detected instead of silently skipping the wrong records.
``seed`` makes client-generated ids reproducible: a record's id is
``uuid5(seed, "<position>:<content digest>")``, so a chunk that landed but was not yet journaled
when the process died is resent with the same ids and upserts onto itself (no duplicate).

Only successful requests are journaled; records that failed are retried by the next run. A torn
last line (the process died mid-write) is ignored.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from twenty_gql.errors import TwentyError

__all__ = ["Checkpoint", "CheckpointMismatchError", "record_digest", "to_ranges"]

_KIND = "twenty-gql-bulk-checkpoint"
_VERSION = 1


class CheckpointMismatchError(TwentyError, ValueError):
    """The checkpoint file does not belong to this input or operation (nothing was sent)."""


def record_digest(record: Mapping[str, Any]) -> bytes:
    """A stable digest of one input record (key order and value spelling independent)."""
    try:
        encoded = msgspec.json.encode(record, order="deterministic")
    except (TypeError, msgspec.EncodeError):
        encoded = repr(sorted(record.items(), key=lambda kv: str(kv[0]))).encode()
    return hashlib.sha256(encoded).digest()


def to_ranges(indexes: Iterable[int]) -> list[list[int]]:
    """Sorted positions -> half-open ``[start, end)`` ranges."""
    ranges: list[list[int]] = []
    for i in sorted(indexes):
        if ranges and ranges[-1][1] == i:
            ranges[-1][1] = i + 1
        else:
            ranges.append([i, i + 1])
    return ranges


def _entry_hash(pairs: Iterable[tuple[int, bytes]]) -> str:
    h = hashlib.sha256()
    for index, digest in sorted(pairs):
        h.update(f"{index}:".encode())
        h.update(digest)
    return h.hexdigest()


@dataclass
class _Entry:
    ranges: list[list[int]]
    digest: str
    size: int
    seen: list[tuple[int, bytes]] = field(default_factory=list)


class Checkpoint:
    """A journal of landed input positions, opened for appending (created when missing)."""

    def __init__(self, path: str | os.PathLike[str], *, operation: str, upsert: bool) -> None:
        self.path = Path(path)
        self._entries: list[_Entry] = []
        self._starts: list[int] = []  # sorted range starts, parallel to _range_entry
        self._range_end: list[int] = []
        self._range_entry: list[int] = []
        self.resumed = False
        if self.path.exists() and self.path.stat().st_size > 0:
            self._load(operation, upsert)
            self.resumed = True
            self._fh = open(self.path, "ab")  # noqa: SIM115 - closed by close()
        else:
            self.seed = uuid.uuid4()
            self._fh = open(self.path, "ab")  # noqa: SIM115 - closed by close()
            header = {
                "kind": _KIND,
                "v": _VERSION,
                "seed": str(self.seed),
                "operation": operation,
                "upsert": upsert,
            }
            self._append(header)
        self.max_end = max(self._range_end, default=0)

    # -- reading ------------------------------------------------------------------------------

    def _load(self, operation: str, upsert: bool) -> None:
        raw = self.path.read_bytes().split(b"\n")
        lines = [line for line in raw if line.strip()]
        torn_tail = bool(raw and raw[-1].strip())  # no trailing newline: last write was torn
        self.seed = self._check_header(lines[0] if lines else b"", operation, upsert)
        spans: list[tuple[int, int, int]] = []
        body = lines[1:]
        for n, line in enumerate(body):
            try:
                obj = json.loads(line)
                ranges = [[int(a), int(b)] for a, b in obj["r"]]
                digest = str(obj["h"])
            except (ValueError, KeyError, TypeError) as exc:
                if n == len(body) - 1 and torn_tail:
                    break  # killed mid-write: that request is simply not journaled
                raise CheckpointMismatchError(
                    f"checkpoint {self.path}: corrupt line {n + 2}"
                ) from exc
            size = sum(b - a for a, b in ranges)
            if size <= 0 or any(a < 0 or b <= a for a, b in ranges):
                raise CheckpointMismatchError(f"checkpoint {self.path}: bad ranges on line {n + 2}")
            entry_id = len(self._entries)
            self._entries.append(_Entry(ranges, digest, size))
            spans += [(a, b, entry_id) for a, b in ranges]
        spans.sort()
        for (a, b, e), nxt in zip(spans, [*spans[1:], None], strict=False):
            if nxt is not None and nxt[0] < b:
                raise CheckpointMismatchError(
                    f"checkpoint {self.path}: overlapping entries at input position {nxt[0]}"
                )
            self._starts.append(a)
            self._range_end.append(b)
            self._range_entry.append(e)
        if torn_tail:
            # Drop the torn line so the next append starts on a fresh line.
            data = self.path.read_bytes()
            os.truncate(self.path, data.rfind(b"\n") + 1)

    def _check_header(self, line: bytes, operation: str, upsert: bool) -> uuid.UUID:
        """The seed of a journal written for this operation, else CheckpointMismatchError."""
        try:
            header = json.loads(line)
        except ValueError as exc:
            raise CheckpointMismatchError(
                f"checkpoint {self.path}: not a twenty-gql checkpoint file (unreadable header)"
            ) from exc
        if not isinstance(header, dict) or header.get("kind") != _KIND:
            raise CheckpointMismatchError(
                f"checkpoint {self.path}: not a twenty-gql checkpoint file"
            )
        if header.get("v") != _VERSION:
            raise CheckpointMismatchError(
                f"checkpoint {self.path}: unsupported version {header.get('v')!r}"
            )
        if header.get("operation") != operation or header.get("upsert") != upsert:
            raise CheckpointMismatchError(
                f"checkpoint {self.path} was written for operation {header.get('operation')!r} "
                f"(upsert={header.get('upsert')!r}), not {operation!r} (upsert={upsert!r})"
            )
        try:
            return uuid.UUID(str(header["seed"]))
        except (KeyError, ValueError) as exc:
            raise CheckpointMismatchError(f"checkpoint {self.path}: bad seed") from exc

    def covered(self, index: int, digest: bytes) -> bool:
        """Whether input position ``index`` already landed; verifies content as it goes.

        Raises CheckpointMismatchError when a completed journal entry's records hash
        differently (the input changed since the checkpoint was written).
        """
        pos = bisect.bisect_right(self._starts, index) - 1
        if pos < 0 or index >= self._range_end[pos]:
            return False
        entry = self._entries[self._range_entry[pos]]
        entry.seen.append((index, digest))
        if len(entry.seen) == entry.size:
            if _entry_hash(entry.seen) != entry.digest:
                first = entry.ranges[0][0]
                raise CheckpointMismatchError(
                    f"checkpoint {self.path}: input records at positions {first}.."
                    f"{entry.ranges[-1][1] - 1} differ from the ones the checkpoint recorded; "
                    "use a new checkpoint file for a different input"
                )
            entry.seen = []
            entry.size = -1  # verified
        return True

    def verify_complete(self) -> None:
        """After reading the input past ``max_end``: every journal entry must be verified."""
        for entry in self._entries:
            if entry.size != -1:
                raise CheckpointMismatchError(
                    f"checkpoint {self.path}: the input ended before position "
                    f"{entry.ranges[-1][1] - 1}, which the checkpoint recorded as landed; "
                    "the input is not the one this checkpoint was written for"
                )

    # -- writing ------------------------------------------------------------------------------

    def client_id(self, index: int, digest: bytes) -> str:
        """The reproducible client-generated id for the record at ``index``."""
        return str(uuid.uuid5(self.seed, f"{index}:{digest.hex()}"))

    def record(self, pairs: list[tuple[int, bytes]]) -> None:
        """Journal one successful request (positions + record digests), fsync'd."""
        if not pairs:
            return
        line = {"r": to_ranges(i for i, _ in pairs), "h": _entry_hash(pairs)}
        self._append(line)

    def _append(self, obj: Mapping[str, Any]) -> None:
        self._fh.write(json.dumps(obj, separators=(",", ":")).encode() + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()
