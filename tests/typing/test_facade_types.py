"""``mypy --strict`` pins the designed facade's public types (``facade_good.py``: every
``assert_type`` holds, no error) and reports each misuse in ``facade_bad.py`` on its marked
line, and nowhere else."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.mark.slow
def test_mypy_pins_the_facade_types(tmp_path: Path) -> None:
    for name in ("facade_good.py", "facade_bad.py"):
        shutil.copy(HERE / name, tmp_path / name)
    env = dict(os.environ, MYPYPATH=os.pathsep.join([str(ROOT), str(ROOT / "generated")]))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--show-error-codes",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "facade_good.py",
            "facade_bad.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    errors = re.findall(r"^(facade_\w+)\.py:(\d+): error", proc.stdout, re.M)
    assert errors, proc.stdout + proc.stderr  # mypy ran and found the bad file's errors
    assert [e for e in errors if e[0] == "facade_good"] == [], proc.stdout
    bad = (HERE / "facade_bad.py").read_text(encoding="utf-8").splitlines()
    marked = [i for i, line in enumerate(bad, 1) if line.rstrip().endswith("# error")]
    reported = sorted({int(n) for f, n in errors if f == "facade_bad"})
    assert reported == marked, proc.stdout
