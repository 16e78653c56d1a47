"""The runtime install is slim: ``pip install twenty-gql`` (no extras) into a fresh venv, then a
generated package (``generated/twenty_standard``) imported and called against an emulator that
runs from ANOTHER environment (this one). The fresh venv has no generator, template engine,
formatter, graphql-core or tqdm.

Figures (packages installed, site-packages size, import and first-call time) are printed; run
with ``-s`` to see them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from twenty_gql.testing.process import EmulatorProcess

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

TOOLS = ("jinja2", "ruff", "graphql-core", "tqdm", "gql", "pytest", "hypothesis", "mypy")

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    t0 = time.perf_counter()
    from twenty_gql.client import TwentyClient
    from twenty_standard import CoreApi
    imported = time.perf_counter() - t0

    missing = []
    for name in ("jinja2", "ruff", "graphql", "tqdm", "gql", "codegen.build"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)

    async def main():
        async with TwentyClient(sys.argv[1], sys.argv[2]) as client:
            crm = CoreApi(client)
            t1 = time.perf_counter()
            created = await crm.companies.create(data={"name": "Slim Install Inc"})
            page = await crm.companies.find_many(filter={"id": {"eq": created.id}}, first=5)
            first_calls = time.perf_counter() - t1
            names = [c.name for c in page]
            return names, type(created).__module__, first_calls

    names, module, first_calls = asyncio.run(main())
    print(json.dumps({"names": names, "module": module, "missing": missing,
                      "import_s": imported, "first_calls_s": first_calls}))
    """
)


def _run(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=cwd)
    assert proc.returncode == 0, f"{cmd}: {proc.stderr[-3000:]}"
    return proc


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def test_runtime_only_install_runs_generated_code(tmp_path: Path) -> None:
    start = time.perf_counter()
    wheels = tmp_path / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)]
    )
    (wheel,) = wheels.glob("twenty_gql-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    _run([str(py), "-m", "pip", "install", "--quiet", str(wheel)])
    installed = {
        p["name"].lower().replace("_", "-")
        for p in json.loads(_run([str(py), "-m", "pip", "list", "--format=json"]).stdout)
    }
    assert {"twenty-gql", "aiohttp", "msgspec", "typing-extensions"} <= installed
    assert not installed & set(TOOLS), f"tools in a runtime install: {installed & set(TOOLS)}"
    install_s = time.perf_counter() - start
    site = next((venv / "lib").glob("python3*/site-packages"))

    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PYTHONPATH"] = str(ROOT / "generated")
    with EmulatorProcess(["--seed", "standard", "--port", "0"]) as emu:
        out = _run([str(py), "-c", SCRIPT, emu.url, emu.api_key], env=env, cwd=tmp_path)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["names"] == ["Slim Install Inc"]
    assert report["module"].startswith("twenty_standard.")
    assert set(report["missing"]) == {"jinja2", "ruff", "graphql", "tqdm", "gql", "codegen.build"}
    print(
        f"\nruntime install: {len(installed)} packages ({', '.join(sorted(installed))}), "
        f"site-packages {_size(site) / 1e6:.1f} MB (pip and setuptools included), wheel build + "
        f"venv + install {install_s:.1f} s; import twenty_gql.client + twenty_standard "
        f"{report['import_s'] * 1000:.0f} ms; first create + find_many "
        f"{report['first_calls_s'] * 1000:.0f} ms"
    )
