"""Every failure the runtime raises, as one tree rooted at :class:`TwentyError`.

::

    TwentyError
    ├── ConfigurationError (also ValueError)   bad url / key / option, raised at construction
    ├── ClientClosedError                      the client was used after aclose()
    ├── MetadataNameError (also ValueError)   a data-model name/label/option refused before sending
    ├── InvalidVariablesError (also TypeError, ValueError)  variables that cannot be sent
    │                                          faithfully (NaN/inf, naive datetime, an object
    │                                          JSON cannot carry): raised before sending
    ├── TransportError                         no HTTP answer (``request_sent`` says if it may
    │   │                                      have reached the server)
    │   ├── ConnectError                       could not connect: nothing was sent
    │   ├── TransportTimeoutError              connect timeout (not sent) or read timeout (sent)
    │   ├── ConnectionDroppedError             the connection broke after the request was written
    │   ├── ResponseTooLargeError              the answer exceeded ``max_response_bytes``
    │   └── ServiceUnavailableError            the endpoint's circuit is open: not sent
    ├── DeadlineExceededError (also TimeoutError)  a call's or a bulk run's ``deadline`` passed
    ├── HTTPStatusError                        a non-2xx answer that is not a GraphQL body
    ├── DecodeError                            non-JSON, HTML, truncated, or neither data nor errors
    │   └── EmptyResultError                   a write answered null where a record is expected
    └── GraphQLResponseError                   the answer carried ``errors`` (Twenty sends HTTP 200)
        ├── UnauthenticatedError               UNAUTHENTICATED (bad / expired key)
        ├── ForbiddenError                     FORBIDDEN (missing / revoked key, no permission)
        │   └── PermissionDeniedError          subCode PERMISSION_DENIED: the key's role forbids it
        ├── NotFoundError                      NOT_FOUND
        │   ├── RecordNotFoundError            a facade's get/find_one matched no record
        │   └── ObjectNotFoundError            the data model has no object/field of that name
        ├── SchemaDriftError                   GRAPHQL_VALIDATION_FAILED naming a field / argument /
        │                                      type that no longer exists: regenerate the bindings
        ├── ThrottledError                     LIMIT_REACHED / RATE_LIMITED / HTTP 429
        └── BadUserInputError                  BAD_USER_INPUT
            ├── BatchLimitExceededError        "Maximum number of records to upsert is N."
            └── UniqueConflictError            "Duplicate X. Please set a unique one." / CONFLICT

Every class has ``retryable``: whether the failure itself is transient (connection errors,
502/503/504, throttling). Whether the *request* may be resent also depends on it being
idempotent; that decision is :class:`twenty_gql.scheduling.RetryPolicy`'s. No message, repr
or attribute ever holds the API key: the client scrubs text it puts into an error.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

__all__ = [
    "BadUserInputError",
    "BatchLimitExceededError",
    "ClientClosedError",
    "ConfigurationError",
    "ConnectError",
    "ConnectionDroppedError",
    "DeadlineExceededError",
    "DecodeError",
    "EmptyResultError",
    "ForbiddenError",
    "GraphQLResponseError",
    "HTTPStatusError",
    "InvalidVariablesError",
    "MetadataNameError",
    "NotFoundError",
    "ObjectNotFoundError",
    "PermissionDeniedError",
    "RecordNotFoundError",
    "ResponseTooLargeError",
    "SchemaDriftError",
    "ServiceUnavailableError",
    "ThrottledError",
    "TransportError",
    "TransportTimeoutError",
    "TwentyError",
    "UnauthenticatedError",
    "UniqueConflictError",
    "WriteFailure",
    "error_from_graphql",
    "record_positions",
    "schema_drift",
    "write_failure",
]

_EXCERPT = 300


class TwentyError(Exception):
    """Base of every error the runtime raises."""

    retryable: bool = False


class ConfigurationError(TwentyError, ValueError):
    """A client option is invalid (raised before anything is sent)."""


class ClientClosedError(TwentyError, RuntimeError):
    """The client was used after ``aclose()`` / leaving ``async with``."""


class MetadataNameError(TwentyError, ValueError):
    """A name, label or option given to :class:`twenty_gql.datamodel.DataModel` breaks Twenty's
    rules (camelCase names of at most 63 characters, enum-like option values): nothing was
    sent. ``what`` names the argument, ``value`` the refused value."""

    def __init__(self, message: str, *, what: str, value: Any) -> None:
        super().__init__(message)
        self.what = what
        self.value = value


class InvalidVariablesError(TwentyError, TypeError, ValueError):
    """The variables cannot be sent as the caller meant them, so nothing was sent: a value JSON
    cannot carry (NaN / infinity, an arbitrary object) or a naive ``datetime`` (the server would
    read it in its own time zone). ``path`` names the offending value (``data[3].createdAt``)
    when it could be located."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class TransportError(TwentyError):
    """The request got no HTTP answer.

    ``request_sent`` is False only when the failure proves nothing reached the server (the
    connection was never established); a non-idempotent request is resent only then.
    """

    retryable = True

    def __init__(self, message: str, *, request_sent: bool = True, retryable: bool = True) -> None:
        super().__init__(message)
        self.request_sent = request_sent
        self.retryable = retryable


class ConnectError(TransportError):
    """Could not open a connection (refused, DNS, TLS handshake): the request was not sent."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message, request_sent=False, retryable=retryable)


class TransportTimeoutError(TransportError):
    """The request timed out; ``request_sent`` is False for a connect timeout."""


class ConnectionDroppedError(TransportError):
    """The connection broke after the request was (possibly) written."""


class ResponseTooLargeError(TransportError):
    """The answer's body exceeded the client's ``max_response_bytes``; it was not read to the
    end (the connection is closed, not reused). ``limit`` is the cap, ``size`` the announced
    length when the server sent one (else None). Not retryable: the same request would get the
    same answer."""

    def __init__(self, message: str, *, limit: int, size: int | None = None) -> None:
        super().__init__(message, request_sent=True, retryable=False)
        self.limit = limit
        self.size = size


class DeadlineExceededError(TwentyError, TimeoutError):
    """The ``deadline`` given to a call or a bulk run passed. For a call, ``request_sent``
    says whether the request may have reached the server (its outcome is then unknown)."""

    def __init__(self, message: str, *, request_sent: bool = False) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class ServiceUnavailableError(TransportError):
    """The endpoint's circuit breaker is open: recent calls could not reach the server, so this
    one failed fast without being sent (``request_sent`` is False, unless an earlier attempt of
    the same call may have reached the server before the circuit opened).

    ``endpoint`` is ``"graphql"`` or ``"metadata"``; ``since`` the wall-clock time
    (``time.time()``) the circuit opened; ``last_cause`` the failure that opened it (or the
    last failed probe); ``retry_in`` the seconds until the next probe is allowed.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str,
        since: float,
        last_cause: BaseException | None,
        retry_in: float,
        request_sent: bool = False,
    ) -> None:
        super().__init__(message, request_sent=request_sent, retryable=False)
        self.endpoint = endpoint
        self.since = since
        self.last_cause = last_cause
        self.retry_in = retry_in


class HTTPStatusError(TwentyError):
    """A non-2xx HTTP answer whose body is not a GraphQL response.

    ``retryable`` for 429 and 502/503/504. ``retry_after`` holds a ``Retry-After`` header
    (seconds) when the server sent one. ``body`` is a short excerpt of the answer.
    """

    def __init__(
        self, status: int, body: str, *, retry_after: float | None = None, url: str = ""
    ) -> None:
        self.status = status
        self.body = body[:_EXCERPT]
        self.retry_after = retry_after
        self.url = url
        self.retryable = status in (429, 502, 503, 504)
        where = f" from {url}" if url else ""
        super().__init__(f"HTTP {status}{where}: {self.body!r}")


class DecodeError(TwentyError):
    """The answer could not be decoded: not JSON, an HTML page, truncated, the wrong shape,
    or a GraphQL response with neither ``data`` nor ``errors``. ``body`` is an excerpt."""

    def __init__(self, message: str, body: str = "", *, status: int = 200) -> None:
        self.body = body[:_EXCERPT]
        self.status = status
        super().__init__(f"{message} (HTTP {status}): {self.body!r}" if body else message)


class EmptyResultError(DecodeError):
    """The server answered a write (or a read that must return a record) with ``null`` where
    a record was expected. ``root_field`` names the field (``createCompany``)."""

    def __init__(self, root_field: str, *, operation: str | None = None) -> None:
        self.root_field = root_field
        self.operation = operation
        where = f" (operation {operation})" if operation else ""
        super().__init__(f"{root_field} answered null where a record was expected{where}")


class GraphQLResponseError(TwentyError):
    """The server answered with GraphQL ``errors``.

    Attributes: ``message`` (the first error's), ``code`` (``extensions.code``), ``sub_code``
    (``extensions.subCode``), ``user_friendly_message``, ``path``, ``data`` (the partial data,
    generic-decoded, or None), ``errors`` (every error object as sent), ``operation`` (the
    operation name), ``status`` (the HTTP status).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        sub_code: str | None = None,
        user_friendly_message: str | None = None,
        path: Sequence[str | int] | None = None,
        data: Any = None,
        errors: Sequence[Mapping[str, Any]] = (),
        operation: str | None = None,
        status: int = 200,
    ) -> None:
        self.message = message
        self.code = code
        self.sub_code = sub_code
        self.user_friendly_message = user_friendly_message
        self.path = list(path) if path is not None else None
        self.data = data
        self.errors = list(errors)
        self.operation = operation
        self.status = status
        parts = [code or "GraphQL error"]
        if sub_code and sub_code != code:
            parts.append(f"/{sub_code}")
        text = "".join(parts) + f": {message}"
        if operation:
            text += f" (operation {operation}"
            text += f", path {'.'.join(map(str, self.path))})" if self.path else ")"
        if user_friendly_message and _adds(user_friendly_message, message):
            text += f" -- {user_friendly_message}"
        self.enum_name: str | None = None
        self.enum_values: tuple[str, ...] | None = None
        bad = ENUM_VALUE_RE.search(message)
        if bad:
            self.enum_name = bad.group(2)
            self.enum_values = known_enum_values(self.enum_name)
            if self.enum_values and "valid values" not in message:
                text += f" (valid values of {self.enum_name}: {', '.join(self.enum_values)})"
        if len(self.errors) > 1:
            text += f" [+{len(self.errors) - 1} more error(s)]"
        super().__init__(text)


#: Twenty's default ``userFriendlyMessage``: says nothing the message does not
_GENERIC_FRIENDLY = frozenset({"An error occurred.", "An error occurred", ""})
#: graphql-js 'Value "X" does not exist in "Y" enum.' (graphql-core quotes with ')
ENUM_VALUE_RE = re.compile(r"""Value ["'](.*?)["'] does not exist in ["'](\w+)["'] enum""")


def _adds(friendly: str, message: str) -> bool:
    """Whether ``userFriendlyMessage`` says something ``message`` does not."""
    f = friendly.strip()
    return f not in _GENERIC_FRIENDLY and f.rstrip(".") not in message


def known_enum_values(name: str) -> tuple[str, ...] | None:
    """The values of the enum type ``name`` as the generated bindings loaded in this process
    define it (generated enums are ``str`` ``Enum`` classes named like the GraphQL type), or
    None when no loaded binding defines it (or two define it differently)."""
    found: set[tuple[str, ...]] = set()
    stack = list(enum.Enum.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__name__ == name and issubclass(cls, str):
            found.add(tuple(str(m.value) for m in cls))
    return found.pop() if len(found) == 1 else None


class UnauthenticatedError(GraphQLResponseError):
    """UNAUTHENTICATED: the key is invalid, expired, or its workspace is gone."""


class ForbiddenError(GraphQLResponseError):
    """FORBIDDEN: no key, a revoked key, or the key's role lacks the permission."""


class PermissionDeniedError(ForbiddenError):
    """FORBIDDEN with ``subCode`` PERMISSION_DENIED: the key is valid but its role does not
    allow this operation on this object (not retryable)."""


class NotFoundError(GraphQLResponseError):
    """NOT_FOUND: the record / object does not exist."""


class ObjectNotFoundError(NotFoundError):
    """The workspace's data model has no object (or no field on an object) by this name.
    ``object_name`` is the object asked for, ``field_name`` the field (or None)."""

    def __init__(self, message: str, *, object_name: str, field_name: str | None = None) -> None:
        super().__init__(message, code="NOT_FOUND")
        self.object_name = object_name
        self.field_name = field_name


class RecordNotFoundError(NotFoundError):
    """A record facade's ``get(id)`` / ``find_one(filter=...)`` matched no record (whether
    the server answered null or NOT_FOUND). ``object_name`` is the object (``company``),
    ``id`` / ``filter`` what was asked for (one of them is None); both are in the message."""

    def __init__(
        self,
        object_name: str,
        *,
        id: object = None,
        filter: object = None,
        cause: GraphQLResponseError | None = None,
    ) -> None:
        self.object_name = object_name
        self.id = id
        self.filter = filter
        asked = f"id {id}" if id is not None else f"filter {filter!r}"
        kw: dict[str, Any] = {}
        if cause is not None:
            kw = {
                "code": cause.code,
                "sub_code": cause.sub_code,
                "path": cause.path,
                "errors": cause.errors,
                "operation": cause.operation,
                "status": cause.status,
            }
        super().__init__(f"no {object_name} record matches {asked}"[: _EXCERPT * 2], **kw)


class SchemaDriftError(GraphQLResponseError):
    """The server rejected the operation because a field, argument, type or object it names
    no longer exists in the workspace: the generated bindings are older than the data model.
    ``missing`` is the name that is gone, ``parent`` the type it was looked up on (when the
    message says). Run ``twenty-gql generate`` (or ``twenty-gql check`` to see the drift)."""

    def __init__(self, message: str, *, missing: str, parent: str | None = None, **kw: Any) -> None:
        self.missing = missing
        self.parent = parent
        super().__init__(message, **kw)
        where = f" on {parent}" if parent else ""
        self.args = (
            f"{self.args[0]} -- the workspace has no {missing!r}{where} (gone since the bindings "
            "were generated?): run `twenty-gql generate` to regenerate them (or `twenty-gql "
            "check` to list the drift)",
        )


class BadUserInputError(GraphQLResponseError):
    """BAD_USER_INPUT: the request was understood and refused (not retryable)."""


class BatchLimitExceededError(BadUserInputError):
    """Too many records in one call; ``limit`` is the server's maximum (parsed from
    "Maximum number of records to upsert is N." or "Cannot update more than N records")."""

    limit: int

    def __init__(self, message: str, *, limit: int, **kw: Any) -> None:
        self.limit = limit
        super().__init__(message, **kw)


class UniqueConflictError(BadUserInputError):
    """A unique field already holds this value (or an upsert matched several records)."""


class ThrottledError(GraphQLResponseError):
    """Twenty's rate limit: ``LIMIT_REACHED`` / ``RATE_LIMITED`` or HTTP 429.

    ``tokens`` and ``window`` (seconds) are parsed from "Limit reached (T tokens per W ms)"
    when present; ``retry_after`` (seconds) from a ``Retry-After`` header. ``wait`` is the
    suggested pause before the next token is available.
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        tokens: int | None = None,
        window: float | None = None,
        retry_after: float | None = None,
        **kw: Any,
    ) -> None:
        self.tokens = tokens
        self.window = window
        self.retry_after = retry_after
        super().__init__(message, **kw)

    @property
    def wait(self) -> float:
        """Seconds until one token is back, per the server's numbers (0 when unknown)."""
        refill = self.window / self.tokens if self.tokens and self.window else 0.0
        return max(refill, self.retry_after or 0.0)


#: Twenty's throttling message ("Limit reached (100 tokens per 60000 ms)"): the one copy.
THROTTLE_RE = re.compile(r"Limit reached \((\d+) tokens? per (\d+) ?ms\)")
#: Twenty's batch-limit messages ("Maximum number of records to upsert is 60.", "Cannot update
#: more than 60 records", "... update up to 60 records"): the one copy; group 1 is the limit.
BATCH_LIMIT_RE = re.compile(
    r"(?:Maximum number of records to upsert is |(?:Cannot update|update up to) (?:more than )?)"
    r"(\d+)"
)
_THROTTLE_CODES = frozenset({"LIMIT_REACHED", "RATE_LIMITED"})
_CONFLICT_SUB = frozenset({"UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT", "DUPLICATE_ENTRY"})
_BY_CODE: dict[str, type[GraphQLResponseError]] = {
    "UNAUTHENTICATED": UnauthenticatedError,
    "FORBIDDEN": ForbiddenError,
    "NOT_FOUND": NotFoundError,
    "BAD_USER_INPUT": BadUserInputError,
    "CONFLICT": UniqueConflictError,
}


#: graphql-js / graphql-core document validation messages that mean "this name is gone"
#: (graphql-js quotes with ", graphql-core 3.2 with '). Variable-value errors ("Variable
#: '$data' got invalid value ...") are about the values sent, not the bindings: not drift.
_Q = "[\"']"
_DRIFT_RES = (
    re.compile(rf"^Cannot query field {_Q}(\w+){_Q} on type {_Q}(\w+){_Q}"),
    re.compile(rf"^Unknown argument {_Q}(\w+){_Q} on field {_Q}([\w.]+){_Q}"),
    re.compile(rf"^Unknown type {_Q}(\w+){_Q}()"),
    re.compile(rf"^Field {_Q}(\w+){_Q} is not defined by type {_Q}(\w+){_Q}"),
)


def schema_drift(message: str) -> tuple[str, str | None] | None:
    """``(missing name, type it was looked up on or None)`` when ``message`` is a validation
    error saying a field / argument / type of the document does not exist; else None."""
    for rx in _DRIFT_RES:
        m = rx.match(message)
        if m:
            return m.group(1), m.group(2) or None
    return None


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _is_throttle(err: Mapping[str, Any]) -> bool:
    ext = err.get("extensions")
    if isinstance(ext, Mapping) and (
        ext.get("subCode") in _THROTTLE_CODES or ext.get("code") in _THROTTLE_CODES
    ):
        return True
    msg = err.get("message")
    return isinstance(msg, str) and msg.startswith("Limit reached")


def error_from_graphql(
    errors: Sequence[Any],
    data: Any = None,
    *,
    operation: str | None = None,
    status: int = 200,
    retry_after: float | None = None,
) -> GraphQLResponseError:
    """The typed error for a response's ``errors`` list (a throttling error wins, since it
    decides whether to wait and resend; otherwise the first error decides the class)."""
    objs = [e if isinstance(e, Mapping) else {"message": str(e)} for e in errors] or [
        {"message": "empty errors list"}
    ]
    first = next((e for e in objs if _is_throttle(e)), None)
    throttled = first is not None or status == 429
    if first is None:
        first = objs[0]
    message = _str(first.get("message")) or "(no message)"
    ext = first.get("extensions")
    ext = ext if isinstance(ext, Mapping) else {}
    code = _str(ext.get("code"))
    sub_code = _str(ext.get("subCode"))
    raw_path = first.get("path")
    path = (
        [p for p in raw_path if isinstance(p, (str, int))] if isinstance(raw_path, list) else None
    )
    kw: dict[str, Any] = {
        "code": code,
        "sub_code": sub_code,
        "user_friendly_message": _str(ext.get("userFriendlyMessage")),
        "path": path,
        "data": data,
        "errors": objs,
        "operation": operation,
        "status": status,
    }
    if throttled:
        m = THROTTLE_RE.search(message)
        return ThrottledError(
            message,
            tokens=int(m.group(1)) if m else None,
            window=int(m.group(2)) / 1000.0 if m else None,
            retry_after=retry_after,
            **kw,
        )
    if code in (None, "GRAPHQL_VALIDATION_FAILED"):
        # every validation error of the document counts; a missing field / argument (it
        # names where it was looked up) says more than the unknown input type it implies
        drifts = [
            (d, msg)
            for e in objs
            if isinstance(msg := e.get("message"), str) and (d := schema_drift(msg)) is not None
        ]
        if drifts:
            (gone, parent), text = next(((d, t) for d, t in drifts if d[1]), drifts[0])
            return SchemaDriftError(text, missing=gone, parent=parent, **kw)
    b = BATCH_LIMIT_RE.search(message)
    if b and int(b.group(1)) > 0 and code in (None, "BAD_USER_INPUT"):
        return BatchLimitExceededError(message, limit=int(b.group(1)), **kw)
    if code == "BAD_USER_INPUT" and (
        sub_code in _CONFLICT_SUB
        or message.startswith("Duplicate ")
        or "duplicate key value violates unique" in message
    ):
        return UniqueConflictError(message, **kw)
    if code == "FORBIDDEN" and sub_code == "PERMISSION_DENIED":
        return PermissionDeniedError(message, **kw)
    cls = _BY_CODE.get(code or "", GraphQLResponseError)
    return cls(message, **kw)


# -- what a failed batch write means (bulk) -------------------------------------------------------

WriteFailure = Literal["outage", "batch_limit", "throttled", "temporary", "batch_fatal", "content"]
"""How a failed batch write is handled:

* ``outage``: the client's circuit is open (:class:`ServiceUnavailableError`): wait for the
  server, send nothing new;
* ``batch_limit``: too many records in one call (:class:`BatchLimitExceededError`): re-split;
* ``throttled``: the rate limit (:class:`ThrottledError`): wait and resend;
* ``temporary``: no answer or a garbled one (:class:`TransportError`, :class:`DecodeError`, HTTP
  5xx): the write may or may not have applied; resend as an upsert onto the same ids;
* ``batch_fatal``: nothing about the records (authentication, permissions, a broken document, a
  closed client): every later batch would fail the same way, stop;
* ``content``: the server refused something in the records: bisect to find which.
"""

# GraphQL error codes that say nothing about the records sent: every batch would get them.
_BATCH_FATAL_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "GRAPHQL_PARSE_FAILED",
        "PERSISTED_QUERY_NOT_FOUND",
        "PERSISTED_QUERY_NOT_SUPPORTED",
        "METHOD_NOT_ALLOWED",
        "SCHEMA_VERSION_MISMATCH",
        "APP_VERSION_MISMATCH",
        "EMAIL_NOT_VERIFIED",
        "QUOTA_EXHAUSTED",
    }
)
# graphql-core 3.3: "Variable '$data' has invalid value at [3].employees: ..."
# graphql-core 3.2: "Variable '$data' got invalid value ...; ... at 'data[3].employees'"
_VAR_INDEX_RE = re.compile(r"Variable '\$data' .*?(?:at \[|at 'data\[)(\d+)\]")


def record_positions(exc: BaseException, size: int) -> list[int]:
    """Positions (``0 <= i < size``) of the ``$data`` list the error's messages name as
    invalid (GraphQL variable coercion errors); empty when none or all are named."""
    messages = [str(exc)]
    if isinstance(exc, GraphQLResponseError):
        messages += [m for e in exc.errors if isinstance(m := e.get("message"), str)]
    found = {int(m.group(1)) for msg in messages for m in _VAR_INDEX_RE.finditer(msg)}
    named = sorted(i for i in found if 0 <= i < size)
    return named if len(named) < size else []


def _http_status_failure(status: int) -> WriteFailure:
    if status == 429:
        return "throttled"
    if status >= 500:
        return "temporary"
    if status in (400, 413, 422):
        return "content"
    return "batch_fatal"  # 3xx (not followed), 401/403/404, anything else


def _graphql_failure(exc: GraphQLResponseError) -> WriteFailure:
    if isinstance(exc, (UnauthenticatedError, ForbiddenError)) or exc.code in _BATCH_FATAL_CODES:
        return "batch_fatal"
    if exc.code == "GRAPHQL_VALIDATION_FAILED":
        # a variable error naming records is about content; anything else is the document
        return "content" if record_positions(exc, 1 << 30) else "batch_fatal"
    return "content"


def write_failure(exc: BaseException) -> WriteFailure:
    """Classify the failure of one batch write (see :data:`WriteFailure`) by the error's type.

    A :class:`ResponseTooLargeError` counts as ``content``: a smaller batch gets a smaller
    answer. An exception from outside the tree counts as ``content`` when it is a
    ``TypeError`` / ``ValueError`` raised while encoding the records (nothing was sent), as
    ``temporary`` when it is an ``OSError`` / ``TimeoutError`` from a custom transport, and as
    ``batch_fatal`` otherwise (a bug is not retried).
    """
    kind: WriteFailure = "batch_fatal"
    if isinstance(exc, ServiceUnavailableError):
        kind = "outage"
    elif isinstance(exc, DeadlineExceededError):
        kind = "batch_fatal"
    elif isinstance(exc, ThrottledError):
        kind = "throttled"
    elif isinstance(exc, BatchLimitExceededError):
        kind = "batch_limit"
    elif isinstance(exc, GraphQLResponseError):
        kind = _graphql_failure(exc)
    elif isinstance(exc, HTTPStatusError):
        kind = _http_status_failure(exc.status)
    elif isinstance(exc, ResponseTooLargeError):
        kind = "content"
    elif isinstance(exc, (TransportError, DecodeError)):
        kind = "temporary"
    elif isinstance(exc, (ClientClosedError, ConfigurationError)):
        kind = "batch_fatal"
    elif isinstance(exc, (TypeError, ValueError)):
        kind = "content"
    elif isinstance(exc, (OSError, TimeoutError)):
        kind = "temporary"
    return kind
