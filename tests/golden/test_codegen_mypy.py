"""One ``mypy --strict`` run over generated packages.

Covers the committed ``generated/twenty_standard`` (emulator standard workspace + the Twenty
2.43 metadata schema: all 135 queries and 268 mutations), the small golden schema, the
hostile schema and the name-clash schema. Slow-ish (~30-60 s), so it is a single test with a
single mypy process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codegen.generate import write_package

from ._gen import small_files
from .test_codegen_hostile import write_clashes, write_hostile

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mypy_strict_on_generated_packages(tmp_path: Path) -> None:
    pkgs = tmp_path / "pkgs"
    shutil.copytree(ROOT / "generated" / "twenty_standard", pkgs / "twenty_standard")
    write_package(small_files(), pkgs)
    (tmp_path / "h").mkdir()
    hostile = write_hostile(tmp_path / "h")
    shutil.copytree(hostile / "hostile_pkg", pkgs / "hostile_pkg")
    (tmp_path / "c").mkdir()
    shutil.copytree(write_clashes(tmp_path / "c") / "clashes_pkg", pkgs / "clashes_pkg")
    env = dict(os.environ, MYPYPATH=str(ROOT))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "-p",
            "twenty_standard",
            "-p",
            "small",
            "-p",
            "hostile_pkg",
            "-p",
            "clashes_pkg",
        ],
        cwd=pkgs,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Success" in proc.stdout
