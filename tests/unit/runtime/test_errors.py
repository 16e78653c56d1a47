"""Every error mapping: GraphQL error bodies, HTTP statuses, undecodable answers."""

from __future__ import annotations

from typing import Any

import pytest

from twenty_gql import (
    BadUserInputError,
    BatchLimitExceededError,
    DecodeError,
    ForbiddenError,
    GraphQLResponseError,
    HTTPStatusError,
    MockTransport,
    NotFoundError,
    Operation,
    PermissionDeniedError,
    Response,
    RetryPolicy,
    ThrottledError,
    TwentyClient,
    TwentyError,
    UnauthenticatedError,
    UniqueConflictError,
)
from twenty_gql.errors import error_from_graphql

OP: Operation[dict[str, Any]] = Operation(
    name="FindCompany",
    document="query FindCompany { company { id } }",
    endpoint="graphql",
    kind="query",
    root_fields=("company",),
    result_type=dict,
    idempotent=False,  # no retries: each answer maps straight to the raised error
)


def err(message: str, code: str | None = None, sub: str | None = None, **extra: Any) -> Any:
    ext: dict[str, Any] = {}
    if code:
        ext["code"] = code
    if sub:
        ext["subCode"] = sub
    return {"message": message, "extensions": ext, **extra}


async def raised(*answers: Response) -> TwentyError:
    no_retry = RetryPolicy(max_retries=0, max_throttle_wait=0.0)
    async with TwentyClient(
        "https://t.example",
        "test-key-0123456789",
        transport=MockTransport(list(answers)),
        rate_limit=None,
        retry=no_retry,
    ) as c:
        with pytest.raises(TwentyError) as info:
            await c.execute(OP)
        return info.value


@pytest.mark.parametrize(
    ("error", "cls", "retryable"),
    [
        (err("Token invalid.", "UNAUTHENTICATED"), UnauthenticatedError, False),
        (err("This API Key is revoked", "FORBIDDEN"), ForbiddenError, False),
        (err("Entity performing the request does not have permission", "FORBIDDEN",
             "PERMISSION_DENIED"), PermissionDeniedError, False),
        (err("Record not found", "NOT_FOUND", "RECORD_NOT_FOUND"), NotFoundError, False),
        (err("Invalid cursor", "BAD_USER_INPUT", "INVALID_CURSOR"), BadUserInputError, False),
        (err("Limit reached (100 tokens per 1000 ms)", "BAD_USER_INPUT", "LIMIT_REACHED"),
         ThrottledError, True),
        (err("Limit reached (100 tokens per 60000 ms)", "RATE_LIMITED"), ThrottledError, True),
        (err("Maximum number of records to upsert is 60.", "BAD_USER_INPUT",
             "TOO_MANY_RECORDS_TO_UPDATE"), BatchLimitExceededError, False),
        (err("Duplicate Domain Name. Please set a unique one.", "BAD_USER_INPUT"),
         UniqueConflictError, False),
        (err("Multiple records", "BAD_USER_INPUT", "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"),
         UniqueConflictError, False),
        (err("conflict", "CONFLICT"), UniqueConflictError, False),
        (err("boom", "INTERNAL_SERVER_ERROR"), GraphQLResponseError, False),
        (err("Cannot query field", "GRAPHQL_VALIDATION_FAILED"), GraphQLResponseError, False),
        ({"message": "no extensions at all"}, GraphQLResponseError, False),
    ],
)  # fmt: skip
async def test_graphql_error_mapping(error: Any, cls: type, retryable: bool) -> None:
    exc = await raised(Response.json({"errors": [error], "data": None}))
    assert type(exc) is cls
    assert exc.retryable is retryable
    assert isinstance(exc, GraphQLResponseError)
    assert exc.message == error["message"]
    assert exc.code == error.get("extensions", {}).get("code")
    assert exc.sub_code == error.get("extensions", {}).get("subCode")
    assert exc.operation == "FindCompany"
    assert error["message"] in str(exc)


async def test_error_carries_path_partial_data_friendly_message_and_all_errors() -> None:
    errors = [
        err("Record not found", "NOT_FOUND", path=["company"]),
        err("second", "BAD_USER_INPUT", path=["other", 0, "x"]),
    ]
    errors[0]["extensions"]["userFriendlyMessage"] = "Not there."
    exc = await raised(Response.json({"errors": errors, "data": {"company": None, "other": 1}}))
    assert isinstance(exc, NotFoundError)
    assert exc.path == ["company"]
    assert exc.data == {"company": None, "other": 1}
    assert exc.user_friendly_message == "Not there."
    assert [e["message"] for e in exc.errors] == ["Record not found", "second"]
    assert "+1 more" in str(exc)


def test_throttling_wins_over_an_earlier_error_and_parses_the_window() -> None:
    exc = error_from_graphql(
        [err("x", "BAD_USER_INPUT"), err("Limit reached (50 tokens per 2000 ms)", "RATE_LIMITED")]
    )
    assert isinstance(exc, ThrottledError)
    assert (exc.tokens, exc.window) == (50, 2.0)
    assert exc.wait == pytest.approx(0.04)


def test_batch_limit_parses_n_for_creates_and_updates() -> None:
    a = error_from_graphql([err("Maximum number of records to upsert is 60.", "BAD_USER_INPUT")])
    b = error_from_graphql([err("Cannot update more than 25 records at once", "BAD_USER_INPUT")])
    assert isinstance(a, BatchLimitExceededError) and a.limit == 60
    assert isinstance(b, BatchLimitExceededError) and b.limit == 25


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_statuses_are_retryable_http_errors(status: int) -> None:
    exc = await raised(Response(status, b"<html>Bad gateway</html>"))
    assert isinstance(exc, HTTPStatusError)
    assert exc.status == status and exc.retryable
    assert "Bad gateway" in exc.body


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
async def test_other_statuses_are_final_http_errors(status: int) -> None:
    exc = await raised(Response(status, b"nope"))
    assert isinstance(exc, HTTPStatusError)
    assert exc.status == status and not exc.retryable


async def test_http_429_is_throttling_with_retry_after() -> None:
    exc = await raised(Response(429, b"slow down", {"retry-after": "3"}))
    assert isinstance(exc, ThrottledError)
    assert exc.status == 429 and exc.retry_after == 3.0 and exc.retryable


async def test_graphql_body_on_a_400_is_a_graphql_error() -> None:
    exc = await raised(
        Response.json({"errors": [err("Syntax Error", "GRAPHQL_PARSE_FAILED")]}, status=400)
    )
    assert type(exc) is GraphQLResponseError
    assert exc.status == 400 and exc.code == "GRAPHQL_PARSE_FAILED"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"<!DOCTYPE html><html>login</html>", "HTML"),
        (b"not json at all", "not JSON"),
        (b'{"data": {"company": {"id": "1"', "not JSON"),  # truncated
        (b"{}", "neither data nor errors"),
        (b'{"data": null}', "neither data nor errors"),
        (b'{"data": 5}', "unexpected response shape"),
    ],
)
async def test_undecodable_answers_are_decode_errors(body: bytes, needle: str) -> None:
    exc = await raised(Response(200, body))
    assert isinstance(exc, DecodeError)
    assert needle in str(exc)
    assert not exc.retryable
