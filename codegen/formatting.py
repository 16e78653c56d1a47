"""Stage 4: format the rendered sources with ruff (line length 100, Python 3.10 target).

Templates already emit code close to ruff's style; this stage settles line wrapping, which
depends on the lengths of schema names. One ruff process formats the whole package from a
temporary directory, so the cost does not grow with a process per file. When ruff is not
installed the sources are returned unformatted (still valid, just not wrapped).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["RUFF_ARGS", "find_ruff", "format_sources"]

RUFF_ARGS = ("--isolated", "--line-length", "100", "--target-version", "py310")


def find_ruff() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def format_sources(files: dict[str, str]) -> dict[str, str]:
    """``files`` with every ``.py`` text formatted by ruff (other files untouched)."""
    ruff = find_ruff()
    py = {rel: text for rel, text in files.items() if rel.endswith(".py")}
    if ruff is None or not py:
        return files
    with tempfile.TemporaryDirectory(prefix="twenty-gql-fmt-") as tmp:
        root = Path(tmp)
        for rel, text in py.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            [ruff, "format", *RUFF_ARGS, "--no-cache", "--quiet", str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            first = (proc.stderr or proc.stdout).strip().splitlines()[:1]
            raise RuntimeError(f"ruff format failed on generated code: {' '.join(first)}")
        out = dict(files)
        for rel in py:
            out[rel] = (root / rel).read_text(encoding="utf-8")
    return out
