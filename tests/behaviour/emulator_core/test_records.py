"""Record semantics of the emulated core API (twenty-api.md §1.6-§1.9, §3.1, §3.5)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.behaviour.emulator_core.conftest import Core
from twenty_gql.testing.workspace import Workspace

CREATE = """mutation($d: [CompanyCreateInput!]!, $u: Boolean) {
  createCompanies(data: $d, upsert: $u) { id name employees domainName { primaryLinkUrl } }
}"""
PAGE = """query($first: Int, $last: Int, $after: String, $before: String, $o: [CompanyOrderByInput]) {
  companies(first: $first, last: $last, after: $after, before: $before, orderBy: $o) {
    totalCount
    edges { cursor node { id name employees } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def seed_companies(core: Core, n: int, **extra: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, n, 60):
        batch = [
            {
                "name": f"Company {i:03d}",
                "employees": i % 7 if i % 5 else None,
                "domainName": {"primaryLinkUrl": f"https://company{i}.example"},
                **extra,
            }
            for i in range(start, min(n, start + 60))
        ]
        out.extend(core.ok(CREATE, d=batch)["createCompanies"])
    return out


def test_pagination_over_250_records_visits_each_once_forward(core: Core) -> None:
    created = {c["id"] for c in seed_companies(core, 250)}
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        conn = core.ok(PAGE, first=40, after=after, o=[{"employees": "DescNullsLast"}])["companies"]
        pages += 1
        seen.extend(e["node"]["id"] for e in conn["edges"])
        assert conn["totalCount"] == 250
        assert conn["pageInfo"]["hasPreviousPage"] is False
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 7
    assert len(seen) == 250 and set(seen) == created


def test_pagination_backward_visits_each_once_in_reverse(core: Core) -> None:
    seed_companies(core, 250)
    order = [{"name": "AscNullsFirst"}]
    forward = [e["node"]["name"] for e in core.ok(PAGE, first=200, o=order)["companies"]["edges"]]
    forward += [
        e["node"]["name"]
        for e in core.ok(
            PAGE,
            first=200,
            o=order,
            after=core.ok(PAGE, first=200, o=order)["companies"]["pageInfo"]["endCursor"],
        )["companies"]["edges"]
    ]
    assert forward == sorted(forward) and len(forward) == 250
    backward: list[str] = []
    before = None
    while True:
        conn = core.ok(PAGE, last=33, before=before, o=order)["companies"]
        backward = [e["node"]["name"] for e in conn["edges"]] + backward
        assert conn["pageInfo"]["hasNextPage"] is False
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert backward == forward


def test_order_by_nulls_placement_and_id_tiebreaker(core: Core) -> None:
    seed_companies(core, 20)
    for direction, nulls_first in (
        ("AscNullsFirst", True),
        ("AscNullsLast", False),
        ("DescNullsFirst", True),
        ("DescNullsLast", False),
    ):
        edges = core.ok(PAGE, first=20, o=[{"employees": direction}])["companies"]["edges"]
        values = [e["node"]["employees"] for e in edges]
        nulls = [v for v in values if v is None]
        assert len(nulls) == 4
        non_null = [v for v in values if v is not None]
        assert values == (nulls + non_null if nulls_first else non_null + nulls)
        assert non_null == sorted(non_null, reverse=direction.startswith("Desc"))
        # ties broken by id ascending
        groups: dict[Any, list[str]] = {}
        for e in edges:
            groups.setdefault(e["node"]["employees"], []).append(e["node"]["id"])
        assert all(ids == sorted(ids) for ids in groups.values())


def test_cursor_is_base64_json_of_order_values_and_id(core: Core) -> None:
    seed_companies(core, 3)
    edge = core.ok(PAGE, first=1, o=[{"name": "DescNullsLast"}])["companies"]["edges"][0]
    payload = json.loads(base64.b64decode(edge["cursor"]))
    assert payload == {"name": edge["node"]["name"], "id": edge["node"]["id"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"first": 1, "last": 1}, "Cannot provide both first and last"),
        ({"before": "x", "after": "y"}, "Cannot provide both before and after"),
        ({"before": "x", "first": 1}, "Cannot provide both before and first"),
        ({"after": "x", "last": 1}, "Cannot provide both after and last"),
        ({"first": -1}, "First argument must be non-negative"),
        ({"last": -2}, "Last argument must be non-negative"),
    ],
)
def test_pagination_argument_conflicts(core: Core, args: dict[str, Any], message: str) -> None:
    [error] = core.err(PAGE, **args)
    assert error["message"] == message
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_invalid_cursor(core: Core) -> None:
    [error] = core.err(PAGE, after="not a cursor!")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["subCode"] == "INVALID_CURSOR"


def test_offset_and_page_limits(core: Core) -> None:
    seed_companies(core, 250)
    q = "query($f: Int, $o: Int) { companies(first: $f, offset: $o, orderBy: [{name: AscNullsFirst}]) { edges { node { name } } pageInfo { hasNextPage } } }"
    conn = core.ok(q, o=245)["companies"]
    assert [e["node"]["name"] for e in conn["edges"]] == [f"Company {i}" for i in range(245, 250)]
    # default page size (page_default) when first/last are absent
    assert len(core.ok(q)["companies"]["edges"]) == 60
    # above page_max: clamped, and hasNextPage says to continue
    conn = core.ok(q, f=1000)["companies"]
    assert len(conn["edges"]) == 200 and conn["pageInfo"]["hasNextPage"] is True
    core.ws.settings.page_max = 100
    assert len(core.ok(q, f=1000)["companies"]["edges"]) == 100


def test_filters_operators(core: Core) -> None:
    seed_companies(core, 30)
    q = "query($f: CompanyFilterInput) { companies(filter: $f, first: 100) { totalCount edges { node { name employees } } } }"

    def count(f: dict[str, Any]) -> int:
        return int(core.ok(q, f=f)["companies"]["totalCount"])

    assert count({"name": {"eq": "Company 003"}}) == 1
    assert count({"name": {"like": "Company 01%"}}) == 10
    assert count({"name": {"ilike": "%company 02_"}}) == 10
    assert count({"name": {"like": "company%"}}) == 0
    assert count({"name": {"startsWith": "Company 00"}}) == 10
    assert count({"name": {"in": ["Company 001", "Company 002", "nope"]}}) == 2
    assert count({"employees": {"is": "NULL"}}) == 6
    assert count({"employees": {"is": "NOT_NULL"}}) == 24
    # SQL semantics: neq never matches NULL
    assert count({"employees": {"neq": 1}}) == 24 - sum(
        1 for i in range(30) if i % 5 and i % 7 == 1
    )
    assert count({"employees": {"gte": 3, "lt": 5}}) == sum(
        1 for i in range(30) if i % 5 and 3 <= i % 7 < 5
    )
    assert count({"or": [{"name": {"eq": "Company 001"}}, {"name": {"eq": "Company 002"}}]}) == 2
    assert (
        count({"and": [{"name": {"like": "%1%"}}, {"not": {"name": {"eq": "Company 010"}}}]}) == 11
    )
    assert count({"domainName": {"primaryLinkUrl": {"eq": "https://company7.example"}}}) == 1
    assert count({"name": {"iregex": "^COMPANY 00[12]$"}}) == 2


def test_fk_and_enum_filters(core: Core) -> None:
    ws = Workspace("demo")
    demo = Core(ws)
    company = ws.records("company")[0]["id"]
    expected = sum(1 for p in ws.records("person") if p["companyId"] == company)
    q = "query($c: UUID) { people(filter: {companyId: {eq: $c}}) { totalCount } }"
    assert demo.ok(q, c=company)["people"]["totalCount"] == expected > 0
    stages = [o["stage"] for o in ws.records("opportunity")]
    got = demo.ok("{ opportunities(filter: {stage: {in: [MEETING, PROPOSAL]}}) { totalCount } }")[
        "opportunities"
    ]["totalCount"]
    assert got == sum(1 for s in stages if s in ("MEETING", "PROPOSAL"))
    got = demo.ok("{ opportunities(filter: {stage: {gte: PROPOSAL}}) { totalCount } }")
    assert got["opportunities"]["totalCount"] == sum(
        1 for s in stages if s in ("PROPOSAL", "CUSTOMER")
    )


def test_aggregates_over_filtered_set(core: Core) -> None:
    seed_companies(core, 20)
    data = core.ok(
        """{ companies(filter: {employees: {is: NOT_NULL}}, first: 1) {
          totalCount minEmployees maxEmployees sumEmployees avgEmployees countEmptyEmployees
          countNotEmptyName countUniqueValuesEmployees percentageEmptyEmployees
          countFalseIdealCustomerProfile countTrueIdealCustomerProfile } }"""
    )["companies"]
    values = [i % 7 for i in range(20) if i % 5]
    assert data["totalCount"] == len(values) == 16
    assert data["minEmployees"] == min(values) and data["maxEmployees"] == max(values)
    assert data["sumEmployees"] == sum(values)
    assert data["avgEmployees"] == pytest.approx(sum(values) / len(values))
    assert data["countEmptyEmployees"] == 0 and data["percentageEmptyEmployees"] == 0
    assert data["countUniqueValuesEmployees"] == len(set(values))
    assert (
        data["countFalseIdealCustomerProfile"] == 16 and data["countTrueIdealCustomerProfile"] == 0
    )


def test_upsert_by_domain_updates_instead_of_duplicating(core: Core) -> None:
    [first] = core.ok(
        CREATE, d=[{"name": "Acme", "domainName": {"primaryLinkUrl": "https://acme.io"}}]
    )["createCompanies"]
    [again] = core.ok(
        CREATE,
        d=[
            {
                "name": "Acme Inc",
                "employees": 9,
                "domainName": {"primaryLinkUrl": "https://acme.io"},
            }
        ],
        u=True,
    )["createCompanies"]
    assert again["id"] == first["id"]
    assert again["name"] == "Acme Inc" and again["employees"] == 9
    assert len(core.ws.records("company")) == 1
    # upsert matching by id as well
    [by_id] = core.ok(CREATE, d=[{"id": first["id"], "name": "Acme 3"}], u=True)["createCompanies"]
    assert by_id["id"] == first["id"] and len(core.ws.records("company")) == 1


def test_upsert_conflicting_matches(core: Core) -> None:
    a, _b = core.ok(
        CREATE,
        d=[
            {"name": "A", "domainName": {"primaryLinkUrl": "https://a.io"}},
            {"name": "B", "domainName": {"primaryLinkUrl": "https://b.io"}},
        ],
    )["createCompanies"]
    [error] = core.err(
        CREATE, d=[{"id": a["id"], "domainName": {"primaryLinkUrl": "https://b.io"}}], u=True
    )
    assert error["extensions"]["subCode"] == "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_duplicate_unique_value_rejected_without_upsert(core: Core) -> None:
    core.ok(CREATE, d=[{"name": "A", "domainName": {"primaryLinkUrl": "https://a.io"}}])
    [error] = core.err(CREATE, d=[{"name": "A2", "domainName": {"primaryLinkUrl": "https://a.io"}}])
    assert error["message"] == "Duplicate Domain Name. Please set a unique one."
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # duplicates inside one batch too, and nothing of the batch is written
    [error] = core.err(
        CREATE,
        d=[
            {"name": "X", "domainName": {"primaryLinkUrl": "https://x.io"}},
            {"name": "Y", "domainName": {"primaryLinkUrl": "https://x.io"}},
        ],
    )
    assert "Duplicate" in error["message"]
    assert [c["name"] for c in core.ws.records("company")] == ["A"]


def test_batch_limit_61_rejected_and_nothing_written(core: Core) -> None:
    data = [{"name": f"C{i}"} for i in range(61)]
    [error] = core.err(CREATE, d=data)
    assert error["message"] == "Maximum number of records to upsert is 60."
    assert error["extensions"]["subCode"] == "TOO_MANY_RECORDS_TO_UPDATE"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert core.ws.records("company") == []
    core.ws.settings.batch_limit = 5
    assert core.err(CREATE, d=data[:6])[0]["message"] == "Maximum number of records to upsert is 5."


def test_create_many_is_atomic_on_bad_record(core: Core) -> None:
    data: list[dict[str, Any]] = [
        {"name": "ok"},
        {"name": "bad", "accountOwnerId": "00000000-0000-4000-8000-000000000000"},
    ]
    core.err(CREATE, d=data)
    assert core.ws.records("company") == []


def test_update_many_limit_and_update_many(core: Core) -> None:
    seed_companies(core, 70)
    q = "mutation($f: CompanyFilterInput!) { updateCompanies(filter: $f, data: {employees: 42}) { id employees } }"
    [error] = core.err(q, f={"name": {"like": "Company%"}})
    assert error["message"] == "Cannot update more than 60 records at once"
    assert error["extensions"]["subCode"] == "TOO_MANY_RECORDS_TO_UPDATE"
    assert all(r["employees"] != 42 for r in core.ws.records("company"))
    updated = core.ok(q, f={"name": {"like": "Company 00%"}})["updateCompanies"]
    assert len(updated) == 10 and {u["employees"] for u in updated} == {42}


def test_soft_delete_restore_destroy(core: Core) -> None:
    a, b = seed_companies(core, 2)
    q_count = "{ companies { totalCount } }"
    deleted = core.ok(
        "mutation($id: UUID!) { deleteCompany(id: $id) { id deletedAt } }", id=a["id"]
    )
    assert deleted["deleteCompany"]["deletedAt"] is not None
    assert core.ok(q_count)["companies"]["totalCount"] == 1
    # a filter mentioning deletedAt anywhere includes deleted rows
    got = core.ok("{ companies(filter: {deletedAt: {is: NOT_NULL}}) { edges { node { id } } } }")
    assert [e["node"]["id"] for e in got["companies"]["edges"]] == [a["id"]]
    got = core.ok(
        "{ companies(filter: {or: [{deletedAt: {is: NULL}}, {deletedAt: {is: NOT_NULL}}]}) { totalCount } }"
    )
    assert got["companies"]["totalCount"] == 2
    [nf] = core.err("query($id: UUID!) { company(filter: {id: {eq: $id}}) { id } }", id=a["id"])
    assert nf["extensions"]["code"] == "NOT_FOUND"
    restored = core.ok(
        "mutation($id: UUID!) { restoreCompany(id: $id) { id deletedAt } }", id=a["id"]
    )
    assert restored["restoreCompany"] == {"id": a["id"], "deletedAt": None}
    assert core.ok(q_count)["companies"]["totalCount"] == 2
    core.ok("mutation($id: UUID!) { destroyCompany(id: $id) { id } }", id=b["id"])
    assert [r["id"] for r in core.ws.records("company")] == [a["id"]]
    core.ok("mutation { deleteCompanies(filter: {}) { id } }")
    assert core.ok(q_count)["companies"]["totalCount"] == 0
    back = core.ok("mutation { restoreCompanies(filter: {}) { id } }")["restoreCompanies"]
    assert [r["id"] for r in back] == [a["id"]]


def test_find_one_errors(core: Core) -> None:
    [error] = core.err('{ company(filter: {name: {eq: "nope"}}) { id } }')
    assert error == {
        "message": "Record not found",
        "locations": [{"line": 1, "column": 3}],
        "path": ["company"],
        "extensions": {
            "code": "NOT_FOUND",
            "subCode": "RECORD_NOT_FOUND",
            "userFriendlyMessage": "This record does not exist or has been deleted.",
        },
    }
    [error] = core.err("{ company(filter: {}) { id } }")
    assert error["message"] == "Missing filter argument"
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_required_fields_and_defaults() -> None:
    core = Core(Workspace("standard"))
    # workspaceMember.name / userId are non-nullable without default: required in the input
    errors = core.err("mutation { createWorkspaceMember(data: {}) { id } }")
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    member = core.ok(
        """mutation { createWorkspaceMember(data: {name: {firstName: "A", lastName: "B"},
           userId: "9b4c0f0e-7f1e-4f43-a6d4-0d7bd5b2b7a1"}) {
           id locale colorScheme dateFormat calendarStartDay position } }"""
    )["createWorkspaceMember"]
    assert member["locale"] == "en" and member["colorScheme"] == "System"
    assert member["dateFormat"] == "SYSTEM" and member["calendarStartDay"] == 7
    opp = core.ok('mutation { createOpportunity(data: {name: "Deal"}) { stage } }')
    assert opp["createOpportunity"]["stage"] == "NEW"
    [error] = core.err('mutation { createOpportunity(data: {name: "Deal", stage: null}) { id } }')
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_relations_connect_disconnect_and_nested() -> None:
    ws = Workspace("demo")
    core = Core(ws)
    company = ws.records("company")[0]
    person = core.ok(
        """mutation($url: String) { createPerson(data: {name: {firstName: "New", lastName: "Person"},
             company: {connect: {where: {domainName: {primaryLinkUrl: $url}}}}}) {
             id companyId company { id name } } }""",
        url=company["domainName"]["primaryLinkUrl"],
    )["createPerson"]
    assert person["companyId"] == company["id"] and person["company"]["name"] == company["name"]
    [error] = core.err(
        """mutation { createPerson(data: {company: {connect: {where: {id: "2b0b6b4e-3a57-4c9c-9d8e-8f3b5b0b1c11"}}}}) { id } }"""
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    gone = core.ok(
        "mutation($id: UUID!) { updatePerson(id: $id, data: {company: {disconnect: true}}) { companyId } }",
        id=person["id"],
    )
    assert gone["updatePerson"]["companyId"] is None
    nested = core.ok(
        "query($id: UUID!) { company(filter: {id: {eq: $id}}) { people(first: 500) { totalCount edges { node { companyId } } } } }",
        id=company["id"],
    )["company"]["people"]
    expected = sum(1 for p in ws.records("person") if p["companyId"] == company["id"])
    assert nested["totalCount"] == expected == len(nested["edges"])
    [error] = core.err(
        "{ companies { edges { node { people { edges { node { pointOfContactForOpportunities { totalCount } } } } } } } }"
    )
    assert error["extensions"]["subCode"] == "TOO_COMPLEX_QUERY"
    # through a fragment as well
    [error] = core.err(
        """fragment P on Person { pointOfContactForOpportunities { totalCount } }
           { companies { edges { node { people { edges { node { ...P } } } } } } }"""
    )
    assert error["extensions"]["subCode"] == "TOO_COMPLEX_QUERY"


def test_nested_one_to_many_is_capped_at_60() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    [company] = core.ok('mutation { createCompanies(data: [{name: "Big"}]) { id } }')[
        "createCompanies"
    ]
    for start in range(0, 70, 35):
        people = [
            {"name": {"firstName": f"P{i}"}, "companyId": company["id"]}
            for i in range(start, start + 35)
        ]
        core.ok("mutation($d: [PersonCreateInput!]!) { createPeople(data: $d) { id } }", d=people)
    conn = core.ok(
        "{ companies { edges { node { people(first: 100) { totalCount edges { node { id } } pageInfo { hasNextPage } } } } } }"
    )["companies"]["edges"][0]["node"]["people"]
    assert conn["totalCount"] == 70 and len(conn["edges"]) == 60
    assert conn["pageInfo"]["hasNextPage"] is True


def test_destroy_applies_on_delete() -> None:
    ws = Workspace("demo")
    core = Core(ws)
    company = ws.records("company")[0]["id"]
    linked = [p["id"] for p in ws.records("person") if p["companyId"] == company]
    assert linked
    core.ok("mutation($id: UUID!) { destroyCompany(id: $id) { id } }", id=company)
    still = {p["id"]: p for p in ws.records("person")}
    assert all(still[pid]["companyId"] is None for pid in linked)


def test_find_duplicates_and_merge() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    a, b, c = core.ok(
        """mutation { createCompanies(data: [
            {name: "Same", employees: 5},
            {name: "Same", domainName: {primaryLinkUrl: "https://same.io"}},
            {name: "Other"}]) { id } }"""
    )["createCompanies"]
    dups = core.ok(
        "query($ids: [UUID]) { companyDuplicates(ids: $ids) { totalCount edges { node { id } } } }",
        ids=[a["id"], c["id"]],
    )["companyDuplicates"]
    assert [e["node"]["id"] for e in dups[0]["edges"]] == [b["id"]]
    assert dups[1]["totalCount"] == 0
    by_data = core.ok(
        '{ companyDuplicates(data: [{domainName: {primaryLinkUrl: "https://same.io"}}]) { edges { node { id } } } }'
    )["companyDuplicates"]
    assert [e["node"]["id"] for e in by_data[0]["edges"]] == [b["id"]]
    merge = """mutation($ids: [UUID!]!, $dry: Boolean) {
      mergeCompanies(ids: $ids, conflictPriorityIndex: 1, dryRun: $dry) {
        id employees domainName { primaryLinkUrl } } }"""
    dry = core.ok(merge, ids=[a["id"], b["id"]], dry=True)["mergeCompanies"]
    assert dry == {
        "id": b["id"],
        "employees": 5.0,
        "domainName": {"primaryLinkUrl": "https://same.io"},
    }
    assert len([r for r in ws.records("company") if r["deletedAt"] is None]) == 3
    merged = core.ok(merge, ids=[a["id"], b["id"]])["mergeCompanies"]
    assert merged == dry
    alive = {r["id"] for r in ws.records("company") if r["deletedAt"] is None}
    assert alive == {b["id"], c["id"]}
    assert "opportunityDuplicates" not in ws.core_schema.query_type.fields  # type: ignore[union-attr]


def test_group_by_scalar_and_select() -> None:
    ws = Workspace("demo")
    core = Core(ws)
    groups = core.ok(
        """{ opportunitiesGroupBy(groupBy: [{stage: true}], orderBy: [{aggregate: {totalCount: DescNullsLast}}]) {
             groupByDimensionValues totalCount sumAmountAmountMicros edges { node { stage } } } }"""
    )["opportunitiesGroupBy"]
    expected: dict[str, int] = {}
    for o in ws.records("opportunity"):
        expected[o["stage"]] = expected.get(o["stage"], 0) + 1
    assert {g["groupByDimensionValues"][0]: g["totalCount"] for g in groups} == expected
    counts = [g["totalCount"] for g in groups]
    assert counts == sorted(counts, reverse=True)
    for g in groups:
        assert {e["node"]["stage"] for e in g["edges"]} == {g["groupByDimensionValues"][0]}
    by_month = core.ok(
        "{ opportunitiesGroupBy(groupBy: [{closeDate: {granularity: MONTH}}], limit: 3) { groupByDimensionValues } }"
    )["opportunitiesGroupBy"]
    assert len(by_month) == 3
    assert all(len(g["groupByDimensionValues"][0]) == 7 for g in by_month)


def test_unique_index_follows_updates_deletes_and_restores(core: Core) -> None:
    [a] = core.ok(CREATE, d=[{"name": "A", "domainName": {"primaryLinkUrl": "https://a.io"}}])[
        "createCompanies"
    ]
    move = "mutation($id: UUID!, $url: String) { updateCompany(id: $id, data: {domainName: {primaryLinkUrl: $url}}) { id } }"
    core.ok(move, id=a["id"], url="https://b.io")
    core.ok(CREATE, d=[{"name": "A2", "domainName": {"primaryLinkUrl": "https://a.io"}}])
    assert (
        "Duplicate"
        in core.err(CREATE, d=[{"domainName": {"primaryLinkUrl": "https://b.io"}}])[0]["message"]
    )
    [up] = core.ok(
        CREATE, d=[{"name": "B!", "domainName": {"primaryLinkUrl": "https://b.io"}}], u=True
    )["createCompanies"]
    assert up["id"] == a["id"]
    core.ok("mutation($id: UUID!) { deleteCompany(id: $id) { id } }", id=a["id"])
    [c] = core.ok(CREATE, d=[{"name": "C", "domainName": {"primaryLinkUrl": "https://b.io"}}])[
        "createCompanies"
    ]
    assert c["id"] != a["id"]
    # restoring A would now duplicate C's domain
    [error] = core.err("mutation($id: UUID!) { restoreCompany(id: $id) { id } }", id=a["id"])
    assert error["message"] == "Duplicate Domain Name. Please set a unique one."
    core.ok("mutation($id: UUID!) { destroyCompany(id: $id) { id } }", id=c["id"])
    core.ok("mutation($id: UUID!) { restoreCompany(id: $id) { id } }", id=a["id"])


def test_positions_default_after_the_last_and_first_last_keywords(core: Core) -> None:
    q = 'mutation($p: Position) { createCompany(data: {name: "x", position: $p}) { position } }'
    assert core.ok(q)["createCompany"]["position"] == 0.0
    assert core.ok(q, p=10)["createCompany"]["position"] == 10.0
    assert core.ok(q)["createCompany"]["position"] == 11.0
    assert core.ok(q, p="first")["createCompany"]["position"] == -1.0
    assert core.ok(q, p="last")["createCompany"]["position"] == 12.0


def test_ordering_a_column_of_mixed_json_values() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    activity = (
        'mutation($p: JSON) { createTimelineActivity(data: {name: "e", properties: $p}) { id } }'
    )
    for value in ({"a": 1}, [1, 2], "text", 5, None):
        core.ok(activity, p=value)
    q = "query($after: String) { timelineActivities(first: 2, after: $after, orderBy: [{properties: AscNullsLast}]) { edges { node { properties } } pageInfo { hasNextPage endCursor } } }"
    seen: list[object] = []
    after = None
    while True:
        conn = core.ok(q, after=after)["timelineActivities"]
        seen.extend(e["node"]["properties"] for e in conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == 5 and seen[-1] is None
    assert sorted(map(str, seen[:-1])) == sorted(map(str, [{"a": 1}, [1, 2], "text", 5]))


def test_filters_on_json_array_rich_text_actor_and_search() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(
        {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
    )
    ws.create_field(
        {"objectMetadataId": pet.id, "type": "ARRAY", "name": "aliases", "label": "Aliases"}
    )
    ws.create_field(
        {"objectMetadataId": pet.id, "type": "RAW_JSON", "name": "meta", "label": "Meta"}
    )
    ws.create_field(
        {"objectMetadataId": pet.id, "type": "RICH_TEXT", "name": "bio", "label": "Bio"}
    )
    core.ok(
        """mutation { createPets(data: [
          {name: "Rex", aliases: ["Rexy", "King"], meta: {kind: "dog", tags: ["a", "b"]}, bio: {markdown: "Good **dog**"}},
          {name: "Tom", aliases: [], meta: {kind: "cat"}, createdBy: {source: IMPORT}},
          {name: "Nemo"}]) { id } }"""
    )

    def names(f: str) -> list[str]:
        data = core.ok(
            f"{{ pets(filter: {f}, orderBy: [{{name: AscNullsFirst}}]) {{ edges {{ node {{ name }} }} }} }}"
        )
        return [e["node"]["name"] for e in data["pets"]["edges"]]

    assert names('{aliases: {containsIlike: "%rex%"}}') == ["Rex"]
    assert names("{aliases: {isEmptyArray: true}}") == ["Tom"]
    assert names("{aliases: {is: NULL}}") == ["Nemo"]
    assert names('{meta: {containsJsonb: "{\\"kind\\": \\"dog\\"}"}}') == ["Rex"]
    assert names('{meta: {containsJsonb: "{\\"tags\\": [\\"b\\"]}"}}') == ["Rex"]
    assert names('{meta: {like: "%cat%"}}') == ["Tom"]
    assert names('{bio: {markdown: {ilike: "%DOG%"}}}') == ["Rex"]
    assert names("{createdBy: {source: {eq: IMPORT}}}") == ["Tom"]
    assert names("{createdBy: {source: {in: [API]}}}") == ["Nemo", "Rex"]
    assert names('{createdBy: {name: {eq: "API Key"}}}') == ["Nemo", "Rex", "Tom"]
    assert names('{searchVector: {search: "nemo"}}') == ["Nemo"]
    [error] = core.err('{ pets(filter: {meta: {containsJsonb: "{not json"}}) { totalCount } }')
    assert "containsJsonb" in error["message"] and error["extensions"]["code"] == "BAD_USER_INPUT"
    [error] = core.err('{ pets(filter: {name: {regex: "("}}) { totalCount } }')
    assert "Invalid regular expression" in error["message"]


def test_concurrent_requests_from_threads_stay_consistent() -> None:
    import threading

    ws = Workspace("standard")
    core = Core(ws)
    errors: list[object] = []

    def worker(n: int) -> None:
        for i in range(10):
            result = ws.execute_core(
                CREATE,
                {
                    "d": [
                        {
                            "name": f"T{n}-{i}",
                            "domainName": {"primaryLinkUrl": f"https://shared{i}.io"},
                        }
                    ],
                    "u": True,
                },
            )
            if result.errors:
                errors.append(result.errors)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # 6 threads upserting the same 10 domains: exactly 10 records
    assert core.ok("{ companies { totalCount } }")["companies"]["totalCount"] == 10


def test_order_and_group_by_relation_and_partial_composite_update() -> None:
    ws = Workspace("demo")
    core = Core(ws)
    people = core.ok(
        "{ people(first: 150, orderBy: [{company: {name: DescNullsLast}}]) { edges { node { company { name } } } } }"
    )["people"]["edges"]
    names = [e["node"]["company"]["name"] for e in people]
    assert len(names) == 150 and names == sorted(names, reverse=True)
    groups = core.ok(
        "{ peopleGroupBy(groupBy: [{company: {id: true}}]) { groupByDimensionValues totalCount } }"
    )
    expected: dict[str, int] = {}
    for p in ws.records("person"):
        expected[p["companyId"]] = expected.get(p["companyId"], 0) + 1
    assert {
        g["groupByDimensionValues"][0]: g["totalCount"] for g in groups["peopleGroupBy"]
    } == expected
    company = ws.records("company")[0]
    updated = core.ok(
        'mutation($id: UUID!) { updateCompany(id: $id, data: {domainName: {primaryLinkLabel: "Home"}}) { domainName { primaryLinkUrl primaryLinkLabel } } }',
        id=company["id"],
    )["updateCompany"]["domainName"]
    assert updated == {
        "primaryLinkUrl": company["domainName"]["primaryLinkUrl"],
        "primaryLinkLabel": "Home",
    }


def test_files_field_round_trip(core: Core) -> None:
    file_id = "0c3c8a4e-9a1b-4e7a-8d55-4a9f4c1b2d3e"
    person = core.ok(
        "mutation($f: [FileInput]) { createPerson(data: {avatarFile: $f}) { avatarFile { fileId label fileCategory } } }",
        f=[{"fileId": file_id, "label": "me.png"}],
    )["createPerson"]
    assert person["avatarFile"] == [{"fileId": file_id, "label": "me.png", "fileCategory": "OTHER"}]
    [error] = core.err(
        "mutation($f: [FileInput]) { createPerson(data: {avatarFile: $f}) { id } }",
        f=[{"fileId": "nope", "label": "x"}],
    )
    assert "Invalid UUID" in error["message"] and error["extensions"]["code"] == "BAD_USER_INPUT"


def test_person_upsert_by_primary_email(core: Core) -> None:
    q = """mutation($d: [PersonCreateInput!]!) { createPeople(data: $d, upsert: true) {
      id jobTitle emails { primaryEmail } } }"""
    [a] = core.ok(q, d=[{"emails": {"primaryEmail": "ann@x.io"}, "jobTitle": "CEO"}])[
        "createPeople"
    ]
    b, c = core.ok(
        q,
        d=[
            {"emails": {"primaryEmail": "ann@x.io"}, "jobTitle": "CTO"},
            {"emails": {"primaryEmail": "bob@x.io"}},
        ],
    )["createPeople"]
    assert b["id"] == a["id"] and b["jobTitle"] == "CTO" and c["id"] != a["id"]
    # an empty email is not a key: two people without email are two records
    core.ok(q, d=[{"jobTitle": "x"}, {"jobTitle": "y"}])
    assert len(core.ws.records("person")) == 4


def test_unconfirmed_behaviours_are_configurable(core: Core) -> None:
    seed_companies(core, 8)
    core.ws.settings.batch_limit = 5
    core.ws.settings.limit_delete_many = True
    [error] = core.err("mutation { deleteCompanies(filter: {}) { id } }")
    assert error["message"] == "Cannot update more than 5 records at once"
    assert core.ok("{ companies { totalCount } }")["companies"]["totalCount"] == 8
    core.ws.settings.limit_delete_many = False
    core.ws.settings.destroy_requires_soft_delete = True
    live = core.ws.records("company")[0]["id"]
    [error] = core.err("mutation($id: UUID!) { destroyCompany(id: $id) { id } }", id=live)
    assert error["extensions"]["code"] == "NOT_FOUND"
    core.ok("mutation($id: UUID!) { deleteCompany(id: $id) { id } }", id=live)
    gone = core.ok("mutation { destroyCompanies(filter: {}) { id } }")["destroyCompanies"]
    assert [g["id"] for g in gone] == [live]
    assert len(core.ws.records("company")) == 7


def test_group_by_ordered_by_dimension() -> None:
    core = Core(Workspace("demo"))
    groups = core.ok(
        "{ opportunitiesGroupBy(groupBy: [{stage: true}], orderBy: [{stage: DescNullsLast}]) { groupByDimensionValues } }"
    )["opportunitiesGroupBy"]
    values = [g["groupByDimensionValues"][0] for g in groups]
    assert values == sorted(values, reverse=True) and len(values) == len(set(values)) > 1
    months = core.ok(
        "{ opportunitiesGroupBy(groupBy: [{closeDate: {granularity: MONTH}}], orderBy: [{closeDate: {orderBy: AscNullsLast, granularity: MONTH}}]) { groupByDimensionValues } }"
    )["opportunitiesGroupBy"]
    month_values = [g["groupByDimensionValues"][0] for g in months]
    assert month_values == sorted(month_values)
    [error] = core.err(
        "{ opportunitiesGroupBy(groupBy: [{stage: true}], orderBy: [{name: AscNullsLast}]) { totalCount } }"
    )
    assert "not a groupBy dimension" in error["message"]


def test_cursor_aware_page_info_setting(core: Core) -> None:
    seed_companies(core, 5)
    first = core.ok(PAGE, first=2)["companies"]["pageInfo"]
    second = core.ok(PAGE, first=2, after=first["endCursor"])["companies"]["pageInfo"]
    assert second["hasPreviousPage"] is False and second["hasNextPage"] is True
    core.ws.settings.cursor_aware_page_info = True
    second = core.ok(PAGE, first=2, after=first["endCursor"])["companies"]["pageInfo"]
    assert second["hasPreviousPage"] is True and second["hasNextPage"] is True
    back = core.ok(PAGE, last=1, before=second["startCursor"])["companies"]["pageInfo"]
    assert back["hasNextPage"] is True and back["hasPreviousPage"] is True
    assert core.ok(PAGE, first=2)["companies"]["pageInfo"]["hasPreviousPage"] is False
