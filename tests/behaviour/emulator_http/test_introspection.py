"""Introspection of both endpoints with a valid key; /metadata is the real 2.43 schema."""

from __future__ import annotations

from pathlib import Path

from graphql import build_client_schema, build_schema, get_introspection_query, print_schema

from .conftest import Http

FIXTURE = (
    Path(__file__).resolve().parents[3] / "twenty_gql/testing/data/twenty-metadata-2.43.graphql"
)
SHARED = Path("/work/shared/fixtures/twenty-metadata-2.43.graphql")


async def test_graphql_introspection_builds_a_client_schema(http: Http) -> None:
    data = await http.gql(get_introspection_query(descriptions=True))
    schema = build_client_schema(data)
    query = schema.query_type
    assert query is not None
    assert {"companies", "company", "people", "person"} <= set(query.fields)
    mutation = schema.mutation_type
    assert mutation is not None and "createCompanies" in mutation.fields


async def test_metadata_introspection_equals_the_fixture(http: Http) -> None:
    data = await http.meta(get_introspection_query(descriptions=True))
    served = print_schema(build_client_schema(data))
    expected = print_schema(build_schema(FIXTURE.read_text("utf-8")))
    assert served == expected
    assert served.count("\ntype ") > 300


def test_package_copy_is_byte_identical_to_the_shared_fixture() -> None:
    if SHARED.exists():  # the shared checkout is only present in the development tree
        assert FIXTURE.read_bytes() == SHARED.read_bytes()
    from twenty_gql.testing.metadata_api import metadata_sdl

    assert metadata_sdl() == FIXTURE.read_text("utf-8")
