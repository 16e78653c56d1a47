"""/metadata resolvers and REST metadata over raw HTTP; a data-model change through /metadata
is visible at once on /graphql."""

from __future__ import annotations

from typing import Any

from .conftest import Http, codes

CREATE_OBJECT = """
mutation($input: CreateOneObjectInput!) {
  createOneObject(input: $input) { id nameSingular namePlural isActive fieldsList { name type } }
}"""

CREATE_FIELD = """
mutation($input: CreateOneFieldMetadataInput!) {
  createOneField(input: $input) {
    id name type objectMetadataId
    object { nameSingular }
    relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name } }
  }
}"""


async def _object_id(http: Http, name: str) -> str:
    data = await http.meta(
        "{ objects(paging: {first: 1000}) { edges { node { id nameSingular } } } }"
    )
    ids = [e["node"]["id"] for e in data["objects"]["edges"] if e["node"]["nameSingular"] == name]
    assert len(ids) == 1, name
    return str(ids[0])


async def test_custom_object_and_relation_then_used_through_graphql(http: Http) -> None:
    data = await http.meta(
        CREATE_OBJECT,
        {
            "input": {
                "object": {
                    "nameSingular": "pet",
                    "namePlural": "pets",
                    "labelSingular": "Pet",
                    "labelPlural": "Pets",
                }
            }
        },
    )
    pet = data["createOneObject"]
    assert pet["nameSingular"] == "pet" and pet["isActive"] is True
    default_fields = {f["name"] for f in pet["fieldsList"]}
    assert {"id", "name", "createdAt", "updatedAt", "deletedAt", "position"} <= default_fields
    person_id = await _object_id(http, "person")
    data = await http.meta(
        CREATE_FIELD,
        {
            "input": {
                "field": {
                    "objectMetadataId": pet["id"],
                    "type": "RELATION",
                    "name": "owner",
                    "label": "Owner",
                    "relationCreationPayload": {
                        "type": "MANY_TO_ONE",
                        "targetObjectMetadataId": person_id,
                        "targetFieldLabel": "Pets",
                        "targetFieldIcon": "IconCat",
                    },
                }
            }
        },
    )
    field = data["createOneField"]
    assert field["object"] == {"nameSingular": "pet"}
    assert field["relation"] == {
        "type": "MANY_TO_ONE",
        "targetObjectMetadata": {"nameSingular": "person"},
        "targetFieldMetadata": {"name": "pets"},
    }
    # the core schema was rebuilt: createPets / pets / person.pets exist now
    person = await http.gql(
        'mutation { createPerson(data: {name: {firstName: "Ada", lastName: "L"}}) { id } }'
    )
    person_id_rec = person["createPerson"]["id"]
    created = await http.gql(
        "mutation($data: [PetCreateInput!]!) { createPets(data: $data) { id name owner { id } } }",
        {"data": [{"name": "Rex", "ownerId": person_id_rec}, {"name": "Tom"}]},
    )
    assert [p["name"] for p in created["createPets"]] == ["Rex", "Tom"]
    assert created["createPets"][0]["owner"] == {"id": person_id_rec}
    data = await http.gql(
        "query($id: UUID!) { person(filter: {id: {eq: $id}}) { pets { edges { node { name } } } } }",
        {"id": person_id_rec},
    )
    assert [e["node"]["name"] for e in data["person"]["pets"]["edges"]] == ["Rex"]


async def test_objects_paging_and_filter(http: Http) -> None:
    q = """query($paging: CursorPaging!, $filter: ObjectFilter!) {
      objects(paging: $paging, filter: $filter) {
        edges { cursor node { id isSystem } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after: Any = None
    while True:
        paging: dict[str, Any] = {"first": 2}
        if after:
            paging["after"] = after
        data = await http.meta(q, {"paging": paging, "filter": {"isSystem": {"is": False}}})
        conn = data["objects"]
        seen += [e["node"]["id"] for e in conn["edges"]]
        assert all(e["node"]["isSystem"] is False for e in conn["edges"])
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) > 2
    assert seen == sorted(seen)
    every = await http.meta("{ objects(paging: {first: 1000}) { edges { node { id isSystem } } } }")
    expected = sorted(
        e["node"]["id"] for e in every["objects"]["edges"] if not e["node"]["isSystem"]
    )
    assert seen == expected
    default = await http.meta("{ objects { edges { node { id } } } }")
    assert len(default["objects"]["edges"]) == 10  # paging default {first: 10}
    two = await http.meta(
        "query($ids: [UUID!]) { objects(filter: {or: [{id: {in: $ids}}]}) { edges { node { id } } } }",
        {"ids": seen[:2]},
    )
    assert [e["node"]["id"] for e in two["objects"]["edges"]] == seen[:2]


async def test_fields_filter_by_object_and_field_by_id(http: Http) -> None:
    company_id = await _object_id(http, "company")
    data = await http.meta(
        """query($id: UUID!) { fields(paging: {first: 1000}, filter: {objectMetadataId: {eq: $id}})
             { edges { node { id name objectMetadataId } } } }""",
        {"id": company_id},
    )
    nodes = [e["node"] for e in data["fields"]["edges"]]
    assert {"name", "domainName", "people"} <= {n["name"] for n in nodes}
    assert {n["objectMetadataId"] for n in nodes} == {company_id}
    one = await http.meta(
        "query($id: UUID!) { field(id: $id) { name object { nameSingular } } }",
        {"id": nodes[0]["id"]},
    )
    assert one["field"]["object"]["nameSingular"] == "company"


async def test_not_found_and_not_emulated(http: Http) -> None:
    status, body = await http.post(
        "/metadata",
        'query { object(id: "00000000-0000-4000-8000-000000000000") { id } }',
    )
    assert status == 200 and codes(body) == ["NOT_FOUND"]
    assert "Unable to find ObjectMetadataEntity" in body["errors"][0]["message"]
    status, body = await http.post("/metadata", "{ apiKeys { id } }")
    assert codes(body) == ["METHOD_NOT_ALLOWED"]
    err = body["errors"][0]
    assert err["extensions"]["subCode"] == "NOT_EMULATED"
    assert err["message"].startswith("apiKeys is not emulated")
    assert err["extensions"]["userFriendlyMessage"]


async def test_update_and_delete_through_metadata(http: Http) -> None:
    data = await http.meta(
        CREATE_OBJECT,
        {
            "input": {
                "object": {
                    "nameSingular": "gadget",
                    "namePlural": "gadgets",
                    "labelSingular": "Gadget",
                    "labelPlural": "Gadgets",
                }
            }
        },
    )
    gid = data["createOneObject"]["id"]
    await http.meta(
        'mutation($id: UUID!) { updateOneObject(input: {id: $id, update: {labelPlural: "Gizmos"}}) { id } }',
        {"id": gid},
    )
    got = await http.meta("query($id: UUID!) { object(id: $id) { labelPlural } }", {"id": gid})
    assert got["object"]["labelPlural"] == "Gizmos"
    await http.gql("{ gadgets { totalCount } }")
    await http.meta(
        "mutation($id: UUID!) { deleteOneObject(input: {id: $id}) { id } }", {"id": gid}
    )
    _status, body = await http.post("/graphql", "{ gadgets { totalCount } }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


async def test_rest_metadata_shapes_paging_and_errors(http: Http) -> None:
    status, body = await http.get("/rest/metadata/objects?limit=3")
    assert status == 200
    objects = body["data"]["objects"]
    assert len(objects) == 3 and body["pageInfo"]["hasNextPage"] is True
    assert isinstance(objects[0]["fields"], list) and "name" in objects[0]["fields"][0]
    status, nxt = await http.get(
        f"/rest/metadata/objects?limit=3&starting_after={objects[-1]['id']}"
    )
    assert status == 200 and nxt["data"]["objects"][0]["id"] > objects[-1]["id"]
    status, prev = await http.get(
        f"/rest/metadata/objects?limit=2&ending_before={objects[-1]['id']}"
    )
    assert [o["id"] for o in prev["data"]["objects"]] == [o["id"] for o in objects[:2]]
    status, one = await http.get(f"/rest/metadata/objects/{objects[0]['id']}")
    assert status == 200 and one["data"]["object"]["id"] == objects[0]["id"]
    field_id = objects[0]["fields"][0]["id"]
    status, fld = await http.get(f"/rest/metadata/fields/{field_id}")
    assert status == 200 and fld["data"]["field"]["id"] == field_id
    status, fields = await http.get("/rest/metadata/fields?limit=5")
    assert status == 200 and len(fields["data"]["fields"]) == 5

    for path, want in [
        ("/rest/metadata/picklists", 400),
        ("/rest/metadata/objects/a/b", 400),
        ("/rest/metadata/objects?limit=abc", 400),
        (f"/rest/metadata/objects?starting_after={field_id}&ending_before={field_id}", 400),
        ("/rest/metadata/objects/not-a-uuid", 400),
        ("/rest/metadata/objects/00000000-0000-4000-8000-000000000000", 404),
        ("/rest/companies", 404),
    ]:
        status, err = await http.get(path)
        assert status == want, (path, err)
        assert err["statusCode"] == want and isinstance(err["messages"], list), path
    status, err = await http.get("/rest/metadata/picklists")
    assert err["messages"][0].startswith("Query path '/rest/metadata/picklists' invalid.")
