"""The public surface of the runtime is explicit: a sorted ``__all__`` naming what exists."""

import importlib

import pytest

import twenty_gql

PUBLIC_MODULES = [
    "twenty_gql",
    "twenty_gql.bulk",
    "twenty_gql.circuit",
    "twenty_gql.client",
    "twenty_gql.errors",
    "twenty_gql.importer",
    "twenty_gql.observability",
    "twenty_gql.page",
    "twenty_gql.pagination",
    "twenty_gql.scheduling",
    "twenty_gql.transport",
]


def _isort_style(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    # ruff's RUF022 order: SCREAMING_CASE constants (NOT_GIVEN), then classes, then the rest
    assert exported == sorted(exported, key=_isort_style), f"{name}.__all__ is not sorted"
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    for symbol in exported:
        assert hasattr(module, symbol), f"{name}.__all__ names missing {symbol!r}"


def test_no_undeclared_public_names() -> None:
    public = {
        n
        for n, v in vars(twenty_gql).items()
        if n.isidentifier()
        and not n.startswith("_")
        and not getattr(v, "__name__", "").startswith("twenty_gql.")
    }
    # Sub-modules are reachable as attributes once imported; they are not part of __all__.
    undeclared = public - set(twenty_gql.__all__)
    assert not undeclared, f"public names not in __all__: {sorted(undeclared)}"
