"""``mypy --strict`` pins the public types of a generated bulk create: ``create_many`` has
explicit keyword parameters (a misspelt one is an error) and returns
``BulkResult[Company, CompanyCreateInput]`` whose accessors are typed end to end."""

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

from collections.abc import AsyncIterator

from typing_extensions import assert_type

from twenty_gql import TwentyClient
from twenty_gql.bulk import BulkEntry, BulkFailure, BulkProgress, BulkResult, Outcome
from twenty_gql.errors import TwentyError
from twenty_standard.core import CoreApi
from twenty_standard.core.objects.company import Company, CompanyCreateInput


async def rows() -> AsyncIterator[CompanyCreateInput]:
    yield {"name": "Acme"}


async def use(client: TwentyClient) -> int:
    crm = CoreApi(client)
    data: list[CompanyCreateInput] = [{"name": "Acme", "domainName": {"primaryLinkUrl": "a.io"}}]
    result = await crm.companies.create_many(
        data,
        upsert=True,
        on_duplicate="last",
        batch_size=50,
        concurrency=2,
        on_progress=lambda p: assert_type(p, BulkProgress),
        checkpoint="import.ckpt",
        keep_records=False,
        max_retries=3,
        outage_tolerance=5.0,
        deadline=60.0,
    )
    assert_type(result, BulkResult[Company, CompanyCreateInput])
    streamed = await crm.companies.create_many(rows())
    assert_type(streamed, BulkResult[Company, CompanyCreateInput])
    assert_type(result.records, list[Company])
    assert_type(result.counts, dict[Outcome, int])
    assert_type(result.created, int)
    assert_type(result.updated, int)
    assert_type(result.duplicate_in_input, int)
    assert_type(result.outcome(0), Outcome)
    failure = result.failures[0]
    assert_type(failure, BulkFailure[CompanyCreateInput])
    assert_type(failure.record, CompanyCreateInput)
    assert_type(failure.error, TwentyError)
    for entry in result:
        assert_type(entry, BulkEntry[Company, CompanyCreateInput])
        assert_type(entry.record, Company | None)
        assert_type(entry.input, CompanyCreateInput | None)
        assert_type(entry.error, TwentyError | None)
        assert_type(entry.duplicate_of, int | None)
    result.raise_for_failures()
    return result.counts[Outcome.CREATED]
"""

BAD = """\
from __future__ import annotations

from twenty_gql import TwentyClient
from twenty_standard.core import CoreApi


async def use(client: TwentyClient) -> None:
    crm = CoreApi(client)
    await crm.companies.create_many([{"name": "A"}], on_progres=print)  # line 9: misspelt
    await crm.companies.create_many([{"name": "A"}], on_duplicate="merge")  # line 10
    await crm.companies.create_many([{"nmae": "A"}])  # line 11: not a CompanyCreateInput key
    res = await crm.companies.create_many([{"name": "A"}])
    n: str = res.records[0].name  # line 13: Company.name is not str
    res.failures[0].record["nope"]  # line 14: not a CompanyCreateInput key
"""


@pytest.mark.slow
def test_mypy_strict_pins_the_bulk_types(tmp_path: Path) -> None:
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
    assert lines == [9, 10, 11, 13, 14], proc.stdout
    assert 'Unexpected keyword argument "on_progres"' in proc.stdout, proc.stdout
