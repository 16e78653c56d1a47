"""The core schema builder on small hand-made metadata (twenty-api.md §1-§2)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    parse,
    validate_schema,
)

from twenty_gql.testing.execution import nested_one_to_many
from twenty_gql.testing.model import FieldMeta, ObjectMeta, deterministic_id
from twenty_gql.testing.schema_builder import CoreSchemaBuilder
from twenty_gql.testing.views import AggregateSpec, ObjectView, ResolverProvider, make_views


class NoResolvers(ResolverProvider):
    def root(self, method: str, view: ObjectView) -> Any:
        return lambda *_a, **_k: None

    def many_to_one(self, view: ObjectView, fld: FieldMeta) -> Any:
        return lambda *_a, **_k: None

    def one_to_many(self, view: ObjectView, fld: FieldMeta) -> Any:
        return lambda *_a, **_k: None

    def aggregate(self, spec: AggregateSpec) -> Any:
        return lambda *_a, **_k: None

    def empty(self) -> Any:
        return lambda *_a, **_k: None

    def search(self) -> Any:
        return lambda *_a, **_k: None


def fld(obj: ObjectMeta, name: str, type: str, **kw: Any) -> FieldMeta:
    f = FieldMeta(
        id=deterministic_id("t", obj.nameSingular, name),
        objectMetadataId=obj.id,
        type=type,
        name=name,
        label=name.title(),
        **kw,
    )
    obj.fieldIds.append(f.id)
    return f


def obj(name: str, plural: str, **kw: Any) -> ObjectMeta:
    return ObjectMeta(
        id=deterministic_id("o", name),
        nameSingular=name,
        namePlural=plural,
        labelSingular=name,
        labelPlural=plural,
        **kw,
    )


def build(
    objects: list[ObjectMeta], fields: list[FieldMeta]
) -> tuple[GraphQLSchema, CoreSchemaBuilder]:
    views = make_views({o.id: o for o in objects}, {f.id: f for f in fields})
    builder = CoreSchemaBuilder(list(views.values()), NoResolvers())
    schema = builder.build()
    assert validate_schema(schema) == []
    return schema, builder


def relate(
    a: ObjectMeta, a_name: str, b: ObjectMeta, b_name: str, nullable: bool = True
) -> list[FieldMeta]:
    """a.a_name MANY_TO_ONE -> b ; b.b_name ONE_TO_MANY -> a"""
    many = fld(
        a,
        a_name,
        "RELATION",
        isNullable=nullable,
        settings={"relationType": "MANY_TO_ONE", "joinColumnName": f"{a_name}Id"},
    )
    one = fld(b, b_name, "RELATION", settings={"relationType": "ONE_TO_MANY"})
    many.relationTargetObjectMetadataId, many.relationTargetFieldMetadataId = b.id, one.id
    one.relationTargetObjectMetadataId, one.relationTargetFieldMetadataId = a.id, many.id
    return [many, one]


@pytest.fixture
def small() -> tuple[GraphQLSchema, CoreSchemaBuilder]:
    team = obj("team", "teams", duplicateCriteria=[["name"]])
    player = obj("player", "players")
    fields = [
        fld(team, "id", "UUID", isNullable=False, defaultValue="uuid"),
        fld(team, "name", "TEXT"),
        fld(team, "founded", "DATE"),
        fld(team, "budget", "CURRENCY"),
        fld(team, "website", "LINKS", isUnique=True),
        fld(team, "active", "BOOLEAN", isNullable=False, defaultValue=True),
        fld(team, "code", "TEXT", isNullable=False),
        fld(player, "id", "UUID", isNullable=False, defaultValue="uuid"),
        fld(player, "goals", "NUMBER", settings={"dataType": "int"}),
        fld(player, "salary", "NUMBER", settings={"dataType": "bigint"}),
        fld(player, "rating", "NUMBER"),
        fld(player, "score", "NUMERIC"),
        fld(
            player,
            "role",
            "SELECT",
            isNullable=False,
            defaultValue="'GK'",
            options=[
                {"value": "GK", "label": "Goalkeeper", "position": 0},
                {"value": "FW", "label": "Forward", "position": 1},
            ],
        ),
        fld(player, "skills", "MULTI_SELECT", options=[{"value": "SPEED", "label": "Speed"}]),
        fld(player, "stars", "RATING"),
        fld(player, "nicknames", "ARRAY"),
        fld(player, "extra", "RAW_JSON"),
        fld(player, "photos", "FILES"),
        fld(player, "bio", "RICH_TEXT"),
        fld(
            player,
            "createdBy",
            "ACTOR",
            isNullable=False,
            defaultValue={"source": "'MANUAL'", "name": "'System'"},
        ),
        fld(player, "position", "POSITION", isNullable=False, defaultValue=0),
    ]
    fields += relate(player, "team", team, "players")
    return build([team, player], fields)


def field_types(t: Any) -> dict[str, str]:
    return {name: str(f.type) for name, f in t.fields.items()}


def test_object_type_nullability_and_scalars(
    small: tuple[GraphQLSchema, CoreSchemaBuilder],
) -> None:
    schema, _ = small
    team = field_types(schema.get_type("Team"))
    assert team["id"] == "UUID!" and team["name"] == "String" and team["founded"] == "Date"
    assert (
        team["budget"] == "Currency" and team["active"] == "Boolean!" and team["code"] == "String!"
    )
    player = field_types(schema.get_type("Player"))
    assert player["goals"] == "Int" and player["salary"] == "BigInt" and player["rating"] == "Float"
    assert player["score"] == "BigFloat" and player["role"] == "PlayerRoleEnum!"
    assert player["skills"] == "[PlayerSkillsEnum]" and player["stars"] == "PlayerStarsEnum"
    assert player["nicknames"] == "[String]" and player["extra"] == "JSON"
    assert player["photos"] == "[FileObject]" and player["bio"] == "RichText"
    assert player["createdBy"] == "Actor!" and player["position"] == "Position!"
    assert player["teamId"] == "ID" and player["team"] == "Team"
    assert team["players"] == "PlayerConnection"
    players = schema.get_type("Team").fields["players"]  # type: ignore[union-attr]
    assert list(players.args) == ["filter", "orderBy", "first", "last", "offset", "before", "after"]


def test_enums_use_option_values_and_label_descriptions(
    small: tuple[GraphQLSchema, CoreSchemaBuilder],
) -> None:
    schema, _ = small
    role = schema.get_type("PlayerRoleEnum")
    assert isinstance(role, GraphQLEnumType)
    assert {k: v.description for k, v in role.values.items()} == {
        "GK": "Goalkeeper",
        "FW": "Forward",
    }
    stars = schema.get_type("PlayerStarsEnum")
    assert isinstance(stars, GraphQLEnumType) and list(stars.values) == [
        f"RATING_{i}" for i in range(1, 6)
    ]
    role_filter = field_types(schema.get_type("PlayerRoleEnumFilter"))
    assert role_filter["in"] == "[PlayerRoleEnum]" and "gt" in role_filter
    assert "gt" not in field_types(schema.get_type("PlayerSkillsEnumFilter"))
    assert (
        str(schema.get_type("PlayerFilterInput").fields["skills"].type) == "PlayerSkillsEnumFilter"
    )  # type: ignore[union-attr]


def test_create_update_inputs(small: tuple[GraphQLSchema, CoreSchemaBuilder]) -> None:
    schema, _ = small
    create = field_types(schema.get_type("TeamCreateInput"))
    assert create["id"] == "ID" and create["code"] == "String!" and create["active"] == "Boolean"
    assert create["website"] == "LinksCreateInput" and create["budget"] == "CurrencyCreateInput"
    assert "players" not in create
    pcreate = field_types(schema.get_type("PlayerCreateInput"))
    assert pcreate["teamId"] == "ID" and pcreate["team"] == "TeamRelationInput"
    assert pcreate["role"] == "PlayerRoleEnum" and pcreate["skills"] == "[PlayerSkillsEnum]"
    assert pcreate["photos"] == "[FileInput]" and pcreate["createdBy"] == "ActorCreateInput"
    assert field_types(schema.get_type("ActorCreateInput")) == {
        "source": "ActorSourceEnum",
        "context": "JSON",
    }
    update = field_types(schema.get_type("TeamUpdateInput"))
    assert all(not t.endswith("!") for t in update.values())
    assert update["website"] == "LinksUpdateInput"
    relation = field_types(schema.get_type("TeamRelationInput"))
    assert relation == {"connect": "TeamConnectInput", "disconnect": "Boolean"}
    assert field_types(schema.get_type("TeamConnectInput")) == {"where": "TeamWhereUniqueInput!"}
    assert field_types(schema.get_type("TeamWhereUniqueInput")) == {
        "id": "UUID",
        "website": "TeamWebsiteWhereInput",
    }
    assert field_types(schema.get_type("TeamWebsiteWhereInput")) == {"primaryLinkUrl": "String"}


def test_filter_order_group_inputs(small: tuple[GraphQLSchema, CoreSchemaBuilder]) -> None:
    schema, _ = small
    filt = field_types(schema.get_type("PlayerFilterInput"))
    assert filt["id"] == "UUIDFilter" and filt["teamId"] == "UUIDFilter" and "team" not in filt
    assert (
        filt["goals"] == "IntFilter"
        and filt["salary"] == "BigIntFilter"
        and filt["score"] == "BigFloatFilter"
    )
    assert (
        filt["nicknames"] == "ArrayFilter"
        and filt["extra"] == "RawJsonFilter"
        and filt["photos"] == "RawJsonFilter"
    )
    assert filt["bio"] == "RichTextFilter" and filt["position"] == "FloatFilter"
    assert filt["and"] == "[PlayerFilterInput]" and filt["not"] == "PlayerFilterInput"
    assert field_types(schema.get_type("TeamFilterInput"))["founded"] == "DateFilter"
    assert field_types(schema.get_type("StringFilter"))["in"] == "[String!]"
    assert field_types(schema.get_type("UUIDFilter")) == {
        "eq": "UUID",
        "neq": "UUID",
        "in": "[UUID]",
        "is": "FilterIs",
    }
    order = field_types(schema.get_type("PlayerOrderByInput"))
    assert order["teamId"] == "OrderByDirection" and order["team"] == "TeamOrderByInput"
    assert order["createdBy"] == "ActorOrderByInput"
    group = field_types(schema.get_type("TeamGroupByInput"))
    assert group["founded"] == "GroupByDateGranularityInput" and group["name"] == "Boolean"
    assert group["budget"] == "CurrencyGroupByInput"
    owg = field_types(schema.get_type("TeamOrderByWithGroupByInput"))
    assert (
        owg["aggregate"] == "TeamOrderByWithGroupByAggregateInput"
        and owg["founded"] == "OrderByDateGranularityInput"
    )


def test_connection_and_aggregates(small: tuple[GraphQLSchema, CoreSchemaBuilder]) -> None:
    schema, _ = small
    conn = field_types(schema.get_type("TeamConnection"))
    assert (
        conn["edges"] == "[TeamEdge!]!"
        and conn["pageInfo"] == "PageInfo!"
        and conn["totalCount"] == "Int"
    )
    assert conn["minFounded"] == "DateTime" and conn["countTrueActive"] == "Int"
    assert conn["sumBudgetAmountMicros"] == "Float" and conn["percentageEmptyName"] == "Float"
    assert "countEmptyPlayers" not in conn
    pconn = field_types(schema.get_type("PlayerConnection"))
    assert pconn["avgGoals"] == "Float" and "avgScore" not in pconn
    assert field_types(schema.get_type("TeamEdge")) == {"node": "Team!", "cursor": "Cursor!"}
    assert field_types(schema.get_type("PageInfo")) == {
        "startCursor": "ConnectionCursor",
        "endCursor": "ConnectionCursor",
        "hasNextPage": "Boolean!",
        "hasPreviousPage": "Boolean!",
    }
    group_conn = field_types(schema.get_type("TeamGroupByConnection"))
    assert (
        group_conn["groupByDimensionValues"] == "[String!]!" and group_conn["totalCount"] == "Int"
    )


def args_of(field: Any) -> dict[str, str]:
    return {name: str(a.type) for name, a in field.args.items()}


def test_root_fields_and_args(small: tuple[GraphQLSchema, CoreSchemaBuilder]) -> None:
    schema, _ = small
    q = schema.query_type
    m = schema.mutation_type
    assert q is not None and m is not None
    assert list(q.fields) == [
        "teams",
        "team",
        "teamDuplicates",
        "teamsGroupBy",
        "players",
        "player",
        "playersGroupBy",
        "search",
    ]
    assert str(q.fields["search"].type) == "SearchResultConnection!"
    assert str(q.fields["teams"].type) == "TeamConnection"
    assert args_of(q.fields["team"]) == {"filter": "TeamFilterInput!"}
    assert args_of(q.fields["teamDuplicates"]) == {"ids": "[UUID]", "data": "[TeamCreateInput]"}
    assert str(q.fields["teamDuplicates"].type) == "[TeamConnection!]"
    assert args_of(q.fields["teamsGroupBy"]) == {
        "groupBy": "[TeamGroupByInput!]!",
        "filter": "TeamFilterInput",
        "orderBy": "[TeamOrderByWithGroupByInput]",
        "orderByForRecords": "[TeamOrderByInput]",
        "viewId": "UUID",
        "limit": "Int",
        "offsetForRecords": "Int",
    }
    assert args_of(m.fields["createTeams"]) == {"data": "[TeamCreateInput!]!", "upsert": "Boolean"}
    assert str(m.fields["createTeams"].type) == "[Team!]"
    assert args_of(m.fields["updateTeam"]) == {"id": "UUID!", "data": "TeamUpdateInput!"}
    assert args_of(m.fields["updateTeams"]) == {
        "data": "TeamUpdateInput!",
        "filter": "TeamFilterInput!",
    }
    assert args_of(m.fields["destroyTeam"]) == {"id": "UUID!"}
    assert args_of(m.fields["mergeTeams"]) == {
        "ids": "[UUID!]!",
        "conflictPriorityIndex": "Int!",
        "dryRun": "Boolean",
    }
    assert "mergePlayers" not in m.fields and "playerDuplicates" not in q.fields


def test_relation_to_inactive_object_is_left_out() -> None:
    team = obj("team", "teams")
    player = obj("player", "players")
    fields = [
        fld(team, "id", "UUID", isNullable=False),
        fld(player, "id", "UUID", isNullable=False),
    ]
    fields += relate(player, "team", team, "players", nullable=False)
    schema, _ = build([team, player], fields)
    assert str(schema.get_type("Player").fields["teamId"].type) == "ID!"  # type: ignore[union-attr]
    team.isActive = False
    schema, _ = build([team, player], fields)
    assert schema.get_type("Team") is None
    assert set(schema.get_type("Player").fields) == {"id"}  # type: ignore[union-attr]


def test_nested_one_to_many_detection(small: tuple[GraphQLSchema, CoreSchemaBuilder]) -> None:
    schema, builder = small
    ok = parse("{ teams { edges { node { players { edges { node { team { name } } } } } } } }")
    assert nested_one_to_many(schema, ok, builder.one_to_many) is None
    bad = parse(
        "query { teams { edges { node { ... on Team { players { edges { node { team { ...T } } } } } } } } }"
        " fragment T on Team { players { totalCount } }"
    )
    assert nested_one_to_many(schema, bad, builder.one_to_many) == "players"


def test_empty_metadata_still_has_a_query_root() -> None:
    schema, _ = build([], [])
    assert schema.query_type is not None and list(schema.query_type.fields) == ["_empty"]
    assert schema.mutation_type is None


def test_types_are_deterministic() -> None:
    from graphql import print_schema

    from twenty_gql.testing.workspace import Workspace

    a = print_schema(Workspace("standard").core_schema)
    b = print_schema(Workspace("standard").core_schema)
    assert a == b


def test_input_and_object_kinds(small: tuple[GraphQLSchema, CoreSchemaBuilder]) -> None:
    schema, _ = small
    assert isinstance(schema.get_type("TeamFilterInput"), GraphQLInputObjectType)
    assert isinstance(schema.get_type("Links"), GraphQLObjectType)
    assert isinstance(schema.get_type("OrderByDirection"), GraphQLEnumType)
    assert list(schema.get_type("OrderByDirection").values) == [  # type: ignore[union-attr]
        "AscNullsFirst",
        "AscNullsLast",
        "DescNullsFirst",
        "DescNullsLast",
    ]
