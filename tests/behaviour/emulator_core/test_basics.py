"""Core API basics through ``Workspace.execute_core``: create, read, update."""

from __future__ import annotations

from tests.behaviour.emulator_core.conftest import Core

CREATE = """mutation($d: [CompanyCreateInput!]!, $u: Boolean) {
  createCompanies(data: $d, upsert: $u) { id name domainName { primaryLinkUrl } employees
    createdBy { source name } createdAt position }
}"""


def test_create_many_then_find_many(core: Core) -> None:
    data = [
        {"name": f"Co {i}", "domainName": {"primaryLinkUrl": f"https://co{i}.io"}} for i in range(5)
    ]
    created = core.ok(CREATE, d=data)["createCompanies"]
    assert [c["name"] for c in created] == [f"Co {i}" for i in range(5)]
    assert created[0]["createdBy"] == {"source": "API", "name": "API Key"}
    assert created[0]["createdAt"].endswith("Z") and len(created[0]["createdAt"]) == 24
    found = core.ok(
        "{ companies(orderBy: [{name: DescNullsLast}]) { totalCount edges { node { name } } } }"
    )
    names = [e["node"]["name"] for e in found["companies"]["edges"]]
    assert names == [f"Co {i}" for i in reversed(range(5))]
    assert found["companies"]["totalCount"] == 5


def test_update_one_changes_only_given_fields(core: Core) -> None:
    created = core.ok(CREATE, d=[{"name": "Before", "employees": 3}])["createCompanies"][0]
    updated = core.ok(
        'mutation($id: UUID!) { updateCompany(id: $id, data: {name: "After"}) { id name employees } }',
        id=created["id"],
    )["updateCompany"]
    assert updated == {"id": created["id"], "name": "After", "employees": 3.0}
    assert core.ws.records("company")[0]["name"] == "After"
