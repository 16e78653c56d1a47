"""Validating and converting raw values (CSV strings or JSON values) for one create input."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twenty_gql.importer.schema import ImportSchema, TypeRef

__all__ = ["Converter", "RowError"]


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file (CSV header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class _Bad(ValueError):
    pass


class Converter:
    """Validates and converts raw values (CSV strings or JSON values) for one create input."""

    def __init__(self, schema: ImportSchema, input_type: str) -> None:
        self.schema = schema
        self.input_type = input_type
        self.fields = schema.inputs[input_type]

    # columns ----------------------------------------------------------------------------------

    def check_columns(self, columns: Sequence[str]) -> list[RowError]:
        errors: list[RowError] = []
        for col in columns:
            try:
                self._column_ref(col)
            except _Bad as exc:
                errors.append(RowError(1, col, str(exc)))
        return errors

    def _column_ref(self, column: str) -> TypeRef:
        head, _, sub = column.partition(".")
        if head not in self.fields:
            raise _Bad(f"unknown field {head!r} of {self.input_type}")
        ref = self.fields[head][0]
        if not sub:
            return ref
        if ref.kind != "INPUT_OBJECT" or ref.list:
            raise _Bad(f"{head!r} is not a composite field; it has no sub-field {sub!r}")
        sub_fields = self.schema.inputs.get(ref.name, {})
        if "." in sub or sub not in sub_fields:
            raise _Bad(f"unknown sub-field {sub!r} of {head!r} ({ref.name})")
        return sub_fields[sub][0]

    # rows -------------------------------------------------------------------------------------

    def convert_row(
        self, raw: Mapping[str, Any], row: int, *, from_text: bool
    ) -> tuple[dict[str, Any], list[RowError]]:
        out: dict[str, Any] = {}
        errors: list[RowError] = []
        for column, value in raw.items():
            if column is None or (from_text and (value is None or value == "")):
                continue  # empty CSV cell: not sent
            column = str(column)
            head, _, sub = column.partition(".")
            try:
                ref = self._column_ref(column)
                converted = self._value(ref, value, from_text, column)
            except _Bad as exc:
                errors.append(RowError(row, column, str(exc)))
                continue
            if sub:
                target = out.setdefault(head, {})
                if not isinstance(target, dict):
                    errors.append(RowError(row, column, f"{head!r} is also given as a whole value"))
                    continue
                target[sub] = converted
            elif head in out and isinstance(out[head], dict) and isinstance(converted, dict):
                out[head] = {**converted, **out[head]}
            else:
                out[head] = converted
        for name, (ref, has_default) in self.fields.items():
            if ref.required and not has_default and out.get(name) is None:
                errors.append(RowError(row, name, "missing required field"))
        return out, errors

    def _value(self, ref: TypeRef, value: Any, from_text: bool, where: str) -> Any:
        if value is None:
            if ref.required:
                raise _Bad("null is not allowed here")
            return None
        if ref.list:
            return self._list(ref, value, from_text, where)
        if ref.kind == "ENUM":
            allowed = self.schema.enums.get(ref.name, frozenset())
            if not isinstance(value, str) or value not in allowed:
                raise _Bad(
                    f"bad enum value {_short(value)} (allowed: {', '.join(sorted(allowed))})"
                )
            return value
        if ref.kind == "INPUT_OBJECT":
            return self._object(ref, value, from_text, where)
        return _scalar(ref.name, value, from_text, where)

    def _list(self, ref: TypeRef, value: Any, from_text: bool, where: str) -> list[Any]:
        items: Any = value
        if from_text and isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    items = json.loads(text)
                except ValueError:
                    raise _Bad(f"not a JSON list: {_short(value)}") from None
                from_text = False
            else:
                items = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(items, list):
            raise _Bad(f"expected a list, got {_short(value)}")
        item_ref = TypeRef(ref.name, ref.kind, ref.item_required)
        return [self._value(item_ref, v, from_text, where) for v in items]

    def _object(self, ref: TypeRef, value: Any, from_text: bool, where: str) -> dict[str, Any]:
        obj: Any = value
        if from_text and isinstance(value, str):
            try:
                obj = json.loads(value)
            except ValueError:
                raise _Bad(f"expected a JSON object for {ref.name}") from None
        if not isinstance(obj, Mapping):
            raise _Bad(f"expected an object ({ref.name}), got {_short(value)}")
        sub_fields = self.schema.inputs.get(ref.name, {})
        out: dict[str, Any] = {}
        for key, sub_value in obj.items():
            if key not in sub_fields:
                raise _Bad(f"unknown sub-field {key!r} of {ref.name}")
            out[key] = self._value(sub_fields[key][0], sub_value, False, where)
        return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- scalars: one converter per GraphQL scalar (value, from_text) -> what is sent ----------------


def _text(value: Any, from_text: bool) -> str:
    if not isinstance(value, str):
        raise _Bad(f"expected text, got {_short(value)}")
    return value


def _uuid(value: Any, from_text: bool) -> str:
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _raise_uuid(value)
    except ValueError:
        raise _Bad(f"bad UUID {_short(value)}") from None


def _id(value: Any, from_text: bool) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Bad(f"expected an ID, got {_short(value)}")
    return str(value)


def _int(value: Any, from_text: bool) -> int:
    if from_text and isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _Bad(f"bad integer {_short(value)}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f"bad integer {_short(value)}")
    return value


def _position(value: Any, from_text: bool) -> Any:
    return value if value in ("first", "last") else _number(value, from_text)


def _big_float(value: Any, from_text: bool) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        _number(value, False)
        return str(value)
    if isinstance(value, str):
        try:
            d = decimal.Decimal(value.strip())
        except decimal.InvalidOperation:
            raise _Bad(f"bad number {_short(value)}") from None
        if d.is_finite():
            return value.strip()
    raise _Bad(f"bad number {_short(value)}")


def _boolean(value: Any, from_text: bool) -> bool:
    if isinstance(value, bool):
        return value
    if from_text and isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise _Bad(f"bad boolean {_short(value)} (use true/false)")


def _date(value: Any, from_text: bool) -> str:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _Bad(f"bad date {_short(value)} (use YYYY-MM-DD)")


def _date_time(value: Any, from_text: bool) -> str:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.timezone.utc)
            return parsed.isoformat().replace("+00:00", "Z")
    raise _Bad(f"bad date-time {_short(value)} (use ISO 8601, e.g. 2024-05-01T12:00:00Z)")


def _json_value(value: Any, from_text: bool) -> Any:
    if from_text and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise _Bad(f"bad JSON {_short(value)}") from None
    return value


def _raise_uuid(value: Any) -> str:
    raise ValueError(value)


def _number(value: Any, from_text: bool) -> float:
    if from_text and isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Bad(f"bad number {_short(value)}") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _Bad(f"bad number {_short(value)}")
    if not math.isfinite(number):
        raise _Bad(f"bad number {_short(value)}")
    return number


_SCALARS: dict[str, Callable[[Any, bool], Any]] = {
    "String": _text,
    "TSVector": _text,
    "Cursor": _text,
    "ConnectionCursor": _text,
    "UUID": _uuid,
    "ID": _id,
    "Int": _int,
    "BigInt": _int,
    "Float": _number,
    "Position": _position,
    "BigFloat": _big_float,
    "Boolean": _boolean,
    "Date": _date,
    "DateTime": _date_time,
    "JSON": _json_value,
    "RawJSONScalar": _json_value,
}


def _scalar(name: str, value: Any, from_text: bool, where: str) -> Any:
    if name == "ID" and (where == "id" or where.endswith("Id")):
        name = "UUID"  # an id or a foreign key
    convert = _SCALARS.get(name)
    # An unknown custom scalar: pass the value through unchanged.
    return convert(value, from_text) if convert is not None else value
