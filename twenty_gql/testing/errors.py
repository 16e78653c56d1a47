"""Errors the emulator raises, shaped like Twenty's (twenty-api.md §3.3), and the one place that
gives any ``GraphQLError`` Twenty's ``extensions`` (``code``, ``subCode``, ``userFriendlyMessage``)."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

__all__ = [
    "DEFAULT_USER_MESSAGE",
    "TwentyApiError",
    "bad_input",
    "format_error",
    "not_found",
    "twenty_error",
    "with_code",
]

DEFAULT_USER_MESSAGE = "An error occurred."


class TwentyApiError(GraphQLError):
    """A GraphQL error carrying Twenty's ``extensions``: ``code``, ``subCode``, ``userFriendlyMessage``."""

    def __init__(
        self,
        message: str,
        code: str = "BAD_USER_INPUT",
        sub_code: str | None = None,
        user_friendly_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        extensions: dict[str, Any] = {"code": code}
        if sub_code is not None:
            extensions["subCode"] = sub_code
        extensions["userFriendlyMessage"] = user_friendly_message or DEFAULT_USER_MESSAGE
        super().__init__(message, extensions=extensions, **kwargs)
        self.code = code
        self.sub_code = sub_code


NOT_FOUND_FRIENDLY = "This record does not exist or has been deleted."


def bad_input(
    message: str, sub_code: str = "INVALID_QUERY_INPUT", friendly: str | None = None
) -> TwentyApiError:
    return TwentyApiError(message, "BAD_USER_INPUT", sub_code, friendly)


def not_found() -> TwentyApiError:
    return TwentyApiError("Record not found", "NOT_FOUND", "RECORD_NOT_FOUND", NOT_FOUND_FRIENDLY)


# graphql-core 3.3 quotes names with ', Twenty's graphql-js with ": the messages a client
# parses to name what is gone (schema drift) or a wrong enum value are quoted like graphql-js
_JS_QUOTED = (
    re.compile(r"^(Cannot query field )'(\w+)'( on type )'(\w+)'"),
    re.compile(r"^(Unknown argument )'(\w+)'( on field )'([\w.]+)'"),
    re.compile(r"^(Unknown type )'(\w+)'()()"),
)
_JS_ENUM = re.compile(r"Value '(.*?)' does not exist in '(\w+)' enum")
_JS_SUGGEST = re.compile(r"(Did you mean (?:the enum value )?)(.*)\?$")


_UNKNOWN_INPUT_FIELD = re.compile(
    r"^Expected value of type '(\w+)' not to include unknown field '(\w+)'\.( Did you mean [^?]*\?)?"
)


def graphql_js_message(message: str) -> str:
    """``message`` worded as graphql-js (Twenty's GraphQL library) words it, where graphql-core
    differs by quoting or wording, for the messages clients parse (drift, enum values)."""
    u = _UNKNOWN_INPUT_FIELD.match(message)
    if u:
        message = f"Field '{u.group(2)}' is not defined by type '{u.group(1)}'." + (
            u.group(3) or ""
        )
        message = re.sub(r"'(\w+)'", r'"\1"', message)
    for rx in _JS_QUOTED:
        m = rx.match(message)
        if m:
            a, name, b, parent = m.groups()
            head = f'{a}"{name}"{b}"{parent}"' if b else f'{a}"{name}"'
            message = head + message[m.end() :]
            break
    message = _JS_ENUM.sub(
        lambda m: f'Value "{m.group(1)}" does not exist in "{m.group(2)}" enum', message
    )
    return _JS_SUGGEST.sub(lambda m: m.group(1) + m.group(2).replace("'", '"') + "?", message)


def with_code(
    error: GraphQLError, code: str, extensions: dict[str, Any] | None = None
) -> GraphQLError:
    """``error`` with ``extensions.code`` (unless it has one) and a ``userFriendlyMessage``."""
    ext = dict((error.extensions or {}) if extensions is None else extensions)
    ext.setdefault("code", code)
    ext.setdefault("userFriendlyMessage", DEFAULT_USER_MESSAGE)
    return GraphQLError(
        graphql_js_message(error.message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=ext,
    )


def twenty_error(error: GraphQLError) -> GraphQLError:
    """Any error graphql-core reports, coded like Twenty: a ``TwentyApiError`` raised in a
    resolver keeps its extensions; another exception in a resolver is INTERNAL_SERVER_ERROR;
    the rest (variable coercion, operation selection) is BAD_USER_INPUT."""
    ext = error.extensions or {}
    if "code" in ext:
        return error if "userFriendlyMessage" in ext else with_code(error, str(ext["code"]))
    original = error.original_error
    if isinstance(original, TwentyApiError):
        return with_code(error, original.code, dict(original.extensions or {}))
    if original is not None and not isinstance(original, GraphQLError):
        return with_code(error, "INTERNAL_SERVER_ERROR")
    return with_code(error, "BAD_USER_INPUT")


def format_error(error: GraphQLError) -> dict[str, Any]:
    """Serialise any GraphQLError in Twenty's shape (``extensions.code`` is always present)."""
    return dict(twenty_error(error).formatted)
