"""The checkpoint journal's pieces and the error classification bulk relies on."""

from __future__ import annotations

from typing import Any

import pytest

from twenty_gql._checkpoint import Checkpoint, record_digest, to_ranges
from twenty_gql.bulk import _classify

from .fakes import FakeGraphQLError, FakeHTTPStatusError, FakeThrottled, FakeTransportError


def test_record_digest_ignores_key_order_but_not_values() -> None:
    a = {"name": "x", "domainName": {"primaryLinkUrl": "u", "primaryLinkLabel": "l"}}
    b = {"domainName": {"primaryLinkLabel": "l", "primaryLinkUrl": "u"}, "name": "x"}
    assert record_digest(a) == record_digest(b)
    assert record_digest(a) != record_digest({**a, "name": "y"})
    assert record_digest({"v": 1}) != record_digest({"v": "1"})


def test_to_ranges() -> None:
    assert to_ranges([5, 0, 1, 2, 7, 6]) == [[0, 3], [5, 8]]
    assert to_ranges([]) == []


def test_client_ids_are_reproducible_from_the_file(tmp_path: Any) -> None:
    path = tmp_path / "c.ckpt"
    first = Checkpoint(path, operation="CreateCompanies", upsert=True)
    digest = record_digest({"name": "x"})
    id1 = first.client_id(3, digest)
    first.close()
    second = Checkpoint(path, operation="CreateCompanies", upsert=True)
    assert second.resumed and second.client_id(3, digest) == id1
    assert second.client_id(4, digest) != id1
    second.close()
    other = Checkpoint(tmp_path / "d.ckpt", operation="CreateCompanies", upsert=True)
    assert other.client_id(3, digest) != id1  # a new checkpoint, new ids
    other.close()


class ConnectionDropped(Exception):
    retryable = False  # the runtime would not resend a non-idempotent write; bulk can


class DecodeError(Exception):
    retryable = False
    status = 200


class _Limit(Exception):
    code = "BAD_USER_INPUT"
    limit = 25


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (FakeThrottled(), "throttled"),
        (FakeGraphQLError("Limit reached (10 tokens per 500 ms)", "RATE_LIMITED"), "throttled"),
        (FakeHTTPStatusError(429), "throttled"),
        (FakeGraphQLError("Maximum number of records to upsert is 30.", "BAD_USER_INPUT"), "limit"),
        (_Limit("too many"), "limit"),
        (FakeGraphQLError("Cannot update more than 60 records at once", "BAD_USER_INPUT"), "limit"),
        (FakeGraphQLError("Unauthenticated", "UNAUTHENTICATED"), "fatal"),
        (FakeGraphQLError("Forbidden", "FORBIDDEN"), "fatal"),
        (FakeHTTPStatusError(503), "transient"),
        (FakeTransportError("dropped"), "transient"),
        (ConnectionDropped("dropped after sending"), "transient"),
        (ConnectionResetError(), "transient"),
        (DecodeError("truncated JSON body"), "transient"),
        (FakeGraphQLError("Invalid UUID for id", "BAD_USER_INPUT"), "content"),
        (FakeGraphQLError("Duplicate Domain", "BAD_USER_INPUT"), "content"),
        (TypeError("Encoding objects of type set is unsupported"), "content"),
        (RuntimeError("client is closed"), "fatal"),
        (
            FakeGraphQLError("Unknown type 'CompanyCreateInput'.", "GRAPHQL_VALIDATION_FAILED"),
            "fatal",
        ),
        (
            FakeGraphQLError(
                "Variable '$data' has invalid value at [4].employees: Float cannot represent",
                "GRAPHQL_VALIDATION_FAILED",
            ),
            "content",
        ),
    ],
)
def test_classify(exc: BaseException, kind: str) -> None:
    assert _classify(exc)[0] == kind


def test_classify_reads_the_throttle_window_and_the_limit() -> None:
    kind, wait = _classify(FakeThrottled())  # 100 tokens per 2000 ms -> one token per 20 ms
    assert kind == "throttled" and wait == pytest.approx(0.02)
    assert _classify(_Limit())[1] == 25
