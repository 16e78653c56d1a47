"""create_many against the emulator's real store in-process (no HTTP): upsert semantics by id
and by unique key, with 503s and drops after the write applied."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from twenty_gql.bulk import create_many
from twenty_gql.testing.workspace import Workspace

from .fakes import CREATE_OP
from .workspace_client import WorkspaceClient


def make_records(n: int, tag: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n):
        rec: dict[str, Any] = {"name": f"{tag}-{i:05d}", "employees": i}
        if i % 2 == 0:
            rec["domainName"] = {"primaryLinkUrl": f"https://{tag}-{i}.example"}
        out.append(rec)
    return out


def stored(ws: Workspace, tag: str) -> list[dict[str, Any]]:
    return [dict(r) for r in ws.records("company") if str(r.get("name")).startswith(tag + "-")]


@pytest.mark.parametrize("upsert", [True, False])
async def test_exactly_once_with_503s_and_drops_after_apply(upsert: bool) -> None:
    ws = Workspace("standard", batch_limit=60)
    client = WorkspaceClient(ws, fault_rate=0.1, drop_rate=0.1)
    records = make_records(3000, "w")
    res = await create_many(
        client,
        CREATE_OP,
        records,
        upsert=upsert,
        result=lambda d: d["createCompanies"],
        unique_fields=("domainName",),
        retry_base=0.001,
    )
    assert res.ok, res.failures[:3]
    assert client.faults >= 5
    rows = stored(ws, "w")
    assert Counter(r["name"] for r in rows) == Counter(r["name"] for r in records)
    assert all(r["employees"] == int(r["name"][2:]) for r in rows)
    if upsert:
        changed = [dict(r, employees=-1) for r in records if "domainName" in r]
        again = await create_many(
            client,
            CREATE_OP,
            changed,
            upsert=True,
            result=lambda d: d["createCompanies"],
            unique_fields=("domainName",),
            retry_base=0.001,
        )
        assert again.ok
        rows = stored(ws, "w")
        assert len(rows) == 3000
        assert sum(r["employees"] == -1 for r in rows) == 1500
