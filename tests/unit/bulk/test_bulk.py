"""Unit tests of twenty_gql.bulk against the in-memory model in fakes.py."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from twenty_gql.bulk import (
    BulkFailuresError,
    BulkProgress,
    CheckpointMismatchError,
    InvalidRecordError,
    Outcome,
    create_many,
    delete_many,
    normalise_unique_value,
    update_many,
)

from .fakes import CREATE_OP, DELETE_OP, UPDATE_OP, FakeClient, FakeServer, Killed


def rows(data: dict[str, Any]) -> Any:
    return data.get("createCompanies")


def companies(n: int, *, keyed: bool = False, start: int = 0) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(start, start + n):
        rec: dict[str, Any] = {"name": f"Company {i}"}
        if keyed:
            rec["domainName"] = {"primaryLinkUrl": f"https://c{i}.example"}
        out.append(rec)
    return out


def names_in(server: FakeServer) -> Counter[str]:
    return Counter(r["name"] for r in server.by_id.values())


async def test_upsert_lands_every_record_once_in_input_order() -> None:
    server = FakeServer(batch_limit=60)
    client = FakeClient(server)
    records = companies(500)
    res = await create_many(client, CREATE_OP, records, upsert=True, result=rows)
    assert res.ok and res.succeeded == 500 and res.total == 500
    assert res.requests == math.ceil(500 / 60)
    assert names_in(server) == Counter(r["name"] for r in records)
    assert [r["name"] for r in res.records] == [r["name"] for r in records]  # type: ignore[index]
    assert res.indexes == list(range(500))
    # the caller's records are not mutated; every sent record carried a client id
    assert all("id" not in r for r in records)
    assert {r["id"] for r in res.records} == set(server.by_id)  # type: ignore[index]


async def test_learns_the_server_batch_limit_and_remembers_it() -> None:
    server = FakeServer(batch_limit=25)
    client = FakeClient(server, batch_size=60)
    res = await create_many(client, CREATE_OP, companies(200), upsert=True, result=rows)
    assert res.ok and len(server.by_id) == 200
    assert client.batch_size == 25 and res.batch_size == 25
    # every request that carried records after learning respected the limit
    assert all(n <= 25 for _, n, _ in client.sent[-8:])
    again = await create_many(client, CREATE_OP, companies(50, start=200), upsert=True, result=rows)
    assert again.ok and all(n <= 25 for _, n, _ in client.sent[-2:])
    assert again.requests == 2


async def test_bad_records_are_isolated_by_bisection() -> None:
    server = FakeServer(batch_limit=60)
    client = FakeClient(server)
    records = companies(300)
    bad = {17, 150, 299}
    for i in bad:
        records[i]["name"] = f"BAD {i}"
    res = await create_many(client, CREATE_OP, records, upsert=True, result=rows)
    assert [f.index for f in res.failures] == sorted(bad)
    assert all(f.code == "BAD_USER_INPUT" and "Invalid value" in f.reason for f in res.failures)
    assert all(f.record is records[f.index] for f in res.failures)
    assert res.succeeded == 297 and len(server.by_id) == 297
    assert not any(n.startswith("BAD") for n in names_in(server))
    # bisection is logarithmic: 5 chunks, 3 poisoned ones cost ~2*log2(60) extra requests each
    assert res.requests < 5 + 3 * 2 * 7
    with pytest.raises(BulkFailuresError) as info:
        res.raise_for_failures()
    assert "3 of 300 records failed" in str(info.value) and "#17" in str(info.value)


@pytest.mark.parametrize("upsert", [True, False])
async def test_faults_and_drops_after_apply_never_duplicate(upsert: bool) -> None:
    server = FakeServer(
        batch_limit=60, throttle_rate=0.05, fault_rate=0.1, drop_rate=0.1, drop_after_apply=True
    )
    client = FakeClient(server)
    records = companies(1000)
    res = await create_many(
        client, CREATE_OP, records, upsert=upsert, result=rows, retry_base=0.001, retry_cap=0.002
    )
    assert res.ok, res.failures[:3]
    assert len(server.by_id) == 1000
    assert names_in(server) == Counter(r["name"] for r in records)
    assert res.throttled > 0
    if not upsert:
        # a plain create whose outcome was unknown was resent as an id-keyed upsert
        assert any(up for _, _, up in client.sent) and any(not up for _, _, up in client.sent)


async def test_drops_before_apply_are_retried() -> None:
    server = FakeServer(drop_rate=0.2, drop_after_apply=False)
    res = await create_many(
        FakeClient(server), CREATE_OP, companies(400), upsert=False, result=rows, retry_base=0.001
    )
    assert res.ok and len(server.by_id) == 400


async def test_unique_keyed_records_get_no_generated_id_when_upserting() -> None:
    server = FakeServer()
    client = FakeClient(server)
    existing = await create_many(
        client,
        CREATE_OP,
        companies(10, keyed=True),
        upsert=True,
        result=rows,
        unique_fields=("domainName.primaryLinkUrl",),
    )
    ids_before = {r["id"] for r in existing.records}  # type: ignore[index]
    renamed = companies(10, keyed=True)
    for r in renamed:
        r["name"] += " renamed"
    res = await create_many(
        client, CREATE_OP, renamed, upsert=True, result=rows, unique_fields=("domainName",)
    )
    assert res.ok and len(server.by_id) == 10  # matched by key: updated, not inserted
    assert {r["id"] for r in res.records} == ids_before  # type: ignore[index]
    assert all(r["name"].endswith("renamed") for r in server.by_id.values())


async def test_plain_create_of_an_existing_key_fails_per_record() -> None:
    server = FakeServer()
    client = FakeClient(server)
    await create_many(client, CREATE_OP, companies(5, keyed=True), upsert=False, result=rows)
    res = await create_many(
        client, CREATE_OP, companies(8, keyed=True, start=3), upsert=False, result=rows
    )
    assert [f.index for f in res.failures] == [0, 1]
    assert all("Duplicate" in f.reason for f in res.failures)
    assert len(server.by_id) == 5 + 6


async def test_whole_batch_error_aborts_and_reports_every_unlanded_record() -> None:
    server = FakeServer(batch_limit=10, unauthenticated_after=3)
    client = FakeClient(server, batch_size=10, max_concurrency=2)
    records = (r for r in companies(500))  # a generator: the rest is drained and reported
    res = await create_many(client, CREATE_OP, records, upsert=True, result=rows)
    assert res.total == 500
    assert res.succeeded == len(server.by_id) == 30
    assert res.succeeded + res.failed == 500
    assert {f.code for f in res.failures} == {"UNAUTHENTICATED"}
    landed = set(res.indexes)
    assert landed.isdisjoint(f.index for f in res.failures)
    assert server.calls <= 3 + 2  # no new requests after the abort, beyond those in flight


async def test_throttling_that_never_ends_is_reported_not_dropped() -> None:
    server = FakeServer(throttle_rate=1.0)
    res = await create_many(
        FakeClient(server),
        CREATE_OP,
        companies(70),
        upsert=True,
        result=rows,
        max_retries=2,
        retry_base=0.001,
    )
    assert res.failed == 70 and res.succeeded == 0
    assert {f.error.sub_code for f in res.failures} == {"LIMIT_REACHED"}  # type: ignore[attr-defined]
    assert server.calls == 2 * 3


async def test_streams_a_long_generator_with_bounded_in_flight_records() -> None:
    server = FakeServer(batch_limit=50, latency=0.0005)
    client = FakeClient(server, batch_size=50, max_concurrency=4)
    produced = 0
    peak = 0

    def gen() -> Iterator[dict[str, Any]]:
        nonlocal produced, peak
        for i in range(20_000):
            produced += 1
            peak = max(peak, produced - server.records_received)
            yield {"name": f"n{i}"}

    res = await create_many(client, CREATE_OP, gen(), upsert=True, result=rows, keep_records=False)
    assert res.succeeded == 20_000 and res.records == [] and res.total == 20_000
    # queue (4 chunks) + 4 workers + the chunk being filled
    assert peak <= (4 + 4 + 1) * 50
    assert server.max_in_flight <= 4


async def test_async_iterable_input_and_progress() -> None:
    async def agen() -> AsyncIterator[dict[str, Any]]:
        for r in companies(130):
            await asyncio.sleep(0)
            yield r

    seen: list[BulkProgress] = []
    server = FakeServer()
    res = await create_many(
        FakeClient(server), CREATE_OP, agen(), upsert=True, result=rows, on_progress=seen.append
    )
    assert res.ok and len(server.by_id) == 130
    dones = [p.done for p in seen]
    assert dones == sorted(dones) and dones[-1] == 130
    assert seen[-1].total is None and seen[-1].requests == 3


async def test_non_mapping_records_are_reported_not_sent() -> None:
    server = FakeServer()
    records: list[Any] = [{"name": "a"}, ["not", "a", "dict"], {"name": "b"}, None]
    res = await create_many(FakeClient(server), CREATE_OP, records, upsert=True, result=rows)
    assert [f.index for f in res.failures] == [1, 3]
    assert all(isinstance(f.error, InvalidRecordError) for f in res.failures)
    assert "record 1 is a list" in res.failures[0].reason
    assert len(server.by_id) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"batch_size": 0}, "batch_size"), ({"concurrency": -1}, "concurrency")],
)
async def test_bad_arguments_raise_clear_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        await create_many(
            FakeClient(FakeServer()), CREATE_OP, [], upsert=True, result=rows, **kwargs
        )
    with pytest.raises(TypeError, match="records must be a list, iterable or async iterable"):
        await create_many(
            FakeClient(FakeServer()), CREATE_OP, {"name": "x"}, upsert=True, result=rows
        )
    with pytest.raises(TypeError, match="on_progress must be callable"):
        await create_many(
            FakeClient(FakeServer()),
            CREATE_OP,
            [],
            upsert=True,
            result=rows,
            on_progress=3,  # type: ignore[arg-type]
        )
    with pytest.raises(TypeError, match="ids must be an iterable"):
        await update_many(FakeClient(FakeServer()), UPDATE_OP, "abc", {}, result=rows)
    with pytest.raises(TypeError, match="upsert must be a bool"):
        await create_many(FakeClient(FakeServer()), CREATE_OP, [], upsert=1, result=rows)  # type: ignore[arg-type]


@pytest.mark.parametrize("upsert", [True, False])
async def test_checkpoint_resume_after_kill_gives_the_exact_final_state(
    tmp_path: Any, upsert: bool
) -> None:
    path = tmp_path / "import.ckpt"
    records = companies(600)
    server = FakeServer(batch_limit=60, kill_after=4)  # dies after the 4th write applied
    client = FakeClient(server, max_concurrency=3)
    with pytest.raises(Killed):
        await create_many(client, CREATE_OP, records, upsert=upsert, result=rows, checkpoint=path)
    landed_before = len(server.by_id)
    assert 0 < landed_before < 600
    server.kill_after = None
    res = await create_many(
        client, CREATE_OP, records, upsert=upsert, result=rows, checkpoint=str(path)
    )
    assert res.ok, res.failures[:2]
    assert res.skipped > 0 and res.skipped + res.succeeded == 600
    assert len(server.by_id) == 600
    # records that landed in the killed run without being journaled are resent onto the same
    # (checkpoint-derived) ids: still ``created``, never flipped to ``updated``
    assert landed_before > res.skipped
    assert (res.created, res.updated) == (600 - res.skipped, 0)
    assert res.counts[Outcome.SKIPPED] == res.skipped
    assert names_in(server) == Counter(r["name"] for r in records)
    # a third run has nothing left to send
    calls = server.calls
    done = await create_many(
        client, CREATE_OP, records, upsert=upsert, result=rows, checkpoint=path
    )
    assert done.skipped == 600 and server.calls == calls


async def test_checkpoint_detects_a_different_input_before_sending(tmp_path: Any) -> None:
    path = tmp_path / "c.ckpt"
    server = FakeServer()
    client = FakeClient(server)
    await create_many(client, CREATE_OP, companies(120), upsert=True, result=rows, checkpoint=path)
    calls = server.calls
    changed = companies(150)
    changed[5]["name"] = "changed"
    with pytest.raises(CheckpointMismatchError, match="differ"):
        await create_many(client, CREATE_OP, changed, upsert=True, result=rows, checkpoint=path)
    with pytest.raises(CheckpointMismatchError, match="input ended"):
        await create_many(
            client, CREATE_OP, companies(100), upsert=True, result=rows, checkpoint=path
        )
    with pytest.raises(CheckpointMismatchError, match="upsert=True"):
        await create_many(
            client, CREATE_OP, companies(120), upsert=False, result=rows, checkpoint=path
        )
    assert server.calls == calls


async def test_checkpoint_ignores_a_torn_last_line(tmp_path: Any) -> None:
    path = tmp_path / "c.ckpt"
    server = FakeServer()
    client = FakeClient(server)
    records = companies(120)
    await create_many(client, CREATE_OP, records, upsert=True, result=rows, checkpoint=path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][:10])  # the last entry was half-written
    res = await create_many(client, CREATE_OP, records, upsert=True, result=rows, checkpoint=path)
    assert res.ok and res.skipped == 60 and res.succeeded == 60
    assert len(server.by_id) == 120  # the resent chunk reused its ids: no duplicates
    again = await create_many(client, CREATE_OP, records, upsert=True, result=rows, checkpoint=path)
    assert again.skipped == 120


async def test_checkpoint_rejects_a_foreign_file(tmp_path: Any) -> None:
    path = tmp_path / "other.txt"
    path.write_text("hello\n")
    with pytest.raises(CheckpointMismatchError, match="not a twenty-gql checkpoint"):
        await create_many(
            FakeClient(FakeServer()), CREATE_OP, [], upsert=True, result=rows, checkpoint=path
        )


async def test_update_many_and_delete_many_by_ids() -> None:
    server = FakeServer(batch_limit=30)
    client = FakeClient(server, batch_size=60)
    created = await create_many(client, CREATE_OP, companies(100), upsert=True, result=rows)
    ids = [r["id"] for r in created.records]  # type: ignore[index]
    upd = await update_many(
        client,
        UPDATE_OP,
        [*ids[:70], "not-a-uuid"],
        {"name": "same"},
        result=lambda d: d["updateCompanies"],
    )
    assert upd.succeeded == 70 and [f.index for f in upd.failures] == [70]
    assert "not a UUID" in upd.failures[0].reason
    assert [r["id"] for r in upd.records] == ids[:70]  # type: ignore[index]
    assert sum(r["name"] == "same" for r in server.by_id.values()) == 70
    dele = await delete_many(client, DELETE_OP, ids[50:], result=lambda d: d["deleteCompanies"])
    assert dele.ok and sum("deletedAt" in r for r in server.by_id.values()) == 50
    assert client.batch_size == 30


async def test_records_named_by_coercion_errors_are_isolated_without_bisecting() -> None:
    from twenty_gql.testing.workspace import Workspace

    from .workspace_client import WorkspaceClient

    ws = Workspace("standard", batch_limit=60)
    before = len(ws.records("company"))
    client = WorkspaceClient(ws)
    records: list[dict[str, Any]] = [{"name": f"w{i}", "employees": i} for i in range(200)]
    for i in (5, 9, 130):
        records[i]["employees"] = f"many-{i}"
    res = await create_many(
        client, CREATE_OP, records, upsert=False, result=lambda d: d["createCompanies"]
    )
    assert [f.index for f in res.failures] == [5, 9, 130]
    assert all(f"'many-{f.index}'" in f.reason for f in res.failures)
    assert len(ws.records("company")) == before + 197
    # 4 chunk sends; each poisoned one then costs 1 send per bad record + 1 for the rest
    assert res.requests == 4 + (2 + 1) + (1 + 1)


async def test_a_failing_result_picker_does_not_turn_landed_records_into_failures() -> None:
    server = FakeServer()
    res = await create_many(
        FakeClient(server), CREATE_OP, companies(70), upsert=True, result=lambda d: d["nope"]
    )
    assert res.ok and res.succeeded == 70 and len(server.by_id) == 70
    # landed, but the answer did not say whether as inserts or updates
    assert res.records == [] and res.counts[Outcome.UNKNOWN] == 70


async def test_resume_sends_records_before_a_journaled_tail(tmp_path: Any) -> None:
    """Chunks complete out of order: a later chunk may be journaled while an earlier one was
    still in flight when the process died. The earlier records must still be sent."""
    from twenty_gql._checkpoint import Checkpoint, record_digest

    path = tmp_path / "c.ckpt"
    records = companies(120)
    server = FakeServer()
    client = FakeClient(server)
    journal = Checkpoint(path, operation=CREATE_OP.name, upsert=True)
    tail = [{**r, "id": journal.client_id(i, record_digest(r))} for i, r in enumerate(records)]
    server.apply_create(tail[60:], upsert=True)  # what the killed run had landed
    journal.record([(i, record_digest(records[i])) for i in range(60, 120)])
    journal.close()
    res = await create_many(client, CREATE_OP, records, upsert=True, result=rows, checkpoint=path)
    assert res.ok and res.skipped == 60 and res.succeeded == 60
    assert res.indexes == list(range(60))
    assert names_in(server) == Counter(r["name"] for r in records)


def test_unique_values_are_normalised_like_twenty_stores_them() -> None:
    norm = normalise_unique_value
    assert norm("primaryEmail", "Ann@Example.COM") == "ann@example.com"
    # scheme and host lower-cased, the path kept, a trailing slash dropped
    assert norm("primaryLinkUrl", "HTTPS://Acme.IO/Path/") == "https://acme.io/Path"
    assert norm("primaryLinkUrl", "Acme.IO/About") == "acme.io/About"
    assert norm("primaryLinkUrl", "https://Acme.IO?Q=1") == "https://acme.io?Q=1"
    assert norm("id", "6F2B2C2E-0000-4000-8000-00000000000A") == (
        "6f2b2c2e-0000-4000-8000-00000000000a"
    )
    assert norm("name", "Acme") == "Acme"  # any other unique value compares exactly


async def test_on_duplicate_last_reads_a_stream_first_and_sends_the_last_twin() -> None:
    server = FakeServer(batch_limit=60)

    def stream() -> Iterator[dict[str, Any]]:
        yield from companies(100, keyed=True)
        yield {"name": "late twin of 7", "domainName": {"primaryLinkUrl": "HTTPS://C7.example/"}}

    res = await create_many(
        FakeClient(server),
        CREATE_OP,
        stream(),
        upsert=True,
        result=rows,
        unique_fields=("domainName", "id"),
        on_duplicate="last",
    )
    assert res.ok and res.total == 101
    assert res.duplicates == {7: 100} and res.outcome(7) is Outcome.DUPLICATE_IN_INPUT
    assert (res.created, res.updated, res.duplicate_in_input) == (100, 0, 1)
    assert names_in(server)["late twin of 7"] == 1 and names_in(server)["Company 7"] == 0
    assert res.entry(7).record is res.entry(100).record is not None


async def test_on_duplicate_must_be_one_of_the_policies() -> None:
    with pytest.raises(ValueError, match="on_duplicate must be"):
        await create_many(
            FakeClient(FakeServer()),
            CREATE_OP,
            [],
            upsert=True,
            result=rows,
            on_duplicate="merge",  # type: ignore[arg-type]
        )
