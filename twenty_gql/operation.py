"""Prepared GraphQL operations: the unit that generated code hands to the runtime.

An :class:`Operation` is built once, when a generated module is imported (or at generation
time), and reused for every call: the document text is never parsed or printed per call.
The runtime (``TwentyClient.execute``) only needs what is on this object to send the request,
account for rate-limit tokens, decide whether a resend is safe, and decode the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Endpoint", "Operation", "OperationKind"]

Endpoint = Literal["graphql", "metadata"]
OperationKind = Literal["query", "mutation"]

ResultT = TypeVar("ResultT")


@dataclass(frozen=True, eq=False)
class Operation(Generic[ResultT]):
    """A GraphQL document prepared once and executed many times.

    Attributes:
        name: the GraphQL operation name (``operationName`` on the wire).
        document: the full document text, sent verbatim.
        endpoint: ``"graphql"`` (workspace data) or ``"metadata"`` (data model).
        kind: ``"query"`` or ``"mutation"``.
        root_fields: the root field names the document selects; Twenty charges one
            rate-limit token per root field.
        result_type: the type that the response's ``data`` member decodes into (a msgspec
            ``Struct``, a ``TypedDict`` or ``dict[str, Any]``).
        idempotent: whether resending the request unchanged is safe (all queries; writes by
            id; upserts). A call may override it (e.g. a create whose records all carry ids).
    """

    name: str
    document: str
    endpoint: Endpoint
    kind: OperationKind
    root_fields: tuple[str, ...]
    result_type: type[ResultT]
    idempotent: bool
    # Runtime-private cache (encoded request prefix, decoder); not part of equality or repr.
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def tokens(self) -> int:
        """Rate-limit tokens one execution costs (one per root field, at least one)."""
        return max(1, len(self.root_fields))
