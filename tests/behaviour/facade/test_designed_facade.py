"""The designed record facade (``generated/twenty_standard``) against the running emulator.

Reads raise or return what their type says (``RecordNotFoundError`` / ``None``), pages are
``Page``s, ``count`` selects only ``totalCount``, the trash lists soft-deleted records, writes
return non-null records (``EmptyResultError`` otherwise), ``*_where`` return lists, ids and
foreign keys are both ``uuid.UUID``, and ``NOT_GIVEN`` (not sent) differs from ``None`` (null) in
the variables that go out.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from twenty_gql import (
    NOT_GIVEN,
    DecodeError,
    EmptyResultError,
    NotFoundError,
    Page,
    RecordNotFoundError,
)
from twenty_gql.client import TwentyClient
from twenty_gql.operation import Operation
from twenty_gql.testing.emulator import TwentyEmulator


class Recording:
    """An executor that records the variables of every call and sends it through ``client``."""

    def __init__(self, client: TwentyClient) -> None:
        self.client = client
        self.batch_size = client.batch_size
        self.page_size_max = client.page_size_max
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def execute(
        self,
        op: Operation[Any],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        self.calls.append((op.name, dict(variables or {})))
        return await self.client.execute(op, variables, idempotent=idempotent)


@pytest.fixture
async def client() -> AsyncIterator[TwentyClient]:
    async with (
        TwentyEmulator(seed="demo", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as c,
    ):
        yield c


async def _five(crm: Any, prefix: str) -> list[Any]:
    return [await crm.companies.create({"name": f"{prefix} {i}", "employees": i}) for i in range(5)]


async def test_get_and_find_one_raise_find_one_or_none_returns_none(
    ts: Any, client: TwentyClient
) -> None:
    crm = ts.CoreApi(client)
    acme = await crm.companies.create({"name": "Findable Inc"})
    assert (await crm.companies.get(acme.id)).id == acme.id
    assert (await crm.companies.get(str(acme.id))).name == "Findable Inc"
    found = await crm.companies.find_one(filter={"name": {"eq": "Findable Inc"}})
    assert found.id == acme.id
    assert (await crm.companies.find_one_or_none(filter={"id": {"eq": acme.id}})).id == acme.id

    missing = uuid.uuid4()
    with pytest.raises(RecordNotFoundError) as by_id:
        await crm.companies.get(missing)
    assert isinstance(by_id.value, NotFoundError)
    assert by_id.value.object_name == "company" and by_id.value.id == missing
    assert str(missing) in str(by_id.value)
    nothing = {"name": {"eq": "No Such Company"}}
    with pytest.raises(RecordNotFoundError, match="No Such Company") as by_filter:
        await crm.companies.find_one(filter=nothing)
    assert by_filter.value.filter == nothing and by_filter.value.id is None
    assert await crm.companies.find_one_or_none(filter=nothing) is None
    with pytest.raises(RecordNotFoundError):
        await crm.companies.get_with(["people"], missing)
    with pytest.raises(RecordNotFoundError):
        await crm.companies.find_one_with(["people"], filter=nothing)


async def test_page_fields_iteration_and_cursors_over_several_pages(
    ts: Any, client: TwentyClient
) -> None:
    crm = ts.CoreApi(client)
    made = await _five(crm, "Paged")
    flt = {"name": {"like": "Paged %"}}
    order = [{"name": "AscNullsLast"}]
    page = await crm.companies.find_many(filter=flt, order_by=order, first=2)
    assert isinstance(page, Page)
    assert len(page) == 2 and page.total_count == 5
    assert page.has_next_page is True and isinstance(page.end_cursor, str)
    assert [c.name for c in page] == ["Paged 0", "Paged 1"] == [page[0].name, page[1].name]
    assert page.nodes == list(page)
    # the same query through the plain function: the page mirrors its connection
    conn = await ts.core.companies(client, filter=flt, order_by=order, first=2)
    assert page.nodes == [e.node for e in conn.edges]
    assert (page.start_cursor, page.end_cursor) == (
        conn.page_info.start_cursor,
        conn.page_info.end_cursor,
    )
    assert page.has_previous_page is conn.page_info.has_previous_page
    names = [c.name for c in page]
    pages = 1
    while page.has_next_page:
        page = await crm.companies.find_many(
            filter=flt, order_by=order, first=2, after=page.end_cursor
        )
        pages += 1
        assert page.total_count == 5
        names += [c.name for c in page]
    assert pages == 3 and len(page) == 1
    assert names == [f"Paged {i}" for i in range(5)]
    assert sorted(c.id for c in made) == sorted(
        [c.id async for c in crm.companies.iterate(filter=flt, page_size=2)]
    )
    with_rel = await crm.companies.find_many_with(["people"], filter=flt, first=3)
    assert len(with_rel) == 3 and with_rel.total_count == 5
    assert isinstance(with_rel[0], ts.core.CompanyWithRelations)


async def test_count_sends_a_document_selecting_only_total_count(
    ts: Any, client: TwentyClient
) -> None:
    rec = Recording(client)
    crm = ts.CoreApi(rec)
    await _five(crm, "Counted")
    assert await crm.companies.count(filter={"name": {"like": "Counted %"}}) == 5
    assert (
        await crm.companies.count(filter={"employees": {"gte": 3}, "name": {"like": "Counted %"}})
        == 2
    )
    everyone = await crm.companies.count()
    assert everyone == (await crm.companies.find_many(first=1)).total_count >= 5
    op = ts.core.COMPANIES_COUNT_OP
    assert "totalCount" in op.document and "edges" not in op.document
    assert rec.calls[-2] == (op.name, {})  # count() with no filter sends no filter
    assert rec.calls[-3] == (
        op.name,
        {"filter": {"employees": {"gte": 3}, "name": {"like": "Counted %"}}},
    )
    assert rec.calls[-1][0] == "Companies"


async def test_trash_listing_restore_and_destroy(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    made = await _five(crm, "Trashy")
    flt = {"name": {"like": "Trashy %"}}
    assert (await crm.companies.find_deleted(filter=flt)).nodes == []
    gone = await crm.companies.delete(made[0].id)
    assert gone.id == made[0].id and gone.deleted_at is not None
    trash = await crm.companies.find_deleted(filter=flt)
    assert [c.id for c in trash] == [made[0].id] and trash.total_count == 1
    assert [c.id async for c in crm.companies.iterate_deleted(filter=flt)] == [made[0].id]
    assert made[0].id not in [c.id for c in await crm.companies.find_many(filter=flt)]
    assert await crm.companies.count(filter=flt) == 4
    with pytest.raises(RecordNotFoundError):
        await crm.companies.get(made[0].id)  # reads skip the trash
    # the whole trash (no filter of the user's) holds it too
    assert made[0].id in [c.id async for c in crm.companies.iterate_deleted()]

    back = await crm.companies.restore(made[0].id)
    assert back.deleted_at is None
    assert (await crm.companies.find_deleted(filter=flt)).nodes == []
    assert await crm.companies.count(filter=flt) == 5

    # destroy removes a soft-deleted record from the trash for good
    await crm.companies.delete(made[1].id)
    destroyed = await crm.companies.destroy(made[1].id)
    assert destroyed.id == made[1].id
    assert (await crm.companies.find_deleted(filter=flt)).nodes == []
    assert await crm.companies.find_one_or_none(filter={"id": {"eq": made[1].id}}) is None


async def test_where_variants_return_lists(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    made = await _five(crm, "Where")
    flt = {"name": {"like": "Where %"}}
    updated = await crm.companies.update_where(filter=flt, data={"employees": 77})
    assert isinstance(updated, list) and len(updated) == 5
    assert {c.employees for c in updated} == {77}
    deleted = await crm.companies.delete_where(filter={"name": {"in": ["Where 0", "Where 1"]}})
    assert sorted(c.id for c in deleted) == sorted(c.id for c in made[:2])
    assert all(c.deleted_at is not None for c in deleted)
    assert len(await crm.companies.find_deleted(filter=flt)) == 2
    restored = await crm.companies.restore_where(filter={"name": {"eq": "Where 0"}})
    assert [c.id for c in restored] == [made[0].id]
    # destroy_where: the soft-deleted "Where 1" (trash filter) and the live ones by name
    destroyed = await crm.companies.destroy_where(
        filter={"name": {"eq": "Where 1"}, "deletedAt": {"is": "NOT_NULL"}}
    )
    assert [c.id for c in destroyed] == [made[1].id]
    assert (await crm.companies.find_deleted(filter=flt)).nodes == []
    rest = await crm.companies.destroy_where(filter=flt)
    assert sorted(c.id for c in rest) == sorted(c.id for c in [made[0], *made[2:]])
    assert await crm.companies.count(filter=flt) == 0
    assert await crm.companies.delete_where(filter=flt) == []  # nothing matched: an empty list


async def test_update_none_sets_null_absent_key_is_not_sent(ts: Any, client: TwentyClient) -> None:
    rec = Recording(client)
    crm = ts.CoreApi(rec)
    acme = await crm.companies.create({"name": "Nullable", "employees": 10})
    cleared = await crm.companies.update(acme.id, {"employees": None})
    assert rec.calls[-1][1] == {"id": acme.id, "data": {"employees": None}}
    assert cleared.employees is None and cleared.name == "Nullable"
    renamed = await crm.companies.update(acme.id, {"name": "Renamed"})
    assert "employees" not in rec.calls[-1][1]["data"]
    assert renamed.name == "Renamed" and renamed.employees is None


async def test_plain_function_none_sends_null_not_given_sends_nothing(
    ts: Any, client: TwentyClient
) -> None:
    rec = Recording(client)
    core = ts.core
    left_out = await core.companies(rec, first=2)
    assert rec.calls[-1] == ("Companies", {"first": 2})
    explicit = await core.companies(rec, first=2, filter=NOT_GIVEN, order_by=NOT_GIVEN)
    assert rec.calls[-1] == ("Companies", {"first": 2})
    null = await core.companies(rec, first=2, filter=None)
    assert rec.calls[-1] == ("Companies", {"first": 2, "filter": None})
    # the server treats a null filter as no filter: the same records either way
    assert left_out.total_count == explicit.total_count == null.total_count
    # a nullable argument sent as null reaches the server: upsert=None is accepted
    made = await core.create_company(rec, data={"name": "Null Upsert"}, upsert=None)
    assert rec.calls[-1][1] == {"data": {"name": "Null Upsert"}, "upsert": None}
    assert made is not None and made.name == "Null Upsert"


async def test_foreign_keys_and_ids_are_both_uuid(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    acme = await crm.companies.create({"name": "Identity Corp"})
    ada = await crm.people.create({"name": {"firstName": "Ada"}, "companyId": str(acme.id)})
    assert isinstance(ada.company_id, uuid.UUID)
    assert ada.company_id == acme.id  # was str vs UUID: silently False
    grace = await crm.people.create({"name": {"firstName": "Grace"}, "companyId": acme.id})
    assert grace.company_id == acme.id
    # every foreign key the demo seed holds decodes as a uuid (the emulator stores each one
    # through uuid.UUID, so a non-uuid value would fail decoding here)
    for attr, facade in (
        ("people", ("company_id",)),
        ("opportunities", ("company_id", "point_of_contact_id", "owner_id")),
        ("task_targets", ("task_id", "target_company_id", "target_person_id")),
        ("note_targets", ("note_id", "target_company_id", "target_person_id")),
        ("timeline_activities", ("workspace_member_id", "target_company_id")),
        ("favorites", ("company_id", "person_id", "for_workspace_member_id")),
    ):
        api = getattr(crm, attr)
        n = 0
        async for record in api.iterate():
            n += 1
            for fk in facade:
                value = getattr(record, fk)
                assert value is None or isinstance(value, uuid.UUID), (attr, fk, value)
        assert attr in ("favorites", "timeline_activities", "task_targets") or n > 0, attr


class _NullAnswers:
    """An executor answering every operation with its result type, all fields null."""

    batch_size = 60
    page_size_max = 60

    async def execute(self, op: Any, variables: Any = None, *, idempotent: Any = None) -> Any:
        fields = op.result_type.__struct_fields__
        return op.result_type(**dict.fromkeys(fields))


async def test_a_null_answer_to_a_write_is_an_empty_result_error(ts: Any) -> None:
    crm = ts.CoreApi(_NullAnswers())
    cid = uuid.uuid4()
    calls = {
        "createCompany": crm.companies.create({"name": "x"}),
        "updateCompany": crm.companies.update(cid, {"name": "x"}),
        "deleteCompany": crm.companies.delete(cid),
        "restoreCompany": crm.companies.restore(cid),
        "destroyCompany": crm.companies.destroy(cid),
        "updateCompanies": crm.companies.update_where(filter={}, data={}),
        "deleteCompanies": crm.companies.delete_where(filter={}),
        "restoreCompanies": crm.companies.restore_where(filter={}),
        "destroyCompanies": crm.companies.destroy_where(filter={}),
        "companies": crm.companies.find_many(),
    }
    for root, call in calls.items():
        with pytest.raises(EmptyResultError) as caught:
            await call
        assert caught.value.root_field == root and root in str(caught.value)
        assert isinstance(caught.value, DecodeError)
    with pytest.raises(EmptyResultError, match="companies"):
        await crm.companies.count()
    # a read of one record answered null is "not found", not an empty result
    with pytest.raises(RecordNotFoundError):
        await crm.companies.get(cid)
    assert await crm.companies.find_one_or_none(filter={}) is None
