"""Quickstart: a tour of twenty-gql on your own workspace, in two stages.

Generate the typed package for your workspace, then run stage 1; it changes the data model
(a custom ``contract`` object), so regenerate and run stage 2, which uses the new object through
the regenerated, typed facade::

    export TWENTY_URL=https://crm.example.com TWENTY_API_KEY=...
    twenty-gql generate --url "$TWENTY_URL" --out gen --package twenty_crm
    PYTHONPATH=gen python examples/quickstart.py records     # stage 1
    twenty-gql generate --url "$TWENTY_URL" --out gen --package twenty_crm
    PYTHONPATH=gen python examples/quickstart.py contracts   # stage 2

``make demo`` (examples/demo.py) does all of this against a local emulator.

Stage 1 (``records``): list companies with a filter; create a person linked to a company;
upsert 500 companies in bulk with a progress bar; add a custom object ``contract`` with a SELECT
field, a NUMBER field and a relation to ``company`` through the flat metadata facade
(``crm.data_model``), and use it at once, untyped, through ``crm.object("contract")``.
Stage 2 (``contracts``): create contracts, list them with a filter, read them with their company.

Each step prints one ``=> `` line with its result. Running a stage again is harmless: the bulk
step upserts onto the same companies and stage 1 keeps an existing ``contract`` object.
"""

from __future__ import annotations

import asyncio
import sys
import time

from tqdm import tqdm
from twenty_crm import CoreApi  # your generated package
from twenty_crm.core import CompanyCreateInput

from twenty_gql import BulkProgress, TwentyClient, collect


def report(text: str) -> None:
    print(f"=> {text}", flush=True)


async def records(client: TwentyClient) -> None:
    crm = CoreApi(client)

    # 1. One page of companies matching a filter, sorted (filters are typed dicts).
    page = await crm.companies.find_many(
        filter={"name": {"ilike": "%partners%"}}, order_by=[{"name": "AscNullsLast"}], first=10
    )
    names = [company.name for company in page]
    report(f"companies named like '%partners%': {page.total_count} (first page: {names[:3]} ...)")

    # 2. A person linked to a company (the relation is set through its foreign key).
    acme = await crm.companies.find_one_or_none(filter={"name": {"eq": "Acme Partners"}})
    if acme is None:
        acme = await crm.companies.create({"name": "Acme Partners"})
    ada = await crm.people.create(
        data={
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {"primaryEmail": "ada@acme.test"},
            "jobTitle": "Analyst",
            "companyId": acme.id,
        }
    )
    with_company = await crm.people.get_with(["company"], ada.id)
    company = with_company.company
    assert ada.company_id == acme.id  # ids and foreign keys are both uuid.UUID
    report(f"created person {ada.id} at {company.name if company else None!r}")

    # 3. Bulk upsert: chunked to the batch limit, paced by the rate limit, matched on domainName.
    rows: list[CompanyCreateInput] = [
        {
            "name": f"Bulk Company {i:03d}",
            "domainName": {"primaryLinkUrl": f"https://bulk-{i:03d}.example.com"},
            "employees": 10 + i,
        }
        for i in range(500)
    ]
    started = time.perf_counter()
    with tqdm(total=len(rows), unit="rec", desc="upserting companies") as bar:

        def progress(p: BulkProgress) -> None:
            bar.update(p.done + p.failed - bar.n)

        result = await crm.companies.create_many(rows, upsert=True, on_progress=progress)
    result.raise_for_failures()
    report(
        f"bulk upsert: {result.succeeded} landed, {result.failed} failed, "
        f"{result.requests} requests, {result.throttled} throttled, "
        f"{time.perf_counter() - started:.1f} s"
    )

    # 4. A custom object through the flat metadata facade (crm.data_model), usable at once
    #    through the untyped facade crm.object(...), before any regeneration.
    dm = crm.data_model
    if "contract" in {o.name_singular for o in await dm.objects()}:
        report(f"custom object 'contract' already exists ({(await dm.get_object('contract')).id})")
        return
    contract = await dm.create_object(
        name_singular="contract",
        name_plural="contracts",
        label_singular="Contract",
        label_plural="Contracts",
        icon="IconFileText",
    )
    plan = await dm.create_select_field(
        "contract",
        name="plan",
        label="Plan",
        options=[("STARTER", "Starter"), ("GROWTH", "Growth"), ("ENTERPRISE", "Enterprise")],
    )
    seats = await dm.create_number_field("contract", name="seats", label="Seats")
    link = await dm.create_relation_field(
        from_object="contract",
        to_object="company",
        name="company",
        label="Company",
        target_name="contracts",
        target_label="Contracts",
        target_icon="IconFileText",
    )
    report(
        f"custom object 'contract' {contract.id} with fields "
        f"{[plan.name, seats.name, link.name]}: regenerate the package to use it typed"
    )
    pilot = await crm.object("contract").create(
        {"name": "Pilot", "plan": "STARTER", "seats": 5, "companyId": str(acme.id)}
    )
    await crm.object("contract").destroy(pilot["id"])
    report(
        f"untyped crm.object('contract') before regenerating: created and removed {pilot['name']!r}"
    )


async def contracts(client: TwentyClient) -> None:
    # Only in a package generated after stage 1: `crm.contracts` and its enum are typed.
    from twenty_crm.core import ContractPlanEnum

    crm = CoreApi(client)
    acme = await crm.companies.find_one(filter={"name": {"eq": "Acme Partners"}})
    first = await crm.contracts.create(
        data={
            "name": "Acme 2026",
            "plan": ContractPlanEnum.ENTERPRISE,
            "seats": 250,
            "companyId": acme.id,
        }
    )
    more = await crm.contracts.create_many(
        [
            {"name": "Acme pilot", "plan": "STARTER", "seats": 5, "companyId": acme.id},
            {"name": "Acme growth", "plan": "GROWTH", "seats": 40, "companyId": acme.id},
        ]
    )
    more.raise_for_failures()
    report(f"created contracts: {first.id} and {more.succeeded} more")

    big = await collect(crm.contracts.iterate(filter={"seats": {"gte": 10}}))
    report(f"contracts with >= 10 seats: {sorted((c.name or '', c.seats) for c in big)}")

    page = await crm.contracts.find_many_with(["company"], order_by=[{"seats": "DescNullsLast"}])
    rows = [
        (
            contract.name,
            contract.plan.value if contract.plan else None,
            contract.company.name if contract.company else None,
        )
        for contract in page
    ]
    report(f"contracts with their company: {rows}")


STAGES = {"records": records, "contracts": contracts}


async def main(stage: str) -> None:
    # url and api_key default to the TWENTY_URL / TWENTY_API_KEY environment variables
    async with TwentyClient() as client:
        await STAGES[stage](client)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in STAGES:
        sys.exit(f"usage: python {sys.argv[0]} {{{'|'.join(STAGES)}}}")
    asyncio.run(main(sys.argv[1]))
