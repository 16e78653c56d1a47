"""The webhook operations of /metadata, through the ``Webhooks`` helper and raw documents."""

from __future__ import annotations

import re
from typing import Any

import pytest

from twenty_gql import GraphQLResponseError, NotFoundError, TwentyClient
from twenty_gql.testing import TwentyEmulator
from twenty_gql.webhooks import Webhooks, check_operations

MISSING = "00000000-0000-4000-8000-000000000000"


async def test_create_list_get_update_delete(receivers: Any) -> None:
    rx = await receivers()
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        hooks = Webhooks(client)
        assert await hooks.list() == []
        generated = await hooks.create(rx.url, ["company.created"], description="  two  words ")
        assert re.fullmatch(r"[0-9a-f]{64}", generated.secret)  # Twenty picks one
        assert generated.target_url == rx.url + "/"  # new URL(...).toString()
        assert generated.description == "two words"
        assert generated.secret not in repr(generated) and generated.secret not in str(generated)
        chosen = await hooks.create(
            f"{rx.url}/second", ["*.*"], secret="mine", id="11111111-1111-4111-8111-111111111111"
        )
        assert (chosen.id, chosen.secret) == ("11111111-1111-4111-8111-111111111111", "mine")
        assert [h.id for h in await hooks.list()] == [generated.id, chosen.id]
        assert (await hooks.get(chosen.id)).operations == ("*.*",)
        with pytest.raises(NotFoundError):
            await hooks.get(MISSING)
        assert await hooks.get_or_none(MISSING) is None

        changed = await hooks.update(chosen.id, operations=["person.*"], target_url=f"{rx.url}/x")
        assert changed.operations == ("person.*",) and changed.target_url == f"{rx.url}/x"
        await client.execute_raw('mutation { createCompany(data: {name: "A"}) { id } }')
        await emu.webhooks_idle()
        assert [c.path for c in rx.captured] == ["/"]  # only the company.created webhook
        with pytest.raises(NotFoundError):
            await hooks.update(MISSING, description="x")

        raw = await client.execute_raw(
            "query { webhooks { id secret applicationId createdAt updatedAt deletedAt } }",
            endpoint="metadata",
        )
        assert {w["secret"] for w in raw["webhooks"]} == {generated.secret, "mine"}
        assert all(w["deletedAt"] is None and w["applicationId"] for w in raw["webhooks"])

        gone = await hooks.delete(generated.id)
        assert gone.id == generated.id
        assert [h.id for h in await hooks.list()] == [chosen.id]
        with pytest.raises(NotFoundError):
            await hooks.delete(generated.id)


async def test_server_and_client_side_validation() -> None:
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        doc = "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }"
        for url in ("ftp://127.0.0.1/x", "not a url", ""):
            with pytest.raises(GraphQLResponseError) as info:
                await client.execute_raw(
                    doc, {"i": {"targetUrl": url, "operations": ["*.*"]}}, endpoint="metadata"
                )
            assert info.value.code == "METADATA_VALIDATION_FAILED"
        with pytest.raises(ValueError, match="http"):
            await Webhooks(client).create("ftp://x", ["*.*"])
    for bad in (["company"], ["company.creatd"], [], "*.*", ["co mpany.created"]):
        with pytest.raises(ValueError):
            check_operations(bad)  # type: ignore[arg-type]
    assert check_operations(["*.*", "company.upserted", "person.*"]) == [
        "*.*",
        "company.upserted",
        "person.*",
    ]
