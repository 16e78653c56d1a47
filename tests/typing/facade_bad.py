"""Misuse of the designed facade that ``mypy --strict`` must report, each on the line marked
``# error`` (test_facade_types.py compares the lines)."""

from __future__ import annotations

import uuid

from twenty_standard import core
from twenty_standard.core import Company, CoreApi

from twenty_gql import TwentyClient


async def misuse(client: TwentyClient, cid: uuid.UUID) -> None:
    crm = CoreApi(client)
    await crm.companies.find_many(firts=1)  # error
    await crm.companies.find_many(filter={"name": {"eq": 5}})  # error
    await crm.companies.count(filter={"colour": {"eq": "red"}})  # error
    await crm.companies.update(cid)  # error
    name: str = (await crm.companies.get(cid)).id  # error
    await crm.companies.create({"name": "x"}, upsert=None)  # error
    await crm.companies.get_with(["nope"], cid)  # error
    maybe: Company = await crm.companies.find_one_or_none(filter={})  # error
    await crm.companies.update_many(filter={}, data={})  # error
    await crm.companies.find_one({"name": {"eq": "x"}})  # error
    await core.companies(client, first="2")  # error
    print(name, maybe)
