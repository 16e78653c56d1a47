"""Every retry decision, through the client with a MockTransport and a recorded sleep."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from twenty_gql import (
    ConnectError,
    ConnectionDroppedError,
    GraphQLResponseError,
    HTTPStatusError,
    MockTransport,
    Operation,
    Response,
    RetryPolicy,
    ThrottledError,
    TransportTimeoutError,
    TwentyClient,
)

KEY = "sk-secret-ABCDEFGHIJKLMNOP"


def op(kind: str, idempotent: bool, roots: tuple[str, ...] = ("x",)) -> Operation[Any]:
    return Operation(
        name=f"Op{kind}",
        document=f"{kind} Op{kind} {{ {' '.join(roots)} }}",
        endpoint="graphql",
        kind=kind,  # type: ignore[arg-type]
        root_fields=roots,
        result_type=dict,
        idempotent=idempotent,
    )


CREATE = op("mutation", False)
QUERY = op("query", True)
OK = Response.json({"data": {"x": 1}})
THROTTLE = Response.json(
    {
        "errors": [
            {
                "message": "Limit reached (100 tokens per 1000 ms)",
                "extensions": {"code": "BAD_USER_INPUT", "subCode": "LIMIT_REACHED"},
            }
        ],
        "data": None,
    }
)


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(answers: list[Any], sleeps: Sleeps, **kw: Any) -> tuple[TwentyClient, MockTransport]:
    mt = MockTransport(answers)
    if "max_retries" not in kw:
        kw.setdefault("retry", RetryPolicy(random=lambda: 0.5))
    kw.setdefault("learn_rate_limit", False)  # pacing is tested in test_scheduler.py
    c = TwentyClient("https://t.example", KEY, transport=mt, rate_limit=None, sleep=sleeps, **kw)
    return c, mt


async def run(
    op_: Operation[Any], answers: list[Any], **kw: Any
) -> tuple[Any, MockTransport, Sleeps]:
    sleeps = Sleeps()
    idem = kw.pop("idempotent", None)
    c, mt = client(answers, sleeps, **kw)
    async with c:
        try:
            result: Any = await c.execute(op_, idempotent=idem)
        except Exception as exc:  # the test inspects what came out
            result = exc
    return result, mt, sleeps


def sent_refused() -> ConnectError:
    return ConnectError("cannot connect: refused")


async def test_connect_error_resends_even_a_non_idempotent_create() -> None:
    result, mt, sleeps = await run(CREATE, [sent_refused(), sent_refused(), OK])
    assert result == {"x": 1}
    assert len(mt.requests) == 3
    assert sleeps == [0.125, 0.25]  # full jitter with random()=0.5: 0.5 * 0.25 * 2**n


async def test_dropped_connection_never_resends_a_non_idempotent_create() -> None:
    result, mt, sleeps = await run(CREATE, [ConnectionDroppedError("reset"), OK])
    assert isinstance(result, ConnectionDroppedError)
    assert len(mt.requests) == 1 and sleeps == []
    assert mt.pending == 1  # the canned OK was never asked for


async def test_dropped_connection_resends_a_query() -> None:
    result, mt, _ = await run(QUERY, [ConnectionDroppedError("reset"), OK])
    assert result == {"x": 1} and len(mt.requests) == 2


async def test_per_call_idempotent_override_allows_resending_a_create_with_client_ids() -> None:
    result, mt, _ = await run(CREATE, [ConnectionDroppedError("reset"), OK], idempotent=True)
    assert result == {"x": 1} and len(mt.requests) == 2


async def test_per_call_override_can_forbid_resending_a_query() -> None:
    result, mt, _ = await run(QUERY, [ConnectionDroppedError("reset"), OK], idempotent=False)
    assert isinstance(result, ConnectionDroppedError) and len(mt.requests) == 1


@pytest.mark.parametrize(("sent", "resent"), [(False, True), (True, False)])
async def test_timeouts_resend_a_create_only_when_nothing_was_sent(
    sent: bool, resent: bool
) -> None:
    result, mt, _ = await run(CREATE, [TransportTimeoutError("t", request_sent=sent), OK])
    assert (result == {"x": 1}) is resent
    assert len(mt.requests) == (2 if resent else 1)


async def test_tls_failure_is_not_retried() -> None:
    result, mt, _ = await run(QUERY, [ConnectError("bad cert", retryable=False), OK])
    assert isinstance(result, ConnectError) and len(mt.requests) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_resend_reads_but_not_creates(status: int) -> None:
    r1, mt1, _ = await run(QUERY, [Response(status, b"busy"), OK])
    r2, mt2, _ = await run(CREATE, [Response(status, b"busy"), OK])
    assert r1 == {"x": 1} and len(mt1.requests) == 2
    assert isinstance(r2, HTTPStatusError) and len(mt2.requests) == 1


async def test_retry_after_is_honoured() -> None:
    result, _, sleeps = await run(QUERY, [Response(503, b"", {"Retry-After": "2"}), OK])
    assert result == {"x": 1} and sleeps == [2.0]


async def test_retry_after_beyond_the_cap_gives_up() -> None:
    result, mt, _ = await run(QUERY, [Response(503, b"", {"Retry-After": "3600"}), OK])
    assert isinstance(result, HTTPStatusError) and len(mt.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 500])
async def test_other_statuses_never_retry(status: int) -> None:
    result, mt, _ = await run(QUERY, [Response(status, b"x"), OK])
    assert isinstance(result, HTTPStatusError) and len(mt.requests) == 1


async def test_graphql_errors_never_retry_even_for_reads() -> None:
    bad = Response.json(
        {"errors": [{"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    )
    result, mt, _ = await run(QUERY, [bad, OK])
    assert isinstance(result, GraphQLResponseError) and len(mt.requests) == 1


async def test_throttling_resends_a_create_and_waits_per_the_window() -> None:
    result, mt, sleeps = await run(CREATE, [THROTTLE, THROTTLE, OK])
    assert result == {"x": 1} and len(mt.requests) == 3
    # one token of 100 per 1000 ms = 10 ms, plus jitter 0.5 * 0.25 * 2**n
    assert sleeps == pytest.approx([0.01 + 0.125, 0.01 + 0.25])


async def test_throttling_after_another_root_field_ran_does_not_resend_a_create() -> None:
    two = op("mutation", False, ("a", "b"))
    partial = Response.json(
        {
            "errors": [{"message": "Limit reached (100 tokens per 1000 ms)", "path": ["b"],
                        "extensions": {"code": "RATE_LIMITED"}}],
            "data": {"a": {"id": "1"}, "b": None},
        }
    )  # fmt: skip
    result, mt, _ = await run(two, [partial, OK])
    assert isinstance(result, ThrottledError) and len(mt.requests) == 1
    assert result.data == {"a": {"id": "1"}, "b": None}


async def test_http_429_resends_a_create_and_honours_retry_after() -> None:
    result, mt, sleeps = await run(CREATE, [Response(429, b"", {"Retry-After": "1"}), OK])
    assert result == {"x": 1} and len(mt.requests) == 2
    assert sleeps[0] >= 1.0


async def test_throttling_has_its_own_budget_and_gives_up_when_it_is_spent() -> None:
    policy = RetryPolicy(random=lambda: 0.0, max_throttle_wait=0.035)
    result, mt, sleeps = await run(CREATE, [THROTTLE] * 10, retry=policy)
    assert isinstance(result, ThrottledError)
    assert sleeps == pytest.approx([0.01, 0.01, 0.01])  # a 4th would pass 35 ms
    assert len(mt.requests) == 4


async def test_max_retries_bounds_transient_failures_and_raises_the_last() -> None:
    drops = [ConnectionDroppedError(f"reset {i}") for i in range(10)]
    result, mt, sleeps = await run(QUERY, drops, max_retries=2)
    assert isinstance(result, ConnectionDroppedError) and str(result) == "reset 2"
    assert len(mt.requests) == 3 and len(sleeps) == 2


def test_backoff_is_capped_exponential_with_full_jitter() -> None:
    top = RetryPolicy(base=0.25, cap=2.0, random=lambda: 1.0)
    assert [top.backoff(n) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert RetryPolicy(random=lambda: 0.0).backoff(5) == 0.0


async def test_retries_are_logged_without_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="twenty_gql")
    leaky = ConnectError(f"refused; Authorization: Bearer {KEY}")
    result, _, _ = await run(QUERY, [leaky, OK])
    assert result == {"x": 1}
    records = [r for r in caplog.records if r.name == "twenty_gql"]
    assert records and "retrying" in records[0].getMessage()
    assert all(KEY not in r.getMessage() for r in caplog.records)


async def test_retry_after_as_an_http_date_is_honoured() -> None:
    import email.utils
    import time

    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    result, _, sleeps = await run(QUERY, [Response(503, b"", {"Retry-After": when}), OK])
    assert result == {"x": 1}
    assert 3.0 <= sleeps[0] <= 5.0
