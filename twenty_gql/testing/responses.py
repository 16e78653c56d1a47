"""HTTP answer bodies shared by the GraphQL and REST handlers (no handler state here)."""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from twenty_gql.testing.errors import DEFAULT_USER_MESSAGE

__all__ = ["error_body", "json_response"]

_encoder = msgspec.json.Encoder()


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=_encoder.encode(body), status=status, content_type="application/json")


def error_body(
    message: str, code: str, sub_code: str | None = None, friendly: str | None = None
) -> dict[str, Any]:
    """One entry of a GraphQL ``errors`` list in Twenty's shape."""
    ext: dict[str, Any] = {"code": code}
    if sub_code is not None:
        ext["subCode"] = sub_code
    ext["userFriendlyMessage"] = friendly or DEFAULT_USER_MESSAGE
    return {"message": message, "extensions": ext}
