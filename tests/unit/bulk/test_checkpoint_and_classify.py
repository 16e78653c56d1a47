"""The checkpoint journal's pieces and the failure classification bulk relies on
(``twenty_gql.errors.write_failure``: by type, never by class name)."""

from __future__ import annotations

from typing import Any

import pytest

from twenty_gql._checkpoint import Checkpoint, record_digest, to_ranges
from twenty_gql.errors import (
    BatchLimitExceededError,
    ClientClosedError,
    ConfigurationError,
    ConnectError,
    ConnectionDroppedError,
    DeadlineExceededError,
    DecodeError,
    InvalidVariablesError,
    ResponseTooLargeError,
    ServiceUnavailableError,
    ThrottledError,
    TransportTimeoutError,
    error_from_graphql,
    record_positions,
    write_failure,
)

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


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (FakeThrottled(), "throttled"),
        (FakeGraphQLError("Limit reached (10 tokens per 500 ms)", "RATE_LIMITED"), "throttled"),
        (
            error_from_graphql([{"message": "Too Many Requests"}], status=429),
            "throttled",
        ),
        (FakeHTTPStatusError(429), "throttled"),
        (
            FakeGraphQLError("Maximum number of records to upsert is 30.", "BAD_USER_INPUT"),
            "batch_limit",
        ),
        (
            FakeGraphQLError("Cannot update more than 60 records at once", "BAD_USER_INPUT"),
            "batch_limit",
        ),
        (FakeGraphQLError("Unauthenticated", "UNAUTHENTICATED"), "batch_fatal"),
        (FakeGraphQLError("Forbidden", "FORBIDDEN"), "batch_fatal"),
        (FakeGraphQLError("Quota", "QUOTA_EXHAUSTED"), "batch_fatal"),
        (FakeHTTPStatusError(503), "temporary"),
        (FakeHTTPStatusError(500), "temporary"),
        (FakeHTTPStatusError(401), "batch_fatal"),
        (FakeHTTPStatusError(413), "content"),
        (FakeTransportError("dropped"), "temporary"),
        (ConnectionDroppedError("dropped", retryable=False), "temporary"),
        (ConnectError("refused"), "temporary"),
        (TransportTimeoutError("slow"), "temporary"),
        (ResponseTooLargeError("big", limit=10), "content"),
        (ConnectionResetError(), "temporary"),
        (DecodeError("truncated JSON body"), "temporary"),
        (FakeGraphQLError("Invalid UUID for id", "BAD_USER_INPUT"), "content"),
        (FakeGraphQLError("Duplicate Domain", "BAD_USER_INPUT"), "content"),
        (FakeGraphQLError("Record not found", "NOT_FOUND"), "content"),
        (InvalidVariablesError("NaN is not JSON"), "content"),
        (TypeError("Encoding objects of type set is unsupported"), "content"),
        (ClientClosedError("client is closed"), "batch_fatal"),
        (ConfigurationError("bad"), "batch_fatal"),
        (DeadlineExceededError("late"), "batch_fatal"),
        (RuntimeError("a bug"), "batch_fatal"),
        (
            ServiceUnavailableError(
                "circuit open", endpoint="graphql", since=0.0, last_cause=None, retry_in=1.0
            ),
            "outage",
        ),
        (
            FakeGraphQLError("Unknown type 'CompanyCreateInput'.", "GRAPHQL_VALIDATION_FAILED"),
            "batch_fatal",
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
def test_write_failure_classifies_by_type(exc: BaseException, kind: str) -> None:
    assert write_failure(exc) == kind


def test_one_regex_for_the_throttle_window_and_one_for_the_batch_limit() -> None:
    throttled = FakeThrottled()  # 100 tokens per 2000 ms -> one token per 20 ms
    assert isinstance(throttled, ThrottledError) and throttled.wait == pytest.approx(0.02)
    for text, limit in [
        ("Maximum number of records to upsert is 30.", 30),
        ("Cannot update more than 60 records at once", 60),
        ("You can only update up to 25 records", 25),
    ]:
        err = FakeGraphQLError(text, "BAD_USER_INPUT")
        assert isinstance(err, BatchLimitExceededError) and err.limit == limit, text


def test_record_positions_reads_both_graphql_core_spellings() -> None:
    new = FakeGraphQLError(
        "Variable '$data' has invalid value at [3].employees: bad", "GRAPHQL_VALIDATION_FAILED"
    )
    old = FakeGraphQLError(
        "Variable '$data' got invalid value 'x'; Expected type at 'data[5].employees'",
        "GRAPHQL_VALIDATION_FAILED",
    )
    assert record_positions(new, 10) == [3]
    assert record_positions(old, 10) == [5]
    assert record_positions(old, 5) == []  # out of range: not a hint
