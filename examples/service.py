"""A small CRM sync service on twenty-gql: the designed API end to end, in two stages.

The functions below are what a team would write around its CRM: typed, logging through
``logging``, returning values (the ``=> `` lines are the service's report, one per step).
It runs against any Twenty workspace; ``make service`` (examples/run_service.py) runs it against
a local emulator (seed ``demo``)::

    export TWENTY_URL=https://crm.example.com TWENTY_API_KEY=...
    twenty-gql generate --url "$TWENTY_URL" --out gen --package twenty_crm
    PYTHONPATH=gen python examples/service.py sync       # stage 1
    twenty-gql generate --url "$TWENTY_URL" --out gen --package twenty_crm
    MYPYPATH=gen mypy --strict examples/service.py       # stage 2's typed use is checked
    PYTHONPATH=gen python examples/service.py invoices   # stage 2

Stage 1 (``sync``): a filtered, ordered page with its total; a record by id; a company and a
linked person (the foreign key and the id are both ``uuid.UUID``); a nullable field set to null
(an absent key is not sent); iterate over every match; a 1,000-row bulk upsert with repeated keys
and an explicit duplicate policy, reporting the outcome counts; soft delete -> the trash ->
restore; a wrong API key; a custom object ``invoice`` created through ``crm.data_model`` and used
at once, untyped, through ``crm.object("invoice")``.
Stage 2 (``invoices``): after regeneration, the same object typed: ``crm.invoices.create``,
``Page[Invoice]``, the select field's enum, the relation's foreign key as ``uuid.UUID``.

Nothing here narrows or silences a type checker: the facade's types tell the truth.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from twenty_crm import CoreApi  # your generated package
from twenty_crm.core import Company, CompanyCreateInput, CompanyUpdateInput, Person

from twenty_gql import (
    NOT_GIVEN,
    BulkResult,
    NotGiven,
    ObjectInfo,
    Page,
    TwentyClient,
    UnauthenticatedError,
)

log = logging.getLogger("crm_sync")

CUSTOMER_NAME = "Lovelace Analytics"
CUSTOMER_DOMAIN = "https://lovelace-analytics.test"


def report(text: str) -> None:
    print(f"=> {text}", flush=True)


# -- reads ----------------------------------------------------------------------------------------


async def top_accounts(crm: CoreApi, *, limit: int) -> Page[Company]:
    """One page of the ideal-customer-profile companies, highest annual revenue first."""
    page = await crm.companies.find_many(
        filter={"idealCustomerProfile": {"eq": True}},
        order_by=[{"annualRecurringRevenue": {"amountMicros": "DescNullsLast"}}],
        first=limit,
    )
    log.info("listed %d of %d companies", len(page), page.total_count)
    return page


def annual_revenue(company: Company) -> float:
    """The company's annual recurring revenue in currency units (0 when unknown)."""
    arr = company.annual_recurring_revenue
    return (arr.amount_micros or 0) / 1_000_000 if arr else 0.0


async def company_by_id(crm: CoreApi, company_id: uuid.UUID) -> Company:
    """The company with this id (``RecordNotFoundError`` if there is none)."""
    return await crm.companies.get(company_id)


async def company_domains(crm: CoreApi) -> dict[str, Company]:
    """Every company that has a web domain, read page by page: domain -> company."""
    domains: dict[str, Company] = {}
    async for company in crm.companies.iterate(
        filter={"domainName": {"primaryLinkUrl": {"like": "https://%"}}},
        order_by=[{"position": "AscNullsLast"}],
        page_size=20,
    ):
        url = company.domain_name.primary_link_url if company.domain_name else None
        if url:
            domains[url] = company
    log.info("read %d company domains", len(domains))
    return domains


# -- writes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    company: Company
    contact: Person


async def onboard_customer(
    crm: CoreApi, *, name: str, domain: str, first_name: str, last_name: str, email: str
) -> Customer:
    """Find or create the company (by domain), then upsert its contact (matched by e-mail, so a
    rerun updates the same person) linked to it through the foreign key."""
    company = await crm.companies.find_one_or_none(
        filter={"domainName": {"primaryLinkUrl": {"eq": domain}}}
    )
    if company is None:
        company = await crm.companies.create(
            {"name": name, "domainName": {"primaryLinkUrl": domain}, "employees": 12}
        )
        log.info("created company %s", company.id)
    contact = await crm.people.create(
        {
            "name": {"firstName": first_name, "lastName": last_name},
            "emails": {"primaryEmail": email},
            "jobTitle": "Head of Data",
            "companyId": company.id,
        },
        upsert=True,
    )
    log.info("upserted person %s at company %s", contact.id, contact.company_id)
    return Customer(company, contact)


async def update_company(
    crm: CoreApi,
    company_id: uuid.UUID,
    *,
    name: str | NotGiven = NOT_GIVEN,
    employees: int | NotGiven | None = NOT_GIVEN,
) -> Company:
    """Change only what is given: ``NOT_GIVEN`` leaves a field alone, ``None`` clears it."""
    data: CompanyUpdateInput = {}
    if not isinstance(name, NotGiven):
        data["name"] = name
    if not isinstance(employees, NotGiven):
        data["employees"] = employees
    log.info("updating company %s: %s", company_id, sorted(data))
    return await crm.companies.update(company_id, data)


def import_rows(
    known: Mapping[str, str | None], *, total: int, repeats: int
) -> list[CompanyCreateInput]:
    """A partner feed of ``total`` rows with a headcount each: every ``known`` domain (with its
    company name), new companies, and ``repeats`` later rows that repeat an earlier row's domain
    (host in upper case: Twenty compares hosts case-insensitively) with a newer headcount."""
    fresh = {
        f"https://sync-{i:04d}.example.com": f"Sync Prospect {i:04d}"
        for i in range(total - repeats - len(known))
    }
    feed = [(url, name or url[8:]) for url, name in [*known.items(), *fresh.items()]]
    rows: list[CompanyCreateInput] = [
        {"name": name, "domainName": {"primaryLinkUrl": url}, "employees": 50} for url, name in feed
    ]
    for n in range(repeats):
        url, name = feed[n * 7]
        host = url.removeprefix("https://")
        rows.append(
            {
                "name": name,
                "domainName": {"primaryLinkUrl": f"https://{host.upper()}"},
                "employees": 75,
            }
        )
    return rows


async def sync_companies(
    crm: CoreApi, rows: Sequence[CompanyCreateInput]
) -> BulkResult[Company, CompanyCreateInput]:
    """Upsert the feed, matched on the unique domain; a repeated domain: the last row wins."""
    result = await crm.companies.create_many(rows, upsert=True, on_duplicate="last")
    for failure in result.failures:
        log.warning("row %d (%s) failed: %s", failure.index, failure.record["name"], failure.reason)
    log.info("sync: %s", {o.value: n for o, n in result.counts.items() if n})
    return result


@dataclass(frozen=True)
class Archived:
    deleted: Company
    trash: Page[Company]
    restored: Company


async def archive_and_restore(crm: CoreApi, company_id: uuid.UUID) -> Archived:
    """Soft-delete a company, read it back from the trash, restore it."""
    deleted = await crm.companies.delete(company_id)
    log.info("company %s in the trash since %s", deleted.id, deleted.deleted_at)
    trash = await crm.companies.find_deleted(filter={"id": {"eq": company_id}})
    restored = await crm.companies.restore(company_id)
    return Archived(deleted, trash, restored)


async def check_key(url: str, api_key: str) -> UnauthenticatedError | None:
    """Try a key: the typed error when the server refuses it, ``None`` when it works."""
    async with TwentyClient(url, api_key) as client:
        try:
            await CoreApi(client).companies.count()
        except UnauthenticatedError as exc:
            log.warning("the key was refused: %s", exc)
            return exc
    return None


# -- the data model -------------------------------------------------------------------------------


async def ensure_invoice_model(crm: CoreApi) -> ObjectInfo:
    """The custom object ``invoice`` (amount, status, company), created when missing."""
    dm = crm.data_model
    if "invoice" in {o.name_singular for o in await dm.objects()}:
        return await dm.get_object("invoice")
    await dm.create_object(
        name_singular="invoice",
        name_plural="invoices",
        label_singular="Invoice",
        label_plural="Invoices",
        icon="IconReceipt",
    )
    await dm.create_number_field("invoice", name="amount", label="Amount")
    await dm.create_select_field(
        "invoice",
        name="status",
        label="Status",
        options=[("DRAFT", "Draft"), ("SENT", "Sent"), ("PAID", "Paid")],
        default="DRAFT",
    )
    await dm.create_relation_field(
        from_object="invoice",
        to_object="company",
        name="company",
        label="Company",
        target_name="invoices",
        target_label="Invoices",
    )
    log.info("created the invoice object")
    return await dm.get_object("invoice")


async def bill_untyped(crm: CoreApi, company_id: uuid.UUID) -> Page[dict[str, Any]]:
    """Bill a company through the untyped facade: works before any regeneration."""
    invoices = crm.object("invoice")
    await invoices.create({"name": "INV-0001", "amount": 1200, "companyId": company_id})
    await invoices.create(
        {"name": "INV-0002", "amount": 300, "status": "SENT", "companyId": company_id}
    )
    return await invoices.find_many(
        filter={"companyId": {"eq": company_id}}, order_by=[{"name": "AscNullsLast"}]
    )


# -- the two stages -------------------------------------------------------------------------------


async def sync(crm: CoreApi, url: str) -> None:
    page = await top_accounts(crm, limit=5)
    arr = [(c.name, f"${annual_revenue(c):,.0f}") for c in page]
    report(
        f"list: {len(page)} of {page.total_count} ideal-profile companies, highest ARR first: "
        f"{arr[:2]} (has_next_page={page.has_next_page})"
    )

    for top in page.nodes[:1]:
        again = await company_by_id(crm, top.id)
        report(f"get: {again.name!r} by id {again.id} (same record: {again == top})")

    customer = await onboard_customer(
        crm,
        name=CUSTOMER_NAME,
        domain=CUSTOMER_DOMAIN,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@lovelace-analytics.test",
    )
    linked = customer.contact.company_id == customer.company.id
    report(
        f"create: company {customer.company.name!r} + person "
        f"{customer.contact.name.first_name if customer.contact.name else None!r}, "
        f"person.company_id == company.id: {linked} "
        f"({type(customer.contact.company_id).__name__} both sides)"
    )

    cleared = await update_company(crm, customer.company.id, employees=None)
    report(
        f"null: employees {customer.company.employees} -> {cleared.employees}, "
        f"name not sent so kept: {cleared.name!r}"
    )

    domains = await company_domains(crm)
    report(f"iterate: {len(domains)} companies with a domain, read 20 at a time")

    before = await crm.companies.count()
    rows = import_rows({url: c.name for url, c in sorted(domains.items())}, total=1000, repeats=50)
    result = await sync_companies(crm, rows)
    after = await crm.companies.count()
    report(
        f"bulk upsert of {len(rows)} rows (on_duplicate='last'): created={result.created}, "
        f"updated={result.updated}, duplicate_in_input={result.duplicate_in_input}, "
        f"failed={result.failed}; companies {before} -> {after}, {result.requests} requests"
    )
    twin = result.entry(0)
    if twin.duplicate_of is not None:
        kept = result.entry(twin.duplicate_of)
        landed = kept.record
        report(
            f"bulk row 0: {twin.outcome.value} of row {kept.index} ({kept.outcome.value}), "
            f"landed as {landed.name if landed else None!r} with employees="
            f"{landed.employees if landed else None} (the last row's)"
        )

    archived = await archive_and_restore(crm, customer.company.id)
    restored = archived.restored
    report(
        f"trash: deleted {archived.deleted.name!r} (deleted_at set: "
        f"{archived.deleted.deleted_at is not None}), find_deleted -> "
        f"{[c.name for c in archived.trash]} (total {archived.trash.total_count}), restored: "
        f"deleted_at={restored.deleted_at}, back in reads: "
        f"{await crm.companies.count(filter={'id': {'eq': restored.id}})}"
    )

    wrong_key = "sk-wrong-" + uuid.uuid4().hex
    refused = await check_key(url, wrong_key)
    report(
        f"wrong key -> {type(refused).__name__}: {refused}; "
        f"key in message: {refused is not None and wrong_key in str(refused)}"
    )

    invoice = await ensure_invoice_model(crm)
    fields = sorted(f.name for f in invoice.fields if f.name in {"amount", "status", "company"})
    bills = await bill_untyped(crm, customer.company.id)
    report(
        f"custom object 'invoice' with {fields}, untyped at once: "
        f"{[(b['name'], b['amount'], b['status']) for b in bills]} (total {bills.total_count}), "
        f"companyId == company.id: {all(b['companyId'] == customer.company.id for b in bills)}"
    )


async def typed_invoices(crm: CoreApi, url: str) -> None:
    # Only in a package generated after stage 1: `crm.invoices`, `Invoice` and its enum.
    from twenty_crm.core import Invoice, InvoiceStatusEnum

    customer = await crm.companies.find_one(
        filter={"domainName": {"primaryLinkUrl": {"eq": CUSTOMER_DOMAIN}}}
    )
    paid = await crm.invoices.create(
        {
            "name": "INV-0003",
            "amount": 450,
            "status": InvoiceStatusEnum.PAID,
            "companyId": customer.id,
        }
    )
    linked = paid.company_id == customer.id
    report(
        f"typed create: {paid.name} status={paid.status} company_id is "
        f"{type(paid.company_id).__name__}, == company.id: {linked}"
    )
    page: Page[Invoice] = await crm.invoices.find_many(
        filter={"companyId": {"eq": customer.id}}, order_by=[{"name": "AscNullsLast"}]
    )
    rows = [(i.name, i.amount, i.status.value if i.status else None) for i in page]
    report(f"typed find_many: Page[Invoice] total {page.total_count}: {rows}")


STAGES: dict[str, Callable[[CoreApi, str], Awaitable[None]]] = {
    "sync": sync,
    "invoices": typed_invoices,
}


async def main(stage: str) -> None:
    url = os.environ["TWENTY_URL"]
    # api_key defaults to the TWENTY_API_KEY environment variable
    async with TwentyClient(url) as client:
        await STAGES[stage](CoreApi(client), url)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in STAGES:
        sys.exit(f"usage: python {sys.argv[0]} {{{'|'.join(STAGES)}}}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(main(sys.argv[1]))
