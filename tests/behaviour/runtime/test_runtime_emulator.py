"""The runtime against the emulator over real HTTP on loopback.

Limits are small so the suite stays fast: 100 tokens per 2 s, 250 records, a few hundred reads.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from twenty_gql import (
    ConfigurationError,
    ConnectError,
    ForbiddenError,
    Operation,
    RateLimit,
    ThrottledError,
    TwentyClient,
    UnauthenticatedError,
    collect,
    paginate,
)
from twenty_gql.testing import TwentyEmulator
from twenty_gql.transport import AiohttpTransport, Request, Response

COUNT: Operation[dict[str, Any]] = Operation(
    name="CountCompanies",
    document="query CountCompanies { companies(first: 1) { totalCount } }",
    endpoint="graphql",
    kind="query",
    root_fields=("companies",),
    result_type=dict,
    idempotent=True,
)
PAGE: Operation[dict[str, Any]] = Operation(
    name="CompanyPage",
    document=(
        "query CompanyPage($first: Int, $after: String) { companies(first: $first, "
        "after: $after, orderBy: [{name: AscNullsLast}]) { edges { node { id name } } "
        "pageInfo { hasNextPage endCursor } } }"
    ),
    endpoint="graphql",
    kind="query",
    root_fields=("companies",),
    result_type=dict,
    idempotent=True,
)
CREATE = (
    "mutation CreateCompanies($data: [CompanyCreateInput!]!) "
    "{ createCompanies(data: $data) { id } }"
)
SMALL = ((100, 2000),)  # "100 per 2 s"


@pytest.mark.parametrize("learn", [False, True])
async def test_300_calls_under_100_per_2s_complete_without_throttling_errors(learn: bool) -> None:
    """No client pacing configured: the server throttles, the client waits per its message and
    resends (and, with ``learn_rate_limit``, paces itself to the announced bucket)."""
    async with (
        TwentyEmulator("standard", rate_limit=SMALL) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None, learn_rate_limit=learn) as client,
    ):
        results = await asyncio.gather(
            *(client.execute(COUNT) for _ in range(300)), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert failures == []
        assert emu.stats.throttled > 0  # the server did throttle; none of it reached us
        assert client.stats().throttled == emu.stats.throttled
        assert (client.scheduler is not None) is learn


async def test_300_calls_paced_by_the_client_scheduler_are_not_throttled() -> None:
    """Client buckets mirroring the server's: the calls are spread out instead of refused."""
    async with (
        TwentyEmulator("standard", rate_limit=SMALL) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=RateLimit(((100, 2.0),))) as client,
    ):
        loop = asyncio.get_running_loop()
        start = loop.time()
        results = await asyncio.gather(*(client.execute(COUNT) for _ in range(300)))
        elapsed = loop.time() - start
        assert len(results) == 300
        assert elapsed >= 3.9  # 100 at once, then 200 at 50 per second
        # arrival jitter makes a few requests land just before the server's refill: allow a
        # stray refusal (each is resent), not a pattern (unpaced, ~700 of ~1000 are refused)
        assert emu.stats.throttled <= 15


async def test_throttling_that_outlasts_the_budget_reaches_the_caller_typed() -> None:
    async with (
        TwentyEmulator("standard", rate_limit=((1, 60000),)) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        client.retry.max_throttle_wait = 0.5
        await client.execute(COUNT)
        with pytest.raises(ThrottledError) as info:
            await client.execute(COUNT)
        assert (info.value.tokens, info.value.window) == (1, 60.0)


async def test_invalid_expired_and_revoked_keys_raise_typed_auth_errors() -> None:
    async with TwentyEmulator("standard", rate_limit=None) as emu:
        async with TwentyClient(emu.url, "not-a-real-key") as client:
            with pytest.raises(UnauthenticatedError, match="Token invalid"):
                await client.execute(COUNT)
        async with TwentyClient(emu.url, emu.issue_key(expires_in=-10)) as client:
            with pytest.raises(UnauthenticatedError, match="expired"):
                await client.execute(COUNT)
        key = emu.issue_key()
        async with TwentyClient(emu.url, key) as client:
            await client.execute(COUNT)
            emu.revoke_key(key)
            with pytest.raises(ForbiddenError, match="revoked") as info:
                await client.execute(COUNT)
            assert info.value.retryable is False
            assert key not in str(info.value) and key not in repr(client)


class _NoAuth(AiohttpTransport):
    """Sends without the Authorization header: what the server says to a key-less request."""

    async def send(self, request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k != "Authorization"}
        return await super().send(Request(request.url, headers, request.body))


async def test_a_missing_key_is_refused_up_front_and_by_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TWENTY_API_KEY", raising=False)
    async with TwentyEmulator("standard", rate_limit=None) as emu:
        with pytest.raises(ConfigurationError, match="TWENTY_API_KEY"):
            TwentyClient(emu.url)
        async with TwentyClient(emu.url, "placeholder", transport=_NoAuth()) as client:
            with pytest.raises(UnauthenticatedError, match="Missing authentication token"):
                await client.execute(COUNT)


async def test_paging_over_250_records_yields_each_exactly_once() -> None:
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key) as client,
    ):
        created: list[str] = []
        for start in range(0, 250, 50):
            rows = [{"name": f"co-{i:04d}"} for i in range(start, start + 50)]
            data = await client.execute_raw(CREATE, {"data": rows})
            created += [r["id"] for r in data["createCompanies"]]
        assert len(set(created)) == 250
        for page_size in (None, 60, 7):
            nodes = await collect(
                paginate(client, PAGE, {}, connection=lambda d: d["companies"], page_size=page_size)
            )
            ids = [n["id"] for n in nodes]
            assert len(ids) == len(set(ids)) == 250
            assert set(ids) == set(created)
            assert [n["name"] for n in nodes] == sorted(n["name"] for n in nodes)


async def test_dropped_connections_and_503s_on_reads_are_absorbed() -> None:
    async with (
        TwentyEmulator(
            "standard", rate_limit=None, fault_rate=0.05, drop_rate=0.02, fault_seed=7
        ) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        client.retry.base = 0.01  # keep the test quick; the policy is unit-tested
        results = await asyncio.gather(*(client.execute(COUNT) for _ in range(400)))
        assert len(results) == 400
        assert all(r["companies"]["totalCount"] == 0 for r in results)
        stats = emu.stats
        assert stats.status_faults > 0 and stats.dropped > 0
        assert client.stats().retries >= stats.faults_injected


async def test_a_create_is_not_resent_after_a_dropped_connection() -> None:
    """The write may have been applied: the caller gets the error, the server has one copy."""
    async with (
        TwentyEmulator("standard", rate_limit=None, drop_rate=1.0, drop_after_apply=True) as emu,
        TwentyClient(emu.url, emu.api_key) as client,
    ):
        name = f"once-{uuid.uuid4()}"
        with pytest.raises(Exception) as info:
            await client.execute_raw(CREATE, {"data": [{"name": name}]})
        assert type(info.value).__name__ == "ConnectionDroppedError"
        assert emu.stats.requests == 1
        assert sum(1 for r in emu.workspace.records("company") if r["name"] == name) == 1


async def test_a_closed_port_is_a_connect_error() -> None:
    async with TwentyEmulator("standard", rate_limit=None) as emu:
        url = emu.url
    async with TwentyClient(url, "some-key", max_retries=1, sleep=_no_sleep) as client:
        with pytest.raises(ConnectError) as info:
            await client.execute(COUNT)
        assert info.value.request_sent is False


async def _no_sleep(_: float) -> None:
    return None


async def test_the_newest_rate_limited_code_is_absorbed_too() -> None:
    async with (
        TwentyEmulator("standard", rate_limit=((10, 500),), throttle_code="RATE_LIMITED") as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        results = await asyncio.gather(*(client.execute(COUNT) for _ in range(30)))
        assert len(results) == 30
        assert emu.stats.throttled > 0
        assert client.scheduler is not None
        assert [(b.capacity, b.window) for b in client.scheduler.buckets] == [(10.0, 0.5)]
