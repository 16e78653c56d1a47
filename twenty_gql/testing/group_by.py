"""``groupBy`` (twenty-api.md §1.9): group rows by dimensions (fields, composite sub-fields,
date buckets, many-to-one ids), order the groups, page the records of each."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

from twenty_gql.testing.errors import bad_input
from twenty_gql.testing.filters import OrderKey, compare_keys
from twenty_gql.testing.model import COMPOSITE_TYPES
from twenty_gql.testing.paging import Connection, Record
from twenty_gql.testing.record_input import RecordWriter
from twenty_gql.testing.views import AggregateSpec, ObjectView

__all__ = ["GroupBy"]


class GroupBy(RecordWriter):
    def _groupBy(
        self, view: ObjectView, groupBy: list[dict[str, Any]], **args: Any
    ) -> list[Connection]:
        dims: list[tuple[Callable[[Record], Any], str]] = []
        for item in groupBy:
            for name, spec in item.items():
                if spec is None or spec is False:
                    continue
                dims.append(self._dimension(view, name, spec))
        if not dims:
            raise bad_input("groupBy must name at least one field", "INVALID_ARGS_DATA")
        rows = self.visible_rows(view, args.get("filter"))
        groups: dict[tuple[Any, ...], list[Record]] = {}
        for r in rows:
            key = tuple(getter(r) for getter, _label in dims)
            groups.setdefault(key, []).append(r)
        record_args = {
            "orderBy": args.get("orderByForRecords"),
            "offset": args.get("offsetForRecords"),
        }
        conns = []
        for key, members in groups.items():
            conn = self.paginate(view, members, record_args)
            conn.dimension_values = ["" if v is None else _dim_text(v) for v in key]
            conn.dimension_key = dict(zip([label for _g, label in dims], key, strict=True))
            conns.append(conn)
        conns = self._order_groups(view, conns, args.get("orderBy"))
        limit = args.get("limit")
        if limit is not None:
            if limit < 0:
                raise bad_input("limit must be non-negative", "INVALID_ARGS_FIRST")
            conns = conns[:limit]
        return conns

    def _dimension(
        self, view: ObjectView, name: str, spec: Any
    ) -> tuple[Callable[[Record], Any], str]:
        if name in view.join_columns:
            return (lambda r, n=name: r.get(n)), name
        fld = view.by_name.get(name)
        if fld is None:
            raise bad_input(f"Unknown groupBy field {name!r} on {view.obj.nameSingular}")
        if fld.relationType == "MANY_TO_ONE":
            join = fld.joinColumnName or f"{name}Id"
            if isinstance(spec, dict) and set(k for k, v in spec.items() if v) <= {"id"}:
                return (lambda r, j=join: r.get(j)), name
            raise bad_input(f"groupBy on {name} is only emulated for the related record id")
        if fld.relationType is not None:
            raise bad_input(f"Cannot group by one-to-many relation {name}")
        if fld.type in COMPOSITE_TYPES:
            if not isinstance(spec, dict):
                raise bad_input(f"groupBy {name} expects sub-fields")
            subs = [s for s, v in spec.items() if v]
            return (
                lambda r, n=name, ss=tuple(subs): tuple((r.get(n) or {}).get(s) for s in ss)
            ), name
        if fld.type in ("DATE", "DATE_TIME"):
            granularity = spec.get("granularity") if isinstance(spec, dict) else None
            return (lambda r, n=name, g=granularity: _bucket_date(r.get(n), g)), name
        return (lambda r, n=name: _hashable(r.get(n))), name

    def _order_groups(
        self, view: ObjectView, conns: list[Connection], order_by: Any
    ) -> list[Connection]:
        specs = self.ws.aggregate_specs(view)
        keys: list[tuple[Callable[[Connection], Any], str]] = []
        for item in order_by or []:
            for name, direction in (item or {}).items():
                if direction is None:
                    continue
                if name == "aggregate":
                    for agg, d in direction.items():
                        if d is not None and agg in specs:
                            keys.append((functools.partial(_conn_aggregate, spec=specs[agg]), d))
                    continue
                if isinstance(direction, dict):  # date granularity / composite: by orderBy
                    direction = direction.get("orderBy") or next(
                        (v for v in direction.values() if isinstance(v, str)), None
                    )
                if direction is None:
                    continue
                if not any(name in (c.dimension_key or {}) for c in conns[:1]):
                    raise bad_input(f"Cannot order groups by {name}: it is not a groupBy dimension")
                keys.append((functools.partial(_conn_dimension, name=name), direction))

        def cmp(a: Connection, b: Connection) -> int:
            for getter, d in keys:
                okey = OrderKey(("v",), d)
                c = compare_keys([getter(a)], [getter(b)], [okey])
                if c:
                    return c
            da, db = a.dimension_values or [], b.dimension_values or []
            return (da > db) - (da < db)

        return sorted(conns, key=functools.cmp_to_key(cmp))


def _conn_dimension(conn: Connection, name: str) -> Any:
    value = (conn.dimension_key or {}).get(name)
    return list(value) if isinstance(value, tuple) else value


def _conn_aggregate(conn: Connection, spec: AggregateSpec) -> Any:
    return conn.aggregate(spec)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def _dim_text(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join("" if v is None else str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _bucket_date(value: Any, granularity: str | None) -> Any:
    if value is None or granularity in (None, "NONE"):
        return value
    text = str(value)
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return value
    quarter = (day.month - 1) // 3 + 1
    return {
        "DAY": day.isoformat(),
        "MONTH": day.strftime("%Y-%m"),
        "QUARTER": f"{day.year}-Q{quarter}",
        "YEAR": str(day.year),
        "DAY_OF_THE_WEEK": _WEEKDAYS[day.weekday()],
        "MONTH_OF_THE_YEAR": day.strftime("%B"),
        "QUARTER_OF_THE_YEAR": f"Q{quarter}",
    }.get(granularity, value)
