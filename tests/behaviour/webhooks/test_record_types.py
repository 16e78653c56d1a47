"""Every record the emulator can send decodes into its generated struct: typed events work for
every object of the standard workspace, not only ``company``."""

from __future__ import annotations

from typing import Any

from twenty_gql.testing.webhook_delivery import js_json
from twenty_gql.testing.workspace import Workspace
from twenty_gql.webhooks import ObjectEvents, WebhookDispatcher, WebhookEvent


def test_demo_seed_records_decode_into_the_generated_structs(ts: Any) -> None:
    ws = Workspace("demo")
    tables = {}
    for obj in ws.objects():
        struct = getattr(ts.core, obj.nameSingular[0].upper() + obj.nameSingular[1:], None)
        if struct is not None:
            tables[obj.nameSingular] = ObjectEvents(obj.nameSingular, struct)
    assert {"company", "person", "opportunity", "note", "task", "workspaceMember"} <= set(tables)
    dispatcher = WebhookDispatcher("s", objects=tables.values())
    decoded = 0
    for name in tables:
        for record in ws.records(name):
            body = js_json(
                {
                    "targetUrl": "http://127.0.0.1/",
                    "eventName": f"{name}.created",
                    "objectMetadata": {"id": "x", "nameSingular": name},
                    "workspaceId": "w",
                    "webhookId": "h",
                    "eventDate": "2026-01-01T00:00:00.000Z",
                    "record": record,
                }
            )
            event = dispatcher.parse(body)
            assert isinstance(event, WebhookEvent), getattr(event, "error", event)
            assert str(event.record.id) == record["id"]
            decoded += 1
    assert decoded >= 300
