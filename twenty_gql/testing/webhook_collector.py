"""A webhook receiver for tests (the ``twenty_webhooks`` fixture): verifies and types every
delivery the emulator (or a real Twenty) makes to it."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
from collections.abc import Iterable
from typing import Any

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.webhooks import WebhookRegistry

__all__ = ["WebhookCollector"]


# ---- a receiver for tests: the twenty_webhooks fixture ------------------------------------


class WebhookCollector:
    """An aiohttp receiver on 127.0.0.1 (its own event loop, in a daemon thread) that verifies
    every delivery with ``secret`` (random by default), types it with ``objects`` (see
    :class:`twenty_gql.webhooks.WebhookDispatcher`), and keeps it in :attr:`events` in
    arrival order. Deliveries it refuses land in :attr:`rejected` (the error) instead.

        with WebhookCollector(objects=[CompanyEvents]) as hooks:
            hooks.register(emulator, ["company.*"])
            ...  # mutations
            events = hooks.wait_idle()          # every delivery done, verified and typed
    """

    def __init__(
        self,
        *,
        secret: str | None = None,
        objects: Any = (),
        path: str = "/twenty-webhooks",
    ) -> None:
        from twenty_gql.webhooks import WebhookDispatcher

        self._secret = secret or secrets.token_hex(32)
        self.dispatcher = WebhookDispatcher(self._secret, objects=objects)
        self.path = path
        self.events: list[Any] = []
        self.rejected: list[Exception] = []
        self.url = ""
        self.webhook_ids: list[str] = []
        self._registries: list[WebhookRegistry] = []
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: Any = None

    def __repr__(self) -> str:  # never shows the secret
        return f"WebhookCollector(url={self.url!r}, events={len(self.events)})"

    @property
    def secret(self) -> str:
        return self._secret

    async def _handle(self, request: Any) -> Any:
        from aiohttp import web

        from twenty_gql.webhooks import WebhookError

        body = await request.read()
        try:
            event = self.dispatcher.verify_and_parse(body, request.headers)
        except WebhookError as exc:
            with self._cond:
                self.rejected.append(exc)
                self._cond.notify_all()
            return web.json_response({"error": type(exc).__name__}, status=exc.status)
        await self.dispatcher.dispatch(event)
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()
        return web.json_response({"ok": True})

    def start(self) -> WebhookCollector:
        from aiohttp import web

        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        async def serve() -> None:
            app = web.Application()
            app.router.add_post(self.path, self._handle)
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self._runner = runner
            self.url = f"http://127.0.0.1:{runner.addresses[0][1]}{self.path}"

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(serve())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                if self._runner is not None:
                    loop.run_until_complete(self._runner.cleanup())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="twenty-webhook-collector", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        for registry, hook_id in zip(self._registries, self.webhook_ids, strict=True):
            with contextlib.suppress(TwentyApiError):
                registry.delete(hook_id)
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
        self._loop = self._thread = None

    def __enter__(self) -> WebhookCollector:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def register(self, emulator: Any, operations: Iterable[str] = ("*.*",)) -> str:
        """Register this receiver (with its secret) on an emulator (a ``TwentyEmulator`` or a
        ``WebhookRegistry``) for ``operations``; returns the webhook id."""
        registry = emulator if isinstance(emulator, WebhookRegistry) else emulator.webhooks
        hook = registry.create(
            {"targetUrl": self.url, "operations": list(operations), "secret": self._secret}
        )
        self._registries.append(registry)
        self.webhook_ids.append(hook["id"])
        return str(hook["id"])

    def wait(self, count: int, timeout: float = 30.0) -> list[Any]:
        """Block until at least ``count`` events arrived; returns a copy of :attr:`events`."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.events) >= count, timeout):
                raise TimeoutError(
                    f"received {len(self.events)} of {count} webhook events within {timeout:g} s"
                    f" ({len(self.rejected)} rejected)"
                )
            return list(self.events)

    async def wait_async(self, count: int, timeout: float = 30.0) -> list[Any]:
        return await asyncio.to_thread(self.wait, count, timeout)

    def wait_idle(self, timeout: float = 60.0) -> list[Any]:
        """Wait until the registered emulators delivered everything queued so far; returns a
        copy of :attr:`events`."""
        for registry in self._registries:
            registry.wait_idle(timeout)
        with self._cond:
            return list(self.events)

    def clear(self) -> None:
        with self._cond:
            self.events.clear()
            self.rejected.clear()
