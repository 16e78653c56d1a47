"""``make demo``: the whole product against a local emulator, in one command.

1. starts ``twenty-gql emulator --seed demo --port 0`` (a subprocess; reads the TWENTY_URL and
   TWENTY_API_KEY lines it prints);
2. ``twenty-gql generate`` against it into a temporary package ``twenty_crm``;
3. ``examples/quickstart.py records``: filtered list, a person linked to a company, a 500-company
   bulk upsert with a progress bar, a custom object ``contract`` through the metadata API;
4. ``twenty-gql generate`` again, so the package knows ``contract``;
5. ``examples/quickstart.py contracts``: creates and lists contracts through the typed facade;
6. stops the emulator (SIGTERM; it must exit 0) and prints a summary with timings.

The API key travels in the environment of the child processes only, never on a command line.
Any failure stops the emulator and exits 1 with the failing step named.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from twenty_gql.testing.process import EmulatorProcess, EmulatorStartError

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart.py"
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 60.0
STEP_TIMEOUT = 120.0


class DemoError(Exception):
    """A step failed; the message says which and why."""


def twenty_gql() -> list[str]:
    """The ``twenty-gql`` console script of this interpreter's environment."""
    script = BIN / "twenty-gql"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "codegen.cli"]  # same entry point, when not installed


def start_emulator() -> EmulatorProcess:
    emulator = EmulatorProcess(
        ["--seed", "demo", "--port", "0"],
        command=[*twenty_gql(), "emulator"],
        startup_timeout=STARTUP_TIMEOUT,
    )
    try:
        return emulator.start()
    except EmulatorStartError as exc:
        raise DemoError(str(exc)) from None


def run(step: str, cmd: list[str], env: dict[str, str]) -> list[str]:
    """Run one step, echoing its output indented; return its ``=> `` result lines."""
    shown = ["python" if c == sys.executable else c for c in cmd]
    shown = [os.path.relpath(c, ROOT) if c.startswith(str(ROOT)) else c for c in shown]
    print(f"\n$ {' '.join(shown)}", flush=True)
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,  # stderr (the tqdm bar) goes straight to the terminal
            text=True,
            timeout=STEP_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise DemoError(f"{step}: no answer within {STEP_TIMEOUT:.0f} s") from None
    for line in proc.stdout.splitlines():
        print(f"  {line}", flush=True)
    if proc.returncode != 0:
        raise DemoError(f"{step} failed (exit {proc.returncode}); see its output above")
    return [line[3:] for line in proc.stdout.splitlines() if line.startswith("=> ")]


def main() -> int:
    started = time.perf_counter()
    summary: list[tuple[str, float, list[str]]] = []
    print("twenty-gql demo: emulator -> generate -> quickstart -> regenerate -> custom object")
    t0 = time.perf_counter()
    try:
        emulator = start_emulator()
    except (DemoError, OSError) as exc:
        print(f"\ndemo FAILED: {exc}", file=sys.stderr)
        return 1
    found = {"TWENTY_URL": emulator.url, "TWENTY_API_KEY": emulator.api_key}
    summary.append(
        ("start the emulator (seed demo)", time.perf_counter() - t0, [found["TWENTY_URL"]])
    )
    print(f"emulator at {found['TWENTY_URL']}")
    failure: str | None = None
    with tempfile.TemporaryDirectory(prefix="twenty-demo-") as tmp:
        env = {
            **os.environ,
            **found,
            "PYTHONPATH": os.pathsep.join(p for p in (tmp, os.environ.get("PYTHONPATH", "")) if p),
        }
        generate = [
            *twenty_gql(),
            "generate",
            "--url",
            found["TWENTY_URL"],
            "--out",
            tmp,
            "--package",
            "twenty_crm",
        ]
        steps = [
            ("generate the package twenty_crm", generate),
            ("quickstart stage 1: records", [sys.executable, str(QUICKSTART), "records"]),
            ("regenerate (the workspace has a new object)", generate),
            ("quickstart stage 2: contracts", [sys.executable, str(QUICKSTART), "contracts"]),
        ]
        try:
            for name, cmd in steps:
                t0 = time.perf_counter()
                results = run(name, cmd, env)
                if cmd is generate:
                    modules = sorted(
                        p.stem
                        for p in (Path(tmp) / "twenty_crm" / "core" / "objects").glob("[!_]*.py")
                    )
                    results = [f"{len(modules)} object modules: {', '.join(modules)}"]
                summary.append((name, time.perf_counter() - t0, results))
        except (DemoError, OSError) as exc:
            failure = str(exc)
        finally:
            t0 = time.perf_counter()
            code = emulator.stop()
            print(f"\nemulator stopped (exit {code})", flush=True)
            if code != 0 and failure is None:
                failure = f"the emulator exited {code} on SIGTERM (expected 0)"
            summary.append(
                ("stop the emulator (SIGTERM)", time.perf_counter() - t0, [f"exit {code}"])
            )
    if failure is not None:
        print(f"\ndemo FAILED: {failure}", file=sys.stderr)
        return 1
    print("\nsummary")
    for name, seconds, results in summary:
        print(f"  {seconds:6.1f} s  {name}")
        for line in results:
            print(f"            {line}")
    print(f"demo OK in {time.perf_counter() - started:.1f} s wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
