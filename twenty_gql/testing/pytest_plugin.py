"""pytest plugin (entry point ``pytest11``): a ``twenty_emulator`` fixture for testing code that
talks to Twenty, offline.

    async def test_my_sync(twenty_emulator):
        client = MyService(twenty_emulator.url, twenty_emulator.api_key)
        ...

The fixture is function-scoped and yields a running ``TwentyEmulator`` (seed ``standard`` unless
configured). Configure it per test with the marker, whose keyword arguments are
``TwentyEmulator``'s::

    @pytest.mark.twenty_emulator(seed="demo", rate_limit=None)

or project-wide with the ini option ``twenty_emulator_seed`` (standard | demo | empty). The
fixture needs an asyncio-capable pytest (pytest-asyncio in auto mode, or mark the test with
``@pytest.mark.asyncio``): it is an async generator fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

__all__ = ["twenty_emulator"]

try:  # pytest-asyncio makes async fixtures explicit in strict mode; plain pytest is fine too
    import pytest_asyncio

    _fixture: Callable[[Callable[..., Any]], Any] = pytest_asyncio.fixture
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _fixture = pytest.fixture


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "twenty_emulator_seed",
        "seed of the twenty_emulator fixture: standard (default), demo or empty",
        default="standard",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "twenty_emulator(**kwargs): TwentyEmulator keyword arguments for the twenty_emulator "
        "fixture, e.g. seed='demo', rate_limit=None, fault_rate=0.1",
    )


@_fixture
async def twenty_emulator(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A running ``TwentyEmulator`` on 127.0.0.1, stopped after the test."""
    from .emulator import TwentyEmulator

    kwargs: dict[str, Any] = {"seed": request.config.getini("twenty_emulator_seed") or "standard"}
    marker = request.node.get_closest_marker("twenty_emulator")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(
                "@pytest.mark.twenty_emulator takes keyword arguments only, e.g. seed='demo'"
            )
        kwargs.update(marker.kwargs)
    try:
        emulator = TwentyEmulator(**kwargs)
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"bad twenty_emulator configuration: {exc}") from exc
    async with emulator as emu:
        yield emu
