"""Run the drift check here, against a local emulator instead of a real workspace.

    .venv/bin/python examples/ci_drift_check/try_with_emulator.py

1. starts an emulator (standard seed) and generates ``twenty_crm`` from it into a temp dir;
2. runs ``check_drift.sh``: exit 0, the package is fresh;
3. adds a field to ``company`` through the metadata API (what someone editing the data model
   in Twenty's settings does);
4. runs ``check_drift.sh`` again: exit 1, with the difference printed.

Exits 0 when both runs gave the expected status, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


async def run(cmd: list[str], env: dict[str, str]) -> int:
    print(f"$ {' '.join(cmd)}", flush=True)
    proc = await asyncio.create_subprocess_exec(*cmd, env=env)
    code = await proc.wait()
    print(f"exit {code}", flush=True)
    return code


async def main() -> int:
    async with TwentyEmulator(seed="standard") as emu:
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "TWENTY_URL": emu.url,
                "TWENTY_API_KEY": emu.api_key,
                "PACKAGE": str(Path(tmp) / "twenty_crm"),
                "TWENTY_GQL": str(BIN / "twenty-gql"),
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            }
            generate = ["twenty-gql", "generate", "--url", emu.url, "--out", tmp]
            if await run([*generate, "--package", "twenty_crm"], env) != 0:
                return 1
            check = ["bash", str(HERE / "check_drift.sh")]
            fresh = await run(check, env)

            sys.path.insert(0, tmp)
            from twenty_crm import MetadataApi

            async with TwentyClient(emu.url, emu.api_key) as client:
                meta = MetadataApi(client)
                objects = await meta.objects.find_many(paging={"first": 100})
                nodes = [edge.node for edge in objects.edges]
                company = next(n for n in nodes if n.name_singular == "company")
                await meta.fields.create(
                    input={
                        "field": {
                            "objectMetadataId": company.id,
                            "type": "TEXT",
                            "name": "tier",
                            "label": "Tier",
                        }
                    }
                )
            print("added the field company.tier through the metadata API", flush=True)
            drifted = await run(check, env)
    ok = (fresh, drifted) == (0, 1)
    print(
        f"drift check: fresh -> {fresh}, after the change -> {drifted}: {'OK' if ok else 'WRONG'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
