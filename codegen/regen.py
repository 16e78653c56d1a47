"""``python -m codegen.regen [--check]``: rebuild (or verify) ``generated/twenty_standard``.

Sources, both in-process and deterministic: the emulator's ``standard`` workspace core schema
(``Workspace(seed="standard").core_schema``) and the Twenty 2.43 metadata schema the emulator
serves on ``/metadata`` (``twenty_gql.testing.metadata_api.metadata_sdl()``). ``--check`` writes nothing and exits 1 listing every stale, missing or extra
file (what ``make check-generated`` and CI run).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["OUT_DIR", "PACKAGE", "main", "render_standard"]

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "generated"
PACKAGE = "twenty_standard"


def render_standard() -> dict[str, str]:
    """The files of ``generated/twenty_standard`` as the generator renders them now."""

    from graphql import build_schema

    from codegen.generate import GenerateConfig, generate
    from codegen.introspect import from_schema
    from twenty_gql.testing.metadata_api import metadata_sdl
    from twenty_gql.testing.workspace import Workspace

    core = from_schema(Workspace(seed="standard").core_schema, "twenty-gql emulator, seed=standard")
    meta = from_schema(build_schema(metadata_sdl()), "twenty-metadata-2.43.graphql")
    return generate(GenerateConfig(package=PACKAGE, core_schema=core, metadata_schema=meta))


def _existing(root: Path) -> set[str]:
    if not root.exists():
        return set()
    return {
        str(p.relative_to(OUT_DIR))
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".mypy_cache" not in p.parts
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codegen.regen", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 when stale")
    args = parser.parse_args(argv)
    files = render_standard()
    on_disk = _existing(OUT_DIR / PACKAGE)
    stale = sorted(
        rel
        for rel, text in files.items()
        if not (OUT_DIR / rel).is_file() or (OUT_DIR / rel).read_bytes() != text.encode("utf-8")
    )
    extra = sorted(on_disk - set(files))
    if args.check:
        if not stale and not extra:
            print(f"generated/{PACKAGE} is fresh ({len(files)} files)")
            return 0
        print(f"generated/{PACKAGE} is stale; run `make regen`:", file=sys.stderr)
        for rel in stale:
            print(f"  changed: generated/{rel}", file=sys.stderr)
        for rel in extra:
            print(f"  extra:   generated/{rel}", file=sys.stderr)
        return 1
    for rel in stale:
        path = OUT_DIR / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[rel].encode("utf-8"))
    for rel in extra:
        (OUT_DIR / rel).unlink()
    print(f"generated/{PACKAGE}: {len(stale)} written, {len(extra)} removed, {len(files)} total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
