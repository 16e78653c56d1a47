"""The generated per-workspace file methods (``generated/twenty_standard``) against the emulator:
``crm.companies.attach_file`` / ``crm.companies.files`` / ``crm.people.set_avatar_file``, all
through the client's one shared ``Files`` (``crm.files``)."""

from __future__ import annotations

import hashlib
import importlib
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.behaviour.files.conftest import create
from twenty_gql import TwentyClient
from twenty_gql.files import Files, RecordFile, UploadedFile, WrongSizeError
from twenty_gql.testing.files import FileService


async def test_attach_list_download_through_the_company_facade(
    ts: Any, client: TwentyClient, company_id: str, service: FileService, tmp_path: Path
) -> None:
    crm = ts.CoreApi(client)
    body = b"%PDF-1.7\n" + bytes(range(256)) * 4000
    src = tmp_path / "contract.pdf"
    src.write_bytes(body)
    seen: list[tuple[int, int | None]] = []

    async with crm.files as files:
        att = await crm.companies.attach_file(
            company_id, src, name="Signed contract", progress=lambda d, t: seen.append((d, t))
        )
        assert isinstance(att, RecordFile)
        assert (att.object, att.record_id, att.field) == ("company", company_id, "attachment")
        assert att.label == "Signed contract" and att.attachment_id
        assert seen and seen[-1] == (len(body), len(body))

        listed = await crm.companies.files(company_id)
        assert [(f.file_id, f.label, f.field) for f in listed] == [
            (att.file_id, "Signed contract", "attachment")
        ]
        dest = tmp_path / "back.pdf"
        assert await files.download(listed[0], dest) == len(body)
        assert hashlib.sha256(dest.read_bytes()).digest() == hashlib.sha256(body).digest()
    assert service.stats["puts"] == 1 and service.stats["authorization_headers"] == 0


async def test_one_shared_files_per_client(ts: Any, client: TwentyClient) -> None:
    crm = ts.CoreApi(client)
    shared = crm.files
    assert isinstance(shared, Files) and shared.client is client
    # another CoreApi, or a facade built directly, uses the same instance (one model cache)
    assert ts.CoreApi(client).files is shared
    assert ts._runtime.files_of(client) is shared
    await shared.aclose()


async def test_a_second_client_gets_its_own_files(ts: Any, client: TwentyClient) -> None:
    async with TwentyClient(client.url, "other-key", rate_limit=None) as other:
        assert ts.CoreApi(other).files is not ts.CoreApi(client).files


async def test_set_avatar_file_typed_per_field(
    ts: Any, client: TwentyClient, service: FileService
) -> None:
    crm = ts.CoreApi(client)
    person = await create(client, "person", {"name": {"firstName": "Ada"}})
    async with crm.files:
        got = await crm.people.set_avatar_file(person, [("ada.png", b"\x89PNG" + b"\0" * 2000)])
        assert [(f.label, f.field, f.object) for f in got] == [("ada.png", "avatarFile", "person")]
        # an uploaded file can be passed as is; avatarFile holds one file (maxNumberOfValues)
        up = await crm.files.upload(
            b"second", object="person", field="avatarFile", filename="b.png"
        )
        assert isinstance(up, UploadedFile)
        with pytest.raises(ValueError, match="at most 1"):
            await crm.people.set_avatar_file(person, [up], append=True)
        both = await crm.people.set_avatar_file(person, [up])
        assert [(f.file_id, f.label) for f in both] == [(up.id, "b.png")]
        listed = await crm.people.files(person)
        assert [(f.label, f.field) for f in listed] == [("b.png", "avatarFile")]
        # the record read through the generated struct carries the same file ids
        rec = await crm.people.find_one(filter={"id": {"eq": person}})
        assert [str(f.file_id) for f in rec.avatar_file] == [f.file_id for f in both]


async def test_facade_errors_are_the_runtime_typed_errors(
    ts: Any, client: TwentyClient, company_id: str
) -> None:
    crm = ts.CoreApi(client)
    async with crm.files:
        with pytest.raises(WrongSizeError):
            await crm.companies.attach_file(company_id, b"12345", filename="a.txt", size=9)
        with pytest.raises(ValueError, match="record_id"):
            await crm.companies.files("not-a-uuid")
        assert await crm.companies.files(company_id) == []
        assert await crm.companies.files(uuid.UUID(company_id)) == []  # an id as read


def test_only_objects_attachments_can_target_get_attach_file(ts: Any) -> None:
    objects = "twenty_standard.core.objects."
    company = importlib.import_module(objects + "company").CompanyApi
    person = importlib.import_module(objects + "person").PersonApi
    message = importlib.import_module(objects + "message").MessageApi
    assert hasattr(company, "attach_file") and hasattr(company, "files")
    assert hasattr(person, "set_avatar_file")
    assert not hasattr(company, "set_avatar_file")
    assert not hasattr(message, "attach_file")  # attachment has no targetMessage
