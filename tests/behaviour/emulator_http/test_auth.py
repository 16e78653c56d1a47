"""Auth per twenty-api.md §5 on every endpoint: missing / invalid / expired -> UNAUTHENTICATED,
revoked -> FORBIDDEN (HTTP 200 GraphQL errors); REST 401 / 403 in Twenty's REST error shape."""

from __future__ import annotations

import base64
import json

import pytest

from .conftest import Http, codes

QUERY = "{ companies(first: 1) { totalCount } }"
INTROSPECTION = "{ __schema { queryType { name } } }"


def _forge_unsigned(key: str) -> str:
    """The same payload with a signature made without the secret."""
    header, payload, _sig = key.split(".")
    return f"{header}.{payload}.{base64.urlsafe_b64encode(b'x' * 32).decode().rstrip('=')}"


def _tamper(key: str) -> str:
    header, payload, sig = key.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["exp"] += 1000
    raw = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{raw}.{sig}"


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
@pytest.mark.parametrize("query", [QUERY, INTROSPECTION])
async def test_missing_key_is_unauthenticated_and_no_introspection(
    http: Http, path: str, query: str
) -> None:
    status, body = await http.post(path, query, key=None)
    assert status == 200
    assert codes(body) == ["UNAUTHENTICATED"]
    assert "data" not in body
    assert body["errors"][0]["message"] == "Missing authentication token"


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
async def test_garbage_forged_and_tampered_keys_are_unauthenticated(http: Http, path: str) -> None:
    for bad in ("garbage", "a.b.c", _forge_unsigned(http.emu.api_key), _tamper(http.emu.api_key)):
        status, body = await http.post(path, INTROSPECTION, key=bad)
        assert status == 200
        assert codes(body) == ["UNAUTHENTICATED"], bad
        assert body["errors"][0]["message"] == "Token invalid."
        assert bad not in json.dumps(body)


async def test_expired_key(http: Http) -> None:
    expired = http.emu.issue_key(expires_in=-5)
    status, body = await http.post("/graphql", QUERY, key=expired)
    assert status == 200 and codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "Token has expired."
    fresh = http.emu.issue_key(expires_in=3600)
    status, body = await http.post("/graphql", QUERY, key=fresh)
    assert "errors" not in body and body["data"]["companies"]["totalCount"] >= 0


async def test_revoked_key_is_forbidden_other_keys_still_work(http: Http) -> None:
    other = http.emu.issue_key()
    http.emu.revoke_key()
    for path in ("/graphql", "/metadata"):
        status, body = await http.post(path, INTROSPECTION)
        assert status == 200 and codes(body) == ["FORBIDDEN"], path
        assert body["errors"][0]["message"] == "This API Key is revoked"
    status, body = await http.post("/graphql", QUERY, key=other)
    assert "errors" not in body


async def test_query_parameter_token_fallback(http: Http) -> None:
    async with http.session.post(
        f"{http.emu.url}/graphql?token={http.emu.api_key}", json={"query": QUERY}
    ) as resp:
        body = await resp.json()
    assert "errors" not in body


async def test_rest_401_and_403(http: Http) -> None:
    status, body = await http.get("/rest/metadata/objects", key=None)
    assert status == 401
    assert body == {
        "statusCode": 401,
        "messages": ["Missing authentication token"],
        "error": "UNAUTHENTICATED",
    }
    status, body = await http.get("/rest/metadata/objects", key="nope")
    assert status == 401 and body["messages"] == ["Token invalid."]
    status, body = await http.get("/rest/metadata/fields", key=http.emu.issue_key(-1))
    assert status == 401 and body["messages"] == ["Token has expired."]
    http.emu.revoke_key()
    status, body = await http.get("/rest/metadata/objects")
    assert status == 403
    assert body["statusCode"] == 403 and body["error"] == "FORBIDDEN"


async def test_static_key_accepted_and_never_in_repr() -> None:
    from twenty_gql.testing import TwentyEmulator

    async with TwentyEmulator("empty", api_key="my-static-key-123") as emu:
        assert "my-static-key-123" not in repr(emu)
        assert emu.api_key == "my-static-key-123"
        with pytest.raises(ValueError, match="not a key of this emulator"):
            emu.revoke_key("something-else")
