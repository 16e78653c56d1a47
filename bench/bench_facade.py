"""Client CPU per call through the generated facade (``python -m bench facade``).

``crm.companies.find_many(first=N)`` of the committed ``generated/twenty_standard`` package
(client with ``rate_limit=None``) against the baseline: raw ``aiohttp`` posting the same request
(the facade's own document, operation name and variables, encoded by ``orjson``) and
``orjson.loads`` of the answer into dicts, checking ``errors``. The answers are real: the
emulator's ``standard`` workspace runs the generated document once over 60 created companies,
and a canned aiohttp server in a child process on 127.0.0.1 replays them (so only the client's
CPU is counted, with ``time.process_time``). Variants run interleaved in shuffled order; ratios
are medians of per-round ratios. ``facade+sched`` is the same facade over a client with a (never
reached) rate limit: its distance to ``facade`` is the scheduler's own cost. Also shown:
``execute`` (``TwentyClient.execute(COMPANIES_OP, ...)``, no facade), and the facade layer's own
CPU over an executor that answers at once (no I/O). Goal: ``facade`` <= 1.10x.
Nothing is asserted. ``--profile`` prints a cProfile of the 1-record facade path instead.
"""

from __future__ import annotations

import asyncio
import cProfile
import json
import multiprocessing as mp
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-key-not-secret"
ROUNDS = 9
SEQ_CALLS = 300
SIZES = {"one": 1, "sixty": 60}


def _generated() -> Any:
    if str(ROOT / "generated") not in sys.path:
        sys.path.insert(0, str(ROOT / "generated"))
    import twenty_standard

    return twenty_standard


def _answers() -> dict[str, bytes]:
    """Real emulator answers to the facade's own ``find_many`` document (1 and 60 records)."""
    from twenty_gql.testing.workspace import Workspace

    op = _generated().core.COMPANIES_OP
    ws = Workspace(seed="standard")
    rows = [
        {
            "name": f"Acme {i}",
            "employees": 10 * i,
            "domainName": {"primaryLinkUrl": f"https://acme{i}.example"},
            "address": {"addressCity": "Paris", "addressCountry": "France"},
        }
        for i in range(60)
    ]
    created = ws.execute_core(
        "mutation C($data: [CompanyCreateInput!]!) { createCompanies(data: $data) { id } }",
        {"data": rows},
    )
    if created.errors:
        raise RuntimeError(f"emulator refused the seed rows: {created.errors}")
    out = {}
    for size, n in SIZES.items():
        result = ws.execute_core(op.document, {"first": n}, op.name)
        if result.errors:
            raise RuntimeError(f"emulator refused the facade document: {result.errors}")
        out[size] = json.dumps({"data": result.data}).encode()
    return out


def _serve(conn: Any) -> None:
    """The canned server (child process): /one/graphql -> 1 record, /sixty/graphql -> 60."""
    from aiohttp import web

    bodies = _answers()

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(
            body=bodies[request.match_info["size"]], content_type="application/json"
        )

    async def run() -> None:
        app = web.Application()
        app.router.add_post("/{size}/graphql", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        conn.send(runner.addresses[0][1])
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"
        await runner.cleanup()

    asyncio.run(run())


Call = Callable[[], Awaitable[Any]]


async def _clients(base: str, size: str) -> tuple[dict[str, Call], Callable[[], Awaitable[None]]]:
    import aiohttp
    import orjson

    from twenty_gql import RateLimit, TwentyClient

    pkg = _generated()
    n = SIZES[size]
    op = pkg.core.COMPANIES_OP
    url = f"{base}/{size}"
    plain = TwentyClient(url, KEY, rate_limit=None)
    sched = TwentyClient(url, KEY, rate_limit=RateLimit(((10**9, 1.0),)))
    crm = pkg.CoreApi(plain)
    crm_sched = pkg.CoreApi(sched)
    session = aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    )
    endpoint = f"{url}/graphql"

    async def raw_orjson() -> Any:
        body = orjson.dumps(
            {"query": op.document, "operationName": op.name, "variables": {"first": n}}
        )
        async with session.post(endpoint, data=body) as r:
            doc = orjson.loads(await r.read())
        if doc.get("errors"):
            raise RuntimeError(doc["errors"])
        return doc["data"]["companies"]

    async def facade() -> Any:
        return await crm.companies.find_many(first=n)

    async def facade_sched() -> Any:
        return await crm_sched.companies.find_many(first=n)

    async def execute() -> Any:
        return (await plain.execute(op, {"first": n})).companies

    async def close() -> None:
        await plain.aclose()
        await sched.aclose()
        await session.close()

    calls = {
        "raw+orjson": raw_orjson,
        "facade": facade,
        "facade+sched": facade_sched,
        "execute": execute,
    }
    return calls, close


async def _measure(call: Call, calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - start) / calls


async def _bench(base: str) -> None:
    for size, n in SIZES.items():
        calls, close = await _clients(base, size)
        try:
            for fn in calls.values():  # warm up: connections, caches, lazy modules
                for _ in range(30):
                    await fn()
            samples: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(ROUNDS):
                order = list(calls)
                random.shuffle(order)
                for name in order:
                    samples[name].append(await _measure(calls[name], SEQ_CALLS))
            baseline = samples["raw+orjson"]
            print(
                f"\nfind_many(first={n}), sequential ({SEQ_CALLS} calls x {ROUNDS} rounds, "
                "median CPU per call):"
            )
            for name, values in samples.items():
                paired = statistics.median(a / b for a, b in zip(values, baseline, strict=True))
                cpu = statistics.median(values)
                print(f"  {name:<14} {cpu * 1e6:8.1f} us   {paired:5.2f}x raw+orjson")
            sched = statistics.median(
                a - b for a, b in zip(samples["facade+sched"], samples["facade"], strict=True)
            )
            print(f"  scheduler's own cost: {sched * 1e6:+.1f} us per call")
        finally:
            await close()


async def _layer() -> None:
    """The facade's own CPU, without I/O: the same calls over an executor that answers at once."""
    pkg = _generated()
    op = pkg.core.COMPANIES_OP

    class Instant:
        batch_size = 60
        page_size_max = 60
        # an empty page (a null connection is an EmptyResultError for the facade's find_many)
        answer = msgspec.convert(
            {
                "companies": {
                    "edges": [],
                    "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
                    "totalCount": 0,
                }
            },
            op.result_type,
        )

        async def execute(self, op: Any, variables: Any = None, *, idempotent: Any = None) -> Any:
            return self.answer

    client = Instant()
    crm = pkg.CoreApi(client)
    calls: dict[str, Call] = {
        "execute": lambda: client.execute(op, {"first": 1}),
        "facade": lambda: crm.companies.find_many(first=1),
    }
    n = 100_000
    print(f"\nthe layer alone (no I/O, {n} calls, CPU per call):")
    for name, fn in calls.items():
        for _ in range(1000):
            await fn()
        start = time.process_time()
        for _ in range(n):
            await fn()
        print(f"  {name:<14} {(time.process_time() - start) / n * 1e6:8.2f} us")


async def _profile(base: str) -> None:
    calls, close = await _clients(base, "one")
    try:
        for _ in range(50):
            await calls["facade"]()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(3000):
            await calls["facade"]()
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    finally:
        await close()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    try:
        base = f"http://127.0.0.1:{parent.recv()}"
        asyncio.run(_profile(base) if "--profile" in args else _bench(base))
        asyncio.run(_layer())
    finally:
        parent.send("stop")
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
