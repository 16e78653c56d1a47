"""WebhookVerifier: each way a delivery can be refused has its own error."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from twenty_gql.errors import TwentyError
from twenty_gql.webhooks import (
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    InvalidSignatureError,
    MalformedHeaderError,
    MissingHeaderError,
    ReplayedWebhookError,
    StaleTimestampError,
    WebhookError,
    WebhookVerificationError,
    WebhookVerifier,
    sign,
)

SECRET = "whsec-unit-test-secret"
NOW = 1_800_000_000.0
BODY = json.dumps({"eventName": "company.created", "record": {"id": "1"}}).encode()


def headers(
    body: bytes = BODY, *, ts: float = NOW, secret: str = SECRET, nonce: str = "ab" * 16
) -> dict[str, str]:
    stamp = str(int(ts * 1000))
    return {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(secret, stamp, body),
        NONCE_HEADER: nonce,
    }


def verifier(**kw: object) -> WebhookVerifier:
    return WebhookVerifier(SECRET, clock=lambda: NOW, **kw)  # type: ignore[arg-type]


def test_sign_is_hmac_sha256_of_timestamp_colon_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1700000000000:" + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1700000000000", BODY) == expected


def test_a_valid_delivery_passes_and_headers_are_case_insensitive() -> None:
    verifier().verify(BODY, headers())
    lowered = {k.lower(): v for k, v in headers(nonce="cd" * 16).items()}
    verifier().verify(BODY, lowered)


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, SIGNATURE_HEADER, NONCE_HEADER])
def test_each_missing_header_is_named(missing: str) -> None:
    sent = {k: v for k, v in headers().items() if k != missing}
    with pytest.raises(MissingHeaderError) as info:
        verifier().verify(BODY, sent)
    assert info.value.header == missing and missing in str(info.value)


def test_without_replay_cache_the_nonce_is_optional() -> None:
    sent = {k: v for k, v in headers().items() if k != NONCE_HEADER}
    verifier(replay_cache_size=None).verify(BODY, sent)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (TIMESTAMP_HEADER, "12.5"),
        (TIMESTAMP_HEADER, "soon"),
        (SIGNATURE_HEADER, "zz" * 32),
        (SIGNATURE_HEADER, "ab"),
    ],
)
def test_malformed_headers(name: str, value: str) -> None:
    sent = dict(headers(), **{name: value})
    with pytest.raises(MalformedHeaderError) as info:
        verifier().verify(BODY, sent)
    assert info.value.header == name


def test_a_tampered_body_is_refused() -> None:
    tampered = BODY.replace(b"created", b"deleted")
    with pytest.raises(InvalidSignatureError):
        verifier().verify(tampered, headers())


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(InvalidSignatureError):
        verifier().verify(BODY, headers(secret="someone-else"))


def test_an_altered_timestamp_is_refused_even_within_tolerance() -> None:
    sent = headers()
    sent[TIMESTAMP_HEADER] = str(int(sent[TIMESTAMP_HEADER]) + 1000)
    with pytest.raises(InvalidSignatureError):
        verifier().verify(BODY, sent)


@pytest.mark.parametrize("offset", [-301.0, 301.0, -3600.0])
def test_timestamps_outside_the_tolerance_are_stale(offset: float) -> None:
    with pytest.raises(StaleTimestampError) as info:
        verifier().verify(BODY, headers(ts=NOW + offset))
    assert info.value.skew == pytest.approx(abs(offset))
    assert info.value.tolerance == 300.0


def test_the_tolerance_is_configurable_and_its_edge_is_accepted() -> None:
    verifier().verify(BODY, headers(ts=NOW - 299.0))
    with pytest.raises(StaleTimestampError):
        verifier(tolerance=10).verify(BODY, headers(ts=NOW - 11))


def test_a_replayed_nonce_is_refused() -> None:
    v = verifier()
    v.verify(BODY, headers())
    with pytest.raises(ReplayedWebhookError) as info:
        v.verify(BODY, headers())
    assert info.value.what == "nonce"


def test_a_replay_with_a_fresh_nonce_is_refused_too() -> None:
    """The signature does not cover the nonce: a replay can carry any nonce it likes."""
    v = verifier()
    v.verify(BODY, headers(nonce="01" * 16))
    with pytest.raises(ReplayedWebhookError) as info:
        v.verify(BODY, headers(nonce="02" * 16))
    assert info.value.what == "signed payload"


def test_a_refused_delivery_does_not_poison_the_replay_cache() -> None:
    v = verifier()
    bad = headers()
    bad[SIGNATURE_HEADER] = "0" * 64
    with pytest.raises(InvalidSignatureError):
        v.verify(BODY, bad)
    v.verify(BODY, headers())  # same nonce, now properly signed: first acceptance


def test_the_replay_cache_is_bounded_and_forgets_after_the_tolerance() -> None:
    clock = [NOW]
    v = WebhookVerifier(SECRET, replay_cache_size=3, clock=lambda: clock[0])
    for i in range(10):
        body = BODY + str(i).encode()
        v.verify(body, headers(body, nonce=f"{i:032x}"))
    assert v._replays is not None and len(v._replays) == 3
    first = headers()
    v.verify(BODY, first)
    clock[0] = NOW + 301  # the cached entry has expired, and the timestamp is now stale
    with pytest.raises(StaleTimestampError):
        v.verify(BODY, first)


def test_without_replay_cache_a_replay_passes() -> None:
    v = verifier(replay_cache_size=None)
    v.verify(BODY, headers())
    v.verify(BODY, headers())


def test_errors_form_one_tree_with_statuses() -> None:
    for cls in (
        MissingHeaderError,
        MalformedHeaderError,
        InvalidSignatureError,
        StaleTimestampError,
        ReplayedWebhookError,
    ):
        assert issubclass(cls, WebhookVerificationError)
        assert issubclass(cls, WebhookError) and issubclass(cls, TwentyError)
    assert WebhookVerificationError.status == 401


def test_the_secret_never_shows() -> None:
    v = verifier()
    assert SECRET not in repr(v) and SECRET not in str(v.__dict__.get("tolerance"))
    with pytest.raises(InvalidSignatureError) as info:
        v.verify(BODY, headers(secret="x"))
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


@pytest.mark.parametrize("bad", ["", None, 3])
def test_bad_configuration(bad: object) -> None:
    with pytest.raises(ValueError):
        WebhookVerifier(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WebhookVerifier(SECRET, tolerance=0)
    with pytest.raises(ValueError):
        WebhookVerifier(SECRET, replay_cache_size=0)


def test_several_secrets_while_rotating() -> None:
    v = WebhookVerifier(["new-secret", SECRET], clock=lambda: NOW)
    v.verify(BODY, headers(nonce="a1" * 16))  # signed with the old one
    v.verify(BODY + b" ", headers(BODY + b" ", secret="new-secret", nonce="a2" * 16))
    with pytest.raises(InvalidSignatureError):
        v.verify(BODY, headers(secret="third", nonce="a3" * 16))
    assert "new-secret" not in repr(v)
    with pytest.raises(ValueError):
        WebhookVerifier([])
    with pytest.raises(ValueError):
        WebhookVerifier(["ok", ""])
