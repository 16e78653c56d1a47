"""The ``twenty_webhooks`` pytest fixture: a receiver registered on ``twenty_emulator``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.webhooks.typed.generated_events import Company, CompanyEvents
from twenty_gql import TwentyClient
from twenty_gql.webhooks import UntypedEvent, WebhookEvent


@pytest.mark.twenty_emulator(rate_limit=None)
@pytest.mark.twenty_webhooks(operations=["company.*"], objects=[CompanyEvents])
async def test_fixture_collects_verified_typed_events(
    twenty_emulator: Any, twenty_webhooks: Any
) -> None:
    async with TwentyClient(twenty_emulator.url, twenty_emulator.api_key) as client:
        made = await client.execute_raw(
            'mutation { createCompanies(data: [{name: "F1"}, {name: "F2"}]) { id } }'
        )
        await client.execute_raw('mutation { createPerson(data: {jobTitle: "x"}) { id } }')
        first = made["createCompanies"][0]["id"]
        await client.execute_raw(
            "mutation($id: UUID!) { updateCompany(id: $id, data: {employees: 7}) { id } }",
            {"id": first},
        )
    events = twenty_webhooks.wait_idle()
    assert twenty_webhooks.rejected == []
    assert all(isinstance(e, WebhookEvent) and isinstance(e.record, Company) for e in events)
    assert sorted(e.event_name for e in events) == ["company.created"] * 2 + ["company.updated"]
    updated = next(e for e in events if e.action == "updated")
    assert updated.record.employees == 7.0 and updated.updated_fields == ("employees",)
    assert twenty_webhooks.secret not in repr(twenty_webhooks)
    assert [h["id"] for h in twenty_emulator.webhooks.all()] == twenty_webhooks.webhook_ids


def test_fixture_in_a_sync_test_with_untyped_objects(
    twenty_emulator: Any, twenty_webhooks: Any
) -> None:
    """No ``objects``: every event comes through untyped, nothing is lost."""
    import asyncio

    async def mutate() -> None:
        async with TwentyClient(twenty_emulator.url, twenty_emulator.api_key) as client:
            await client.execute_raw('mutation { createCompany(data: {name: "S"}) { id } }')

    asyncio.run(mutate())
    [event] = twenty_webhooks.wait(1)
    assert isinstance(event, UntypedEvent) and event.record["name"] == "S"
