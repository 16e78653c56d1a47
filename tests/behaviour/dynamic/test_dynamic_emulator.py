"""``crm.object(name)`` (``ts``: the committed bindings, tests/conftest.py): the untyped record facade against the emulator, including objects and
fields created after the bindings were generated (and after the facade was first used)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from twenty_gql import (
    DataModel,
    DynamicObjectApi,
    GraphQLResponseError,
    ObjectNotFoundError,
    Operation,
    SchemaDriftError,
    TwentyClient,
)
from twenty_gql.dynamic import selection_for
from twenty_gql.errors import RecordNotFoundError
from twenty_gql.page import Page
from twenty_gql.testing import TwentyEmulator


@pytest.fixture
async def client() -> AsyncIterator[TwentyClient]:
    async with (
        TwentyEmulator(seed="standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None, page_size_max=3) as c,
    ):
        yield c


async def _invoice_model(client: TwentyClient, dm: DataModel | None = None) -> DataModel:
    dm = dm if dm is not None else DataModel(client)
    await dm.create_object(
        name_singular="invoice",
        name_plural="invoices",
        label_singular="Invoice",
        label_plural="Invoices",
    )
    await dm.create_number_field("invoice", name="amount", label="Amount")
    await dm.create_select_field(
        "invoice", name="status", label="Status", options=[("DRAFT", "Draft"), ("PAID", "Paid")]
    )
    await dm.create_relation_field(
        from_object="invoice",
        to_object="company",
        name="company",
        label="Company",
        target_name="invoices",
        target_label="Invoices",
    )
    return dm


async def test_core_api_object_works_at_once_for_an_object_created_after_generation(
    client: TwentyClient, ts: Any
) -> None:
    crm = ts.CoreApi(client)
    assert not hasattr(crm, "invoices")  # the bindings predate the object
    invoices = crm.object("invoice")
    assert isinstance(invoices, DynamicObjectApi)
    with pytest.raises(ObjectNotFoundError, match="no object named 'invoice'"):
        await invoices.count()
    assert isinstance(crm.data_model, DataModel)
    await _invoice_model(client, crm.data_model)
    # the same facade (its client's catalog was read before the object existed) sees it now
    acme = await crm.companies.create(data={"name": "Acme"})
    inv = await invoices.create(
        {"name": "INV-1", "amount": 120, "status": "DRAFT", "companyId": str(acme.id)}
    )
    assert inv["name"] == "INV-1" and inv["amount"] == 120
    assert inv["status"] == "DRAFT" and inv["companyId"] == acme.id  # UUID both sides
    assert isinstance(inv["id"], uuid.UUID)
    assert inv["createdBy"]["source"] == "API"  # composite sub-fields are selected
    assert await invoices.get(inv["id"]) == inv


async def test_reads_writes_and_trash(client: TwentyClient) -> None:
    await _invoice_model(client)
    inv = DynamicObjectApi(client, "invoice")
    made = [await inv.create({"name": f"INV-{i}", "amount": i * 10}) for i in range(7)]

    page = await inv.find_many(
        filter={"amount": {"gte": 20}}, order_by={"amount": "AscNullsLast"}, first=2
    )
    assert isinstance(page, Page)
    assert [r["name"] for r in page] == ["INV-2", "INV-3"]
    assert len(page) == 2 and page.total_count == 5 and page.has_next_page
    nxt = await inv.find_many(
        filter={"amount": {"gte": 20}},
        order_by=[{"amount": "AscNullsLast"}],
        first=2,
        after=page.end_cursor or "",
    )
    assert [r["name"] for r in nxt] == ["INV-4", "INV-5"]
    assert await inv.count() == 7
    assert await inv.count(filter={"amount": {"lt": 30}}) == 3
    names = [r["name"] async for r in inv.iterate(order_by={"amount": "DescNullsLast"})]
    assert names == [f"INV-{i}" for i in range(6, -1, -1)]  # 3 pages of page_size_max=3

    one = await inv.find_one(filter={"name": {"eq": "INV-3"}})
    assert one["id"] == made[3]["id"]
    assert await inv.find_one_or_none(filter={"name": {"eq": "nope"}}) is None
    with pytest.raises(RecordNotFoundError, match="filter"):
        await inv.find_one(filter={"name": {"eq": "nope"}})
    missing = str(uuid.uuid4())
    with pytest.raises(RecordNotFoundError, match=missing):
        await inv.get(missing)

    upd = await inv.update(made[0]["id"], {"amount": None, "status": "PAID"})
    assert upd["amount"] is None and upd["status"] == "PAID"
    changed = await inv.update_where(filter={"amount": {"gte": 50}}, data={"status": "PAID"})
    assert sorted(r["name"] for r in changed) == ["INV-5", "INV-6"]

    # soft delete -> trash -> restore
    gone = await inv.delete(made[1]["id"])
    assert gone["deletedAt"] is not None
    assert await inv.count() == 6
    trash = await inv.find_deleted()
    assert [r["id"] for r in trash] == [made[1]["id"]]
    assert [r["id"] async for r in inv.iterate_deleted()] == [made[1]["id"]]
    assert (await inv.find_deleted(filter={"name": {"eq": "INV-2"}})).nodes == []
    back = await inv.restore(made[1]["id"])
    assert back["deletedAt"] is None and await inv.count() == 7
    deleted = await inv.delete_where(filter={"amount": {"gte": 50}})
    assert len(deleted) == 2 and len(await inv.find_deleted()) == 2
    restored = await inv.restore_where(filter={"amount": {"gte": 50}})
    assert len(restored) == 2 and await inv.count() == 7

    # destroy is permanent: not in the trash either
    await inv.destroy(made[0]["id"])
    destroyed = await inv.destroy_where(filter={"amount": {"gte": 50}})
    assert len(destroyed) == 2
    assert await inv.count() == 4 and len(await inv.find_deleted()) == 0


async def test_create_many_and_upsert(client: TwentyClient) -> None:
    await _invoice_model(client)
    inv = DynamicObjectApi(client, "invoice")
    result = await inv.create_many([{"name": f"B{i}", "amount": i} for i in range(130)])
    assert result.succeeded == 130 and result.requests >= 3  # chunked to the batch limit
    assert all(isinstance(r, dict) and r["name"] == f"B{i}" for i, r in enumerate(result.records))
    assert await inv.count() == 130
    first = result.records[0]
    assert first is not None
    up = await inv.create({"id": first["id"], "name": "B0", "amount": 999}, upsert=True)
    assert up["id"] == first["id"] and up["amount"] == 999 and await inv.count() == 130


async def test_field_created_after_first_use_is_selected(client: TwentyClient) -> None:
    dm = await _invoice_model(client)
    inv = DynamicObjectApi(client, "invoice")
    await inv.create({"name": "before"})
    await dm.create_text_field("invoice", name="reference", label="Reference")
    row = await inv.create({"name": "after", "reference": "R-1"})
    assert row["reference"] == "R-1"


async def test_field_deleted_after_first_use_refreshes_instead_of_failing(
    client: TwentyClient,
) -> None:
    dm = await _invoice_model(client)
    inv = DynamicObjectApi(client, "invoice")
    await inv.create({"name": "x", "amount": 1})
    assert "amount" in selection_for(await inv.info())
    await dm.delete_field("invoice", "amount")
    # the cached selection names a deleted field: the server says so (drift), the facade
    # reads the data model again and the read succeeds
    page = await inv.find_many()
    assert [r["name"] for r in page] == ["x"] and "amount" not in page[0]


async def test_unknown_object_and_plural_hint(client: TwentyClient) -> None:
    with pytest.raises(ObjectNotFoundError, match="did you mean 'company'") as e:
        await DynamicObjectApi(client, "companies").count()
    assert e.value.object_name == "companies"
    with pytest.raises(ValueError, match="non-empty"):
        DynamicObjectApi(client, "")


async def test_standard_object_matches_the_typed_facade(client: TwentyClient, ts: Any) -> None:
    crm = ts.CoreApi(client)
    typed = await crm.companies.create(
        data={"name": "Typed", "domainName": {"primaryLinkUrl": "https://typed.example"}}
    )
    row = await crm.object("company").get(typed.id)
    assert row["id"] == typed.id and row["name"] == "Typed"
    assert row["domainName"]["primaryLinkUrl"] == "https://typed.example"
    person = await crm.object("person").create(
        {"name": {"firstName": "Ada", "lastName": "L"}, "companyId": str(typed.id)}
    )
    assert person["companyId"] == typed.id
    assert person["name"] == {"firstName": "Ada", "lastName": "L"}


async def test_schema_drift_is_typed_for_any_operation(client: TwentyClient) -> None:
    op: Operation[dict[str, Any]] = Operation(
        name="Stale",
        document="query Stale { companies { edges { node { id gone } } } }",
        endpoint="graphql",
        kind="query",
        root_fields=("companies",),
        result_type=dict,
        idempotent=True,
    )
    with pytest.raises(SchemaDriftError) as e:
        await client.execute(op)
    assert (e.value.missing, e.value.parent) == ("gone", "Company")
    assert e.value.code == "GRAPHQL_VALIDATION_FAILED"
    assert "twenty-gql generate" in str(e.value)


async def test_wrong_select_value_lists_the_options(client: TwentyClient) -> None:
    await _invoice_model(client)
    inv = DynamicObjectApi(client, "invoice")
    with pytest.raises(GraphQLResponseError) as e:
        await inv.create({"name": "x", "status": "SENT"})
    assert e.value.enum_name == "InvoiceStatusEnum"
    assert e.value.enum_values == ("DRAFT", "PAID")
    assert str(e.value).endswith("(valid values of InvoiceStatusEnum: DRAFT, PAID)")
    assert 'Value "SENT" does not exist in "InvoiceStatusEnum" enum' in e.value.message
