"""Document limits (analyse_document) and REST flattening (clean_graphql_response)."""

from __future__ import annotations

from graphql import GraphQLError

from twenty_gql.testing.limits import DocumentInfo, DocumentLimits, analyse_document
from twenty_gql.testing.metadata_api import connection, decode_cursor, encode_cursor
from twenty_gql.testing.rest import clean_graphql_response

LIMITS = DocumentLimits(max_root_fields=3, max_depth=4, max_fields=10)


def _err(doc: str, op: str | None = None) -> str:
    got = analyse_document(doc, op, LIMITS)
    assert isinstance(got, GraphQLError), got
    assert got.extensions is not None and got.extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    return got.message


def test_root_fields_counted_through_fragments_and_introspection_skipped() -> None:
    got = analyse_document(
        "query Q { a { x } ...F __typename __schema { types { name } } } "
        "fragment F on Query { b { y } }",
        None,
        LIMITS,
    )
    assert isinstance(got, DocumentInfo)
    assert got.root_fields == ("a", "b")
    assert got.depth == 2


def test_limits() -> None:
    assert "too many root resolvers: 4 (maximum 3)" in _err("{ a b c d }")
    assert "Duplicate root resolver: 'a'" in _err("{ x: a y: a }")
    assert "too deeply nested" in _err("{ a { b { c { d { e } } } } }")
    assert "too many fields: 11" in _err("{ a { " + " ".join(f"f{i}" for i in range(10)) + " } }")
    assert "too deeply nested" in _err("{" * 10_000)


def test_operation_choice_and_unparsable() -> None:
    doc = "query A { a } query B { b { c } }"
    info = analyse_document(doc, "B", LIMITS)
    assert isinstance(info, DocumentInfo) and info.root_fields == ("b",)
    assert analyse_document(doc, None, LIMITS) is None  # ambiguous: the executor says so
    assert analyse_document("{ a ", None, LIMITS) is None  # parse error: the executor says so


def test_clean_graphql_response() -> None:
    data = {
        "objects": {
            "edges": [{"node": {"id": "1", "fields": {"edges": [{"node": {"name": "x"}}]}}}],
            "pageInfo": {"hasNextPage": False},
        }
    }
    assert clean_graphql_response(data) == {
        "data": {"objects": [{"id": "1", "fields": [{"name": "x"}]}]},
        "pageInfo": {"hasNextPage": False},
    }
    assert clean_graphql_response({"object": {"id": "1"}}) == {"data": {"object": {"id": "1"}}}


class Node:
    def __init__(self, id: str, flag: bool) -> None:
        self.id, self.flag = id, flag


def test_connection_paging_both_ways() -> None:
    nodes = [Node(f"{i:02d}", i % 2 == 0) for i in range(25)]
    page = connection(nodes, {"first": 10}, None)
    assert [e["node"].id for e in page["edges"]] == [f"{i:02d}" for i in range(10)]
    assert page["pageInfo"]["hasNextPage"] is True
    nxt = connection(nodes, {"first": 10, "after": page["pageInfo"]["endCursor"]}, None)
    assert nxt["edges"][0]["node"].id == "10"
    back = connection(nodes, {"last": 3, "before": encode_cursor("10")}, None)
    assert [e["node"].id for e in back["edges"]] == ["07", "08", "09"]
    assert back["pageInfo"]["hasPreviousPage"] is True
    even = connection(nodes, {"first": 100}, {"flag": {"is": True}})
    assert len(even["edges"]) == 13
    both = connection(nodes, {"first": 100}, {"or": [{"id": {"eq": "03"}}, {"id": {"in": ["04"]}}]})
    assert [e["node"].id for e in both["edges"]] == ["03", "04"]
    assert connection(nodes, None, None)["pageInfo"]["hasNextPage"] is True  # default 10
    assert decode_cursor(encode_cursor("abc")) == "abc"
    for bad in ("!!!", encode_cursor("x")[:-2] + "zz"):
        try:
            decode_cursor(bad)
        except GraphQLError as exc:
            assert "Invalid cursor" in exc.message
        else:
            raise AssertionError(f"cursor {bad!r} accepted")
