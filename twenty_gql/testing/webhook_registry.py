"""The emulator's webhook registry: the webhooks of one workspace (Twenty's validation of
their input) and the signed POSTs of their deliveries. :mod:`twenty_gql.testing.webhooks` says
how it behaves, ties a registry to each workspace and calls it from core mutations."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import functools
import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.model import CUSTOM_APPLICATION_ID, deterministic_id
from twenty_gql.testing.scalars import now_iso
from twenty_gql.testing.webhook_delivery import Worker, js_json

__all__ = ["DELIVERY_TIMEOUT", "Delivery", "WebhookRegistry"]

# the logger of twenty_gql.testing.webhooks, as before the split
_log = logging.getLogger("twenty_gql.testing.webhooks")

DELIVERY_TIMEOUT = 5.0
QUEUE_DELAY = 0.005  # seconds between a mutation and the start of its deliveries
_SKIPPED_OBJECTS = frozenset({"timelineActivity"})
_ACTIONS = ("created", "updated", "deleted", "destroyed", "restored")


@dataclass
class _Hook:
    id: str
    targetUrl: str
    operations: list[str]
    description: str | None
    secret: str = field(repr=False)
    applicationId: str
    createdAt: str
    updatedAt: str
    deletedAt: str | None = None

    def matches(self, object_name: str, action: str) -> bool:
        return _matches(self.operations, object_name, action)


def _matches(operations: list[str], object_name: str, action: str) -> bool:
    """Twenty's rule: ``name.action``, ``*.action``, ``name.*`` or ``*.*``."""
    return (
        f"{object_name}.{action}" in operations
        or f"*.{action}" in operations
        or f"{object_name}.*" in operations
        or "*.*" in operations
    )


@dataclass(frozen=True)
class Delivery:
    """One POST the emulator made (or refused to make). ``status`` is the HTTP status, None
    when there was no answer (``error`` says why: timeout, connection refused, blocked)."""

    webhook_id: str
    event_name: str
    target_url: str
    status: int | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _bad(message: str, friendly: str) -> TwentyApiError:
    return TwentyApiError(message, "METADATA_VALIDATION_FAILED", None, friendly)


def _not_found() -> TwentyApiError:
    return TwentyApiError("Webhook not found", "NOT_FOUND", None, "Webhook not found.")


def _normalize_url(raw: Any) -> str:
    """Twenty trims the URL, keeps ``new URL(url).toString()``, and accepts http(s) only."""
    if not isinstance(raw, str) or not raw.strip():
        raise _bad("Target URL is required", "Target URL is required")
    text = " ".join(raw.split())
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _bad("Invalid target URL provided", "Please provide a valid HTTP or HTTPS URL")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    if parts.username or parts.password:
        cred = parts.username or ""
        if parts.password:
            cred += f":{parts.password}"
        netloc = f"{cred}@{netloc}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


@functools.lru_cache(maxsize=256)
def _is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WebhookRegistry:
    """The webhooks of one emulated workspace, and their deliveries."""

    def __init__(self, workspace_id: str | None = None) -> None:
        self.workspace_id = workspace_id or deterministic_id("workspace", "emulator")
        self.allow_remote = False
        self.timeout = DELIVERY_TIMEOUT
        self._hooks: dict[str, _Hook] = {}
        self._listening: dict[str, bool] = {}  # object name -> any webhook matches it
        self._lock = threading.RLock()
        self._pending: set[concurrent.futures.Future[None]] = set()
        self._worker: Worker | None = None
        self._warned: set[str] = set()
        #: the most recent deliveries, oldest first (bounded)
        self.deliveries: deque[Delivery] = deque(maxlen=10_000)

    def __repr__(self) -> str:
        return f"WebhookRegistry(webhooks={len(self._hooks)}, pending={len(self._pending)})"

    # ---- metadata operations ------------------------------------------------------------

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            hooks = sorted(self._hooks.values(), key=lambda h: h.createdAt)
            return [dataclasses.asdict(h) for h in hooks]

    def get(self, id: str) -> dict[str, Any] | None:
        with self._lock:
            hook = self._hooks.get(str(id))
            return dataclasses.asdict(hook) if hook is not None else None

    def create(self, input: dict[str, Any]) -> dict[str, Any]:
        target = _normalize_url(input.get("targetUrl"))
        operations = input.get("operations")
        if not isinstance(operations, list) or not all(isinstance(o, str) for o in operations):
            raise _bad("operations must be a list of strings", "Invalid webhook input.")
        secret = input.get("secret")
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise _bad("Secret is required", "Secret is required")
        description = input.get("description")
        if isinstance(description, str):
            description = " ".join(description.split())
        hook_id = str(input.get("id") or uuid.uuid4())
        now = now_iso()
        with self._lock:
            if hook_id in self._hooks:
                raise TwentyApiError(
                    "Webhook already exists",
                    "CONFLICT",
                    None,
                    "A webhook with this configuration already exists.",
                )
            hook = _Hook(
                id=hook_id,
                targetUrl=target,
                operations=list(operations),
                description=description,
                secret=secret if secret is not None else secrets.token_hex(32),
                applicationId=CUSTOM_APPLICATION_ID,
                createdAt=now,
                updatedAt=now,
            )
            self._hooks[hook_id] = hook
            self._listening.clear()
            return dataclasses.asdict(hook)

    def update(self, id: str, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            hook = self._hooks.get(str(id))
            if hook is None:
                raise _not_found()
            changes: dict[str, Any] = {}
            if update.get("targetUrl") is not None:
                changes["targetUrl"] = _normalize_url(update["targetUrl"])
            if update.get("operations") is not None:
                changes["operations"] = list(update["operations"])
            if "description" in update:
                changes["description"] = update["description"]
            if update.get("secret") is not None:
                if not update["secret"]:
                    raise _bad("Secret is required", "Secret is required")
                changes["secret"] = update["secret"]
            for key, value in changes.items():
                setattr(hook, key, value)
            self._listening.clear()
            hook.updatedAt = now_iso()
            return dataclasses.asdict(hook)

    def delete(self, id: str) -> dict[str, Any]:
        with self._lock:
            hook = self._hooks.pop(str(id), None)
            self._listening.clear()
            if hook is None:
                raise _not_found()
            return dataclasses.asdict(hook)

    def clear(self) -> None:
        """Forget every webhook (deliveries already queued still run)."""
        with self._lock:
            self._hooks.clear()
            self._listening.clear()

    # ---- events -----------------------------------------------------------------------

    def listens_to(self, object_name: str) -> bool:
        """Whether any webhook would receive some event of ``object_name``."""
        if object_name in _SKIPPED_OBJECTS:
            return False
        with self._lock:
            found = self._listening.get(object_name)
            if found is None:
                found = self._listening[object_name] = any(
                    h.matches(object_name, a) for h in self._hooks.values() for a in _ACTIONS
                )
            return found

    def emit(
        self,
        object_name: str,
        object_id: str,
        events: Iterable[tuple[str, dict[str, Any], list[str] | None]],
    ) -> int:
        """Queue one POST per (event, matching webhook); ``events`` are ``(action, record,
        updated_fields)``. Returns the number of deliveries queued. Only the payloads are
        built here; encoding, signing and sending happen on the delivery thread."""
        events = list(events)
        if not events or object_name in _SKIPPED_OBJECTS:
            return 0
        with self._lock:
            hooks = [
                (h.id, h.targetUrl, h.secret, list(h.operations)) for h in self._hooks.values()
            ]
        jobs: list[tuple[str, str, str, dict[str, Any]]] = []
        for hook_id, url, secret, operations in hooks:
            event_date = now_iso()
            for action, record, updated in events:
                if not _matches(operations, object_name, action):
                    continue
                payload: dict[str, Any] = {
                    "targetUrl": url,
                    "eventName": f"{object_name}.{action}",
                    "objectMetadata": {"id": object_id, "nameSingular": object_name},
                    "workspaceId": self.workspace_id,
                    "webhookId": hook_id,
                    "eventDate": event_date,
                    "record": dict(record),
                }
                if updated is not None:
                    payload["updatedFields"] = list(updated)
                if self.allow_remote or _is_loopback_url(url):
                    jobs.append((hook_id, url, secret, payload))
                else:
                    self._blocked(hook_id, url, payload["eventName"])
        if jobs:
            with self._lock:
                if self._worker is None:
                    self._worker = Worker()
                worker = self._worker
                future = asyncio.run_coroutine_threadsafe(
                    self._deliver_all(worker, jobs), worker.loop
                )
                self._pending.add(future)
            future.add_done_callback(self._done)
        return len(jobs)

    def _blocked(self, hook_id: str, url: str, event_name: str) -> None:
        reason = (
            f"blocked: {url} is not a loopback address (start the emulator with "
            "--allow-remote / allow_remote=True to deliver to other hosts)"
        )
        if hook_id not in self._warned:
            self._warned.add(hook_id)
            _log.warning("webhook %s not delivered: %s", hook_id, reason)
        self.deliveries.append(Delivery(hook_id, event_name, url, None, reason, 0.0))

    def _done(self, future: concurrent.futures.Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    async def _deliver_all(
        self, worker: Worker, jobs: list[tuple[str, str, str, dict[str, Any]]]
    ) -> None:
        # Twenty queues deliveries (a job per chunk): they never start before the mutation has
        # answered. Waiting a moment here (in select, without the GIL) lets the emulator's
        # thread finish and send its answer before this thread competes with it for the CPU.
        await asyncio.sleep(QUEUE_DELAY)
        tasks = []
        for hook_id, url, secret, payload in jobs:
            body = js_json(payload)
            headers = {"Content-Type": "application/json"}
            if secret:
                timestamp = str(int(time.time() * 1000))
                headers["X-Twenty-Webhook-Timestamp"] = timestamp
                headers["X-Twenty-Webhook-Signature"] = hmac.new(
                    secret.encode("utf-8"), timestamp.encode() + b":" + body, hashlib.sha256
                ).hexdigest()
                headers["X-Twenty-Webhook-Nonce"] = secrets.token_hex(16)
            tasks.append(
                asyncio.ensure_future(
                    self._deliver(worker, hook_id, url, payload["eventName"], body, headers)
                )
            )
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            raise

    async def _deliver(
        self,
        worker: Worker,
        hook_id: str,
        url: str,
        event_name: str,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        start = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            status = await worker.post(url, body, headers, self.timeout)
        except asyncio.TimeoutError:
            error = f"timeout after {self.timeout:g} s"
        except asyncio.CancelledError:
            error = "cancelled: the emulator stopped"
            raise
        except Exception as exc:  # any failure is only recorded, like Twenty's audit
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self.deliveries.append(
                Delivery(hook_id, event_name, url, status, error, time.monotonic() - start)
            )

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    async def idle(self, timeout: float | None = 60.0) -> None:
        """Wait until every delivery queued so far (and any queued meanwhile) is done."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"{len(pending)} webhook deliveries still running")
            await asyncio.wait([asyncio.wrap_future(f) for f in pending], timeout=remaining)

    def wait_idle(self, timeout: float | None = 60.0) -> None:
        """Blocking :meth:`idle` for synchronous tests."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"{len(pending)} webhook deliveries still running")
            concurrent.futures.wait(pending, timeout=remaining)

    def close(self) -> None:
        """Stop the delivery thread (deliveries still running are cancelled)."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()
