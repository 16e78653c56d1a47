"""A service written against generated/twenty_standard's events module: must pass
``mypy --strict`` (run with ``generated/`` on MYPYPATH)."""

from __future__ import annotations

from typing import Any

from twenty_standard import events
from twenty_standard.core import Company, Person

from twenty_gql.webhooks import ObjectEvents, UntypedEvent, WebhookDispatcher, WebhookEvent

hooks: WebhookDispatcher = events.dispatcher("secret")
everything: tuple[ObjectEvents[Any], ...] = events.ALL_OBJECTS
company_events: ObjectEvents[Company] = events.company


@hooks.on(events.company.updated)
async def company_updated(event: WebhookEvent[Company]) -> None:
    name: str | None = event.record.name
    fields: tuple[str, ...] | None = event.updated_fields
    print(name, fields, event.record.employees)


@hooks.on(events.person)  # every action of person
async def person_changed(event: WebhookEvent[Person]) -> None:
    title: str | None = event.record.job_title
    print(event.action, title)


@hooks.on("*", "deleted")
async def anything_deleted(event: events.AnyEvent) -> None:
    if isinstance(event, UntypedEvent):
        print(event.error)
    else:
        print(event.record.id)


@hooks.on_untyped
async def other(event: UntypedEvent) -> None:
    print(event.record.get("id"))
