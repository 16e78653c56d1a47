"""The webhook errors: one class per reason a delivery is refused, under ``TwentyError``.

::

    TwentyError
    └── WebhookError                       (``status``: the HTTP status a receiver answers)
        ├── WebhookVerificationError       401: the delivery cannot be shown to come from Twenty
        │   ├── MissingHeaderError         a signature / timestamp / nonce header is absent
        │   ├── MalformedHeaderError       a header is present but not of the right form
        │   ├── InvalidSignatureError      the HMAC does not match (tampered body, wrong secret)
        │   ├── StaleTimestampError        the timestamp is outside the tolerance window
        │   └── ReplayedWebhookError       this nonce / this signed payload was already accepted
        └── MalformedWebhookError          400: verified, but the body is not a Twenty event

No message, repr or attribute holds the secret or the signature.
"""

from __future__ import annotations

from twenty_gql.errors import TwentyError

__all__ = [
    "InvalidSignatureError",
    "MalformedHeaderError",
    "MalformedWebhookError",
    "MissingHeaderError",
    "ReplayedWebhookError",
    "StaleTimestampError",
    "WebhookError",
    "WebhookVerificationError",
]


class WebhookError(TwentyError):
    """A webhook delivery was refused. ``status`` is what a receiver should answer."""

    status: int = 400


class WebhookVerificationError(WebhookError):
    """The delivery could not be verified as coming from Twenty with this secret."""

    status = 401


class MissingHeaderError(WebhookVerificationError):
    """A required header is absent or empty; ``header`` names it."""

    def __init__(self, header: str) -> None:
        self.header = header
        super().__init__(f"missing webhook header {header}")


class MalformedHeaderError(WebhookVerificationError):
    """A header is present but unusable (a timestamp that is not an integer, a signature that
    is not 64 hex digits); ``header`` names it."""

    def __init__(self, header: str, reason: str) -> None:
        self.header = header
        super().__init__(f"malformed webhook header {header}: {reason}")


class InvalidSignatureError(WebhookVerificationError):
    """The signature does not match ``HMAC-SHA256(secret, "<timestamp>:" + body)``: the body or
    timestamp was altered, or the secret is not the webhook's."""

    def __init__(self) -> None:
        super().__init__("webhook signature does not match the body and timestamp")


class StaleTimestampError(WebhookVerificationError):
    """The signed timestamp is further than ``tolerance`` seconds from now (either way).
    ``timestamp_ms`` is the header's value, ``skew`` the distance in seconds."""

    def __init__(self, timestamp_ms: int, skew: float, tolerance: float) -> None:
        self.timestamp_ms = timestamp_ms
        self.skew = skew
        self.tolerance = tolerance
        super().__init__(
            f"webhook timestamp is {skew:.1f} s away from now (tolerance {tolerance:g} s)"
        )


class ReplayedWebhookError(WebhookVerificationError):
    """The nonce, or the very same signed payload, was already accepted within the tolerance
    window (Twenty's signature does not cover the nonce, so both are remembered)."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"webhook replayed: this {what} was already accepted")


class MalformedWebhookError(WebhookError):
    """The verified body is not a Twenty webhook event (not JSON, or a required member is
    missing / of the wrong type); ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"malformed webhook body: {reason}")
