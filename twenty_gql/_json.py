"""The JSON fast path (msgspec): request bodies and typed response decoding.

Per :class:`~twenty_gql.operation.Operation` (cached on ``op._cache`` the first time it runs):
the request body prefix ``{"query":...,"operationName":...,"variables":`` encoded once, and a
``msgspec.json.Decoder`` for ``{"data": <result_type> | null, "errors": [...]}``. Per call only
the variables are encoded and the answer decoded, straight into the result type.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import msgspec

from twenty_gql.errors import InvalidVariablesError

T = TypeVar("T")

_CACHE_KEY = "twenty_gql.runtime"


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, enum.Enum):  # non-str enums (str enums encode natively)
        return obj.value
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    raise TypeError(f"cannot encode a {type(obj).__name__} as a GraphQL variable: {obj!r}")


ENCODER = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")
encode = ENCODER.encode
_GENERIC = msgspec.json.Decoder()
decode_any = _GENERIC.decode


class Envelope(msgspec.Struct, Generic[T]):
    data: T | None = None
    errors: list[Any] | None = None


class Prepared:
    """What the runtime keeps per Operation."""

    __slots__ = ("decode", "prefix")

    def __init__(self, prefix: bytes, decode: Any) -> None:
        self.prefix = prefix
        self.decode = decode


def prepared(op: Any) -> Prepared:
    """The cached :class:`Prepared` of ``op`` (built on first use)."""
    p: Prepared | None = op._cache.get(_CACHE_KEY)
    if p is None:
        p = Prepared(
            body_prefix(op.document, op.name),
            msgspec.json.Decoder(Envelope[op.result_type]).decode,
        )
        op._cache[_CACHE_KEY] = p
    return p


def body_prefix(document: str, operation_name: str | None) -> bytes:
    """``{"query":<doc>,"operationName":<name>,"variables":`` (the body's constant part)."""
    name = b"" if operation_name is None else b',"operationName":' + encode(operation_name)
    return b'{"query":' + encode(document) + name + b',"variables":'


# A naive datetime as msgspec writes it: seconds (and fraction) right before the closing quote,
# no "Z" / "+hh:mm". Searched in the encoded bytes (a fast scan for "T"); only on a hit are the
# variables walked, so a string that merely looks like one costs a walk, not an error.
_NAIVE_DATETIME = re.compile(rb'T\d\d:\d\d:\d\d(?:\.\d{1,9})?"')


def dumps_variables(variables: Any) -> bytes:
    """The variables as JSON bytes; :class:`InvalidVariablesError` (nothing sent) for a value
    that JSON cannot carry faithfully: NaN / infinity (msgspec would write ``null``), a naive
    ``datetime`` (the server would read it in its own zone) or an object with no JSON form."""
    if not variables:
        return b"{}"
    try:
        out = encode(variables)
    except (TypeError, ValueError, msgspec.EncodeError, OverflowError) as exc:
        path, _ = _find_bad(variables, "", unencodable=True) or (None, "")
        where = f" (variable {path})" if path else ""
        raise InvalidVariablesError(
            f"variables could not be encoded as JSON{where}: {exc}", path=path
        ) from None
    if b"null" in out or _NAIVE_DATETIME.search(out) is not None:
        bad = _find_bad(variables, "")
        if bad is not None:
            raise InvalidVariablesError(
                f"variable {bad[0]}: {bad[1]}; nothing was sent", path=bad[0]
            )
    return out


def _find_bad(value: Any, path: str, *, unencodable: bool = False) -> tuple[str, str] | None:
    """The first value that cannot go out faithfully, as (path, problem); None if none."""
    if isinstance(value, (float, decimal.Decimal, datetime.datetime)):
        problem = _number_or_time_problem(value)
        return (path, problem) if problem is not None else None
    children = _children(value, path)
    if children is not None:
        for child_path, child in children:
            bad = _find_bad(child, child_path, unencodable=unencodable)
            if bad is not None:
                return bad
        return None
    if unencodable and not isinstance(value, str):
        try:
            encode(value)
        except Exception as exc:  # locating the value msgspec refused
            return path, str(exc)
    return None


def _number_or_time_problem(value: float | decimal.Decimal | datetime.datetime) -> str | None:
    if isinstance(value, float):
        return (
            None
            if math.isfinite(value)
            else (f"{value!r} is not a JSON number (JSON has no NaN or infinity)")
        )
    if isinstance(value, decimal.Decimal):
        return None if value.is_finite() else f"Decimal({str(value)!r}) is not a JSON number"
    if value.tzinfo is None or value.utcoffset() is None:
        return (
            f"naive datetime {value.isoformat()} has no time zone (the server would read "
            "it in its own zone); pass an aware datetime, e.g. tzinfo=datetime.timezone.utc"
        )
    return None


def _children(value: Any, path: str) -> Iterator[tuple[str, Any]] | None:
    """(path, value) of a container's members; None for anything else."""
    if isinstance(value, Mapping):
        return ((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return ((f"{path}[{i}]", v) for i, v in enumerate(value))
    if isinstance(value, msgspec.Struct):
        return ((f"{path}.{n}", getattr(value, n)) for n in value.__struct_fields__)
    return None


__all__ = ["Envelope", "Prepared", "body_prefix", "decode_any", "dumps_variables", "prepared"]
