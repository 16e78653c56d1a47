"""API keys of the emulator: JWT-shaped tokens checked like Twenty's (twenty-api.md §5).

A key is ``base64url(header).base64url(payload).base64url(signature)`` with header
``{"alg": "HS256", "typ": "JWT"}`` and payload ``{"sub": workspaceId, "workspaceId": workspaceId,
"type": "API_KEY", "jti": <key id>, "iat": ..., "exp": ...}``, signed with HMAC-SHA256 under
``sha256hex(app_secret + workspaceId + "ACCESS")`` as older and mid Twenty versions do. The
``app_secret`` is random per emulator instance, so keys of one run are not valid in another.

Verification follows Twenty's steps: decode, check the signature and expiry, check the workspace,
look the key up by ``jti``, reject it when revoked. Failures map to Twenty's messages and codes:

=====================  ==========================  ================  =====
case                   message                     GraphQL code      REST
=====================  ==========================  ================  =====
no token               Missing authentication token UNAUTHENTICATED  401
garbage / bad sig      Token invalid.              UNAUTHENTICATED   401
expired                Token has expired.          UNAUTHENTICATED   401
other workspace        Workspace not found         UNAUTHENTICATED   401
wrong token type       Invalid token               FORBIDDEN         403
revoked / unknown key  This API Key is revoked     FORBIDDEN         403
=====================  ==========================  ================  =====

(Twenty's table gives FORBIDDEN for a missing token on some versions, UNCONFIRMED; the emulator
answers UNAUTHENTICATED, which clients must treat as "no valid key" either way.)

Static keys (``TwentyEmulator(api_key="...")`` / ``--api-key``) are accepted verbatim, so a fixed
key can survive restarts; they can be revoked like issued ones. Key values never appear in
reprs, logs or error messages.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass

from twenty_gql.testing.roles import ADMIN, Role

__all__ = ["AuthFailure", "KeyRing"]

_HUNDRED_YEARS = 100 * 365 * 24 * 3600


@dataclass(frozen=True)
class AuthFailure:
    """Why a request was refused: Twenty's message, the GraphQL code and the REST status."""

    message: str
    code: str  # UNAUTHENTICATED | FORBIDDEN
    status: int  # 401 | 403


MISSING = AuthFailure("Missing authentication token", "UNAUTHENTICATED", 401)
INVALID = AuthFailure("Token invalid.", "UNAUTHENTICATED", 401)
EXPIRED = AuthFailure("Token has expired.", "UNAUTHENTICATED", 401)
NO_WORKSPACE = AuthFailure("Workspace not found", "UNAUTHENTICATED", 401)
WRONG_TYPE = AuthFailure("Invalid token", "FORBIDDEN", 403)
REVOKED = AuthFailure("This API Key is revoked", "FORBIDDEN", 403)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class KeyRing:
    """Issues, verifies and revokes the emulator's API keys. Thread-safe."""

    def __init__(self, workspace_id: str | None = None, app_secret: str | None = None) -> None:
        self.workspace_id = workspace_id or str(uuid.uuid4())
        self._secret = hashlib.sha256(
            ((app_secret or secrets.token_hex(32)) + self.workspace_id + "ACCESS").encode()
        ).hexdigest()
        self._lock = threading.Lock()
        self._issued: dict[str, bool] = {}  # jti -> revoked
        self._static: dict[str, bool] = {}  # literal key -> revoked
        self._roles: dict[str, Role] = {}  # jti or literal key -> role

    def __repr__(self) -> str:
        return f"KeyRing(workspace_id={self.workspace_id!r}, keys={len(self._issued) + len(self._static)})"

    def _sign(self, signing_input: bytes) -> str:
        return _b64(hmac.new(self._secret.encode(), signing_input, hashlib.sha256).digest())

    def issue(
        self,
        expires_in: float | None = None,
        *,
        token_type: str = "API_KEY",
        role: Role = ADMIN,
    ) -> str:
        """A new signed key with ``role``; ``expires_in`` seconds from now (negative: already
        expired), or 100 years like Twenty's keys without ``expiresAt``."""
        now = int(time.time())
        jti = str(uuid.uuid4())
        exp = now + (_HUNDRED_YEARS if expires_in is None else int(expires_in))
        header = {"alg": "HS256", "typ": "JWT"}
        payload = {
            "sub": self.workspace_id,
            "workspaceId": self.workspace_id,
            "type": token_type,
            "jti": jti,
            "iat": now,
            "exp": exp,
        }
        signing_input = (
            _b64(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64(json.dumps(payload, separators=(",", ":")).encode())
        )
        with self._lock:
            self._issued[jti] = False
            self._roles[jti] = role
        return signing_input + "." + self._sign(signing_input.encode())

    def add_static(self, key: str, role: Role = ADMIN) -> None:
        if not isinstance(key, str) or not key.strip() or any(c.isspace() for c in key):
            raise ValueError("api_key must be a non-empty string without whitespace")
        with self._lock:
            self._static[key] = False
            self._roles[key] = role

    def role_of(self, token: str | None) -> Role:
        """The role of a key ``verify`` accepted (admin for an unknown one)."""
        if not token:
            return ADMIN
        with self._lock:
            if token in self._static:
                return self._roles.get(token, ADMIN)
        jti = self._jti(token)
        with self._lock:
            return self._roles.get(jti or "", ADMIN)

    def revoke(self, key: str) -> bool:
        """Revoke ``key``; False when it is not a key of this emulator."""
        with self._lock:
            if key in self._static:
                self._static[key] = True
                return True
        jti = self._jti(key)
        with self._lock:
            if jti is not None and jti in self._issued:
                self._issued[jti] = True
                return True
        return False

    def _jti(self, token: str) -> str | None:
        payload = self._decode(token)
        if isinstance(payload, AuthFailure):
            return None
        jti = payload.get("jti")
        return jti if isinstance(jti, str) else None

    def _decode(self, token: str) -> dict[str, object] | AuthFailure:
        parts = token.split(".")
        if len(parts) != 3:
            return INVALID
        try:
            header = json.loads(_unb64(parts[0]))
            payload = json.loads(_unb64(parts[1]))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return INVALID
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            return INVALID
        if not isinstance(payload, dict):
            return INVALID
        expected = self._sign((parts[0] + "." + parts[1]).encode())
        if not hmac.compare_digest(expected.encode(), parts[2].encode()):
            return INVALID
        return payload

    def verify(self, token: str | None) -> AuthFailure | None:
        """None when ``token`` is a valid, live key; else why not."""
        if not token:
            return MISSING
        with self._lock:
            revoked = self._static.get(token)
        if revoked is not None:
            return REVOKED if revoked else None
        payload = self._decode(token)
        if isinstance(payload, AuthFailure):
            return payload
        exp = payload.get("exp")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool) or exp <= time.time():
            return EXPIRED
        if (
            payload.get("workspaceId") != self.workspace_id
            or payload.get("sub") != self.workspace_id
        ):
            return NO_WORKSPACE
        if payload.get("type") != "API_KEY":
            return WRONG_TYPE
        jti = payload.get("jti")
        with self._lock:
            revoked = self._issued.get(jti) if isinstance(jti, str) else None
        if revoked is None or revoked:
            return REVOKED
        return None
