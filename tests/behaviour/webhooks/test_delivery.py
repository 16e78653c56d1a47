"""The emulator's deliveries, checked on the wire: payload, headers, signature computed
independently, operation matching, one POST per event and webhook, what sends nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections import Counter
from typing import Any

import pytest

from twenty_gql import TwentyClient
from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.webhooks import _QUIET, webhook_events
from twenty_gql.webhooks import (
    InvalidSignatureError,
    ObjectEvents,
    ReplayedWebhookError,
    StaleTimestampError,
    WebhookDispatcher,
    WebhookEvent,
    Webhooks,
    WebhookVerifier,
)

CREATE = "mutation($d: CompanyCreateInput!) { createCompany(data: $d) { id } }"
UPDATE = "mutation($id: UUID!, $d: CompanyUpdateInput!) { updateCompany(id: $id, data: $d) { id } }"
DELETE = "mutation($id: UUID!) { deleteCompany(id: $id) { id } }"


async def test_raw_delivery_matches_an_independently_computed_signature(receivers: Any) -> None:
    rx = await receivers()
    secret = "raw-http-secret-" + "x" * 20
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        hook = await Webhooks(client).create(f"{rx.url}/in", ["company.created"], secret=secret)
        t0 = time.time()
        made = await client.execute_raw(
            CREATE, {"d": {"name": "Café ☕ “Ünïcode”", "employees": 3}}
        )
        await emu.webhooks_idle()
    assert len(rx.captured) == 1
    got = rx.captured[0]
    assert got.path == "/in"
    stamp = got.headers["X-Twenty-Webhook-Timestamp"]
    assert stamp.isdigit() and abs(int(stamp) / 1000 - t0) < 5
    expected = hmac.new(
        secret.encode(), stamp.encode() + b":" + got.body, hashlib.sha256
    ).hexdigest()
    assert got.headers["X-Twenty-Webhook-Signature"] == expected
    assert re.fullmatch(r"[0-9a-f]{32}", got.headers["X-Twenty-Webhook-Nonce"])
    assert got.headers["Content-Type"] == "application/json"

    body = json.loads(got.body)
    assert list(body) == [
        "targetUrl",
        "eventName",
        "objectMetadata",
        "workspaceId",
        "webhookId",
        "eventDate",
        "record",
    ]  # JSON.stringify order; no updatedFields on a create
    assert body["targetUrl"] == hook.target_url == f"{rx.url}/in"
    assert body["eventName"] == "company.created" and body["webhookId"] == hook.id
    assert body["objectMetadata"]["nameSingular"] == "company"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["eventDate"])
    record = body["record"]
    assert record["id"] == made["createCompany"]["id"]
    assert record["name"] == "Café ☕ “Ünïcode”" and record["deletedAt"] is None
    assert b'"employees":3,' in got.body  # JSON.stringify writes 3, not 3.0
    assert "Café ☕".encode() in got.body  # UTF-8, not \u escapes
    assert got.body == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    # the runtime accepts it once, and refuses each kind of forgery with its own error
    now = int(stamp) / 1000
    headers = dict(got.headers)
    WebhookVerifier(secret, clock=lambda: now).verify(got.body, headers)
    with pytest.raises(InvalidSignatureError):
        WebhookVerifier(secret, clock=lambda: now).verify(got.body.replace(b"Caf", b"Kaf"), headers)
    with pytest.raises(InvalidSignatureError):
        WebhookVerifier("not-the-secret", clock=lambda: now).verify(got.body, headers)
    with pytest.raises(StaleTimestampError):
        WebhookVerifier(secret, clock=lambda: now + 301).verify(got.body, headers)
    replays = WebhookVerifier(secret, clock=lambda: now)
    replays.verify(got.body, headers)
    with pytest.raises(ReplayedWebhookError):
        replays.verify(got.body, headers)


async def test_operations_match_like_twenty_one_post_per_event_and_webhook(receivers: Any) -> None:
    rx = await receivers()
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        hooks = Webhooks(client)
        ops = {
            "all": ["*.*"],
            "company-created": ["company.created"],
            "any-deleted": ["*.deleted"],
            "person-any": ["person.*"],
            "overlapping": ["company.*", "*.*", "company.updated"],
            "nothing": ["opportunity.created"],
        }
        ids = {
            name: (await hooks.create(f"{rx.url}/{name}", o, secret=f"s-{name}")).id
            for name, o in ops.items()
        }
        cid = (await client.execute_raw(CREATE, {"d": {"name": "M"}}))["createCompany"]["id"]
        await client.execute_raw(UPDATE, {"id": cid, "d": {"name": "M2"}})
        await client.execute_raw(DELETE, {"id": cid})
        await client.execute_raw('mutation { createPerson(data: {jobTitle: "cto"}) { id } }')
        await emu.webhooks_idle()
        deliveries = list(emu.webhooks.deliveries)
    assert all(d.status == 200 for d in deliveries)
    got = Counter((d.webhook_id, d.event_name) for d in deliveries)
    company = ["company.created", "company.updated", "company.deleted"]
    expected = Counter(
        {(ids["all"], e): 1 for e in [*company, "person.created"]}
        | {(ids["company-created"], "company.created"): 1}
        | {(ids["any-deleted"], "company.deleted"): 1}
        | {(ids["person-any"], "person.created"): 1}
        | {(ids["overlapping"], e): 1 for e in [*company, "person.created"]}
    )
    assert got == expected
    by_path = Counter(c.path.lstrip("/") for c in rx.captured)
    assert by_path == {
        "all": 4,
        "company-created": 1,
        "any-deleted": 1,
        "person-any": 1,
        "overlapping": 4,
    }


async def test_what_sends_nothing_and_upserts(receivers: Any, ts: Any) -> None:
    rx = await receivers()
    CompanyEvents = ObjectEvents("company", ts.core.Company)
    dispatcher = WebhookDispatcher("upsert-secret", objects=[CompanyEvents])
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        view = emu.workspace.view("company")
        assert view is not None
        assert (
            type(webhook_events(emu.workspace, view, "createOne")).__name__ == "_Quiet"
        )  # nobody listens
        await Webhooks(client).create(rx.url, ["company.*"], secret="upsert-secret")
        assert webhook_events(emu.workspace, view, "findMany") is _QUIET  # queries
        cid = (
            await client.execute_raw(
                CREATE,
                {"d": {"name": "Same", "domainName": {"primaryLinkUrl": "https://same.test"}}},
            )
        )["createCompany"]["id"]
        await emu.webhooks_idle()
        rx.captured.clear()
        await client.execute_raw(UPDATE, {"id": cid, "d": {"name": "Same"}})  # no change
        await client.execute_raw("query { companies { totalCount } }")  # a query
        await emu.webhooks_idle()
        assert rx.captured == []
        upsert = "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d, upsert: true) { id } }"
        await client.execute_raw(
            upsert,
            {
                "d": [
                    {"name": "Renamed", "domainName": {"primaryLinkUrl": "https://same.test"}},
                    {"name": "Fresh"},
                ]
            },
        )
        await emu.webhooks_idle()
    events = [dispatcher.verify_and_parse(c.body, c.headers) for c in rx.captured]
    assert sorted((e.event_name, e.record.name) for e in events if isinstance(e, WebhookEvent)) == [
        ("company.created", "Fresh"),
        ("company.updated", "Renamed"),
    ]
    updated = next(e for e in events if e.action == "updated")
    assert updated.updated_fields == ("name",) and str(updated.record.id) == cid


async def test_remote_targets_are_blocked_unless_allowed(receivers: Any) -> None:
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        hook = await Webhooks(client).create("http://203.0.113.7/hook", ["*.*"])
        await client.execute_raw(CREATE, {"d": {"name": "Nowhere"}})
        await emu.webhooks_idle()
        [delivery] = list(emu.webhooks.deliveries)
    assert delivery.webhook_id == hook.id and delivery.status is None
    assert delivery.error is not None and "not a loopback address" in delivery.error
    assert "--allow-remote" in delivery.error


async def test_allow_remote_reaches_the_registry() -> None:
    async with TwentyEmulator("standard", allow_remote=True) as emu:
        assert emu.webhooks.allow_remote is True
    async with TwentyEmulator("standard") as emu:
        assert emu.webhooks.allow_remote is False


async def test_merge_sends_the_update_and_the_soft_delete(receivers: Any) -> None:
    rx = await receivers()
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as client,
    ):
        a = (await client.execute_raw(CREATE, {"d": {"name": "Keep"}}))["createCompany"]["id"]
        b = (await client.execute_raw(CREATE, {"d": {"name": "Gone", "employees": 9}}))[
            "createCompany"
        ]["id"]
        await Webhooks(client).create(rx.url, ["company.*"], secret="m")
        await client.execute_raw(
            "mutation($ids: [UUID!]!) { mergeCompanies(ids: $ids, conflictPriorityIndex: 0)"
            " { id } }",
            {"ids": [a, b]},
        )
        await client.execute_raw(
            "mutation($ids: [UUID!]!) { mergeCompanies(ids: $ids, conflictPriorityIndex: 0,"
            " dryRun: true) { id } }",
            {
                "ids": [
                    a,
                    (await client.execute_raw(CREATE, {"d": {"name": "X"}}))["createCompany"]["id"],
                ]
            },
        )
        await emu.webhooks_idle()
    got = sorted(
        (json.loads(c.body)["eventName"], json.loads(c.body)["record"]["id"],
         tuple(json.loads(c.body).get("updatedFields", ())))
        for c in rx.captured
    )  # fmt: skip
    created_x = [g for g in got if g[0] == "company.created"]
    assert len(created_x) == 1  # the dry run changed nothing: only X's creation was sent
    assert [g for g in got if g[0] != "company.created"] == sorted(
        [("company.updated", a, ("employees",)), ("company.deleted", b, ("deletedAt",))]
    )
