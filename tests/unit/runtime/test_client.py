"""TwentyClient: configuration, key masking, lifecycle, request bodies, MockTransport."""

from __future__ import annotations

import datetime
import decimal
import enum
import logging
import uuid
from typing import Any, TypedDict

import msgspec
import pytest

from twenty_gql import (
    ClientClosedError,
    ConfigurationError,
    ConnectError,
    MockTransport,
    MockTransportError,
    Operation,
    Response,
    TwentyClient,
    TwentyError,
    UnauthenticatedError,
)

KEY = "eyJhbGciOiJIUzI1NiJ9.secret-payload.signature-XYZ"


class Company(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    name: str
    employees: int | None = None
    created_at: datetime.datetime = msgspec.field(name="createdAt")


class Data(msgspec.Struct, frozen=True, kw_only=True):
    company: Company | None


GET: Operation[Data] = Operation(
    name="GetCompany",
    document="query GetCompany($id: UUID!) { company(filter: {id: {eq: $id}}) { id name } }",
    endpoint="graphql",
    kind="query",
    root_fields=("company",),
    result_type=Data,
    idempotent=True,
)
ROW = {
    "id": "20202020-0000-4000-8000-000000000001",
    "name": "Acme",
    "employees": 5,
    "createdAt": "2024-01-02T03:04:05.000Z",
    "extra": "ignored",
}


def mock(*answers: Any) -> MockTransport:
    return MockTransport(list(answers))


# -- configuration ----------------------------------------------------------------------------


def test_url_and_key_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWENTY_URL", "https://crm.example/")
    monkeypatch.setenv("TWENTY_API_KEY", KEY)
    c = TwentyClient(transport=mock())
    assert c.url == "https://crm.example"


def test_missing_key_or_url_is_a_clear_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TWENTY_API_KEY", raising=False)
    monkeypatch.delenv("TWENTY_URL", raising=False)
    with pytest.raises(ConfigurationError, match="TWENTY_API_KEY"):
        TwentyClient("https://crm.example")
    with pytest.raises(ConfigurationError, match="TWENTY_URL"):
        TwentyClient(api_key=KEY)


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://crm.example", "refusing plain http"),
        ("http://10.0.0.5:3000", "refusing plain http"),
        ("ftp://crm.example", "must be http"),
        ("crm.example", "must be http"),
        ("https://user:pw@crm.example", "credentials"),
        ("https://crm.example/?token=1", "query string"),
        ("https://crm.example:99999", "port"),
    ],
)
def test_bad_urls_are_refused(url: str, needle: str) -> None:
    with pytest.raises(ConfigurationError, match=needle) as info:
        TwentyClient(url, KEY)
    assert isinstance(info.value, ValueError)
    assert KEY not in str(info.value)


@pytest.mark.parametrize(
    "url", ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]
)
def test_plain_http_is_fine_on_loopback(url: str) -> None:
    assert TwentyClient(url, KEY).url == url


def test_plain_http_elsewhere_needs_an_explicit_opt_in() -> None:
    c = TwentyClient("http://twenty.internal:3000", KEY, allow_insecure_http=True)
    assert c.url == "http://twenty.internal:3000"


def test_a_url_naming_an_endpoint_is_tolerated() -> None:
    assert TwentyClient("https://crm.example/graphql/", KEY).url == "https://crm.example"


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"api_key": "two words"}, "whitespace"),
        ({"api_key": "line\nbreak"}, "whitespace"),
        ({"api_key": 123}, "str"),
        ({"max_concurrency": 0}, "max_concurrency"),
        ({"batch_size": True}, "batch_size"),
        ({"page_size_max": -1}, "page_size_max"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"rate_limit": (100, 1.0)}, "RateLimit"),
    ],
)
def test_bad_options_are_typed_errors_naming_the_option(kw: dict[str, Any], needle: str) -> None:
    kw.setdefault("api_key", KEY)
    with pytest.raises(ConfigurationError, match=needle):
        TwentyClient("https://crm.example", **kw)


# -- the key never leaks -------------------------------------------------------------------------


async def test_repr_masks_the_key() -> None:
    c = TwentyClient("https://crm.example", KEY, transport=mock())
    assert KEY not in repr(c) and "***" in repr(c)
    assert KEY not in str(vars(c).get("url"))
    await c.aclose()
    assert "closed" in repr(c)


async def test_key_in_a_server_message_is_masked_in_the_raised_error() -> None:
    leak = {
        "errors": [{"message": f"Token invalid: {KEY}", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    async with TwentyClient("https://crm.example", KEY, transport=mock(Response.json(leak))) as c:
        with pytest.raises(UnauthenticatedError) as info:
            await c.execute(GET, {"id": ROW["id"]})
    e = info.value
    assert KEY not in str(e) and KEY not in repr(e) and KEY not in e.message
    assert "***" in str(e)


async def test_key_in_an_http_error_body_is_masked() -> None:
    answer = Response(500, f"<pre>Authorization: Bearer {KEY}</pre>".encode())
    async with TwentyClient("https://crm.example", KEY, transport=mock(answer)) as c:
        with pytest.raises(TwentyError) as info:
            await c.execute(GET, {"id": ROW["id"]})
    assert KEY not in str(info.value) and KEY not in repr(vars(info.value))


async def test_request_repr_and_debug_logs_do_not_show_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    mt = mock(ConnectError("refused"), Response.json({"data": {"company": ROW}}))
    async with TwentyClient("https://crm.example", KEY, transport=mt, sleep=_no_sleep) as c:
        await c.execute(GET, {"id": ROW["id"]})
    assert KEY not in repr(mt.requests[0])
    assert mt.requests[0].headers["Authorization"] == f"Bearer {KEY}"  # it is sent, of course
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)


async def _no_sleep(_: float) -> None:
    return None


# -- lifecycle --------------------------------------------------------------------------------


async def test_use_after_close_raises() -> None:
    c = TwentyClient("https://crm.example", KEY, transport=mock())
    async with c:
        pass
    assert c.closed
    with pytest.raises(ClientClosedError):
        await c.execute(GET, {"id": ROW["id"]})
    with pytest.raises(ClientClosedError):
        await c.execute_raw("{ x }")
    with pytest.raises(ClientClosedError):
        async with c:
            pass
    await c.aclose()  # idempotent


async def test_aclose_closes_the_transport() -> None:
    closed: list[bool] = []

    class T:
        async def send(self, request: Any) -> Response:
            raise AssertionError("not used")

        async def aclose(self) -> None:
            closed.append(True)

    async with TwentyClient("https://crm.example", KEY, transport=T()):
        pass
    assert closed == [True]


# -- requests and results ---------------------------------------------------------------------


async def test_execute_sends_the_prepared_body_and_decodes_into_the_result_type() -> None:
    mt = mock(Response.json({"data": {"company": ROW}}))
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        out = await c.execute(GET, {"id": ROW["id"]})
    assert out == Data(
        company=Company(
            id=uuid.UUID(ROW["id"]),
            name="Acme",
            employees=5,
            created_at=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        )
    )
    (req,) = mt.requests
    assert req.url == "https://crm.example/graphql"
    assert req.json() == {
        "query": GET.document,
        "operationName": "GetCompany",
        "variables": {"id": ROW["id"]},
    }
    assert req.headers["Content-Type"] == "application/json"


class Stage(enum.Enum):
    LEAD = "LEAD"


class Money(TypedDict, total=False):
    amountMicros: int
    currencyCode: str


class Point(msgspec.Struct):
    x: int


async def test_variables_of_every_supported_type_encode() -> None:
    mt = mock(Response.json({"data": {"company": None}}))
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    variables = {
        "id": uuid.UUID(ROW["id"]),
        "at": when,
        "day": datetime.date(2024, 5, 6),
        "amount": decimal.Decimal("12.50"),
        "stage": Stage.LEAD,
        "money": Money(amountMicros=5, currencyCode="EUR"),
        "point": Point(x=1),
        "nothing": None,
    }
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        assert await c.execute(GET, variables) == Data(company=None)
    sent = mt.requests[0].json()["variables"]
    assert sent == {
        "id": ROW["id"],
        "at": "2024-05-06T07:08:09Z",
        "day": "2024-05-06",
        "amount": 12.5,
        "stage": "LEAD",
        "money": {"amountMicros": 5, "currencyCode": "EUR"},
        "point": {"x": 1},
        "nothing": None,
    }


async def test_unencodable_variables_raise_a_clear_type_error_before_sending() -> None:
    mt = mock()
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        with pytest.raises(TypeError, match="could not be encoded"):
            await c.execute(GET, {"id": object()})
    assert mt.requests == []


async def test_metadata_endpoint_and_execute_raw() -> None:
    mt = mock(Response.json({"data": {"objects": {"edges": []}}}))
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        out = await c.execute_raw(
            "query O { objects { edges { node { id } } } }",
            endpoint="metadata",
            operation_name="O",
        )
    assert out == {"objects": {"edges": []}}
    assert mt.requests[0].url == "https://crm.example/metadata"
    assert mt.requests[0].json()["operationName"] == "O"


async def test_execute_raw_rejects_bad_arguments() -> None:
    async with TwentyClient("https://crm.example", KEY, transport=mock()) as c:
        with pytest.raises(ValueError, match="endpoint"):
            await c.execute_raw("{ x }", endpoint="rest")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="document"):
            await c.execute_raw("  ")


async def test_the_same_operation_is_prepared_once() -> None:
    op: Operation[dict[str, Any]] = Operation(
        name="Q", document="query Q { x }", endpoint="graphql", kind="query",
        root_fields=("x",), result_type=dict, idempotent=True,
    )  # fmt: skip
    mt = mock(*[Response.json({"data": {"x": i}}) for i in range(3)])
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        assert [await c.execute(op) for _ in range(3)] == [{"x": 0}, {"x": 1}, {"x": 2}]
    prepared = op._cache["twenty_gql.runtime"]
    assert all(r.body.startswith(prepared.prefix) for r in mt.requests)


async def test_concurrency_cap_limits_requests_in_flight() -> None:
    import asyncio

    in_flight = peak = 0

    async def handler(request: Any) -> Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        return Response.json({"data": {"company": None}})

    async with TwentyClient(
        "https://crm.example", KEY, transport=MockTransport(handler), max_concurrency=3
    ) as c:
        await asyncio.gather(*(c.execute(GET, {"id": "x"}) for _ in range(20)))
    assert peak == 3


# -- MockTransport never accepts blindly --------------------------------------------------------


async def test_mock_transport_checks_the_expected_operation() -> None:
    mt = MockTransport([("OtherOp", Response.json({"data": {}}))])
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        with pytest.raises(MockTransportError, match="expected operation 'OtherOp'"):
            await c.execute(GET, {"id": "x"})


async def test_mock_transport_handler_must_return_a_response() -> None:
    mt = MockTransport(lambda r: {"data": {}})  # type: ignore[arg-type,return-value]
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        with pytest.raises(MockTransportError, match="not a Response"):
            await c.execute(GET, {"id": "x"})


async def test_mock_transport_refuses_requests_beyond_its_queue() -> None:
    mt = MockTransport([])
    async with TwentyClient("https://crm.example", KEY, transport=mt) as c:
        with pytest.raises(MockTransportError, match="no canned answer left"):
            await c.execute(GET, {"id": "x"})


async def test_the_client_learns_the_batch_limit_from_the_server() -> None:
    refusal = {
        "errors": [
            {
                "message": "Maximum number of records to upsert is 25.",
                "extensions": {"code": "BAD_USER_INPUT", "subCode": "TOO_MANY_RECORDS_TO_UPDATE"},
            }
        ]
    }
    create: Operation[dict[str, Any]] = Operation(
        name="CreateCompanies", document="mutation CreateCompanies { createCompanies { id } }",
        endpoint="graphql", kind="mutation", root_fields=("createCompanies",),
        result_type=dict, idempotent=False,
    )  # fmt: skip
    from twenty_gql import BatchLimitExceededError

    async with TwentyClient(
        "https://crm.example", KEY, transport=mock(Response.json(refusal))
    ) as c:
        assert c.batch_size == 60
        with pytest.raises(BatchLimitExceededError) as info:
            await c.execute(create)
    assert info.value.limit == 25 and c.batch_size == 25
