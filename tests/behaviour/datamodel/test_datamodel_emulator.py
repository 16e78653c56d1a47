"""``DataModel``: the flat metadata facade against the emulator (objects, text / number /
select / relation fields, deactivate + delete, typed errors before and after sending)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from twenty_gql import (
    BadUserInputError,
    DataModel,
    MetadataNameError,
    ObjectNotFoundError,
    TwentyClient,
)
from twenty_gql.datamodel import FieldInfo, ObjectInfo, SelectOption
from twenty_gql.testing import TwentyEmulator
from twenty_gql.transport import MockTransport, Request, Response


@pytest.fixture
async def client() -> AsyncIterator[TwentyClient]:
    async with (
        TwentyEmulator(seed="standard", rate_limit=None) as emu,
        TwentyClient(emu.url, emu.api_key, rate_limit=None) as c,
    ):
        yield c


async def _invoice(dm: DataModel) -> ObjectInfo:
    return await dm.create_object(
        name_singular="invoice",
        name_plural="invoices",
        label_singular="Invoice",
        label_plural="Invoices",
        description="Bills sent",
        icon="IconReceipt",
    )


async def test_objects_and_get_object(client: TwentyClient) -> None:
    dm = DataModel(client)
    objects = await dm.objects()
    names = {o.name_singular for o in objects}
    assert {"company", "person", "opportunity"} <= names
    company = await dm.get_object("company")
    assert company.name_plural == "companies"
    assert company.field("name").type == "TEXT"
    assert company.field("domainName").type == "LINKS"
    people = company.field("people")
    assert people.relation is not None
    assert (people.relation.kind, people.relation.target_object) == ("ONE_TO_MANY", "person")
    with pytest.raises(ObjectNotFoundError, match="no field 'nope'") as fe:
        company.field("nope")
    assert (fe.value.object_name, fe.value.field_name) == ("company", "nope")


async def test_get_object_missing_is_typed_and_hints_the_singular(client: TwentyClient) -> None:
    dm = DataModel(client)
    with pytest.raises(ObjectNotFoundError, match="did you mean 'company'") as e:
        await dm.get_object("companies")
    assert e.value.object_name == "companies"
    with pytest.raises(ObjectNotFoundError, match="no object named 'invoice'"):
        await dm.get_object("invoice")


async def test_create_update_delete_object(client: TwentyClient) -> None:
    dm = DataModel(client)
    inv = await _invoice(dm)
    assert isinstance(inv, ObjectInfo)
    assert (inv.name_singular, inv.name_plural, inv.label_plural) == (
        "invoice",
        "invoices",
        "Invoices",
    )
    assert inv.description == "Bills sent" and inv.icon == "IconReceipt"
    assert {"id", "name", "createdAt"} <= {f.name for f in inv.fields}
    assert (await dm.get_object("invoice")).id == inv.id

    renamed = await dm.update_object("invoice", label_plural="Bills", description=None)
    assert renamed.label_plural == "Bills" and renamed.description == "Bills sent"
    with pytest.raises(MetadataNameError, match="nothing to change"):
        await dm.update_object("invoice")

    assert await dm.delete_object("invoice") == inv.id
    with pytest.raises(ObjectNotFoundError):
        await dm.get_object("invoice")


async def test_text_number_select_fields(client: TwentyClient) -> None:
    dm = DataModel(client)
    await _invoice(dm)
    ref = await dm.create_text_field(
        "invoice", name="reference", label="Reference", description="Our ref", default="none"
    )
    assert isinstance(ref, FieldInfo)
    assert (ref.type, ref.name, ref.description, ref.default_value) == (
        "TEXT",
        "reference",
        "Our ref",
        "'none'",
    )
    amount = await dm.create_number_field(
        "invoice", name="amount", label="Amount", nullable=False, default=0
    )
    assert (amount.type, amount.is_nullable, amount.default_value) == ("NUMBER", False, 0)
    status = await dm.create_select_field(
        "invoice",
        name="status",
        label="Status",
        options=[("DRAFT", "Draft"), SelectOption("PAID", "Paid", color="green")],
        default="DRAFT",
    )
    assert status.type == "SELECT" and status.default_value == "'DRAFT'"
    assert [(o["value"], o["label"], o["position"]) for o in status.options] == [
        ("DRAFT", "Draft", 0),
        ("PAID", "Paid", 1),
    ]
    assert status.options[1]["color"] == "green"
    tags = await dm.create_multi_select_field(
        "invoice", name="tags", label="Tags", options=[("A", "a"), ("B", "b")], default=["B"]
    )
    assert tags.type == "MULTI_SELECT" and tags.default_value == ["'B'"]
    fields = {f.name: f for f in (await dm.get_object("invoice")).fields}
    assert {"reference", "amount", "status", "tags"} <= set(fields)


async def test_relation_field_hides_the_payload_and_creates_the_inverse(
    client: TwentyClient,
) -> None:
    dm = DataModel(client)
    await _invoice(dm)
    link = await dm.create_relation_field(
        from_object="invoice",
        to_object="company",
        name="company",
        label="Company",
        target_name="invoices",
        target_label="Invoices",
    )
    assert link.type == "RELATION" and link.relation is not None
    assert (link.relation.kind, link.relation.target_object, link.relation.target_field) == (
        "MANY_TO_ONE",
        "company",
        "invoices",
    )
    inverse = (await dm.get_object("company")).field("invoices")
    assert inverse.relation is not None
    assert (inverse.relation.kind, inverse.relation.target_object) == ("ONE_TO_MANY", "invoice")


async def test_deactivate_then_delete_field(client: TwentyClient) -> None:
    dm = DataModel(client)
    await _invoice(dm)
    await dm.create_text_field("invoice", name="reference", label="Reference")
    await dm.create_number_field("invoice", name="amount", label="Amount")
    off = await dm.deactivate_field("invoice", "reference")
    assert off.is_active is False
    assert (await dm.deactivate_field("invoice", "reference")).is_active is False  # idempotent
    # an active field: delete_field deactivates it first (Twenty refuses active ones)
    amount_id = (await dm.get_object("invoice")).field("amount").id
    assert await dm.delete_field("invoice", "amount") == amount_id
    assert await dm.delete_field("invoice", "reference") != amount_id
    names = {f.name for f in (await dm.get_object("invoice")).fields}
    assert "amount" not in names and "reference" not in names
    with pytest.raises(ObjectNotFoundError, match="no field 'amount'"):
        await dm.delete_field("invoice", "amount")


async def test_server_refusal_stays_a_typed_graphql_error(client: TwentyClient) -> None:
    dm = DataModel(client)
    with pytest.raises(BadUserInputError):
        await dm.delete_object("company")  # standard objects cannot be deleted


@pytest.mark.parametrize(
    ("kwargs", "what", "match"),
    [
        ({"name_singular": "Invoice"}, "name_singular", "camelCase"),
        ({"name_singular": "my_invoice"}, "name_singular", "e.g. 'myInvoice'"),
        ({"name_plural": "2invoices"}, "name_plural", "camelCase"),
        ({"name_singular": "a" * 64}, "name_singular", "longer than 63"),
        ({"label_singular": "  "}, "label_singular", "non-empty"),
        ({"name_plural": "invoice"}, "name_plural", "must differ"),
    ],
)
async def test_bad_object_names_are_refused_before_sending(
    kwargs: dict[str, str], what: str, match: str
) -> None:
    sent: list[Request] = []

    def handler(request: Request) -> Response:
        sent.append(request)
        return Response(200, b'{"data": {}}')

    async with TwentyClient(
        "https://crm.example", "test-key-123", transport=MockTransport(handler)
    ) as c:
        args = {
            "name_singular": "invoice",
            "name_plural": "invoices",
            "label_singular": "Invoice",
            "label_plural": "Invoices",
            **kwargs,
        }
        with pytest.raises(MetadataNameError, match=match) as e:
            await DataModel(c).create_object(**args)
    assert e.value.what == what and e.value.value == kwargs[what]
    assert sent == []


@pytest.mark.parametrize(
    ("options", "default", "match"),
    [
        ([("in progress", "In progress")], None, "must match"),
        ([("A", "a"), ("A", "again")], None, "repeats the value 'A'"),
        ([], None, "must not be empty"),
        ([("A", "a")], "B", "not one of the option values"),
        ([("A", "")], None, "non-empty"),
        (["A"], None, "a \\(value, label\\) pair"),
    ],
)
async def test_bad_select_options_are_refused_before_sending(
    options: list[object], default: str | None, match: str
) -> None:
    async with TwentyClient(
        "https://crm.example", "test-key-123", transport=MockTransport([])
    ) as c:
        with pytest.raises(MetadataNameError, match=match):
            await DataModel(c).create_select_field(
                "invoice",
                name="status",
                label="Status",
                options=options,  # type: ignore[arg-type]
                default=default,
            )


async def test_bad_field_name_and_relation_kind(client: TwentyClient) -> None:
    dm = DataModel(client)
    with pytest.raises(MetadataNameError, match="camelCase"):
        await dm.create_text_field("company", name="Tagline", label="Tagline")
    with pytest.raises(MetadataNameError, match="kind must be"):
        await dm.create_relation_field(
            from_object="company",
            to_object="person",
            name="owner",
            label="Owner",
            target_name="ownedCompanies",
            target_label="Owned companies",
            kind="MANY_TO_MANY",  # type: ignore[arg-type]
        )
    with pytest.raises(ObjectNotFoundError):
        await dm.create_text_field("invoice", name="tagline", label="Tagline")
