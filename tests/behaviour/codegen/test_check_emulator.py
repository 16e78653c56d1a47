"""``twenty-gql generate``/``check`` against the running emulator (exit codes 0 / 1 / 2)."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import check_cli, generate_cli
from twenty_gql.client import TwentyClient
from twenty_gql.testing.emulator import TwentyEmulator

GENERATED = Path(__file__).resolve().parents[3] / "generated"


async def _check(*argv: str) -> int:
    return await asyncio.to_thread(check_cli.main, list(argv))


async def test_committed_bindings_are_fresh_then_drift_after_adding_a_field(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with TwentyEmulator(seed="standard", rate_limit=None) as emu:
        pkg = str(GENERATED / "twenty_standard")
        assert await _check("--url", emu.url, "--package", pkg, "--api-key", emu.api_key) == 0
        assert "is up to date" in capsys.readouterr().out

        sys.path.insert(0, str(GENERATED))
        try:
            import twenty_standard as ts

            async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as client:
                meta: Any = ts.MetadataApi(client)
                objects = await meta.objects.find_many(paging={"first": 100})
                company = next(e.node for e in objects.edges if e.node.name_singular == "company")
                await meta.fields.create(
                    input={
                        "field": {
                            "objectMetadataId": company.id,
                            "name": "tagline",
                            "label": "Tagline",
                            "type": "TEXT",
                        }
                    }
                )
        finally:
            sys.path.remove(str(GENERATED))
        assert await _check("--url", emu.url, "--package", pkg, "--api-key", emu.api_key) == 1
        out = capsys.readouterr().out
        assert "graphql: schema changed" in out
        assert "+ Company.tagline: String" in out
        assert "metadata: schema changed" not in out


async def test_generate_from_live_emulator_then_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with TwentyEmulator(seed="empty", rate_limit=None) as emu:
        args = [
            "--url",
            emu.url,
            "--api-key",
            emu.api_key,
            "--out",
            str(tmp_path),
            "--package",
            "live",
        ]
        assert await asyncio.to_thread(generate_cli.main, args) == 0
        files = [p for p in (tmp_path / "live").rglob("*") if p.is_file()]
        assert files and all(emu.api_key not in p.read_text("utf-8") for p in files)
        assert (
            await _check(
                "--url", emu.url, "--package", str(tmp_path / "live"), "--api-key", emu.api_key
            )
            == 0
        )

        assert (
            await _check(
                "--url", emu.url, "--package", str(tmp_path / "live"), "--api-key", "bogus"
            )
            == 2
        )
        err = capsys.readouterr().err
        assert "authentication failed" in err and len(err.strip().splitlines()) == 1

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert (
        await _check("--url", f"http://127.0.0.1:{port}", "--package", str(tmp_path / "live")) == 2
    )
    err = capsys.readouterr().err
    assert "cannot connect to" in err and "Traceback" not in err
