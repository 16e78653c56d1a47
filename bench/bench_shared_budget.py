"""Three worker processes share one workspace's rate limit (``python -m bench shared_budget``).

Twenty's rate limit is per workspace: every process using the workspace spends the same two
buckets. Each worker ``create_many``-s 3,000 records (60 per call, one token per call) against
one emulator limited to ``100/1000,300/60000`` (100 calls per second, 300 per minute: a
ceiling of 300 calls x 60 records = 18,000 records per minute for all workers together), with
50 ms of latency per request. Side by side, on a fresh emulator each:

* ``redis``: every worker's client draws from one :class:`~twenty_gql.redis_budget.RedisBudget`
  (a throwaway ``redis-server`` on a loopback port);
* ``independent``: each worker mirrors the server's buckets in its own process (the default).

Before each run a warm-up call loop spends the long bucket (as a service that has been running
does), so the run sees the steady 300 calls/min rather than the initial burst. The warm-up goes
through the redis budget in the first case and through a client of the parent in the second
(the workers' own buckets start full: a process cannot know what others spent). The ceiling of
a run is ``min over buckets (tokens left after the warm-up + rate x T)`` calls, with the tokens
left read from the emulator's own buckets and T from then to the last worker's end; "x ceiling"
is the calls made over that. Throttle answers are counted by the emulator (the
server side) and by the workers' clients (answers received, retries); "surfaced" are records
reported failed plus exceptions. Every run's records are counted in the workspace afterwards.
Nothing is asserted.

The workers are ``python -m bench.bench_shared_budget worker ...`` (the behaviour test
``tests/behaviour/budget/test_shared_budget_processes.py`` runs them too); they read the API key
from ``TWENTY_API_KEY`` and print one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from bench.bench_bulk import COUNT, CREATE  # the same createCompanies and count documents

WORKERS = 3
RECORDS = 3_000
BATCH = 60
SHORT, LONG = (100, 1000), (300, 60_000)  # (tokens, window ms)
LATENCY_MS = 50

PING = "query BudgetPing { companies(first: 1) { totalCount } }"


def parse_buckets(text: str) -> tuple[tuple[int, float], ...]:
    """``"100/1000,300/60000"`` (tokens/ms) -> ``((100, 1.0), (300, 60.0))`` (seconds)."""
    out = []
    for part in text.split(","):
        tokens, _, ms = part.partition("/")
        out.append((int(tokens), int(ms) / 1000.0))
    return tuple(out)


# -- the worker process ------------------------------------------------------------------------


async def _worker(args: argparse.Namespace) -> dict[str, Any]:
    from twenty_gql.bulk import create_many
    from twenty_gql.client import TwentyClient
    from twenty_gql.scheduling import RateLimit

    limit = RateLimit(parse_buckets(args.rate))
    budget: Any = None
    if args.redis:
        from twenty_gql.redis_budget import RedisBudget

        budget = RedisBudget(args.redis, namespace=args.namespace, rate_limit=limit)
    records = [{"name": f"{args.prefix}{i:06d}"} for i in range(args.records)]
    out: dict[str, Any] = {"errors": []}
    async with TwentyClient(
        args.url, os.environ["TWENTY_API_KEY"], rate_limit=budget or limit
    ) as client:
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"
        start = time.time()
        try:
            res = await create_many(
                client,
                CREATE,
                records,
                upsert=False,
                result=lambda d: d["createCompanies"],
                batch_size=args.batch,
                keep_records=False,
            )
            out.update(landed=res.succeeded, failed=res.failed)
            out["errors"] += sorted({type(f.error).__name__ for f in res.failures})
        except Exception as exc:  # reported, never hidden: the parent counts it as surfaced
            out.update(landed=0, failed=args.records)
            out["errors"].append(f"{type(exc).__name__}: {exc}")
        out.update(
            start=start,
            end=time.time(),
            requests=client.stats().requests,
            retries=client.stats().retries,
            throttled=client.stats().throttled,
            waits=client.scheduler.waits if client.scheduler is not None else 0,
        )
    if budget is not None:
        await budget.aclose()
    return out


def worker_main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(prog="bench.bench_shared_budget worker")
    p.add_argument("--url", required=True)
    p.add_argument("--redis", default="", help="redis:// url of the shared budget; '' = none")
    p.add_argument("--namespace", default="bench")
    p.add_argument("--rate", required=True, help="the client's buckets, tokens/ms pairs")
    p.add_argument("--records", type=int, required=True)
    p.add_argument("--batch", type=int, default=BATCH)
    p.add_argument("--prefix", required=True)
    args = p.parse_args(argv)
    print(json.dumps(asyncio.run(_worker(args))), flush=True)
    return 0


async def run_workers(
    url: str,
    key: str,
    *,
    workers: int,
    records: int,
    rate: str,
    redis: str = "",
    namespace: str = "bench",
    batch: int = BATCH,
    prefix: str = "w",
    cwd: str | None = None,
) -> list[dict[str, Any]]:
    """Start ``workers`` worker processes, let them go at once when all are ready, and return
    what each printed."""
    env = {**os.environ, "TWENTY_API_KEY": key}
    procs = []
    for n in range(workers):
        cmd = [sys.executable, "-m", "bench.bench_shared_budget", "worker", "--url", url]
        cmd += ["--redis", redis, "--namespace", namespace, "--rate", rate]
        cmd += ["--records", str(records), "--batch", str(batch), "--prefix", f"{prefix}{n}-"]
        procs.append(
            await asyncio.create_subprocess_exec(
                *cmd,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=env,
                cwd=cwd,
            )
        )
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            if line.strip() != b"ready":
                raise RuntimeError(f"worker did not start: {line[-500:]!r}")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        results = []
        for proc in procs:
            out, _ = await proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"worker exited {proc.returncode}: {out[-500:]!r}")
            results.append(json.loads(out.splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


# -- an emulator process that reports its counters on SIGTERM ----------------------------------


def _levels(emu: Any) -> list[float]:
    """Tokens left in the emulator's buckets now (its limiter's state, refilled to now)."""
    lim = emu._limiter
    now = time.monotonic()
    with lim._lock:
        return [
            min(float(tokens), level + (now - stamp) * 1000.0 * tokens / window)
            for (tokens, window), level, stamp in zip(
                lim.buckets, lim._levels, lim._stamps, strict=True
            )
        ]


def serve_main(argv: Sequence[str]) -> int:
    """``twenty-gql emulator`` flags; prints ``STATS=<json>`` (the server's counters) at exit
    and ``LEVELS=<json>`` (tokens left per bucket) on SIGUSR1."""
    from twenty_gql.testing.cli import build_parser
    from twenty_gql.testing.emulator import TwentyEmulator

    args = build_parser().parse_args(list(argv))

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        emu = TwentyEmulator(
            args.seed,
            batch_limit=args.batch_limit,
            rate_limit=args.rate_limit,
            latency_ms=args.latency_ms,
        )
        loop.add_signal_handler(
            signal.SIGUSR1, lambda: print("LEVELS=" + json.dumps(_levels(emu)), flush=True)
        )
        async with emu:
            print(f"TWENTY_URL={emu.url}", flush=True)
            print(f"TWENTY_API_KEY={emu.api_key}", flush=True)
            await stop.wait()
            print("STATS=" + json.dumps(emu.stats.as_dict()), flush=True)

    asyncio.run(serve())
    return 0


# -- the benchmark -----------------------------------------------------------------------------


async def _drain_long_bucket(url: str, key: str, budget: Any, limit: Any) -> int:
    """Spend the server's long bucket with cheap calls through ``budget`` (or a local mirror);
    returns the throttle answers it got."""
    from twenty_gql.client import TwentyClient

    async with TwentyClient(url, key, rate_limit=budget or limit) as client:
        sched = client.scheduler
        assert sched is not None

        async def snap() -> Any:
            s = sched.snapshot()
            return await s if asyncio.iscoroutine(s) else s

        while True:
            left = max(b.tokens_left for b in (await snap()).buckets if b.window > 10)
            if left < 1.0:
                return int(client.stats().throttled)
            burst = max(1, min(50, int(left)))
            await asyncio.gather(*(client.execute_raw(PING) for _ in range(burst)))


def _server_levels(emu: Any) -> tuple[list[float], float]:
    """The emulator's tokens left per bucket (asked with SIGUSR1) and when."""
    emu.proc.send_signal(signal.SIGUSR1)
    when = time.time()
    while True:
        line = emu.proc.stdout.readline()
        if not line:
            raise RuntimeError("the emulator exited")
        if line.startswith("LEVELS="):
            return json.loads(line[7:]), when


def _ceiling_calls(levels: list[float], seconds: float) -> float:
    """The most calls the server admits in ``seconds`` from these levels (continuous refill)."""
    return min(
        left + tokens / (window / 1000.0) * seconds
        for left, (tokens, window) in zip(levels, (SHORT, LONG), strict=True)
    )


async def _one(mode: str, redis_url: str) -> dict[str, Any]:
    from twenty_gql.client import TwentyClient
    from twenty_gql.scheduling import RateLimit
    from twenty_gql.testing.process import EmulatorProcess

    rate = f"{SHORT[0]}/{SHORT[1]},{LONG[0]}/{LONG[1]}"
    limit = RateLimit(parse_buckets(rate))
    emu = EmulatorProcess(
        [
            *("--seed", "standard", "--batch-limit", str(BATCH), "--rate-limit", rate),
            *("--latency-ms", str(LATENCY_MS)),
        ],
        command=(sys.executable, "-m", "bench.bench_shared_budget", "serve"),
        stderr=None,
    )
    emu.start()
    budget: Any = None
    try:
        namespace = f"bench-{os.getpid()}-{time.time_ns()}"
        if mode == "redis":
            from twenty_gql.redis_budget import RedisBudget

            budget = RedisBudget(redis_url, namespace=namespace, rate_limit=limit)
        warmup_throttled = await _drain_long_bucket(emu.url, emu.api_key, budget, limit)
        levels, t_snap = _server_levels(emu)
        results = await run_workers(
            emu.url,
            emu.api_key,
            workers=WORKERS,
            records=RECORDS,
            rate=rate,
            redis=redis_url if mode == "redis" else "",
            namespace=namespace,
            prefix=f"{mode}-",
        )
        async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as counter:
            data = await counter.execute_raw(COUNT, {"prefix": f"{mode}-%"}, idempotent=True)
        in_workspace = int(data["companies"]["totalCount"])
    finally:
        if budget is not None:
            await budget.aclose()
        assert emu.proc is not None and emu.proc.stdout is not None
        emu.proc.send_signal(signal.SIGTERM)
        tail = emu.proc.stdout.read()
        emu.stop()
    stats = next(json.loads(line[6:]) for line in tail.splitlines() if line.startswith("STATS="))
    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    seconds = end - start
    calls = _ceiling_calls(levels, end - t_snap)
    landed = sum(r["landed"] for r in results)
    return {
        "mode": mode,
        "seconds": seconds,
        "landed": landed,
        "in_workspace": in_workspace,
        "records_per_min": landed / seconds * 60,
        "x_ceiling": landed / (calls * BATCH),
        "server_throttled": stats["throttled"] - warmup_throttled,  # during the run
        "client_throttled": sum(r["throttled"] for r in results),
        "retries": sum(r["retries"] for r in results),
        "requests": sum(r["requests"] for r in results),
        "surfaced": sum(r["failed"] for r in results),
        "errors": sorted({e for r in results for e in r["errors"]}),
    }


async def _bench() -> list[dict[str, Any]]:
    from twenty_gql.testing.redis_server import RedisServerProcess

    with RedisServerProcess() as redis:
        return [await _one("redis", redis.url), await _one("independent", "")]


def main() -> None:
    from twenty_gql.testing.redis_server import RedisStartError

    try:
        rows = asyncio.run(_bench())
    except RedisStartError as exc:
        print(f"bench shared_budget: not run: {exc}")
        return
    ceiling = LONG[0] * BATCH * 60_000 / LONG[1]
    print(
        f"{WORKERS} processes x create_many {RECORDS:,} records ({BATCH} per call) against one "
        f"emulator limited to {SHORT[0]}/{SHORT[1]},{LONG[0]}/{LONG[1]} (tokens/ms), "
        f"{LATENCY_MS} ms latency; ceiling {ceiling:,.0f} records/min (long bucket spent "
        "before each run)"
    )
    print(
        f"{'budget':<12} {'seconds':>8} {'records/min':>12} {'x ceiling':>10} {'landed':>7} "
        f"{'in workspace':>13} {'throttled (server)':>19} {'(clients)':>10} {'retries':>8} "
        f"{'requests':>9} {'surfaced':>9}"
    )
    for r in rows:
        print(
            f"{r['mode']:<12} {r['seconds']:>8.1f} {r['records_per_min']:>12,.0f} "
            f"{r['x_ceiling']:>10.3f} {r['landed']:>7} {r['in_workspace']:>13} "
            f"{r['server_throttled']:>19} {r['client_throttled']:>10} {r['retries']:>8} "
            f"{r['requests']:>9} {r['surfaced']:>9}"
            + (f"  errors: {', '.join(r['errors'])}" if r["errors"] else "")
        )
    shared, alone = rows
    print(
        f"redis budget: {shared['x_ceiling']:.3f} x ceiling (goal >= 0.90), "
        f"{shared['server_throttled']} throttle answers, {shared['surfaced']} surfaced; "
        f"independent buckets: {alone['x_ceiling']:.3f} x ceiling, "
        f"{alone['server_throttled']} throttle answers "
        f"({alone['retries'] / max(1, alone['requests']):.2f} retries per request), "
        f"{alone['surfaced']} surfaced"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        sys.exit(worker_main(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        sys.exit(serve_main(sys.argv[2:]))
    main()
