"""Two worker processes, one workspace, small limits: with one Redis budget the server never
throttles; with a budget each (the in-process default), it does. Every record lands once.

The emulator allows 10 calls per second and 20 per 4 s; each worker ``create_many``-s 200
records 10 per call (20 calls), so the 40 calls take ~4 s in either mode. The workers are the
shared-budget benchmark's (``python -m bench.bench_shared_budget worker``), started together.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_shared_budget import COUNT, run_workers
from twenty_gql.client import TwentyClient
from twenty_gql.testing import TwentyEmulator

from .conftest import RedisServer

ROOT = Path(__file__).resolve().parents[3]
RATE = "10/1000,20/4000"  # the emulator's buckets, mirrored by every worker's client
RECORDS, BATCH = 200, 10

pytestmark = pytest.mark.slow


async def _run(redis_url: str, namespace: str) -> tuple[int, int, list[dict[str, object]]]:
    async with TwentyEmulator(
        seed="standard", rate_limit=((10, 1000), (20, 4000)), batch_limit=60
    ) as emu:
        results = await run_workers(
            emu.url,
            emu.api_key,
            workers=2,
            records=RECORDS,
            rate=RATE,
            redis=redis_url,
            namespace=namespace,
            batch=BATCH,
            prefix="budget-",
            cwd=str(ROOT),
        )
        throttled = emu.stats.throttled
        async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as client:
            data = await client.execute_raw(COUNT, {"prefix": "budget-%"}, idempotent=True)
    return throttled, int(data["companies"]["totalCount"]), results


async def test_two_processes_draw_from_one_redis_budget(
    redis_server: RedisServer, namespace: str
) -> None:
    pytest.importorskip("redis", reason="the redis extra is not installed")
    throttled, count, results = await _run(redis_server.url, namespace)
    assert [r["errors"] for r in results] == [[], []]
    assert [(r["landed"], r["failed"]) for r in results] == [(RECORDS, 0), (RECORDS, 0)]
    assert count == 2 * RECORDS  # exactly once
    assert throttled == 0  # the server never had to refuse a call
    assert sum(r["throttled"] for r in results) == 0  # ... and no client saw a refusal
    assert sum(r["waits"] for r in results) > 0  # they paced: 40 calls do not fit in 20 tokens


async def test_two_processes_with_a_budget_each_get_throttled() -> None:
    throttled, count, results = await _run("", "unused")
    assert [(r["landed"], r["failed"]) for r in results] == [(RECORDS, 0), (RECORDS, 0)]
    assert count == 2 * RECORDS  # the retries absorbed the throttling: still exactly once
    assert throttled > 0  # each spent the workspace's budget as if it were alone
    assert sum(r["retries"] for r in results) >= throttled
