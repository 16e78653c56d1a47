"""API-key roles: forbidden operations answered like Twenty (FORBIDDEN / PERMISSION_DENIED)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.cli import build_parser
from twenty_gql.testing.roles import Role

from .conftest import Http

DENIED = {
    "code": "FORBIDDEN",
    "subCode": "PERMISSION_DENIED",
    "userFriendlyMessage": "User does not have permission.",
}
MESSAGE = "Entity performing the request does not have permission"

CREATE = 'mutation { createCompany(data: {name: "Acme"}) { id } }'
COMPANIES = "{ companies { edges { node { id name } } } }"


@pytest.fixture
async def emu_http() -> AsyncIterator[tuple[TwentyEmulator, Http]]:
    async with (
        TwentyEmulator("standard", rate_limit=None) as emu,
        aiohttp.ClientSession() as session,
    ):
        yield emu, Http(session, emu)


async def as_key(http: Http, key: str, query: str, path: str = "/graphql") -> Any:
    status, body = await http.post(path, query, key=key)
    assert status == 200
    return body


def assert_denied(body: Any, root: str | None) -> None:
    assert len(body["errors"]) == 1, body
    error = body["errors"][0]
    assert error["message"] == MESSAGE
    assert error["extensions"] == DENIED
    if root is not None:
        assert body["data"] == {root: None}
        assert error["path"] == [root]


async def test_read_only_key_reads_but_cannot_write(
    emu_http: tuple[TwentyEmulator, Http],
) -> None:
    emu, http = emu_http
    admin_company = await http.gql(CREATE)
    key = emu.issue_key(role="read-only")
    found = await as_key(http, key, COMPANIES)
    assert "errors" not in found
    assert [e["node"]["id"] for e in found["data"]["companies"]["edges"]] == [
        admin_company["createCompany"]["id"]
    ]
    assert_denied(await as_key(http, key, CREATE), "createCompany")
    cid = admin_company["createCompany"]["id"]
    for mutation, root in (
        (
            f'mutation {{ updateCompany(id: "{cid}", data: {{name: "B"}}) {{ id }} }}',
            "updateCompany",
        ),
        (f'mutation {{ deleteCompany(id: "{cid}") {{ id }} }}', "deleteCompany"),
        (f'mutation {{ destroyCompany(id: "{cid}") {{ id }} }}', "destroyCompany"),
    ):
        assert_denied(await as_key(http, key, mutation), root)
    assert [r["name"] for r in emu.workspace.records("company")] == ["Acme"]
    # the metadata API: reads allowed, data-model writes refused
    objects = await as_key(
        http, key, "{ objects(paging: {first: 1}) { edges { node { id } } } }", "/metadata"
    )
    assert "errors" not in objects
    create_object = (
        'mutation { createOneObject(input: {object: {nameSingular: "rocket", namePlural: '
        '"rockets", labelSingular: "Rocket", labelPlural: "Rockets"}}) { id } }'
    )
    refused = await as_key(http, key, create_object, "/metadata")
    assert_denied(refused, None)
    assert refused["data"] is None  # createOneObject is non-null: the null reaches the root
    assert emu.workspace.object_by_name("rocket") is None
    # the admin key still does everything
    assert "errors" not in (await http.post("/metadata", create_object))[1]


async def test_no_delete_key_writes_but_cannot_delete(
    emu_http: tuple[TwentyEmulator, Http],
) -> None:
    emu, http = emu_http
    key = emu.issue_key(role="no-delete")
    created = await as_key(http, key, CREATE)
    assert "errors" not in created
    cid = created["data"]["createCompany"]["id"]
    updated = await as_key(
        http, key, f'mutation {{ updateCompany(id: "{cid}", data: {{name: "B"}}) {{ name }} }}'
    )
    assert updated["data"]["updateCompany"]["name"] == "B"
    for op in ("delete", "destroy", "restore"):
        body = await as_key(http, key, f'mutation {{ {op}Company(id: "{cid}") {{ id }} }}')
        assert_denied(body, f"{op}Company")
    many = await as_key(http, key, 'mutation { deleteCompanies(filter: {name: {eq: "B"}}) { id } }')
    assert_denied(many, "deleteCompanies")
    assert emu.workspace.records("company")[0]["deletedAt"] is None


async def test_per_object_permissions_and_related_reads(
    emu_http: tuple[TwentyEmulator, Http],
) -> None:
    emu, http = emu_http
    await http.gql(CREATE)
    key = emu.issue_key(role="none,company=rw")
    assert "errors" not in await as_key(http, key, COMPANIES)
    assert "errors" not in await as_key(http, key, CREATE)
    assert_denied(await as_key(http, key, "{ people { edges { node { id } } } }"), "people")
    # selecting a relation needs read on the related object too (Twenty: the root field fails)
    nested = "{ companies { edges { node { id people { edges { node { id } } } } } } }"
    assert_denied(await as_key(http, key, nested), "companies")
    via_fragment = (
        "{ companies { edges { node { ...C } } } } "
        "fragment C on Company { opportunities { totalCount } }"
    )
    assert_denied(await as_key(http, key, via_fragment), "companies")
    # system objects (workspaceMember) are not checked, like Twenty
    member = emu.workspace.object_by_name("workspaceMember")
    assert member is not None and member.isSystem
    owner = "{ companies { edges { node { accountOwner { id } } } } }"
    assert "errors" not in await as_key(http, key, owner)
    # a root field that is allowed keeps its data when another one is refused
    both = await as_key(http, key, "{ companies { totalCount } people { totalCount } }")
    assert both["data"] == {"companies": {"totalCount": 2}, "people": None}
    assert [e["path"] for e in both["errors"]] == [["people"]]


def test_role_specs() -> None:
    role = Role.parse("read-only,company=rwdx,note=-")
    assert role.allows("person", "read") and not role.allows("person", "update")
    assert role.allows("company", "destroy") and not role.allows("note", "read")
    assert not role.data_model and Role.parse("admin").data_model
    for bad, words in (
        ("superuser", "unknown role preset"),
        ("read-only,company", "expected OBJECT=PERMS"),
        ("read-only,company=rz", "letters among r"),
        ("", "non-empty"),
    ):
        with pytest.raises(ValueError, match=words):
            Role.parse(bad)
    with pytest.raises(TypeError):
        Role.of(3)
    assert build_parser().parse_args(["--role", "no-delete"]).role == Role.parse("no-delete")
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(["--role", "boss"])
    assert exc.value.code == 2


@pytest.mark.twenty_emulator(role="read-only", rate_limit=None)
async def test_fixture_role_parameter(twenty_emulator: TwentyEmulator) -> None:
    async with aiohttp.ClientSession() as session:
        http = Http(session, twenty_emulator)
        status, body = await http.post("/graphql", CREATE)
    assert status == 200
    assert_denied(body, "createCompany")
