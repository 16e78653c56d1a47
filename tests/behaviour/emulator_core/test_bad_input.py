"""execute_core never raises: bad documents and variables become Twenty-shaped errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.behaviour.emulator_core.conftest import Core


@pytest.mark.parametrize(
    ("document", "variables", "operation", "code"),
    [
        ("{ companies { totalCount }", None, None, "GRAPHQL_PARSE_FAILED"),
        (
            "{" + "companies { edges { node { " * 400 + "id" + " } } }" * 400 + "}",
            None,
            None,
            "GRAPHQL_PARSE_FAILED",
        ),
        ("{ nope }", None, None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($f: Int) { companies(first: $f) { totalCount } }",
            {"f": "ten"},
            None,
            "BAD_USER_INPUT",
        ),
        ("query A { companies { totalCount } }", None, "B", "BAD_USER_INPUT"),
        (
            "query A { companies { totalCount } } query B { people { totalCount } }",
            None,
            None,
            "BAD_USER_INPUT",
        ),
        (12, None, None, "BAD_USER_INPUT"),
        ("{ companies { totalCount } }", ["not", "a", "dict"], None, "BAD_USER_INPUT"),
        (
            '{ company(filter: {id: {eq: "not-a-uuid"}}) { id } }',
            None,
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
)
def test_bad_requests_become_errors(
    core: Core, document: Any, variables: Any, operation: Any, code: str
) -> None:
    result = core.ws.execute_core(document, variables, operation)
    assert result.errors, result.data
    formatted = result.errors[0].formatted
    assert formatted["extensions"]["code"] == code
    assert formatted["extensions"]["userFriendlyMessage"]
    # and the workspace keeps serving
    assert core.ok("{ companies { totalCount } }") == {"companies": {"totalCount": 0}}


def test_invalid_uuid_variable_message(core: Core) -> None:
    [error] = core.err("query($id: UUID!) { company(filter: {id: {eq: $id}}) { id } }", id="12")
    assert "Invalid UUID" in error["message"] and error["extensions"]["code"] == "BAD_USER_INPUT"


def test_large_document_is_handled(core: Core) -> None:
    fields = " ".join(f"a{i}: companies {{ totalCount }}" for i in range(3000))
    result = core.ws.execute_core("{ " + fields + " }")
    assert result.errors is None and result.data is not None and len(result.data) == 3000


def test_root_fields_for_rate_limiting(core: Core) -> None:
    ws = core.ws
    assert ws.root_fields("{ a: companies { totalCount } people { totalCount } __typename }") == [
        "companies",
        "people",
    ]
    doc = "fragment F on Query { people { totalCount } } query Q { companies { totalCount } ...F ... on Query { companies { totalCount } } } query R { people { totalCount } }"
    assert ws.root_fields(doc, "Q") == ["companies", "people", "companies"]
    assert ws.root_fields(doc, "R") == ["people"]
    assert ws.root_fields(doc) is None  # two operations, none chosen
    assert ws.root_fields("{ broken") is None


def test_empty_operation_name_means_none(core: Core) -> None:
    result = core.ws.execute_core("query Q { companies { totalCount } }", {}, "")
    assert result.errors is None and result.data == {"companies": {"totalCount": 0}}
