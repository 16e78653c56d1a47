"""The soak's parts (:mod:`bench.soak`): its configuration, the emulator and the noisy neighbour
in their own processes, what is measured (per-call timings, connections, RSS), the per-worker
ledger and the report."""

from __future__ import annotations

import asyncio
import contextvars
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from twenty_gql.testing.process import EmulatorProcess, EmulatorStartError
from twenty_gql.transport import AiohttpTransport, Request, Response

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"

# call name -> weight (share of calls)
MIX: dict[str, int] = {
    "find_many": 22,
    "find_one": 20,
    "update": 22,
    "create": 7,
    "upsert_one": 3,
    "delete": 1,
    "destroy": 7,
    "upsert_many": 3,
    "iterate": 3,
    "metadata": 1,
    "metadata_one": 4,
}
SINGLE_REQUEST = frozenset(
    {
        "find_many",
        "find_one",
        "update",
        "create",
        "upsert_one",
        "delete",
        "destroy",
        "metadata",
        "metadata_one",
    }
)


@dataclass
class SoakConfig:
    calls: int = 20_000
    concurrency: int = 16
    latency_ms: float = 15.0
    fault_rate: float = 0.05
    drop_rate: float = 0.02
    rate_limit: str = "15/100,4000/20000"
    seed: int = 1
    alive_cap: int = 15  # per worker: above this, deletes are preferred to creates
    page_size: int = 10  # iterate page size (several pages per iterate)
    timeout: float = 10.0
    max_seconds: float = 180.0  # no call starts after this (a loaded machine may stop short)
    probe_pairs: int = 150  # idle-server latency probe after the run
    neighbour_burst: int = 10  # another service on the same workspace: N calls at once ...
    neighbour_every: float = 1.0  # ... until refused, every this many seconds (0: none)
    outage_downs: tuple[float, ...] = (10.0, 120.0)  # the outage phase (bench/soak_outage.py)
    outage_tolerance: float = 60.0  # create_many's default

    def describe(self) -> str:
        return (
            f"{self.calls} calls, {self.concurrency} workers on one TwentyClient; emulator: "
            f"latency {self.latency_ms:g} ms, {self.fault_rate:.0%} 502/503, "
            f"{self.drop_rate:.0%} drops (after apply), rate limit {self.rate_limit}; "
            f"a neighbour empties the short bucket every {self.neighbour_every:g} s; "
            f"seed {self.seed}"
        )


SHORT = {
    "calls": 1_500,
    "concurrency": 8,
    "latency_ms": 5.0,
    "probe_pairs": 50,
    "neighbour_every": 0.3,
    "outage_downs": (1.0, 12.0),
    "outage_tolerance": 6.0,
}


# ---- the emulator in its own process ------------------------------------------------------


class SoakEmulator:
    """The soak's emulator process (its log in a temporary file, since a soak writes a lot);
    ``url``/``api_key``/``port`` once started."""

    def __init__(self, cfg: SoakConfig) -> None:
        self.log = ""
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in __exit__
        args = ["--seed", "standard", "--latency-ms", str(cfg.latency_ms)]
        args += ["--fault-rate", str(cfg.fault_rate), "--drop-rate", str(cfg.drop_rate)]
        args += ["--drop-after-apply", "--rate-limit", cfg.rate_limit]
        args += ["--fault-seed", str(cfg.seed)]
        self._process = EmulatorProcess(args, cwd=ROOT, stderr=self._stderr)
        self.url = self.api_key = ""
        self.port = 0

    def __enter__(self) -> SoakEmulator:
        try:
            p = self._process.start()
        except EmulatorStartError:
            self.__exit__()
            raise EmulatorStartError(
                f"the emulator did not start: {self.stderr_text()[-2000:]}"
            ) from None
        self.url, self.api_key, self.port = p.url, p.api_key, p.port
        return self

    def stderr_text(self) -> str:
        """What the emulator wrote to stderr (its log)."""
        if self._stderr.closed:
            return self.log
        self._stderr.seek(0)
        return self._stderr.read()

    def __exit__(self, *_exc: object) -> None:
        self._process.stop()
        if not self._stderr.closed:
            self.log = self.stderr_text()
            self._stderr.close()


NEIGHBOUR_QUERY = (
    b'{"query": "query Neighbour { companies(first: 1, filter: {name: {eq: \\"-\\"}}) '
    b'{ totalCount } }", "operationName": "Neighbour"}'
)


async def _neighbour(url: str, api_key: str, burst: int, every: float) -> None:
    """A noisy neighbour: another service on the same workspace that, every ``every`` seconds,
    spends tokens ``burst`` calls at a time until the server refuses it (the short bucket is
    then empty). The client's mirror of the buckets cannot know, so the server throttles the
    client now and then, as it would in production."""
    import aiohttp

    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:

        async def one() -> bool:
            async with session.post(f"{url}/graphql", data=NEIGHBOUR_QUERY, headers=headers) as r:
                return b"LIMIT_REACHED" in await r.read()

        while True:
            for _ in range(10):
                answers = await asyncio.gather(
                    *(one() for _ in range(burst)), return_exceptions=True
                )
                if any(a is True for a in answers):
                    break
            await asyncio.sleep(every)


def start_neighbour(cfg: SoakConfig, url: str, api_key: str) -> subprocess.Popen[bytes] | None:
    """Run :func:`_neighbour` in its own process (its sockets are not the client's)."""
    if cfg.neighbour_every <= 0 or cfg.neighbour_burst <= 0:
        return None
    cmd = [
        sys.executable,
        "-m",
        "bench.soak",
        "--neighbour",
        url,
        str(cfg.neighbour_burst),
        str(cfg.neighbour_every),
    ]
    env = dict(os.environ, TWENTY_API_KEY=api_key)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


# ---- measuring ------------------------------------------------------------------------------


class _Call:
    """What one call did on the wire (filled in by the transport wrapper and the sleep hook)."""

    __slots__ = ("attempts", "first_send", "last_end", "send_s", "server_s", "timed")

    def __init__(self) -> None:
        self.attempts = 0
        self.first_send = self.last_end = self.send_s = self.server_s = 0.0
        self.timed = True  # every attempt carried Server-Timing


_CURRENT: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("soak_call", default=None)


def server_ms(response: Response) -> float | None:
    """The handler time from ``Server-Timing: app;dur=MS`` (None when absent)."""
    raw = response.headers.get("Server-Timing")
    if raw is None:
        return None
    for part in raw.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "dur":
            try:
                return float(value)
            except ValueError:
                return None
    return None


class TimedTransport:
    """Wraps the aiohttp transport: per call, attempts, time on the wire, server time."""

    def __init__(self, inner: AiohttpTransport) -> None:
        self.inner = inner

    async def send(self, request: Request) -> Response:
        rec = _CURRENT.get()
        start = time.perf_counter()
        try:
            response = await self.inner.send(request)
        except BaseException:
            if rec is not None:
                rec.attempts += 1
                rec.timed = False
            raise
        end = time.perf_counter()
        if rec is not None:
            rec.attempts += 1
            if rec.attempts == 1:
                rec.first_send = start
            rec.last_end = end
            rec.send_s += end - start
            dur = server_ms(response)
            if dur is None:
                rec.timed = False
            else:
                rec.server_s += dur / 1000.0
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def open_connections(port: int) -> int:
    """TCP sockets of this process connected to ``port`` on the loopback (any state but
    TIME_WAIT, which no longer belongs to a process)."""
    inodes: set[str] = set()
    fd_dir = Path("/proc/self/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            remote_port = int(cols[2].rsplit(":", 1)[1], 16)
            if remote_port == port and cols[9] in inodes:
                count += 1
    return count


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# ---- the ledger -----------------------------------------------------------------------------


@dataclass
class Ledger:
    """What one worker was told about its records."""

    prefix: str
    alive: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # marker -> id, emp
    deleted: dict[str, str] = field(default_factory=dict)  # soft-deleted: marker -> id
    destroyed: dict[str, str] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)  # creates with an unknown outcome
    value_unknown: set[str] = field(default_factory=set)
    n: int = 0

    def marker(self) -> str:
        self.n += 1
        return f"{self.prefix}-{self.n:06d}"


@dataclass
class SoakReport:
    cfg: SoakConfig
    calls: int = 0
    calls_by_kind: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    retries: int = 0
    throttled: int = 0
    expected: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    unexpected_examples: list[str] = field(default_factory=list)
    unknown_creates: int = 0
    unknown_landed: int = 0
    records_ledger: int = 0  # alive or soft-deleted, as the client was told
    records_destroyed: int = 0
    records_found: int = 0
    lost: int = 0
    duplicated: int = 0
    inconsistent: int = 0
    inconsistent_examples: list[str] = field(default_factory=list)
    iterate_mismatch: int = 0
    connections: dict[str, int] = field(default_factory=dict)
    max_connections_seen: int = 0
    rss: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0
    latency: dict[str, list[float]] = field(default_factory=dict)
    emulator_errors: int = 0
    time_bound: bool = False
    server_by_kind: dict[str, float] = field(default_factory=dict)
    cpu_per_request: float = 0.0
    client_usable: bool = False

    def problems(self) -> list[str]:
        out = []
        if self.lost:
            out.append(f"{self.lost} record(s) lost")
        if self.duplicated:
            out.append(f"{self.duplicated} record(s) duplicated")
        if self.inconsistent:
            out.append(f"{self.inconsistent} inconsistent record(s)")
        if self.iterate_mismatch:
            out.append(f"{self.iterate_mismatch} paginated read(s) disagreed with the ledger")
        if self.unexpected:
            out.append(f"unexpected failures: {dict(self.unexpected)}")
        if self.connections.get("after aclose", 0):
            out.append(f"{self.connections['after aclose']} connection(s) open after aclose()")
        if self.max_connections_seen > self.cfg.concurrency:  # the client's pool limit
            out.append(
                f"{self.max_connections_seen} connections seen (> {self.cfg.concurrency} allowed)"
            )
        if self.emulator_errors:
            out.append(f"the emulator logged {self.emulator_errors} internal error(s)")
        if not self.client_usable:
            out.append("the client was not usable after the run")
        if self.calls < self.cfg.calls and not self.time_bound:
            out.append(f"only {self.calls} of {self.cfg.calls} calls done")
        return out

    def table(self) -> str:
        lat = self.latency
        n_timed = len(lat.get("added", []))

        def ms(name: str) -> str:
            values = lat.get(name, [])
            return f"{_pct(values, 0.5) * 1000:.2f} / {_pct(values, 0.99) * 1000:.2f}"

        ours, raw = lat.get("probe_ours", []), lat.get("probe_raw", [])

        def diff(q: float) -> str:
            return f"{(_pct(ours, q) - _pct(raw, q)) * 1000:+.2f}"

        rows = [
            (
                "calls done",
                f"{self.calls:,} in {self.wall:.1f} s ({self.calls / max(self.wall, 1e-9):.0f}/s)"
                + (f"; stopped at the {self.cfg.max_seconds:g} s bound" if self.time_bound else ""),
            ),
            ("  by kind", ", ".join(f"{k} {v}" for k, v in sorted(self.calls_by_kind.items()))),
            ("HTTP requests", f"{self.requests:,}"),
            ("retries (client.stats)", f"{self.retries:,}"),
            ("throttling answers absorbed", f"{self.throttled:,}"),
            (
                "failures surfaced, expected",
                ", ".join(f"{k}: {v}" for k, v in sorted(self.expected.items())) or "0",
            ),
            (
                "failures surfaced, unexpected",
                ", ".join(f"{k}: {v}" for k, v in sorted(self.unexpected.items())) or "0",
            ),
            (
                "creates with unknown outcome",
                f"{self.unknown_creates} ({self.unknown_landed} had landed, each exactly once)",
            ),
            (
                "records expected / found",
                f"{self.records_ledger:,} + {self.unknown_landed} unknown-outcome creates / "
                f"{self.records_found:,} ({self.records_destroyed:,} destroyed: absent)",
            ),
            ("records lost / duplicated", f"{self.lost} / {self.duplicated}"),
            ("inconsistent records / reads", f"{self.inconsistent} / {self.iterate_mismatch}"),
            (
                "open connections",
                ", ".join(f"{k} {v}" for k, v in self.connections.items())
                + f" (max seen {self.max_connections_seen})",
            ),
            ("RSS MB", ", ".join(f"{k} {v:.1f}" for k, v in self.rss.items())),
            (
                "client process CPU per request",
                f"{self.cpu_per_request * 1e6:.0f} us (soak bookkeeping included)",
            ),
            (
                "latency added by the client",
                f"p50 {diff(0.5)} ms, p99 {diff(0.99)} ms (idle server, client minus raw)",
            ),
            (f"  wall - server, TwentyClient (n={len(ours)})", ms("probe_ours")),
            (f"  wall - server, raw aiohttp+orjson (n={len(raw)})", ms("probe_raw")),
            (f"under load, p50 / p99 ms (n={n_timed:,})", "single-request first-attempt calls"),
            ("  call wall time", ms("wall")),
            ("  server time (Server-Timing)", ms("server")),
            ("  wall - server", ms("added")),
            ("    before send (encode, pacing, slot)", ms("before")),
            ("    transport + emulator queue", ms("transport")),
            ("    after (typed decode)", ms("after")),
            (
                "server time p50 by call, ms",
                ", ".join(f"{k} {v * 1000:.1f}" for k, v in self.server_by_kind.items()),
            ),
        ]
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
