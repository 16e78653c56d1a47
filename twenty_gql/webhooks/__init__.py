"""Twenty webhooks for asyncio services: verified, typed events and their handlers.

::

    from twenty_gql.webhooks import WebhookDispatcher, WebhookEvent

    dispatcher = WebhookDispatcher(secret, objects=[CompanyEvents])

    @dispatcher.on(CompanyEvents.updated)
    async def on_company_updated(event: WebhookEvent[Company]) -> None:
        print(event.record.name, event.updated_fields)

    web.run_app(dispatcher.aiohttp_app("/twenty/webhooks"))

Pieces: :class:`WebhookVerifier` (signature, timestamp tolerance, replay cache, over the raw
body bytes), :class:`WebhookEvent` / :class:`UntypedEvent` (what handlers receive),
:class:`ObjectEvents` / :class:`EventType` (the table generated bindings emit per object),
:class:`WebhookDispatcher` (``verify_and_parse``, ``dispatch``, an aiohttp handler), the
error tree under :class:`WebhookError`, and :class:`Webhooks` (manage webhooks on /metadata).
"""

from ._admin import Webhook, Webhooks, check_operations
from ._dispatch import AnyEvent, WebhookDispatcher
from ._errors import (
    InvalidSignatureError,
    MalformedHeaderError,
    MalformedWebhookError,
    MissingHeaderError,
    ReplayedWebhookError,
    StaleTimestampError,
    WebhookError,
    WebhookVerificationError,
)
from ._events import ACTIONS, Action, EventType, ObjectEvents, UntypedEvent, WebhookEvent
from ._signing import NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookVerifier, sign

__all__ = [
    "ACTIONS",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Action",
    "AnyEvent",
    "EventType",
    "InvalidSignatureError",
    "MalformedHeaderError",
    "MalformedWebhookError",
    "MissingHeaderError",
    "ObjectEvents",
    "ReplayedWebhookError",
    "StaleTimestampError",
    "UntypedEvent",
    "Webhook",
    "WebhookDispatcher",
    "WebhookError",
    "WebhookEvent",
    "WebhookVerificationError",
    "WebhookVerifier",
    "Webhooks",
    "check_operations",
    "sign",
]
