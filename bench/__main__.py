"""`make bench`: run every ``bench/bench_*.py`` module's ``main()`` in turn.

Each benchmark starts its own servers on 127.0.0.1, prints its figures (ratios against a
baseline run side by side), and stops them. Nothing is asserted: figures are for reading.
Run one with ``python -m bench <name>`` (e.g. ``python -m bench runtime``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name.startswith("bench_")
    )
    wanted = argv or names
    for name in wanted:
        if name not in names:
            print(f"bench: no benchmark {name!r} (have: {', '.join(names)})", file=sys.stderr)
            return 2
    for name in wanted:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"\n=== bench {name} ===", flush=True)
        start = time.perf_counter()
        module.main()
        print(f"=== {name}: {time.perf_counter() - start:.1f}s ===", flush=True)
    if not names:
        print("bench: no benchmarks yet")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
