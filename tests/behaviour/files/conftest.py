"""An emulator, a client and a ``Files`` for each files behaviour test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from twenty_gql import TwentyClient
from twenty_gql.files import Files
from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.files import FileService, files_for


@pytest.fixture
async def emu() -> AsyncIterator[TwentyEmulator]:
    async with TwentyEmulator(rate_limit=None) as emulator:
        yield emulator


@pytest.fixture
async def client(emu: TwentyEmulator) -> AsyncIterator[TwentyClient]:
    async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as c:
        yield c


@pytest.fixture
async def files(client: TwentyClient) -> AsyncIterator[Files]:
    async def no_sleep(_seconds: float) -> None:
        return None

    async with Files(client, sleep=no_sleep) as f:
        yield f


@pytest.fixture
def service(emu: TwentyEmulator) -> FileService:
    return files_for(emu.workspace)


async def create(client: TwentyClient, object: str, data: dict[str, Any]) -> str:
    name = object[:1].upper() + object[1:]
    out = await client.execute_raw(
        f"mutation C($data: {name}CreateInput!) {{ create{name}(data: $data) {{ id }} }}",
        {"data": data},
    )
    return str(out[f"create{name}"]["id"])


@pytest.fixture
async def company_id(client: TwentyClient) -> str:
    return await create(client, "company", {"name": "Acme"})
