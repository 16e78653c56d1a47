"""The issue's core "must show" items, over raw HTTP end to end: batch limit, upsert by
``domainName.primaryLinkUrl``, and keyset pagination over 250 records visiting each once."""

from __future__ import annotations

import asyncio
from typing import Any

from .conftest import Http, codes

CREATE = """mutation($data: [CompanyCreateInput!]!, $upsert: Boolean) {
  createCompanies(data: $data, upsert: $upsert) { id name employees } }"""


async def test_61_records_rejected_60_accepted(http: Http) -> None:
    rows = [{"name": f"b{i}"} for i in range(61)]
    _s, body = await http.post("/graphql", CREATE, {"data": rows})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"] == "Maximum number of records to upsert is 60."
    data = await http.gql(CREATE, {"data": rows[:60]})
    assert len(data["createCompanies"]) == 60


async def test_upsert_by_domain_updates_instead_of_duplicating(http: Http) -> None:
    row = {"name": "Acme", "employees": 1, "domainName": {"primaryLinkUrl": "https://acme.test"}}
    first = await http.gql(CREATE, {"data": [row], "upsert": True})
    again = await http.gql(CREATE, {"data": [dict(row, employees=2)], "upsert": True})
    assert again["createCompanies"][0]["id"] == first["createCompanies"][0]["id"]
    data = await http.gql(
        """{ companies(filter: {domainName: {primaryLinkUrl: {eq: "https://acme.test"}}})
             { totalCount edges { node { employees } } } }"""
    )
    assert data["companies"]["totalCount"] == 1
    assert data["companies"]["edges"][0]["node"]["employees"] == 2


async def test_pagination_over_250_visits_each_once(http: Http) -> None:
    for start in range(0, 250, 50):
        await http.gql(CREATE, {"data": [{"name": f"p{i:03d}"} for i in range(start, start + 50)]})
    q = """query($after: String) { companies(first: 60, after: $after) {
        totalCount edges { node { id name } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after: Any = None
    pages = 0
    while True:
        conn = (await http.gql(q, {"after": after}))["companies"]
        pages += 1
        assert conn["totalCount"] == 250
        seen += [e["node"]["name"] for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 5
    assert sorted(seen) == [f"p{i:03d}" for i in range(250)]


async def test_concurrent_writes_and_a_data_model_change(http: Http) -> None:
    one = "mutation($n: String) { createCompany(data: {name: $n}) { id } }"
    add_field = """mutation($id: UUID!) { createOneField(input: {field: {objectMetadataId: $id,
        type: TEXT, name: "tagline", label: "Tagline"}}) { id } }"""
    objects = await http.meta(
        "{ objects(paging: {first: 1000}) { edges { node { id nameSingular } } } }"
    )
    company_id = next(
        e["node"]["id"]
        for e in objects["objects"]["edges"]
        if e["node"]["nameSingular"] == "company"
    )
    writes = [http.post("/graphql", one, {"n": f"cc{i:03d}"}) for i in range(200)]
    results = await asyncio.gather(
        *writes[:100], http.meta(add_field, {"id": company_id}), *writes[100:]
    )
    bodies = [r[1] for r in results if isinstance(r, tuple)]
    assert len(bodies) == 200 and all("errors" not in b for b in bodies)
    ids = {b["data"]["createCompany"]["id"] for b in bodies}
    assert len(ids) == 200
    data = await http.gql(
        '{ companies(filter: {name: {like: "cc%"}}) { totalCount } '
        'c: company(filter: {name: {eq: "cc199"}}) { tagline } }'
    )
    assert data["companies"]["totalCount"] == 200
    assert set(data["c"]) == {"tagline"}  # the new field is queryable at once
