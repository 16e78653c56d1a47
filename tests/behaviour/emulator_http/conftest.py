"""Raw-HTTP helpers for the emulator HTTP tests (aiohttp client only, never our TwentyClient)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from twenty_gql.testing import TwentyEmulator


class Http:
    """POST GraphQL documents to a running emulator and return (status, parsed body)."""

    def __init__(self, session: aiohttp.ClientSession, emu: TwentyEmulator) -> None:
        self.session = session
        self.emu = emu

    def headers(self, key: str | None) -> dict[str, str]:
        return {} if key is None else {"Authorization": f"Bearer {key}"}

    async def post(
        self,
        path: str,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        key: str | None = "default",
        operation_name: str | None = None,
    ) -> tuple[int, Any]:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation_name is not None:
            body["operationName"] = operation_name
        token = self.emu.api_key if key == "default" else key
        async with self.session.post(
            self.emu.url + path, json=body, headers=self.headers(token)
        ) as resp:
            return resp.status, await resp.json(content_type=None)

    async def raw(self, path: str, data: bytes, *, key: str | None = "default") -> tuple[int, str]:
        token = self.emu.api_key if key == "default" else key
        headers = {"Content-Type": "application/json", **self.headers(token)}
        async with self.session.post(
            self.emu.url + path, data=io.BytesIO(data), headers=headers
        ) as resp:
            return resp.status, await resp.text()

    async def get(self, path: str, *, key: str | None = "default") -> tuple[int, Any]:
        token = self.emu.api_key if key == "default" else key
        async with self.session.get(self.emu.url + path, headers=self.headers(token)) as resp:
            return resp.status, await resp.json(content_type=None)

    async def ok(self, path: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        status, body = await self.post(path, query, variables)
        assert status == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        return await self.ok("/graphql", query, variables)

    async def meta(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        return await self.ok("/metadata", query, variables)


@pytest.fixture
async def emu() -> AsyncIterator[TwentyEmulator]:
    async with TwentyEmulator("standard", rate_limit=None) as emulator:
        yield emulator


@pytest.fixture
async def http(emu: TwentyEmulator) -> AsyncIterator[Http]:
    async with aiohttp.ClientSession() as session:
        yield Http(session, emu)


def codes(body: Any) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]
