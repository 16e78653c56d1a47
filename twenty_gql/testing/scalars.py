"""Twenty's custom GraphQL scalars (twenty-api.md §1.8), with serialize/parse rules.

Values are stored in the emulator's store in their wire form: DateTime as
``YYYY-MM-DDTHH:MM:SS.mmmZ`` (so string order is time order), Date as ``YYYY-MM-DD``, UUID as a
lower-case string, BigFloat as a float.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import (
    BooleanValueNode,
    FloatValueNode,
    GraphQLError,
    GraphQLScalarType,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
)

__all__ = [
    "SCALARS",
    "format_datetime",
    "normalize_datetime",
    "now_iso",
]


def format_datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return format_datetime(dt.datetime.now(dt.timezone.utc))


def normalize_datetime(value: Any) -> str:
    """ISO-8601 text (or datetime) -> ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC; raises ValueError."""
    if isinstance(value, dt.datetime):
        return format_datetime(value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc))
    if not isinstance(value, str):
        raise ValueError(f"DateTime must be an ISO-8601 string, got {type(value).__name__}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Invalid DateTime: {value!r} is not ISO-8601") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return format_datetime(parsed)


def _literal(node: ValueNode, variables: Any = None) -> Any:
    if isinstance(node, StringValueNode):
        return node.value
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, FloatValueNode):
        return float(node.value)
    if isinstance(node, BooleanValueNode):
        return node.value
    if isinstance(node, NullValueNode):
        return None
    if isinstance(node, ListValueNode):
        return [_literal(item, variables) for item in node.values]
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _literal(f.value, variables) for f in node.fields}
    # variables inside literals
    name = getattr(getattr(node, "name", None), "value", None)
    if variables and name in variables:
        return variables[name]
    raise GraphQLError("Unsupported literal")


# ---- UUID ------------------------------------------------------------------


def _uuid_parse(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError("UUID must be a string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise GraphQLError("Invalid UUID") from None


def _uuid_literal(node: ValueNode, _variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("UUID must be a string")
    return _uuid_parse(node.value)


UUIDScalar = GraphQLScalarType(
    "UUID",
    description="A UUID scalar type",
    serialize=lambda v: str(v),
    parse_value=_uuid_parse,
    parse_literal=_uuid_literal,
)

# ---- DateTime / Date -------------------------------------------------------


def _dt_serialize(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    raise GraphQLError(f"DateTime cannot represent value: {value!r}")


def _dt_parse(value: Any) -> str:
    try:
        return normalize_datetime(value)
    except ValueError as exc:
        raise GraphQLError(str(exc)) from None


def _dt_literal(node: ValueNode, _variables: Any = None) -> str:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("DateTime must be an ISO-8601 string")
    return _dt_parse(node.value)


DateTimeScalar = GraphQLScalarType(
    "DateTime",
    description=(
        "A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time "
        "format."
    ),
    serialize=_dt_serialize,
    parse_value=_dt_parse,
    parse_literal=_dt_literal,
)


def _date_parse(value: Any) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000, dt.timezone.utc).date().isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    raise GraphQLError(f"Invalid Date: {value!r} (expected YYYY-MM-DD)")


def _date_literal(node: ValueNode, _variables: Any = None) -> str:
    if isinstance(node, IntValueNode):
        return _date_parse(int(node.value))
    if isinstance(node, StringValueNode):
        return _date_parse(node.value)
    raise GraphQLError("Date must be a YYYY-MM-DD string")


DateScalar = GraphQLScalarType(
    "Date",
    description="Date custom scalar type (YYYY-MM-DD)",
    serialize=lambda v: v if isinstance(v, str) else _date_parse(v),
    parse_value=_date_parse,
    parse_literal=_date_literal,
)

# ---- JSON -------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    return value


JSONScalar = GraphQLScalarType(
    "JSON",
    description=(
        "The `JSON` scalar type represents JSON values as specified by "
        "[ECMA-404](http://www.ecma-international.org/publications/files/ECMA-ST/ECMA-404.pdf)."
    ),
    serialize=_json_value,
    parse_value=_json_value,
    parse_literal=_literal,
)

# ---- numbers ----------------------------------------------------------------


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise GraphQLError(f"{name} cannot represent a boolean: {value!r}")
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, (str, Decimal)):
        try:
            result = float(Decimal(str(value)))
        except InvalidOperation:
            raise GraphQLError(f"{name} cannot represent value: {value!r}") from None
    else:
        raise GraphQLError(f"{name} cannot represent value: {value!r}")
    if not math.isfinite(result):
        raise GraphQLError(f"{name} cannot represent a non-finite number")
    return result


def _bigfloat_literal(node: ValueNode, _variables: Any = None) -> float:
    if isinstance(node, (IntValueNode, FloatValueNode, StringValueNode)):
        return _number(node.value, "BigFloat")
    raise GraphQLError("BigFloat must be a number or a numeric string")


BigFloatScalar = GraphQLScalarType(
    "BigFloat",
    description="A custom scalar type for representing big floating point numbers",
    serialize=lambda v: _number(v, "BigFloat"),
    parse_value=lambda v: _number(v, "BigFloat"),
    parse_literal=_bigfloat_literal,
)


def _bigint(value: Any) -> int:
    if isinstance(value, bool):
        raise GraphQLError("BigInt cannot represent a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise GraphQLError(f"BigInt cannot represent value: {value!r}")


def _bigint_literal(node: ValueNode, _variables: Any = None) -> int:
    if isinstance(node, (IntValueNode, StringValueNode)):
        return _bigint(node.value)
    raise GraphQLError("BigInt must be an integer")


BigIntScalar = GraphQLScalarType(
    "BigInt",
    description="The `BigInt` scalar type represents non-fractional signed whole numeric values.",
    serialize=_bigint,
    parse_value=_bigint,
    parse_literal=_bigint_literal,
)


def _position(value: Any) -> float | str:
    if value in ("first", "last"):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise GraphQLError(f'Position must be a number or "first"/"last", got {value!r}')
    return float(value)


def _position_literal(node: ValueNode, _variables: Any = None) -> float | str:
    if isinstance(node, (IntValueNode, FloatValueNode)):
        return float(node.value)
    if isinstance(node, StringValueNode):
        return _position(node.value)
    raise GraphQLError('Position must be a number or "first"/"last"')


PositionScalar = GraphQLScalarType(
    "Position",
    description='A custom scalar type for representing record position: a number, "first" or "last"',
    serialize=lambda v: float(v),
    parse_value=_position,
    parse_literal=_position_literal,
)


def _string_scalar(name: str, description: str) -> GraphQLScalarType:
    def parse(value: Any) -> str:
        if not isinstance(value, str):
            raise GraphQLError(f"{name} must be a string")
        return value

    def literal(node: ValueNode, _variables: Any = None) -> str:
        if not isinstance(node, StringValueNode):
            raise GraphQLError(f"{name} must be a string")
        return node.value

    return GraphQLScalarType(
        name, description=description, serialize=str, parse_value=parse, parse_literal=literal
    )


CursorScalar = _string_scalar("Cursor", "A custom scalar that represents a cursor for pagination")
ConnectionCursorScalar = _string_scalar("ConnectionCursor", "Cursor for paging through collections")
TSVectorScalar = _string_scalar("TSVector", "A custom scalar type for the full-text search vector")

SCALARS: dict[str, GraphQLScalarType] = {
    s.name: s
    for s in (
        UUIDScalar,
        DateTimeScalar,
        DateScalar,
        JSONScalar,
        BigFloatScalar,
        BigIntScalar,
        PositionScalar,
        CursorScalar,
        ConnectionCursorScalar,
        TSVectorScalar,
    )
}


def json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
