"""Bulk outcomes against the emulator through the generated facade: created vs updated exact,
duplicate keys inside one input under each ``on_duplicate`` policy, exact counts after resends.

Every count below is checked against the emulator's workspace too (records before / after)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from twenty_gql.bulk import DuplicateInInputError, Outcome
from twenty_gql.client import TwentyClient
from twenty_gql.scheduling import RateLimit
from twenty_gql.testing import TwentyEmulator

LIMITS: dict[str, Any] = {"seed": "standard", "batch_limit": 60}


def client_for(emu: TwentyEmulator, max_retries: int = 4) -> TwentyClient:
    return TwentyClient(
        emu.url, emu.api_key, rate_limit=RateLimit(((1000, 1.0),)), max_retries=max_retries
    )


def live(emu: TwentyEmulator, obj: str = "company") -> list[dict[str, Any]]:
    return emu.workspace.records(obj, with_deleted=False)


def by_domain(emu: TwentyEmulator) -> dict[str, dict[str, Any]]:
    return {
        r["domainName"]["primaryLinkUrl"]: r
        for r in live(emu)
        if (r.get("domainName") or {}).get("primaryLinkUrl")
    }


async def _existing(crm: Any) -> tuple[str, str]:
    """Two stored companies: one found by its domain, one by its id."""
    a = await crm.companies.create(data={"name": "E1", "domainName": {"primaryLinkUrl": "e1.io"}})
    b = await crm.companies.create(data={"name": "E2", "domainName": {"primaryLinkUrl": "e2.io"}})
    return str(a.id), str(b.id)


def _mixed(e2_id: str, own_new: str) -> list[dict[str, Any]]:
    return [
        {"name": "N1", "domainName": {"primaryLinkUrl": "n1.io"}},  # 0 new
        {"name": "N2"},  # 1 new, no key at all
        {"name": "E1 v2", "domainName": {"primaryLinkUrl": "e1.io"}},  # 2 matches E1 by domain
        {"id": e2_id, "name": "E2 v2"},  # 3 matches E2 by id
        {"id": own_new, "name": "OWN"},  # 4 new, carrying its own id
        {"name": "N1 twin", "domainName": {"primaryLinkUrl": "N1.IO/"}},  # 5 twin of 0
        {"id": e2_id.upper(), "name": "E2 twin"},  # 6 twin of 3 (same UUID)
    ]


@pytest.mark.parametrize("policy", ["error", "first", "last"])
async def test_upsert_mixing_new_existing_and_twins_has_exact_outcomes(
    policy: str, ts: Any
) -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        crm = ts.core.CoreApi(client)
        e1_id, e2_id = await _existing(crm)
        before = len(live(emu))
        own_new = str(uuid.uuid4())
        records = _mixed(e2_id, own_new)
        res = await crm.companies.create_many(records, upsert=True, on_duplicate=policy)
        outcomes = [res.outcome(i) for i in range(len(records))]
        C, U, D, F = Outcome.CREATED, Outcome.UPDATED, Outcome.DUPLICATE_IN_INPUT, Outcome.FAILED
        if policy == "last":
            # the last occurrence is sent; the earlier twin points at it
            assert outcomes == [D, C, U, D, C, C, U]
            assert res.duplicates == {0: 5, 3: 6}
        else:
            twin = F if policy == "error" else D
            assert outcomes == [C, C, U, U, C, twin, twin]
        assert len(live(emu)) - before == res.created == 3
        assert res.updated == 2
        assert res.counts[Outcome.DUPLICATE_IN_INPUT] + res.failed == 2
        stored = {r["id"]: r for r in live(emu)}
        assert stored[e1_id]["name"] == "E1 v2"
        assert stored[e2_id]["name"] == ("E2 twin" if policy == "last" else "E2 v2")
        assert stored[own_new]["name"] == "OWN"
        # the landed records are the server's, matched to their input positions
        assert res.entry(2).record is not None and str(res.entry(2).record.id) == e1_id
        assert str(res.entry(4).record.id) == own_new
        if policy == "error":
            assert [f.index for f in res.failures] == [5, 6]
            err = res.failures[0].error
            assert isinstance(err, DuplicateInInputError)
            assert (err.field, err.first_index) == ("domainName", 0)
            assert res.failures[0].record is records[5]
            assert res.failures[1].error.first_index == 3  # type: ignore[attr-defined]
            assert not res.ok
        else:
            assert res.ok and res.failures == []
            if policy == "first":
                assert res.duplicates == {5: 0, 6: 3}
                assert res.entry(5).record is res.entry(0).record
                assert res.entry(5).input is records[5]
                assert by_domain(emu)["n1.io"]["name"] == "N1"
            else:
                assert res.entry(0).record is res.entry(5).record


async def test_people_twins_by_email_ignore_case_like_twenty(ts: Any) -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        crm = ts.core.CoreApi(client)
        before = len(live(emu, "person"))
        people = [
            {"name": {"firstName": "Ann"}, "emails": {"primaryEmail": "ann@x.io"}},
            {"name": {"firstName": "Ann2"}, "emails": {"primaryEmail": "ANN@X.io"}},
            {"name": {"firstName": "Bob"}, "emails": {"primaryEmail": "bob@x.io"}},
        ]
        res = await crm.people.create_many(people, upsert=True, on_duplicate="first")
        assert [res.outcome(i).value for i in range(3)] == [
            "created",
            "duplicate_in_input",
            "created",
        ]
        assert len(live(emu, "person")) - before == 2
        # the emulator stores e-mails and URL hosts as Twenty does (lower-cased), so a later
        # upsert spelled differently matches the stored record
        assert {p["emails"]["primaryEmail"] for p in live(emu, "person")} >= {"ann@x.io"}
        again = await crm.people.create_many(
            [{"name": {"firstName": "Ann3"}, "emails": {"primaryEmail": "Ann@X.IO"}}], upsert=True
        )
        assert again.outcome(0) is Outcome.UPDATED and str(again.records[0].id) == str(
            res.records[0].id
        )
        co = await crm.companies.create_many(
            [{"name": "Up", "domainName": {"primaryLinkUrl": "HTTPS://Up.Example/Path/"}}]
        )
        assert co.records[0].domain_name.primary_link_url == "https://up.example/Path"


async def _thousand(crm: Any, emu: TwentyEmulator, keep: bool) -> None:
    # 100 of the 950 domains exist already; 50 rows repeat a domain seen earlier in the input
    existing = [
        {"name": f"old-{i}", "domainName": {"primaryLinkUrl": f"d{i}.io"}} for i in range(100)
    ]
    seeded = await crm.companies.create_many(existing)
    assert seeded.created == 100 and seeded.ok
    before = len(live(emu))
    rows = [{"name": f"row-{i}", "domainName": {"primaryLinkUrl": f"d{i}.io"}} for i in range(950)]
    rows += [
        {"name": f"again-{i}", "domainName": {"primaryLinkUrl": f"d{i * 19}.io"}} for i in range(50)
    ]
    res = await crm.companies.create_many(
        rows, upsert=True, on_duplicate="first", keep_records=keep
    )
    assert res.ok
    assert (res.created, res.updated, res.duplicate_in_input) == (850, 100, 50)
    assert res.counts[Outcome.FAILED] == res.counts[Outcome.UNKNOWN] == 0
    assert len(live(emu)) - before == 850
    assert all(res.outcome(950 + i) is Outcome.DUPLICATE_IN_INPUT for i in range(50))
    assert res.duplicates[950 + 3] == 57
    assert len(res.records) == (950 if keep else 0)
    stored = by_domain(emu)
    assert stored["d5.io"]["name"] == "row-5" and stored["d500.io"]["name"] == "row-500"


async def test_1000_rows_with_50_repeated_domains_count_exactly(ts: Any) -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        await _thousand(ts.core.CoreApi(client), emu, keep=True)


async def test_keep_records_false_keeps_counts_and_outcomes_exact(ts: Any) -> None:
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu) as client:
        await _thousand(ts.core.CoreApi(client), emu, keep=False)


@pytest.mark.parametrize("upsert", [True, False])
async def test_resends_after_dropped_connections_keep_created_and_updated_exact(
    upsert: bool, ts: Any
) -> None:
    # the client does not resend (max_retries=0): every dropped chunk is resent by bulk itself
    async with TwentyEmulator(**LIMITS) as emu, client_for(emu, max_retries=0) as client:
        crm = ts.core.CoreApi(client)
        old = [
            {"name": f"old-{i}", "domainName": {"primaryLinkUrl": f"k{i}.io"}} for i in range(60)
        ]
        assert (await crm.companies.create_many(old)).created == 60
        before = len(live(emu))
        # every fourth request is answered by a dropped connection after the write applied
        emu.set_faults(drop_rate=0.25, drop_after_apply=True, seed=7)
        new: list[dict[str, Any]] = [{"name": f"new-{i}", "employees": i} for i in range(600)]
        for rec in new[::6]:  # 100 new records carry their own id (looked up once, not again
            rec["id"] = str(uuid.uuid4())  # when their chunk is resent)
        id_of = {r["name"]: r["id"] for r in live(emu)}
        again = [dict(r, name=f"old-{i}-v2") for i, r in enumerate(old)] if upsert else []
        # the first 30 matched by id, the other 30 by their domain
        again[:30] = [
            {"id": id_of[f"old-{i}"], "name": f"old-{i}-v3"} for i in range(len(again[:30]))
        ]
        res = await crm.companies.create_many(
            new + again, upsert=upsert, retry_base=0.01, retry_cap=0.05
        )
        emu.set_faults(drop_rate=0.0)
        assert emu.stats.dropped_after_apply > 0
        assert res.ok, res.failures[:3]
        # a resent chunk whose first attempt landed upserts onto the same client ids: created
        assert (res.created, res.updated) == (600, 60 if upsert else 0)
        assert len(live(emu)) - before == 600
