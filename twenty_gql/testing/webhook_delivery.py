"""The emulator's webhook delivery worker: ``JSON.stringify``-compatible bodies and a daemon
thread with its own event loop that makes the POSTs (at most ``MAX_PARALLEL`` at a time)."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

__all__ = ["MAX_PARALLEL", "Worker", "js_json"]

MAX_PARALLEL = 20  # WEBHOOK_JOBS_CHUNK_SIZE: one job posts its chunk with Promise.all


def _js_number(value: Any) -> Any:
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return int(value)
        return value
    if isinstance(value, dict):
        return {k: _js_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_number(v) for v in value]
    return value


def js_json(payload: Any) -> bytes:
    """``JSON.stringify(payload)`` as UTF-8 bytes (compact, unescaped non-ASCII, integral
    numbers without a fraction)."""
    return json.dumps(
        _js_number(payload), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


class Worker:
    """A daemon thread running an event loop that makes the POSTs."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._session: Any = None
        self._sem: asyncio.Semaphore | None = None
        self.thread = threading.Thread(target=self._run, name="twenty-webhooks", daemon=True)
        self.thread.start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self._sem = asyncio.Semaphore(MAX_PARALLEL)
        self._ready.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self._close_session())
            self.loop.close()

    async def _close_session(self) -> None:
        rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)  # let cancellations finish
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        import aiohttp

        assert self._sem is not None
        async with self._sem:
            if self._session is None:
                self._session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=MAX_PARALLEL)
                )
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout),
                allow_redirects=False,
            ) as resp:
                await resp.read()
                return int(resp.status)

    def stop(self) -> None:
        def cancel_all() -> None:
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.call_soon(self.loop.stop)

        if self.loop.is_running():
            self.loop.call_soon_threadsafe(cancel_all)
        self.thread.join(10)
