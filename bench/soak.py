"""Soak: 20,000 mixed calls against a faulty, throttling emulator (``make soak``).

``python -m bench.soak [--short] [--calls N] [--concurrency N] ...`` starts ``twenty-gql
emulator`` in its own process (added latency, 5% proxy 502/503s, 2% dropped connections whose
writes were applied first, tight token buckets, and a noisy neighbour: another process that
spends the workspace's tokens in bursts) and drives it from one ``TwentyClient`` through
the committed ``generated/twenty_standard`` bindings, with ``--concurrency`` workers sharing the
client. Each worker owns its records (every record's ``name`` is a unique marker
``soak-<run>-w<worker>-<n>``) and picks calls at random (seeded): queries by filter, find one by
id, paginated iterate, create / update / soft-delete / destroy by id, single upserts carrying
a client id, upserts through ``create_many`` (new records and existing ones carrying their id),
metadata reads.

Every worker keeps a ledger of what the client was told: records created (with their ids), their
last ``employees`` value, soft-deleted, destroyed, and creates whose outcome is unknown (see
below). At the end the emulator's state is read back through the API (alive and soft-deleted
records under the run's prefix) and compared with the ledger: a record the client saw land that
is missing is **lost**; a marker present more than once is **duplicated**; a destroyed record
still present, a soft-deleted one alive again, a record nobody created, or an ``employees``
value other than the last one written is an **inconsistency**.

Failures that are expected to surface (and only these):

* a plain ``create`` (no id, not idempotent) answered 502/503, dropped or timed out: the
  policy refuses to resend a write that may have reached the server, so the caller gets
  ``HTTPStatusError`` / ``ConnectionDroppedError``. Its outcome is unknown to the client; the
  final read decides whether it landed (a drop after apply) or not (a 502/503 is answered
  before anything is applied), and it must be there at most once.
* a soft-delete / destroy by id whose first attempt was applied and then dropped: the resend
  (deletes by id are idempotent) finds no record and gets ``NotFoundError``. The record is
  gone, as asked; the final read checks it.

Any other surfaced error is unexpected and makes the run fail, as do lost or duplicated records
and a connection left open after ``aclose()``.

Latency added by the client: the emulator stamps every answer with ``Server-Timing:
app;dur=MS`` (its handler time, added latency included). After the run, on the idle emulator,
the same find-one query goes alternately (random order) through the client and through a bare
aiohttp + orjson POST; each sample is ``wall time - server time``, and the figure is the
difference of the two distributions' p50 and p99. Under load, for every single-request call
that succeeded at the first attempt, ``wall - server`` is split into *before send* (encode,
waiting for a rate-limit token and a concurrency slot), *transport* (aiohttp, the loopback
socket and the emulator's queue) and *after* (decoding into typed Structs).

Open connections are the client process's TCP sockets to the emulator's port
(``/proc/self/net/tcp`` matched against ``/proc/self/fd``); RSS is ``VmRSS``.

Exit status: 0 when every invariant holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import time
import uuid
from array import array
from collections.abc import Sequence
from typing import Any

from bench.soak_calls import SoakCalls
from bench.soak_outage import outage_phase
from bench.soak_support import (
    _CURRENT,
    GENERATED,
    MIX,
    SHORT,
    SINGLE_REQUEST,
    Ledger,
    SoakConfig,
    SoakEmulator,
    SoakReport,
    TimedTransport,
    _Call,
    _neighbour,
    _pct,
    open_connections,
    rss_mb,
    server_ms,
    start_neighbour,
)
from twenty_gql import TwentyClient
from twenty_gql.testing.process import stop_process
from twenty_gql.transport import AiohttpTransport, Response

__all__ = [
    "SHORT",
    "SoakConfig",
    "SoakEmulator",
    "SoakReport",
    "main",
    "open_connections",
    "run_soak",
    "server_ms",
]


# ---- the run --------------------------------------------------------------------------------


def _bindings() -> Any:
    import importlib

    if str(GENERATED) not in sys.path:
        sys.path.insert(0, str(GENERATED))
    return importlib.import_module("twenty_standard")


class _Run(SoakCalls):
    def __init__(self, cfg: SoakConfig, client: TwentyClient, ts: Any, port: int) -> None:
        self.cfg = cfg
        self.client = client
        self.crm = ts.CoreApi(client)
        self.meta = ts.MetadataApi(client)
        self.port = port
        self.report = SoakReport(cfg)
        self.run_id = uuid.uuid4().hex[:8]
        self.started = 0
        self.deadline = time.perf_counter() + cfg.max_seconds
        self.field: tuple[Any, str] | None = None  # a metadata field: id, name
        self.samples = {
            k: array("d") for k in ("wall", "server", "added", "before", "transport", "after")
        }
        self.checkpoints = {
            max(1, cfg.calls // 10): "10%",
            max(2, cfg.calls // 2): "50%",
        }
        self.server_by_kind: dict[str, array[float]] = {}
        self.probe_ledger = Ledger(f"soak-{self.run_id}-probe")
        self.probe_ours = array("d")
        self.probe_raw = array("d")
        self.kinds = list(MIX)
        self.weights = [MIX[k] for k in self.kinds]

    def _next(self) -> bool:
        if self.started >= self.cfg.calls:
            return False
        if time.perf_counter() > self.deadline:
            self.report.time_bound = True
            return False
        self.started += 1
        label = self.checkpoints.get(self.started)
        if label is not None:
            self.report.rss[label] = rss_mb()
        self._sample_connections()
        return True

    def _sample_connections(self) -> None:
        if self.started % 200 == 0:
            self.report.max_connections_seen = max(
                self.report.max_connections_seen, open_connections(self.port)
            )

    def _unexpected(self, kind: str, exc: BaseException) -> None:
        name = type(exc).__name__
        self.report.unexpected[f"{kind}: {name}"] += 1
        if len(self.report.unexpected_examples) < 5:
            self.report.unexpected_examples.append(f"{kind}: {name}: {exc}")

    async def worker(self, w: int) -> Ledger:
        rng = random.Random(self.cfg.seed * 10_007 + w)
        led = Ledger(f"soak-{self.run_id}-w{w:02d}")
        while self._next():
            kind = rng.choices(self.kinds, self.weights)[0]
            if kind in ("find_one", "update", "delete", "destroy") and not led.alive:
                kind = "create"
            if kind in ("create", "upsert_one") and len(led.alive) >= self.cfg.alive_cap:
                kind = rng.choice(("delete", "destroy"))
            rec = _Call()
            token = _CURRENT.set(rec)
            t0 = time.perf_counter()
            ok = False
            try:
                ok = await self.call(kind, led, rng, rec)
            finally:
                t1 = time.perf_counter()
                _CURRENT.reset(token)
            self.report.calls += 1
            self.report.calls_by_kind[kind] += 1
            if ok and kind in SINGLE_REQUEST and rec.attempts == 1 and rec.timed:
                self.server_by_kind.setdefault(kind, array("d")).append(rec.server_s)
                s = self.samples
                wall = t1 - t0
                before = rec.first_send - t0
                s["wall"].append(wall)
                s["server"].append(rec.server_s)
                s["added"].append(wall - rec.server_s)
                s["before"].append(before)
                s["transport"].append(rec.send_s - rec.server_s)
                s["after"].append(t1 - rec.last_end)
        return led

    async def call(self, kind: str, led: Ledger, rng: random.Random, rec: _Call) -> bool:
        """One call; True when it succeeded. Expected failures are counted, others too."""
        handler = getattr(self, f"_call_{kind}", None)
        if handler is None:  # pragma: no cover - MIX and the _call_* methods are edited together
            raise AssertionError(kind)
        try:
            ok: bool = await handler(led, rng, rec)
        except Exception as exc:
            self._unexpected(kind, exc)
            return False
        return ok

    async def upsert_many(self, led: Ledger, rng: random.Random) -> None:
        """``create_many(upsert=True)``: a few new records and a few existing ones (by id)."""
        rows: list[dict[str, Any]] = []
        markers: list[str] = []
        for _ in range(rng.randint(1, 4)):
            marker = led.marker()
            rows.append({"name": marker})
            markers.append(marker)
        existing = rng.sample(list(led.alive), min(len(led.alive), rng.randint(0, 4)))
        values = {}
        for marker in existing:
            rid = led.alive[marker][0]
            values[marker] = rng.randrange(1_000_000)
            rows.append({"id": rid, "name": marker, "employees": values[marker]})
            markers.append(marker)
        result = await self.crm.companies.create_many(rows, upsert=True)
        failed = {f.index for f in result.failures}
        for i, marker in enumerate(markers):
            if i in failed:
                if marker in values:
                    led.value_unknown.add(marker)
                else:
                    led.unknown.add(marker)
                continue
            record = result.entry(i).record
            if record is None or record.name != marker:
                self._inconsistent(f"upsert {marker} returned {record!r}")
                continue
            if marker in values:
                led.alive[marker] = (led.alive[marker][0], values[marker])
                led.value_unknown.discard(marker)
            else:
                led.alive[marker] = (str(record.id), None)
        for failure in result.failures:
            self._unexpected("upsert_many", failure.error)

    async def probe(self, url: str, api_key: str, pairs: int) -> None:
        """Latency added by the client, side by side, once the workers are done (an idle
        server, so queueing does not drown the difference): the same ``company(filter: {id:
        {eq: ...}})`` query alternately through the client (typed result) and through a bare
        aiohttp session + orjson (dicts), one at a time, in random order. Each sample is
        ``wall time - Server-Timing``. Faulted, throttled or retried samples are discarded on
        both sides."""
        import importlib

        import aiohttp
        import orjson

        _bindings()
        op = importlib.import_module("twenty_standard.core.objects.company").COMPANY_OP
        marker = self.probe_ledger.marker()
        created = await self.crm.companies.create_many([{"name": marker}], upsert=True)
        created.raise_for_failures()
        rid = created.records[0].id
        self.probe_ledger.alive[marker] = (str(rid), None)
        body = orjson.dumps(
            {
                "query": op.document,
                "operationName": op.name,
                "variables": {"filter": {"id": {"eq": rid}}},
            }
        )
        headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
        rng = random.Random(self.cfg.seed)
        ours, raw = self.probe_ours, self.probe_raw
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1),
            timeout=aiohttp.ClientTimeout(total=self.cfg.timeout),
        ) as session:

            async def one_raw() -> None:
                t0 = time.perf_counter()
                try:
                    async with session.post(f"{url}/graphql", data=body, headers=headers) as r:
                        payload = orjson.loads(await r.read())
                        wall = time.perf_counter() - t0
                        dur = server_ms(Response(r.status, b"", r.headers))
                except (aiohttp.ClientError, asyncio.TimeoutError, orjson.JSONDecodeError):
                    return
                if r.status == 200 and dur is not None and not payload.get("errors"):
                    raw.append(wall - dur / 1000.0)

            async def one_ours() -> None:
                rec = _Call()
                token = _CURRENT.set(rec)
                t0 = time.perf_counter()
                try:
                    await self.crm.companies.find_one(filter={"id": {"eq": rid}})
                except Exception:
                    return
                finally:
                    _CURRENT.reset(token)
                if rec.attempts == 1 and rec.timed:
                    ours.append(time.perf_counter() - t0 - rec.server_s)

            for _ in range(pairs):
                pair = [one_raw, one_ours]
                rng.shuffle(pair)
                for step in pair:
                    await step()

    def _inconsistent(self, text: str) -> None:
        self.report.inconsistent += 1
        if len(self.report.inconsistent_examples) < 5:
            self.report.inconsistent_examples.append(text)

    async def verify(self, ledgers: list[Ledger]) -> None:
        """Read the final state back through the API and compare it with the ledgers."""
        crm = self.crm.companies
        prefix = f"soak-{self.run_id}-%"
        token = _CURRENT.set(None)
        alive: dict[str, list[Any]] = {}
        async for c in crm.iterate(filter={"name": {"like": prefix}}, page_size=200):
            alive.setdefault(c.name, []).append(c)
        deleted: dict[str, list[Any]] = {}
        async for c in crm.iterate(
            filter={"name": {"like": prefix}, "deletedAt": {"is": "NOT_NULL"}}, page_size=200
        ):
            deleted.setdefault(c.name, []).append(c)
        _CURRENT.reset(token)
        r = self.report
        r.records_found = sum(map(len, alive.values())) + sum(map(len, deleted.values()))
        known: set[str] = set()
        for led in ledgers:
            r.records_ledger += len(led.alive) + len(led.deleted)
            r.records_destroyed += len(led.destroyed)
            r.unknown_creates += len(led.unknown)
            self._check_alive(led, alive, deleted)
            self._check_deleted(led, alive, deleted)
            for marker in led.destroyed:
                if marker in alive or marker in deleted:
                    self._inconsistent(f"{marker}: destroyed but still there")
            r.unknown_landed += sum(1 for m in led.unknown if m in alive or m in deleted)
            known |= set(led.alive) | set(led.deleted) | set(led.destroyed) | led.unknown
        for name in set(alive) | set(deleted):
            copies = len(alive.get(name, [])) + len(deleted.get(name, []))
            if copies > 1:
                r.duplicated += copies - 1
                self._inconsistent(f"duplicated: {name} x{copies}")
            if name not in known:
                self._inconsistent(f"record nobody created: {name}")

    def _check_alive(
        self, led: Ledger, alive: dict[str, list[Any]], deleted: dict[str, list[Any]]
    ) -> None:
        for marker, (rid, employees) in led.alive.items():
            got = alive.get(marker, [])
            if not got:
                self.report.lost += 1
                self._inconsistent(f"lost: {marker}")
            elif str(got[0].id) != rid:
                self._inconsistent(f"{marker}: id {got[0].id} != {rid}")
            elif (
                employees is not None
                and marker not in led.value_unknown
                and got[0].employees != employees
            ):
                self._inconsistent(f"{marker}: employees {got[0].employees} != {employees}")
            if marker in deleted:
                self._inconsistent(f"{marker}: alive and soft-deleted")

    def _check_deleted(
        self, led: Ledger, alive: dict[str, list[Any]], deleted: dict[str, list[Any]]
    ) -> None:
        for marker, rid in led.deleted.items():
            got = deleted.get(marker, [])
            if marker in alive:
                self._inconsistent(f"{marker}: soft-deleted but alive")
            elif not got:
                self.report.lost += 1
                self._inconsistent(f"lost (soft-deleted): {marker}")
            elif str(got[0].id) != rid:
                self._inconsistent(f"{marker}: id {got[0].id} != {rid}")


async def run_soak(cfg: SoakConfig, url: str, api_key: str, port: int) -> SoakReport:
    """Drive ``cfg.calls`` calls through one client against the emulator at ``url``."""
    ts = _bindings()
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    gc.collect()
    connections: dict[str, int] = {"before": open_connections(port)}
    rss: dict[str, float] = {"before": rss_mb()}
    transport = TimedTransport(
        AiohttpTransport(timeout=cfg.timeout, max_connections=cfg.concurrency)
    )
    client = TwentyClient(
        url,
        api_key,
        rate_limit=None,  # the client learns the server's buckets from its throttling answers
        max_concurrency=cfg.concurrency,
        transport=transport,
        sleep=sleep,
    )
    run = _Run(cfg, client, ts, port)
    report = run.report
    report.rss.update(rss)
    start = time.perf_counter()
    cpu = time.process_time()
    neighbour = start_neighbour(cfg, url, api_key)
    try:
        ledgers = await asyncio.gather(*(run.worker(w) for w in range(cfg.concurrency)))
        report.wall = time.perf_counter() - start
        if neighbour is not None:
            stop_process(neighbour)
        report.cpu_per_request = (time.process_time() - cpu) / max(1, client.stats().requests)
        gc.collect()
        report.rss["end"] = rss_mb()
        report.connections["at end (pool kept)"] = open_connections(port)
        report.requests = client.stats().requests
        report.retries = client.stats().retries
        report.throttled = client.stats().throttled
        try:
            await run.probe(url, api_key, cfg.probe_pairs)
        except Exception as exc:
            run._unexpected("probe", exc)
        await run.verify([*ledgers, run.probe_ledger])
        report.client_usable = True
    finally:
        if neighbour is not None:
            stop_process(neighbour)
        await client.aclose()
        await asyncio.sleep(0.05)  # let the event loop finish closing sockets
    report.connections["after aclose"] = open_connections(port)
    report.connections = {"before": connections["before"], **report.connections}
    report.latency = {k: list(v) for k, v in run.samples.items()}
    report.latency["probe_ours"] = list(run.probe_ours)
    report.latency["probe_raw"] = list(run.probe_raw)
    report.server_by_kind = {k: _pct(v, 0.5) for k, v in sorted(run.server_by_kind.items())}
    return report


def build_parser() -> argparse.ArgumentParser:
    d = SoakConfig()
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    p.add_argument("--short", action="store_true", help=f"short form: {SHORT}")
    p.add_argument("--calls", type=int, help=f"calls in total (default {d.calls})")
    p.add_argument("--concurrency", type=int, help=f"workers (default {d.concurrency})")
    p.add_argument("--latency-ms", type=float, help=f"emulator latency (default {d.latency_ms})")
    p.add_argument("--fault-rate", type=float, help=f"502/503 share (default {d.fault_rate})")
    p.add_argument("--drop-rate", type=float, help=f"dropped share (default {d.drop_rate})")
    p.add_argument("--rate-limit", help=f"emulator buckets (default {d.rate_limit})")
    p.add_argument("--seed", type=int, help=f"workers' and faults' seed (default {d.seed})")
    p.add_argument(
        "--max-seconds", type=float, help=f"start no call after this (default {d.max_seconds:g})"
    )
    p.add_argument(
        "--outage-downs",
        help="seconds the server is down in each outage, comma-separated "
        f"(default {','.join(f'{x:g}' for x in d.outage_downs)}; 'none' skips the phase)",
    )
    return p


def config_from(argv: Sequence[str] | None) -> SoakConfig:
    args = build_parser().parse_args(argv)
    cfg = SoakConfig(**SHORT) if args.short else SoakConfig()  # type: ignore[arg-type]
    names = ("calls", "concurrency", "latency_ms", "fault_rate", "drop_rate", "rate_limit")
    for name in (*names, "max_seconds"):
        value = getattr(args, name)
        if value is not None:
            setattr(cfg, name, value)
    if args.seed is not None:
        cfg.seed = args.seed
    if args.outage_downs is not None:
        downs = args.outage_downs.strip().lower()
        cfg.outage_downs = () if downs == "none" else tuple(float(x) for x in downs.split(","))
    if cfg.calls < 1 or cfg.concurrency < 1:
        raise SystemExit("python -m bench.soak: --calls and --concurrency must be >= 1")
    return cfg


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--neighbour"]:  # internal: the noisy neighbour's process
        url, burst, every = args[1], int(args[2]), float(args[3])
        asyncio.run(_neighbour(url, os.environ["TWENTY_API_KEY"], burst, every))
        return 0
    cfg = config_from(args)
    print(f"soak: {cfg.describe()}", flush=True)
    began = time.perf_counter()
    with SoakEmulator(cfg) as emu:
        report = asyncio.run(run_soak(cfg, emu.url, emu.api_key, emu.port))
    report.emulator_errors = emu.stderr_text().count("internal error")
    print(report.table())
    for text in report.unexpected_examples + report.inconsistent_examples:
        print(f"  ! {text}")
    print(f"soak: total wall time {time.perf_counter() - began:.1f} s (emulator start included)")
    problems = report.problems()
    for down in cfg.outage_downs:
        outage = asyncio.run(outage_phase(_bindings(), down, cfg.outage_tolerance))
        print(f"soak outage: {outage.line()}", flush=True)
        problems += outage.problems()
    if problems:
        print("soak: FAILED: " + "; ".join(problems))
        return 1
    print(
        "soak: OK (0 lost, 0 duplicated, only expected failures, no connection leak"
        + (", outages absorbed or resumed exactly once)" if cfg.outage_downs else ")")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
