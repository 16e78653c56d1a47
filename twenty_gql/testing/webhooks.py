"""Webhooks in the emulator: the ``/metadata`` operations and delivery as Twenty does it.

Metadata (2.43 schema): ``webhooks``, ``webhook(id)``, ``createWebhook(input)``,
``updateWebhook(input: {id, update})``, ``deleteWebhook(id)``. As in Twenty: ``targetUrl`` is
trimmed and normalised (``new URL(..).toString()``: lower-case scheme and host, ``/`` for an
empty path) and must be http(s); a missing ``secret`` is generated (32 random bytes, hex); an
unknown id is ``NOT_FOUND``; bad input is ``METADATA_VALIDATION_FAILED`` (code from the
server's builder-exception handler; the message wording is the emulator's).

Events (``workspace-entity-manager`` / ``entity-events-to-db.listener`` /
``call-webhook-jobs.job`` / ``call-webhook.job``): every core mutation, single or batch,
gives one event per changed record of the mutated object, named ``<object>.<action>``:

* ``created`` (record after), ``updated`` (record after, ``updatedFields`` = the changed
  fields except ``updatedAt``/``searchVector``; an update that changes nothing sends nothing),
  ``deleted`` / ``restored`` (record after, ``updatedFields`` too, as the current server's
  soft-delete query builder computes a diff), ``destroyed`` (record before).
  ``createMany(upsert: true)`` gives ``created`` for new and ``updated`` for matched records.
  ``upserted`` events are not sent to webhooks (the listener does not forward them), nor are
  events of ``timelineActivity``. Changes a mutation causes in *other* objects (onDelete
  SET_NULL / CASCADE, merge re-pointing) send nothing, like database-level effects in Twenty.
* A webhook receives an event when its ``operations`` hold ``name.action``, ``*.action``,
  ``name.*`` or ``*.*``: one POST per event and webhook, ``Content-Type: application/json``,
  body ``{targetUrl, eventName, objectMetadata: {id, nameSingular}, workspaceId, webhookId,
  eventDate, record, updatedFields?}`` serialised like ``JSON.stringify`` (compact, integral
  numbers without ``.0``), headers ``X-Twenty-Webhook-Timestamp`` (ms),
  ``X-Twenty-Webhook-Signature`` (hex HMAC-SHA256 of ``"<timestamp>:" + body``) and
  ``X-Twenty-Webhook-Nonce`` (16 random bytes, hex); 5 s timeout; no retry; the status is
  only recorded (:attr:`WebhookRegistry.deliveries`).

Delivery is asynchronous (Twenty queues it): deliveries run on a background thread with its
own event loop, at most 20 at a time (Twenty's job chunk size), so a slow or failing receiver
never slows or fails a mutation. ``await registry.idle()`` (or ``emulator.webhooks_idle()``)
waits until every delivery queued so far is done. Targets must be loopback addresses unless
``allow_remote`` is set (the CLI's ``--allow-remote``); a refused target is recorded as a
failed delivery with the reason, and logged.

The registry lives beside the workspace (``webhooks_of(workspace)``), in memory: it is not
persisted with ``data_path`` and ``Workspace.reset()`` keeps it (``registry.clear()`` empties
it).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

# The registry (webhooks, validation, delivery) lives in webhook_registry.py; its public names
# are exported from here as before.
from twenty_gql.testing.webhook_registry import (
    _ACTIONS,
    DELIVERY_TIMEOUT,
    Delivery,
    WebhookRegistry,
)
from twenty_gql.testing.webhook_registry import QUEUE_DELAY as QUEUE_DELAY

if TYPE_CHECKING:
    from twenty_gql.testing.paging import RecordHost
    from twenty_gql.testing.views import ObjectView
    from twenty_gql.testing.workspace import Workspace

__all__ = [
    "DELIVERY_TIMEOUT",
    "WEBHOOK_ROOT_RESOLVERS",
    "Delivery",
    "WebhookRegistry",
    "close_webhooks",
    "webhook_events",
    "webhooks_of",
]

_log = logging.getLogger("twenty_gql.testing.webhooks")

_NOT_DIFFED = frozenset({"updatedAt", "searchVector"})
_MUTATIONS = frozenset(
    {
        "createOne",
        "createMany",
        "updateOne",
        "updateMany",
        "deleteOne",
        "deleteMany",
        "restoreOne",
        "restoreMany",
        "destroyOne",
        "destroyMany",
        "mergeMany",
    }
)


_REGISTRIES: weakref.WeakKeyDictionary[object, WebhookRegistry] = weakref.WeakKeyDictionary()
_REGISTRIES_LOCK = threading.Lock()


def webhooks_of(workspace: Workspace) -> WebhookRegistry:
    """The webhook registry of ``workspace`` (created on first use)."""
    with _REGISTRIES_LOCK:
        found = _REGISTRIES.get(workspace)
        if found is None:
            found = _REGISTRIES[workspace] = WebhookRegistry()
        return found


def close_webhooks(workspace: Workspace) -> None:
    with _REGISTRIES_LOCK:
        found = _REGISTRIES.get(workspace)
    if found is not None:
        found.close()


# ---- the hook core mutations call ---------------------------------------------------------


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [k for k, v in after.items() if k not in _NOT_DIFFED and before.get(k) != v]


def _identity(result: Any) -> Any:
    return result


class _Quiet:
    """What :func:`webhook_events` gives when no webhook listens: costs nothing."""

    __slots__ = ()

    def __enter__(self) -> Callable[[Any], Any]:
        return _identity

    def __exit__(self, *exc: object) -> None:
        return None


_QUIET = _Quiet()


class _Capture:
    """Records the state before the first write of each record of one object during one
    mutation (by wrapping the store's ``put``/``remove`` for its duration), then emits."""

    def __init__(self, workspace: RecordHost, registry: WebhookRegistry, view: ObjectView) -> None:
        self.store = workspace.store
        self.registry = registry
        self.name = view.obj.nameSingular
        self.object_id = view.obj.id
        self.before: dict[str, dict[str, Any] | None] = {}
        self.ok = False

    def __enter__(self) -> Callable[[Any], Any]:
        store, oid, before = self.store, self.object_id, self.before
        put, remove = store.put, store.remove

        def recording_put(object_id: str, record: dict[str, Any]) -> None:
            if object_id == oid and record["id"] not in before:
                before[record["id"]] = store.table(oid).get(record["id"])
            put(object_id, record)

        def recording_remove(object_id: str, record_id: str) -> None:
            if object_id == oid and record_id not in before:
                before[record_id] = store.table(oid).get(record_id)
            remove(object_id, record_id)

        store.put = recording_put  # type: ignore[method-assign]
        store.remove = recording_remove  # type: ignore[method-assign]
        return self._done

    def _done(self, result: Any) -> Any:
        self.ok = True
        return result

    def __exit__(self, exc_type: object, *exc: object) -> None:
        del self.store.put, self.store.remove  # the class methods again
        if exc_type is None and self.ok:
            try:
                self.registry.emit(self.name, self.object_id, self.events())
            except Exception:  # a webhook problem never fails the mutation
                _log.exception("could not queue webhook events for %s", self.name)

    def events(self) -> list[tuple[str, dict[str, Any], list[str] | None]]:
        after = self.store.table(self.object_id)
        out: list[tuple[str, dict[str, Any], list[str] | None]] = []
        for rid, old in self.before.items():
            new = after.get(rid)
            if old is new:
                continue
            if old is None and new is not None:
                out.append(("created", new, None))
            elif new is None and old is not None:
                out.append(("destroyed", old, None))
            elif old is not None and new is not None:
                changed = _changed_fields(old, new)
                if old.get("deletedAt") is None and new.get("deletedAt") is not None:
                    out.append(("deleted", new, changed))
                elif old.get("deletedAt") is not None and new.get("deletedAt") is None:
                    out.append(("restored", new, changed))
                elif changed:
                    out.append(("updated", new, changed))
        # Twenty emits one batch per action (created before updated for an upsert), each in
        # write order
        out.sort(key=lambda e: _ACTIONS.index(e[0]))
        return out


def webhook_events(workspace: RecordHost, view: ObjectView, method: str) -> _Quiet | _Capture:
    """Wraps one core root resolver call (``method`` on ``view``'s object)::

        with webhook_events(workspace, view, method) as emit:
            return emit(resolver(...))

    When the call succeeds, the events of the records it changed go to the webhooks that
    listen. When none listens (or ``method`` is a query) this costs a dict lookup."""
    registry = _REGISTRIES.get(workspace)
    if (
        registry is None
        or method not in _MUTATIONS
        or not registry.listens_to(view.obj.nameSingular)
    ):
        return _QUIET
    return _Capture(workspace, registry, view)


# ---- /metadata resolvers --------------------------------------------------------------------


def _registry(info: Any) -> WebhookRegistry:
    return webhooks_of(info.context["workspace"])


def _webhooks(_s: Any, info: Any) -> Any:
    return _registry(info).all()


def _webhook(_s: Any, info: Any, id: str) -> Any:
    return _registry(info).get(id)


def _create_webhook(_s: Any, info: Any, input: dict[str, Any]) -> Any:
    return _registry(info).create(input)


def _update_webhook(_s: Any, info: Any, input: dict[str, Any]) -> Any:
    return _registry(info).update(input["id"], input["update"])


def _delete_webhook(_s: Any, info: Any, id: str) -> Any:
    return _registry(info).delete(id)


#: root field -> resolver, merged into the metadata API's emulated root fields
WEBHOOK_ROOT_RESOLVERS: dict[str, Callable[..., Any]] = {
    "webhooks": _webhooks,
    "webhook": _webhook,
    "createWebhook": _create_webhook,
    "updateWebhook": _update_webhook,
    "deleteWebhook": _delete_webhook,
}
