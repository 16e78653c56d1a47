"""pytest plugin (entry point ``pytest11``): a ``twenty_emulator`` fixture for testing code that
talks to Twenty, offline.

    def test_my_sync(twenty_emulator):            # sync tests work (requests, httpx, ...)
        client = MyService(twenty_emulator.url, twenty_emulator.api_key)
        ...

    async def test_my_async_sync(twenty_emulator):  # and async ones, under any async plugin
        ...

The fixture is function-scoped and yields a running ``TwentyEmulator`` (seed ``standard`` unless
configured). The emulator runs on its own event loop in a background thread, so the fixture is
a plain fixture: it needs no pytest-asyncio, and it works the same in sync and async tests. The
``Workspace`` and the emulator's run-time controls (``revoke_key``, ``set_limits``,
``set_faults``, ``stats``) are thread-safe. Configure it per test with the marker, whose keyword
arguments are ``TwentyEmulator``'s::

    @pytest.mark.twenty_emulator(seed="demo", rate_limit=None)

or project-wide with the ini option ``twenty_emulator_seed`` (standard | demo | empty).

``twenty_webhooks`` adds a receiver registered (with a random secret) on that emulator: it
verifies and types every delivery (``twenty_gql.testing.webhook_collector.WebhookCollector``)::

    @pytest.mark.twenty_webhooks(operations=["company.*"], objects=[CompanyEvents])
    def test_events(twenty_emulator, twenty_webhooks):
        ...  # mutations
        events = twenty_webhooks.wait_idle()    # every delivery done, verified, typed
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["twenty_emulator", "twenty_webhooks"]

_START_TIMEOUT = 60.0


class _Thread:
    """Runs one ``TwentyEmulator`` on a private event loop in a daemon thread."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="twenty-emulator", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.emulator.start())
        except BaseException as exc:  # reported to the test thread
            self.error = exc
            self.ready.set()
            self.loop.close()
            return
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.emulator.stop())
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def __enter__(self) -> Any:
        self.thread.start()
        if not self.ready.wait(_START_TIMEOUT):
            raise RuntimeError("the Twenty emulator did not start within 60 s")
        if self.error is not None:
            self.thread.join()
            raise self.error
        return self.emulator

    def __exit__(self, *_exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(_START_TIMEOUT)


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
    config.addinivalue_line(
        "markers",
        "twenty_webhooks(operations=['*.*'], objects=()): what the twenty_webhooks receiver "
        "registers for, and the record types (ObjectEvents) it decodes into",
    )


@pytest.fixture
def twenty_emulator(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A running ``TwentyEmulator`` on 127.0.0.1, stopped after the test."""
    from twenty_gql.testing.emulator import TwentyEmulator

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
    with _Thread(emulator) as emu:
        yield emu


@pytest.fixture
def twenty_webhooks(request: pytest.FixtureRequest, twenty_emulator: Any) -> Iterator[Any]:
    """A ``WebhookCollector`` registered on ``twenty_emulator``; removed after the test."""
    from twenty_gql.testing.webhook_collector import WebhookCollector

    marker = request.node.get_closest_marker("twenty_webhooks")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    operations = kwargs.pop("operations", ("*.*",))
    objects = kwargs.pop("objects", ())
    if kwargs or (marker is not None and marker.args):
        raise pytest.UsageError(
            "@pytest.mark.twenty_webhooks takes only operations=[...] and objects=[...]"
        )
    with WebhookCollector(objects=objects) as collector:
        collector.register(twenty_emulator, operations)
        yield collector
