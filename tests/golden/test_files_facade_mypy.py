"""``mypy --strict`` over code using the generated file methods of ``generated/twenty_standard``:
the right calls type-check, and wrong ones (a FILES field that is not there, a wrong source
type, a missing id) are reported on their lines."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
from __future__ import annotations

from pathlib import Path

from twenty_gql import TwentyClient
from twenty_gql.files import Files, RecordFile
from twenty_standard.core import CoreApi


async def use(client: TwentyClient, company: str, person: str) -> int:
    crm = CoreApi(client)
    files: Files = crm.files
    att: RecordFile = await crm.companies.attach_file(
        company, Path("c.pdf"), name="Contract", progress=lambda done, total: None
    )
    await crm.opportunities.attach_file(company, b"bytes", filename="o.txt")
    created = await crm.companies.create(data={"name": "Acme"})
    if created is not None:  # a record id as read (uuid.UUID) is accepted as is
        await crm.companies.attach_file(created.id, b"x", filename="x.txt")
    listed: list[RecordFile] = await crm.companies.files(company)
    avatar: list[RecordFile] = await crm.people.set_avatar_file(
        person, [("a.png", b"png"), att], append=False
    )
    return await files.download(listed[0], "/tmp/x") + len(avatar)
"""

BAD = """\
from __future__ import annotations

from twenty_gql import TwentyClient
from twenty_standard.core import CoreApi


async def use(client: TwentyClient, company: str) -> None:
    crm = CoreApi(client)
    await crm.companies.set_avatar_file(company, [b"x"])  # line 9: no such FILES field
    await crm.people.set_avatar_file(company, [42])  # line 10: not a source
    await crm.companies.attach_file(b"no id")  # line 11: missing file
    await crm.messages.attach_file(company, b"x")  # line 12: attachments cannot target it
    n: int = await crm.companies.files(company)  # line 13: a list of RecordFile
"""


@pytest.mark.slow
def test_mypy_strict_on_code_using_the_file_methods(tmp_path: Path) -> None:
    (tmp_path / "good_usage.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad_usage.py").write_text(BAD, encoding="utf-8")
    env = dict(os.environ, MYPYPATH=os.pathsep.join([str(ROOT), str(ROOT / "generated")]))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "good_usage.py",
            "bad_usage.py",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    errors = re.findall(r"^(\w+_usage)\.py:(\d+): error", proc.stdout, re.M)
    assert [e for e in errors if e[0] == "good_usage"] == [], proc.stdout
    lines = sorted({int(n) for f, n in errors if f == "bad_usage"})
    assert lines == [9, 10, 11, 12, 13], proc.stdout
