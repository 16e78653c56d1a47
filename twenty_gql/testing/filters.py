"""Filtering, ordering and keyset cursors over in-memory records (twenty-api.md §1.6-§1.7).

Filters follow SQL semantics where Twenty delegates to Postgres: a comparison with NULL is false
(so ``neq`` never matches a null), ``like``/``ilike`` use ``%`` and ``_`` wildcards, and every
operator in one filter object must hold (AND).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable
from typing import Any

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.model import COMPOSITE_TYPES, ENUM_FIELD_TYPES, FieldMeta
from twenty_gql.testing.views import ObjectView

__all__ = [
    "OrderKey",
    "Predicate",
    "compare_keys",
    "compile_filter",
    "decode_cursor",
    "encode_cursor",
    "mentions_deleted_at",
    "order_keys",
]

Record = dict[str, Any]
Predicate = Callable[[Record], bool]
#: resolves a MANY_TO_ONE join (object name, record id) -> record or None
Lookup = Callable[[str, Any], "Record | None"]


def bad_input(message: str, sub_code: str = "INVALID_QUERY_INPUT") -> TwentyApiError:
    return TwentyApiError(message, "BAD_USER_INPUT", sub_code)


@functools.lru_cache(maxsize=512)
def like_regex(pattern: str, insensitive: bool) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("^" + "".join(out) + "$", re.DOTALL | (re.IGNORECASE if insensitive else 0))


_IS_VALUES = ("NULL", "NOT_NULL")


class ValueCheck:
    """Predicate over one stored value: every ``(op, arg)`` must hold (SQL semantics)."""

    __slots__ = ("checks", "rank")

    def __init__(self, rank: Callable[[Any], Any] | None = None) -> None:
        self.checks: list[tuple[str, Any]] = []
        self.rank = rank

    def add(self, op: str, arg: Any) -> None:
        self.checks.append((op, arg))

    def __call__(self, value: Any) -> bool:
        return all(_check(op, arg, value, self.rank) for op, arg in self.checks)


def _ranked(rank: Callable[[Any], Any] | None, value: Any) -> Any:
    return rank(value) if rank is not None else value


def _compare(op: str, arg: Any, v: Any, rank: Callable[[Any], Any] | None) -> bool:
    if v is None:
        return False
    a, b = _ranked(rank, v), _ranked(rank, arg)
    try:
        if op == "gt":
            return bool(a > b)
        if op == "gte":
            return bool(a >= b)
        if op == "lt":
            return bool(a < b)
        return bool(a <= b)
    except TypeError:
        return False


_Op = Callable[[Any, Any], bool]

#: op -> (argument, stored value) -> matches; gt/gte/lt/lte go through ``_compare``
_OPS: dict[str, _Op] = {
    "is": lambda arg, v: (v is None) if arg == "NULL" else (v is not None),
    "eq": lambda arg, v: v is not None and bool(v == arg),
    "neq": lambda arg, v: v is not None and bool(v != arg),
    "in": lambda arg, v: v is not None and v in arg,
    "startsWith": lambda arg, v: isinstance(v, str) and v.startswith(arg),
    "endsWith": lambda arg, v: isinstance(v, str) and v.endswith(arg),
    "like": lambda arg, v: v is not None and bool(arg.match(_text(v))),
    "ilike": lambda arg, v: v is not None and bool(arg.match(_text(v))),
    "rx": lambda arg, v: v is not None and bool(arg.match(_text(v))),
    "search": lambda arg, v: isinstance(v, str) and bool(arg.search(v)),
    "jsonb": lambda arg, v: v is not None and _json_contains(v, arg),
    "emptyArray": lambda arg, v: bool((isinstance(v, list) and not v) == arg),
    "emptyEnum": lambda arg, v: bool((not v) == arg),
    "arrayIlike": lambda arg, v: isinstance(v, list) and any(arg.match(str(e)) for e in v),
    "anyOf": lambda arg, v: v in arg,
    "overlaps": lambda arg, v: bool(v) and bool(set(v) & arg),
    "contains": lambda arg, v: bool(v) and arg in v,
    "notContains": lambda arg, v: v is not None and arg not in v,
}


def _check(op: str, arg: Any, v: Any, rank: Callable[[Any], Any] | None) -> bool:
    if op in ("gt", "gte", "lt", "lte"):
        return _compare(op, arg, v, rank)
    fn = _OPS.get(op)
    if fn is None:
        raise AssertionError(op)
    return fn(arg, v)


def _add_is(check: ValueCheck, arg: Any) -> None:
    if arg not in _IS_VALUES:
        raise bad_input(f"Invalid 'is' value: {arg!r}")
    check.add("is", arg)


def _add_cmp(check: ValueCheck, op: str, arg: Any) -> None:
    """eq/neq/gt/gte/lt/lte/in/is/startsWith/endsWith/like/ilike/regex/iregex."""
    if arg is None and op != "is":
        # an operator given an explicit null is ignored, like Twenty's query parser does
        return
    if op == "is":
        _add_is(check, arg)
    elif op in ("eq", "neq", "gt", "gte", "lt", "lte", "startsWith", "endsWith"):
        check.add(op, arg)
    elif op == "in":
        check.add("in", list(arg))
    elif op in ("like", "ilike"):
        check.add(op, like_regex(str(arg), op == "ilike"))
    elif op in ("regex", "iregex"):
        try:
            compiled = re.compile(str(arg), re.IGNORECASE if op == "iregex" else 0)
        except re.error as exc:
            raise bad_input(f"Invalid regular expression {arg!r}: {exc}") from None
        check.add("search", compiled)
    else:
        raise bad_input(f"Unsupported filter operator: {op}")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _json_contains(container: Any, contained: Any) -> bool:
    """Postgres ``@>`` for JSON values."""
    if isinstance(contained, dict):
        return isinstance(container, dict) and all(
            k in container and _json_contains(container[k], v) for k, v in contained.items()
        )
    if isinstance(contained, list):
        if not isinstance(container, list):
            return False
        return all(any(_json_contains(c, item) for c in container) for item in contained)
    if isinstance(container, list):
        return any(_json_contains(c, contained) for c in container)
    return bool(container == contained)


def _enum_order(fld: FieldMeta | None) -> dict[str, int]:
    options = fld.options if fld is not None and isinstance(fld.options, list) else []
    return {str(o.get("value")): i for i, o in enumerate(options)}


def _json_filter(ops: dict[str, Any]) -> ValueCheck:
    check = ValueCheck()
    for op, arg in ops.items():
        if arg is None:
            continue
        if op == "is":
            _add_is(check, arg)
        elif op == "like":
            check.add("like", like_regex(str(arg), False))
        elif op == "containsJsonb":
            try:
                needle = json.loads(arg) if isinstance(arg, str) else arg
            except ValueError:
                raise bad_input(f"containsJsonb expects JSON text, got {arg!r}") from None
            check.add("jsonb", needle)
        else:
            raise bad_input(f"Unsupported filter operator for RawJsonFilter: {op}")
    return check


def _array_filter(ops: dict[str, Any]) -> ValueCheck:
    check = ValueCheck()
    for op, arg in ops.items():
        if arg is None:
            continue
        if op == "is":
            _add_is(check, arg)
        elif op == "isEmptyArray":
            check.add("emptyArray", bool(arg))
        elif op == "containsIlike":
            check.add("arrayIlike", like_regex(str(arg), True))
        else:
            raise bad_input(f"Unsupported filter operator for ArrayFilter: {op}")
    return check


def _enum_filter(fld_type: str, ops: dict[str, Any], fld: FieldMeta | None) -> ValueCheck:
    order = _enum_order(fld)
    check = ValueCheck(rank=lambda v: order.get(v, -1))
    multi = fld_type == "MULTI_SELECT"
    for op, arg in ops.items():
        if arg is None and op != "is":
            continue
        if op == "isEmptyArray":
            check.add("emptyEnum", bool(arg))
        elif op == "containsAny" or (multi and op == "in"):
            check.add("overlaps" if multi else "anyOf", set(arg))
        elif multi and op == "eq":
            check.add("contains", arg)
        elif multi and op == "neq":
            check.add("notContains", arg)
        else:
            _add_cmp(check, op, arg)
    return check


def _value_filter(fld_type: str, ops: dict[str, Any], fld: FieldMeta | None) -> ValueCheck:
    """Predicate over one stored value, for the filter type of ``fld_type``."""
    if fld_type in ("RAW_JSON", "FILES"):
        return _json_filter(ops)
    if fld_type == "ARRAY":
        return _array_filter(ops)
    if fld_type in ENUM_FIELD_TYPES:
        return _enum_filter(fld_type, ops, fld)
    check = ValueCheck()
    for op, arg in ops.items():
        _add_cmp(check, op, arg)
    return check


def mentions_deleted_at(filt: Any) -> bool:
    """Twenty includes soft-deleted rows when the filter mentions ``deletedAt`` anywhere."""
    if isinstance(filt, dict):
        return any(k == "deletedAt" or mentions_deleted_at(v) for k, v in filt.items())
    if isinstance(filt, list):
        return any(mentions_deleted_at(v) for v in filt)
    return False


class _All:
    __slots__ = ("preds",)

    def __init__(self, preds: list[Predicate]) -> None:
        self.preds = preds

    def __call__(self, rec: Record) -> bool:
        return all(p(rec) for p in self.preds)


class _Any:
    __slots__ = ("preds",)

    def __init__(self, preds: list[Predicate]) -> None:
        self.preds = preds

    def __call__(self, rec: Record) -> bool:
        return any(p(rec) for p in self.preds)


class _Not:
    __slots__ = ("pred",)

    def __init__(self, pred: Predicate) -> None:
        self.pred = pred

    def __call__(self, rec: Record) -> bool:
        return not self.pred(rec)


class _At:
    """Apply a value check to ``rec[key]`` (or ``rec[key][sub]``)."""

    __slots__ = ("check", "key", "sub")

    def __init__(self, key: str, check: ValueCheck, sub: str | None = None) -> None:
        self.key = key
        self.sub = sub
        self.check = check

    def __call__(self, rec: Record) -> bool:
        value = rec.get(self.key)
        if self.sub is not None:
            value = value.get(self.sub) if isinstance(value, dict) else None
        return self.check(value)


def _true(_rec: Record) -> bool:
    return True


def compile_filter(view: ObjectView, filt: dict[str, Any] | None) -> Predicate:
    """Compile a ``<X>FilterInput`` value into a predicate over stored records."""
    if not filt:
        return _true
    preds: list[Predicate] = []
    for key, value in filt.items():
        if value is None:
            continue
        if key == "and":
            preds.append(_All([compile_filter(view, f) for f in value if f is not None]))
        elif key == "or":
            preds.append(_Any([compile_filter(view, f) for f in value if f is not None]))
        elif key == "not":
            preds.append(_Not(compile_filter(view, value)))
        elif key in view.join_columns:
            preds.append(_At(key, _value_filter("UUID", value, None)))
        elif key in view.by_name:
            fld = view.by_name[key]
            if fld.relationType is not None:
                raise bad_input(
                    f"Cannot filter or order through {key}: only to-one relations are supported"
                )
            preds.append(_field_predicate(view, fld, value))
        else:
            raise bad_input(f"Unknown filter field {key!r} on {view.obj.nameSingular}")
    if not preds:
        return _true
    if len(preds) == 1:
        return preds[0]
    return _All(preds)


def _field_predicate(view: ObjectView, fld: FieldMeta, value: dict[str, Any]) -> Predicate:
    name = fld.name
    if fld.type == "TS_VECTOR":
        search = value.get("search")
        if not search:
            return _true
        sources = search_sources(view, fld)
        words = [w.lower() for w in re.findall(r"\w+", str(search))]

        def ts_match(r: Record) -> bool:
            text = " ".join(_text(_flatten_text(r.get(s))) for s in sources).lower()
            return all(w in text for w in words)

        return ts_match
    if fld.type == "RICH_TEXT":
        value = {k: v for k, v in value.items() if v is not None}
    if fld.type in COMPOSITE_TYPES:
        subs = {s.name: s for s in COMPOSITE_TYPES[fld.type]}
        sub_preds: list[Predicate] = []
        for sub_name, ops in value.items():
            if ops is None:
                continue
            sub = subs.get(sub_name)
            if sub is None:
                raise bad_input(f"Unknown sub-field {sub_name!r} of {name}")
            sub_preds.append(_At(name, _value_filter(sub.type, ops, None), sub_name))
        return _All(sub_preds)
    return _At(name, _value_filter(fld.type, value, fld))


def _flatten_text(value: Any) -> Any:
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v is not None)
    return value if value is not None else ""


def search_sources(view: ObjectView, fld: FieldMeta) -> list[str]:
    settings = fld.settings if isinstance(fld.settings, dict) else {}
    names = settings.get("asExpressionFromFields") or []
    return [n for n in names if n in view.by_name] or [
        f.name for f in view.fields if f.type in ("TEXT", "FULL_NAME", "EMAILS", "LINKS")
    ]


# ---- ordering ---------------------------------------------------------------------------

DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")


class OrderKey:
    """One ordering key: a path into the record, its direction, and how to rank values."""

    __slots__ = ("desc", "fast", "nulls_first", "path", "rank", "relation")

    def __init__(
        self,
        path: tuple[str, ...],
        direction: str,
        rank: Callable[[Any], Any] | None = None,
        relation: tuple[str, str] | None = None,
    ) -> None:
        if direction not in DIRECTIONS:
            raise bad_input(f"Invalid order direction {direction!r}")
        self.path = path
        self.desc = direction.startswith("Desc")
        self.nulls_first = direction.endswith("NullsFirst")
        self.rank = rank
        #: (join column, target object name) when ordering by a related record's field
        self.relation = relation
        #: the record key when the value is simply ``record.get(key)``
        self.fast = path[0] if len(path) == 1 and rank is None and relation is None else None

    def value(self, row: Record, lookup: Lookup | None, from_cursor: bool = False) -> Any:
        cur: Any = row
        path = self.path
        if self.relation is not None and not from_cursor:
            join, target = self.relation
            cur = lookup(target, row.get(join)) if lookup else None
            path = path[1:]
        for part in path:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(part)
        if cur is not None and self.rank is not None:
            return self.rank(cur)
        return cur


def order_keys(view: ObjectView, order_by: list[dict[str, Any]] | None) -> list[OrderKey]:
    """Keys of an ``orderBy`` list, plus Twenty's implicit ``{id: AscNullsFirst}`` tie-breaker."""
    keys: list[OrderKey] = []
    for item in order_by or []:
        if not item:
            continue
        for name, direction in item.items():
            if direction is None:
                continue
            keys.extend(_keys_for(view, name, direction))
    if not any(k.path == ("id",) for k in keys):
        keys.append(OrderKey(("id",), "AscNullsFirst"))
    return keys


def _enum_rank(fld: FieldMeta) -> Callable[[Any], Any]:
    options = fld.options if isinstance(fld.options, list) else []
    order = {str(o.get("value")): i for i, o in enumerate(options)}
    return lambda v: order.get(v, -1) if not isinstance(v, list) else [order.get(x, -1) for x in v]


def _keys_for(view: ObjectView, name: str, direction: Any) -> list[OrderKey]:
    if name in view.join_columns:
        return [OrderKey((name,), direction)]
    fld = view.by_name.get(name)
    if fld is None:
        raise bad_input(f"Unknown orderBy field {name!r} on {view.obj.nameSingular}")
    if fld.relationType == "MANY_TO_ONE":
        if not isinstance(direction, dict):
            raise bad_input(f"orderBy {name} expects an object of the related record's fields")
        target = view.targets[name].nameSingular
        join = fld.joinColumnName or f"{name}Id"
        out = []
        for sub, sub_dir in direction.items():
            if sub_dir is None:
                continue
            if isinstance(sub_dir, dict):
                for sub2, d2 in sub_dir.items():
                    if d2 is not None:
                        out.append(OrderKey((name, sub, sub2), d2, relation=(join, target)))
            else:
                out.append(OrderKey((name, sub), sub_dir, relation=(join, target)))
        return out
    if fld.relationType is not None:
        raise bad_input(
            f"Cannot filter or order through {name}: only to-one relations are supported"
        )
    if fld.type in COMPOSITE_TYPES:
        if not isinstance(direction, dict):
            raise bad_input(f"orderBy {name} expects an object of sub-fields")
        return [OrderKey((name, sub), d) for sub, d in direction.items() if d is not None]
    if isinstance(direction, dict):
        direction = direction.get("orderBy") or "AscNullsFirst"
    rank = _enum_rank(fld) if fld.type in ENUM_FIELD_TYPES else None
    return [OrderKey((name,), direction, rank=rank)]


def _cmp_values(a: Any, b: Any, key: OrderKey) -> int:
    if a is None and b is None:
        return 0
    if a is None:
        return -1 if key.nulls_first else 1
    if b is None:
        return 1 if key.nulls_first else -1
    try:
        c = int(a > b) - int(a < b)
    except TypeError:
        sa, sb = _text(a), _text(b)
        c = (sa > sb) - (sa < sb)
    return -c if key.desc else c


def compare_keys(a: list[Any], b: list[Any], keys: list[OrderKey]) -> int:
    for va, vb, key in zip(a, b, keys, strict=False):
        c = _cmp_values(va, vb, key)
        if c:
            return c
    return 0


# ---- cursors -----------------------------------------------------------------------------


def encode_cursor(row: Record, keys: list[OrderKey], lookup: Lookup | None) -> str:
    """``base64(JSON({...orderByFieldValues, id}))`` like Twenty's cursors.util.ts."""
    payload: dict[str, Any] = {}
    for key in keys:
        raw = OrderKey(key.path, "AscNullsFirst", relation=key.relation).value(row, lookup)
        cur = payload
        for part in key.path[:-1]:
            cur = cur.setdefault(part, {})
        cur[key.path[-1]] = raw
    payload["id"] = row["id"]
    text = json.dumps(payload, separators=(",", ":"), default=str)
    return base64.b64encode(text.encode()).decode()


def decode_cursor(cursor: str, keys: list[OrderKey]) -> list[Any]:
    """The ordering values stored in a cursor; raises INVALID_CURSOR when undecodable."""
    try:
        payload = json.loads(base64.b64decode(cursor.encode(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_input("Invalid cursor", "INVALID_CURSOR") from None
    if not isinstance(payload, dict) or "id" not in payload:
        raise bad_input("Invalid cursor", "INVALID_CURSOR")
    return [k.value(payload, None, from_cursor=True) for k in keys]
