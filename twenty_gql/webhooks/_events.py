"""Typed webhook events, and the small table generated code emits to get them.

A delivery's body is ``{targetUrl, eventName, objectMetadata: {id, nameSingular}, workspaceId,
webhookId, eventDate, record, updatedFields?}``. It becomes a :class:`WebhookEvent` whose
``record`` is decoded (msgspec) into the record type registered for the object, or an
:class:`UntypedEvent` (``record`` a plain dict) when the object or the action is unknown to
the bindings, or the record does not fit the type: a data model newer than the bindings never
makes a delivery fail.

Generated code only has to emit one :class:`ObjectEvents` per object::

    CompanyEvents = ObjectEvents("company", Company)   # .created .updated .deleted ...
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, get_args

import msgspec

from ._errors import MalformedWebhookError

__all__ = [
    "ACTIONS",
    "Action",
    "EventType",
    "ObjectEvents",
    "UntypedEvent",
    "WebhookEvent",
]

RecordT = TypeVar("RecordT")

#: The actions Twenty names events with. Webhooks are sent for the first five; ``upserted``
#: exists in newer servers' event names and is accepted in ``operations``.
Action = Literal["created", "updated", "deleted", "destroyed", "restored", "upserted"]
ACTIONS: tuple[Action, ...] = get_args(Action)


@dataclass(frozen=True)
class WebhookEvent(Generic[RecordT]):
    """One verified delivery whose record is typed.

    ``record`` is the record after the change (before it for ``destroyed``);
    ``updated_fields`` names the changed fields (updates; also deletes/restores on newer
    servers), else None. ``raw`` is the verified body, byte for byte.
    """

    event_name: str
    object_name: str
    action: Action
    record: RecordT
    updated_fields: tuple[str, ...] | None
    workspace_id: str
    webhook_id: str
    object_metadata_id: str
    event_date: dt.datetime
    target_url: str
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class UntypedEvent:
    """A verified delivery the bindings cannot type: an unknown object or action, or a record
    that does not fit its type (``error`` says why). ``record`` is the decoded JSON object."""

    event_name: str
    object_name: str
    action: str
    record: dict[str, Any]
    updated_fields: tuple[str, ...] | None
    workspace_id: str
    webhook_id: str
    object_metadata_id: str
    event_date: dt.datetime
    target_url: str
    error: str
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class EventType(Generic[RecordT]):
    """One event kind (object + action) with its record type: what typed handlers register
    for, e.g. ``CompanyEvents.updated``."""

    object_name: str
    action: Action
    record_type: type[RecordT]

    @property
    def event_name(self) -> str:
        return f"{self.object_name}.{self.action}"


class ObjectEvents(Generic[RecordT]):
    """The event types of one object (``.created``, ``.updated``, ``.deleted``,
    ``.destroyed``, ``.restored``, ``.upserted``); iterating yields them all."""

    __slots__ = (
        "created",
        "deleted",
        "destroyed",
        "object_name",
        "record_type",
        "restored",
        "updated",
        "upserted",
    )

    def __init__(self, object_name: str, record_type: type[RecordT]) -> None:
        if not isinstance(object_name, str) or not object_name or "." in object_name:
            raise ValueError(f"not an object name: {object_name!r}")
        self.object_name = object_name
        self.record_type = record_type
        self.created: EventType[RecordT] = EventType(object_name, "created", record_type)
        self.updated: EventType[RecordT] = EventType(object_name, "updated", record_type)
        self.deleted: EventType[RecordT] = EventType(object_name, "deleted", record_type)
        self.destroyed: EventType[RecordT] = EventType(object_name, "destroyed", record_type)
        self.restored: EventType[RecordT] = EventType(object_name, "restored", record_type)
        self.upserted: EventType[RecordT] = EventType(object_name, "upserted", record_type)

    def __iter__(self) -> Iterator[EventType[RecordT]]:
        return iter(
            (self.created, self.updated, self.deleted, self.destroyed, self.restored, self.upserted)
        )

    def __repr__(self) -> str:
        return f"ObjectEvents({self.object_name!r}, {getattr(self.record_type, '__name__', '?')})"


class _ObjectMetadata(msgspec.Struct, frozen=True):
    id: str
    nameSingular: str


class _Envelope(msgspec.Struct, frozen=True):
    eventName: str
    objectMetadata: _ObjectMetadata
    workspaceId: str
    webhookId: str
    eventDate: dt.datetime
    record: msgspec.Raw
    targetUrl: str = ""
    updatedFields: list[str] | None = None


_envelope_decoder = msgspec.json.Decoder(_Envelope)
_dict_decoder = msgspec.json.Decoder(dict[str, Any])
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _decoder(record_type: Any) -> msgspec.json.Decoder[Any]:
    found = _decoders.get(record_type)
    if found is None:
        found = _decoders[record_type] = msgspec.json.Decoder(record_type)
    return found


def parse_event(body: bytes, record_types: dict[str, Any]) -> WebhookEvent[Any] | UntypedEvent:
    """Decode a (verified) body; ``record_types`` maps object names to record types."""
    try:
        env = _envelope_decoder.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise MalformedWebhookError(str(exc)) from None
    object_name, sep, action = env.eventName.partition(".")
    updated = tuple(env.updatedFields) if env.updatedFields is not None else None
    if not sep:
        object_name = env.objectMetadata.nameSingular
    common: dict[str, Any] = {
        "event_name": env.eventName,
        "object_name": object_name,
        "updated_fields": updated,
        "workspace_id": env.workspaceId,
        "webhook_id": env.webhookId,
        "object_metadata_id": env.objectMetadata.id,
        "event_date": env.eventDate,
        "target_url": env.targetUrl,
        "raw": body,
    }
    record_type = record_types.get(object_name)
    if record_type is not None and action in ACTIONS:
        try:
            record = _decoder(record_type).decode(env.record)
        except msgspec.DecodeError as exc:
            error = f"record does not fit {getattr(record_type, '__name__', record_type)}: {exc}"
        else:
            return WebhookEvent(action=action, record=record, **common)
    elif record_type is None:
        error = f"no record type for object {object_name!r}"
    else:
        error = f"unknown action {action!r}"
    try:
        raw_record = _dict_decoder.decode(env.record)
    except msgspec.DecodeError as exc:
        raise MalformedWebhookError(f"record is not a JSON object: {exc}") from None
    return UntypedEvent(action=action, record=raw_record, error=error, **common)
