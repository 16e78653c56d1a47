"""Cancelling a task mid-call or mid-bulk, against a slow emulator (``latency_ms``).

* The client stays usable, holds no connection, and gives back what the cancelled calls held:
  concurrency slots, and the rate-limit tokens of calls cancelled before they were sent.
* A cancelled bulk run propagates ``CancelledError`` (never swallowed) carrying its partial
  ``BulkResult`` (``twenty_gql.partial_result(exc)``): the records it says landed are in the
  emulator, every record in the emulator but not in that list was ``in_flight``, and a rerun
  with the checkpoint ends with every record exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.reliability._connections import acquired
from twenty_gql import BulkProgress, RateLimit, TwentyClient, partial_result
from twenty_gql.testing import TwentyEmulator

COUNT = "query Count { companies(first: 1) { totalCount } }"


async def arrived(emu: TwentyEmulator, n: int, timeout: float = 10.0) -> None:
    """Wait until the emulator has received ``n`` GraphQL requests in total."""

    async def poll() -> None:
        while emu.stats.graphql_requests < n:  # noqa: ASYNC110 - the emulator has no event
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def test_cancel_mid_call_leaves_the_client_usable() -> None:
    async with (
        TwentyEmulator(seed="standard", rate_limit=None, latency_ms=2000) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        task = asyncio.create_task(client.execute_raw(COUNT))
        await arrived(emu, 1)  # in flight: the server holds it for 2 s
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert acquired(client) == 0  # the half-used connection was closed, not pooled
        emu.set_faults(latency_ms=0)
        out = await client.execute_raw(COUNT)
        assert out["companies"]["totalCount"] >= 0
        assert emu.stats.graphql_requests == 2


async def test_cancelling_50_calls_gives_back_slots_and_unspent_tokens() -> None:
    """50 calls, 16 in flight (max_concurrency), the rest waiting for a slot or a token; all
    cancelled. Tokens are spent only by the 16 that went out; then 16 new calls are all in
    flight at once (a leaked slot or token would hold one back)."""
    bucket = (40, 600.0)  # refills 1 token per 15 s: spent tokens stay visibly spent
    async with (
        TwentyEmulator(seed="standard", rate_limit=None, latency_ms=1500) as emu,
        TwentyClient(
            emu.url, emu.api_key, rate_limit=RateLimit((bucket,)), max_concurrency=16
        ) as client,
    ):
        assert client.scheduler is not None
        tasks = [asyncio.create_task(client.execute_raw(COUNT)) for _ in range(50)]
        await arrived(emu, 16)
        await asyncio.sleep(0.1)
        assert emu.stats.graphql_requests == 16  # the others wait for a slot or a token
        for t in tasks:
            t.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
        assert acquired(client) == 0
        level = client.scheduler.buckets[0].level
        assert 40 - 16 <= level < 40 - 16 + 1, level  # 24 calls got their tokens back
        assert client.scheduler._waiting == 0

        fresh = [asyncio.create_task(client.execute_raw(COUNT)) for _ in range(16)]
        await arrived(emu, 32)  # all 16 reached the server ...
        assert not any(t.done() for t in fresh)  # ... while each is still held 1.5 s
        results = await asyncio.gather(*fresh)
        assert all("companies" in r for r in results)
        assert acquired(client) == 0


async def test_cancel_mid_bulk_reports_what_landed_and_the_checkpoint_completes(
    ts: Any, tmp_path: Path
) -> None:
    names = [f"bulk-{i:03d}" for i in range(600)]
    checkpoint = tmp_path / "import.ckpt"
    async with (
        TwentyEmulator(seed="standard", rate_limit=None, batch_limit=60, latency_ms=150) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None, max_concurrency=8) as client,
    ):
        crm = ts.CoreApi(client)
        enough = asyncio.Event()

        def progress(p: BulkProgress) -> None:
            if p.done >= 180:
                enough.set()

        run = asyncio.create_task(
            crm.companies.create_many(
                [{"name": n} for n in names],
                concurrency=4,
                checkpoint=str(checkpoint),
                on_progress=progress,
            )
        )
        await asyncio.wait_for(enough.wait(), 30)
        run.cancel()
        with pytest.raises(asyncio.CancelledError) as info:
            await run
        partial = partial_result(info.value)
        assert partial is not None and info.value.bulk_result is partial  # type: ignore[attr-defined]

        assert 180 <= partial.succeeded < 600 and partial.failures == []
        landed = {names[i] for i in partial.indexes}
        in_flight = {names[i] for i in partial.in_flight}
        assert len(landed) == partial.succeeded and not landed & in_flight
        # whole chunks of 60, at most `concurrency` of them were out
        assert len(in_flight) % 60 == 0 and len(in_flight) <= 4 * 60

        # in-flight requests finish on the server (latency 150 ms): let them settle
        await asyncio.sleep(0.6)
        stored = {r["name"]: r["id"] for r in emu.workspace.records("company")}
        bulk_names = {n for n in stored if n.startswith("bulk-")}
        assert landed <= bulk_names  # everything reported landed is there ...
        assert bulk_names - landed <= in_flight  # ... and anything else was in flight
        for record, index in zip(partial.records, partial.indexes, strict=True):
            assert record is not None and str(record.id) == stored[names[index]]

        # the client is usable and holds nothing
        assert acquired(client) == 0
        assert (await client.execute_raw(COUNT))["companies"]["totalCount"] >= len(landed)

        # rerun with the checkpoint: every record exactly once
        emu.set_faults(latency_ms=0)
        rest = await crm.companies.create_many(
            [{"name": n} for n in names], concurrency=4, checkpoint=str(checkpoint)
        )
        assert rest.ok and rest.skipped == len(landed)
        assert rest.succeeded == 600 - len(landed)
        counts = Counter(
            r["name"] for r in emu.workspace.records("company") if r["name"].startswith("bulk-")
        )
        assert sorted(counts) == names and set(counts.values()) == {1}


async def test_timeout_around_a_bulk_run_still_yields_the_partial_result(ts: Any) -> None:
    """``asyncio.wait_for`` turns the cancellation into ``TimeoutError``; the partial result is
    on the ``CancelledError`` it was raised from."""
    async with (
        TwentyEmulator(seed="standard", rate_limit=None, batch_limit=20, latency_ms=200) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        crm = ts.CoreApi(client)
        with pytest.raises(asyncio.TimeoutError) as info:
            await asyncio.wait_for(
                # 20 chunks, 2 at a time, 200 ms each: about 2 s without the timeout
                crm.companies.create_many([{"name": f"t-{i}"} for i in range(400)], concurrency=2),
                1.0,
            )
        partial = partial_result(info.value)
        assert partial is not None
        assert 0 < len(partial.indexes) < 400 and len(partial.in_flight) <= 2 * 20
        await asyncio.sleep(0.5)
        stored = {r["name"] for r in emu.workspace.records("company")}
        landed = {f"t-{i}" for i in partial.indexes}
        assert landed <= stored
        assert {n for n in stored if n.startswith("t-")} - landed <= {
            f"t-{i}" for i in partial.in_flight
        }
        assert acquired(client) == 0
