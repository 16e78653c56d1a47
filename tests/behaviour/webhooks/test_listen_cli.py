"""``twenty-gql listen``: registers a webhook, prints verified typed events, cleans up."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from pathlib import Path

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator

ROOT = Path(__file__).resolve().parents[3]
# the generated events module of the committed bindings (generated/twenty_standard/events.py)
EVENTS = "twenty_standard.events:ALL_OBJECTS"


async def start(*args: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if k != "TWENTY_API_KEY"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "generated"), env.get("PYTHONPATH", "")])
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "codegen.cli",
        "listen",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> re.Match[str]:
    while True:
        line = (await asyncio.wait_for(stream.readline(), 60)).decode()
        if not line:
            raise AssertionError(f"stream ended before {pattern!r}: {seen}")
        seen.append(line)
        m = re.search(pattern, line)
        if m:
            return m


async def test_listen_against_its_own_local_emulator() -> None:
    proc = await start("--count", "2", "--operations", "company.*", "--events", EVENTS)
    assert proc.stdout is not None and proc.stderr is not None
    out: list[str] = []
    err: list[str] = []
    url = (await read_until(proc.stdout, r"^TWENTY_URL=(\S+)", out)).group(1)
    key = (await read_until(proc.stdout, r"^TWENTY_API_KEY=(\S+)", out)).group(1)
    await read_until(proc.stderr, r"^listening: webhook [0-9a-f-]{36} -> http://127\.0\.0\.1", err)
    async with TwentyClient(url, key) as client:
        made = await client.execute_raw('mutation { createCompany(data: {name: "L1"}) { id } }')
        cid = made["createCompany"]["id"]
        await client.execute_raw('mutation { createPerson(data: {jobTitle: "ignored"}) { id } }')
        await client.execute_raw(
            'mutation($id: UUID!) { updateCompany(id: $id, data: {name: "L2"}) { id } }',
            {"id": cid},
        )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    text = "".join(out) + stdout.decode()
    assert re.search(rf"^company\.created {cid} \(Company\)$", text, re.M), text
    assert re.search(rf"^company\.updated {cid} \(Company\) updated_fields=name$", text, re.M)
    assert '"name":"L2"' in text and "person." not in text
    assert re.search(r"deleted webhook [0-9a-f-]{36}", stderr.decode())


async def test_listen_against_a_given_workspace_and_untyped_records() -> None:
    async with TwentyEmulator("standard", rate_limit=None) as emu:
        proc = await start("--url", emu.url, "--api-key", emu.api_key, "--count", "1")
        assert proc.stdout is not None and proc.stderr is not None
        err: list[str] = []
        await read_until(proc.stderr, r"^listening: webhook", err)
        [hook] = emu.webhooks.all()
        assert hook["operations"] == ["*.*"] and hook["description"] == "twenty-gql listen"
        async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as client:
            await client.execute_raw('mutation { createCompany(data: {name: "U"}) { id } }')
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, stderr.decode()
        assert re.search(r"^company\.created [0-9a-f-]{36} \(untyped\)", stdout.decode(), re.M)
        assert emu.api_key not in stdout.decode() + stderr.decode() + "".join(err)
        assert emu.webhooks.all() == []  # deleted on exit


async def test_listen_rejects_bad_operations() -> None:
    proc = await start("--operations", "company")
    _out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2 and b"bad webhook operation 'company'" in err


async def test_listen_json_prints_the_verified_bodies() -> None:
    async with TwentyEmulator("standard", rate_limit=None) as emu:
        proc = await start(
            "--url", emu.url, "--api-key", emu.api_key, "--count", "1", "--json",
            "--operations", "person.created",
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        await read_until(proc.stderr, r"^listening: webhook", [])
        async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as client:
            await client.execute_raw('mutation { createCompany(data: {name: "no"}) { id } }')
            await client.execute_raw('mutation { createPerson(data: {jobTitle: "J"}) { id } }')
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, stderr.decode()
    [line] = stdout.decode().splitlines()
    body = json.loads(line)
    assert body["eventName"] == "person.created" and body["record"]["jobTitle"] == "J"
