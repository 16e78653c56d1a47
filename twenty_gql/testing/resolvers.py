"""Resolvers of the emulated core API against the store (twenty-api.md §1.6-§1.9, §3.1, §3.5).

Every root resolver runs synchronously and either completes all its writes or none: inputs are
normalised and validated into new record dicts first, then written in one go.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import json
import math
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.filters import (
    OrderKey,
    compare_keys,
    compile_filter,
    decode_cursor,
    encode_cursor,
    mentions_deleted_at,
    order_keys,
)
from twenty_gql.testing.model import (
    COMPOSITE_TYPES,
    FieldMeta,
    capitalize,
)
from twenty_gql.testing.scalars import now_iso
from twenty_gql.testing.schema_builder import AggregateSpec, ObjectView, ResolverProvider
from twenty_gql.testing.webhooks import webhook_events

if TYPE_CHECKING:
    from twenty_gql.testing.workspace import Workspace

__all__ = ["Connection", "CoreResolvers", "default_value"]

Record = dict[str, Any]
Resolver = Callable[..., Any]
#: (unique field, record paths of its key parts, key -> record id)
UniqueIndex = tuple[FieldMeta, list[tuple[str, ...]], dict[tuple[Any, ...], str]]

NOT_FOUND_FRIENDLY = "This record does not exist or has been deleted."


def bad_input(
    message: str, sub_code: str = "INVALID_QUERY_INPUT", friendly: str | None = None
) -> TwentyApiError:
    return TwentyApiError(message, "BAD_USER_INPUT", sub_code, friendly)


def not_found() -> TwentyApiError:
    return TwentyApiError("Record not found", "NOT_FOUND", "RECORD_NOT_FOUND", NOT_FOUND_FRIENDLY)


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def default_value(fld: FieldMeta) -> Any:
    """The value Twenty stores when a create omits ``fld`` (defaultValue with SQL quotes removed)."""
    dv = fld.defaultValue
    if fld.type in COMPOSITE_TYPES:
        base: dict[str, Any] = {
            s.name: ("" if s.type == "TEXT" else None) for s in COMPOSITE_TYPES[fld.type]
        }
        if isinstance(dv, dict):
            for k, v in dv.items():
                if k in base:
                    base[k] = _unquote(v)
        return base
    if dv is None:
        if fld.type in ("MULTI_SELECT", "ARRAY") and not fld.isNullable:
            return []
        return None
    if dv == "uuid":
        return str(uuid.uuid4())
    if dv == "now":
        return now_iso()
    if isinstance(dv, list):
        return [_unquote(v) for v in dv]
    return _unquote(dv)


def _empty(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
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


def compute_aggregate(rows: list[Record], spec: AggregateSpec) -> Any:
    if spec.op == "totalCount":
        return len(rows)
    name = spec.field or ""
    values = [r.get(name) for r in rows]
    if spec.sub is not None:
        values = [v.get(spec.sub) if isinstance(v, dict) else None for v in values]
    total = len(values)
    op = spec.op
    if op == "countEmpty":
        return sum(1 for v in values if _empty(v))
    if op == "countNotEmpty":
        return sum(1 for v in values if not _empty(v))
    if op == "percentageEmpty":
        return (sum(1 for v in values if _empty(v)) / total) if total else None
    if op == "percentageNotEmpty":
        return (sum(1 for v in values if not _empty(v)) / total) if total else None
    if op == "countUniqueValues":
        return len({json.dumps(v, sort_keys=True) for v in values if not _empty(v)})
    if op == "countTrue":
        return sum(1 for v in values if v is True)
    if op == "countFalse":
        return sum(1 for v in values if v is False)
    present = [v for v in values if v is not None and not isinstance(v, (dict, list))]
    if not present:
        return None
    if op == "min":
        return min(present)
    if op == "max":
        return max(present)
    numbers = [float(v) for v in present if isinstance(v, (int, float))]
    if not numbers:
        return None
    if op == "sum":
        return math.fsum(numbers)
    if op == "avg":
        return math.fsum(numbers) / len(numbers)
    raise AssertionError(op)


class CoreResolvers(ResolverProvider):
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self._indexes: dict[str, tuple[tuple[int, int], list[UniqueIndex]]] = {}
        self._max_positions: dict[str, tuple[tuple[int, int], float]] = {}
        self._children: dict[tuple[str, str], tuple[tuple[int, int], dict[Any, list[Record]]]] = {}

    # ---- helpers ----------------------------------------------------------------------

    @property
    def settings(self) -> Any:
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

    # ---- resolver factories ----------------------------------------------------------

    def root(self, method: str, view: ObjectView) -> Resolver:
        fn: Callable[..., Any] = getattr(self, f"_{method}")
        name = view.obj.nameSingular

        def resolve(_root: Any, _info: Any, **args: Any) -> Any:
            current = self.ws.view(name)
            if current is None:  # pragma: no cover - schema is rebuilt on every change
                raise bad_input(f"Object {name} no longer exists")
            with self.ws.store.lock, webhook_events(self.ws, current, method) as emit:
                return emit(fn(current, **args))

        return resolve

    def many_to_one(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        join = fld.joinColumnName or f"{fld.name}Id"
        target = view.targets[fld.name].nameSingular

        def resolve(parent: Record, _info: Any) -> Any:
            rec = self.lookup(target, parent.get(join))
            if rec is None or rec.get("deletedAt") is not None:
                return None
            return rec

        return resolve

    def one_to_many(self, view: ObjectView, fld: FieldMeta) -> Resolver:
        target_name = view.targets[fld.name].nameSingular
        inverse_id = fld.relationTargetFieldMetadataId

        def resolve(parent: Record, _info: Any, **args: Any) -> Any:
            target = self.ws.view(target_name)
            inverse = self.ws.field_or_none(inverse_id) if inverse_id else None
            if target is None or inverse is None:
                return Connection([], [], _empty_page_info())
            join = inverse.joinColumnName or f"{inverse.name}Id"
            pid = parent.get("id")
            filt = args.get("filter")
            pred = compile_filter(target, filt)
            with_deleted = mentions_deleted_at(filt)
            children = self.children(target, join).get(pid, ())
            rows = [r for r in children if (with_deleted or r.get("deletedAt") is None) and pred(r)]
            return self.paginate(target, rows, args, cap=self.settings.relation_page_max)

        return resolve

    def aggregate(self, spec: AggregateSpec) -> Resolver:
        def resolve(conn: Connection, _info: Any) -> Any:
            return conn.aggregate(spec)

        return resolve

    def empty(self) -> Resolver:
        return lambda _root, _info: None

    # ---- queries ---------------------------------------------------------------------

    def _findMany(self, view: ObjectView, **args: Any) -> Connection:
        rows = self.visible_rows(view, args.get("filter"))
        return self.paginate(view, rows, args)

    def _findOne(self, view: ObjectView, filter: dict[str, Any] | None = None) -> Record:
        if not filter:
            raise bad_input("Missing filter argument", "INVALID_ARGS_FILTER")
        rows = self.visible_rows(view, filter)
        if not rows:
            raise not_found()
        if len(rows) > 1:
            keys = order_keys(view, None)
            rows = [r for _k, r in self.sort(rows, keys)]
        return rows[0]

    def _findDuplicates(
        self, view: ObjectView, ids: list[str] | None = None, data: list[Record] | None = None
    ) -> list[Connection]:
        if not ids and not data:
            raise bad_input(
                'You have to provide either "data" or "ids" argument', "INVALID_ARGS_DATA"
            )
        if ids and data:
            raise bad_input(
                'You cannot provide both "data" and "ids" arguments', "INVALID_ARGS_DATA"
            )
        table = self.table(view)
        probes: list[tuple[str | None, Record]] = []
        for rid in ids or []:
            rec = table.get(rid)
            if rec is None:
                raise not_found()
            probes.append((rid, rec))
        for item in data or []:
            probes.append((None, self.normalize(view, item, None)))
        criteria = [self.criterion_paths(view, group) for group in view.obj.duplicateCriteria or []]
        out = []
        for probe_id, probe in probes:
            matches = []
            for rec in table.values():
                if rec["id"] == probe_id or rec.get("deletedAt") is not None:
                    continue
                for paths in criteria:
                    values = [_get_path(probe, p) for p in paths]
                    if any(_empty(v) for v in values):
                        continue
                    if all(_get_path(rec, p) == v for p, v in zip(paths, values, strict=False)):
                        matches.append(rec)
                        break
            out.append(self.paginate(view, matches, {}))
        return out

    def criterion_paths(self, view: ObjectView, group: list[str]) -> list[tuple[str, ...]]:
        """duplicateCriteria names (``domainNamePrimaryLinkUrl``) -> record paths."""
        flat: dict[str, tuple[str, ...]] = {}
        for fld in view.fields:
            if fld.type in COMPOSITE_TYPES:
                for s in COMPOSITE_TYPES[fld.type]:
                    flat[fld.name + capitalize(s.name)] = (fld.name, s.name)
            flat[fld.name] = (fld.name,)
        return [flat[n] for n in group if n in flat]

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

    # ---- input normalisation ------------------------------------------------------------

    def normalize(self, view: ObjectView, data: dict[str, Any], existing: Record | None) -> Record:
        """Create/update input -> stored values (partial: only the keys given)."""
        out: Record = {}
        for key, value in data.items():
            if key in view.join_columns:
                fld = view.join_columns[key]
                out[key] = self._fk(view, fld, value)
                continue
            fld_or_none = view.by_name.get(key)
            if fld_or_none is None:
                raise bad_input(f"Unknown field {key!r} on {view.obj.nameSingular}")
            fld = fld_or_none
            if fld.relationType == "MANY_TO_ONE":
                join = fld.joinColumnName or f"{fld.name}Id"
                out[join] = self._relation_input(view, fld, value)
                continue
            if fld.relationType is not None:
                raise bad_input(f"One-to-many relation {key} cannot be written directly")
            if value is None:
                if not fld.isNullable and fld.name not in ("deletedAt",):
                    raise bad_input(f"Field {key} cannot be null", "INVALID_ARGS_DATA")
                out[key] = default_value(fld) if fld.type in COMPOSITE_TYPES else None
                continue
            if key == "id":
                out[key] = _uuid(value, "id")
            elif fld.type in COMPOSITE_TYPES:
                base = dict(existing.get(key) or {}) if existing else default_value(fld)
                if not isinstance(base, dict):
                    base = default_value(fld)
                base.update(value)
                out[key] = base
            elif fld.type == "POSITION":
                out[key] = self._position(view, value)
            elif fld.type == "UUID":
                out[key] = _uuid(value, key)
            elif fld.type == "FILES":
                out[key] = [dict(f, fileCategory=f.get("fileCategory", "OTHER")) for f in value]
            else:
                out[key] = value
        return out

    def _fk(self, view: ObjectView, fld: FieldMeta, value: Any) -> Any:
        if value is None:
            return None
        rid = _uuid(value, fld.joinColumnName or fld.name)
        target = view.targets[fld.name].nameSingular
        if self.lookup(target, rid) is None:
            raise bad_input(
                f"Cannot set {fld.joinColumnName}: no {target} record with id {rid}",
                "INVALID_ARGS_DATA",
            )
        return rid

    def _relation_input(self, view: ObjectView, fld: FieldMeta, value: Any) -> Any:
        if not isinstance(value, dict):
            raise bad_input(f"{fld.name} expects {{connect}} or {{disconnect}}")
        connect = value.get("connect")
        disconnect = value.get("disconnect")
        if connect and disconnect:
            raise bad_input(f"Cannot connect and disconnect {fld.name} at the same time")
        if disconnect:
            return None
        if not connect:
            raise bad_input(f"{fld.name} expects {{connect}} or {{disconnect}}")
        where = connect.get("where") or {}
        target = self.ws.view(view.targets[fld.name].nameSingular)
        assert target is not None
        matches = self._where_unique(target, where)
        if len(matches) != 1:
            raise bad_input(
                f"Connect: no {target.obj.nameSingular} record matches {json.dumps(where, sort_keys=True)}"
                if not matches
                else f"Connect: several {target.obj.nameSingular} records match",
                "INVALID_ARGS_DATA",
            )
        return matches[0]["id"]

    def _where_unique(self, view: ObjectView, where: dict[str, Any]) -> list[Record]:
        conds = {k: v for k, v in where.items() if v is not None}
        if not conds:
            raise bad_input("A where clause needs at least one unique field", "INVALID_ARGS_DATA")
        out = []
        for rec in self.table(view).values():
            if rec.get("deletedAt") is not None:
                continue
            ok = True
            for k, v in conds.items():
                if isinstance(v, dict):
                    sub = rec.get(k) or {}
                    if any(sub.get(sk) != sv for sk, sv in v.items() if sv is not None):
                        ok = False
                elif rec.get(k) != v:
                    ok = False
            if ok:
                out.append(rec)
        return out

    def _position(self, view: ObjectView, value: Any) -> float:
        if value in ("first", "last"):
            positions = [
                float(r["position"])
                for r in self.table(view).values()
                if r.get("position") is not None
            ]
            if not positions:
                return 0.0
            return min(positions) - 1 if value == "first" else max(positions) + 1
        return float(value)

    def actor(self) -> dict[str, Any]:
        return {
            "source": "API",
            "name": self.settings.actor_name,
            "workspaceMemberId": None,
            "context": {},
        }

    def new_record(self, view: ObjectView, values: Record, next_position: float) -> Record:
        now = now_iso()
        rec: Record = {}
        for fld in view.fields:
            if fld.relationType == "ONE_TO_MANY":
                continue
            if fld.relationType == "MANY_TO_ONE":
                join = fld.joinColumnName or f"{fld.name}Id"
                rec[join] = values.get(join)
                continue
            if fld.name in values:
                rec[fld.name] = values[fld.name]
                continue
            if fld.type == "TS_VECTOR":
                rec[fld.name] = None
                continue
            rec[fld.name] = default_value(fld)
        rec["id"] = values.get("id") or str(uuid.uuid4())
        rec.setdefault("createdAt", now)
        if rec.get("createdAt") is None:
            rec["createdAt"] = now
        if "updatedAt" in rec and "updatedAt" not in values:
            rec["updatedAt"] = now
        for actor_field in ("createdBy", "updatedBy"):
            if actor_field in view.by_name:
                given = values.get(actor_field)
                actor = self.actor()
                if isinstance(given, dict):
                    if given.get("source"):
                        actor["source"] = given["source"]
                    if given.get("context") is not None:
                        actor["context"] = given["context"]
                rec[actor_field] = actor
        if "position" in view.by_name and "position" not in values:
            rec["position"] = next_position
        for fld in view.fields:
            if (
                fld.relationType is None
                and not fld.isNullable
                and rec.get(fld.name) is None
                and fld.type != "TS_VECTOR"
            ):
                raise bad_input(f"Field {fld.name} is required", "INVALID_ARGS_DATA")
        return rec

    # ---- uniqueness / upsert ------------------------------------------------------------

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
                key = _group_key(rec, paths)
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
                        key = _group_key(old, paths)
                        if key is not None and mapping.get(key) == old["id"]:
                            del mapping[key]
                    key = _group_key(rec, paths)
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
                key = _group_key(rec, paths)
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
            key = _group_key(values, paths)
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

    # ---- mutations -----------------------------------------------------------------------

    def _createOne(self, view: ObjectView, data: Record, upsert: bool | None = None) -> Record:
        return self._createMany(view, [data], upsert)[0]

    def _createMany(
        self, view: ObjectView, data: list[Record], upsert: bool | None = None
    ) -> list[Record]:
        limit = self.settings.batch_limit
        if len(data) > limit:
            raise bad_input(
                f"Maximum number of records to upsert is {limit}.",
                "TOO_MANY_RECORDS_TO_UPDATE",
            )
        table = self.table(view)
        next_pos = self.max_position(view) + 1
        results: list[Record] = []
        updates: dict[str, Record] = {}
        inserts: list[Record] = []
        now = now_iso()
        for item in data:
            existing = None
            if upsert:
                probe = self.normalize(view, item, None)
                existing = self.match_existing(view, probe)
                if existing is not None and existing["id"] in updates:
                    existing = updates[existing["id"]]
            if existing is not None:
                values = self.normalize(
                    view, {k: v for k, v in item.items() if k != "id"}, existing
                )
                merged = dict(existing)
                merged.update(values)
                merged["updatedAt"] = values.get("updatedAt", now)
                if "updatedBy" in view.by_name:
                    merged["updatedBy"] = self.actor()
                updates[merged["id"]] = merged
                results.append(merged)
            else:
                values = self.normalize(view, item, None)
                if values.get("id") in table or any(values.get("id") == r["id"] for r in inserts):
                    raise bad_input(
                        "Duplicate Id. Please set a unique one.",
                        "DUPLICATE_ENTRY",
                        "Duplicate Id. Please set a unique one.",
                    )
                rec = self.new_record(view, values, next_pos)
                if "position" not in values:
                    next_pos += 1
                inserts.append(rec)
                results.append(rec)
        # updates may appear several times in results; point them at the final version
        results = [updates.get(r["id"], r) for r in results]
        self.check_unique(view, list(updates.values()) + inserts, set(updates))
        self.write(view, list(updates.values()) + inserts)
        return results

    def _get(self, view: ObjectView, rid: str, with_deleted: bool = False) -> Record:
        rec = self.table(view).get(rid)
        if rec is None or (not with_deleted and rec.get("deletedAt") is not None):
            raise not_found()
        return rec

    def _apply_update(self, view: ObjectView, rec: Record, data: Record) -> Record:
        values = self.normalize(view, data, rec)
        if "id" in values and values["id"] != rec["id"]:
            raise bad_input("The id of a record cannot be changed", "INVALID_ARGS_DATA")
        merged = dict(rec)
        merged.update(values)
        if "updatedAt" not in values:
            merged["updatedAt"] = now_iso()
        if "updatedBy" in view.by_name:
            merged["updatedBy"] = self.actor()
        return merged

    def _updateOne(self, view: ObjectView, id: str, data: Record) -> Record:
        rec = self._get(view, id)
        merged = self._apply_update(view, rec, data)
        self.check_unique(view, [merged], {rec["id"]})
        self.write(view, [merged])
        return merged

    def _updateMany(self, view: ObjectView, data: Record, filter: Record) -> list[Record]:
        rows = self.visible_rows(view, filter)
        limit = self.settings.batch_limit
        if len(rows) > limit:
            raise bad_input(
                f"Cannot update more than {limit} records at once",
                "TOO_MANY_RECORDS_TO_UPDATE",
                f"You can only update up to {limit} records at once.",
            )
        merged = [self._apply_update(view, r, data) for r in rows]
        self.check_unique(view, merged, {r["id"] for r in rows})
        self.write(view, merged)
        return self._ordered(view, merged)

    def _ordered(self, view: ObjectView, rows: list[Record]) -> list[Record]:
        return [r for _k, r in self.sort(rows, order_keys(view, None))]

    def _soft_delete(self, view: ObjectView, rows: Iterable[Record]) -> list[Record]:
        now = now_iso()
        out = [dict(rec, deletedAt=now) for rec in rows]
        self.write(view, out)
        return out

    def _deleteOne(self, view: ObjectView, id: str) -> Record:
        return self._soft_delete(view, [self._get(view, id)])[0]

    def _deleteMany(self, view: ObjectView, filter: Record) -> list[Record]:
        rows = self.visible_rows(view, filter)
        self._check_many_limit(rows)
        return self._ordered(view, self._soft_delete(view, rows))

    def _restore(self, view: ObjectView, rows: Iterable[Record]) -> list[Record]:
        restored = [dict(rec, deletedAt=None) for rec in rows]
        self.check_unique(view, restored, {r["id"] for r in restored})
        self.write(view, restored)
        return restored

    def _restoreOne(self, view: ObjectView, id: str) -> Record:
        return self._restore(view, [self._get(view, id, with_deleted=True)])[0]

    def _restoreMany(self, view: ObjectView, filter: Record) -> list[Record]:
        rows = [r for r in self.visible_rows(view, filter, with_deleted=True) if r.get("deletedAt")]
        self._check_many_limit(rows)
        return self._ordered(view, self._restore(view, rows))

    def _destroy(self, view: ObjectView, rows: list[Record]) -> list[Record]:
        ids = {r["id"] for r in rows}
        for rec in rows:
            self.ws.store.remove(view.obj.id, rec["id"])
        self.ws.on_records_destroyed(view, ids)
        return rows

    def _destroyOne(self, view: ObjectView, id: str) -> Record:
        rec = self._get(view, id, with_deleted=True)
        if self.settings.destroy_requires_soft_delete and rec.get("deletedAt") is None:
            raise not_found()
        return self._destroy(view, [rec])[0]

    def _destroyMany(self, view: ObjectView, filter: Record) -> list[Record]:
        rows = self.visible_rows(view, filter, with_deleted=True)
        if self.settings.destroy_requires_soft_delete:
            rows = [r for r in rows if r.get("deletedAt") is not None]
        self._check_many_limit(rows)
        return self._ordered(view, self._destroy(view, rows))

    def _check_many_limit(self, rows: list[Record]) -> None:
        """deleteMany/destroyMany/restoreMany cap (off by default: UNCONFIRMED in Twenty)."""
        limit = self.settings.batch_limit
        if self.settings.limit_delete_many and len(rows) > limit:
            raise bad_input(
                f"Cannot update more than {limit} records at once",
                "TOO_MANY_RECORDS_TO_UPDATE",
                f"You can only update up to {limit} records at once.",
            )

    def _mergeMany(
        self,
        view: ObjectView,
        ids: list[str],
        conflictPriorityIndex: int,
        dryRun: bool | None = None,
    ) -> Record:
        if len(ids) < 2:
            raise bad_input("At least 2 records are required to merge", "INVALID_ARGS_DATA")
        if len(set(ids)) != len(ids):
            raise bad_input("Cannot merge a record with itself", "INVALID_ARGS_DATA")
        if not 0 <= conflictPriorityIndex < len(ids):
            raise bad_input(
                f"conflictPriorityIndex {conflictPriorityIndex} is out of range",
                "INVALID_ARGS_DATA",
            )
        records = [self._get(view, rid) for rid in ids]
        priority = records[conflictPriorityIndex]
        others = [r for r in records if r is not priority]
        merged = dict(priority)
        for fld in view.fields:
            if fld.relationType == "ONE_TO_MANY" or fld.name in (
                "id",
                "createdAt",
                "updatedAt",
                "deletedAt",
                "createdBy",
                "updatedBy",
                "position",
            ):
                continue
            key = fld.joinColumnName if fld.relationType == "MANY_TO_ONE" else fld.name
            assert key is not None
            if fld.type in ("MULTI_SELECT", "ARRAY"):
                union: list[Any] = []
                for r in [priority, *others]:
                    for v in r.get(key) or []:
                        if v not in union:
                            union.append(v)
                merged[key] = union if union else merged.get(key)
                continue
            if _empty(merged.get(key)):
                for r in others:
                    if not _empty(r.get(key)):
                        merged[key] = r.get(key)
                        break
        if dryRun:
            return merged
        merged["updatedAt"] = now_iso()
        self.check_unique(view, [merged], {r["id"] for r in records})
        self.ws.reassign_relations(view, [r["id"] for r in others], priority["id"])
        self._soft_delete(view, others)
        self.write(view, [merged])
        return merged


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


def _conn_dimension(conn: Connection, name: str) -> Any:
    value = (conn.dimension_key or {}).get(name)
    return list(value) if isinstance(value, tuple) else value


def _conn_aggregate(conn: Connection, spec: AggregateSpec) -> Any:
    return conn.aggregate(spec)


def _empty_page_info() -> dict[str, Any]:
    return {"startCursor": None, "endCursor": None, "hasNextPage": False, "hasPreviousPage": False}


def _uuid(value: Any, name: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise bad_input(f"Invalid UUID for {name}: {value!r}", "INVALID_ARGS_DATA") from None


def _get_path(rec: Record, path: tuple[str, ...]) -> Any:
    cur: Any = rec
    for p in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


def _group_key(rec: Record, paths: list[tuple[str, ...]]) -> tuple[Any, ...] | None:
    values = tuple(_get_path(rec, p) for p in paths)
    if any(v is None or v == "" for v in values):
        return None
    return values


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
