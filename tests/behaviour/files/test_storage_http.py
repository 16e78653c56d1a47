"""The emulator's file endpoints over raw HTTP (aiohttp only, not twenty_gql.files): what a
PUT/GET to a signed url answers, shaped like Twenty's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.files import FileService

CREATE = (
    "mutation($f: String!, $s: Float!, $folder: FileFolder!, $id: String) { createFileUpload("
    "filename: $f, size: $s, fileFolder: $folder, fieldMetadataId: $id) "
    "{ fileId uploadUrl contentType expiresAt } }"
)
COMPLETE = (
    "mutation($id: String!) { completeFileUpload(fileId: $id) { id path size createdAt url } }"
)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def _meta(
    http: aiohttp.ClientSession, emu: TwentyEmulator, query: str, variables: dict[str, Any]
) -> Any:
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    async with http.post(
        emu.url + "/metadata", json={"query": query, "variables": variables}, headers=headers
    ) as r:
        return await r.json()


async def _field_id(http: aiohttp.ClientSession, emu: TwentyEmulator) -> str:
    q = (
        "query($p: CursorPaging!) { objects(paging: $p) { edges { node { nameSingular "
        "fieldsList { id name } } } } }"
    )
    out = await _meta(http, emu, q, {"p": {"first": 1000}})
    (node,) = [
        e["node"]
        for e in out["data"]["objects"]["edges"]
        if e["node"]["nameSingular"] == "attachment"
    ]
    return next(f["id"] for f in node["fieldsList"] if f["name"] == "file")


async def _target(
    http: aiohttp.ClientSession, emu: TwentyEmulator, size: int, name: str = "a.txt"
) -> dict[str, Any]:
    fid = await _field_id(http, emu)
    out = await _meta(http, emu, CREATE, {"f": name, "s": size, "folder": "FilesField", "id": fid})
    target: dict[str, Any] = out["data"]["createFileUpload"]
    return target


async def test_put_answers(
    http: aiohttp.ClientSession, emu: TwentyEmulator, service: FileService
) -> None:
    t = await _target(http, emu, 5)
    assert t["contentType"] == "application/octet-stream" and t["expiresAt"].endswith("Z")
    async with http.put(t["uploadUrl"], data=b"123456") as r:
        assert r.status == 413
        assert (await r.json())["error"] == "FILE_TOO_LARGE"
    async with http.put(t["uploadUrl"], data=b"123") as r:
        assert r.status == 400
        assert (await r.json())["error"] == "FILE_SIZE_MISMATCH"
    bad = t["uploadUrl"].replace("token=", "token=x")
    async with http.put(bad, data=b"12345") as r:
        assert r.status == 403
    async with http.put(t["uploadUrl"].split("?")[0], data=b"12345") as r:
        assert r.status == 403  # no token at all
    # two complete PUTs: the second replaces the first
    for body in (b"aaaaa", b"bbbbb"):
        async with http.put(t["uploadUrl"], data=body) as r:
            assert r.status == 204
    done = (await _meta(http, emu, COMPLETE, {"id": t["fileId"]}))["data"]["completeFileUpload"]
    assert done["size"] == 5 and done["path"].endswith(".txt")
    async with http.get(done["url"]) as r:
        assert r.status == 200 and await r.read() == b"bbbbb"
        assert r.headers["Content-Type"].startswith("text/plain")
    # completed: a later PUT is refused, completing again gives the same file
    async with http.put(t["uploadUrl"], data=b"ccccc") as r:
        assert r.status == 400 and (await r.json())["error"] == "BAD_REQUEST"
    again = (await _meta(http, emu, COMPLETE, {"id": t["fileId"]}))["data"]["completeFileUpload"]
    assert again["id"] == done["id"]
    # an upload token does not download, a download token does not upload
    upload_token = t["uploadUrl"].split("token=")[1]
    async with http.get(done["url"].split("token=")[0] + "token=" + upload_token) as r:
        assert r.status == 403
    async with http.put(
        t["uploadUrl"].split("token=")[0] + "token=" + done["url"].split("token=")[1],
        data=b"12345",
    ) as r:
        assert r.status == 403
    assert service.stats["authorization_headers"] == 0


async def test_expiry_and_unknown_files(
    http: aiohttp.ClientSession, emu: TwentyEmulator, service: FileService
) -> None:
    t = await _target(http, emu, 3)
    service.advance_clock(901)  # STORAGE_S3_PRESIGNED_URL_EXPIRES_IN is 900 s
    async with http.put(t["uploadUrl"], data=b"abc") as r:
        assert r.status == 403
    out = await _meta(http, emu, COMPLETE, {"id": t["fileId"]})
    assert out["errors"][0]["extensions"]["subCode"] == "FILE_NOT_UPLOADED"
    async with http.get(f"{emu.url}/file/FilesField/not-a-uuid?token=x") as r:
        assert r.status == 404


async def test_create_file_upload_errors_are_twenty_shaped(
    http: aiohttp.ClientSession, emu: TwentyEmulator
) -> None:
    fid = await _field_id(http, emu)
    out = await _meta(http, emu, CREATE, {"f": "a", "s": 0, "folder": "FilesField", "id": fid})
    ext = out["errors"][0]["extensions"]
    assert (ext["code"], ext["subCode"]) == ("BAD_USER_INPUT", "FILE_TOO_LARGE")
    assert out["errors"][0]["message"] == "Invalid file size 0 (max 1073741824 bytes)"
    out = await _meta(http, emu, CREATE, {"f": "a", "s": 1, "folder": "CorePicture", "id": fid})
    assert out["errors"][0]["extensions"]["subCode"] == "BAD_REQUEST"
    out = await _meta(http, emu, CREATE, {"f": "a", "s": 1, "folder": "Nope", "id": fid})
    assert out["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # not a FileFolder
