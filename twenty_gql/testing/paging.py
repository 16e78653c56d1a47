"""Reading records: filtered rows, order, cursor pagination (twenty-api.md §1.7) and the
``Connection`` a findMany / one-to-many answers with (aggregates computed on demand).

``RecordReader`` is the first layer of the record code (``RecordReader`` -> ``RecordIndex`` ->
``RecordWriter`` -> ``GroupBy`` -> ``CoreResolvers``); it talks to the workspace only through
the ``RecordHost`` protocol.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
from typing import Any, Protocol

from twenty_gql.testing.errors import bad_input
from twenty_gql.testing.filters import (
    OrderKey,
    compare_keys,
    compile_filter,
    decode_cursor,
    encode_cursor,
    mentions_deleted_at,
    order_keys,
)
from twenty_gql.testing.model import FieldMeta
from twenty_gql.testing.settings import Settings
from twenty_gql.testing.store import Store
from twenty_gql.testing.views import AggregateSpec, ObjectView

__all__ = [
    "Connection",
    "Record",
    "RecordHost",
    "RecordReader",
    "compute_aggregate",
    "empty_page_info",
    "is_empty",
]

Record = dict[str, Any]


class RecordHost(Protocol):
    """What record code needs from the workspace (implemented by ``Workspace``)."""

    store: Store
    settings: Settings
    schema_version: int

    def view(self, object_name: str) -> ObjectView | None: ...

    def view_names(self) -> list[str]: ...

    def field_or_none(self, id: str) -> FieldMeta | None: ...

    def aggregate_specs(self, view: ObjectView) -> dict[str, AggregateSpec]: ...

    def on_records_destroyed(self, view: ObjectView, ids: set[str]) -> None: ...

    def reassign_relations(self, view: ObjectView, from_ids: list[str], to_id: str) -> None: ...


def is_empty(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return False


class Connection:
    """A findMany / one-to-many result: the page plus the filtered set for aggregates."""

    __slots__ = ("_agg_cache", "dimension_key", "dimension_values", "edges", "pageInfo", "rows")

    def __init__(
        self,
        rows: list[Record],
        edges: list[dict[str, Any]],
        page_info: dict[str, Any],
        dimension_values: list[str] | None = None,
    ) -> None:
        self.rows = rows
        self.edges = edges
        self.pageInfo = page_info
        self.dimension_values = dimension_values
        self.dimension_key: dict[str, Any] | None = None
        self._agg_cache: dict[AggregateSpec, Any] = {}

    def aggregate(self, spec: AggregateSpec) -> Any:
        if spec not in self._agg_cache:
            self._agg_cache[spec] = compute_aggregate(self.rows, spec)
        return self._agg_cache[spec]

    @property
    def groupByDimensionValues(self) -> list[str]:
        return self.dimension_values or []


_COUNTERS: dict[str, Any] = {
    "countEmpty": lambda values: sum(1 for v in values if is_empty(v)),
    "countNotEmpty": lambda values: sum(1 for v in values if not is_empty(v)),
    "percentageEmpty": lambda values: (
        (sum(1 for v in values if is_empty(v)) / len(values)) if values else None
    ),
    "percentageNotEmpty": lambda values: (
        (sum(1 for v in values if not is_empty(v)) / len(values)) if values else None
    ),
    "countUniqueValues": lambda values: len(
        {json.dumps(v, sort_keys=True) for v in values if not is_empty(v)}
    ),
    "countTrue": lambda values: sum(1 for v in values if v is True),
    "countFalse": lambda values: sum(1 for v in values if v is False),
}


def compute_aggregate(rows: list[Record], spec: AggregateSpec) -> Any:
    if spec.op == "totalCount":
        return len(rows)
    name = spec.field or ""
    values = [r.get(name) for r in rows]
    if spec.sub is not None:
        values = [v.get(spec.sub) if isinstance(v, dict) else None for v in values]
    counter = _COUNTERS.get(spec.op)
    if counter is not None:
        return counter(values)
    present = [v for v in values if v is not None and not isinstance(v, (dict, list))]
    if not present:
        return None
    if spec.op in ("min", "max"):
        return min(present) if spec.op == "min" else max(present)
    numbers = [float(v) for v in present if isinstance(v, (int, float))]
    if not numbers:
        return None
    if spec.op == "sum":
        return math.fsum(numbers)
    if spec.op == "avg":
        return math.fsum(numbers) / len(numbers)
    raise AssertionError(spec.op)


class RecordReader:
    def __init__(self, host: RecordHost) -> None:
        self.ws = host

    @property
    def settings(self) -> Settings:
        return self.ws.settings

    def table(self, view: ObjectView) -> dict[str, Record]:
        return self.ws.store.table(view.obj.id)

    def lookup(self, object_name: str, record_id: Any) -> Record | None:
        if record_id is None:
            return None
        view = self.ws.view(object_name)
        if view is None:
            return None
        return self.ws.store.table(view.obj.id).get(str(record_id))

    def visible_rows(
        self, view: ObjectView, filt: dict[str, Any] | None, with_deleted: bool = False
    ) -> list[Record]:
        pred = compile_filter(view, filt)
        include_deleted = with_deleted or mentions_deleted_at(filt)
        table = self.table(view)
        if include_deleted:
            return [r for r in table.values() if pred(r)]
        return [r for r in table.values() if r.get("deletedAt") is None and pred(r)]

    def values(self, row: Record, keys: list[OrderKey]) -> list[Any]:
        return [k.value(row, self.lookup) for k in keys]

    def sort(self, rows: list[Record], keys: list[OrderKey]) -> list[tuple[Any, Record]]:
        """Rows paired with a sort key, sorted by ``keys`` (nulls placed per direction)."""
        keyed = [(_sort_tuple(self.values(r, keys), keys), r) for r in rows]
        try:
            keyed.sort(key=_first)
        except TypeError:  # a column mixing types: compare pairwise like Postgres would not
            slow = [(self.values(r, keys), r) for r in rows]

            def cmp(a: tuple[list[Any], Record], b: tuple[list[Any], Record]) -> int:
                return compare_keys(a[0], b[0], keys)

            slow.sort(key=functools.cmp_to_key(cmp))
            return [(v, r) for v, r in slow]
        return keyed

    def paginate(
        self,
        view: ObjectView,
        rows: list[Record],
        args: dict[str, Any],
        cap: int | None = None,
    ) -> Connection:
        first = args.get("first")
        last = args.get("last")
        before = args.get("before")
        after = args.get("after")
        offset = args.get("offset") or 0
        if first is not None and last is not None:
            raise bad_input("Cannot provide both first and last", "ARGS_CONFLICT")
        if before is not None and after is not None:
            raise bad_input("Cannot provide both before and after", "ARGS_CONFLICT")
        if before is not None and first is not None:
            raise bad_input("Cannot provide both before and first", "ARGS_CONFLICT")
        if after is not None and last is not None:
            raise bad_input("Cannot provide both after and last", "ARGS_CONFLICT")
        if first is not None and first < 0:
            raise bad_input("First argument must be non-negative", "INVALID_ARGS_FIRST")
        if last is not None and last < 0:
            raise bad_input("Last argument must be non-negative", "INVALID_ARGS_LAST")
        if offset < 0:
            raise bad_input("Offset argument must be non-negative", "INVALID_ARGS_FIRST")
        keys = order_keys(view, args.get("orderBy"))
        cursor = after if after is not None else before
        cursor_values = decode_cursor(cursor, keys) if cursor is not None else None
        limit_cap = cap if cap is not None else self.settings.page_max
        backward = last is not None or before is not None
        size = first if first is not None else last
        if size is None:
            size = self.settings.page_default if cap is None else cap
        size = min(size, limit_cap)
        try:
            page, has_more = self._window(
                rows, keys, cursor_values, after is not None, offset, size, backward
            )
        except TypeError:
            page, has_more = self._window_slow(
                rows, keys, cursor_values, after is not None, offset, size, backward
            )
        edges = [{"node": r, "cursor": encode_cursor(r, keys, self.lookup)} for r in page]
        page_info: dict[str, Any] = {
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
            "hasNextPage": has_more and not backward,
            "hasPreviousPage": has_more and backward,
        }
        if self.settings.cursor_aware_page_info:
            # newer buildCursorPage (UNCONFIRMED): a cursor means there is a page behind it
            page_info["hasPreviousPage"] = bool(page_info["hasPreviousPage"]) or (
                not backward and after is not None
            )
            page_info["hasNextPage"] = bool(page_info["hasNextPage"]) or (
                backward and before is not None
            )
        return Connection(rows, edges, page_info)

    def _window(
        self,
        rows: list[Record],
        keys: list[OrderKey],
        cursor: list[Any] | None,
        is_after: bool,
        offset: int,
        size: int,
        backward: bool,
    ) -> tuple[list[Record], bool]:
        """The page (in order) and whether more rows exist beyond it, via tuple sort keys."""
        lookup = self.lookup
        keyed = [(_row_sort_tuple(r, keys, lookup), r) for r in rows]
        if cursor is not None:
            ck = _sort_tuple(cursor, keys)
            keyed = [kr for kr in keyed if (kr[0] > ck if is_after else kr[0] < ck)]
        if not backward:
            need = offset + size + 1
            if need * 4 < len(keyed):
                keyed = heapq.nsmallest(need, keyed, key=_first)
            else:
                keyed.sort(key=_first)
            rest = keyed[offset:]
            return [r for _k, r in rest[:size]], len(rest) > size
        keyed.sort(key=_first)
        rest = keyed[offset:]
        page = rest[-size:] if size else []
        return [r for _k, r in page], len(rest) > size

    def _window_slow(
        self,
        rows: list[Record],
        keys: list[OrderKey],
        cursor: list[Any] | None,
        is_after: bool,
        offset: int,
        size: int,
        backward: bool,
    ) -> tuple[list[Record], bool]:
        """Same as ``_window`` with pairwise comparisons (columns mixing value types)."""
        keyed = [(self.values(r, keys), r) for r in rows]

        def cmp(a: tuple[list[Any], Record], b: tuple[list[Any], Record]) -> int:
            return compare_keys(a[0], b[0], keys)

        keyed.sort(key=functools.cmp_to_key(cmp))
        if cursor is not None:
            sign = 1 if is_after else -1
            keyed = [kr for kr in keyed if compare_keys(kr[0], cursor, keys) * sign > 0]
        rest = keyed[offset:]
        page = (rest[-size:] if size else []) if backward else rest[:size]
        return [r for _k, r in page], len(rest) > size


class _Desc:
    """Wraps a non-numeric value so that ascending tuple order sorts it descending."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and bool(self.v == other.v)

    def __hash__(self) -> int:
        return hash(self.v)

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.v < self.v)

    def __gt__(self, other: _Desc) -> bool:
        return bool(other.v > self.v)

    def __le__(self, other: _Desc) -> bool:
        return bool(other.v <= self.v)

    def __ge__(self, other: _Desc) -> bool:
        return bool(other.v >= self.v)


def _sort_tuple(values: list[Any], keys: list[OrderKey]) -> tuple[Any, ...]:
    """A tuple whose natural order is the ``keys`` order (directions and nulls placement)."""
    parts: list[tuple[Any, ...]] = []
    for value, key in zip(values, keys, strict=True):
        if value is None:
            parts.append((0 if key.nulls_first else 2,))
        elif key.desc:
            if isinstance(value, (int, float)):
                parts.append((1, -value))
            else:
                parts.append((1, _Desc(value)))
        else:
            parts.append((1, value))
    return tuple(parts)


def _row_sort_tuple(row: Record, keys: list[OrderKey], lookup: Any) -> tuple[Any, ...]:
    """``_sort_tuple(values(row))`` in one pass (the hot loop of findMany)."""
    parts: list[tuple[Any, ...]] = []
    for key in keys:
        value = row.get(key.fast) if key.fast is not None else key.value(row, lookup)
        if value is None:
            parts.append((0 if key.nulls_first else 2,))
        elif key.desc:
            if isinstance(value, (int, float)):
                parts.append((1, -value))
            else:
                parts.append((1, _Desc(value)))
        else:
            parts.append((1, value))
    return tuple(parts)


def _first(item: tuple[Any, Record]) -> Any:
    return item[0]


def empty_page_info() -> dict[str, Any]:
    return {"startCursor": None, "endCursor": None, "hasNextPage": False, "hasPreviousPage": False}
