"""The soak's outage phase (``make soak``, after the mixed calls): the server goes away in the
middle of a bulk write, once for less than ``outage_tolerance`` and once for longer.

Each outage: ``twenty-gql emulator --data`` in its own process (port below the ephemeral range,
so it can come back on the same address), ``create_many`` of ``records`` companies through the
generated bindings with a checkpoint; a third of the way in the emulator is killed (SIGKILL:
writes in flight die with it) and restarted ``down`` seconds later on the same data and port.

* down < tolerance: the run must absorb it and finish with every record landed;
* down > tolerance: the run must return about ``tolerance`` seconds after the kill with every
  input index accounted for (landed, not attempted, unknown outcome); while the server is
  still down, 100 more calls are timed failing fast; once it is back, a rerun with the
  checkpoint completes the import.

Either way the server's records are then read back: a record missing is **lost**, a name
present twice **duplicated** (both must be 0).
"""

from __future__ import annotations

import asyncio
import random
import socket
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twenty_gql import ClientEvent, ServiceUnavailableError, TwentyClient
from twenty_gql.testing.process import EmulatorProcess

KEY = "soak-outage-key-" + uuid.uuid4().hex


@dataclass
class OutageResult:
    down: float
    tolerance: float
    records: int
    landed_first: int = 0  # by the run the outage hit
    not_attempted: int = 0
    unknown: int = 0
    returned_after: float = 0.0  # seconds from the kill to create_many returning
    open_after: float | None = None  # seconds from the kill to the circuit opening
    closed_after: float | None = None  # seconds from the restart to the circuit closing
    fail_fast_ms: float | None = None  # 100 calls while the circuit was open
    resumed: bool = False
    lost: int = 0
    duplicated: int = 0
    run_ok: bool = False

    @property
    def absorbed(self) -> bool:
        return self.down < self.tolerance

    def problems(self) -> list[str]:
        out = []
        if self.lost or self.duplicated:
            out.append(f"outage {self.down:g} s: {self.lost} lost, {self.duplicated} duplicated")
        if self.absorbed and not self.run_ok:
            out.append(f"outage {self.down:g} s: the run did not absorb it")
        if not self.absorbed and self.returned_after > self.tolerance + 10:
            out.append(f"outage {self.down:g} s: returned after {self.returned_after:.1f} s")
        return out

    def line(self) -> str:
        head = f"down {self.down:g} s (tolerance {self.tolerance:g} s): "
        if self.absorbed:
            body = f"absorbed, run ok={self.run_ok}"
        else:
            body = (
                f"stopped {self.returned_after:.1f} s after the kill ({self.landed_first} "
                f"landed, {self.not_attempted} not attempted, {self.unknown} unknown), "
                f"resumed ok={self.resumed}"
            )
        fast = (
            f"; fail fast: circuit open {self.open_after:.2f} s after the kill"
            if self.open_after is not None
            else ""
        )
        if self.fail_fast_ms is not None:
            fast += f", 100 calls in {self.fail_fast_ms:.1f} ms"
        if self.closed_after is not None:
            fast += f", closed {self.closed_after:.1f} s after the restart"
        return f"{head}{body}{fast}; lost {self.lost}, duplicated {self.duplicated}"


def _free_low_port() -> int:
    for port in random.sample(range(20000, 32000), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


class _Server:
    def __init__(self, data: Path, port: int, latency_ms: float, log: Any) -> None:
        self.args = ["--seed", "standard", "--data", str(data), "--api-key", KEY]
        self.args += ["--port", str(port), "--latency-ms", str(latency_ms)]
        self.log = log
        self.proc: EmulatorProcess | None = None

    def start(self) -> EmulatorProcess:
        self.proc = EmulatorProcess(self.args, stderr=self.log).start()
        return self.proc

    def kill(self) -> None:
        if self.proc is not None and self.proc.proc is not None:
            self.proc.proc.kill()
            self.proc.stop()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


async def _names(crm: Any, prefix: str) -> Counter[str]:
    found: Counter[str] = Counter()
    async for company in crm.companies.iterate(filter={"name": {"like": f"{prefix}%"}}):
        found[company.name] += 1
    return found


async def outage_phase(
    ts: Any, down: float, tolerance: float, records: int = 3000, latency_ms: float = 20.0
) -> OutageResult:
    """One outage of ``down`` seconds during ``create_many`` (see the module doc)."""
    out = OutageResult(down, tolerance, records)
    prefix = f"outage-{uuid.uuid4().hex[:6]}-"
    rows = [{"name": f"{prefix}{i:05d}"} for i in range(records)]
    with tempfile.TemporaryDirectory() as tmp, (Path(tmp) / "emulator.log").open("w") as log:
        server = _Server(Path(tmp) / "ws.sqlite", _free_low_port(), latency_ms, log)
        url = server.start().url
        checkpoint = Path(tmp) / "run.ckpt"
        marks: dict[str, float] = {}

        def on_event(event: ClientEvent) -> None:
            if event.kind == "circuit" and event.state == "open" and "kill" in marks:
                marks.setdefault("open", time.monotonic())
            if event.kind == "circuit" and event.state == "closed" and "back" in marks:
                marks.setdefault("closed", time.monotonic())

        async def restart_later() -> None:
            await asyncio.sleep(down)
            await asyncio.to_thread(server.start)
            marks["back"] = time.monotonic()

        restart: asyncio.Task[None] | None = None

        def kill_midway(p: Any) -> None:
            nonlocal restart
            if restart is None and p.done >= records // 3:
                server.kill()
                marks["kill"] = time.monotonic()
                restart = asyncio.ensure_future(restart_later())

        try:
            async with TwentyClient(url, KEY, on_event=on_event) as client:
                crm = ts.CoreApi(client)
                res = await crm.companies.create_many(
                    rows,
                    checkpoint=str(checkpoint),
                    outage_tolerance=tolerance,
                    on_progress=kill_midway,
                )
                out.returned_after = time.monotonic() - marks.get("kill", time.monotonic())
                out.run_ok, out.landed_first = res.ok, res.succeeded
                out.not_attempted, out.unknown = len(res.not_attempted), len(res.unknown)
                if "back" not in marks and client.circuit_state() == "open":
                    out.fail_fast_ms = await _fail_fast(crm)
                if restart is not None:
                    await restart
                if not res.ok:
                    again = await crm.companies.create_many(rows, checkpoint=str(checkpoint))
                    out.resumed = again.ok
                found = await _names(crm, prefix)
        finally:
            server.stop()
    if "open" in marks:
        out.open_after = marks["open"] - marks["kill"]
    if "closed" in marks:
        out.closed_after = marks["closed"] - marks["back"]
    out.lost = sum(1 for r in rows if found[r["name"]] == 0)
    out.duplicated = sum(1 for n in found.values() if n > 1)
    return out


async def _fail_fast(crm: Any) -> float | None:
    """Milliseconds for 100 calls to fail fast; None if any was not refused by the circuit."""
    refused = 0
    started = time.perf_counter()
    for _ in range(100):
        try:
            await crm.companies.find_many(first=1)
        except ServiceUnavailableError:
            refused += 1
    took = (time.perf_counter() - started) * 1000
    return took if refused == 100 else None
