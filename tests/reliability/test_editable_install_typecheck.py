"""A fresh venv with ``pip install -e <repo>`` (nothing else): mypy run on a service outside
the repo follows the editable install into ``twenty_gql`` and into generated bindings (no
``import-not-found``, real types revealed). Slow: it builds an editable wheel and installs the
runtime dependencies."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICE = """\
from twenty_gql import TwentyClient
from twenty_gql.datamodel import DataModel
from my_crm import CoreApi


async def main(client: TwentyClient) -> None:
    crm = CoreApi(client)
    reveal_type(crm.companies)
    reveal_type(crm.data_model)
    reveal_type(DataModel(client).objects)
"""


@pytest.mark.slow
def test_mypy_follows_the_editable_install_from_outside_the_repo(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # a path entry, not an import hook: what type checkers can follow
    pth = list(env_dir.glob("lib/python*/site-packages/__editable__*twenty_gql*.pth"))
    assert pth and pth[0].read_text().strip() == str(REPO), [p.read_text() for p in pth]

    service = tmp_path / "service"
    service.mkdir()
    shutil.copytree(REPO / "generated" / "twenty_standard", service / "my_crm")
    (service / "main.py").write_text(SERVICE, encoding="utf-8")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--python-executable",
            str(py),
            "--no-incremental",
            "main.py",
        ],
        cwd=service,
        capture_output=True,
        text=True,
        check=False,
    )
    text = out.stdout + out.stderr
    assert "import-not-found" not in text and "import-untyped" not in text, text
    assert 'Revealed type is "my_crm.core.objects.company.CompanyApi"' in text, text
    assert 'Revealed type is "twenty_gql.datamodel.DataModel"' in text, text
    assert "list[twenty_gql.datamodel.ObjectInfo]" in text, text
    assert out.returncode == 0 and "Success: no issues found" in text, text
