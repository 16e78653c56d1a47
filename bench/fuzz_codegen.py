"""Long run of the adversarial-schema codegen suite, with figures.

    .venv/bin/python -m bench.fuzz_codegen [--examples N] [--seed S] [--keep DIR]

Draws N (default 300) hostile Twenty-shaped schemas (see
``tests/reliability/adversarial_schemas.py``), runs ``twenty-gql generate`` on each, checks
every package (deterministic, parses and compiles, no schema text as code, allow-listed imports
and builtins, documents validate), imports all packages in one subprocess and runs one
``mypy --strict`` over all of them. Prints the counts and times; on a failure prints the
minimal (shrunk) schema as SDL and exits 1. Not named ``bench_*``: ``make bench`` skips it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from tests.reliability import adversarial_schemas as adv


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.fuzz_codegen", description=__doc__)
    p.add_argument("--examples", type=int, default=300, help="schemas to try (default 300)")
    p.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    p.add_argument("--keep", help="write the packages here and keep them (default: temp dir)")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fuzz-codegen-"))
    pkgs, work = root / "pkgs", root / "work"
    print(f"fuzz codegen: {args.examples} schemas, seed {args.seed}, in {root}", flush=True)
    status = 0
    try:
        run = adv.FuzzRun(pkgs_dir=pkgs)
        try:
            adv.fuzz(run, work, args.examples, seed_=args.seed)
        except Exception:
            traceback.print_exc()
            print(
                f"FAILED after {run.tried} schemas. Minimal failing schema (spec: {run.failing}):"
            )
            if run.failing is not None:
                print(adv.spec_sdl(run.failing))
            return 1
        s = run.stats
        print(f"schemas tried:       {run.tried}")
        print(f"packages generated:  {len(run.packages)} (each twice: byte-identical)")
        print(f"modules parsed:      {s.modules} (compiled, tokens and identifiers checked)")
        print(f"identifiers checked: {s.identifiers}")
        print(f"documents validated: {s.documents}")
        print(
            f"generate + checks:   {run.seconds:.1f}s ({run.seconds / max(1, run.tried):.2f}s/schema)"
        )
        t = time.perf_counter()
        report = adv.import_packages(pkgs, run.packages, root)
        print(
            f"imports ok:          {len(report)} packages, {sum(report.values())} modules "
            f"({time.perf_counter() - t:.1f}s)"
        )
        t = time.perf_counter()
        proc = adv.run_mypy(pkgs, run.packages)
        last = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"mypy --strict:       {last} ({time.perf_counter() - t:.1f}s)")
        if proc.returncode != 0:
            print(proc.stdout[-6000:] + proc.stderr[-2000:])
            status = 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
