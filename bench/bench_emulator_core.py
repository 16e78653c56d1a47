"""Per-request cost of the emulator core (``Workspace.execute_core``), no HTTP.

Baseline, side by side: graphql-core executing the *same parsed document* against the *same
schema* with the root resolver swapped for one that returns precomputed records, i.e. the floor
cost of GraphQL execution and result serialisation. The ratio is what the emulator adds on top
(document cache, filtering, sorting, cursors, validation of writes, uniqueness checks, store).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLSchema,
    build_schema,
    execute,
    get_introspection_query,
    graphql_sync,
    parse,
    print_schema,
)

from twenty_gql.testing.workspace import Workspace

CREATE = """mutation($d: [CompanyCreateInput!]!, $u: Boolean) {
  createCompanies(data: $d, upsert: $u) { id name domainName { primaryLinkUrl } employees
    createdBy { source name } createdAt position } }"""
FIND = """query($after: String) { companies(first: 60, after: $after,
  orderBy: [{employees: DescNullsLast}]) { totalCount edges { cursor node { id name
  domainName { primaryLinkUrl } employees createdAt } } pageInfo { hasNextPage endCursor } } }"""


def _time(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _baseline(schema: GraphQLSchema, document: str, root: str, value: Any, variables: Any) -> float:
    kind = schema.mutation_type if document.lstrip().startswith("mutation") else schema.query_type
    assert kind is not None
    field = kind.fields[root]
    original = field.resolve
    field.resolve = lambda *_a, **_k: value
    ast = parse(document)
    try:
        return _time(lambda: execute(schema, ast, variable_values=variables), 30)
    finally:
        field.resolve = original


def _records(start: int, n: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Company {i}",
            "employees": i % 17,
            "domainName": {"primaryLinkUrl": f"https://c{i}.example"},
        }
        for i in range(start, start + n)
    ]


def main() -> None:
    ws = Workspace("standard")
    counter = [0]

    def create(upsert: bool = False) -> Any:
        counter[0] += 60
        result = ws.execute_core(CREATE, {"d": _records(counter[0], 60), "u": upsert})
        assert not result.errors, result.errors
        return result.data

    rows = []
    for size in (0, 1_000, 5_000):
        while len(ws.store.table(ws.view("company").obj.id)) < size:  # type: ignore[union-attr]
            create()
        sample = create()
        emu = _time(create, 15)
        base = _baseline(
            ws.core_schema,
            CREATE,
            "createCompanies",
            sample["createCompanies"],
            {"d": _records(0, 60)},
        )
        rows.append((f"createMany(60) @ {size:>5} rows", emu, base))
        upsert_data = {"d": _records(1, 60), "u": True}
        emu = _time(lambda d=upsert_data: ws.execute_core(CREATE, d), 15)  # type: ignore[misc]
        rows.append((f"upsert(60)     @ {size:>5} rows", emu, base))
        found = ws.execute_core(FIND, {"after": None}).data
        emu = _time(lambda: ws.execute_core(FIND, {"after": None}), 15)
        base = _baseline(ws.core_schema, FIND, "companies", _connection(found), {"after": None})
        rows.append((f"findMany(60)   @ {size:>5} rows", emu, base))
    print(f"{'operation':<32}{'emulator ms':>12}{'graphql-core floor ms':>24}{'ratio':>8}")
    for label, emu, base in rows:
        print(f"{label:<32}{emu:>12.2f}{base:>24.2f}{emu / base:>8.1f}x")


def _connection(data: Any) -> Any:
    """A findMany result shaped for default resolvers (aggregates become plain attributes)."""

    class Conn:
        def __init__(self, payload: dict[str, Any]) -> None:
            self.edges = payload["edges"]
            self.pageInfo = payload["pageInfo"]
            self.totalCount = payload["totalCount"]

    return Conn(data["companies"])


def startup() -> None:
    """Start-up cost of the seeds and of ``/graphql`` introspection, beside graphql-core building
    the same schema from its printed SDL (the floor of producing that schema at all)."""
    rows = []
    for seed in ("standard", "demo"):
        ws = Workspace(seed)
        sdl = print_schema(ws.core_schema)
        emu = _time(lambda s=seed: Workspace(s), 5)  # type: ignore[misc]
        base = _time(lambda t=sdl: build_schema(t), 5)  # type: ignore[misc]
        rows.append((f"Workspace({seed!r})", emu, base))
    query = get_introspection_query(descriptions=True)
    firsts = []
    for _ in range(3):
        fresh = Workspace("standard")
        firsts.append(_time(lambda w=fresh: w.execute_core(query), 1))  # type: ignore[misc]
    ws = Workspace("standard")
    floor = build_schema(print_schema(ws.core_schema))
    base = _time(lambda: graphql_sync(floor, query), 5)
    rows.append(("/graphql introspection, first", statistics.median(firsts), base))
    ws.execute_core(query)
    rows.append(("/graphql introspection, again", _time(lambda: ws.execute_core(query), 10), base))
    print(f"{'start-up':<32}{'emulator ms':>12}{'graphql-core floor ms':>24}{'ratio':>8}")
    for label, emu, base in rows:
        print(f"{label:<32}{emu:>12.2f}{base:>24.2f}{emu / base:>8.1f}x")
    objects = ws.objects()
    print(
        f"standard seed: {len(objects)} objects, {len(ws.fields())} fields "
        f"({sum(1 for o in objects if o.isSystem)} system objects)"
    )


if __name__ == "__main__":
    import sys

    startup() if sys.argv[1:] == ["startup"] else main()
