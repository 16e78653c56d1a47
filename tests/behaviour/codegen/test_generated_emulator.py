"""The committed ``generated/twenty_standard`` bindings against the running emulator.

Every field type of the standard seed goes out through a generated create input and comes back
through a generated result struct: TEXT, NUMBER, BOOLEAN, POSITION, DATE_TIME, UUID, SELECT,
LINKS, CURRENCY, ADDRESS, EMAILS, PHONES, FULL_NAME, RICH_TEXT, FILES, ACTOR, RAW_JSON,
TS_VECTOR, RELATION (to-one FK, one-to-many via include=) and MORPH_RELATION. Updates show
"not sent" (key absent: unchanged) versus "null" (``None``: cleared).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from twenty_gql.client import TwentyClient
from twenty_gql.errors import ConnectionDroppedError
from twenty_gql.scheduling import RetryPolicy
from twenty_gql.testing.emulator import TwentyEmulator


@pytest.fixture
async def client() -> AsyncIterator[TwentyClient]:
    async with (
        TwentyEmulator(seed="demo", rate_limit=None) as emu,  # standard data model + records
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as c,
    ):
        yield c


async def test_company_person_round_trip_every_field_type(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    members = await crm.workspace_members.find_many(first=1)
    owner = members[0]
    company = await crm.companies.create(
        data={
            "name": "Acme Rockets",
            "domainName": {
                "primaryLinkUrl": "https://acme-rockets.test",
                "primaryLinkLabel": "Acme",
            },
            "employees": 42,
            "annualRecurringRevenue": {"amountMicros": 1_500_000_000, "currencyCode": "EUR"},
            "address": {"addressCity": "Lyon", "addressCountry": "France", "addressLat": 45.76},
            "idealCustomerProfile": True,
            "position": 7.5,
            "accountOwnerId": owner.id,
            "createdBy": {"source": "API"},
        }
    )
    assert isinstance(company, ts.core.Company)
    assert isinstance(company.id, uuid.UUID)
    assert company.name == "Acme Rockets"
    assert company.domain_name.primary_link_url == "https://acme-rockets.test"
    assert company.employees == 42
    assert company.annual_recurring_revenue.amount_micros == 1_500_000_000
    assert company.annual_recurring_revenue.currency_code == "EUR"
    assert company.address.address_city == "Lyon" and company.address.address_lat == 45.76
    assert company.ideal_customer_profile is True
    assert company.position == 7.5
    assert company.account_owner_id == owner.id  # a foreign key is a uuid.UUID like id
    assert company.created_by.source is ts.core.ActorSourceEnum.API
    assert company.created_at.tzinfo is not None and company.deleted_at is None

    person = await crm.people.create(
        data={
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {"primaryEmail": "ada@acme-rockets.test", "additionalEmails": ["a@x.test"]},
            "phones": {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR"},
            "city": "Paris",
            "companyId": company.id,
            "avatarFile": [{"fileId": uuid.uuid4(), "label": "ada.png"}],
        }
    )
    assert person.name.first_name == "Ada" and person.name.last_name == "Lovelace"
    assert person.emails.primary_email == "ada@acme-rockets.test"
    assert person.emails.additional_emails == ["a@x.test"]
    assert person.phones.primary_phone_number == "612345678"
    assert person.company_id == company.id
    assert person.avatar_file[0].label == "ada.png"

    # to-one and one-to-many relations through include=
    full = await crm.companies.find_one_with(
        ["people", "accountOwner"], filter={"id": {"eq": company.id}}
    )
    assert isinstance(full, ts.core.CompanyWithRelations)
    assert [e.node.id for e in full.people.edges] == [person.id]
    assert full.account_owner.id == owner.id
    plain = await crm.companies.find_one(filter={"id": {"eq": company.id}})
    assert msgspec.to_builtins(plain) == msgspec.to_builtins(company) | {
        "updatedAt": msgspec.to_builtins(plain)["updatedAt"]
    }


async def test_update_null_versus_not_sent(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    company = await crm.companies.create(
        data={"name": "Nullable Inc", "employees": 10, "address": {"addressCity": "Nantes"}}
    )
    # not sent: name and address stay; null: employees is cleared
    updated = await crm.companies.update(id=company.id, data={"employees": None})
    assert updated.employees is None
    assert updated.name == "Nullable Inc" and updated.address.address_city == "Nantes"
    # a key that is sent with a value changes only that value
    again = await crm.companies.update(id=company.id, data={"name": "Renamed"})
    assert again.name == "Renamed" and again.employees is None
    assert again.address.address_city == "Nantes"


async def test_select_datetime_richtext_morph_and_readonly_types(
    ts: Any, client: TwentyClient
) -> None:
    crm = ts.CoreApi(client)
    company = await crm.companies.create(data={"name": "Morph Co"})
    opp = await crm.opportunities.create(
        data={
            "name": "Big deal",
            "stage": ts.core.OpportunityStageEnum.MEETING,
            "closeDate": "2025-06-30T12:00:00Z",
            "amount": {"amountMicros": 2_000_000, "currencyCode": "USD"},
            "companyId": company.id,
        }
    )
    assert opp.stage is ts.core.OpportunityStageEnum.MEETING
    assert opp.close_date.year == 2025 and opp.close_date.month == 6
    # a plain string is accepted where the enum is expected (Literal alias)
    moved = await crm.opportunities.update(id=opp.id, data={"stage": "PROPOSAL"})
    assert moved.stage is ts.core.OpportunityStageEnum.PROPOSAL

    note = await crm.notes.create(
        data={"title": "Kickoff", "bodyV2": {"markdown": "# Hello", "blocknote": None}}
    )
    assert note.body_v2.markdown == "# Hello" and note.body_v2.blocknote is None
    target = await crm.note_targets.create(data={"noteId": note.id, "targetCompanyId": company.id})
    assert target.target_company_id == company.id and target.target_person_id is None

    linked = uuid.uuid4()
    activity = await crm.timeline_activities.create(
        data={
            "name": "note.created",
            "properties": {"diff": {"title": [None, "Kickoff"]}, "n": [1, 2.5, True, None]},
            "linkedRecordId": linked,
            "happensAt": "2025-01-02T03:04:05Z",
        }
    )
    assert activity.properties == {"diff": {"title": [None, "Kickoff"]}, "n": [1, 2.5, True, None]}
    assert activity.linked_record_id == linked  # UUID scalar decoded to uuid.UUID
    found = await crm.companies.find_many(filter={"searchVector": {"search": "Morph"}})
    assert isinstance(found.nodes, list)  # TS_VECTOR filter accepted; searchVector typed str


async def test_iterate_bulk_upsert_and_soft_delete(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    first = await crm.companies.find_many(first=1)
    total = first.total_count
    seen = [c.id async for c in crm.companies.iterate(page_size=7)]
    assert len(seen) == len(set(seen)) == total

    records = [
        {"name": f"Bulk {i}", "domainName": {"primaryLinkUrl": f"https://bulk{i}.test"}}
        for i in range(5)
    ]
    created = await crm.companies.create_many(records, upsert=True)
    assert created.ok and created.succeeded == 5
    ids = [r.id for r in created.records]
    again = await crm.companies.create_many(
        [
            {"name": f"Bulk {i} v2", "domainName": {"primaryLinkUrl": f"https://bulk{i}.test"}}
            for i in range(5)
        ],
        upsert=True,
    )
    assert [r.id for r in again.records] == ids  # matched on the unique domainName
    assert [r.name for r in again.records] == [f"Bulk {i} v2" for i in range(5)]

    deleted = await crm.companies.delete(id=ids[0])
    assert deleted.deleted_at is not None
    gone = await crm.companies.find_many(filter={"id": {"eq": ids[0]}})
    assert gone.nodes == []
    restored = await crm.companies.restore(id=ids[0])
    assert restored.deleted_at is None
    await crm.companies.delete(id=ids[1])
    destroyed = await crm.companies.destroy(id=ids[1])
    assert destroyed.id == ids[1]


async def test_metadata_facade_and_functions(ts: Any, client: TwentyClient) -> None:
    meta = ts.MetadataApi(client)
    objects = await meta.objects.find_many(paging={"first": 100})
    names = {e.node.name_singular for e in objects.edges}
    assert {"company", "person", "opportunity"} <= names
    company = next(e.node for e in objects.edges if e.node.name_singular == "company")
    fields = await meta.fields.find_many(
        paging={"first": 200}, filter={"objectMetadataId": {"eq": company.id}}
    )
    assert "domainName" in {e.node.name for e in fields.edges}
    created = await ts.metadata.create_one_field(
        client,
        input={
            "field": {
                "objectMetadataId": company.id,
                "name": "tagline",
                "label": "Tagline",
                "type": ts.metadata.FieldMetadataType.TEXT,
            }
        },
    )
    assert created.name == "tagline" and created.type is ts.metadata.FieldMetadataType.TEXT


async def test_upsert_is_resent_only_when_every_record_carries_its_id(ts: Any) -> None:
    """Regression: generated ``create_<x>(..., upsert=True)`` was always sent as idempotent, so
    an upsert without ids was resent after a dropped-but-applied attempt and created the
    record once per attempt. Now only upserts whose records all carry an ``id`` are resent."""
    async with (
        TwentyEmulator(
            seed="standard", rate_limit=None, drop_rate=1.0, drop_after_apply=True
        ) as emu,
        TwentyClient(
            emu.url, emu.api_key, rate_limit=None, retry=RetryPolicy(3, base=0.001, cap=0.002)
        ) as client,
    ):
        crm = ts.CoreApi(client)
        with pytest.raises(ConnectionDroppedError):  # no id: not resent
            await crm.companies.create(data={"name": "Once"}, upsert=True)
        assert client.stats().requests == 1
        with pytest.raises(ConnectionDroppedError):  # one record without id: not resent
            await ts.core.create_companies(
                client,
                data=[{"id": uuid.uuid4(), "name": "Twice A"}, {"name": "Twice B"}],
                upsert=True,
            )
        assert client.stats().requests == 2
        with pytest.raises(ConnectionDroppedError):  # keyed: resent, lands once
            await crm.companies.create(data={"id": uuid.uuid4(), "name": "Keyed"}, upsert=True)
        assert client.stats().requests == 2 + 4
        names = [r["name"] for r in emu.workspace.records("company")]
        assert [names.count(n) for n in ("Once", "Twice A", "Twice B", "Keyed")] == [1, 1, 1, 1]
