"""create_many through the real TwentyClient (retry policy, typed errors) over a MockTransport
whose handler runs the emulator's store in-process and injects what a network does: 503s,
throttling answers, and connections dropped after the write applied."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from twenty_gql.bulk import create_many
from twenty_gql.client import TwentyClient
from twenty_gql.errors import ConnectionDroppedError, ThrottledError, UnauthenticatedError
from twenty_gql.testing.workspace import Workspace
from twenty_gql.transport import MockTransport, Request, Response

from .fakes import CREATE_OP


class Network:
    def __init__(self, ws: Workspace, *, fault: float, drop: float, throttle: float) -> None:
        self.ws = ws
        self.rng = random.Random(11)
        self.fault, self.drop, self.throttle = fault, drop, throttle
        self.injected: Counter[str] = Counter()
        self.revoked = False

    def __call__(self, request: Request) -> Response:
        body = request.json()
        if self.revoked:
            self.injected["auth"] += 1
            return Response.json(
                {
                    "errors": [
                        {"message": "Unauthenticated", "extensions": {"code": "UNAUTHENTICATED"}}
                    ]
                }
            )
        roll = self.rng.random()
        if roll < self.throttle:
            self.injected["throttle"] += 1
            return Response.json(
                {
                    "errors": [
                        {
                            "message": "Limit reached (100 tokens per 2000 ms)",
                            "extensions": {"code": "BAD_USER_INPUT", "subCode": "LIMIT_REACHED"},
                        }
                    ],
                    "data": None,
                }
            )
        roll -= self.throttle
        if roll < self.fault:
            self.injected["503"] += 1
            return Response(503, b"Service Unavailable")
        roll -= self.fault
        result = self.ws.execute_core(
            body["query"], body.get("variables"), body.get("operationName")
        )
        if roll < self.drop:
            self.injected["drop"] += 1
            raise ConnectionDroppedError("connection dropped after the write applied")
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return Response.json(payload)


async def _no_sleep(_: float) -> None:
    return None


def client_for(net: Network, **kw: Any) -> TwentyClient:
    return TwentyClient(
        "http://127.0.0.1:1",
        "test-key",
        transport=MockTransport(net),
        rate_limit=None,
        sleep=_no_sleep,
        **kw,
    )


@pytest.mark.parametrize("upsert", [True, False])
async def test_exactly_once_through_the_runtime(upsert: bool) -> None:
    ws = Workspace("standard", batch_limit=40)
    net = Network(ws, fault=0.08, drop=0.08, throttle=0.08)
    records = [{"name": f"rt-{i:05d}", "employees": i} for i in range(2000)]
    async with client_for(net, max_retries=2) as client:
        res = await create_many(
            client,
            CREATE_OP,
            records,
            upsert=upsert,
            result=lambda d: d["createCompanies"],
            retry_base=0.0005,
            retry_cap=0.001,
        )
        assert client.batch_size == 40  # learnt from the server's message
    assert res.ok, res.failures[:3]
    assert min(net.injected[k] for k in ("throttle", "503", "drop")) > 0, net.injected
    stored = Counter(r["name"] for r in ws.records("company") if r["name"].startswith("rt-"))
    assert stored == Counter(r["name"] for r in records)
    assert res.throttled >= net.injected["throttle"]


async def test_auth_failure_mid_run_aborts_with_typed_errors() -> None:
    ws = Workspace("standard", batch_limit=60)
    net = Network(ws, fault=0, drop=0, throttle=0)
    records = [{"name": f"au-{i}"} for i in range(600)]
    calls = 0

    def revoke_after_3(p: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            net.revoked = True

    async with client_for(net, max_concurrency=1) as client:
        res = await create_many(
            client,
            CREATE_OP,
            records,
            upsert=True,
            result=lambda d: d["createCompanies"],
            on_progress=revoke_after_3,
            concurrency=1,
        )
    assert res.succeeded == 180 and res.failed == 420
    assert all(isinstance(f.error, UnauthenticatedError) for f in res.failures)
    assert net.injected["auth"] == 1  # one refused request, then nothing more was sent


async def test_throttling_the_runtime_could_not_absorb_is_retried_by_bulk() -> None:
    ws = Workspace("standard", batch_limit=60)
    net = Network(ws, fault=0, drop=0, throttle=0.5)
    async with client_for(net, max_retries=0) as client:
        client.retry.max_throttle_wait = 0.0  # the runtime gives up on throttling at once
        res = await create_many(
            client,
            CREATE_OP,
            [{"name": f"th-{i}"} for i in range(600)],
            upsert=True,
            result=lambda d: d["createCompanies"],
            retry_base=0.0005,
            max_retries=20,
        )
    assert res.ok and net.injected["throttle"] > 3
    assert res.requests > 10  # 10 chunks, and bulk itself resent the throttled ones
    assert not any(isinstance(f.error, ThrottledError) for f in res.failures)
