"""A faithful local emulator of the Twenty API, for demos and tests.

``TwentyEmulator`` runs it from Python; ``twenty-gql emulator`` from a shell; the pytest plugin
(``twenty_gql.testing.pytest_plugin``) gives a ``twenty_emulator`` fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["EmulatorStats", "TwentyApiError", "TwentyEmulator", "Workspace"]

if TYPE_CHECKING:
    from twenty_gql.testing.emulator import TwentyEmulator
    from twenty_gql.testing.errors import TwentyApiError
    from twenty_gql.testing.server import EmulatorStats
    from twenty_gql.testing.workspace import Workspace

_WHERE = {
    "TwentyEmulator": ".emulator",
    "EmulatorStats": ".server",
    "TwentyApiError": ".errors",
    "Workspace": ".workspace",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
