"""The examples run for real, as a user would run them (each in a subprocess).

``examples/demo.py`` is what ``make demo`` runs: the must-show of issue 8. It stays in CI
(marked ``slow`` like the other long behaviour tests, which ``make test`` still runs).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
TIMEOUT = 180


def run(cmd: list[str], cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.mark.slow
def test_demo_runs_every_step_and_exits_0() -> None:
    proc = run([sys.executable, str(EXAMPLES / "demo.py")])
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    key = re.search(r"TWENTY_API_KEY=(\S+)", out)
    assert key is None, "the demo printed the API key"
    summary = out[out.index("\nsummary\n") :]
    assert re.search(r"companies named like '%partners%': \d+", summary)
    assert re.search(r"created person [0-9a-f-]{36} at 'Acme Partners'", summary)
    assert "bulk upsert: 500 landed, 0 failed, 9 requests" in summary
    assert re.search(r"custom object 'contract' [0-9a-f-]{36} with fields", summary)
    assert "untyped crm.object('contract') before regenerating: created and removed 'Pilot'" in (
        summary
    )
    assert "29 object modules" in summary and "30 object modules" in summary
    assert "created contracts: " in summary and " and 2 more" in summary
    assert "('Acme 2026', 'ENTERPRISE', 'Acme Partners')" in summary
    assert re.search(r"stop the emulator \(SIGTERM\)\n\s+exit 0", summary)
    wall = re.search(r"demo OK in ([\d.]+) s wall time", summary)
    assert wall is not None
    assert "upserting companies" in proc.stderr  # the tqdm bar
    print(f"make demo wall time: {wall.group(1)} s")


def test_service_has_no_assert_cast_or_type_ignore() -> None:
    """The must-show of issue 12: the designed API needs none of them (mypy --strict is run on
    the file by the test below, against the regenerated package)."""
    source = (EXAMPLES / "service.py").read_text(encoding="utf-8")
    for banned in ("assert", "cast(", "type: ignore"):
        assert banned not in source, banned


@pytest.mark.slow
def test_service_runs_both_stages_and_passes_mypy_strict() -> None:
    proc = run([sys.executable, str(EXAMPLES / "run_service.py")])
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "TWENTY_API_KEY=" not in out + proc.stderr
    assert "Success: no issues found in 1 source file" in out  # mypy --strict, stage 2 included
    results = out[out.index("\nresults\n") :]
    lines = [line.strip() for line in results.splitlines()]
    assert re.search(r"list: 5 of 26 ideal-profile companies, highest ARR first: \[\('", results)
    assert re.search(r"get: '[^']+' by id [0-9a-f-]{36} \(same record: True\)", results)
    assert "person.company_id == company.id: True (UUID both sides)" in results
    assert "null: employees 12.0 -> None, name not sent so kept: 'Lovelace Analytics'" in lines
    assert "iterate: 61 companies with a domain, read 20 at a time" in lines
    # 60 seeded companies + the one created above are matched by domain; 50 repeated keys
    assert (
        "bulk upsert of 1000 rows (on_duplicate='last'): created=889, updated=61, "
        "duplicate_in_input=50, failed=0; companies 61 -> 950" in results
    )
    assert (
        "bulk row 0: duplicate_in_input of row 950 (updated), landed as 'Acme Partners' with "
        "employees=75.0 (the last row's)" in lines
    )
    assert (
        "trash: deleted 'Lovelace Analytics' (deleted_at set: True), find_deleted -> "
        "['Lovelace Analytics'] (total 1), restored: deleted_at=None, back in reads: 1" in lines
    )
    assert "wrong key -> UnauthenticatedError: " in results
    assert "key in message: False" in results
    assert (
        "custom object 'invoice' with ['amount', 'company', 'status'], untyped at once: "
        "[('INV-0001', 1200.0, 'DRAFT'), ('INV-0002', 300.0, 'SENT')] (total 2), "
        "companyId == company.id: True" in lines
    )
    assert (
        "typed create: INV-0003 status=InvoiceStatusEnum.PAID company_id is UUID, "
        "== company.id: True" in lines
    )
    assert "typed find_many: Page[Invoice] total 3: " in results
    assert "('INV-0003', 450.0, 'PAID')]" in results
    assert "emulator stopped (exit 0)" in out
    wall = re.search(r"service OK in ([\d.]+) s wall time", out)
    assert wall is not None
    print(f"make service wall time: {wall.group(1)} s")


@pytest.mark.slow
def test_service_driver_fails_when_mypy_finds_an_issue(tmp_path: Path) -> None:
    """The mypy gate is real: a copy of service.py whose stage 2 misuses a typed FK fails it."""
    source = (EXAMPLES / "service.py").read_text(encoding="utf-8")
    marker = "    linked = paid.company_id == customer.id\n"
    assert marker in source
    broken = tmp_path / "service.py"
    broken.write_text(source.replace(marker, "    bad: str = paid.company_id\n" + marker))
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        "import pathlib, run_service\n"
        f"run_service.SERVICE = pathlib.Path({str(broken)!r})\n"
        "sys.exit(run_service.main())\n"
    )
    proc = run([sys.executable, "-c", code])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'expression has type "UUID | None", variable has type "str"' in proc.stdout
    assert "service FAILED: mypy --strict examples/service.py failed (exit 1)" in proc.stderr
    assert "emulator stopped (exit 0)" in proc.stdout
    assert "typed create" not in proc.stdout  # stage 2 never ran


def test_demo_fails_cleanly_when_a_step_fails() -> None:
    """The first ``twenty-gql generate`` gets a bad flag: exit 1, step named, emulator stopped."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
        "import demo\n"
        "real_run = demo.run\n"
        "demo.run = lambda step, cmd, env: real_run(step, [*cmd, '--no-such-flag'], env)\n"
        "sys.exit(demo.main())\n"
    )
    proc = run([sys.executable, "-c", code])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "unrecognized arguments: --no-such-flag" in proc.stderr
    assert "demo FAILED: generate the package twenty_crm failed (exit 2)" in proc.stderr
    assert "emulator stopped (exit 0)" in proc.stdout
    assert "summary" not in proc.stdout


def test_user_suite_with_the_emulator_fixture_passes() -> None:
    suite = EXAMPLES / "test_with_emulator"
    proc = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=suite)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"\b4 passed\b", proc.stdout), proc.stdout
    assert not re.search(r"skipped|warning|xfail", proc.stdout), proc.stdout


def test_drift_check_is_fresh_then_fails_after_a_metadata_change() -> None:
    proc = run([sys.executable, str(EXAMPLES / "ci_drift_check" / "try_with_emulator.py")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fresh -> 0, after the change -> 1: OK" in proc.stdout
    assert "is up to date with" in proc.stdout
    assert "+ Company.tier: String" in proc.stdout


def test_drift_check_exits_2_when_the_server_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the check runs: connection refused
    proc = run(
        ["bash", str(EXAMPLES / "ci_drift_check" / "check_drift.sh")],
        TWENTY_URL=f"http://127.0.0.1:{port}",
        TWENTY_API_KEY="k-not-printed",
        PACKAGE=str(ROOT / "generated" / "twenty_standard"),
        GITHUB_ACTIONS="true",
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "twenty-gql check: error" in proc.stderr
    assert "k-not-printed" not in proc.stdout + proc.stderr
    assert "::error" not in proc.stdout  # the drift annotation is for exit 1 only


def test_drift_check_needs_its_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWENTY_")}
    proc = subprocess.run(
        ["bash", str(EXAMPLES / "ci_drift_check" / "check_drift.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode != 0
    assert "set TWENTY_URL" in proc.stderr


def test_bulk_import_example_runs() -> None:
    proc = run([sys.executable, str(EXAMPLES / "bulk_import.py")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "create_many: 239 landed (239 created, 0 updated), 1 merged into a twin, 1 failed" in out
    assert "record #17 (Sample Co 018)" in out
    assert "record #240 repeats the domain of record #3" in out
    # the CLI upserts the same file: the failed row is created, the others matched and updated
    assert "(1 created, 239 updated)" in proc.stderr
    assert "exit code 0; companies now: 240 new" in proc.stdout


def test_workflow_runs_the_script_with_the_settings_it_reads() -> None:
    """No YAML parser among our dependencies: the workflow is checked as text."""
    workflow = (EXAMPLES / "ci_drift_check" / "twenty-drift.yml").read_text(encoding="utf-8")
    script = (EXAMPLES / "ci_drift_check" / "check_drift.sh").read_text(encoding="utf-8")
    assert "run: bash examples/ci_drift_check/check_drift.sh" in workflow
    required = set(re.findall(r'^: "\$\{(\w+):\?', script, re.M))
    assert required == {"TWENTY_URL", "TWENTY_API_KEY"}
    for name in required:
        assert re.search(rf"^\s+{name}: \$\{{\{{ secrets\.{name} \}}\}}$", workflow, re.M), name
    assert re.search(r"^\s+PACKAGE: \S+", workflow, re.M)
    assert "--api-key" not in script + workflow  # the key stays in the environment


def test_files_example_round_trips_and_retries_a_dropped_upload() -> None:
    proc = run([sys.executable, str(EXAMPLES / "files.py")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(
        r"attached 'contract.pdf' to company [0-9a-f-]{36} \(4 progress marks\)", proc.stdout
    )
    assert "person.avatarFile = ['ada.png']" in proc.stdout
    assert "company files: [('contract.pdf', 'attachment')]" in proc.stdout
    assert "downloaded 5242880 bytes, sha256 matches" in proc.stdout
    assert "1 retry, 1 connection dropped, 1 stored file for it" in proc.stdout
    assert "Authorization headers seen by storage: 0" in proc.stdout
    assert "token=" not in proc.stdout + proc.stderr


def test_webhooks_example_runs() -> None:
    proc = run([sys.executable, str(EXAMPLES / "webhooks.py")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "deliveries: 65, failed: 0" in proc.stdout  # 60+1+2 + opportunity + gadget
    assert "company 'Hooked Prime' updated: name, employees" in proc.stdout
    assert "opportunity 'Deal' created" in proc.stdout  # typed by the generated events
    assert "untyped gadget.created: no record type for object 'gadget'" in proc.stdout
    assert "forged delivery -> HTTP 401 MissingHeaderError" in proc.stdout
    assert "webhooks example OK" in proc.stdout
