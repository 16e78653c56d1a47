"""Errors the emulator raises, shaped like Twenty's (twenty-api.md §3.3)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

__all__ = ["TwentyApiError", "format_error"]

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


def format_error(error: GraphQLError) -> dict[str, Any]:
    """Serialise any GraphQLError in Twenty's shape (``extensions.code`` is always present)."""
    formatted: dict[str, Any] = dict(error.formatted)
    ext = dict(formatted.get("extensions") or {})
    if "code" not in ext:
        original = error.original_error
        if isinstance(original, TwentyApiError):
            ext.update(original.extensions or {})
        else:
            ext["code"] = "INTERNAL_SERVER_ERROR" if original is not None else "BAD_USER_INPUT"
    ext.setdefault("userFriendlyMessage", DEFAULT_USER_MESSAGE)
    formatted["extensions"] = ext
    return formatted
