"""The JSON fast path (msgspec): request bodies and typed response decoding.

Per :class:`~twenty_gql.operation.Operation` (cached on ``op._cache`` the first time it runs):
the request body prefix ``{"query":...,"operationName":...,"variables":`` encoded once, and a
``msgspec.json.Decoder`` for ``{"data": <result_type> | null, "errors": [...]}``. Per call only
the variables are encoded and the answer decoded, straight into the result type.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import msgspec

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


def dumps_variables(variables: Any) -> bytes:
    if not variables:
        return b"{}"
    try:
        return encode(variables)
    except (TypeError, msgspec.EncodeError, OverflowError) as exc:
        raise TypeError(f"variables could not be encoded as JSON: {exc}") from None


__all__ = ["Envelope", "Prepared", "body_prefix", "decode_any", "dumps_variables", "prepared"]
