"""Fault injection: proxy-style 502/503, dropped connections (write applied or not), latency,
reproducible with a seed."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from twenty_gql.testing import TwentyEmulator

from .conftest import Http

CREATE = "mutation($n: String) { createCompany(data: {name: $n}) { id } }"


async def _statuses(http: Http, n: int) -> list[int]:
    out = []
    for _ in range(n):
        async with http.session.post(
            http.emu.url + "/graphql",
            json={"query": "{ companies(first: 1) { totalCount } }"},
            headers=http.headers(http.emu.api_key),
        ) as resp:
            text = await resp.text()
            if resp.status != 200:
                assert resp.content_type == "text/plain" and text.startswith(str(resp.status))
            out.append(resp.status)
    return out


async def test_fault_rate_is_seeded_and_proxy_shaped() -> None:
    runs = []
    for _ in range(2):
        async with (
            TwentyEmulator("empty", rate_limit=None, fault_rate=0.3, fault_seed=7) as emu,
            aiohttp.ClientSession() as session,
        ):
            http = Http(session, emu)
            statuses = await _statuses(http, 60)
            stats = emu.stats
            assert stats.status_faults == stats.faults_injected == 60 - statuses.count(200)
            runs.append(statuses)
    assert runs[0] == runs[1]  # same seed, same faults
    assert set(runs[0]) == {200, 502, 503}
    assert 5 <= 60 - runs[0].count(200) <= 35


async def _create(http: Http, name: str) -> str:
    try:
        _status, body = await http.post("/graphql", CREATE, {"n": name})
    except aiohttp.ServerDisconnectedError:
        return "dropped"
    assert "errors" not in body, body
    return "answered"


async def test_drop_before_apply_loses_the_write(emu: TwentyEmulator, http: Http) -> None:
    emu.set_faults(drop_rate=1.0, drop_after_apply=False)
    assert await _create(http, "lost-write") == "dropped"
    emu.set_faults(drop_rate=0.0)
    assert await _create(http, "kept") == "answered"
    names = {r["name"] for r in emu.workspace.records("company")}
    assert "lost-write" not in names and "kept" in names
    assert emu.stats.dropped == 1 and emu.stats.dropped_after_apply == 0


async def test_drop_after_apply_keeps_the_write(emu: TwentyEmulator, http: Http) -> None:
    emu.set_faults(drop_rate=1.0, drop_after_apply=True)
    assert await _create(http, "applied-but-unanswered") == "dropped"
    emu.set_faults(drop_rate=0.0)
    names = [r["name"] for r in emu.workspace.records("company")]
    assert names.count("applied-but-unanswered") == 1
    assert emu.stats.dropped == emu.stats.dropped_after_apply == 1
    await http.gql("{ companies(first: 1) { totalCount } }")


async def test_partial_drop_rate_then_server_keeps_serving(emu: TwentyEmulator, http: Http) -> None:
    emu.set_faults(drop_rate=0.5, seed=3)
    outcomes = [await _create(http, f"c{i}") for i in range(30)]
    assert 3 <= outcomes.count("dropped") <= 27
    emu.set_faults(drop_rate=0.0)
    names = {r["name"] for r in emu.workspace.records("company")}
    answered = {f"c{i}" for i, o in enumerate(outcomes) if o == "answered"}
    assert answered <= names
    assert not ({f"c{i}" for i, o in enumerate(outcomes) if o == "dropped"} & names)


async def test_latency_is_added(emu: TwentyEmulator, http: Http) -> None:
    emu.set_faults(latency_ms=150)
    started = time.monotonic()
    await asyncio.gather(*(http.gql("{ __typename }") for _ in range(4)))
    # concurrent requests wait concurrently; the delay is real (asyncio.sleep in the handler)
    assert time.monotonic() - started >= 0.15
