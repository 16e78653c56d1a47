"""Helpers for the emulator-core behaviour tests: run GraphQL through ``Workspace.execute_core``."""

from __future__ import annotations

from typing import Any

import pytest

from twenty_gql.testing.workspace import Workspace


class Core:
    """A thin wrapper: ``ok()`` asserts no errors and returns data, ``err()`` returns the errors."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def run(self, document: str, **variables: Any) -> Any:
        return self.ws.execute_core(document, variables or None)

    def ok(self, document: str, **variables: Any) -> Any:
        result = self.run(document, **variables)
        assert not result.errors, [e.formatted for e in result.errors]
        return result.data

    def err(self, document: str, **variables: Any) -> list[dict[str, Any]]:
        result = self.run(document, **variables)
        assert result.errors, f"expected errors, got data {result.data!r}"
        return [e.formatted for e in result.errors]


@pytest.fixture
def core() -> Core:
    return Core(Workspace("standard"))
