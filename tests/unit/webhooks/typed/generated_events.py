"""What generated bindings will emit per workspace (hand-written here until codegen does):
the record structs (already generated today) and one ``ObjectEvents`` per object."""

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
