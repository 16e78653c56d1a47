"""A webhook service for Twenty on aiohttp: verified, typed events, handlers per object/action.

    .venv/bin/python examples/webhooks.py

1. ``build_service(secret)`` is the service: ``events.dispatcher(secret)`` from the generated
   bindings (``generated/twenty_standard/events.py``: one typed ``ObjectEvents`` per object),
   typed handlers, and the aiohttp app that serves it (this is all a production service needs,
   plus ``web.run_app``);
2. the demo around it starts a local Twenty emulator, runs the service on 127.0.0.1, registers
   a webhook with a secret through ``/metadata``, changes records through the generated client,
   adds an object the bindings do not know (its events arrive untyped) and prints what the
   handlers saw; then a forged delivery is refused.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections import Counter
from pathlib import Path

from aiohttp import ClientSession, web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "generated"))

from twenty_standard import CoreApi, events  # noqa: E402
from twenty_standard.core import Company, Opportunity, Person  # noqa: E402

from twenty_gql import TwentyClient  # noqa: E402
from twenty_gql.testing import TwentyEmulator  # noqa: E402
from twenty_gql.webhooks import UntypedEvent, WebhookEvent, Webhooks  # noqa: E402

SEEN: Counter[str] = Counter()


def build_service(secret: str) -> web.Application:
    """The service: every delivery is verified over its raw bytes before any handler runs."""
    dispatcher = events.dispatcher(secret)  # every object's records typed

    @dispatcher.on(events.company.created)
    async def company_created(event: WebhookEvent[Company]) -> None:
        SEEN["company.created"] += 1

    @dispatcher.on(events.company.updated)
    async def company_updated(event: WebhookEvent[Company]) -> None:
        fields = ", ".join(event.updated_fields or ())
        print(f"  company {event.record.name!r} updated: {fields}")
        SEEN["company.updated"] += 1

    @dispatcher.on(events.person)  # every action of person
    async def person_changed(event: WebhookEvent[Person]) -> None:
        print(f"  person {event.record.job_title!r} {event.action}")
        SEEN[event.event_name] += 1

    @dispatcher.on(events.opportunity.created)
    async def opportunity_created(event: WebhookEvent[Opportunity]) -> None:
        print(f"  opportunity {event.record.name!r} created")
        SEEN["opportunity.created"] += 1

    @dispatcher.on("*", "deleted")  # any object, typed or not
    async def anything_deleted(event: events.AnyEvent) -> None:
        SEEN["*.deleted"] += 1

    @dispatcher.on_untyped  # objects / actions these bindings do not know
    async def other(event: UntypedEvent) -> None:
        print(f"  untyped {event.event_name}: {event.error}")
        SEEN["untyped"] += 1

    return dispatcher.aiohttp_app("/twenty/webhooks")


async def main() -> int:
    secret = secrets.token_hex(32)
    runner = web.AppRunner(build_service(secret), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/twenty/webhooks"
    try:
        async with (
            TwentyEmulator("standard") as emu,
            TwentyClient(emu.url, emu.api_key) as client,
        ):
            hook = await Webhooks(client).create(
                url,
                ["company.*", "person.*", "opportunity.created", "gadget.created"],
                secret=secret,
            )
            print(f"registered {hook!r}")  # the repr never shows the secret
            crm = CoreApi(client)
            batch = await crm.companies.create_many([{"name": f"Hooked {i}"} for i in range(60)])
            first = batch.records[0]
            assert first is not None
            await crm.companies.update(id=first.id, data={"name": "Hooked Prime", "employees": 7})
            person = await crm.people.create({"jobTitle": "CTO"})
            await crm.people.delete(person.id)
            await crm.opportunities.create(data={"name": "Deal"})
            # an object added after the bindings were generated: its events arrive untyped
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
            failed = [d for d in emu.webhooks.deliveries if not d.ok]
            print(f"deliveries: {len(emu.webhooks.deliveries)}, failed: {len(failed)}")
        async with (
            ClientSession() as http,
            http.post(url, data=b"{}", headers={"X-Twenty-Webhook-Timestamp": "1"}) as resp,
        ):
            print(f"forged delivery -> HTTP {resp.status} {(await resp.json())['error']}")
    finally:
        await runner.cleanup()
    print("handlers saw: " + ", ".join(f"{k}={v}" for k, v in sorted(SEEN.items())))
    expected = {
        "company.created": 60,
        "company.updated": 1,
        "person.created": 1,
        "person.deleted": 1,
        "*.deleted": 1,
        "opportunity.created": 1,
        "untyped": 1,
    }
    ok = dict(SEEN) == expected and not failed
    print("webhooks example OK" if ok else f"webhooks example FAILED: expected {expected}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
