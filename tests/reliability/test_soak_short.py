"""The soak (``bench/soak.py``, ``make soak``) in a short form: 1,500 mixed calls against a
``twenty-gql emulator`` process with latency, 5% 502/503s, 2% drops after apply, tight token
buckets and a noisy neighbour. Asserts the invariants, never timings: no record lost or
duplicated, only the expected failure types surfaced, no connection left open, the client
usable to the end (it read the final state back)."""

from __future__ import annotations

import asyncio

import pytest

from bench.soak import (
    SHORT,
    SoakConfig,
    SoakEmulator,
    SoakReport,
    open_connections,
    run_soak,
    server_ms,
)
from twenty_gql.transport import AiohttpTransport, Request

EXPECTED_FAILURES = (
    "plain create not resent: HTTPStatusError HTTP 502",
    "plain create not resent: HTTPStatusError HTTP 503",
    "plain create not resent: ConnectionDroppedError",
    "delete resent after an applied drop: NotFound",
    "destroy resent after an applied drop: NotFound",
)


@pytest.fixture(scope="module")
def short_run() -> tuple[SoakConfig, SoakReport, str]:
    cfg = SoakConfig(**SHORT)  # type: ignore[arg-type]
    with SoakEmulator(cfg) as emu:
        report = asyncio.run(run_soak(cfg, emu.url, emu.api_key, emu.port))
    return cfg, report, emu.stderr_text()


def test_short_soak_keeps_every_invariant(short_run: tuple[SoakConfig, SoakReport, str]) -> None:
    cfg, r, emulator_log = short_run
    assert r.calls == cfg.calls
    assert r.problems() == [], r.table()
    assert r.lost == 0 and r.duplicated == 0 and r.inconsistent == 0
    assert not r.unexpected, r.unexpected_examples
    assert set(r.expected) <= set(EXPECTED_FAILURES), r.expected
    assert r.client_usable
    # the faults and the throttling really happened, and the client absorbed them
    assert r.retries > 0 and r.throttled > 0
    assert r.unknown_landed <= r.unknown_creates
    # records were created and destroyed, and every one the client saw land was found again
    assert r.records_ledger + r.records_destroyed > 150 and r.records_destroyed > 0
    assert r.records_found == r.records_ledger + r.unknown_landed
    assert r.connections["before"] == 0 and r.connections["after aclose"] == 0
    assert 0 < r.max_connections_seen <= cfg.concurrency
    assert "internal error" not in emulator_log
    # the latency figures have samples on both sides (Server-Timing was read)
    assert len(r.latency["added"]) > 500
    assert r.latency["probe_ours"] and r.latency["probe_raw"]


async def test_emulator_answers_carry_server_timing() -> None:
    """The emulator's ``Server-Timing: app;dur=MS`` (read by the soak) is on /graphql and
    /metadata answers and covers the added latency."""
    cfg = SoakConfig(latency_ms=30.0, fault_rate=0.0, drop_rate=0.0, rate_limit="off")
    with SoakEmulator(cfg) as emu:
        transport = AiohttpTransport(timeout=10)
        try:
            headers = {"Authorization": f"Bearer {emu.api_key}"}
            body = b'{"query": "{ companies(first: 1) { totalCount } }"}'
            response = await transport.send(Request(f"{emu.url}/graphql", headers, body))
            assert response.status == 200
            dur = server_ms(response)
            assert dur is not None and dur >= 30.0
            meta = await transport.send(Request(f"{emu.url}/metadata", headers, body))
            assert server_ms(meta) is not None
            assert open_connections(emu.port) >= 1
        finally:
            await transport.aclose()
        await asyncio.sleep(0.05)
        assert open_connections(emu.port) == 0
