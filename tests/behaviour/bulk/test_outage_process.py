"""Outages against a real emulator process (``twenty-gql emulator --data``): killed (SIGKILL) in
the middle of a 5,000-record ``create_many``, stopped (SIGSTOP) for 5 s, and the circuit
breaker failing calls fast while it is down and closing by itself once it is back.

Figures (time to return, time for 100 failing calls) are printed; run with ``-s``.
"""

from __future__ import annotations

import asyncio
import os
import random
import shlex
import signal
import socket
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import pytest

from twenty_gql import (
    BulkProgress,
    ClientEvent,
    ConnectError,
    ConnectionDroppedError,
    ServiceUnavailableError,
    TwentyClient,
)
from twenty_gql.bulk import BulkResult, create_many
from twenty_gql.operation import Operation
from twenty_gql.testing.process import EmulatorProcess

pytestmark = pytest.mark.slow

KEY = "outage-behaviour-key-0123456789abcdef"
N = 5000
TOLERANCE = 10.0

CREATE: Operation[dict[str, Any]] = Operation(
    name="CreateCompanies",
    document="mutation CreateCompanies($data: [CompanyCreateInput!]!, $upsert: Boolean) "
    "{ createCompanies(data: $data, upsert: $upsert) { id name } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("createCompanies",),
    result_type=dict,
    idempotent=False,
)
PAGE = (
    "query Page($after: String, $like: String!) { companies(first: 200, after: $after, "
    "filter: {name: {like: $like}}) { edges { node { name } } pageInfo { hasNextPage endCursor } } }"
)


def port_outside_the_ephemeral_range() -> int:
    """A free port below Linux's ephemeral range: connecting again and again to a dead port
    inside it can end in a TCP self-connect that holds the port (the restart could not bind)."""
    for port in random.sample(range(20000, 32000), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-32000")


def emulator(data: Path, port: int, log: IO[Any], *extra: str) -> EmulatorProcess:
    """Not started yet: ``with emulator(...)`` or ``emulator(...).start()``."""
    args = ["--seed", "standard", "--data", str(data), "--api-key", KEY, "--port", str(port)]
    return EmulatorProcess([*args, *extra], stderr=log)


async def stored_names(client: TwentyClient, prefix: str) -> Counter[str]:
    names: Counter[str] = Counter()
    after = None
    while True:
        data = await client.execute_raw(
            PAGE, {"after": after, "like": f"{prefix}%"}, idempotent=True
        )
        conn = data["companies"]
        names.update(edge["node"]["name"] for edge in conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            return names
        after = conn["pageInfo"]["endCursor"]


def accounted(res: BulkResult[Any, Any]) -> list[int]:
    return sorted(res.indexes + [f.index for f in res.failures] + res.not_attempted + res.unknown)


def rows(data: dict[str, Any]) -> Any:
    return data["createCompanies"]


async def test_killed_mid_create_many_returns_in_time_and_a_resume_is_exactly_once(
    tmp_path: Path,
) -> None:
    data, ckpt = tmp_path / "ws.sqlite", tmp_path / "run.ckpt"
    records = [{"name": f"kill-{i:05d}", "employees": i} for i in range(N)]
    log = (tmp_path / "emulator.log").open("w")
    emu = emulator(data, 0, log, "--latency-ms", "20").start()
    killed_at: list[float] = []

    def kill_midway(p: BulkProgress) -> None:
        if not killed_at and p.done >= 1500:
            assert emu.proc is not None
            emu.proc.kill()  # SIGKILL: writes in flight die with it
            killed_at.append(time.monotonic())

    try:
        async with TwentyClient(emu.url, KEY) as client:
            res = await create_many(
                client,
                CREATE,
                records,
                upsert=False,
                result=rows,
                checkpoint=ckpt,
                outage_tolerance=TOLERANCE,
                on_progress=kill_midway,
            )
            returned_after = time.monotonic() - killed_at[0]
    finally:
        emu.stop()
    assert returned_after <= TOLERANCE + 10, returned_after
    assert isinstance(res.stopped, ServiceUnavailableError)
    assert accounted(res) == list(range(N)), "every input index exactly once"
    assert res.failures == [] and res.not_attempted and 1500 <= res.succeeded < N
    print(
        f"\nkilled after {res.succeeded} landed: returned {returned_after:.1f} s after the kill "
        f"(tolerance {TOLERANCE:.0f} s); {len(res.not_attempted)} not attempted, "
        f"{len(res.unknown)} unknown outcome"
    )

    with emulator(data, 0, log) as emu2:
        async with TwentyClient(emu2.url, KEY) as client:
            again = await create_many(
                client, CREATE, records, upsert=False, result=rows, checkpoint=ckpt
            )
            assert again.ok and again.skipped == res.succeeded
            assert await stored_names(client, "kill-") == Counter(r["name"] for r in records)
    log.close()


async def test_stopped_for_5_s_mid_run_completes_exactly_once(tmp_path: Path) -> None:
    data = tmp_path / "ws.sqlite"
    records = [{"name": f"stop-{i:05d}"} for i in range(3000)]
    stopped: list[float] = []
    with (
        (tmp_path / "emulator.log").open("w") as log,
        emulator(data, 0, log, "--latency-ms", "20") as emu,
    ):
        pid = emu.proc.pid if emu.proc is not None else 0

        def freeze_midway(p: BulkProgress) -> None:
            if not stopped and p.done >= 1200:
                os.kill(pid, signal.SIGSTOP)
                stopped.append(time.monotonic())
                threading.Timer(5.0, os.kill, (pid, signal.SIGCONT)).start()

        async with TwentyClient(emu.url, KEY) as client:
            started = time.monotonic()
            res = await create_many(
                client, CREATE, records, upsert=False, result=rows, on_progress=freeze_midway
            )
            took = time.monotonic() - started
            assert stopped, "the server was never stopped"
            assert res.ok and res.failed == 0 and res.succeeded == len(records)
            assert await stored_names(client, "stop-") == Counter(r["name"] for r in records)
    print(f"\nSIGSTOP 5 s mid-run: completed in {took:.1f} s, {res.requests} requests, no error")


async def test_the_circuit_fails_fast_while_down_and_closes_when_back(tmp_path: Path) -> None:
    data = tmp_path / "ws.sqlite"
    events: list[ClientEvent] = []
    count = "query Count { companies(first: 1) { totalCount } }"
    with (tmp_path / "emulator.log").open("w") as log:
        emu = emulator(data, port_outside_the_ephemeral_range(), log).start()
        async with TwentyClient(emu.url, KEY, on_event=events.append) as client:
            await client.execute_raw(count, idempotent=True)
            emu.stop()
            for _ in range(3):  # each call is retried; 5 refused connections open the circuit
                with pytest.raises((ConnectError, ConnectionDroppedError, ServiceUnavailableError)):
                    await client.execute_raw(count, idempotent=True)
                if client.circuit_state() == "open":
                    break
            assert client.circuit_state() == "open"
            started = time.perf_counter()
            for _ in range(100):
                with pytest.raises(ServiceUnavailableError):
                    await client.execute_raw(count, idempotent=True)
            fail_fast = time.perf_counter() - started
            assert fail_fast < 1.0, fail_fast

            with emulator(data, emu.port, log):  # back on the same address
                back = time.monotonic()
                while True:
                    try:
                        await client.execute_raw(count, idempotent=True)
                        break
                    except ServiceUnavailableError as exc:
                        assert time.monotonic() - back < 30
                        await asyncio.sleep(exc.retry_in or 0.05)
                closed_after = time.monotonic() - back
                assert client.circuit_state() == "closed"
    states = [e.state for e in events if e.kind == "circuit"]
    assert states[0] == "open" and states[-1] == "closed"
    print(
        f"\n100 calls with the circuit open: {fail_fast * 1000:.1f} ms in total; "
        f"closed {closed_after:.1f} s after the server was back"
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_import_interrupted_leaves_a_checkpoint_and_prints_the_resume_command(
    tmp_path: Path, sig: signal.Signals
) -> None:
    n = 3000
    source = tmp_path / "companies.csv"
    source.write_text(
        "name,employees\n" + "".join(f"sig-{i:05d},{i}\n" for i in range(n)), encoding="utf-8"
    )
    with (
        (tmp_path / "emulator.log").open("w") as log,
        emulator(tmp_path / "ws.sqlite", 0, log, "--latency-ms", "40") as emu,
    ):
        env = {**os.environ, "TWENTY_URL": emu.url}
        cli = [sys.executable, "-m", "codegen.cli"]
        argv = ["import", "company", str(source), "--api-key", KEY, "--concurrency", "2"]
        proc = await asyncio.create_subprocess_exec(
            *cli, *argv, "--no-progress", env=env, stderr=asyncio.subprocess.PIPE
        )
        checkpoint = tmp_path / "companies.csv.twenty-gql-checkpoint"  # the default one
        for _ in range(1000):
            await asyncio.sleep(0.02)
            if checkpoint.exists() and checkpoint.read_bytes().count(b"\n") >= 5:
                break
        proc.send_signal(sig)
        _, err_bytes = await proc.communicate()
        err = err_bytes.decode()
        assert proc.returncode == 128 + sig, err
        assert f"{sig.name}: stopped" in err and "Resume with:" in err and KEY not in err
        command = shlex.split(err.split("Resume with:", 1)[1].strip().splitlines()[0])
        assert command[:2] == ["twenty-gql", "import"] and "--api-key" not in command
        assert checkpoint.exists()

        env["TWENTY_API_KEY"] = KEY
        rerun = await asyncio.create_subprocess_exec(
            *cli, *command[1:], "--no-progress", env=env, stderr=asyncio.subprocess.PIPE
        )
        _, err_bytes = await rerun.communicate()
        assert rerun.returncode == 0, err_bytes.decode()
        assert "already imported (checkpoint)" in err_bytes.decode()
        assert not checkpoint.exists()  # complete: the default checkpoint is removed
        async with TwentyClient(emu.url, KEY) as client:
            stored = await stored_names(client, "sig-")
        assert stored == Counter(f"sig-{i:05d}" for i in range(n))
