"""The standard seed extended from Twenty's standard objects (issue 16): messaging, calendar,
connected accounts and their channels, blocklist, workflows and their triggers, dashboards,
favorite folders, linked both ways."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from twenty_gql.testing.seeds import demo_records
from twenty_gql.testing.workspace import Workspace

from .conftest import Core

NEW = {
    "blocklist",
    "favoriteFolder",
    "dashboard",
    "workflow",
    "workflowVersion",
    "workflowRun",
    "connectedAccount",
    "messageThread",
    "message",
    "messageParticipant",
    "calendarEvent",
    "calendarEventParticipant",
    "messageChannel",
    "messageChannelMessageAssociation",
    "messageFolder",
    "calendarChannel",
    "calendarChannelEventAssociation",
    "workflowAutomatedTrigger",
}


def relation_pairs(ws: Workspace) -> set[tuple[str, str, str, str]]:
    out = set()
    for fld in ws.fields():
        rel = ws.relation(fld.id)
        if rel is not None:
            out.add(
                (
                    rel.sourceObjectMetadata.nameSingular,
                    rel.sourceFieldMetadata.name,
                    rel.targetObjectMetadata.nameSingular,
                    rel.targetFieldMetadata.name,
                )
            )
    return out


def test_new_objects_and_their_relations_both_ways() -> None:
    ws = Workspace("standard")
    names = {o.nameSingular for o in ws.objects()}
    assert names >= NEW and len(names) == 29
    pairs = relation_pairs(ws)
    for pair in (
        ("person", "messageParticipants", "messageParticipant", "person"),
        ("workspaceMember", "messageParticipants", "messageParticipant", "workspaceMember"),
        ("person", "calendarEventParticipants", "calendarEventParticipant", "person"),
        ("workspaceMember", "connectedAccounts", "connectedAccount", "accountOwner"),
        ("workspaceMember", "blocklist", "blocklist", "workspaceMember"),
        ("favorite", "workflow", "workflow", "favorites"),
        ("favorite", "favoriteFolder", "favoriteFolder", "favorites"),
        ("favorite", "dashboard", "dashboard", "favorites"),
        ("workflowRun", "workflowVersion", "workflowVersion", "runs"),
        ("message", "messageThread", "messageThread", "messages"),
        ("timelineActivity", "targetWorkflowRun", "workflowRun", "timelineActivities"),
        ("messageChannel", "connectedAccount", "connectedAccount", "messageChannels"),
        ("calendarChannel", "connectedAccount", "connectedAccount", "calendarChannels"),
        ("messageFolder", "messageChannel", "messageChannel", "messageFolders"),
        (
            "messageChannelMessageAssociation",
            "message",
            "message",
            "messageChannelMessageAssociations",
        ),
        (
            "messageChannelMessageAssociation",
            "messageThread",
            "messageThread",
            "messageChannelMessageAssociations",
        ),
        (
            "messageChannelMessageAssociation",
            "messageChannel",
            "messageChannel",
            "messageChannelMessageAssociations",
        ),
        (
            "calendarChannelEventAssociation",
            "calendarEvent",
            "calendarEvent",
            "calendarChannelEventAssociations",
        ),
        (
            "calendarChannelEventAssociation",
            "calendarChannel",
            "calendarChannel",
            "calendarChannelEventAssociations",
        ),
        ("workflowAutomatedTrigger", "workflow", "workflow", "automatedTriggers"),
    ):
        assert pair in pairs, pair
        inverse = (pair[2], pair[3], pair[0], pair[1])
        assert inverse in pairs, inverse


def test_field_details_from_the_source() -> None:
    ws = Workspace("standard")

    def field(obj: str, name: str) -> object:
        found = ws.object_by_name(obj)
        assert found is not None
        return next(f for f in ws.fields(found.id) if f.name == name)

    assert field("favorite", "position").type == "POSITION"  # type: ignore[attr-defined]
    assert field("favoriteFolder", "position").type == "NUMBER"  # type: ignore[attr-defined]
    for obj in ("workflow", "dashboard"):
        for inverse in ("favorites", "timelineActivities", "attachments"):
            assert field(obj, inverse).isSystem  # type: ignore[attr-defined]
    status = field("workflowRun", "status")
    assert [o["value"] for o in status.options][:3] == ["NOT_STARTED", "RUNNING", "COMPLETED"]  # type: ignore[attr-defined]
    assert status.defaultValue == "'NOT_STARTED'"  # type: ignore[attr-defined]
    assert field("calendarEventParticipant", "isOrganizer").defaultValue is False  # type: ignore[attr-defined]
    assert not field("connectedAccount", "accountOwner").isNullable  # type: ignore[attr-defined]


def test_fixture_marks_what_was_inferred_and_names_its_source() -> None:
    data = json.loads(
        resources.files("twenty_gql.testing").joinpath("data/standard-objects.json").read_text()
    )
    added = [o for o in data["objects"] if o["nameSingular"] in NEW]
    assert len(added) == len(NEW)
    for obj in added:
        assert "compute-" in obj["source"]
        assert obj["inferred"] is True and obj["inferredWhat"]


def test_records_through_the_new_objects(core: Core) -> None:
    data = core.ok(
        """mutation {
          w: createWorkflow(data: {name: "Onboard"}) { id statuses }
          m: createWorkspaceMember(data: {name: {firstName: "Ann", lastName: "Lee"}, userEmail: "ann@x.io", userId: "00000000-0000-4000-8000-000000000001"}) { id }
        }"""
    )
    wid, mid = data["w"]["id"], data["m"]["id"]
    version = core.ok(
        'mutation($w: ID) { createWorkflowVersion(data: {name: "v1", workflowId: $w}) { id status } }',
        w=wid,
    )["createWorkflowVersion"]
    assert version["status"] == "DRAFT"
    run = core.ok(
        'mutation($w: ID!, $v: ID!) { createWorkflowRun(data: {name: "r1", workflowId: $w, '
        "workflowVersionId: $v}) { status state workflow { name } } }",
        w=wid,
        v=version["id"],
    )["createWorkflowRun"]
    assert run == {"status": "NOT_STARTED", "state": {}, "workflow": {"name": "Onboard"}}
    core.ok(
        'mutation($m: ID!) { createConnectedAccount(data: {handle: "ann@x.io", accountOwnerId: $m}) { provider } }',
        m=mid,
    )
    got = core.ok(
        "{ workspaceMembers { edges { node { connectedAccounts { edges { node { handle provider } } } } } } }"
    )
    accounts = [
        e["node"]
        for n in got["workspaceMembers"]["edges"]
        for e in n["node"]["connectedAccounts"]["edges"]
    ]
    assert accounts == [{"handle": "ann@x.io", "provider": "google"}]
    found = core.ok(
        '{ search(searchInput: "onboard", limit: 5) { edges { node { objectNameSingular label } } } }'
    )
    assert {"objectNameSingular": "workflow", "label": "Onboard"} in [
        e["node"] for e in found["search"]["edges"]
    ]


def test_every_relation_in_the_fixture_reaches_the_seed() -> None:
    """No relation of the fixture is dropped for want of its target object any more."""
    data = json.loads(
        resources.files("twenty_gql.testing").joinpath("data/standard-objects.json").read_text()
    )
    ws = Workspace("standard")
    by_name = {o.nameSingular: {f.name for f in ws.fields(o.id)} for o in ws.objects()}
    for obj in data["objects"]:
        for raw in obj["fields"]:
            assert raw["name"] in by_name[obj["nameSingular"]], (obj["nameSingular"], raw["name"])


def test_channel_and_trigger_fields_from_the_source() -> None:
    ws = Workspace("standard")

    def field(obj: str, name: str) -> Any:
        found = ws.object_by_name(obj)
        assert found is not None
        return next(f for f in ws.fields(found.id) if f.name == name)

    stage = field("messageChannel", "syncStage")
    assert stage.defaultValue == "'PENDING_CONFIGURATION'" and not stage.isNullable
    assert [o["value"] for o in stage.options][-1] == "PENDING_CONFIGURATION"
    policy = field("calendarChannel", "contactAutoCreationPolicy")
    assert [o["value"] for o in policy.options] == [
        "AS_PARTICIPANT_AND_ORGANIZER",
        "AS_PARTICIPANT",
        "AS_ORGANIZER",
        "NONE",
    ]
    assert [o["value"] for o in field("workflowAutomatedTrigger", "type").options] == [
        "DATABASE_EVENT",
        "CRON",
    ]
    assert field("workflowAutomatedTrigger", "settings").type == "RAW_JSON"
    assert not field("messageFolder", "messageChannel").isNullable
    assert field("messageChannelMessageAssociation", "direction").defaultValue == "'INCOMING'"
    for obj in ("messageChannel", "messageFolder", "calendarChannelEventAssociation"):
        found = ws.object_by_name(obj)
        assert found is not None and found.isSystem


def test_records_through_the_channels(core: Core) -> None:
    mid = core.ok(
        """mutation { createWorkspaceMember(data: {name: {firstName: "Bo", lastName: "Ng"},
        userEmail: "bo@x.io", userId: "00000000-0000-4000-8000-000000000002"}) { id } }"""
    )["createWorkspaceMember"]["id"]
    account = core.ok(
        'mutation($m: ID!) { createConnectedAccount(data: {handle: "bo@x.io", accountOwnerId: $m}) { id } }',
        m=mid,
    )["createConnectedAccount"]["id"]
    channel = core.ok(
        'mutation($a: ID!) { createMessageChannel(data: {handle: "bo@x.io", connectedAccountId: $a}) '
        "{ id visibility syncStage type isSyncEnabled } }",
        a=account,
    )["createMessageChannel"]
    assert {k: v for k, v in channel.items() if k != "id"} == {
        "visibility": "SHARE_EVERYTHING",
        "syncStage": "PENDING_CONFIGURATION",
        "type": "EMAIL",
        "isSyncEnabled": True,
    }
    core.ok(
        'mutation($c: ID!) { createMessageFolder(data: {name: "INBOX", messageChannelId: $c}) { id } }',
        c=channel["id"],
    )
    thread = core.ok("mutation { createMessageThread(data: {}) { id } }")["createMessageThread"][
        "id"
    ]
    message = core.ok(
        'mutation($t: ID!) { createMessage(data: {subject: "Hi", messageThreadId: $t}) { id } }',
        t=thread,
    )["createMessage"]["id"]
    core.ok(
        "mutation($c: ID!, $t: ID!, $m: ID!) { createMessageChannelMessageAssociation(data: "
        "{messageChannelId: $c, messageThreadId: $t, messageId: $m, direction: OUTGOING}) { id } }",
        c=channel["id"],
        t=thread,
        m=message,
    )
    channels = core.ok(
        "query($a: UUID!) { connectedAccount(filter: {id: {eq: $a}}) "
        "{ messageChannels { edges { node { id } } } } }",
        a=account,
    )["connectedAccount"]["messageChannels"]["edges"]
    assert channels == [{"node": {"id": channel["id"]}}]
    got = core.ok(
        """query($c: UUID!) { messageChannel(filter: {id: {eq: $c}}) {
          connectedAccount { handle }
          messageFolders { edges { node { name } } }
          messageChannelMessageAssociations { edges { node { direction message { subject } } } }
        } }""",
        c=channel["id"],
    )["messageChannel"]
    assert got["connectedAccount"] == {"handle": "bo@x.io"}
    assert got["messageFolders"]["edges"] == [{"node": {"name": "INBOX"}}]
    assert got["messageChannelMessageAssociations"]["edges"] == [
        {"node": {"direction": "OUTGOING", "message": {"subject": "Hi"}}}
    ]
    wid = core.ok('mutation { createWorkflow(data: {name: "Nightly"}) { id } }')["createWorkflow"][
        "id"
    ]
    core.ok(
        "mutation($w: ID!) { createWorkflowAutomatedTrigger(data: {workflowId: $w, type: CRON, "
        'settings: {pattern: "0 2 * * *"}}) { id } }',
        w=wid,
    )
    triggers = core.ok(
        "query($w: UUID!) { workflow(filter: {id: {eq: $w}}) "
        "{ automatedTriggers { edges { node { type settings } } } } }",
        w=wid,
    )["workflow"]["automatedTriggers"]["edges"]
    assert triggers == [{"node": {"type": "CRON", "settings": {"pattern": "0 2 * * *"}}}]


def test_demo_seed_has_favorites_a_mailbox_and_a_calendar() -> None:
    assert demo_records() == demo_records()
    ws = Workspace("demo")
    favorites = ws.execute_core(
        "{ favorites { totalCount edges { node { favoriteFolder { name } "
        "company { id } person { id } opportunity { id } dashboard { title } } } } }"
    )
    assert favorites.errors is None and favorites.data is not None
    nodes = [e["node"] for e in favorites.data["favorites"]["edges"]]
    assert favorites.data["favorites"]["totalCount"] == 6
    assert sorted(n["favoriteFolder"]["name"] for n in nodes if n["favoriteFolder"]) == [
        "Hiring",
        "Key accounts",
        "Key accounts",
    ]
    assert {"title": "Pipeline overview"} in [n["dashboard"] for n in nodes]
    mail = ws.execute_core(
        "{ messages { totalCount edges { node { subject direction messageThread { id } "
        "messageParticipants { edges { node { role handle "
        "person { emails { primaryEmail } } workspaceMember { userEmail } } } } } } } }"
    )
    assert mail.errors is None and mail.data is not None
    assert mail.data["messages"]["totalCount"] == 6
    threads = {e["node"]["messageThread"]["id"] for e in mail.data["messages"]["edges"]}
    assert len(threads) == 3
    for edge in mail.data["messages"]["edges"]:
        parts = [e["node"] for e in edge["node"]["messageParticipants"]["edges"]]
        assert sorted(p["role"] for p in parts) == ["from", "to"]
        for part in parts:
            who = part["person"]["emails"]["primaryEmail"] if part["person"] else None
            member = part["workspaceMember"]["userEmail"] if part["workspaceMember"] else None
            assert part["handle"] == (who or member)
        sender = next(p for p in parts if p["role"] == "from")
        assert (sender["workspaceMember"] is not None) == (edge["node"]["direction"] == "OUTGOING")
    events = ws.execute_core(
        "{ calendarEvents { totalCount edges { node { title calendarChannelEventAssociations "
        "{ edges { node { calendarChannel { handle } } } } calendarEventParticipants "
        "{ edges { node { isOrganizer person { id } workspaceMember { id } } } } } } } }"
    )
    assert events.errors is None and events.data is not None
    assert events.data["calendarEvents"]["totalCount"] == 3
    for edge in events.data["calendarEvents"]["edges"]:
        parts = [e["node"] for e in edge["node"]["calendarEventParticipants"]["edges"]]
        assert [p["workspaceMember"] is not None for p in parts if p["isOrganizer"]] == [True]
        assert any(p["person"] for p in parts)
        assert len(edge["node"]["calendarChannelEventAssociations"]["edges"]) == 1
