"""Record indexes kept beside the store: unique keys (duplicate check, upsert match),
children grouped by join column (one-to-many resolvers), the highest ``position``. Each is
cached per (table version, schema version) and kept current by ``write``."""

from __future__ import annotations

from typing import Any

from twenty_gql.testing.errors import bad_input
from twenty_gql.testing.model import COMPOSITE_TYPES, FieldMeta
from twenty_gql.testing.paging import Record, RecordHost, RecordReader
from twenty_gql.testing.views import ObjectView

__all__ = ["RecordIndex", "UniqueIndex", "get_path", "group_key"]

#: (unique field, record paths of its key parts, key -> record id)
UniqueIndex = tuple[FieldMeta, list[tuple[str, ...]], dict[tuple[Any, ...], str]]


class RecordIndex(RecordReader):
    def __init__(self, host: RecordHost) -> None:
        super().__init__(host)
        self._indexes: dict[str, tuple[tuple[int, int], list[UniqueIndex]]] = {}
        self._max_positions: dict[str, tuple[tuple[int, int], float]] = {}
        self._children: dict[tuple[str, str], tuple[tuple[int, int], dict[Any, list[Record]]]] = {}

    def unique_groups(self, view: ObjectView) -> list[tuple[FieldMeta, list[tuple[str, ...]]]]:
        groups: list[tuple[FieldMeta, list[tuple[str, ...]]]] = []
        parts: list[tuple[str, ...]]
        for fld in view.fields:
            if not fld.isUnique or fld.name == "id" or fld.relationType is not None:
                continue
            if fld.type in COMPOSITE_TYPES:
                parts = [(fld.name, s.name) for s in COMPOSITE_TYPES[fld.type] if s.unique_part]
                if parts:
                    groups.append((fld, parts))
            else:
                groups.append((fld, [(fld.name,)]))
        return groups

    def unique_index(self, view: ObjectView) -> list[UniqueIndex]:
        """Unique groups with ``key -> record id`` over live rows; cached per table version."""
        oid = view.obj.id
        stamp = (self.ws.store.versions.get(oid, 0), self.ws.schema_version)
        cached = self._indexes.get(oid)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        indexes: list[UniqueIndex] = []
        rows = [r for r in self.table(view).values() if r.get("deletedAt") is None]
        for fld, paths in self.unique_groups(view):
            mapping: dict[tuple[Any, ...], str] = {}
            for rec in rows:
                key = group_key(rec, paths)
                if key is not None:
                    mapping[key] = rec["id"]
            indexes.append((fld, paths, mapping))
        self._indexes[oid] = (stamp, indexes)
        return indexes

    def children(self, view: ObjectView, join: str) -> dict[Any, list[Record]]:
        """Rows of ``view`` grouped by their ``join`` column; cached per table version."""
        oid = view.obj.id
        stamp = (self.ws.store.versions.get(oid, 0), self.ws.schema_version)
        cached = self._children.get((oid, join))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        groups: dict[Any, list[Record]] = {}
        for rec in self.table(view).values():
            value = rec.get(join)
            if value is not None:
                groups.setdefault(value, []).append(rec)
        self._children[(oid, join)] = (stamp, groups)
        return groups

    def max_position(self, view: ObjectView) -> float:
        """Highest ``position`` of the table (-1 when empty); cached per table version."""
        oid = view.obj.id
        stamp = (self.ws.store.versions.get(oid, 0), self.ws.schema_version)
        cached = self._max_positions.get(oid)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        positions = [
            float(r["position"])
            for r in self.table(view).values()
            if isinstance(r.get("position"), (int, float))
        ]
        value = max(positions) if positions else -1.0
        self._max_positions[oid] = (stamp, value)
        return value

    def write(self, view: ObjectView, records: list[Record]) -> None:
        """Store records, keeping the cached unique index and max position current."""
        oid = view.obj.id
        store = self.ws.store
        before = (store.versions.get(oid, 0), self.ws.schema_version)
        table = self.table(view)
        index = self._indexes.get(oid)
        index_ok = index is not None and index[0] == before
        positions = self._max_positions.get(oid)
        top = positions[1] if positions is not None and positions[0] == before else None
        for rec in records:
            old = table.get(rec["id"])
            if index_ok and index is not None:
                for _fld, paths, mapping in index[1]:
                    if old is not None and old.get("deletedAt") is None:
                        key = group_key(old, paths)
                        if key is not None and mapping.get(key) == old["id"]:
                            del mapping[key]
                    key = group_key(rec, paths)
                    if key is not None and rec.get("deletedAt") is None:
                        mapping[key] = rec["id"]
            if top is not None:
                pos = rec.get("position")
                if isinstance(pos, (int, float)):
                    top = max(top, float(pos))
                elif old is not None and old.get("position") == top:
                    top = None
            store.put(oid, rec)
        after = (store.versions.get(oid, 0), self.ws.schema_version)
        if index_ok and index is not None:
            self._indexes[oid] = (after, index[1])
        if top is not None:
            self._max_positions[oid] = (after, top)

    def check_unique(self, view: ObjectView, records: list[Record], replacing: set[str]) -> None:
        """Raise the duplicate-key error if ``records`` clash with each other or stored records."""
        indexes = self.unique_index(view)
        if not indexes:
            return
        skip = replacing | {r["id"] for r in records}
        for fld, paths, existing in indexes:
            seen: dict[tuple[Any, ...], str] = {}
            for rec in records:
                if rec.get("deletedAt") is not None:
                    continue
                key = group_key(rec, paths)
                if key is None:
                    continue
                owner = existing.get(key)
                clash = (owner is not None and owner not in skip) or (
                    key in seen and seen[key] != rec["id"]
                )
                if clash:
                    raise bad_input(
                        f"Duplicate {fld.label}. Please set a unique one.",
                        "DUPLICATE_ENTRY",
                        f"Duplicate {fld.label}. Please set a unique one.",
                    )
                seen[key] = rec["id"]

    def match_existing(self, view: ObjectView, values: Record) -> Record | None:
        table = self.table(view)
        matched: dict[str, Record] = {}
        rid = values.get("id")
        if rid is not None and rid in table:
            matched[rid] = table[rid]
        for _fld, paths, mapping in self.unique_index(view):
            key = group_key(values, paths)
            owner = mapping.get(key) if key is not None else None
            if owner is not None and owner in table:
                matched[owner] = table[owner]
        if len(matched) > 1:
            raise bad_input(
                f"Multiple records found with the same unique field values for "
                f"{view.obj.nameSingular}. Cannot determine which record to update.",
                "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT",
            )
        return next(iter(matched.values()), None)


def get_path(rec: Record, path: tuple[str, ...]) -> Any:
    cur: Any = rec
    for p in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


def group_key(rec: Record, paths: list[tuple[str, ...]]) -> tuple[Any, ...] | None:
    values = tuple(get_path(rec, p) for p in paths)
    if any(v is None or v == "" for v in values):
        return None
    return values
