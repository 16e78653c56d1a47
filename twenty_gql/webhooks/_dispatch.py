"""``WebhookDispatcher``: verify a delivery, type it, and run the handlers registered for it.

::

    dispatcher = WebhookDispatcher(secret, objects=[CompanyEvents, PersonEvents])

    @dispatcher.on(CompanyEvents.updated)          # handler typed WebhookEvent[Company]
    async def company_updated(event: WebhookEvent[Company]) -> None: ...

    @dispatcher.on("*", "deleted")                 # any object: WebhookEvent[Any] | UntypedEvent
    async def anything_deleted(event: AnyEvent) -> None: ...

    @dispatcher.on_untyped                         # objects / actions the bindings do not know
    async def other(event: UntypedEvent) -> None: ...

    event = dispatcher.verify_and_parse(body, headers)   # framework-neutral
    await dispatcher.dispatch(event)
    app = dispatcher.aiohttp_app("/twenty/webhooks")     # or dispatcher.aiohttp_handler()
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar, overload

from aiohttp import web

from ._errors import MalformedWebhookError, WebhookError
from ._events import ACTIONS, EventType, ObjectEvents, UntypedEvent, WebhookEvent, parse_event
from ._signing import WebhookVerifier

__all__ = ["AnyEvent", "WebhookDispatcher"]

_log = logging.getLogger("twenty_gql.webhooks")

R = TypeVar("R")
AnyEvent: TypeAlias = WebhookEvent[Any] | UntypedEvent
_AnyHandler = Callable[[AnyEvent], Awaitable[object]]
_UntypedHandler = Callable[[UntypedEvent], Awaitable[object]]


class WebhookDispatcher:
    """Verifies deliveries with ``secret`` (or a ready :class:`WebhookVerifier`), decodes each
    record with the type registered for its object, and runs the matching async handlers.

    ``objects``: :class:`ObjectEvents` (what generated bindings emit) or a mapping object name
    -> record type, for objects to type even without a typed handler. Registering a typed
    handler registers its object's record type too. ``tolerance`` / ``replay_cache_size`` are
    :class:`WebhookVerifier`'s (ignored when a verifier is given).
    """

    def __init__(
        self,
        secret: str | Sequence[str] | WebhookVerifier,
        *,
        objects: Iterable[ObjectEvents[Any]] | Mapping[str, Any] = (),
        tolerance: float = 300.0,
        replay_cache_size: int | None = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifier = (
            secret
            if isinstance(secret, WebhookVerifier)
            else WebhookVerifier(
                secret, tolerance=tolerance, replay_cache_size=replay_cache_size, clock=clock
            )
        )
        self._types: dict[str, Any] = {}
        self._typed: dict[tuple[str, str], list[Callable[[Any], Awaitable[object]]]] = {}
        self._patterns: list[tuple[str, str, _AnyHandler]] = []
        self._untyped: list[_UntypedHandler] = []
        self._background: set[asyncio.Future[None]] = set()
        if isinstance(objects, Mapping):
            for name, record_type in objects.items():
                self.register_type(name, record_type)
        else:
            for events in objects:
                self.register_type(events.object_name, events.record_type)

    def __repr__(self) -> str:
        return f"WebhookDispatcher({self.verifier!r}, objects={sorted(self._types)})"

    # ---- registration ---------------------------------------------------------------------

    def register_type(self, object_name: str, record_type: Any) -> None:
        """Decode ``object_name``'s records into ``record_type`` (one type per object)."""
        current = self._types.get(object_name)
        if current is not None and current is not record_type:
            raise ValueError(
                f"object {object_name!r} already decodes into {current!r}, not {record_type!r}"
            )
        self._types[object_name] = record_type

    @overload
    def on(
        self, target: EventType[R] | ObjectEvents[R], /
    ) -> Callable[
        [Callable[[WebhookEvent[R]], Awaitable[object]]],
        Callable[[WebhookEvent[R]], Awaitable[object]],
    ]: ...

    @overload
    def on(
        self, object_name: str, action: str = "*", /
    ) -> Callable[[_AnyHandler], _AnyHandler]: ...

    def on(self, target: Any, action: str | None = None, /) -> Callable[[Any], Any]:
        """Register an async handler: for a typed :class:`EventType` (``CompanyEvents.updated``)
        or every action of an :class:`ObjectEvents`, the handler receives
        ``WebhookEvent[RecordType]``; for names (``"company", "updated"``, ``"*"`` wildcards
        like Twenty's operations) it receives ``WebhookEvent[Any] | UntypedEvent``."""
        if isinstance(target, (EventType, ObjectEvents)):
            if action is not None:
                raise TypeError("on(EventType) takes no action argument")
            kinds = list(target) if isinstance(target, ObjectEvents) else [target]
            self.register_type(kinds[0].object_name, kinds[0].record_type)

            def typed(handler: Callable[[Any], Awaitable[object]]) -> Any:
                _check_handler(handler)
                for kind in kinds:
                    self._typed.setdefault((kind.object_name, kind.action), []).append(handler)
                return handler

            return typed
        if not isinstance(target, str) or not target or "." in target:
            raise ValueError(f"not an object name or '*': {target!r}")
        act = "*" if action is None else action
        if act != "*" and act not in ACTIONS:
            raise ValueError(f"unknown action {act!r}: expected '*' or one of {ACTIONS}")

        def pattern(handler: _AnyHandler) -> _AnyHandler:
            _check_handler(handler)
            self._patterns.append((target, act, handler))
            return handler

        return pattern

    def on_untyped(self, handler: _UntypedHandler) -> _UntypedHandler:
        """Register an async handler for events the bindings cannot type."""
        _check_handler(handler)
        self._untyped.append(handler)
        return handler

    # ---- the pipeline ---------------------------------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        self.verifier.verify(body, headers)

    def parse(self, body: bytes) -> WebhookEvent[Any] | UntypedEvent:
        """Decode a body without verifying it (use :meth:`verify_and_parse` on a receiver)."""
        return parse_event(body, self._types)

    def verify_and_parse(
        self, body: bytes, headers: Mapping[str, str]
    ) -> WebhookEvent[Any] | UntypedEvent:
        """Verify ``body`` (the raw request bytes) against ``headers``, then decode it. Raises
        a :class:`~twenty_gql.webhooks.WebhookError` subclass naming the reason on refusal."""
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise MalformedWebhookError("the body must be the raw request bytes")
        data = bytes(body)
        self.verifier.verify(data, headers)
        return parse_event(data, self._types)

    async def dispatch(self, event: WebhookEvent[Any] | UntypedEvent) -> int:
        """Run the handlers registered for ``event`` in registration order (typed ones first);
        return how many ran. A handler's exception propagates."""
        ran = 0
        if isinstance(event, WebhookEvent):
            for handler in self._typed.get((event.object_name, event.action), ()):
                await handler(event)
                ran += 1
        for obj, act, pattern_handler in self._patterns:
            if obj in ("*", event.object_name) and act in ("*", event.action):
                await pattern_handler(event)
                ran += 1
        if isinstance(event, UntypedEvent):
            if (event.object_name, event.action) in self._typed:
                _log.warning(
                    "webhook event %s has typed handlers but could not be typed (%s); "
                    "it goes to on_untyped handlers only (%d)",
                    event.event_name,
                    event.error,
                    len(self._untyped),
                )
            for untyped in self._untyped:
                await untyped(event)
                ran += 1
        if not ran:
            _log.debug("no handler for webhook event %s", event.event_name)
        return ran

    async def handle(
        self, body: bytes, headers: Mapping[str, str]
    ) -> WebhookEvent[Any] | UntypedEvent:
        """``verify_and_parse`` then ``dispatch``; returns the event."""
        event = self.verify_and_parse(body, headers)
        await self.dispatch(event)
        return event

    # ---- aiohttp --------------------------------------------------------------------------

    def aiohttp_handler(
        self, *, background: bool = False
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        """An ``aiohttp.web`` handler: 200 once handled; 401 / 400 with the error's class name
        when refused; 500 when a handler raised (logged).

        Twenty waits 5 s for the answer and never retries: with ``background=True`` the
        answer (202) goes out as soon as the delivery is verified and parsed, and the handlers
        run afterwards in a task (their errors are logged; :meth:`drain` awaits them)."""

        async def handler(request: web.Request) -> web.Response:
            body = await request.read()
            try:
                event = self.verify_and_parse(body, request.headers)
            except WebhookError as exc:
                _log.warning("refused webhook delivery: %s", exc)
                return web.json_response(
                    {"error": type(exc).__name__, "message": str(exc)}, status=exc.status
                )
            if background:
                task = asyncio.ensure_future(self._dispatch_logged(event))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                return web.json_response({"ok": True, "event": event.event_name}, status=202)
            try:
                handled = await self.dispatch(event)
            except Exception:
                _log.exception("webhook handler failed for %s", event.event_name)
                return web.json_response({"error": "HandlerError"}, status=500)
            return web.json_response({"ok": True, "event": event.event_name, "handled": handled})

        return handler

    async def _dispatch_logged(self, event: WebhookEvent[Any] | UntypedEvent) -> None:
        try:
            await self.dispatch(event)
        except Exception:
            _log.exception("webhook handler failed for %s", event.event_name)

    async def drain(self) -> None:
        """Wait for handlers started in the background (``background=True``) to finish."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    def aiohttp_app(
        self,
        path: str = "/twenty/webhooks",
        *,
        background: bool = False,
        max_body_bytes: int = 8 * 1024 * 1024,
    ) -> web.Application:
        """An ``aiohttp.web.Application`` answering ``POST path`` with :meth:`aiohttp_handler`
        (bodies up to ``max_body_bytes``: aiohttp's own default, 1 MiB, is small for records
        with long rich text). On shutdown it waits for background handlers."""
        app = web.Application(client_max_size=max_body_bytes)
        app.router.add_post(path, self.aiohttp_handler(background=background))

        async def on_shutdown(_app: web.Application) -> None:
            await self.drain()

        app.on_shutdown.append(on_shutdown)
        return app


def _check_handler(handler: Any) -> None:
    import inspect

    if not callable(handler):
        raise TypeError(f"a webhook handler must be an async function, got {handler!r}")
    target = getattr(handler, "__call__", handler)  # noqa: B004 - callable objects too
    if not (inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(target)):
        raise TypeError(
            f"webhook handlers must be async functions: {getattr(handler, '__name__', handler)!r}"
        )
