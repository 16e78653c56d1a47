"""Pinned public types of the designed facade (``generated/twenty_standard``): checked by
``mypy --strict`` in test_facade_types.py (never imported or run)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from twenty_standard import core
from twenty_standard.core import (
    Company,
    CompanyConnection,
    CompanyFilterInput,
    CompanyWithRelations,
    CoreApi,
    Person,
)
from typing_extensions import assert_type

from twenty_gql import NOT_GIVEN, NotGiven, Page, TwentyClient


async def reads(client: TwentyClient, cid: uuid.UUID) -> None:
    crm = CoreApi(client)
    page = await crm.companies.find_many(first=2, filter=NOT_GIVEN, after=None)
    assert_type(page, Page[Company])
    assert_type(page.nodes, list[Company])
    assert_type(page.total_count, int)
    assert_type(page.has_next_page, bool)
    assert_type(page.has_previous_page, bool)
    assert_type(page.start_cursor, str | None)
    assert_type(page.end_cursor, str | None)
    assert_type(page[0], Company)
    assert_type(page[1:], list[Company])
    assert_type(len(page), int)
    for company in page:
        assert_type(company, Company)
    assert_type(await crm.companies.get(cid), Company)
    assert_type(await crm.companies.get(str(cid)), Company)
    assert_type(await crm.companies.find_one(filter={"name": {"eq": "Acme"}}), Company)
    assert_type(
        await crm.companies.find_one_or_none(filter={"name": {"eq": "Acme"}}), Company | None
    )
    assert_type(await crm.companies.count(), int)
    assert_type(await crm.companies.count(filter={"employees": {"gt": 10}}), int)
    assert_type(crm.companies.iterate(page_size=50), AsyncIterator[Company])
    assert_type(crm.companies.iterate_deleted(), AsyncIterator[Company])
    assert_type(await crm.companies.find_deleted(first=10), Page[Company])
    assert_type(await crm.companies.get_with(["people"], cid), CompanyWithRelations)
    assert_type(
        await crm.companies.find_one_with(["accountOwner"], filter={"id": {"eq": cid}}),
        CompanyWithRelations,
    )
    assert_type(await crm.companies.find_many_with(["people"]), Page[CompanyWithRelations])


async def writes(client: TwentyClient, cid: uuid.UUID) -> None:
    crm = CoreApi(client)
    created = await crm.companies.create({"name": "Acme"}, upsert=True)
    assert_type(created, Company)
    assert_type(await crm.companies.update(created.id, {"employees": None}), Company)
    assert_type(await crm.companies.delete(cid), Company)
    assert_type(await crm.companies.restore(str(cid)), Company)
    assert_type(await crm.companies.destroy(cid), Company)
    flt: CompanyFilterInput = {"name": {"like": "Acme%"}}
    assert_type(await crm.companies.update_where(filter=flt, data={"employees": 1}), list[Company])
    assert_type(await crm.companies.delete_where(filter=flt), list[Company])
    assert_type(await crm.companies.restore_where(filter=flt), list[Company])
    assert_type(await crm.companies.destroy_where(filter=flt), list[Company])


async def identity(client: TwentyClient, cid: uuid.UUID) -> None:
    crm = CoreApi(client)
    company = await crm.companies.get(cid)
    person: Person = await crm.people.get(cid)
    assert_type(company.id, uuid.UUID)
    assert_type(company.account_owner_id, uuid.UUID | None)
    assert_type(person.company_id, uuid.UUID | None)
    assert_type(person.company_id == company.id, bool)
    # an id as read or as text is accepted wherever an id goes
    await crm.people.create({"companyId": company.id})
    await crm.people.create({"companyId": str(company.id)})


async def plain_functions(client: TwentyClient) -> None:
    # optional arguments: NOT_GIVEN (the default) is not sent, None sends null
    conn = await core.companies(client, filter=NOT_GIVEN, first=None)
    assert_type(conn, CompanyConnection | None)
    left_out: NotGiven = NOT_GIVEN
    await core.companies(client, order_by=left_out)
    await core.create_company(client, data={"name": "Acme"}, upsert=NOT_GIVEN)
