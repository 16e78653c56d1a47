"""Generated functions and facades, exercised against a recording fake client.

The fake decodes canned ``data`` into ``op.result_type`` exactly as the runtime does (msgspec),
and records what would go on the wire, so these tests pin the wire contract: absent keys are
not sent, ``None`` is sent as null, documents are prepared once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

EXPECTED = Path(__file__).resolve().parents[2] / "golden" / "expected"
CID = "6f1b2b6e-3c39-4b57-9c2c-6a8a7d1b2c3d"


def company_json(**extra: Any) -> dict[str, Any]:
    base = {
        "id": CID,
        "createdAt": "2024-01-02T03:04:05Z",
        "updatedAt": "2024-01-02T03:04:05Z",
        "deletedAt": None,
        "name": "Acme",
        "domainName": {
            "primaryLinkUrl": "https://acme.test",
            "primaryLinkLabel": "",
            "secondaryLinks": [],
        },
        "employees": 12,
        "annualRecurringRevenue": {"amountMicros": 1.5e6, "currencyCode": "EUR"},
        "idealCustomerProfile": True,
        "tier": "TIER_2",
        "position": 1.0,
        "createdBy": {"source": "API", "name": "key", "workspaceMemberId": None, "context": {}},
        "searchVector": None,
        "foundedOn": "2020-01-31",
        "accountOwnerId": None,
    }
    base.update(extra)
    return base


class Fake:
    batch_size = 60
    page_size_max = 200

    def __init__(self, *answers: dict[str, Any]) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    async def execute(self, op: Any, variables: Any = None, *, idempotent: Any = None) -> Any:
        self.calls.append({"op": op, "variables": variables, "idempotent": idempotent})
        data = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(data):
            data = data(variables)
        return msgspec.json.decode(json.dumps(data).encode(), type=op.result_type)


@pytest.fixture(scope="module")
def small() -> Iterator[Any]:
    sys.path.insert(0, str(EXPECTED))
    import small as pkg

    yield pkg
    sys.path.remove(str(EXPECTED))


async def test_function_sends_only_given_arguments(small: Any) -> None:
    fake = Fake(
        {"companies": {"edges": [], "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}}}
    )
    conn = await small.core.companies(fake, first=3)
    assert fake.calls[0]["variables"] == {"first": 3}
    assert fake.calls[0]["op"] is small.core.COMPANIES_OP
    assert conn.edges == [] and conn.total_count is None and conn.page_info.has_next_page is False


async def test_update_distinguishes_null_from_not_sent(small: Any) -> None:
    fake = Fake({"updateCompany": company_json(name=None)})
    rec = await small.core.update_company(fake, id=uuid.UUID(CID), data={"name": None})
    assert fake.calls[0]["variables"] == {"id": uuid.UUID(CID), "data": {"name": None}}
    assert "employees" not in fake.calls[0]["variables"]["data"]
    assert rec is not None and rec.name is None
    assert fake.calls[0]["op"].idempotent is True  # update by id is safe to resend


async def test_results_decode_into_typed_structs(small: Any) -> None:
    fake = Fake({"company": company_json()})
    rec = await small.CoreApi(fake).companies.find_one(filter={"id": {"eq": CID}})
    assert isinstance(rec, small.core.Company)
    assert rec.id == uuid.UUID(CID)
    assert rec.tier is small.core.CompanyTierEnum.TIER_2
    assert rec.domain_name.primary_link_url == "https://acme.test"
    assert rec.annual_recurring_revenue.amount_micros == 1.5e6
    assert rec.created_at.year == 2024 and rec.created_by.source.value == "API"
    with pytest.raises(AttributeError):
        rec.name = "x"  # frozen


async def test_upsert_marks_call_idempotent_only_when_keyed_by_id(small: Any) -> None:
    fake = Fake({"createCompany": company_json()})
    await small.CoreApi(fake).companies.create(data={"id": CID, "name": "Acme"}, upsert=True)
    await small.CoreApi(fake).companies.create(data={"name": "Acme"}, upsert=True)
    await small.CoreApi(fake).companies.create(data={"name": "Acme"})
    # an upsert keyed on nothing would create the record again when resent after an applied
    # first attempt: it is not idempotent
    assert [c["idempotent"] for c in fake.calls] == [True, None, None]
    assert fake.calls[2]["variables"] == {"data": {"name": "Acme"}}


async def test_include_selects_relations_and_caches_documents(small: Any) -> None:
    person = {"id": CID, "createdAt": "2024-01-02T03:04:05Z", "companyId": CID}
    data = {
        "companies": {
            "edges": [
                {
                    "cursor": "c1",
                    "node": company_json(
                        people={
                            "edges": [{"cursor": "p", "node": person}],
                            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
                        }
                    ),
                }
            ],
            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False},
        }
    }
    fake = Fake(data)
    api = small.CoreApi(fake).companies
    page = await api.find_many_with(["people"], first=1)
    node = page.nodes[0]
    assert isinstance(node, small.core.CompanyWithRelations)
    assert node.people.edges[0].node.company_id == uuid.UUID(CID)
    assert node.account_owner is msgspec.UNSET  # not asked for
    op1 = fake.calls[0]["op"]
    assert "people {" in op1.document and "accountOwner {" not in op1.document
    await api.find_many_with(("people",), first=1)
    assert fake.calls[1]["op"] is op1  # prepared once per set of relations
    with pytest.raises(ValueError, match="unknown relation"):
        await api.find_many_with(["nope"])
    with pytest.raises(TypeError, match="collection of relation names"):
        await api.find_many_with("people")


async def test_create_many_goes_through_bulk_with_unique_fields(small: Any) -> None:
    def answer(variables: dict[str, Any]) -> dict[str, Any]:
        return {"createCompanies": [company_json(id=r["id"]) for r in variables["data"]]}

    fake = Fake(answer)
    result = await small.CoreApi(fake).companies.create_many(
        [{"name": f"c{i}"} for i in range(5)], upsert=True, batch_size=2
    )
    assert result.ok and result.succeeded == 5
    assert len(fake.calls) == 3
    assert all(c["op"] is small.core.CREATE_COMPANIES_OP for c in fake.calls)
    assert fake.calls[0]["variables"]["upsert"] is True


def test_import_is_lazy() -> None:
    code = (
        "import sys, small\n"
        "assert 'small.core' not in sys.modules\n"
        "api = small.CoreApi\n"
        "assert 'small.core.objects.company' not in sys.modules\n"
        "small.core.Company\n"
        "assert 'small.core.objects.company' in sys.modules\n"
        "assert 'small.core.objects.person' not in sys.modules\n"
        "assert 'small.metadata' not in sys.modules\n"
        "print(sorted(small.SCHEMA_HASHES))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(EXPECTED)},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['graphql', 'metadata']"


async def test_metadata_facade(small: Any) -> None:
    obj = {
        "id": CID,
        "universalIdentifier": "u",
        "nameSingular": "pet",
        "namePlural": "pets",
        "labelSingular": "Pet",
        "labelPlural": "Pets",
        "description": None,
        "icon": None,
        "shortcut": None,
        "color": None,
        "isRemote": False,
        "isActive": True,
        "isSystem": False,
        "isSearchable": True,
        "isUIEditable": True,
        "isUICreatable": True,
        "applicationId": CID,
        "createdAt": "2024-01-02T03:04:05Z",
        "updatedAt": "2024-01-02T03:04:05Z",
        "labelIdentifierFieldMetadataId": None,
        "imageIdentifierFieldMetadataId": None,
        "isLabelSyncedWithName": True,
        "duplicateCriteria": None,
    }
    fake = Fake({"createOneObject": obj})
    meta = small.MetadataApi(fake)
    created = await meta.objects.create(
        input={
            "object": {
                "nameSingular": "pet",
                "namePlural": "pets",
                "labelSingular": "Pet",
                "labelPlural": "Pets",
            }
        }
    )
    assert created.name_singular == "pet" and created.fields_list is msgspec.UNSET
    assert fake.calls[0]["op"].endpoint == "metadata"
    assert "isUIReadOnly" not in fake.calls[0]["op"].document  # deprecated: left out
