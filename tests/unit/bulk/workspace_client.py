"""A client double bound to an in-process emulator ``Workspace`` (no HTTP).

``execute``/``execute_raw`` run the document through ``Workspace.execute_core`` — the emulator's
real schema, validation, batch limit and upsert logic — and raise an exception carrying Twenty's
``code``/``sub_code`` for the first error, as the runtime does. Used to test the importer's
schema handling without a server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twenty_gql.operation import Operation
from twenty_gql.testing.workspace import Workspace


class WorkspaceError(Exception):
    retryable = False

    def __init__(self, error: Mapping[str, Any], errors: list[Any] | None = None) -> None:
        super().__init__(error.get("message", ""))
        self.errors = errors or [error]
        ext = error.get("extensions") or {}
        self.code = ext.get("code")
        self.sub_code = ext.get("subCode")


class WorkspaceClient:
    def __init__(self, workspace: Workspace, batch_size: int = 60) -> None:
        self.workspace = workspace
        self.batch_size = batch_size
        self.max_concurrency = 4
        self.requests = 0

    async def __aenter__(self) -> WorkspaceClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def execute_raw(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        endpoint: str = "graphql",
        operation_name: str | None = None,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        self.requests += 1
        result = self.workspace.execute_core(document, dict(variables or {}), operation_name)
        if result.errors:
            raise WorkspaceError(result.errors[0].formatted, [e.formatted for e in result.errors])
        assert result.data is not None
        return dict(result.data)

    async def execute(
        self,
        op: Operation[Any],
        variables: Mapping[str, Any] | None = None,
        *,
        idempotent: bool | None = None,
    ) -> Any:
        return await self.execute_raw(op.document, variables, operation_name=op.name)
