"""Typed registration, proven with ``mypy --strict``: a handler registered for
``CompanyEvents.updated`` receives ``WebhookEvent[Company]``, and a mismatch is an error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TYPED = Path(__file__).parent / "typed"


def mypy(module: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "-m",
            f"tests.unit.webhooks.typed.{module}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_typed_handlers_pass_and_mismatches_fail_under_mypy_strict() -> None:
    ok = mypy("service_ok")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = mypy("service_bad")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    source = (TYPED / "service_bad.py").read_text().splitlines()
    expected = {i + 1 for i, line in enumerate(source) if "# E:" in line}
    reported = {int(m.group(1)) for m in re.finditer(r"service_bad\.py:(\d+): error", bad.stdout)}
    assert reported == expected, bad.stdout
