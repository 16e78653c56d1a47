"""Twenty's webhook signature, and its verification over the raw body bytes.

Twenty (``call-webhook.job.ts``) signs each delivery of a webhook that has a secret with::

    X-Twenty-Webhook-Timestamp: <milliseconds since the epoch>
    X-Twenty-Webhook-Signature: hex(HMAC-SHA256(secret, "<timestamp>:" + <JSON body as sent>))
    X-Twenty-Webhook-Nonce:     <16 random bytes, hex>

The signature covers the timestamp and the body, not the nonce. :class:`WebhookVerifier`
checks, in this order: the headers are present and well formed, the timestamp is within the
tolerance, the HMAC matches (constant-time compare), and neither the nonce nor the signed
payload was accepted before (a bounded replay cache; entries live as long as the tolerance).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

from ._errors import (
    InvalidSignatureError,
    MalformedHeaderError,
    MissingHeaderError,
    ReplayedWebhookError,
    StaleTimestampError,
)

__all__ = [
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookVerifier",
    "sign",
]

SIGNATURE_HEADER = "X-Twenty-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twenty-Webhook-Timestamp"
NONCE_HEADER = "X-Twenty-Webhook-Nonce"

_HEX = frozenset("0123456789abcdefABCDEF")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex signature Twenty sends for ``body`` at ``timestamp`` (ms, as text)."""
    message = timestamp.encode("ascii") + b":" + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def header(headers: Mapping[str, str], name: str) -> str | None:
    """``name`` from ``headers``, case-insensitively (plain dicts and multidicts alike)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


class _ReplayCache:
    """Keys seen within ``ttl`` seconds; at most ``size`` of them (the oldest go first)."""

    def __init__(self, size: int, ttl: float) -> None:
        self.size = size
        self.ttl = ttl
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._seen)

    def add_all(self, keys: tuple[str, ...], now: float) -> str | None:
        """Remember ``keys``; if one was already there, remember nothing and return it."""
        with self._lock:
            while self._seen:
                oldest, oldest_expiry = next(iter(self._seen.items()))
                if oldest_expiry > now:
                    break
                del self._seen[oldest]
            for key in keys:
                expiry = self._seen.get(key)
                if expiry is not None and expiry > now:
                    return key
            for key in keys:
                self._seen[key] = now + self.ttl
                self._seen.move_to_end(key)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return None


class WebhookVerifier:
    """Verifies Twenty webhook deliveries signed with ``secret``.

    ``secret`` may be a list while rotating (``updateWebhook(secret=...)``): a delivery signed
    with any of them passes, so those already queued with the old secret are not refused.

    ``tolerance``: how far (seconds, either way) the signed timestamp may be from the local
    clock; 5 minutes by default. ``replay_cache_size``: how many recent nonces / signatures to
    remember to refuse replays (None: no replay protection, and no nonce required).
    ``clock`` returns seconds since the epoch (injectable for tests).
    """

    def __init__(
        self,
        secret: str | Sequence[str],
        *,
        tolerance: float = 300.0,
        replay_cache_size: int | None = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        secrets = (
            [secret]
            if isinstance(secret, str)
            else list(secret)
            if isinstance(secret, (list, tuple))
            else []
        )
        if not secrets or not all(isinstance(x, str) and x for x in secrets):
            raise ValueError("a webhook secret must be a non-empty string (or a list of them)")
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance <= 0:
            raise ValueError(f"tolerance must be a number of seconds > 0, got {tolerance!r}")
        if replay_cache_size is not None and (
            isinstance(replay_cache_size, bool)
            or not isinstance(replay_cache_size, int)
            or replay_cache_size < 1
        ):
            raise ValueError(
                f"replay_cache_size must be a positive integer or None, got {replay_cache_size!r}"
            )
        self._keys = tuple(x.encode("utf-8") for x in secrets)
        self.tolerance = float(tolerance)
        self._clock = clock
        self._replays = (
            _ReplayCache(replay_cache_size, self.tolerance) if replay_cache_size else None
        )

    def __repr__(self) -> str:  # never shows the secret
        size = self._replays.size if self._replays is not None else None
        return f"WebhookVerifier(tolerance={self.tolerance:g}, replay_cache_size={size})"

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise a :class:`~twenty_gql.webhooks.WebhookVerificationError` subclass unless
        ``body`` (the raw request bytes) carries a valid, fresh, first-seen signature."""
        timestamp = header(headers, TIMESTAMP_HEADER)
        signature = header(headers, SIGNATURE_HEADER)
        nonce = header(headers, NONCE_HEADER)
        for name, value in ((TIMESTAMP_HEADER, timestamp), (SIGNATURE_HEADER, signature)):
            if not value:
                raise MissingHeaderError(name)
        if self._replays is not None and not nonce:
            raise MissingHeaderError(NONCE_HEADER)
        assert timestamp is not None and signature is not None
        timestamp = timestamp.strip()
        signature = signature.strip()
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 16:
            raise MalformedHeaderError(TIMESTAMP_HEADER, "not milliseconds since the epoch")
        if len(signature) != 64 or not set(signature) <= _HEX:
            raise MalformedHeaderError(SIGNATURE_HEADER, "not 64 hex digits")
        now = self._clock()
        timestamp_ms = int(timestamp)
        skew = abs(now - timestamp_ms / 1000.0)
        if skew > self.tolerance:
            raise StaleTimestampError(timestamp_ms, skew, self.tolerance)
        message = timestamp.encode("ascii") + b":" + body
        given = signature.lower()
        expected = ""
        for key in self._keys:  # every key is tried: the time taken does not tell which matched
            candidate = hmac.new(key, message, hashlib.sha256).hexdigest()
            if hmac.compare_digest(candidate, given):
                expected = candidate
        if not expected:
            raise InvalidSignatureError()
        if self._replays is not None:
            assert nonce is not None
            seen = self._replays.add_all(("n:" + nonce.strip(), "s:" + expected), now)
            if seen is not None:
                raise ReplayedWebhookError("nonce" if seen.startswith("n:") else "signed payload")
