"""Mistakes mypy must catch: each line with an error comment must be reported."""

from __future__ import annotations

from twenty_gql.webhooks import WebhookDispatcher, WebhookEvent

from .generated_events import Company, CompanyEvents, Person

dispatcher = WebhookDispatcher("secret")


@dispatcher.on(CompanyEvents.updated)  # E: a Person handler for a company event
async def wrong_record(event: WebhookEvent[Person]) -> None:
    print(event.record.job_title)


@dispatcher.on(CompanyEvents.created)
async def wrong_attribute(event: WebhookEvent[Company]) -> None:
    print(event.record.job_title)  # E: Company has no job_title


@dispatcher.on(CompanyEvents.deleted)  # E: handlers must be async
def not_async(event: WebhookEvent[Company]) -> None:
    print(event)
