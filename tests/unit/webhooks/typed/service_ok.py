"""A service written against the generated table: must pass ``mypy --strict``."""

from __future__ import annotations

from twenty_gql.webhooks import AnyEvent, UntypedEvent, WebhookDispatcher, WebhookEvent

from .generated_events import ALL_OBJECT_EVENTS, Company, CompanyEvents, Person, PersonEvents

dispatcher = WebhookDispatcher("secret", objects=ALL_OBJECT_EVENTS)


@dispatcher.on(CompanyEvents.updated)
async def company_updated(event: WebhookEvent[Company]) -> None:
    name: str | None = event.record.name
    fields: tuple[str, ...] | None = event.updated_fields
    print(name, fields, event.record.created_at.year)


@dispatcher.on(PersonEvents)
async def any_person_event(event: WebhookEvent[Person]) -> None:
    title: str = event.record.job_title
    print(event.action, title)


@dispatcher.on("*", "deleted")
async def anything_deleted(event: AnyEvent) -> None:
    print(event.event_name)


@dispatcher.on_untyped
async def other(event: UntypedEvent) -> None:
    print(event.record.get("id"), event.error)
