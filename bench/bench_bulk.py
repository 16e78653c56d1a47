"""Bulk upsert throughput as a fraction of Twenty's ceiling (``python -m bench bulk``).

The ceiling of a bulk write is ``batch limit x long-bucket rate``: with the emulator limited to
60 records per call and 100 calls per 2 s, 3,000 records/s. The emulator runs in its own process
(``twenty-gql emulator``) with 50 ms of added latency per request, like a real network. Each
``create_many`` run starts after a warm-up that empties the long bucket (the client's mirror of
it tells when), so the run sees the steady rate; the least time N calls can take is then
``(N - tokens left) x 2 s / 100`` plus one round trip, and "x ceiling" is that over the
measured time. Side by side:

* ``create_many``: ``twenty_gql.bulk.create_many`` (chunks in flight, paced by the client's
  scheduler) — goal >= 0.95 of the ceiling with zero throttling errors surfaced;
* ``naive loop``: the hand-rolled baseline users write — one chunk after another, awaiting each.

Every run's records are counted in the workspace afterwards (exactly once). Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time
from collections.abc import AsyncIterator
from typing import Any

from twenty_gql.bulk import BulkResult, create_many
from twenty_gql.operation import Operation
from twenty_gql.testing.process import EmulatorProcess

BATCH = 60
TOKENS, WINDOW_MS = 100, 2000  # long bucket (the binding one); short bucket 100 per 1 s
LATENCY_MS = 50
MEASURED_REQUESTS = 300  # 18,000 records, 6 s at the ceiling
NAIVE_REQUESTS = 100

CREATE: Operation[dict[str, Any]] = Operation(
    name="BenchCreateCompanies",
    document="mutation BenchCreateCompanies($data: [CompanyCreateInput!]!, $upsert: Boolean) "
    "{ createCompanies(data: $data, upsert: $upsert) { id } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("createCompanies",),
    result_type=dict,
    idempotent=True,
)
COUNT = (
    "query BenchCount($prefix: String) { companies(filter: {name: {like: $prefix}}) "
    "{ totalCount } }"
)


def _emulator() -> EmulatorProcess:
    args = ["--seed", "standard", "--batch-limit", str(BATCH)]
    args += ["--rate-limit", f"100/1000,{TOKENS}/{WINDOW_MS}", "--latency-ms", str(LATENCY_MS)]
    return EmulatorProcess(args, stderr=None, startup_timeout=30)


def _records(prefix: str, n: int) -> list[dict[str, Any]]:
    return [{"name": f"{prefix}{i:07d}"} for i in range(n)]


async def _count(client: Any, prefix: str) -> int:
    data = await client.execute_raw(COUNT, {"prefix": f"{prefix}%"}, idempotent=True)
    return int(data["companies"]["totalCount"])


async def _naive(client: Any, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), BATCH):
        await client.execute(CREATE, {"data": records[start : start + BATCH], "upsert": True})


def _tokens_at_start(client: Any) -> float:
    """Tokens left in the client's mirror of the long bucket (the server's is in step: both
    count every /graphql call). A run cannot beat ``(calls - this) x window / tokens``."""
    scheduler = client.scheduler
    bucket = max(scheduler.buckets, key=lambda b: b.window)
    bucket.refill(scheduler.clock())
    return max(0.0, float(bucket.level))


def _fastest(calls: int, tokens_at_start: float) -> float:
    return max(0.0, calls - tokens_at_start) * (WINDOW_MS / 1000) / TOKENS + LATENCY_MS / 1000


async def _until_drained(client: Any, prefix: str) -> AsyncIterator[dict[str, Any]]:
    """Warm-up records until the long bucket is empty (the server cannot absorb a 100-call
    burst instantly, so a fixed-size warm-up leaves tokens behind)."""
    i = 0
    while i % BATCH or _tokens_at_start(client) >= 1.0:
        yield {"name": f"{prefix}{i:07d}"}
        i += 1
        if i % BATCH == 0:
            await asyncio.sleep(0)


async def _bulk(
    client: Any, records: list[dict[str, Any]] | AsyncIterator[dict[str, Any]]
) -> BulkResult[Any, Any]:
    return await create_many(
        client,
        CREATE,
        records,
        upsert=True,
        result=lambda d: d["createCompanies"],
        keep_records=False,
    )


async def _run(url: str, key: str) -> None:
    from twenty_gql.client import TwentyClient
    from twenty_gql.scheduling import RateLimit

    ceiling = BATCH * TOKENS / (WINDOW_MS / 1000)
    limits = RateLimit(((100, 1.0), (TOKENS, WINDOW_MS / 1000)))
    plan = [
        ("create_many", MEASURED_REQUESTS),
        ("naive loop", NAIVE_REQUESTS),
        ("create_many", MEASURED_REQUESTS),
    ]
    rows = []
    async with TwentyClient(url, key, rate_limit=limits) as client:
        for n, (label, requests) in enumerate(plan):
            prefix = f"run{n}-"
            records = _records(prefix, requests * BATCH)
            if label == "create_many":
                # Drain the initial burst (server's and client's buckets, which mirror each
                # other) so the measured run sees the steady rate: the ceiling.
                await _bulk(client, _until_drained(client, f"warm{n}-"))
            available = _tokens_at_start(client)
            start = time.perf_counter()
            failed = waits = 0
            if label == "create_many":
                res = await _bulk(client, records)
                failed, waits = res.failed, res.throttled
            else:
                await _naive(client, records)
            elapsed = time.perf_counter() - start
            landed = await _count(client, prefix)
            fastest = _fastest(requests, available)
            rows.append(
                (label, requests, len(records), elapsed, landed, waits, failed, available, fastest)
            )
        server_throttled = client.stats().throttled
    print(
        f"ceiling: {BATCH} records x {TOKENS} calls / {WINDOW_MS / 1000:g} s = {ceiling:,.0f} "
        f"records/s; emulator latency {LATENCY_MS} ms. 'fastest' = the least time the buckets "
        "allow given the tokens left at the start; 'x ceiling' = fastest / seconds"
    )
    print(
        f"{'run':<12} {'calls':>6} {'records':>8} {'tokens':>7} {'fastest':>8} {'seconds':>8} "
        f"{'records/s':>10} {'x ceiling':>10} {'in workspace':>13} {'waits':>6} {'failed':>7}"
    )
    for label, calls, count, elapsed, landed, waits, failed, available, fastest in rows:
        print(
            f"{label:<12} {calls:>6} {count:>8} {available:>7.0f} {fastest:>8.2f} {elapsed:>8.2f} "
            f"{count / elapsed:>10,.0f} {fastest / elapsed:>10.3f} {landed:>13} {waits:>6} "
            f"{failed:>7}"
        )
    bulk = [r[8] / r[3] for r in rows if r[0] == "create_many"]
    naive = next(r[8] / r[3] for r in rows if r[0] == "naive loop")
    print(
        f"create_many: {min(bulk):.3f}-{max(bulk):.3f} x ceiling (goal >= 0.95), "
        f"naive loop: {naive:.3f} x ceiling; throttling answers absorbed by the client: "
        f"{server_throttled}; failures surfaced: {sum(r[6] for r in rows)}"
    )


class _NullClient:
    """Answers instantly: isolates bulk's own CPU and memory from any server."""

    batch_size = BATCH
    max_concurrency = 16

    async def execute(self, op: Any, variables: Any = None, *, idempotent: Any = None) -> Any:
        await asyncio.sleep(0)
        return {"createCompanies": [{"id": r["id"]} for r in variables["data"]]}


async def _streaming(n: int) -> tuple[float, float]:
    def gen() -> Any:
        for i in range(n):
            yield {"name": f"company {i}", "employees": i}

    start = time.perf_counter()
    res = await create_many(
        _NullClient(),
        CREATE,
        gen(),
        upsert=False,
        result=lambda d: d["createCompanies"],
        keep_records=False,
    )
    assert res.succeeded == n
    return time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    print("bulk engine alone (a client that answers instantly), keep_records=False:")
    for n in (10_000, 1_000_000):
        seconds, rss = asyncio.run(_streaming(n))
        print(
            f"  {n:>9,}-row generator: {seconds:6.2f} s ({n / seconds:,.0f} records/s of bulk "
            f"overhead), peak RSS {rss:.0f} MB"
        )
    with _emulator() as emu:
        asyncio.run(_run(emu.url, emu.api_key))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
