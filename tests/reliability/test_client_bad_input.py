"""Bad input from the caller, through the generated bindings and ``execute_raw``, against a real
emulator: every case ends in a typed error whose message names what was wrong, and the same
client then serves the next call.

Two families:

* refused before sending (``InvalidVariablesError``, a ``TwentyError`` that is also a
  ``TypeError`` and a ``ValueError``): NaN / infinity (msgspec would write ``null``: the server
  would store nothing instead of the caller's number), naive ``datetime`` objects (Twenty
  parses a zone-less time in the server's zone), objects JSON cannot carry. The emulator's
  request counter proves nothing went out.
* refused by the server (``BadUserInputError`` & co., after sending): wrong types, unknown
  fields, invalid UUIDs, more records than the batch limit, a 6 MiB string (HTTP 413).
"""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio

from twenty_gql import (
    BadUserInputError,
    BatchLimitExceededError,
    GraphQLResponseError,
    InvalidVariablesError,
    TwentyClient,
    TwentyError,
)
from twenty_gql.testing import TwentyEmulator

# One emulator and one client for the whole module (on one event loop): the point is that the
# same client keeps working after every kind of bad input.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Env:
    emu: TwentyEmulator
    client: TwentyClient
    crm: Any  # twenty_standard.CoreApi

    def sent(self) -> int:
        return self.emu.stats.graphql_requests

    def companies(self) -> list[dict[str, Any]]:
        return list(self.emu.workspace.records("company"))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared(ts: Any) -> AsyncIterator[Env]:
    async with (
        TwentyEmulator(seed="standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        yield Env(emu, client, ts.CoreApi(client))


@pytest.fixture
def env(shared: Env) -> Iterator[Env]:
    yield shared
    shared.emu.set_limits(batch_limit=60)
    shared.client.batch_size = 60


async def still_works(env: Env) -> None:
    """The same client completes a write and a read after the failure."""
    name = f"after-{uuid.uuid4()}"
    created = await env.crm.companies.create(data={"name": name})
    assert created is not None and created.name == name
    page = await env.crm.companies.find_many(filter={"name": {"eq": name}})
    assert [c.id for c in page] == [created.id]


def raw_create(env: Env, data: Any) -> Awaitable[dict[str, Any]]:
    return env.client.execute_raw(
        "mutation M($data: CompanyCreateInput!) { createCompany(data: $data) { id name } }",
        {"data": data},
        operation_name="M",
    )


# -- refused before sending ----------------------------------------------------------------------

NAIVE = datetime.datetime(2024, 5, 6, 7, 8, 9)
Call = Callable[[Env], Awaitable[Any]]

REFUSED_BEFORE_SENDING: dict[str, tuple[Call, str, list[str]]] = {
    "nan number": (
        lambda e: e.crm.companies.create(data={"name": "n", "employees": math.nan}),
        "data.employees",
        ["nan", "not a JSON number"],
    ),
    "inf in a composite": (
        lambda e: e.crm.companies.create(data={"name": "n", "address": {"addressLat": math.inf}}),
        "data.address.addressLat",
        ["inf", "not a JSON number"],
    ),
    "-inf in a batch, raw": (
        lambda e: e.client.execute_raw(
            "mutation M($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id } }",
            {"data": [{"name": "a"}, {"name": "b", "position": -math.inf}]},
        ),
        "data[1].position",
        ["-inf"],
    ),
    "naive datetime": (
        lambda e: e.crm.companies.create(data={"name": "n", "createdAt": NAIVE}),
        "data.createdAt",
        ["naive datetime 2024-05-06T07:08:09", "time zone"],
    ),
    "naive datetime in a filter": (
        lambda e: e.crm.companies.find_many(filter={"createdAt": {"gte": NAIVE}}),
        "filter.createdAt.gte",
        ["naive datetime"],
    ),
    "naive datetime, raw": (
        lambda e: raw_create(e, {"name": "n", "createdAt": NAIVE}),
        "data.createdAt",
        ["naive datetime"],
    ),
    "an arbitrary object": (
        lambda e: e.crm.companies.create(data={"name": "n", "tagline": object()}),
        "data.tagline",
        ["could not be encoded", "object"],
    ),
    "an object, raw": (
        lambda e: raw_create(e, {"name": complex(1, 2)}),
        "data.name",
        ["could not be encoded", "complex"],
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_BEFORE_SENDING))
async def test_refused_before_sending_with_the_path_named(env: Env, case: str) -> None:
    call, path, words = REFUSED_BEFORE_SENDING[case]
    before, records = env.sent(), len(env.companies())
    with pytest.raises(InvalidVariablesError) as info:
        await call(env)
    err = info.value
    assert isinstance(err, TwentyError) and isinstance(err, TypeError)
    assert isinstance(err, ValueError)
    assert err.path == path
    for word in (path, *words):
        assert word in str(err), (word, str(err))
    # nothing went out (so no invalid JSON either), nothing was written
    assert env.sent() == before
    assert len(env.companies()) == records
    await still_works(env)


async def test_aware_datetimes_and_datetime_looking_strings_are_sent(env: Env) -> None:
    """The refusal is about naive ``datetime`` objects only: an aware one goes through, and so
    does a string that merely looks like a naive timestamp (the caller wrote that text)."""
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    created = await env.crm.companies.create(
        data={"name": 'T10:00:00" 2024-01-01T00:00:00', "createdAt": when}
    )
    assert created is not None and created.created_at == when
    assert created.name == 'T10:00:00" 2024-01-01T00:00:00'
    later = when + datetime.timedelta(hours=2)
    plus2 = later.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    moved = await env.crm.companies.update(id=created.id, data={"createdAt": plus2})
    assert moved is not None and moved.created_at == later


async def test_a_set_is_sent_as_a_list(env: Env) -> None:
    """Documented: sets encode as JSON lists (handy for ``id: {in: ...}``), not an error."""
    a = await env.crm.companies.create(data={"name": "a"})
    b = await env.crm.companies.create(data={"name": "b"})
    assert a is not None and b is not None
    page = await env.crm.companies.find_many(filter={"id": {"in": {str(a.id), str(b.id)}}})
    assert {c.id for c in page} == {a.id, b.id}


# -- refused by the server -----------------------------------------------------------------------

REFUSED_BY_SERVER: dict[str, tuple[Call, type[GraphQLResponseError], list[str]]] = {
    "int where a string goes": (
        lambda e: e.crm.companies.create(data={"name": 5}),
        BadUserInputError,
        [".name", "String cannot represent"],
    ),
    "string where a number goes": (
        lambda e: e.crm.companies.create(data={"name": "n", "employees": "many"}),
        BadUserInputError,
        [".employees", "'many'"],
    ),
    "dict where a list goes": (
        lambda e: e.crm.companies.find_many(filter={"id": {"in": {"a": 1}}}),
        BadUserInputError,
        [".id.in"],
    ),
    "unknown field in data": (
        lambda e: e.crm.companies.create(data={"name": "n", "colour": "red"}),
        BadUserInputError,
        ["unknown field 'colour'"],
    ),
    "unknown field in a filter": (
        lambda e: e.crm.companies.find_many(filter={"colour": {"eq": "red"}}),
        BadUserInputError,
        ["unknown field 'colour'", "CompanyFilterInput"],
    ),
    "unknown field in a raw document": (
        lambda e: e.client.execute_raw("{ companies(filter: {colour: {eq: 1}}) { totalCount } }"),
        GraphQLResponseError,
        ["unknown field 'colour'", "GRAPHQL_VALIDATION_FAILED"],
    ),
    "invalid UUID as id": (
        lambda e: e.crm.companies.create(data={"name": "n", "id": "not-a-uuid"}),
        BadUserInputError,
        ["Invalid UUID", "not-a-uuid"],
    ),
    "invalid UUID as a foreign key": (
        lambda e: e.crm.companies.create(data={"name": "n", "accountOwnerId": "42"}),
        BadUserInputError,
        ["Invalid UUID", "accountOwnerId"],
    ),
    "invalid UUID in a filter": (
        lambda e: e.crm.companies.find_one(filter={"id": {"eq": "zzz"}}),
        BadUserInputError,
        [".id.eq", "Invalid UUID"],
    ),
    "invalid UUID, raw": (
        lambda e: raw_create(e, {"name": "n", "id": "123"}),
        BadUserInputError,
        ["Invalid UUID", "'123'"],
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_BY_SERVER))
async def test_refused_by_the_server_with_a_typed_error(env: Env, case: str) -> None:
    call, cls, words = REFUSED_BY_SERVER[case]
    before, records = env.sent(), len(env.companies())
    with pytest.raises(cls) as info:
        await call(env)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert info.value.retryable is False
    assert env.sent() == before + 1  # sent once, not retried
    assert len(env.companies()) == records
    await still_works(env)


async def test_oversize_batch_in_one_plain_call_is_refused_and_learnt(env: Env, ts: Any) -> None:
    from twenty_standard.core.objects import company

    env.emu.set_limits(batch_limit=40)
    records = len(env.companies())
    with pytest.raises(BatchLimitExceededError) as info:
        await company.create_companies(env.client, data=[{"name": f"c{i}"} for i in range(41)])
    assert info.value.limit == 40
    assert "Maximum number of records to upsert is 40." in str(info.value)
    assert len(env.companies()) == records  # the whole batch was refused: nothing landed
    assert env.client.batch_size == 40  # learnt for the bulk helpers
    await still_works(env)


async def test_oversize_batch_through_create_many_is_chunked(env: Env) -> None:
    env.emu.set_limits(batch_limit=40)
    names = [f"bulk-{i}" for i in range(130)]
    before = env.sent()
    result = await env.crm.companies.create_many(
        [{"name": n} for n in names], batch_size=60, concurrency=2
    )
    assert result.ok and result.succeeded == 130 and result.indexes == list(range(130))
    assert result.batch_size == 40
    landed = sorted(r["name"] for r in env.companies() if r["name"].startswith("bulk-"))
    assert landed == sorted(names)  # each exactly once
    # chunks of 60, 60, 10: one or both 60s refused (the second may be in flight before the
    # limit is learnt), each re-split 40 + 20, then the 10: 6 or 7 requests, no record twice
    assert env.sent() - before == result.requests
    assert 6 <= result.requests <= 7
    await still_works(env)


async def test_huge_string_gets_the_servers_413_as_a_typed_error(env: Env) -> None:
    before, records = env.sent(), len(env.companies())
    with pytest.raises(BadUserInputError) as info:
        await env.crm.companies.create(data={"name": "x" * (6 * 1024 * 1024)})
    assert info.value.status == 413
    assert "Request body too large" in str(info.value)
    assert env.emu.stats.bad_requests >= 1
    assert env.sent() == before + 1 and len(env.companies()) == records
    await still_works(env)


async def test_create_many_isolates_a_record_that_cannot_be_encoded(env: Env) -> None:
    """One NaN among 100 records: refused client-side (never sent), reported with its input
    index and the typed error; the 99 others land."""
    rows: list[dict[str, Any]] = [{"name": f"iso-{i}", "employees": i} for i in range(100)]
    rows[37]["employees"] = math.nan
    result = await env.crm.companies.create_many(rows, concurrency=2)
    assert result.succeeded == 99
    assert [f.index for f in result.failures] == [37]
    failure = result.failures[0]
    assert isinstance(failure.error, InvalidVariablesError)
    assert "employees" in failure.reason and "nan" in failure.reason
    landed = sorted(r["name"] for r in env.companies() if r["name"].startswith("iso-"))
    assert landed == sorted(f"iso-{i}" for i in range(100) if i != 37)
    await still_works(env)
