"""Client CPU per call: ``TwentyClient.execute`` vs raw aiohttp (``python -m bench runtime``).

A canned-response aiohttp server runs on 127.0.0.1 in a separate process (so only the
client's CPU is counted, with ``time.process_time``). It answers a prebuilt ``companies``
query with 1 or 60 company records. Side by side, interleaved in shuffled order, medians of
several rounds, each variant doing the same calls:

* ``twenty_gql``: ``TwentyClient.execute(op, variables)`` decoding into typed msgspec Structs
  (``rate_limit=None``; the scheduler's cost is shown separately as ``twenty_gql+sched``);
* ``raw+orjson``: ``aiohttp`` POST of an ``orjson``-encoded body, ``orjson.loads`` of the answer
  into dicts, checking ``errors`` (the baseline: ratio 1.00);
* ``raw+json``: the same with the stdlib ``json`` module;
* ``gql``: ``gql.Client`` with its ``AIOHTTPTransport`` (document parsed once, as shipped).

Modes: sequential (one call after another) and 50 in flight. Ratios are medians of per-round
ratios. Goal: ``twenty_gql`` <= 1.10x.
Then the JSON libraries alone on the 60-record answer (why msgspec). Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import random
import statistics
import time
import timeit
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from twenty_gql import Operation, TwentyClient

KEY = "bench-key-not-secret"
ROUNDS = 9
SEQ_CALLS = 200
CONC_CALLS = 1000
IN_FLIGHT = 50

DOC = (
    "query BenchCompanies($filter: CompanyFilterInput, $first: Int) { companies(filter: "
    "$filter, first: $first) { edges { node { id name employees idealCustomerProfile "
    "position createdAt updatedAt domainName { primaryLinkUrl primaryLinkLabel } "
    "annualRecurringRevenue { amountMicros currencyCode } address { addressCity "
    "addressCountry } } cursor } pageInfo { hasNextPage endCursor } totalCount } }"
)
VARIABLES = {"filter": {"name": {"like": "%acme%"}}, "first": 60}


class Links(msgspec.Struct, frozen=True, kw_only=True):
    primary_link_url: str | None = msgspec.field(name="primaryLinkUrl", default=None)
    primary_link_label: str | None = msgspec.field(name="primaryLinkLabel", default=None)


class Currency(msgspec.Struct, frozen=True, kw_only=True):
    amount_micros: int | None = msgspec.field(name="amountMicros", default=None)
    currency_code: str | None = msgspec.field(name="currencyCode", default=None)


class Address(msgspec.Struct, frozen=True, kw_only=True):
    address_city: str | None = msgspec.field(name="addressCity", default=None)
    address_country: str | None = msgspec.field(name="addressCountry", default=None)


class Company(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str | None = None
    employees: int | None = None
    ideal_customer_profile: bool = msgspec.field(name="idealCustomerProfile", default=False)
    position: float = 0.0
    created_at: str = msgspec.field(name="createdAt", default="")
    updated_at: str = msgspec.field(name="updatedAt", default="")
    domain_name: Links | None = msgspec.field(name="domainName", default=None)
    annual_recurring_revenue: Currency | None = msgspec.field(
        name="annualRecurringRevenue", default=None
    )
    address: Address | None = None


class Edge(msgspec.Struct, frozen=True, kw_only=True):
    node: Company
    cursor: str


class PageInfo(msgspec.Struct, frozen=True, kw_only=True):
    has_next_page: bool = msgspec.field(name="hasNextPage")
    end_cursor: str | None = msgspec.field(name="endCursor", default=None)


class Connection(msgspec.Struct, frozen=True, kw_only=True):
    edges: list[Edge]
    page_info: PageInfo = msgspec.field(name="pageInfo")
    total_count: int = msgspec.field(name="totalCount")


class Data(msgspec.Struct, frozen=True, kw_only=True):
    companies: Connection


OP: Operation[Data] = Operation(
    name="BenchCompanies",
    document=DOC,
    endpoint="graphql",
    kind="query",
    root_fields=("companies",),
    result_type=Data,
    idempotent=True,
)


def _answer(n: int) -> bytes:
    rows = []
    for i in range(n):
        rows.append(
            {
                "node": {
                    "id": f"20202020-0000-4000-8000-{i:012d}",
                    "name": f"Acme {i}",
                    "employees": 10 * i,
                    "idealCustomerProfile": i % 2 == 0,
                    "position": float(i),
                    "createdAt": "2024-01-02T03:04:05.000Z",
                    "updatedAt": "2024-06-07T08:09:10.000Z",
                    "domainName": {"primaryLinkUrl": f"https://acme{i}.example", "primaryLinkLabel": ""},
                    "annualRecurringRevenue": {"amountMicros": 1_000_000 * i, "currencyCode": "USD"},
                    "address": {"addressCity": "Paris", "addressCountry": "France"},
                },
                "cursor": f"cursor-{i}",
            }
        )  # fmt: skip
    page = {"hasNextPage": False, "endCursor": f"cursor-{n - 1}"}
    data = {"companies": {"edges": rows, "pageInfo": page, "totalCount": n}}
    return json.dumps({"data": data}).encode()


def _serve(conn: Any) -> None:
    """The canned server (child process): /one/graphql -> 1 record, /sixty/graphql -> 60."""
    from aiohttp import web

    bodies = {"one": _answer(1), "sixty": _answer(60)}

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
        port = runner.addresses[0][1]
        conn.send(port)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # wait for "stop"
        await runner.cleanup()

    asyncio.run(run())


Call = Callable[[], Awaitable[Any]]


async def _clients(base: str, size: str) -> tuple[dict[str, Call], Callable[[], Awaitable[None]]]:
    import aiohttp
    import orjson
    from gql import Client, gql
    from gql.transport.aiohttp import AIOHTTPTransport

    from twenty_gql import RateLimit

    url = f"{base}/{size}"
    ours = TwentyClient(url, KEY, rate_limit=None, max_concurrency=IN_FLIGHT)
    ours_sched = TwentyClient(
        url, KEY, rate_limit=RateLimit(((10**9, 1.0),)), max_concurrency=IN_FLIGHT
    )
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=IN_FLIGHT),
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
    )
    endpoint = f"{url}/graphql"

    async def raw_orjson() -> Any:
        body = orjson.dumps(
            {"query": DOC, "operationName": "BenchCompanies", "variables": VARIABLES}
        )
        async with session.post(endpoint, data=body) as r:
            doc = orjson.loads(await r.read())
        if doc.get("errors"):
            raise RuntimeError(doc["errors"])
        return doc["data"]

    async def raw_json() -> Any:
        body = json.dumps({"query": DOC, "operationName": "BenchCompanies", "variables": VARIABLES})
        async with session.post(endpoint, data=body.encode()) as r:
            doc = json.loads(await r.read())
        if doc.get("errors"):
            raise RuntimeError(doc["errors"])
        return doc["data"]

    gql_client = Client(
        transport=AIOHTTPTransport(url=endpoint, headers={"Authorization": f"Bearer {KEY}"}),
        fetch_schema_from_transport=False,
    )
    gql_session = await gql_client.connect_async()
    gql_doc = gql(DOC)

    async def via_gql() -> Any:
        return await gql_session.execute(gql_doc, variable_values=VARIABLES)

    async def via_ours() -> Any:
        return await ours.execute(OP, VARIABLES)

    async def via_ours_sched() -> Any:
        return await ours_sched.execute(OP, VARIABLES)

    async def close() -> None:
        await ours.aclose()
        await ours_sched.aclose()
        await session.close()
        await gql_client.close_async()

    calls = {
        "raw+orjson": raw_orjson,
        "twenty_gql": via_ours,
        "twenty_gql+sched": via_ours_sched,
        "raw+json": raw_json,
        "gql": via_gql,
    }
    return calls, close


async def _measure(call: Call, calls: int, in_flight: int) -> float:
    """Client CPU seconds per call for ``calls`` calls with ``in_flight`` concurrent."""
    per_worker = calls // in_flight

    async def worker() -> None:
        for _ in range(per_worker):
            await call()

    start = time.process_time()
    if in_flight == 1:
        await worker()
    else:
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    return (time.process_time() - start) / (per_worker * in_flight)


async def _bench(base: str) -> None:
    for size, label in (("one", "1 record"), ("sixty", "60 records")):
        calls, close = await _clients(base, size)
        try:
            for fn in calls.values():  # warm up: connections, caches
                for _ in range(20):
                    await fn()
            for mode, n, flight in (
                ("sequential", SEQ_CALLS, 1),
                ("50 in flight", CONC_CALLS, IN_FLIGHT),
            ):
                samples: dict[str, list[float]] = {name: [] for name in calls}
                for _ in range(ROUNDS):
                    order = list(calls)
                    random.shuffle(order)
                    for name in order:
                        samples[name].append(await _measure(calls[name], n, flight))
                med = {k: statistics.median(v) for k, v in samples.items()}
                baseline = samples["raw+orjson"]
                print(f"\n{label}, {mode} ({n} calls x {ROUNDS} rounds, median CPU per call):")
                for name, cpu in med.items():
                    # the ratio is the median of per-round ratios: a round's variants run back
                    # to back, so load drifting on the machine cancels out
                    paired = statistics.median(
                        a / b for a, b in zip(samples[name], baseline, strict=True)
                    )
                    print(f"  {name:<18} {cpu * 1e6:8.1f} us   {paired:5.2f}x raw+orjson")
        finally:
            await close()


def _json_libs() -> None:
    import orjson

    body = _answer(60)
    envelope = msgspec.json.Decoder(dict[str, Any])
    n = 2000

    def per_call(fn: Callable[[], Any]) -> float:
        return min(timeit.repeat(fn, number=n, repeat=5)) / n

    rows = {
        "json.loads -> dicts": per_call(lambda: json.loads(body)),
        "orjson.loads -> dicts": per_call(lambda: orjson.loads(body)),
        "msgspec -> dicts": per_call(lambda: envelope.decode(body)),
        "msgspec -> typed Structs": per_call(
            lambda: msgspec.json.decode(body, type=dict[str, Data])
        ),
        "orjson.loads + msgspec.convert": per_call(
            lambda: msgspec.convert(orjson.loads(body)["data"], Data)
        ),
    }
    base = rows["orjson.loads -> dicts"]
    print(f"\nJSON alone, 60-record answer ({len(body)} bytes), best of 5 x {n}:")
    for name, t in rows.items():
        print(f"  {name:<32} {t * 1e6:7.1f} us   {t / base:5.2f}x orjson")
    enc_vars = {"filter": {"name": {"like": "%acme%"}}, "first": 60}
    print(
        f"  variables: msgspec.encode {per_call(lambda: msgspec.json.encode(enc_vars)) * 1e6:.2f} us,"
        f" orjson.dumps {per_call(lambda: orjson.dumps(enc_vars)) * 1e6:.2f} us"
    )


def main() -> None:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    try:
        port = parent.recv()
        asyncio.run(_bench(f"http://127.0.0.1:{port}"))
    finally:
        parent.send("stop")
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
    _json_libs()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
