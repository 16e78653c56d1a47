"""Tests of contacts_sync against the twenty-gql emulator: run with `pytest` in this directory."""

from __future__ import annotations

import pytest
from contacts_sync import Contact, sync_contacts, sync_contacts_blocking

from twenty_gql import BulkFailuresError, ForbiddenError, TwentyClient

CONTACTS = [
    Contact("ada@analytical.test", "Ada", "Lovelace", "analytical.test", "Analytical Engines"),
    Contact(
        "charles@analytical.test", "Charles", "Babbage", "analytical.test", "Analytical Engines"
    ),
    Contact("grace@navy.test", "Grace", "Hopper", "navy.test", "US Navy"),
]


def people_by_email(emulator) -> dict[str, dict]:
    return {p["emails"]["primaryEmail"]: p for p in emulator.workspace.records("person")}


def test_sync_from_blocking_code(twenty_emulator):  # a plain sync test
    report = sync_contacts_blocking(twenty_emulator.url, twenty_emulator.api_key, CONTACTS)
    assert report.companies == 2 and report.people == 3 and report.failed == 0
    people = people_by_email(twenty_emulator)
    companies = {c["id"]: c["name"] for c in twenty_emulator.workspace.records("company")}
    assert companies[people["grace@navy.test"]["companyId"]] == "US Navy"
    assert people["ada@analytical.test"]["name"] == {"firstName": "Ada", "lastName": "Lovelace"}


async def test_sync_twice_updates_instead_of_duplicating(twenty_emulator):  # an async test
    async with TwentyClient(twenty_emulator.url, twenty_emulator.api_key) as client:
        await sync_contacts(client, CONTACTS)
        renamed = [Contact("ada@analytical.test", "Ada", "King", "analytical.test", "AE Ltd")]
        report = await sync_contacts(client, renamed)
    assert report.people == 1
    people = people_by_email(twenty_emulator)
    assert len([e for e in people if e.endswith(".test")]) == 3
    assert people["ada@analytical.test"]["name"]["lastName"] == "King"


@pytest.mark.twenty_emulator(seed="demo", fault_rate=0.5, fault_seed=11, rate_limit=None)
async def test_sync_survives_proxy_errors(twenty_emulator):
    before = len(twenty_emulator.workspace.records("person"))
    async with TwentyClient(twenty_emulator.url, twenty_emulator.api_key) as client:
        report = await sync_contacts(client, CONTACTS)
    assert report.failed == 0 and report.people == 3
    assert len(twenty_emulator.workspace.records("person")) == before + 3
    assert twenty_emulator.stats.status_faults > 0  # the 502/503s happened, and were retried


async def test_revoked_key_is_reported(twenty_emulator):
    twenty_emulator.revoke_key()
    async with TwentyClient(twenty_emulator.url, twenty_emulator.api_key) as client:
        with pytest.raises(BulkFailuresError) as caught:
            await sync_contacts(client, CONTACTS)
    assert all(isinstance(f.error, ForbiddenError) for f in caught.value.failures)
    assert twenty_emulator.workspace.records("person") == []  # nothing half-written
