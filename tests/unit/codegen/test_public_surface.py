"""Sorted, complete ``__all__`` for the generator modules and the committed bindings."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

GENERATED = Path(__file__).resolve().parents[3] / "generated"

CODEGEN_MODULES = [
    "codegen.build",
    "codegen.check_cli",
    "codegen.config",
    "codegen.formatting",
    "codegen.generate",
    "codegen.generate_cli",
    "codegen.introspect",
    "codegen.model",
    "codegen.naming",
    "codegen.operations",
    "codegen.regen",
    "codegen.render",
    "codegen.text",
]


@pytest.mark.parametrize("name", CODEGEN_MODULES)
def test_codegen_all_is_sorted_and_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)

    # ruff RUF022 ("isort-style"): CONSTANTS, then Classes, then functions
    def rank(n: str) -> tuple[int, str]:
        return (0 if n.isupper() and len(n) > 1 else 1 if n[:1].isupper() else 2, n)

    assert exported == sorted(exported, key=rank), name
    for symbol in exported:
        assert hasattr(module, symbol), (name, symbol)


@pytest.mark.parametrize(
    "name", ["twenty_standard", "twenty_standard.core", "twenty_standard.metadata"]
)
def test_generated_all_resolves_lazily(name: str) -> None:
    sys.path.insert(0, str(GENERATED))
    try:
        module = importlib.import_module(name)
        exported = list(module.__all__)
        assert exported == sorted(exported)
        assert sorted(dir(module)) == sorted(set(dir(module)))
        for symbol in exported:
            assert getattr(module, symbol) is not None, symbol
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            module.nope  # noqa: B018
    finally:
        sys.path.remove(str(GENERATED))
