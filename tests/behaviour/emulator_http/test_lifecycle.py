"""Start/stop: free port, clean shutdown (no tasks or listening socket left), use after stop."""

from __future__ import annotations

import asyncio
import gc
import warnings

import aiohttp
import pytest

from twenty_gql.testing import TwentyEmulator


async def test_clean_shutdown_with_an_open_keepalive_connection() -> None:
    before = asyncio.all_tasks()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        async with aiohttp.ClientSession() as session:
            emu = TwentyEmulator("empty")
            async with emu:
                url = emu.url
                assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
                async with session.post(
                    url + "/graphql",
                    json={"query": "{ __typename }"},
                    headers={"Authorization": f"Bearer {emu.api_key}"},
                ) as resp:
                    assert (await resp.json())["data"] == {"__typename": "Query"}
            # stopped while the client still holds a keep-alive connection
            with pytest.raises(aiohttp.ClientConnectionError):
                async with session.post(url + "/graphql", json={"query": "{ __typename }"}):
                    pass
        gc.collect()
    assert asyncio.all_tasks() - before == set()
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.url
    assert "stopped" in repr(emu)


async def test_two_emulators_side_by_side_and_no_double_start() -> None:
    async with TwentyEmulator("empty") as a, TwentyEmulator("empty") as b:
        assert a.url != b.url
        with pytest.raises(RuntimeError, match="already running"):
            await a.start()
        assert a.issue_key() != b.issue_key()


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"seed": "huge"}, "unknown seed"),
        ({"host": "0.0.0.0"}, "allow_remote"),
        ({"port": -1}, "port"),
        ({"batch_limit": 0}, "batch_limit"),
        ({"rate_limit": ((0, 1000),)}, "rate limit"),
        ({"fault_rate": 2}, "fault_rate"),
        ({"throttle_code": "SLOW_DOWN"}, "throttle_code"),
        ({"api_key": "has space"}, "api_key"),
    ],
)
def test_bad_configuration_is_a_clear_value_error(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        TwentyEmulator(**kwargs)  # type: ignore[arg-type]


async def test_set_limits_validates_and_applies() -> None:
    async with TwentyEmulator("standard", rate_limit=None) as emu:
        with pytest.raises(ValueError, match="batch_limit"):
            emu.set_limits(batch_limit=0)
        emu.set_limits(batch_limit=2)
        assert emu.workspace.settings.batch_limit == 2
        query = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }"
        rows = [{"name": "a"}, {"name": "b"}, {"name": "c"}]
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                emu.url + "/graphql",
                json={"query": query, "variables": {"d": rows}},
                headers={"Authorization": f"Bearer {emu.api_key}"},
            ) as resp,
        ):
            body = await resp.json()
        assert body["errors"][0]["message"] == "Maximum number of records to upsert is 2."
