"""Mistakes against the generated events module: each line with an error comment must be
reported by ``mypy --strict``."""

from __future__ import annotations

from twenty_standard import events
from twenty_standard.core import Company, Person

from twenty_gql.webhooks import WebhookEvent

hooks = events.dispatcher("secret")


@hooks.on(events.company.updated)  # E: a Person handler for a company event
async def wrong_record(event: WebhookEvent[Person]) -> None:
    print(event.record.job_title)


@hooks.on(events.company.created)
async def wrong_attribute(event: WebhookEvent[Company]) -> None:
    print(event.record.job_title)  # E: Company has no job_title


@hooks.on(events.person.restored)
async def wrong_field_type(event: WebhookEvent[Person]) -> None:
    title: int = event.record.job_title  # E: str | None is not int
    print(title)


print(events.compnay)  # E: the module has no such object (no catch-all __getattr__)
