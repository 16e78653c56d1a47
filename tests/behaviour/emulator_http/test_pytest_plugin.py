"""The ``twenty_emulator`` fixture, in a user's project (pytester, separate process) and here."""

from __future__ import annotations

import aiohttp
import pytest

from twenty_gql.testing import TwentyEmulator

pytest_plugins = ["pytester"]

USER_TESTS = """
import aiohttp
import pytest


async def _count(emu, name):
    async with aiohttp.ClientSession() as s:
        async with s.post(
            emu.url + "/graphql",
            json={"query": "{ %s { totalCount } }" % name},
            headers={"Authorization": "Bearer " + emu.api_key},
        ) as r:
            return (await r.json())["data"][name]["totalCount"]


async def test_default_is_standard_seed(twenty_emulator):
    assert twenty_emulator.url.startswith("http://127.0.0.1:")
    assert await _count(twenty_emulator, "companies") == 0


@pytest.mark.twenty_emulator(seed="demo", rate_limit=None)
async def test_marker_configures(twenty_emulator):
    assert await _count(twenty_emulator, "companies") > 10


def test_sync_test_too(twenty_emulator):
    import json
    import urllib.request

    req = urllib.request.Request(
        twenty_emulator.url + "/graphql",
        data=json.dumps({"query": "{ people { totalCount } }"}).encode(),
        headers={"Authorization": "Bearer " + twenty_emulator.api_key,
                 "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read())["data"]["people"]["totalCount"] == 0


@pytest.mark.twenty_emulator(seed="nope")
async def test_bad_marker(twenty_emulator):
    pass
"""


def test_fixture_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*bad twenty_emulator configuration: unknown seed 'nope'*"])
    help_result = pytester.runpytest_subprocess("--markers")
    help_result.stdout.fnmatch_lines(["@pytest.mark.twenty_emulator(**kwargs)*"])


@pytest.mark.twenty_emulator(seed="empty", rate_limit=((1, 60000),))
async def test_fixture_here_with_marker(twenty_emulator: TwentyEmulator) -> None:
    assert isinstance(twenty_emulator, TwentyEmulator)
    assert twenty_emulator.workspace.objects() == []
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            twenty_emulator.url + "/metadata",
            json={"query": "{ objects { edges { node { id } } } }"},
            headers={"Authorization": f"Bearer {twenty_emulator.api_key}"},
        ) as resp,
    ):
        assert (await resp.json())["data"] == {"objects": {"edges": []}}


def test_ini_option_sets_the_default_seed(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\ntwenty_emulator_seed = empty\n")
    pytester.makepyfile(
        test_ini="""
async def test_empty(twenty_emulator):
    assert twenty_emulator.workspace.objects() == []
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)


SYNC_ONLY = """
import json
import urllib.request

import pytest


@pytest.mark.twenty_emulator(seed="empty", api_key="sync-key")
def test_without_any_async_plugin(twenty_emulator):
    assert twenty_emulator.api_key == "sync-key"
    req = urllib.request.Request(
        twenty_emulator.url + "/metadata",
        data=json.dumps({"query": "{ objects { edges { node { id } } } }"}).encode(),
        headers={"Authorization": "Bearer sync-key", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read()) == {"data": {"objects": {"edges": []}}}
    twenty_emulator.revoke_key()
    with urllib.request.urlopen(req) as resp:
        body = json.loads(resp.read())
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert twenty_emulator.stats.metadata_requests == 2
"""


def test_fixture_without_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sync_only=SYNC_ONLY)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio", "-q")
    result.assert_outcomes(passed=1)
