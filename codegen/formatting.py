"""Stage: format the rendered sources with ruff (line length 100, Python 3.10 target).

One ruff run over the whole batch, from a temporary directory: ``ruff check --select I --fix``
sorts and groups every import block (templates and builders emit imports in any order), then
``ruff format`` settles line wrapping, which depends on the lengths of schema names. Formatting
is part of the output contract, so a missing or failing ruff is a :class:`FormatError`, never a
silently unformatted package.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import tempfile
from pathlib import Path

from codegen.errors import FormatError

__all__ = ["RUFF_ARGS", "find_ruff", "format_sources"]

RUFF_ARGS = ("--isolated", "--line-length", "100", "--target-version", "py310")
# isort settings pinned so the output never depends on the machine: nothing is first-party
# except relative imports, and ``import x as y`` lines are sorted like ruff's default.
_SORT_ARGS = ("--select", "I", "--fix", "--exit-zero", "--no-cache", "--quiet")


def find_ruff() -> str | None:
    """The ruff binary of the installed ``ruff`` package, else the one on PATH."""
    try:
        find_ruff_bin = importlib.import_module("ruff.__main__").find_ruff_bin
        return str(find_ruff_bin())
    except (ImportError, AttributeError, FileNotFoundError):
        return shutil.which("ruff")


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        first = (proc.stderr or proc.stdout).strip().splitlines()[:1]
        raise FormatError(f"ruff {what} failed on generated code: {' '.join(first)}")


def format_sources(files: dict[str, str]) -> dict[str, str]:
    """``files`` with every ``.py`` text import-sorted and formatted by ruff (others untouched)."""
    py = {rel: text for rel, text in files.items() if rel.endswith(".py")}
    if not py:
        return files
    ruff = find_ruff()
    if ruff is None:
        raise FormatError(
            "ruff is needed to format generated code and was not found: "
            "pip install 'twenty-gql[codegen]' (or put ruff on PATH)"
        )
    with tempfile.TemporaryDirectory(prefix="twenty-gql-fmt-") as tmp:
        root = Path(tmp)
        for rel, text in py.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _run([ruff, "check", *RUFF_ARGS, *_SORT_ARGS, str(root)], "check --select I")
        _run([ruff, "format", *RUFF_ARGS, "--no-cache", "--quiet", str(root)], "format")
        out = dict(files)
        for rel in py:
            out[rel] = (root / rel).read_text(encoding="utf-8")
    return out
