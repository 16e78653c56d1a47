"""Fixtures shared across the test tree."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

GENERATED = Path(__file__).resolve().parents[1] / "generated"


@pytest.fixture(scope="module")
def ts() -> Iterator[Any]:
    """The committed bindings ``generated/twenty_standard`` (the emulator's standard seed)."""
    sys.path.insert(0, str(GENERATED))
    import twenty_standard

    yield twenty_standard
    sys.path.remove(str(GENERATED))
