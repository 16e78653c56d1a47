"""KeyRing: signed JWT-shaped keys, expiry, revocation, tampering, workspace and type checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from twenty_gql.testing.auth import (
    EXPIRED,
    INVALID,
    MISSING,
    NO_WORKSPACE,
    REVOKED,
    WRONG_TYPE,
    KeyRing,
)


def _parts(token: str) -> tuple[dict[str, object], dict[str, object]]:
    h, p, _s = token.split(".")
    pad = lambda t: t + "=" * (-len(t) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(h))), json.loads(
        base64.urlsafe_b64decode(pad(p))
    )


def test_issued_key_is_a_verifiable_hs256_jwt() -> None:
    ring = KeyRing(workspace_id="ws-1", app_secret="s3cret")
    key = ring.issue()
    header, payload = _parts(key)
    assert header == {"alg": "HS256", "typ": "JWT"}
    assert payload["sub"] == payload["workspaceId"] == "ws-1"
    assert payload["type"] == "API_KEY" and isinstance(payload["jti"], str)
    # the signature is HMAC-SHA256 under sha256hex(APP_SECRET + workspaceId + "ACCESS")
    secret = hashlib.sha256(b"s3cret" + b"ws-1" + b"ACCESS").hexdigest().encode()
    h, p, s = key.split(".")
    want = base64.urlsafe_b64encode(hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest())
    assert s == want.decode().rstrip("=")
    assert ring.verify(key) is None


def test_failures_map_to_twenty_codes() -> None:
    ring = KeyRing()
    assert ring.verify(None) is MISSING and ring.verify("") is MISSING
    assert MISSING.code == "UNAUTHENTICATED" and MISSING.status == 401
    assert ring.verify("not-a-jwt") is INVALID
    assert ring.verify(KeyRing().issue()) is INVALID  # another instance's secret
    assert ring.verify(ring.issue(expires_in=-1)) is EXPIRED
    assert ring.verify(ring.issue(token_type="ACCESS")) is WRONG_TYPE
    assert WRONG_TYPE.code == "FORBIDDEN" and WRONG_TYPE.status == 403
    key = ring.issue()
    assert ring.revoke(key) is True
    assert ring.verify(key) is REVOKED and REVOKED.status == 403
    assert ring.revoke("unknown") is False


def test_other_workspace_with_same_secret() -> None:
    ring = KeyRing(workspace_id="a", app_secret="x")
    other = KeyRing(workspace_id="b", app_secret="x")
    # different workspace id -> different signing secret -> invalid here
    assert ring.verify(other.issue()) is INVALID
    # a correctly signed token naming another workspace
    h, _p, _s = ring.issue().split(".")
    payload = {"sub": "b", "workspaceId": "b", "type": "API_KEY", "jti": "j", "exp": 2**40}
    p = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    forged = f"{h}.{p}.{ring._sign(f'{h}.{p}'.encode())}"
    assert ring.verify(forged) is NO_WORKSPACE and NO_WORKSPACE.status == 401


def test_static_keys() -> None:
    ring = KeyRing()
    ring.add_static("fixed")
    assert ring.verify("fixed") is None
    ring.revoke("fixed")
    assert ring.verify("fixed") is REVOKED
    for bad in ("", "with space"):
        with pytest.raises(ValueError, match="api_key"):
            ring.add_static(bad)


def test_repr_never_holds_a_key() -> None:
    ring = KeyRing()
    key = ring.issue()
    assert key not in repr(ring) and key.split(".")[2] not in repr(ring)
