"""A receiver that answers 500 or hangs past the 5 s timeout never fails or holds up a
mutation: deliveries run off the request path. (Latency figures: bench/bench_webhooks.py.)"""

from __future__ import annotations

import asyncio
from typing import Any

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.webhooks import DELIVERY_TIMEOUT
from twenty_gql.webhooks import Webhooks

CREATE = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id name } }"


async def test_failing_and_hanging_receivers_do_not_fail_or_block_mutations(
    receivers: Any,
) -> None:
    assert DELIVERY_TIMEOUT == 5.0
    failing = await receivers(status=500)
    hanging = await receivers(delay=60.0)
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        hooks = Webhooks(client)
        bad = await hooks.create(failing.url, ["*.*"], secret="s1")
        slow = await hooks.create(hanging.url, ["*.*"], secret="s2")
        for round_ in range(3):
            data = [{"name": f"R{round_}-{i}"} for i in range(5)]
            result = await client.execute_raw(CREATE, {"d": data})
            assert [r["name"] for r in result["createCompanies"]] == [d["name"] for d in data]
            # the mutation answered while its deliveries are still queued or running
            assert emu.webhooks.pending() > 0
        loop = asyncio.get_running_loop()
        start = loop.time()
        await emu.webhooks_idle(timeout=30)
        waited = loop.time() - start
        deliveries = list(emu.webhooks.deliveries)
    assert len(deliveries) == 30
    by_hook = {bad.id: [d for d in deliveries if d.webhook_id == bad.id]}
    by_hook[slow.id] = [d for d in deliveries if d.webhook_id == slow.id]
    assert [d.status for d in by_hook[bad.id]] == [500] * 15
    assert all(not d.ok for d in by_hook[bad.id])
    assert all(d.status is None and d.error == "timeout after 5 s" for d in by_hook[slow.id])
    assert all(d.seconds >= 4.9 for d in by_hook[slow.id])
    assert len(hanging.captured) == 15  # every event was POSTed once, none retried
    assert waited < 40  # side by side (20 at a time): one after another would take 75 s


async def test_a_broken_webhook_queue_never_fails_the_mutation(
    receivers: Any, monkeypatch: Any, caplog: Any
) -> None:
    rx = await receivers()
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        await Webhooks(client).create(rx.url, ["*.*"], secret="s")

        def broken(*_a: Any, **_k: Any) -> int:
            raise RuntimeError("queue is broken")

        monkeypatch.setattr(emu.webhooks, "emit", broken)
        result = await client.execute_raw(CREATE, {"d": [{"name": "Still saved"}]})
        assert result["createCompanies"][0]["name"] == "Still saved"
        assert [r["name"] for r in emu.workspace.records("company")].count("Still saved") == 1
    assert "could not queue webhook events for company" in caplog.text
