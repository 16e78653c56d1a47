"""Must-show of issue 14: a service registers a webhook with a secret, changes records through
the generated client (one create, a 60-record batch, an update of two fields, deletes,
restores, destroys), and receives exactly the expected typed, verified events."""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

from aiohttp import web

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator
from twenty_gql.webhooks import (
    ObjectEvents,
    UntypedEvent,
    WebhookDispatcher,
    WebhookEvent,
    Webhooks,
)


async def test_service_receives_exactly_the_expected_typed_verified_events(ts: Any) -> None:
    Company = ts.core.Company
    CompanyEvents = ObjectEvents("company", Company)
    secret = secrets.token_hex(32)
    service = WebhookDispatcher(secret, objects=[CompanyEvents])
    received: list[WebhookEvent[Any]] = []
    untyped: list[UntypedEvent] = []

    @service.on(CompanyEvents)
    async def on_company(event: WebhookEvent[Any]) -> None:
        received.append(event)

    @service.on_untyped
    async def on_other(event: UntypedEvent) -> None:
        untyped.append(event)

    runner = web.AppRunner(service.aiohttp_app("/twenty/webhooks"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/twenty/webhooks"
    try:
        async with (
            TwentyEmulator("standard", rate_limit=None) as emu,
            TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
        ):
            hook = await Webhooks(client).create(
                url, ["company.*"], secret=secret, description="e2e"
            )
            assert hook.secret == secret and hook.target_url == url
            crm = ts.CoreApi(client)
            acme = await crm.companies.create(data={"name": "Acme", "employees": 10})
            before = emu.stats.graphql_requests
            batch = await crm.companies.create_many(
                [{"name": f"Batch {i:02d}", "employees": i} for i in range(60)]
            )
            assert emu.stats.graphql_requests - before == 1  # one createCompanies of 60
            assert len(batch.records) == 60
            await crm.companies.update(id=acme.id, data={"name": "Acme Corp", "employees": 12})
            batch_filter = {"name": {"like": "Batch %"}}
            updated = await crm.companies.update_where(
                data={"employees": 1000}, filter=batch_filter
            )
            assert len(updated) == 60
            await crm.companies.delete(id=acme.id)
            await crm.companies.restore(id=acme.id)
            await crm.companies.delete_where(filter=batch_filter)
            await crm.companies.destroy(id=acme.id)
            await crm.companies.destroy_where(filter=batch_filter)
            await emu.webhooks_idle()
            deliveries = list(emu.webhooks.deliveries)
    finally:
        await runner.cleanup()

    assert untyped == []
    assert len(deliveries) == 245 and all(d.status == 200 for d in deliveries)
    assert Counter(e.event_name for e in received) == {
        "company.created": 61,
        "company.updated": 61,
        "company.deleted": 61,
        "company.restored": 1,
        "company.destroyed": 61,
    }
    assert all(isinstance(e.record, Company) for e in received)
    assert {e.webhook_id for e in received} == {hook.id}
    assert {e.target_url for e in received} == {url}
    assert len({e.workspace_id for e in received}) == 1
    assert len({e.object_metadata_id for e in received}) == 1

    acme_events = {e.action: e for e in received if str(e.record.id) == str(acme.id)}
    assert set(acme_events) == {"created", "updated", "deleted", "restored", "destroyed"}
    created = acme_events["created"]
    assert created.record.name == "Acme" and created.updated_fields is None
    upd = acme_events["updated"]
    assert (upd.record.name, upd.record.employees) == ("Acme Corp", 12.0)
    assert set(upd.updated_fields or ()) == {"name", "employees"}
    assert acme_events["deleted"].record.deleted_at is not None
    assert acme_events["deleted"].updated_fields == ("deletedAt",)
    assert acme_events["restored"].record.deleted_at is None
    assert acme_events["destroyed"].record.name == "Acme Corp"

    batch_ids = {str(r.id) for r in batch.records}
    by_action: dict[str, set[str]] = {}
    for e in received:
        if str(e.record.id) in batch_ids:
            by_action.setdefault(e.action, set()).add(str(e.record.id))
            if e.action == "updated":
                assert e.updated_fields == ("employees",) and e.record.employees == 1000.0
    assert by_action == {a: batch_ids for a in ("created", "updated", "deleted", "destroyed")}
