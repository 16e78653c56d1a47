"""Record and data-model storage for the emulator: in memory, optionally persisted to SQLite.

Records live in memory as ``{object_id: {record_id: record_dict}}`` (object *ids*, so renaming an
object keeps its records). With a ``data_path`` every committed change is written through to a
stdlib ``sqlite3`` database (one JSON document per record, plus the data model as one JSON
document), and a new ``Store`` on the same path loads it back.

Writes are grouped: callers mark records dirty and call ``commit()`` once per request, which is
one SQLite transaction. ``snapshot()``/``rollback()`` give all-or-nothing batches.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

__all__ = ["Store"]

Record = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    object_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (object_id, record_id)
);
CREATE TABLE IF NOT EXISTS model (key TEXT PRIMARY KEY, data TEXT NOT NULL);
"""


class Store:
    def __init__(self, data_path: str | Path | None = None) -> None:
        self.tables: dict[str, dict[str, Record]] = {}
        self.lock = threading.RLock()
        #: changed (object_id, record_id) in write order (a dict used as an ordered set)
        self._dirty: dict[tuple[str, str], None] = {}
        #: per-table change counter (lets callers cache indexes over a table)
        self.versions: dict[str, int] = {}
        self._dropped: set[str] = set()
        self._model_dirty = False
        self._model: Any = None
        self._db: sqlite3.Connection | None = None
        #: the SQLite file when persistent (files.py keeps uploaded bytes next to it)
        self.path: Path | None = None
        if data_path is not None:
            path = Path(data_path)
            if path.is_dir():
                path = path / "twenty-emulator.sqlite3"
            self.path = path
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False)
            self._db.executescript(_SCHEMA)
            self._load()

    @property
    def persistent(self) -> bool:
        return self._db is not None

    def _load(self) -> None:
        assert self._db is not None
        row = self._db.execute("SELECT data FROM model WHERE key = 'model'").fetchone()
        self._model = json.loads(row[0]) if row else None
        for object_id, record_id, data in self._db.execute(
            "SELECT object_id, record_id, data FROM records ORDER BY rowid"
        ):
            self.tables.setdefault(object_id, {})[record_id] = json.loads(data)

    # ---- data model -----------------------------------------------------------------

    def saved_model(self) -> Any:
        """The data model last saved with ``save_model`` (None for a fresh store)."""
        return self._model

    def save_model(self, model: Any) -> None:
        self._model = model
        self._model_dirty = True

    # ---- records ----------------------------------------------------------------------

    def table(self, object_id: str) -> dict[str, Record]:
        return self.tables.setdefault(object_id, {})

    def _bump(self, object_id: str) -> None:
        self.versions[object_id] = self.versions.get(object_id, 0) + 1

    def put(self, object_id: str, record: Record) -> None:
        self.table(object_id)[record["id"]] = record
        self._dirty[(object_id, record["id"])] = None
        self._bump(object_id)

    def touch(self, object_id: str, record_id: str) -> None:
        """Mark a record changed in place (callers mutate ``table(...)`` dicts directly)."""
        self._dirty[(object_id, record_id)] = None
        self._bump(object_id)

    def remove(self, object_id: str, record_id: str) -> None:
        self.table(object_id).pop(record_id, None)
        self._dirty[(object_id, record_id)] = None
        self._bump(object_id)

    def drop_table(self, object_id: str) -> None:
        self._bump(object_id)
        self.tables.pop(object_id, None)
        self._dropped.add(object_id)
        self._dirty = {d: None for d in self._dirty if d[0] != object_id}

    def snapshot(self, object_id: str) -> dict[str, Record]:
        """A deep copy of one table, to restore with ``rollback`` if a batch fails."""
        return copy.deepcopy(self.table(object_id))

    def rollback(self, object_id: str, saved: dict[str, Record]) -> None:
        current = self.table(object_id)
        self._bump(object_id)
        for record_id in set(current) | set(saved):
            self._dirty[(object_id, record_id)] = None
        self.tables[object_id] = saved

    def discard_changes(self) -> None:
        self._dirty.clear()

    def commit(self) -> None:
        """Write pending changes through to SQLite (no-op in memory)."""
        if self._db is None:
            self._dirty.clear()
            self._dropped.clear()
            self._model_dirty = False
            return
        if not (self._dirty or self._dropped or self._model_dirty):
            return
        with self._db:
            for object_id in self._dropped:
                self._db.execute("DELETE FROM records WHERE object_id = ?", (object_id,))
            upserts = []
            deletes = []
            for object_id, record_id in self._dirty:
                record = self.tables.get(object_id, {}).get(record_id)
                if record is None:
                    deletes.append((object_id, record_id))
                else:
                    upserts.append((object_id, record_id, json.dumps(record)))
            if deletes:
                self._db.executemany(
                    "DELETE FROM records WHERE object_id = ? AND record_id = ?", deletes
                )
            if upserts:
                self._db.executemany(
                    "INSERT INTO records (object_id, record_id, data) VALUES (?, ?, ?) "
                    "ON CONFLICT (object_id, record_id) DO UPDATE SET data = excluded.data",
                    upserts,
                )
            if self._model_dirty:
                self._db.execute(
                    "INSERT OR REPLACE INTO model (key, data) VALUES ('model', ?)",
                    (json.dumps(self._model),),
                )
        self._dirty.clear()
        self._dropped.clear()
        self._model_dirty = False

    def close(self) -> None:
        if self._db is not None:
            self.commit()
            self._db.close()
            self._db = None
