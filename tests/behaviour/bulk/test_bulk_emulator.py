"""Bulk writes against the emulator over HTTP: exactly once, with faults, bad records, SIGKILL.

The emulator is limited like a small Twenty (batch limit 60, 100 calls per 2 s) so each test
runs in seconds; counts and contents are checked in the emulator's workspace.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from twenty_gql.bulk import BulkResult, create_many, delete_many, update_many
from twenty_gql.client import TwentyClient
from twenty_gql.operation import Operation
from twenty_gql.scheduling import RateLimit
from twenty_gql.testing import TwentyEmulator

LIMITS: dict[str, Any] = {
    "seed": "standard",
    "batch_limit": 60,
    "rate_limit": ((100, 1000), (100, 2000)),
}

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


def client_for(emu: TwentyEmulator) -> TwentyClient:
    """A client whose scheduler mirrors the emulator's buckets (100 per 1 s, 100 per 2 s)."""
    return TwentyClient(emu.url, emu.api_key, rate_limit=RateLimit(((100, 1.0), (100, 2.0))))


def rows(data: dict[str, Any]) -> Any:
    return data["createCompanies"]


def make_records(n: int, tag: str) -> list[dict[str, Any]]:
    """Half keyed by domainName (upsert key: no client id), half without (client id)."""
    out: list[dict[str, Any]] = []
    for i in range(n):
        rec: dict[str, Any] = {"name": f"{tag}-{i:05d}", "employees": i}
        if i % 2 == 0:
            rec["domainName"] = {"primaryLinkUrl": f"https://{tag}-{i}.example"}
        out.append(rec)
    return out


def tagged(emu: TwentyEmulator, tag: str) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in emu.workspace.records("company")
        if str(r.get("name", "")).startswith(f"{tag}-")
    ]


def assert_exactly_once(emu: TwentyEmulator, tag: str, records: list[dict[str, Any]]) -> None:
    stored = tagged(emu, tag)
    counts = Counter(r["name"] for r in stored)
    assert len(stored) == len(records), f"{len(stored)} stored for {len(records)} sent"
    assert counts == Counter(r["name"] for r in records)
    by_name = {r["name"]: r for r in stored}
    for rec in records:
        got = by_name[rec["name"]]
        assert got["employees"] == rec["employees"]
        if "domainName" in rec:
            assert got["domainName"]["primaryLinkUrl"] == rec["domainName"]["primaryLinkUrl"]


async def run(client: TwentyClient, records: Any, **kw: Any) -> BulkResult[Any, Any]:
    kw.setdefault("upsert", True)
    return await create_many(
        client,
        CREATE,
        records,
        result=rows,
        unique_fields=("domainName.primaryLinkUrl",),
        **kw,
    )


async def test_5000_upserted_exactly_once_then_updated_in_place() -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        records = make_records(5000, "up")
        res = await run(client, records)
        assert res.ok, res.failures[:3]
        assert res.succeeded == 5000 and res.requests == 84
        assert_exactly_once(emu, "up", records)
        assert [r["name"] for r in res.records] == [r["name"] for r in records]
        # the keyed half again, changed: matched by domainName, updated, not duplicated
        keyed = [dict(r, employees=r["employees"] + 1) for r in records if "domainName" in r]
        again = await run(client, keyed)
        assert again.ok and again.succeeded == 2500
        unkeyed = [r for r in records if "domainName" not in r]
        assert_exactly_once(emu, "up", keyed + unkeyed)


@pytest.mark.parametrize("upsert", [True, False])
async def test_5000_with_503s_and_drops_after_apply_still_exactly_once(upsert: bool) -> None:
    # Fault decisions come from a seeded RNG, one draw sequence per request in arrival order:
    # with seed 32 the first 80 requests include 6 proxy 502/503s and 2 drops after apply.
    faults = {"fault_rate": 0.05, "drop_rate": 0.02, "drop_after_apply": True, "fault_seed": 32}
    async with TwentyEmulator(**LIMITS, **faults) as emu, client_for(emu) as client:
        records = make_records(5000, f"flt{int(upsert)}")
        res = await run(client, records, upsert=upsert, retry_base=0.05, retry_cap=0.5)
        assert res.ok, res.failures[:3]
        assert res.succeeded == 5000
        assert_exactly_once(emu, f"flt{int(upsert)}", records)
        stats = emu.stats
        assert stats.status_faults > 0 and stats.dropped_after_apply > 0, stats


async def test_3_invalid_among_5000_reported_the_rest_land() -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        records = make_records(5000, "inv")
        records[7]["employees"] = "many"  # a bad number (named by the variable error)
        records[2501]["id"] = "not-a-uuid"  # rejected by the resolver for the whole batch
        records[4999]["colour"] = "red"  # not a field of CompanyCreateInput
        res = await run(client, records)
        assert [f.index for f in res.failures] == [7, 2501, 4999]
        reasons = [f.reason for f in res.failures]
        assert "many" in reasons[0]
        assert "UUID" in reasons[1]
        assert "colour" in reasons[2]
        assert all(f.record is records[f.index] for f in res.failures)
        good = [r for i, r in enumerate(records) if i not in (7, 2501, 4999)]
        assert res.succeeded == 4997
        assert_exactly_once(emu, "inv", good)


def _csv(path: Path, n: int, tag: str) -> None:
    lines = ["name,employees,domainName.primaryLinkUrl"]
    for i in range(n):
        domain = f"https://{tag}-{i}.example" if i % 3 == 0 else ""
        lines.append(f"{tag}-{i:05d},{i},{domain}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("upsert", [False, True])
async def test_import_killed_with_sigkill_and_rerun_is_exact(tmp_path: Path, upsert: bool) -> None:
    n = 3000
    tag = f"kill{int(upsert)}"
    data = tmp_path / "companies.csv"
    _csv(data, n, tag)
    ckpt = tmp_path / "import.ckpt"
    report = tmp_path / "report.jsonl"
    async with TwentyEmulator(**LIMITS, latency_ms=40) as emu:
        env = {**os.environ, "TWENTY_URL": emu.url, "TWENTY_API_KEY": emu.api_key}
        argv = [
            sys.executable, "-m", "codegen.cli", "import", "company", str(data),
            "--checkpoint", str(ckpt), "--report", str(report), "--concurrency", "2",
            "--no-progress",
        ] + (["--upsert"] if upsert else [])  # fmt: skip
        proc = await asyncio.create_subprocess_exec(
            *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        # wait until a handful of chunks are journaled, then kill it without warning
        for _ in range(600):
            await asyncio.sleep(0.02)
            if ckpt.exists() and ckpt.read_bytes().count(b"\n") >= 8:
                break
        assert proc.returncode is None, (await proc.communicate())[1].decode()
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        assert proc.returncode == -signal.SIGKILL
        partial = len(tagged(emu, tag))
        assert 0 < partial < n

        rerun = await asyncio.create_subprocess_exec(
            *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        _, err = await rerun.communicate()
        assert rerun.returncode == 0, err.decode()
        assert "already imported (checkpoint)" in err.decode()
        stored = tagged(emu, tag)
        assert len(stored) == n
        assert Counter(r["name"] for r in stored) == Counter(f"{tag}-{i:05d}" for i in range(n))
        assert all(r["employees"] == int(r["name"].rsplit("-", 1)[1]) for r in stored)
        assert report.read_text() == ""  # nothing failed
        assert json.loads(ckpt.read_text().splitlines()[0])["kind"] == "twenty-gql-bulk-checkpoint"


UPDATE: Operation[dict[str, Any]] = Operation(
    name="UpdateCompanies",
    document="mutation UpdateCompanies($data: CompanyUpdateInput!, $filter: CompanyFilterInput!) "
    "{ updateCompanies(data: $data, filter: $filter) { id employees } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("updateCompanies",),
    result_type=dict,
    idempotent=True,
)
DELETE: Operation[dict[str, Any]] = Operation(
    name="DeleteCompanies",
    document="mutation DeleteCompanies($filter: CompanyFilterInput!) "
    "{ deleteCompanies(filter: $filter) { id deletedAt } }",
    endpoint="graphql",
    kind="mutation",
    root_fields=("deleteCompanies",),
    result_type=dict,
    idempotent=True,
)


async def test_update_many_and_delete_many_by_ids() -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        records = [{"name": f"ud-{i:05d}", "employees": 1} for i in range(300)]
        created = await run(client, records)
        ids = [r["id"] for r in created.records]
        upd = await update_many(
            client, UPDATE, ids[:250], {"employees": 7}, result=lambda d: d["updateCompanies"]
        )
        assert upd.ok and upd.succeeded == 250 and upd.requests == 5
        assert [r["id"] for r in upd.records] == ids[:250]
        stored = {r["id"]: r for r in tagged(emu, "ud")}
        assert sum(stored[i]["employees"] == 7 for i in ids) == 250
        dele = await delete_many(client, DELETE, ids[200:], result=lambda d: d["deleteCompanies"])
        assert dele.ok and dele.succeeded == 100
        stored = {r["id"]: r for r in tagged(emu, "ud")}
        assert sum(stored[i].get("deletedAt") is not None for i in ids) == 100


async def test_key_revoked_mid_run_aborts_and_reports_every_unlanded_record() -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        records = make_records(1200, "rev")
        seen = 0

        def revoke_after_3(_: Any) -> None:
            nonlocal seen
            seen += 1
            if seen == 3:
                emu.revoke_key()

        res = await run(client, iter(records), on_progress=revoke_after_3, concurrency=1)
        assert res.total == 1200 and res.succeeded == 180
        assert res.succeeded + res.failed == 1200
        assert {f.code for f in res.failures} == {"FORBIDDEN"}
        assert [f.index for f in res.failures] == list(range(180, 1200))
        assert len(tagged(emu, "rev")) == 180


async def test_import_with_a_bad_key_exits_2_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "c.csv"
    _csv(data, 10, "badkey")
    async with TwentyEmulator(**LIMITS) as emu:
        bad = "not-the-key-" + emu.api_key[-6:]
        env = {**os.environ, "TWENTY_URL": emu.url, "TWENTY_API_KEY": bad}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "codegen.cli", "import", "company", str(data),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await proc.communicate()
        text = err.decode()
        assert proc.returncode == 2, text
        assert text.count("\n") == 1 and "authentication failed" in text
        assert bad not in text and "Traceback" not in text
        assert tagged(emu, "badkey") == []
