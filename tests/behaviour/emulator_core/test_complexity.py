"""Twenty's query complexity limit (COMMON_QUERY_COMPLEXITY_LIMIT): 1 + relation fields
selected (+ relation orderBy keys for findMany); over it -> TOO_COMPLEX_QUERY, root field null."""

from __future__ import annotations

import pytest

from .conftest import Core

THREE_RELATIONS = """{ people { edges { node { id company { id accountOwner { id } }
  noteTargets { edges { node { id } } } } } } }"""  # complexity 1 + 3 = 4


@pytest.mark.parametrize(("limit", "refused"), [(3, True), (4, False)])
def test_relation_fields_count_against_the_limit(core: Core, limit: int, refused: bool) -> None:
    core.ws.settings.query_complexity_limit = limit
    result = core.run(THREE_RELATIONS)
    if not refused:
        assert result.errors is None
        return
    assert result.data == {"people": None}
    [error] = [e.formatted for e in result.errors or []]
    assert error["message"] == (
        "Query complexity is too high. Please, reduce the amount of relation fields requested. "
        f"Query complexity: 4. Maximum complexity: {limit}."
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["subCode"] == "TOO_COMPLEX_QUERY"


def test_relation_order_keys_count_for_find_many(core: Core) -> None:
    core.ws.settings.query_complexity_limit = 2
    ok = "{ people(orderBy: [{city: AscNullsFirst}]) { edges { node { company { id } } } } }"
    assert core.run(ok).errors is None  # 1 + 1
    over = "{ people(orderBy: [{company: {name: AscNullsFirst}}]) { edges { node { company { id } } } } }"
    errors = core.err(over)  # 1 + 1 + 1
    assert "Query complexity: 3. Maximum complexity: 2." in errors[0]["message"]


def test_default_limit_is_twentys(core: Core) -> None:
    assert core.ws.settings.query_complexity_limit == 2000
    assert core.run(THREE_RELATIONS).errors is None
