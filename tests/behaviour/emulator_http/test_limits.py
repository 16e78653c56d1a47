"""Rate limiting (twenty-api.md §3.2) and document limits (§1.9) over raw HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from twenty_gql.testing import TwentyEmulator

from .conftest import Http, codes

ONE = "{ companies(first: 1) { totalCount } }"


@pytest.fixture
async def limited() -> AsyncIterator[Http]:
    async with (
        TwentyEmulator("standard", rate_limit=((10, 5000), (1000, 60000))) as emu,
        aiohttp.ClientSession() as session,
    ):
        yield Http(session, emu)


def _throttled(body: dict[str, object]) -> bool:
    errors = body.get("errors")
    return isinstance(errors, list) and errors[0]["extensions"].get("subCode") == "LIMIT_REACHED"


async def test_throttling_at_configured_numbers(limited: Http) -> None:
    results = [await limited.post("/graphql", ONE) for _ in range(12)]
    assert [_throttled(b) for _, b in results] == [False] * 10 + [True] * 2
    status, body = results[10]
    assert status == 200 and body["data"] is None
    err = body["errors"][0]
    assert err["message"] == "Limit reached (10 tokens per 5000 ms)"
    assert err["extensions"] == {
        "code": "BAD_USER_INPUT",
        "subCode": "LIMIT_REACHED",
        "userFriendlyMessage": "Rate limit reached. Please try again later.",
    }
    assert limited.emu.stats.throttled == 2
    # continuous refill: 10 tokens per 5000 ms is one per 500 ms (slow enough that the 12
    # requests above cannot have earned one back)
    await asyncio.sleep(0.55)
    status, body = await limited.post("/graphql", ONE)
    assert not _throttled(body)


async def test_one_token_per_root_field_and_introspection_is_free(limited: Http) -> None:
    three = "{ a: companies(first: 1) { totalCount } people(first: 1) { totalCount } notes(first: 1) { totalCount } }"
    for _ in range(3):
        _s, body = await limited.post("/graphql", three)
        assert not _throttled(body)
    for _ in range(5):  # introspection does not use tokens
        _s, body = await limited.post("/graphql", "{ __schema { queryType { name } } }")
        assert "errors" not in body
    _s, body = await limited.post("/graphql", ONE)  # 9 used, 1 left (minus a little refill)
    assert not _throttled(body)
    _s, body = await limited.post("/graphql", three)
    assert _throttled(body)


async def test_invalid_documents_use_no_tokens(limited: Http) -> None:
    for _ in range(15):
        _s, body = await limited.post("/graphql", "{ companies(first: 1) { noSuchField } }")
        assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    bodies = [(await limited.post("/graphql", ONE))[1] for _ in range(10)]
    assert not any(_throttled(b) for b in bodies)


async def test_long_window_bucket_and_rate_limited_code() -> None:
    async with (
        TwentyEmulator(
            "empty", rate_limit=((100, 1000), (3, 60000)), throttle_code="RATE_LIMITED"
        ) as emu,
        aiohttp.ClientSession() as session,
    ):
        http = Http(session, emu)
        q = "{ __typename }"  # no root resolver: free
        _s, body = await http.post("/graphql", q)
        assert "errors" not in body
        # the empty seed has no objects: use /metadata-free core fields via a fresh object
        await http.meta(
            """mutation { createOneObject(input: {object: {nameSingular: "pet", namePlural: "pets",
               labelSingular: "Pet", labelPlural: "Pets"}}) { id } }"""
        )  # /metadata is not throttled by default
        bodies = [(await http.post("/graphql", "{ pets { totalCount } }"))[1] for _ in range(4)]
        assert [_throttled(b) for b in bodies] == [False, False, False, True]
        assert codes(bodies[3]) == ["RATE_LIMITED"]
        assert bodies[3]["errors"][0]["message"] == "Limit reached (3 tokens per 60000 ms)"
        emu.set_limits(rate_limit=None)
        _s, body = await http.post("/graphql", "{ pets { totalCount } }")
        assert not _throttled(body)


async def test_rate_limit_off(http: Http) -> None:
    bodies = await asyncio.gather(*(http.post("/graphql", ONE) for _ in range(150)))
    assert not any(_throttled(b) for _, b in bodies)
    assert http.emu.stats.throttled == 0


async def test_more_than_20_root_fields(http: Http) -> None:
    fields = " ".join(f'c{i}: company(filter: {{id: {{eq: "{i}"}}}}) {{ id }}' for i in range(21))
    _s, body = await http.post("/graphql", "{ " + fields + " }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "too many root resolvers: 21 (maximum 20)" in body["errors"][0]["message"]


async def test_same_root_field_twice(http: Http) -> None:
    _s, body = await http.post(
        "/graphql", "{ a: companies { totalCount } b: companies { totalCount } }"
    )
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "'companies'" in body["errors"][0]["message"]
    # through a fragment, too
    _s, body = await http.post(
        "/graphql",
        "query { companies { totalCount } ...F } fragment F on Query { companies { totalCount } }",
    )
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_metadata_root_limit_is_10(http: Http) -> None:
    ten = " ".join(f"o{i}: objects {{ pageInfo {{ hasNextPage }} }}" for i in range(2))
    _s, body = await http.post("/metadata", "{ " + ten + " }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]  # duplicate
    many = " ".join(
        f"{name} {{ __typename }}"
        for name in [
            "apiKeys", "webhooks", "currentUser", "currentWorkspace", "getRoles", "agents",
            "objects", "fields", "billingPortalSession", "getPageLayouts", "getViews",
        ]
    )  # fmt: skip
    _s, body = await http.post("/metadata", "{ " + many + " }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "maximum 10" in body["errors"][0]["message"]


async def test_too_many_fields_and_too_deep(http: Http) -> None:
    wide = "{ companies { edges { node { " + " ".join(f"a{i}: id" for i in range(2001)) + " } } } }"
    _s, body = await http.post("/graphql", wide)
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "too many fields" in body["errors"][0]["message"]
    depth = 30
    _s, body = await http.post("/graphql", "{ " + "a { " * depth + "b" + " }" * depth + " }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "too deeply nested" in body["errors"][0]["message"]
    # a legitimate nested query well inside the limits still runs
    data = await http.gql(
        "{ companies(first: 2) { edges { node { people(first: 2) { edges { node { "
        "company { id name } } } } } } } }"
    )
    assert "companies" in data
