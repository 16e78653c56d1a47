"""The untyped facade's selection: from the data model, with composite sub-fields as the
server's schema has them (Twenty's newest versions make some of them objects)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from twenty_gql.datamodel import FieldInfo, ObjectInfo, RelationInfo
from twenty_gql.dynamic import COMPOSITE_SUBFIELDS, composite_selections, selection_for
from twenty_gql.errors import GraphQLResponseError
from twenty_gql.operation import Operation


def _ref(kind: str, name: str | None = None, of: Any = None) -> dict[str, Any]:
    return {"kind": kind, "name": name, "ofType": of}


def _scalar(name: str) -> dict[str, Any]:
    return {"name": name, "type": _ref("SCALAR", "String")}


# the newest server: secondaryLinks: [SecondaryLink!], context: ActorContext
TYPES: dict[str, list[dict[str, Any]]] = {
    "Links": [
        _scalar("primaryLinkLabel"),
        _scalar("primaryLinkUrl"),
        {
            "name": "secondaryLinks",
            "type": _ref("LIST", None, _ref("NON_NULL", None, _ref("OBJECT", "SecondaryLink"))),
        },
    ],
    "Actor": [
        {"name": "source", "type": _ref("NON_NULL", None, _ref("ENUM", "ActorSourceEnum"))},
        _scalar("workspaceMemberId"),
        _scalar("name"),
        {"name": "context", "type": _ref("OBJECT", "ActorContext")},
    ],
    "SecondaryLink": [_scalar("label"), _scalar("url")],
    "ActorContext": [_scalar("provider")],
}


class FakeClient:
    batch_size = 60
    page_size_max = 60

    def __init__(self, fail: bool = False) -> None:
        self.documents: list[str] = []
        self.fail = fail

    async def execute(
        self, op: Operation[Any], variables: Mapping[str, Any] | None = None, **_: Any
    ) -> Any:
        self.documents.append(op.document)
        if self.fail:
            raise GraphQLResponseError("introspection is disabled", code="FORBIDDEN")
        asked = re.findall(r'(t\d+): __type\(name: "(\w+)"\)', op.document)
        return {
            alias: {"name": name, "fields": TYPES[name]} if name in TYPES else None
            for alias, name in asked
        }


async def test_object_sub_fields_are_selected_with_their_leaves() -> None:
    client = FakeClient()
    sel = await composite_selections(client, {"LINKS", "ACTOR", "TEXT"})
    assert sel == {
        "LINKS": "primaryLinkLabel primaryLinkUrl secondaryLinks { label url }",
        "ACTOR": "source workspaceMemberId name context { provider }",
    }
    assert len(client.documents) == 2  # the composites, then the object types they use
    assert '__type(name: "Links")' in client.documents[0]
    assert '__type(name: "SecondaryLink")' in client.documents[1]


async def test_no_introspection_falls_back_to_the_static_table() -> None:
    assert await composite_selections(FakeClient(fail=True), {"LINKS"}) == {}


def _field(name: str, ftype: str, **kw: Any) -> FieldInfo:
    return FieldInfo(
        id=uuid.uuid4(),
        name=name,
        label=name,
        type=ftype,
        object_metadata_id=uuid.uuid4(),
        **kw,
    )


def test_selection_from_metadata() -> None:
    obj = ObjectInfo(
        id=uuid.uuid4(),
        name_singular="invoice",
        name_plural="invoices",
        label_singular="Invoice",
        label_plural="Invoices",
        fields=(
            _field("id", "UUID"),
            _field("amount", "NUMBER"),
            _field("old", "TEXT", is_active=False),
            _field("searchVector", "TS_VECTOR"),
            _field("site", "LINKS"),
            _field(
                "company",
                "RELATION",
                relation=RelationInfo(
                    kind="MANY_TO_ONE", target_object="company", target_field="invoices"
                ),
            ),
            _field(
                "lines",
                "RELATION",
                relation=RelationInfo(
                    kind="ONE_TO_MANY", target_object="line", target_field="invoice"
                ),
            ),
        ),
    )
    static = " ".join(COMPOSITE_SUBFIELDS["LINKS"])
    assert selection_for(obj) == f"id amount site {{ {static} }} companyId"
    assert selection_for(obj, {"LINKS": "primaryLinkUrl secondaryLinks { url }"}) == (
        "id amount site { primaryLinkUrl secondaryLinks { url } } companyId"
    )


def test_untyped_create_many_defaults_follow_the_bulk_engine() -> None:
    import inspect

    from twenty_gql import bulk, dynamic

    assert dynamic.DEFAULT_OUTAGE_TOLERANCE == bulk.DEFAULT_OUTAGE_TOLERANCE
    untyped = inspect.signature(dynamic.DynamicObjectApi.create_many).parameters
    engine = inspect.signature(bulk.create_many).parameters
    for name in ("upsert", "on_duplicate", "batch_size", "keep_records", "max_retries", "deadline"):
        if engine[name].default is not inspect.Parameter.empty:
            assert untyped[name].default == engine[name].default, name
