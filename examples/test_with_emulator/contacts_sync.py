"""A tiny "service" of the kind you would test: sync contacts from another system into Twenty.

Each contact becomes a person (matched on their email, so running the sync again updates rather
than duplicates) linked to a company (matched on its domain). It talks to Twenty only through
the typed package generated for the workspace; here that is ``twenty_standard``, the committed
bindings of the emulator's standard workspace (in your project: your own ``twenty_crm``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from twenty_standard import CoreApi

from twenty_gql import TwentyClient


@dataclass(frozen=True)
class Contact:
    email: str
    first_name: str
    last_name: str
    company_domain: str
    company_name: str


@dataclass(frozen=True)
class SyncReport:
    companies: int  # companies created or updated
    people: int  # people created or updated
    failed: int  # people that could not be written (each one also logged by twenty_gql)


async def sync_contacts(client: TwentyClient, contacts: list[Contact]) -> SyncReport:
    crm = CoreApi(client)
    domains = sorted({c.company_domain for c in contacts})
    names = {c.company_domain: c.company_name for c in contacts}
    companies = await crm.companies.create_many(
        [{"name": names[d], "domainName": {"primaryLinkUrl": f"https://{d}"}} for d in domains],
        upsert=True,
    )
    companies.raise_for_failures()  # people cannot be linked to a company that is not there
    # records[i] is the server's record for input position indexes[i]
    company_ids = {
        domains[i]: record.id
        for i, record in zip(companies.indexes, companies.records, strict=True)
        if record is not None
    }
    people = await crm.people.create_many(
        [
            {
                "name": {"firstName": c.first_name, "lastName": c.last_name},
                "emails": {"primaryEmail": c.email},
                "companyId": company_ids[c.company_domain],
            }
            for c in contacts
            if c.company_domain in company_ids
        ],
        upsert=True,
    )
    return SyncReport(companies=companies.succeeded, people=people.succeeded, failed=people.failed)


def sync_contacts_blocking(url: str, api_key: str, contacts: list[Contact]) -> SyncReport:
    """The same, for callers without an event loop (a cron job, a Django view, ...)."""

    async def run() -> SyncReport:
        async with TwentyClient(url, api_key) as client:
            return await sync_contacts(client, contacts)

    return asyncio.run(run())
