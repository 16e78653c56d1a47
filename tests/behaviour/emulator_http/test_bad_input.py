"""Bad input never crashes the emulator: each gets a GraphQL error or a 4xx, and it keeps
serving afterwards."""

from __future__ import annotations

import json

import pytest

from .conftest import Http, codes

OK = "{ companies(first: 1) { totalCount } }"


async def _still_serving(http: Http) -> None:
    data = await http.gql(OK)
    assert data["companies"]["totalCount"] >= 0


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b'{"query": "{ companies { totalCount } "', 400, "GRAPHQL_PARSE_FAILED"),
        (b"\xff\xfe not json", 400, "GRAPHQL_PARSE_FAILED"),
        (b"[1, 2, 3]", 400, "BAD_USER_INPUT"),
        (b'"just a string"', 400, "BAD_USER_INPUT"),
        (b"{}", 400, "BAD_USER_INPUT"),
        (b'{"query": 42}', 400, "BAD_USER_INPUT"),
        (b'{"query": "{ __typename }", "variables": [1]}', 400, "BAD_USER_INPUT"),
        (b'{"query": "{ __typename }", "operationName": 7}', 400, "BAD_USER_INPUT"),
        (b'{"query": "{ companies { "}', 200, "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_malformed_bodies(http: Http, path: str, raw: bytes, status: int, code: str) -> None:
    got_status, text = await http.raw(path, raw)
    assert got_status == status, text
    body = json.loads(text)
    assert codes(body) == [code]
    assert body["errors"][0]["message"]
    await _still_serving(http)


async def test_unknown_operation_name(http: Http) -> None:
    _s, body = await http.post(
        "/graphql", "query A { __typename } query B { __typename }", operation_name="C"
    )
    assert body["errors"] and "C" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"]
    await _still_serving(http)


async def test_wrong_variable_type(http: Http) -> None:
    _s, body = await http.post(
        "/graphql",
        "query($n: Int) { companies(first: $n) { totalCount } }",
        {"n": "ten"},
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "$n" in body["errors"][0]["message"]
    _s, body = await http.post(
        "/metadata", "query($id: UUID!) { object(id: $id) { id } }", {"id": None}
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    await _still_serving(http)


async def test_ten_megabyte_body_is_413(http: Http) -> None:
    big = json.dumps({"query": OK, "variables": {"x": "a" * (10 * 1024 * 1024)}}).encode()
    status, text = await http.raw("/graphql", big)
    assert status == 413
    body = json.loads(text)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "too large" in body["errors"][0]["message"]
    await _still_serving(http)


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
async def test_deeply_nested_documents(http: Http, path: str) -> None:
    for doc in (
        "{" * 100_000,
        "{ a " + "{ a " * 5000 + "}" * 5001,
        "{ companies(filter: " + "{and: [" * 3000 + "{}" + "]}" * 3000 + ") { totalCount } }",
    ):
        _s, body = await http.post(path, doc)
        assert body.get("errors"), doc[:60]
        assert body["errors"][0]["extensions"]["code"] in (
            "GRAPHQL_PARSE_FAILED",
            "GRAPHQL_VALIDATION_FAILED",
            "BAD_USER_INPUT",
        )
    await _still_serving(http)


async def test_braces_in_comments_and_strings_do_not_count_as_nesting(http: Http) -> None:
    doc = (
        'query { companies(filter: {name: {eq: "'
        + "{" * 500
        + '"}}) { totalCount } } '
        + "#"
        + "{" * 1000
    )
    data = await http.gql(doc)
    assert data["companies"]["totalCount"] == 0


async def test_get_and_unknown_paths(http: Http) -> None:
    async with http.session.get(http.emu.url + "/graphql") as resp:
        assert resp.status == 405
    async with http.session.post(http.emu.url + "/nope", json={"query": OK}) as resp:
        assert resp.status == 404
    await _still_serving(http)


@pytest.mark.parametrize(("depth", "status"), [(40, 200), (300, 200), (100_000, 400)])
async def test_deeply_nested_json_variables(http: Http, depth: int, status: int) -> None:
    query = "query($f: CompanyFilterInput) { companies(filter: $f) { totalCount } }"
    nested = '{"and": [' * depth + "{}" + "]}" * depth
    raw = ('{"query": "' + query + '", "variables": {"f": ' + nested + "}}").encode()
    got, text = await http.raw("/graphql", raw)
    assert got == status, text[:300]
    body = json.loads(text)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "nested too deeply" in body["errors"][0]["message"]
    await _still_serving(http)


async def test_an_internal_bug_answers_500_json_and_keeps_serving(
    http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("simulated bug")

    monkeypatch.setattr(http.emu.workspace, "execute_core", broken)
    status, body = await http.post("/graphql", OK)
    assert status == 500
    assert codes(body) == ["INTERNAL_SERVER_ERROR"]
    assert body["errors"][0]["message"] == "Internal server error: KeyError"
    monkeypatch.undo()
    await _still_serving(http)
