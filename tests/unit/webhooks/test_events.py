"""Parsing into typed / untyped events, and the dispatcher's routing."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest
from aiohttp import ClientSession, web

from twenty_gql.webhooks import (
    MalformedWebhookError,
    ObjectEvents,
    UntypedEvent,
    WebhookDispatcher,
    WebhookEvent,
    sign,
)

from .typed.generated_events import ALL_OBJECT_EVENTS, Company, CompanyEvents, PersonEvents

SECRET = "unit-secret"


def body(event: str = "company.updated", record: Any = None, **extra: Any) -> bytes:
    name = event.split(".")[0]
    payload = {
        "targetUrl": "http://127.0.0.1:9/hook",
        "eventName": event,
        "objectMetadata": {"id": "obj-1", "nameSingular": name},
        "workspaceId": "ws-1",
        "webhookId": "wh-1",
        "eventDate": "2026-12-05T10:00:00.123Z",
        "record": record
        if record is not None
        else {"id": "c1", "name": "Acme", "employees": 3, "createdAt": "2026-01-01T00:00:00.000Z"},
        **extra,
    }
    return json.dumps(payload).encode()


def signed(data: bytes, nonce: str = "00" * 16) -> dict[str, str]:
    import time

    stamp = str(int(time.time() * 1000))
    return {
        "X-Twenty-Webhook-Timestamp": stamp,
        "X-Twenty-Webhook-Signature": sign(SECRET, stamp, data),
        "X-Twenty-Webhook-Nonce": nonce,
    }


def test_a_known_object_is_typed() -> None:
    d = WebhookDispatcher(SECRET, objects=ALL_OBJECT_EVENTS)
    data = body(updatedFields=["name", "employees"])
    event = d.verify_and_parse(data, signed(data))
    assert isinstance(event, WebhookEvent)
    assert isinstance(event.record, Company)
    assert (event.record.name, event.record.employees) == ("Acme", 3.0)
    assert event.action == "updated" and event.object_name == "company"
    assert event.updated_fields == ("name", "employees")
    assert event.event_date == dt.datetime(2026, 12, 5, 10, 0, 0, 123000, tzinfo=dt.timezone.utc)
    assert (event.workspace_id, event.webhook_id, event.object_metadata_id) == (
        "ws-1",
        "wh-1",
        "obj-1",
    )
    assert event.raw == data and "raw" not in repr(event)


def test_unknown_object_unknown_action_and_misfit_record_come_through_untyped() -> None:
    d = WebhookDispatcher(SECRET, objects={"company": Company})
    unknown_object = d.parse(body("invoice.created", {"id": "i1", "total": 5}))
    assert isinstance(unknown_object, UntypedEvent)
    assert unknown_object.record == {"id": "i1", "total": 5}
    assert "no record type for object 'invoice'" in unknown_object.error
    unknown_action = d.parse(body("company.archived"))
    assert isinstance(unknown_action, UntypedEvent) and "unknown action" in unknown_action.error
    misfit = d.parse(body(record={"id": "c1", "name": 42, "createdAt": "2026-01-01T00:00:00Z"}))
    assert isinstance(misfit, UntypedEvent) and "does not fit Company" in misfit.error
    assert misfit.record["name"] == 42


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"eventName": "company.created"}',
        body(record=[1, 2]).replace(b"[1, 2]", b"[1,2]"),
    ],
)
def test_malformed_bodies(raw: bytes) -> None:
    with pytest.raises(MalformedWebhookError):
        WebhookDispatcher(SECRET).parse(raw)


async def test_dispatch_runs_typed_pattern_and_untyped_handlers() -> None:
    d = WebhookDispatcher(SECRET)
    seen: list[str] = []

    @d.on(CompanyEvents.updated)
    async def typed(event: WebhookEvent[Company]) -> None:
        seen.append(f"typed:{event.record.name}")

    @d.on(PersonEvents)
    async def people(event: WebhookEvent[Any]) -> None:
        seen.append(f"person:{event.action}")

    @d.on("*", "updated")
    async def star_updated(event: Any) -> None:
        seen.append(f"*.updated:{event.event_name}")

    @d.on("company")
    async def company_any(event: Any) -> None:
        seen.append(f"company.*:{event.action}")

    @d.on_untyped
    async def other(event: UntypedEvent) -> None:
        seen.append(f"untyped:{event.event_name}")

    assert await d.dispatch(d.parse(body("company.updated"))) == 3
    assert await d.dispatch(d.parse(body("person.deleted", {"id": "p1"}))) == 1
    assert await d.dispatch(d.parse(body("invoice.updated", {"id": "i"}))) == 2
    assert await d.dispatch(d.parse(body("company.created"))) == 1
    assert seen == [
        "typed:Acme",
        "*.updated:company.updated",
        "company.*:updated",
        "person:deleted",
        "*.updated:invoice.updated",
        "untyped:invoice.updated",
        "company.*:created",
    ]


def test_registration_errors() -> None:
    d = WebhookDispatcher(SECRET, objects=ALL_OBJECT_EVENTS)
    with pytest.raises(ValueError, match="already decodes"):
        d.on(ObjectEvents("company", dict))
    with pytest.raises(ValueError, match="unknown action"):
        d.on("company", "creatd")
    with pytest.raises(ValueError):
        d.on("company.created")
    with pytest.raises(TypeError, match="async"):
        d.on(CompanyEvents.created)(lambda e: None)  # type: ignore[arg-type,return-value]
    assert SECRET not in repr(d)


async def test_the_aiohttp_handler_answers_by_outcome() -> None:
    d = WebhookDispatcher(SECRET, objects=ALL_OBJECT_EVENTS)
    got: list[WebhookEvent[Company]] = []

    @d.on(CompanyEvents.updated)
    async def ok(event: WebhookEvent[Company]) -> None:
        got.append(event)

    @d.on(CompanyEvents.created)
    async def boom(event: WebhookEvent[Company]) -> None:
        raise RuntimeError("handler bug")

    runner = web.AppRunner(d.aiohttp_app("/hook"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with ClientSession() as http:
            good = body()
            async with http.post(url, data=good, headers=signed(good, "01" * 16)) as resp:
                assert resp.status == 200 and (await resp.json())["handled"] == 1
            async with http.post(url, data=good, headers=signed(good, "01" * 16)) as resp:
                assert resp.status == 401
                assert (await resp.json())["error"] == "ReplayedWebhookError"
            async with http.post(url, data=good + b" ", headers=signed(good, "02" * 16)) as resp:
                assert (resp.status, (await resp.json())["error"]) == (401, "InvalidSignatureError")
            junk = b"{}"
            async with http.post(url, data=junk, headers=signed(junk, "03" * 16)) as resp:
                assert (resp.status, (await resp.json())["error"]) == (400, "MalformedWebhookError")
            created = body("company.created")
            async with http.post(url, data=created, headers=signed(created, "04" * 16)) as resp:
                assert resp.status == 500
        assert len(got) == 1 and got[0].record.name == "Acme"
    finally:
        await runner.cleanup()
    await asyncio.sleep(0)


async def test_background_mode_answers_before_the_handlers_run() -> None:
    d = WebhookDispatcher(SECRET, objects=ALL_OBJECT_EVENTS)
    release = asyncio.Event()
    done: list[str] = []

    @d.on(CompanyEvents.updated)
    async def slow(event: WebhookEvent[Company]) -> None:
        await release.wait()
        done.append(event.record.id)

    @d.on(CompanyEvents.created)
    async def broken(event: WebhookEvent[Company]) -> None:
        raise RuntimeError("logged, not answered")

    runner = web.AppRunner(d.aiohttp_app("/hook", background=True))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with ClientSession() as http:
            data = body()
            async with http.post(url, data=data, headers=signed(data, "11" * 16)) as resp:
                assert resp.status == 202  # answered while the handler still waits
            assert done == []
            created = body("company.created")
            async with http.post(url, data=created, headers=signed(created, "12" * 16)) as resp:
                assert resp.status == 202
            forged = body()
            async with http.post(url, data=forged, headers={}) as resp:
                assert resp.status == 401  # verification still happens before answering
        release.set()
        await d.drain()
        assert done == ["c1"]
    finally:
        await runner.cleanup()


async def test_a_record_that_no_longer_fits_warns_its_typed_handlers(caplog: Any) -> None:
    d = WebhookDispatcher(SECRET)
    typed: list[Any] = []
    fallback: list[UntypedEvent] = []

    @d.on(CompanyEvents.updated)
    async def on_typed(event: WebhookEvent[Company]) -> None:
        typed.append(event)

    @d.on_untyped
    async def on_other(event: UntypedEvent) -> None:
        fallback.append(event)

    misfit = d.parse(body(record={"id": "c1", "createdAt": "not a date"}))
    assert await d.dispatch(misfit) == 1
    assert typed == [] and len(fallback) == 1
    assert "has typed handlers but could not be typed" in caplog.text
