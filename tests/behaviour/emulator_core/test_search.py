"""The cross-object ``search`` query: arguments, result shape, ranking, paging, filters."""

from __future__ import annotations

import base64
import json
from typing import Any

from .conftest import Core

SEARCH = """
query Search($q: String!, $limit: Int!, $after: String, $inc: [String!], $exc: [String!],
             $filter: ObjectRecordFilterInput) {
  search(searchInput: $q, limit: $limit, after: $after, includedObjectNameSingulars: $inc,
         excludedObjectNameSingulars: $exc, filter: $filter) {
    edges { cursor node { recordId objectNameSingular label imageUrl tsRankCD tsRank } }
    pageInfo { endCursor hasNextPage }
  }
}
"""


def seed(core: Core) -> dict[str, str]:
    ids = {}
    data = core.ok(
        """mutation {
          a: createCompany(data: {name: "Acme Rockets", domainName: {primaryLinkUrl: "https://www.acme.io/x"}}) { id }
          b: createCompany(data: {name: "Rocket Labs"}) { id }
          p: createPerson(data: {name: {firstName: "Ada", lastName: "Rocketson"}, jobTitle: "Engineer"}) { id }
          o: createOpportunity(data: {name: "Acme renewal"}) { id }
          n: createNote(data: {title: "Call Acme about rockets"}) { id }
        }"""
    )
    for key, value in data.items():
        ids[key] = value["id"]
    return ids


def nodes(core: Core, **variables: object) -> list[dict[str, Any]]:
    data = core.ok(SEARCH, **variables)
    return [e["node"] for e in data["search"]["edges"]]


def test_result_shape_label_image_and_ranking(core: Core) -> None:
    ids = seed(core)
    found = nodes(core, q="acme rocket", limit=10)
    by_id = {n["recordId"]: n for n in found}
    # every word matched (all words are prefixes) ranks before some words matched
    all_words = [n["recordId"] for n in found if n["tsRankCD"] > 0]
    assert set(all_words) == {ids["a"], ids["n"]}
    assert [n["recordId"] for n in found][:2] == [ids["a"], ids["n"]]  # company before note
    assert set(by_id) == {ids["a"], ids["b"], ids["p"], ids["o"], ids["n"]}
    acme = by_id[ids["a"]]
    assert acme["objectNameSingular"] == "company"
    assert acme["label"] == "Acme Rockets"
    assert acme["imageUrl"] == "https://twenty-icons.com/acme.io"
    assert by_id[ids["p"]]["label"] == "Ada Rocketson"
    assert by_id[ids["p"]]["imageUrl"] == ""
    # among "some words" results the object priority decides: person, company, opportunity
    some = [n["objectNameSingular"] for n in found if n["tsRankCD"] == 0]
    assert some == ["person", "company", "opportunity"]


def test_included_excluded_and_filter(core: Core) -> None:
    ids = seed(core)
    only = nodes(core, q="acme", limit=10, inc=["opportunity", "note"])
    assert {n["objectNameSingular"] for n in only} == {"opportunity", "note"}
    without = nodes(core, q="acme", limit=10, exc=["company"])
    assert ids["a"] not in {n["recordId"] for n in without}
    filtered = nodes(core, q="acme", limit=10, filter={"id": {"in": [ids["o"]]}})
    assert [n["recordId"] for n in filtered] == [ids["o"]]
    core.ok("mutation($id: UUID!) { deleteCompany(id: $id) { id } }", id=ids["a"])
    assert ids["a"] not in {n["recordId"] for n in nodes(core, q="acme", limit=10)}
    deleted = nodes(core, q="acme", limit=10, filter={"deletedAt": {"is": "NOT_NULL"}})
    assert [n["recordId"] for n in deleted] == [ids["a"]]


def test_paging_with_cursors_visits_everything_once(core: Core) -> None:
    seed(core)
    everything = [n["recordId"] for n in nodes(core, q="", limit=100)]
    assert len(everything) >= 5
    seen: list[object] = []
    after = None
    while True:
        data = core.ok(SEARCH, q="", limit=2, after=after)["search"]
        seen += [e["node"]["recordId"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
        cursor = json.loads(base64.b64decode(after))
        assert set(cursor) == {"lastRanks", "lastRecordIdsPerObject"}
    assert seen == everything


def test_limits_and_bad_cursor(core: Core) -> None:
    errors = core.err(SEARCH, q="a", limit=101)
    assert errors[0]["message"] == "Limit cannot exceed 100 items"
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = core.err(SEARCH, q="a", limit=5, after="not a cursor")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (
        core.err('{ search(searchInput: "a") { pageInfo { hasNextPage } } }')[0]["extensions"][
            "code"
        ]
        == "GRAPHQL_VALIDATION_FAILED"
    )
    assert nodes(core, q="zzzz", limit=5) == []
