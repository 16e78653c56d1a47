"""Property: keyset pagination visits every record exactly once, in the requested order."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.behaviour.emulator_core.conftest import Core
from twenty_gql.testing.workspace import Workspace

DIRECTIONS = ["AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast"]
CREATE = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }"
PAGE = """query($first: Int, $last: Int, $after: String, $before: String, $o: [CompanyOrderByInput]) {
  companies(first: $first, last: $last, after: $after, before: $before, orderBy: $o) {
    edges { node { id name employees } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""

rows = st.lists(
    st.tuples(st.sampled_from([None, "a", "b", "c"]), st.sampled_from([None, 1.0, 2.0, 3.0])),
    min_size=0,
    max_size=25,
)


def expected_order(records: list[dict[str, Any]], keys: list[tuple[str, str]]) -> list[str]:
    out = sorted(records, key=lambda r: r["id"])
    for field, direction in reversed(keys):
        present = [r for r in out if r[field] is not None]
        missing = [r for r in out if r[field] is None]
        present.sort(key=lambda r, f=field: r[f], reverse=direction.startswith("Desc"))
        out = missing + present if direction.endswith("NullsFirst") else present + missing
    return [r["id"] for r in out]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=rows,
    keys=st.lists(
        st.tuples(st.sampled_from(["name", "employees"]), st.sampled_from(DIRECTIONS)),
        min_size=0,
        max_size=2,
        unique_by=lambda k: k[0],
    ),
    page=st.integers(min_value=1, max_value=7),
    backward=st.booleans(),
)
def test_pagination_visits_each_record_once_in_order(
    data: list[tuple[str | None, float | None]],
    keys: list[tuple[str, str]],
    page: int,
    backward: bool,
) -> None:
    core = Core(Workspace("standard"))
    if data:
        core.ok(CREATE, d=[{"name": n, "employees": e} for n, e in data])
    records = [
        {"id": r["id"], "name": r["name"], "employees": r["employees"]}
        for r in core.ws.records("company")
    ]
    order = [{field: direction} for field, direction in keys]
    want = expected_order(records, keys)
    seen: list[str] = []
    cursor = None
    for _ in range(len(data) + 2):
        if backward:
            conn = core.ok(PAGE, last=page, before=cursor, o=order)["companies"]
            seen = [e["node"]["id"] for e in conn["edges"]] + seen
            more, cursor = conn["pageInfo"]["hasPreviousPage"], conn["pageInfo"]["startCursor"]
        else:
            conn = core.ok(PAGE, first=page, after=cursor, o=order)["companies"]
            seen += [e["node"]["id"] for e in conn["edges"]]
            more, cursor = conn["pageInfo"]["hasNextPage"], conn["pageInfo"]["endCursor"]
        if not more:
            break
    assert seen == want
