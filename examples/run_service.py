"""``make service``: examples/service.py against a local emulator, both stages, type-checked.

1. starts ``twenty-gql emulator --seed demo --port 0`` (a subprocess);
2. ``twenty-gql generate`` against it into a temporary package ``twenty_crm``;
3. ``examples/service.py sync`` (stage 1: reads, writes, bulk, trash, wrong key, a custom
   object ``invoice`` used untyped);
4. ``twenty-gql generate`` again, so the package knows ``invoice``;
5. ``mypy --strict examples/service.py`` against the regenerated package (stage 2's typed use
   of ``crm.invoices`` is checked too);
6. ``examples/service.py invoices`` (stage 2: the new object typed);
7. stops the emulator (SIGTERM; it must exit 0).

It reuses examples/demo.py's machinery; the API key travels in the environment only. Any
failure stops the emulator and exits 1 with the failing step named.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from demo import ROOT, DemoError, run, start_emulator, twenty_gql

SERVICE = ROOT / "examples" / "service.py"


def main() -> int:
    started = time.perf_counter()
    print("twenty-gql service: emulator -> generate -> sync -> regenerate -> mypy -> invoices")
    try:
        emulator = start_emulator()
    except (DemoError, OSError) as exc:
        print(f"\nservice FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"emulator at {emulator.url}")
    failure: str | None = None
    results: list[str] = []
    with tempfile.TemporaryDirectory(prefix="twenty-service-") as tmp:
        env = {
            **os.environ,
            "TWENTY_URL": emulator.url,
            "TWENTY_API_KEY": emulator.api_key,
            "PYTHONPATH": os.pathsep.join(p for p in (tmp, os.environ.get("PYTHONPATH", "")) if p),
            "MYPYPATH": tmp,
        }
        generate = [*twenty_gql(), "generate", "--url", emulator.url, "--out", tmp]
        generate += ["--package", "twenty_crm"]
        mypy = [sys.executable, "-m", "mypy", "--strict", str(SERVICE)]
        steps = [
            ("generate the package twenty_crm", generate),
            ("service stage 1: sync", [sys.executable, str(SERVICE), "sync"]),
            ("regenerate (the workspace has the object invoice)", generate),
            ("mypy --strict examples/service.py", mypy),
            ("service stage 2: invoices", [sys.executable, str(SERVICE), "invoices"]),
        ]
        try:
            for name, cmd in steps:
                t0 = time.perf_counter()
                results += run(name, cmd, env)
                if cmd is mypy:
                    results.append("mypy --strict: no issues in examples/service.py")
                print(f"  ({name}: {time.perf_counter() - t0:.1f} s)", flush=True)
        except (DemoError, OSError) as exc:
            failure = str(exc)
        finally:
            code = emulator.stop()
            print(f"\nemulator stopped (exit {code})", flush=True)
            if code != 0 and failure is None:
                failure = f"the emulator exited {code} on SIGTERM (expected 0)"
    if failure is not None:
        print(f"\nservice FAILED: {failure}", file=sys.stderr)
        return 1
    print("\nresults")
    for line in results:
        print(f"  {line}")
    print(f"service OK in {time.perf_counter() - started:.1f} s wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
