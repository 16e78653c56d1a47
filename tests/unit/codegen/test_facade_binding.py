"""A facade method that only calls a module function is that function bound to the facade's
client (one implementation); the designed methods (``find_many`` -> ``Page``, ...) are their own."""

from __future__ import annotations

import inspect
from typing import Any

import pytest


class _Recorder:
    batch_size = 60
    page_size_max = 60

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[Any, Any]] = []

    async def execute(self, op: Any, variables: Any = None, *, idempotent: Any = None) -> Any:
        self.calls.append((op, variables))
        return self.answer


def test_bound_method_keeps_the_function_signature(ts: Any) -> None:
    core = ts.core
    api = ts.CoreApi(_Recorder(None)).companies
    assert inspect.signature(api.merge) == inspect.signature(core.merge_companies).replace(
        parameters=list(inspect.signature(core.merge_companies).parameters.values())[1:]
    )
    assert "Merge" in type(api).merge.__doc__


async def test_designed_method_sends_through_the_facade_client(ts: Any) -> None:
    from twenty_gql import EmptyResultError

    core = ts.core
    client = _Recorder(core.COMPANIES_OP.result_type(companies=None))
    with pytest.raises(EmptyResultError, match="companies"):
        await ts.CoreApi(client).companies.find_many(first=3, filter={"name": {"eq": "A"}})
    assert client.calls == [(core.COMPANIES_OP, {"first": 3, "filter": {"name": {"eq": "A"}}})]


async def test_an_unknown_keyword_is_refused_before_sending(ts: Any) -> None:
    client = _Recorder(None)
    with pytest.raises(TypeError, match="firs"):
        await ts.CoreApi(client).companies.find_many(firs=3)
    assert client.calls == []


def test_metadata_api_loads_its_operations_on_first_call(ts: Any) -> None:
    import subprocess
    import sys

    from tests.conftest import GENERATED

    code = (
        "import sys\n"
        "from twenty_standard import MetadataApi\n"
        "MetadataApi(object()).objects\n"
        "print(sorted(m for m in sys.modules if m.startswith('twenty_standard.metadata.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(GENERATED)},
    ).stdout
    assert out.strip() == "['twenty_standard.metadata._api']"
