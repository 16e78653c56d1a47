"""A hand-written stand-in for generated bindings: record structs and one ``ObjectEvents`` per
object, to type-check the runtime on its own. The generated module itself
(``generated/twenty_standard/events.py``) is checked by ``test_generated_events_typing.py``."""

from __future__ import annotations

import datetime as dt

import msgspec

from twenty_gql.webhooks import ObjectEvents


class Company(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str | None = None
    employees: float | None = None
    created_at: dt.datetime = msgspec.field(name="createdAt")
    deleted_at: dt.datetime | None = msgspec.field(default=None, name="deletedAt")


class Person(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    job_title: str = msgspec.field(default="", name="jobTitle")


CompanyEvents = ObjectEvents("company", Company)
PersonEvents = ObjectEvents("person", Person)
ALL_OBJECT_EVENTS = (CompanyEvents, PersonEvents)
