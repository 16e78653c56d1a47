"""Data-model changes through the Workspace metadata methods, then used through the core API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.behaviour.emulator_core.conftest import Core
from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.workspace import Workspace

PET = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}


def root_fields(ws: Workspace) -> tuple[set[str], set[str]]:
    schema = ws.core_schema
    assert schema.query_type is not None
    mutation = set(schema.mutation_type.fields) if schema.mutation_type else set()
    return set(schema.query_type.fields), mutation


def test_custom_object_gets_default_fields_relations_and_root_fields() -> None:
    ws = Workspace("standard")
    before = ws.schema_version
    pet = ws.create_object(PET)
    assert ws.schema_version > before
    names = [f.name for f in ws.fields(pet.id)]
    assert names[:9] == [
        "id",
        "name",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "createdBy",
        "updatedBy",
        "position",
        "searchVector",
    ]
    assert {"timelineActivities", "attachments", "noteTargets", "taskTargets", "favorites"} <= set(
        names
    )
    assert pet.isCustom and pet.labelIdentifierFieldMetadataId == ws.fields(pet.id)[1].id
    note_target = ws.object_by_name("noteTarget")
    assert note_target is not None
    [target_pet] = [f for f in ws.fields(note_target.id) if f.name == "targetPet"]
    assert target_pet.type == "MORPH_RELATION" and target_pet.joinColumnName == "targetPetId"
    rel = ws.relation(target_pet.id)
    assert rel is not None and rel.type == "MANY_TO_ONE"
    assert rel.targetObjectMetadata is pet and rel.targetFieldMetadata.name == "noteTargets"
    assert len(ws.morph_relations(target_pet.id)) == 4  # person, company, opportunity, pet
    query, mutation = root_fields(ws)
    assert {"pets", "pet", "petsGroupBy"} <= query and "petDuplicates" not in query
    assert {
        "createPet",
        "createPets",
        "updatePets",
        "deletePet",
        "destroyPets",
        "restorePet",
    } <= mutation
    created = Core(ws).ok(
        'mutation { createPets(data: [{name: "Rex"}], upsert: true) { id name position } }'
    )
    assert created["createPets"][0]["name"] == "Rex"
    linked = Core(ws).ok(
        "mutation($p: ID) { createNoteTarget(data: {targetPetId: $p}) { targetPet { name } } }",
        p=created["createPets"][0]["id"],
    )
    assert linked["createNoteTarget"]["targetPet"] == {"name": "Rex"}


def test_relation_field_created_both_sides_and_used() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    person = ws.object_by_name("person")
    assert person is not None
    owner = ws.create_field(
        {
            "field": {
                "objectMetadataId": pet.id,
                "type": "RELATION",
                "name": "owner",
                "label": "Owner",
                "relationCreationPayload": {
                    "type": "MANY_TO_ONE",
                    "targetObjectMetadataId": person.id,
                    "targetFieldLabel": "Pets",
                    "targetFieldIcon": "IconCat",
                    "targetFieldName": "pets",
                },
            }
        }
    )
    rel = ws.relation(owner.id)
    assert rel is not None and rel.type == "MANY_TO_ONE"
    inverse = rel.targetFieldMetadata
    assert inverse.name == "pets" and inverse.relationType == "ONE_TO_MANY"
    assert inverse.objectMetadataId == person.id and ws.relation(inverse.id).type == "ONE_TO_MANY"  # type: ignore[union-attr]
    assert "ownerId" in ws.core_schema.get_type("PetCreateInput").fields  # type: ignore[union-attr]
    p = core.ok('mutation { createPerson(data: {name: {firstName: "Ann"}}) { id } }')[
        "createPerson"
    ]
    core.ok(
        'mutation($o: ID) { createPets(data: [{name: "Rex", ownerId: $o}, {name: "Tom", ownerId: $o}]) { id } }',
        o=p["id"],
    )
    got = core.ok(
        "query($id: UUID!) { person(filter: {id: {eq: $id}}) { pets(orderBy: [{name: AscNullsFirst}]) { edges { node { name owner { name { firstName } } } } } } }",
        id=p["id"],
    )
    assert [e["node"]["name"] for e in got["person"]["pets"]["edges"]] == ["Rex", "Tom"]
    assert got["person"]["pets"]["edges"][0]["node"]["owner"] == {"name": {"firstName": "Ann"}}
    filtered = core.ok(
        "query($o: UUID) { pets(filter: {ownerId: {eq: $o}}) { totalCount } }", o=p["id"]
    )
    assert filtered["pets"]["totalCount"] == 2
    # deleting one side of a relation removes both
    ws.delete_field(owner.id)
    assert all(f.name != "pets" for f in ws.fields(person.id))
    assert "ownerId" not in ws.core_schema.get_type("PetCreateInput").fields  # type: ignore[union-attr]


def test_one_to_many_relation_payload() -> None:
    ws = Workspace("standard")
    pet = ws.create_object(PET)
    company = ws.object_by_name("company")
    assert company is not None
    field = ws.create_field(
        {
            "objectMetadataId": company.id,
            "type": "RELATION",
            "name": "mascots",
            "label": "Mascots",
            "relationCreationPayload": {
                "type": "ONE_TO_MANY",
                "targetObjectMetadataId": pet.id,
                "targetFieldLabel": "Mascot Of",
            },
        }
    )
    inverse = ws.relation(field.id).targetFieldMetadata  # type: ignore[union-attr]
    assert inverse.name == "mascotOf" and inverse.joinColumnName == "mascotOfId"
    assert "mascotOfId" in ws.core_schema.get_type("Pet").fields  # type: ignore[union-attr]


def test_scalar_select_and_number_fields() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "SELECT",
            "name": "species",
            "label": "Species",
            "options": [{"value": "DOG", "label": "Dog"}, {"value": "CAT", "label": "Cat"}],
            "defaultValue": "'DOG'",
            "isNullable": False,
        }
    )
    ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "NUMBER",
            "name": "legs",
            "label": "Legs",
            "settings": {"dataType": "int"},
        }
    )
    ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "MULTI_SELECT",
            "name": "tags",
            "label": "Tags",
            "options": [{"value": "CUTE", "label": "Cute"}, {"value": "LOUD", "label": "Loud"}],
        }
    )
    ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "TEXT",
            "name": "chip",
            "label": "Chip",
            "isUnique": True,
        }
    )
    enum = ws.core_schema.get_type("PetSpeciesEnum")
    assert enum is not None and {v: e.description for v, e in enum.values.items()} == {
        "DOG": "Dog",
        "CAT": "Cat",
    }  # type: ignore[attr-defined]
    assert str(ws.core_schema.get_type("Pet").fields["legs"].type) == "Int"  # type: ignore[union-attr]
    assert str(ws.core_schema.get_type("Pet").fields["species"].type) == "PetSpeciesEnum!"  # type: ignore[union-attr]
    assert str(ws.core_schema.get_type("PetCreateInput").fields["species"].type) == "PetSpeciesEnum"  # type: ignore[union-attr]
    created = core.ok(
        'mutation { createPets(data: [{name: "a", legs: 4, tags: [CUTE, LOUD], chip: "x1"}, {name: "b", species: CAT}]) { species legs tags } }'
    )
    assert created["createPets"] == [
        {"species": "DOG", "legs": 4, "tags": ["CUTE", "LOUD"]},
        {"species": "CAT", "legs": None, "tags": None},
    ]
    assert (
        core.ok("{ pets(filter: {tags: {containsAny: [LOUD]}}) { totalCount } }")["pets"][
            "totalCount"
        ]
        == 1
    )
    [error] = core.err('mutation { createPet(data: {chip: "x1"}) { id } }')
    assert error["message"] == "Duplicate Chip. Please set a unique one."
    upsert = core.ok(
        'mutation { createPet(data: {chip: "x1", legs: 3}, upsert: true) { name legs } }'
    )
    assert upsert["createPet"] == {"name": "a", "legs": 3}


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ({"name": "Bad Name", "type": "TEXT", "label": "X"}, "camelCase"),
        ({"name": "BadName", "type": "TEXT", "label": "X"}, "camelCase"),
        ({"name": "name", "type": "TEXT", "label": "X"}, "not available"),
        ({"name": "accountOwnerId", "type": "TEXT", "label": "X"}, "not available"),
        ({"name": "colour", "type": "COLOUR", "label": "X"}, "Unknown field type"),
        ({"name": "filter", "type": "TEXT", "label": "X"}, "reserved"),
        ({"name": "tier", "type": "SELECT", "label": "X"}, "Options are required"),
        (
            {"name": "tier", "type": "SELECT", "label": "X", "options": [{"value": "bad value"}]},
            "must match",
        ),
        ({"name": "link", "type": "RELATION", "label": "X"}, "relationCreationPayload"),
        ({"name": "ok", "type": "TEXT"}, "label is required"),
    ],
)
def test_field_validation_errors(field: dict[str, Any], message: str) -> None:
    ws = Workspace("standard")
    company = ws.object_by_name("company")
    assert company is not None
    version = ws.schema_version
    with pytest.raises(TwentyApiError) as info:
        ws.create_field({"objectMetadataId": company.id, **field})
    assert message in info.value.message
    assert info.value.code == "BAD_USER_INPUT"
    assert ws.schema_version == version


def test_object_validation_and_not_found() -> None:
    ws = Workspace("standard")
    with pytest.raises(TwentyApiError, match="already exists"):
        ws.create_object({**PET, "nameSingular": "company", "namePlural": "companiez"})
    with pytest.raises(TwentyApiError, match="camelCase"):
        ws.create_object({**PET, "nameSingular": "my_pet"})
    with pytest.raises(TwentyApiError, match="labelSingular"):
        ws.create_object({**PET, "labelSingular": ""})
    with pytest.raises(TwentyApiError) as info:
        ws.object("3f1b3a4e-0000-4000-8000-000000000000")
    assert info.value.code == "NOT_FOUND"
    company = ws.object_by_name("company")
    assert company is not None
    with pytest.raises(TwentyApiError, match="Standard objects cannot be deleted"):
        ws.delete_object(company.id)
    name_field = next(f for f in ws.fields(company.id) if f.name == "name")
    with pytest.raises(TwentyApiError, match="type cannot be changed"):
        ws.update_field(name_field.id, {"type": "NUMBER"})


def test_rename_update_and_delete_object_keep_schema_in_sync() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    core.ok('mutation { createPet(data: {name: "Rex"}) { id } }')
    ws.update_object(
        pet.id, {"nameSingular": "animal", "namePlural": "animals", "labelSingular": "Animal"}
    )
    query, _ = root_fields(ws)
    assert "animals" in query and "pets" not in query
    assert core.ok("{ animals { edges { node { name } } } }")["animals"]["edges"] == [
        {"node": {"name": "Rex"}}
    ]
    ws.update_object(pet.id, {"isActive": False})
    assert "animals" not in root_fields(ws)[0]
    ws.update_object(pet.id, {"isActive": True})
    ws.delete_object(pet.id)
    assert "animals" not in root_fields(ws)[0]
    note_target = ws.object_by_name("noteTarget")
    assert note_target is not None
    assert all(
        f.name != "targetAnimal" and f.name != "targetPet" for f in ws.fields(note_target.id)
    )


def test_field_update_rename_and_delete() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    color = ws.create_field(
        {"objectMetadataId": pet.id, "type": "TEXT", "name": "color", "label": "Color"}
    )
    core.ok('mutation { createPet(data: {name: "Rex", color: "red"}) { id } }')
    ws.update_field(color.id, {"name": "colour", "label": "Colour"})
    assert core.ok("{ pets { edges { node { colour } } } }")["pets"]["edges"][0]["node"] == {
        "colour": "red"
    }
    with pytest.raises(TwentyApiError, match="deactivate"):
        ws.delete_field(color.id)
    ws.update_field(color.id, {"isActive": False})
    assert "colour" not in ws.core_schema.get_type("Pet").fields  # type: ignore[union-attr]
    ws.delete_field(color.id)
    with pytest.raises(TwentyApiError):
        ws.field(color.id)
    tier = ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "SELECT",
            "name": "tier",
            "label": "Tier",
            "options": [{"value": "A", "label": "A"}, {"value": "B", "label": "B"}],
        }
    )
    core.ok("mutation { createPet(data: {tier: B}) { id } }")
    with pytest.raises(TwentyApiError, match="still use"):
        ws.update_field(tier.id, {"options": [{"value": "A", "label": "A"}]})


def test_adding_field_backfills_default_for_existing_records() -> None:
    ws = Workspace("demo")
    core = Core(ws)
    company = ws.object_by_name("company")
    assert company is not None
    ws.create_field(
        {
            "objectMetadataId": company.id,
            "type": "BOOLEAN",
            "name": "isPartner",
            "label": "Partner",
            "isNullable": False,
            "defaultValue": False,
        }
    )
    got = core.ok("{ companies(first: 3) { edges { node { isPartner } } } }")
    assert [e["node"]["isPartner"] for e in got["companies"]["edges"]] == [False, False, False]
    with pytest.raises(TwentyApiError, match="without a default"):
        ws.create_field(
            {
                "objectMetadataId": company.id,
                "type": "TEXT",
                "name": "code",
                "label": "Code",
                "isNullable": False,
            }
        )


def test_sqlite_persistence_of_records_and_model(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    ws = Workspace("standard", data_path=path)
    pet = ws.create_object(PET)
    ws.create_field({"objectMetadataId": pet.id, "type": "NUMBER", "name": "legs", "label": "Legs"})
    core = Core(ws)
    core.ok(
        'mutation { createPets(data: [{name: "Rex", legs: 4}, {name: "Tom", legs: 3}]) { id } }'
    )
    core.ok('mutation { createCompany(data: {name: "Acme"}) { id } }')
    core.ok('mutation { deleteCompanies(filter: {name: {eq: "Acme"}}) { id } }')
    ws.close()
    again = Workspace("empty", data_path=path)  # the saved model wins over the seed
    core2 = Core(again)
    assert again.object(pet.id).nameSingular == "pet"
    got = core2.ok("{ pets(orderBy: [{legs: DescNullsLast}]) { edges { node { name legs } } } }")
    assert got["pets"]["edges"] == [
        {"node": {"name": "Rex", "legs": 4.0}},
        {"node": {"name": "Tom", "legs": 3.0}},
    ]
    assert core2.ok("{ companies { totalCount } }")["companies"]["totalCount"] == 0
    assert [r["name"] for r in again.records("company")] == ["Acme"]
    core2.ok('mutation { destroyPets(filter: {name: {eq: "Tom"}}) { id } }')
    again.close()
    third = Workspace("standard", data_path=tmp_path / "ws.sqlite3")
    assert [r["name"] for r in third.records("pet")] == ["Rex"]
    third.close()


def test_empty_seed_schema_is_valid_and_grows() -> None:
    ws = Workspace("empty")
    query, mutation = root_fields(ws)
    assert query == {"_empty"} and mutation == set()
    assert Core(ws).ok("{ _empty }") == {"_empty": None}
    from graphql import build_client_schema, get_introspection_query

    introspected = ws.execute_core(get_introspection_query())
    assert introspected.errors is None and introspected.data is not None
    assert build_client_schema(introspected.data).query_type is not None
    ws.create_object(PET)
    query, mutation = root_fields(ws)
    assert "pets" in query and "_empty" not in query and "createPets" in mutation
    # no standard objects: the default relation pairs have nothing to attach to
    assert [f.name for f in ws.fields(ws.objects()[0].id)][-1] == "searchVector"


def test_bad_workspace_arguments() -> None:
    with pytest.raises(ValueError, match="unknown seed"):
        Workspace("nope")
    with pytest.raises(ValueError, match="batch_limit"):
        Workspace("empty", batch_limit=0)


def test_demo_seed_is_deterministic_and_linked() -> None:
    a, b = Workspace("demo"), Workspace("demo")
    for obj in a.objects():
        assert a.records(obj.nameSingular) == b.records(obj.nameSingular)
    companies = {c["id"]: c for c in a.records("company")}
    people = a.records("person")
    assert len(companies) == 60 and len(people) == 150
    for person in people:
        domain = companies[person["companyId"]]["domainName"]["primaryLinkUrl"].removeprefix(
            "https://"
        )
        assert person["emails"]["primaryEmail"].endswith("@" + domain)
    opportunities = a.records("opportunity")
    assert {o["stage"] for o in opportunities} <= {
        "NEW",
        "SCREENING",
        "MEETING",
        "PROPOSAL",
        "CUSTOMER",
    }
    assert all(o["pointOfContactId"] and o["amount"]["amountMicros"] > 0 for o in opportunities)
    assert len(a.records("noteTarget")) == 30 and len(a.records("workspaceMember")) == 5


def test_morph_relation_field_creates_one_field_per_target() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    person, company = ws.object_by_name("person"), ws.object_by_name("company")
    assert person is not None and company is not None
    first = ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "MORPH_RELATION",
            "name": "owner",
            "label": "Owner",
            "morphRelationsCreationPayload": [
                {
                    "type": "MANY_TO_ONE",
                    "targetObjectMetadataId": person.id,
                    "targetFieldLabel": "Owned pets",
                },
                {
                    "type": "MANY_TO_ONE",
                    "targetObjectMetadataId": company.id,
                    "targetFieldLabel": "Owned pets",
                },
            ],
        }
    )
    assert first.name == "ownerPerson" and first.type == "MORPH_RELATION"
    morphs = ws.morph_relations(first.id)
    assert [r.sourceFieldMetadata.name for r in morphs] == ["ownerPerson", "ownerCompany"]
    assert {r.targetFieldMetadata.name for r in morphs} == {"ownedPets"}
    assert len({r.sourceFieldMetadata.morphId for r in morphs}) == 1
    [c] = core.ok('mutation { createCompanies(data: [{name: "Zoo"}]) { id } }')["createCompanies"]
    core.ok(
        'mutation($c: ID) { createPet(data: {name: "Rex", ownerCompanyId: $c}) { id } }', c=c["id"]
    )
    got = core.ok(
        "{ companies { edges { node { ownedPets { edges { node { name ownerCompany { name } ownerPerson { id } } } } } } } }"
    )
    assert got["companies"]["edges"][0]["node"]["ownedPets"]["edges"] == [
        {"node": {"name": "Rex", "ownerCompany": {"name": "Zoo"}, "ownerPerson": None}}
    ]
    with pytest.raises(TwentyApiError, match="morphRelationsCreationPayload"):
        ws.create_field(
            {"objectMetadataId": pet.id, "type": "MORPH_RELATION", "name": "vet", "label": "Vet"}
        )


def test_making_a_field_unique_checks_existing_values() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    company = ws.object_by_name("company")
    assert company is not None
    name = next(f for f in ws.fields(company.id) if f.name == "name")
    core.ok('mutation { createCompanies(data: [{name: "Twin"}, {name: "Twin"}]) { id } }')
    with pytest.raises(TwentyApiError, match="duplicate values"):
        ws.update_field(name.id, {"isUnique": True})
    assert not ws.field(name.id).isUnique
    core.ok('mutation { deleteCompanies(filter: {name: {eq: "Twin"}}) { id } }')
    ws.update_field(name.id, {"isUnique": True})
    core.ok('mutation { createCompany(data: {name: "Solo"}) { id } }')
    [error] = core.err('mutation { createCompany(data: {name: "Solo"}) { id } }')
    assert error["message"] == "Duplicate Name. Please set a unique one."


def test_indexes_follow_unique_fields() -> None:
    ws = Workspace("standard")
    company = ws.object_by_name("company")
    assert company is not None
    indexes = ws.indexes(company.id)
    unique = [i for i in indexes if i.isUnique]
    assert len(unique) == 1 and unique[0].indexType == "BTREE"
    [part] = unique[0].indexFieldMetadataList
    domain = next(f for f in ws.fields(company.id) if f.name == "domainName")
    assert part.fieldMetadataId == domain.id and part.subFieldName == "primaryLinkUrl"
    assert [i.indexType for i in indexes if not i.isUnique] == ["GIN"]
    assert ws.indexes(company.id) == indexes  # stable ids


def test_date_field_round_trip_filter_and_group() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    ws.create_field({"objectMetadataId": pet.id, "type": "DATE", "name": "born", "label": "Born"})
    assert str(ws.core_schema.get_type("Pet").fields["born"].type) == "Date"  # type: ignore[union-attr]
    core.ok(
        'mutation { createPets(data: [{name: "a", born: "2020-02-29"}, {name: "b", born: "2021-06-01"}, {name: "c", born: "2021-12-31"}]) { id } }'
    )
    got = core.ok(
        '{ pets(filter: {born: {gte: "2021-01-01"}}, orderBy: [{born: DescNullsLast}]) { edges { node { born } } } }'
    )
    assert [e["node"]["born"] for e in got["pets"]["edges"]] == ["2021-12-31", "2021-06-01"]
    groups = core.ok(
        "{ petsGroupBy(groupBy: [{born: {granularity: YEAR}}]) { groupByDimensionValues totalCount } }"
    )
    assert {g["groupByDimensionValues"][0]: g["totalCount"] for g in groups["petsGroupBy"]} == {
        "2020": 1,
        "2021": 2,
    }
    [error] = core.err('mutation { createPet(data: {born: "29/02/2020"}) { id } }')
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_names_that_would_clash_with_generated_types_are_refused() -> None:
    ws = Workspace("standard")
    version = ws.schema_version
    with pytest.raises(TwentyApiError, match="valid schema") as info:
        ws.create_object({**PET, "nameSingular": "filterIs", "namePlural": "filterIsList"})
    assert info.value.code == "BAD_USER_INPUT"
    with pytest.raises(TwentyApiError, match="valid schema"):
        ws.create_object(
            {**PET, "nameSingular": "companyConnection", "namePlural": "companyConnections"}
        )
    assert ws.schema_version == version and ws.object_by_name("filterIs") is None
    assert "companies" in ws.core_schema.query_type.fields  # type: ignore[union-attr]
    assert Core(ws).ok("{ companies { totalCount } }") == {"companies": {"totalCount": 0}}
    ws.create_object(PET)  # and the workspace still accepts valid changes


def test_root_field_clash_is_refused() -> None:
    ws = Workspace("standard")
    with pytest.raises(TwentyApiError, match="root field companiesGroupBy"):
        ws.create_object(
            {**PET, "nameSingular": "companiesGroupBy", "namePlural": "companiesGroupBys"}
        )
    assert ws.object_by_name("companiesGroupBy") is None


def test_data_path_directory_and_demo_seed_persist(tmp_path: Path) -> None:
    ws = Workspace("demo", data_path=tmp_path)
    assert (tmp_path / "twenty-emulator.sqlite3").exists()
    before = ws.records("person")
    Core(ws).ok('mutation { createPerson(data: {jobTitle: "new"}) { id } }')
    ws.close()
    again = Workspace("demo", data_path=tmp_path)  # loads, does not reseed
    people = again.records("person")
    assert len(people) == len(before) + 1
    assert people[: len(before)] == before
    again.close()


def test_renaming_a_many_to_one_field_moves_its_join_column() -> None:
    ws = Workspace("standard")
    core = Core(ws)
    pet = ws.create_object(PET)
    company = ws.object_by_name("company")
    assert company is not None
    owner = ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "RELATION",
            "name": "owner",
            "label": "Owner",
            "relationCreationPayload": {
                "type": "MANY_TO_ONE",
                "targetObjectMetadataId": company.id,
                "targetFieldLabel": "Pets",
            },
        }
    )
    [c] = core.ok('mutation { createCompanies(data: [{name: "Zoo"}]) { id } }')["createCompanies"]
    core.ok('mutation($c: ID) { createPet(data: {name: "Rex", ownerId: $c}) { id } }', c=c["id"])
    ws.update_field(owner.id, {"name": "keeper", "label": "Keeper"})
    assert ws.field(owner.id).joinColumnName == "keeperId"
    got = core.ok("{ pets { edges { node { keeperId keeper { name } } } } }")
    assert got["pets"]["edges"][0]["node"] == {"keeperId": c["id"], "keeper": {"name": "Zoo"}}
    assert (
        core.ok("query($c: UUID) { pets(filter: {keeperId: {eq: $c}}) { totalCount } }", c=c["id"])[
            "pets"
        ]["totalCount"]
        == 1
    )


def test_reset_restores_the_seed(tmp_path: Path) -> None:
    ws = Workspace("demo", data_path=tmp_path / "db.sqlite3")
    core = Core(ws)
    demo_people = ws.records("person")
    ws.create_object(PET)
    core.ok('mutation { createPerson(data: {jobTitle: "extra"}) { id } }')
    version = ws.schema_version
    ws.reset()
    assert ws.object_by_name("pet") is None and ws.schema_version > version
    assert ws.records("person") == demo_people
    assert "pets" not in ws.core_schema.query_type.fields  # type: ignore[union-attr]
    ws.reset("empty")
    assert ws.objects() == [] and ws.seed == "empty"
    ws.close()
    reopened = Workspace("standard", data_path=tmp_path / "db.sqlite3")
    assert reopened.objects() == []  # the reset was persisted
    reopened.close()
    with pytest.raises(ValueError, match="unknown seed"):
        ws.reset("nope")


def test_null_attributes_in_updates_are_ignored_unless_nullable() -> None:
    ws = Workspace("standard")
    pet = ws.create_object({**PET, "description": "Pets"})
    ws.update_object(pet.id, {"isActive": None, "labelSingular": None, "description": None})
    assert pet.isActive is True and pet.labelSingular == "Pet" and pet.description is None
    assert "pets" in ws.core_schema.query_type.fields  # type: ignore[union-attr]
    color = ws.create_field(
        {
            "objectMetadataId": pet.id,
            "type": "TEXT",
            "name": "color",
            "label": "Color",
            "defaultValue": "'red'",
        }
    )
    ws.update_field(color.id, {"isNullable": None, "name": None, "defaultValue": None})
    assert color.isNullable is True and color.name == "color" and color.defaultValue is None
