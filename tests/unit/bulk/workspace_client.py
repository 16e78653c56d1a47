"""A client double bound to an in-process emulator ``Workspace`` (no HTTP).

``execute``/``execute_raw`` run the document through ``Workspace.execute_core`` — the emulator's
real schema, validation, batch limit and upsert logic — and raise an exception carrying Twenty's
``code``/``sub_code`` for the first error, as the runtime does. Used to test the importer's
schema handling without a server.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from typing import Any

from twenty_gql.errors import (
    ConnectionDroppedError,
    GraphQLResponseError,
    HTTPStatusError,
    error_from_graphql,
)
from twenty_gql.operation import Operation
from twenty_gql.testing.workspace import Workspace


def workspace_error(errors: list[Any]) -> GraphQLResponseError:
    """The typed error the runtime raises for these GraphQL ``errors``."""
    return error_from_graphql(errors)


class Dropped(ConnectionDroppedError):
    """The connection died; the write may or may not have applied."""


def status_503() -> HTTPStatusError:
    return HTTPStatusError(503, "Service Unavailable")


class WorkspaceClient:
    """``fault_rate``: 503 before applying; ``drop_rate``: connection dropped after the write
    applied (the nastiest case for exactly-once). Seeded, so runs are reproducible."""

    def __init__(
        self,
        workspace: Workspace,
        batch_size: int = 60,
        *,
        fault_rate: float = 0.0,
        drop_rate: float = 0.0,
        seed: int = 3,
    ) -> None:
        self.workspace = workspace
        self.batch_size = batch_size
        self.max_concurrency = 4
        self.requests = 0
        self.fault_rate = fault_rate
        self.drop_rate = drop_rate
        self.faults = 0
        self.rng = random.Random(seed)

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
        await asyncio.sleep(0)
        roll = self.rng.random()
        if roll < self.fault_rate:
            self.faults += 1
            raise status_503()
        result = self.workspace.execute_core(document, dict(variables or {}), operation_name)
        if roll < self.fault_rate + self.drop_rate:
            self.faults += 1
            raise Dropped("connection dropped after the request was applied")
        if result.errors:
            raise workspace_error([e.formatted for e in result.errors])
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
