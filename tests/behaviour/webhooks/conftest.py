"""A raw webhook receiver on 127.0.0.1 for the behaviour tests (runs on the test's loop)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web


@dataclass
class Captured:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST as sent; answers ``status`` (after ``delay`` seconds)."""

    status: int = 200
    delay: float = 0.0
    captured: list[Captured] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.captured.append(Captured(request.path_qs, dict(request.headers), await request.read()))
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status, text="ok" if self.status < 300 else "boom")

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
async def receivers() -> AsyncIterator[Callable[..., Any]]:
    """``await receivers(status=200, delay=0.0)`` starts a receiver, stopped after the test."""
    started: list[Receiver] = []

    async def make(**kw: Any) -> Receiver:
        r = await Receiver(**kw).start()
        started.append(r)
        return r

    yield make
    for r in started:
        await r.stop()
