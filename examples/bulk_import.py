"""Bulk import against the embedded emulator: the Python API, then the `twenty-gql import` CLI.

    .venv/bin/python examples/bulk_import.py

1. starts a local Twenty emulator (batch limit 60, 100 calls per 2 s);
2. upserts 240 companies from examples/data/companies.csv through the generated facade
   (``crm.companies.create_many``), with one deliberately broken record to show per-record
   failures, one row repeating another's domain (``on_duplicate="first"`` merges it into its
   twin), a progress callback and a checkpoint file, and prints the outcome counts;
3. runs ``twenty-gql import company examples/data/companies.csv --upsert`` as a subprocess:
   the same rows upsert onto the same records (matched by ``domainName``), nothing duplicates;
   its summary says how many rows were created and how many updated.
"""

from __future__ import annotations

import asyncio
import csv
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))

from twenty_standard import CoreApi  # noqa: E402

from twenty_gql.bulk import BulkProgress  # noqa: E402
from twenty_gql.client import TwentyClient  # noqa: E402
from twenty_gql.testing import TwentyEmulator  # noqa: E402

CSV_PATH = ROOT / "examples" / "data" / "companies.csv"


def rows_from_csv(path: Path) -> list[dict[str, Any]]:
    """The Python-API way: build create-input dicts yourself (the CLI does this from the schema)."""
    out: list[dict[str, Any]] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            record: dict[str, Any] = {
                "name": row["name"],
                "domainName": {"primaryLinkUrl": row["domainName.primaryLinkUrl"]},
                "employees": float(row["employees"]),
                "idealCustomerProfile": row["idealCustomerProfile"] == "true",
            }
            if row["address.addressCity"]:
                record["address"] = {"addressCity": row["address.addressCity"]}
            out.append(record)
    return out


async def main() -> None:
    async with TwentyEmulator(
        seed="standard", batch_limit=60, rate_limit=((100, 1000), (100, 2000))
    ) as emu:
        before = len(emu.workspace.records("company"))
        records = rows_from_csv(CSV_PATH)
        records[17]["employees"] = "lots"  # a bad value: reported, the other 239 still land
        twin = dict(records[3], name="Sample Co 004 (again)")
        twin["domainName"] = {"primaryLinkUrl": records[3]["domainName"]["primaryLinkUrl"].upper()}
        records.append(twin)  # the same domain (Twenty lower-cases URL hosts): merged, not sent

        def show(p: BulkProgress) -> None:
            print(f"  progress: {p.done} landed, {p.failed} failed, {p.requests} requests")

        with tempfile.TemporaryDirectory() as tmp:
            async with TwentyClient(emu.url, emu.api_key) as client:
                crm = CoreApi(client)
                result = await crm.companies.create_many(
                    records,
                    upsert=True,
                    on_duplicate="first",
                    on_progress=show,
                    checkpoint=os.path.join(tmp, "companies.ckpt"),
                )
        print(
            f"create_many: {result.succeeded} landed ({result.created} created, "
            f"{result.updated} updated), {result.duplicate_in_input} merged into a twin, "
            f"{result.failed} failed"
        )
        for failure in result.failures:
            print(f"  record #{failure.index} ({failure.record['name']}): {failure.reason}")
        for index, into in result.duplicates.items():
            outcome = result.outcome(index).value
            print(f"  record #{index} repeats the domain of record #{into}: {outcome}")
        print(f"companies in the workspace: {len(emu.workspace.records('company')) - before} new")

        env = {**os.environ, "TWENTY_URL": emu.url, "TWENTY_API_KEY": emu.api_key}
        cmd = [sys.executable, "-m", "codegen.cli", "import", "company", str(CSV_PATH), "--upsert"]
        print("$ twenty-gql import company examples/data/companies.csv --upsert")
        proc = await asyncio.create_subprocess_exec(*cmd, env=env)
        code = await proc.wait()
        print(
            f"exit code {code}; companies now: {len(emu.workspace.records('company')) - before} new"
        )


if __name__ == "__main__":
    asyncio.run(main())
