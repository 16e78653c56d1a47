"""The generated events module of generated/twenty_standard, proven with ``mypy --strict``:
``@hooks.on(events.company.updated)`` types its handler ``WebhookEvent[Company]``; a wrong
record type, a wrong record attribute and an unknown object are reported."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TYPED = Path(__file__).parent / "typed"


def mypy(module: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MYPYPATH=str(ROOT / "generated"))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            os.devnull,
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "-m",
            f"tests.unit.webhooks.typed.{module}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_generated_events_type_handlers_and_report_mistakes() -> None:
    ok = mypy("events_ok")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = mypy("events_bad")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    source = (TYPED / "events_bad.py").read_text().splitlines()
    expected = {i + 1 for i, line in enumerate(source) if "# E:" in line}
    reported = {int(m.group(1)) for m in re.finditer(r"events_bad\.py:(\d+): error", bad.stdout)}
    assert reported == expected, bad.stdout
    assert 'Module has no attribute "compnay"' in bad.stdout, bad.stdout
