"""Morph relations: ONE ``MORPH_RELATION`` field in /metadata (relation null, targets in
``morphRelations``), one field and FK per target in the core schema (twenty-api.md §2.4, §12)."""

from __future__ import annotations

from typing import Any

from twenty_gql.testing.metadata_api import MetadataApi
from twenty_gql.testing.workspace import Workspace

from .conftest import Core

FIELDS = """
query($id: UUID!) { object(id: $id) { nameSingular fields(paging: {first: 200}) { edges { node {
  id name type
  relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { id name } }
  morphRelations { type sourceFieldMetadata { id name }
                   targetObjectMetadata { nameSingular } targetFieldMetadata { name } }
} } } } }
"""


def meta_fields(ws: Workspace, object_name: str) -> dict[str, Any]:
    obj = ws.object_by_name(object_name)
    assert obj is not None
    result = MetadataApi(ws).execute(FIELDS, {"id": obj.id}, None)
    assert result.errors is None, result.errors
    assert result.data is not None
    edges = result.data["object"]["fields"]["edges"]
    return {e["node"]["name"]: e["node"] for e in edges}


def test_standard_morph_relations_are_one_field_in_metadata() -> None:
    ws = Workspace("standard")
    expected_targets = {
        "noteTarget": ({"company", "opportunity", "person"}, "noteTargets"),
        "taskTarget": ({"company", "opportunity", "person"}, "taskTargets"),
        "attachment": (
            {"company", "note", "opportunity", "person", "task", "dashboard", "workflow"},
            "attachments",
        ),
        "timelineActivity": (
            {"company", "note", "opportunity", "person", "task", "dashboard", "workflow"}
            | {"workflowVersion", "workflowRun"},
            "timelineActivities",
        ),
    }
    for object_name, (targets, inverse) in expected_targets.items():
        fields = meta_fields(ws, object_name)
        assert not any(name.startswith("target") and name != "target" for name in fields)
        target = fields["target"]
        assert target["type"] == "MORPH_RELATION"
        assert target["relation"] is None
        morphs = target["morphRelations"]
        assert {m["targetObjectMetadata"]["nameSingular"] for m in morphs} == targets
        assert {m["type"] for m in morphs} == {"MANY_TO_ONE"}
        assert {m["targetFieldMetadata"]["name"] for m in morphs} == {inverse}
        assert {m["sourceFieldMetadata"]["id"] for m in morphs} == {target["id"]}
        assert {m["sourceFieldMetadata"]["name"] for m in morphs} == {"target"}
        # the inverse side is a plain ONE_TO_MANY relation pointing at the one morph field
        for owner in targets:
            inverse_field = meta_fields(ws, owner)[inverse]
            assert inverse_field["type"] == "RELATION"
            assert inverse_field["relation"]["type"] == "ONE_TO_MANY"
            assert inverse_field["relation"]["targetFieldMetadata"] == {
                "id": target["id"],
                "name": "target",
            }
            assert inverse_field["morphRelations"] is None


def test_core_schema_keeps_one_field_and_fk_per_target(core: Core) -> None:
    note_target = core.ws.core_schema.get_type("NoteTarget")
    fields = set(note_target.fields)  # type: ignore[union-attr]
    for target in ("Company", "Person", "Opportunity"):
        assert {f"target{target}", f"target{target}Id"} <= fields
    assert "target" not in fields
    data = core.ok(
        """mutation {
          c: createCompany(data: {name: "Acme"}) { id }
          n: createNote(data: {title: "Hello"}) { id }
        }"""
    )
    core.ok(
        "mutation($n: ID, $c: ID) { createNoteTarget(data: {noteId: $n, targetCompanyId: $c}) { id } }",
        n=data["n"]["id"],
        c=data["c"]["id"],
    )
    got = core.ok(
        "{ companies { edges { node { noteTargets { edges { node { note { title } } } } } } } }"
    )
    assert got["companies"]["edges"][0]["node"]["noteTargets"]["edges"] == [
        {"node": {"note": {"title": "Hello"}}}
    ]


def test_created_morph_field_is_shown_as_one_field() -> None:
    ws = Workspace("standard")
    pet = ws.create_object(
        {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
    )
    person, company = ws.object_by_name("person"), ws.object_by_name("company")
    assert person is not None and company is not None
    api = MetadataApi(ws)
    created = api.execute(
        """mutation($input: CreateOneFieldMetadataInput!) {
             createOneField(input: $input) { id name type relation { type } morphRelations {
               targetObjectMetadata { nameSingular } } } }""",
        {
            "input": {
                "field": {
                    "objectMetadataId": pet.id,
                    "type": "MORPH_RELATION",
                    "name": "owner",
                    "label": "Owner",
                    "morphRelationsCreationPayload": [
                        {
                            "type": "MANY_TO_ONE",
                            "targetObjectMetadataId": person.id,
                            "targetFieldLabel": "Pets",
                        },
                        {
                            "type": "MANY_TO_ONE",
                            "targetObjectMetadataId": company.id,
                            "targetFieldLabel": "Pets",
                        },
                    ],
                }
            }
        },
        None,
    )
    assert created.errors is None, created.errors
    assert created.data is not None
    field = created.data["createOneField"]
    assert field["name"] == "owner" and field["type"] == "MORPH_RELATION"
    assert field["relation"] is None
    assert [m["targetObjectMetadata"]["nameSingular"] for m in field["morphRelations"]] == [
        "person",
        "company",
    ]
    listed = meta_fields(ws, "pet")
    assert "owner" in listed and "ownerPerson" not in listed and "ownerCompany" not in listed
    assert {"ownerPerson", "ownerPersonId", "ownerCompany", "ownerCompanyId"} <= set(
        ws.core_schema.get_type("Pet").fields  # type: ignore[union-attr]
    )
