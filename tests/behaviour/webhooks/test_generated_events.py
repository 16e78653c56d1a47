"""The generated events module (generated/twenty_standard/events.py) end to end against the
emulator: ``events.dispatcher(secret)`` types every object's records with the generated
structs, handlers registered with ``events.<object>.<action>`` receive exactly their events,
and an object the bindings do not know (added to the data model after generation) arrives as
an ``UntypedEvent``."""

from __future__ import annotations

import importlib
import secrets
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator
from twenty_gql.webhooks import ObjectEvents, UntypedEvent, WebhookEvent, Webhooks

ROOT = Path(__file__).resolve().parents[3]


def test_importing_events_loads_no_record_module() -> None:
    code = (
        "import sys\n"
        "import twenty_standard.events as ev\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('twenty_standard.core'))\n"
        "assert loaded == [], loaded\n"
        "assert 'twenty_gql.webhooks' not in sys.modules\n"
        "assert ev.company.record_type.__module__ == 'twenty_standard.core.objects.company'\n"
        "assert 'twenty_standard.core.objects.person' not in sys.modules\n"
        "print(len(ev.ALL_OBJECTS))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": f"{ROOT / 'generated'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout) >= 29


async def test_generated_events_type_records_end_to_end(ts: Any) -> None:
    events = importlib.import_module("twenty_standard.events")
    Company, Person = ts.core.Company, ts.core.Person
    assert isinstance(events.company, ObjectEvents) and events.company.record_type is Company
    assert events.workspace_member.object_name == "workspaceMember"
    assert {e.object_name for e in events.ALL_OBJECTS} >= {"company", "person", "opportunity"}

    secret = secrets.token_hex(32)
    hooks = events.dispatcher(secret)
    seen: Counter[str] = Counter()
    records: list[Any] = []
    untyped: list[UntypedEvent] = []

    @hooks.on(events.company.updated)
    async def company_updated(event: WebhookEvent[Any]) -> None:
        assert isinstance(event.record, Company)
        assert set(event.updated_fields or ()) == {"name", "employees"}
        records.append(event.record)
        seen["company.updated"] += 1

    @hooks.on(events.person)
    async def person_any(event: WebhookEvent[Any]) -> None:
        assert isinstance(event.record, Person)
        seen[event.event_name] += 1

    @hooks.on("*", "created")
    async def any_created(event: Any) -> None:
        # opportunity has no typed handler but dispatcher() typed it anyway
        if event.object_name == "opportunity":
            assert isinstance(event, WebhookEvent)
            assert type(event.record).__name__ == "Opportunity"
            seen["opportunity.created"] += 1

    @hooks.on_untyped
    async def other(event: UntypedEvent) -> None:
        untyped.append(event)

    runner = web.AppRunner(hooks.aiohttp_app("/hooks"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hooks"
    try:
        async with (
            TwentyEmulator("standard", rate_limit=None) as emu,
            TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
        ):
            await Webhooks(client).create(url, ["*.*"], secret=secret)
            crm = ts.CoreApi(client)
            acme = await crm.companies.create(data={"name": "Acme", "employees": 3})
            await crm.companies.update(id=acme.id, data={"name": "Acme Corp", "employees": 12})
            person = await crm.people.create(data={"jobTitle": "CTO"})
            await crm.people.delete(id=person.id)
            await crm.people.restore(id=person.id)
            await crm.opportunities.create(data={"name": "Deal"})
            # an object created after generation: the bindings have no type for it
            emu.workspace.create_object(
                {
                    "nameSingular": "gadget",
                    "namePlural": "gadgets",
                    "labelSingular": "Gadget",
                    "labelPlural": "Gadgets",
                }
            )
            await client.execute_raw('mutation { createGadget(data: {name: "G"}) { id } }')
            await emu.webhooks_idle()
            failed = [d for d in emu.webhooks.deliveries if d.status != 200]
    finally:
        await runner.cleanup()

    assert failed == []
    assert seen == {
        "company.updated": 1,
        "person.created": 1,
        "person.deleted": 1,
        "person.restored": 1,
        "opportunity.created": 1,
    }
    assert [r.name for r in records] == ["Acme Corp"] and records[0].employees == 12
    assert [(e.event_name, e.error) for e in untyped] == [
        ("gadget.created", "no record type for object 'gadget'")
    ]
