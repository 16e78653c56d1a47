"""Mutation latency on the emulator with webhooks attached, against no webhook at all.

Scenarios, run side by side in interleaved rounds over real HTTP on 127.0.0.1: no webhook
(baseline); a receiver answering 200; one answering 500; one that hangs past the 5 s delivery
timeout. Each round times single-record updates (one event each) and 60-record
``createCompanies`` batches (60 events each), client-side, from request to answer. The ratio
(per round, the scenario's median over the same round's baseline median; the median of
those paired ratios is printed, so load drifting on a shared machine cancels out) is what
webhooks cost the mutation path: deliveries run on their own
thread, so a failing or hanging receiver should cost no more than a healthy one. The receivers
run in a separate process (as they would in production), so their work is not counted. After
the hanging scenario the backlog of stuck deliveries is cancelled so it does not spill into
the next round.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator

UPDATE = "mutation($id: UUID!, $n: Float) { updateCompany(id: $id, data: {employees: $n}) { id } }"
CREATE = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }"
ROUNDS = 7
UPDATES = 40
BATCHES = 4


_RECEIVERS = """
import asyncio, sys
from aiohttp import web

async def main():
    async def make(status, delay):
        async def handle(request):
            await request.read()
            if delay:
                await asyncio.sleep(delay)
            return web.Response(status=status)
        app = web.Application()
        app.router.add_post("/hook", handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner.addresses[0][1]
    ports = [await make(200, 0), await make(500, 0), await make(200, 60)]
    print(*ports, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


async def _receivers() -> tuple[asyncio.subprocess.Process, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _RECEIVERS,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    ports = (await proc.stdout.readline()).decode().split()
    return proc, [f"http://127.0.0.1:{p}/hook" for p in ports]


async def _round(
    client: TwentyClient, company_id: str, tag: str
) -> tuple[list[float], list[float]]:
    singles, batches = [], []
    for i in range(UPDATES):
        start = time.perf_counter()
        await client.execute_raw(UPDATE, {"id": company_id, "n": float(i + 1)})
        singles.append(time.perf_counter() - start)
    for b in range(BATCHES):
        data = [{"name": f"{tag}-{b}-{i}"} for i in range(60)]
        start = time.perf_counter()
        await client.execute_raw(CREATE, {"d": data})
        batches.append(time.perf_counter() - start)
    return singles, batches


async def _run() -> None:
    proc, urls = await _receivers()
    receivers = dict(zip(("200 OK", "500 error", "hangs 60 s"), urls, strict=True))
    scenarios = ["no webhook", *receivers]
    single: dict[str, list[float]] = {s: [] for s in scenarios}  # per-round medians
    batch: dict[str, list[float]] = {s: [] for s in scenarios}
    delivered: dict[str, int] = dict.fromkeys(scenarios, 0)
    try:
        async with (
            TwentyEmulator("standard", rate_limit=None) as emu,
            TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
        ):
            made = await client.execute_raw('mutation { createCompany(data: {name: "B"}) { id } }')
            cid = made["createCompany"]["id"]
            for r in range(ROUNDS):
                for name in scenarios:
                    emu.webhooks.clear()
                    if name in receivers:
                        emu.webhooks.create(
                            {"targetUrl": receivers[name], "operations": ["*.*"], "secret": "s"}
                        )
                    before = len(emu.webhooks.deliveries)
                    s, b = await _round(client, cid, f"{r}{name[:3]}")
                    single[name].append(statistics.median(s))
                    batch[name].append(statistics.median(b))
                    if name == "hangs 60 s":
                        emu.webhooks.close()  # cancel the stuck backlog
                    else:
                        await emu.webhooks_idle()
                    delivered[name] += len(emu.webhooks.deliveries) - before
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        await proc.wait()

    def paired(series: dict[str, list[float]], name: str) -> float:
        """Median over rounds of this round's median / the same round's baseline median."""
        base = series["no webhook"]
        return statistics.median(x / b for x, b in zip(series[name], base, strict=True))

    print(
        f"{'scenario':<12} {'update (1 event)':>16} {'ratio':>6} {'batch (60 events)':>18} {'ratio':>6}"
    )
    for name in scenarios:
        ms = statistics.median(single[name]) * 1000
        mb = statistics.median(batch[name]) * 1000
        print(
            f"{name:<12} {ms:13.2f} ms {paired(single, name):6.2f}"
            f" {mb:15.2f} ms {paired(batch, name):6.2f}"
        )
    print(
        "deliveries recorded per receiver (the hanging ones cancelled after each round): "
        + ", ".join(f"{k}: {v}" for k, v in delivered.items() if k != "no webhook")
    )


def main() -> None:
    asyncio.run(_run())


if __name__ == "__main__":
    main()
