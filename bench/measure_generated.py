"""Size and import cost of the generated standard package (``python -m bench.measure_generated``).

Prints the total line count of ``generated/twenty_standard`` and its largest module, then, each in
a fresh interpreter (median of 5, ``time.perf_counter``), the cost of ``import twenty_standard``,
of the first use of ``MetadataApi`` (``from twenty_standard import MetadataApi`` then
``MetadataApi(client).objects``) and of one core object (``CoreApi(client).companies``), with ``twenty_gql`` (the runtime) imported
beforehand.
Nothing is asserted; the figures go in the notes.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "generated"

_PROBE = """
import time
import twenty_gql  # the runtime is shared by every generated package: not counted
t0 = time.perf_counter()
import twenty_standard
t1 = time.perf_counter()
{use}
t2 = time.perf_counter()
print(f"{{(t1 - t0) * 1000:.2f}} {{(t2 - t1) * 1000:.2f}}")
"""
_USES = {
    "MetadataApi": "from twenty_standard import MetadataApi\nMetadataApi(object()).objects",
    "CoreApi.companies": "from twenty_standard import CoreApi\nCoreApi(object()).companies",
}


def _run(use: str) -> tuple[float, float]:
    env = {"PYTHONPATH": str(GEN), "PYTHONDONTWRITEBYTECODE": ""}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(use=use)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    files = sorted((GEN / "twenty_standard").rglob("*.py"))
    sizes = {p.relative_to(GEN): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    largest = max(sizes, key=lambda p: sizes[p])
    print(f"generated/twenty_standard: {len(files)} modules, {sum(sizes.values())} lines")
    print(f"largest module: {largest} ({sizes[largest]} lines)")
    for name, use in _USES.items():
        _run(use)  # warm the bytecode cache
        runs = [_run(use) for _ in range(5)]
        imp = statistics.median(r[0] for r in runs)
        first = statistics.median(r[1] for r in runs)
        print(f"import twenty_standard {imp:6.2f} ms; first use of {name}: {first:6.2f} ms")


if __name__ == "__main__":
    main()
