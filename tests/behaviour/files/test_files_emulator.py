"""``twenty_gql.files`` against the emulator over loopback HTTP: round trips, FILES fields,
every typed error, a dropped PUT retried to one stored file, renewals of expired urls, and
what never leaks (the key to storage, signed urls to logs/reprs/errors)."""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from twenty_gql import ConnectionDroppedError, TwentyClient
from twenty_gql.files import (
    DownloadUrlUnavailableError,
    FileMissingError,
    FileNotUploadedError,
    Files,
    FileTooLargeError,
    RecordFile,
    SignedUrlExpiredError,
    UploadedFile,
    WrongSizeError,
)
from twenty_gql.testing import TwentyEmulator
from twenty_gql.testing.files import FileService, files_for

from .conftest import create


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _blobs(service: FileService) -> list[str]:
    return sorted(p.name for p in service.root.iterdir() if p.name != "index.json")


async def test_attach_list_download_round_trip(
    files: Files, service: FileService, company_id: str, tmp_path: Path
) -> None:
    data = os.urandom(700_000)
    src = tmp_path / "contract.pdf"
    src.write_bytes(data)
    seen: list[tuple[int, int | None]] = []

    attached = await files.attach(
        "company", company_id, src, progress=lambda d, t: seen.append((d, t))
    )

    assert attached.field == "attachment" and attached.label == "contract.pdf"
    assert attached.attachment_id is not None
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # monotone
    listed = await files.list("company", company_id)
    assert [(f.file_id, f.label, f.attachment_id) for f in listed] == [
        (attached.file_id, "contract.pdf", attached.attachment_id)
    ]
    out = tmp_path / "back.pdf"
    assert await files.download(listed[0], out) == len(data)
    assert _sha(out.read_bytes()) == _sha(data)
    assert not (tmp_path / "back.pdf.part").exists()
    # the key never went to storage, and the body was sized (no chunked encoding)
    assert service.stats["authorization_headers"] == 0
    assert service.stats["chunked_puts"] == 0
    assert service.stats["puts"] == 1 and service.stats["gets"] == 1
    entry = service.entries[attached.file_id]
    assert entry.status == "UPLOADED" and entry.size == len(data)
    assert entry.path.startswith("FilesField/") and entry.path.endswith(".pdf")


async def test_attachment_record_has_the_file_the_name_and_the_target(
    client: TwentyClient, files: Files, company_id: str
) -> None:
    att = await files.attach("company", company_id, b"%PDF-1.4", filename="a.pdf", name="Signed")
    out = await client.execute_raw(
        "query A($id: UUID!) { attachment(filter: {id: {eq: $id}}) "
        "{ name targetCompanyId file { fileId label } } }",
        {"id": att.attachment_id},
    )
    assert out["attachment"] == {
        "name": "Signed",
        "targetCompanyId": company_id,
        "file": [{"fileId": att.file_id, "label": "Signed"}],
    }


async def test_files_field_on_any_object(
    client: TwentyClient, files: Files, service: FileService
) -> None:
    person = await create(client, "person", {"name": {"firstName": "Ada"}})
    assert await files.set_files_field("person", person, "avatarFile", []) == []
    up = await files.upload(
        b"\x89PNG-bytes", object="person", field="avatarFile", filename="ada.png"
    )
    assert service.entries[up.id].fieldMetadataId is not None
    after = await files.set_files_field("person", person, "avatarFile", [up])
    assert [(f.file_id, f.label, f.field) for f in after] == [(up.id, "ada.png", "avatarFile")]
    listed = await files.list("person", person)
    assert [(f.file_id, f.field) for f in listed] == [(up.id, "avatarFile")]
    # avatarFile holds one file (settings.maxNumberOfValues): refused before any upload
    puts = service.stats["puts"]
    with pytest.raises(ValueError, match="at most 1 file"):
        await files.set_files_field("person", person, "avatarFile", [("b.png", b"b")], append=True)
    assert service.stats["puts"] == puts


async def test_a_custom_files_field_with_several_files(
    client: TwentyClient, files: Files, company_id: str
) -> None:
    await files.list("company", company_id)  # the model is cached before the field exists
    out = await client.execute_raw(
        "query { objects(paging: {first: 100}) { edges { node { id nameSingular } } } }",
        endpoint="metadata",
    )
    (company_obj,) = [
        e["node"]["id"] for e in out["objects"]["edges"] if e["node"]["nameSingular"] == "company"
    ]
    await client.execute_raw(
        "mutation F($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { id } }",
        {
            "input": {
                "field": {
                    "objectMetadataId": company_obj,
                    "type": "FILES",
                    "name": "documents",
                    "label": "Documents",
                    "settings": {"maxNumberOfValues": 3},
                }
            }
        },
        endpoint="metadata",
    )
    first = await files.set_files_field("company", company_id, "documents", [("a.txt", b"a")])
    both = await files.set_files_field(
        "company", company_id, "documents", [("b.txt", b"b")], append=True
    )
    assert [f.label for f in both] == ["a.txt", "b.txt"]
    assert both[0].file_id == first[0].file_id
    listed = await files.list("company", company_id)
    assert [(f.field, f.label) for f in listed] == [("documents", "a.txt"), ("documents", "b.txt")]
    got = []
    for f in listed:
        got.append(b"".join([c async for c in files.stream(f)]))
    assert got == [b"a", b"b"]


async def test_upload_from_async_iterator_and_from_a_factory(files: Files) -> None:
    parts = [os.urandom(100_000) for _ in range(5)]

    async def gen() -> AsyncIterator[bytes]:
        for p in parts:
            yield p

    one = await files.upload(gen(), filename="stream.bin", size=500_000)
    two = await files.upload(gen, filename="factory.bin", size=500_000)
    for up in (one, two):
        chunks = [c async for c in files.stream(up)]
        assert _sha(b"".join(chunks)) == _sha(b"".join(parts))


# ---- errors ---------------------------------------------------------------------------------


async def test_wrong_size_from_the_source_is_refused_and_nothing_is_stored(
    files: Files, service: FileService
) -> None:
    async def short() -> AsyncIterator[bytes]:
        yield b"x" * 1000

    with pytest.raises(WrongSizeError) as info:
        await files.upload(short(), filename="short.bin", size=5000)
    assert (info.value.declared, info.value.actual) == (5000, 1000)

    async def long() -> AsyncIterator[bytes]:
        yield b"x" * 3000
        yield b"x" * 3000

    with pytest.raises(WrongSizeError) as info:
        await files.upload(long(), filename="long.bin", size=5000)
    assert info.value.declared == 5000 and info.value.actual == 6000
    assert all(e.received is None and e.status == "PENDING" for e in service.entries.values())
    assert _blobs(service) == []


async def test_file_too_large_for_the_server(files: Files, service: FileService) -> None:
    service.configure(max_file_size=1000)
    with pytest.raises(FileTooLargeError) as info:
        await files.upload(b"x" * 1001, filename="big.bin")
    assert info.value.limit == 1000 and info.value.sub_code == "FILE_TOO_LARGE"
    assert service.stats["puts"] == 0  # refused before any byte moved
    with pytest.raises(FileTooLargeError):
        await files.upload(b"", filename="empty.bin")


async def test_missing_files(files: Files, service: FileService, tmp_path: Path) -> None:
    with pytest.raises(FileMissingError) as info:
        await files.complete(str(uuid.uuid4()))
    assert info.value.sub_code == "FILE_NOT_FOUND"
    with pytest.raises(FileMissingError):
        await files.upload(tmp_path / "nope.pdf")
    up = await files.upload(b"gone soon", filename="g.txt")
    service.blob(up.id).unlink()
    with pytest.raises(FileMissingError):
        await files.download(up, tmp_path / "g.txt")
    assert not (tmp_path / "g.txt").exists() and not (tmp_path / "g.txt.part").exists()
    with pytest.raises(DownloadUrlUnavailableError):
        await files.download(
            RecordFile(str(uuid.uuid4()), "x", "company", str(uuid.uuid4()), "attachment"),
            tmp_path / "x",
        )


async def test_completing_before_the_bytes_arrived(
    emu: TwentyEmulator, files: Files, service: FileService
) -> None:
    service.drop_next_put(after_bytes=10, times=10)
    f = Files(files.client, max_put_retries=0)
    async with f:
        with pytest.raises(ConnectionDroppedError):
            await f.upload(b"y" * 100_000, filename="y.bin")
    (pending,) = service.entries.values()
    with pytest.raises(FileNotUploadedError) as info:
        await files.complete(pending.id)
    assert info.value.sub_code == "FILE_NOT_UPLOADED"


async def test_an_upload_url_refused_in_transit_is_renewed(
    files: Files, service: FileService, caplog: pytest.LogCaptureFixture
) -> None:
    service.refuse_next_put()
    data = os.urandom(200_000)
    with caplog.at_level(logging.INFO, logger="twenty_gql"):
        up = await files.upload(data, filename="r.bin")
    assert files.stats["url_renewals"] == 1
    assert len(service.entries) == 2  # a second createFileUpload; the first stays PENDING
    assert [e.status for e in service.entries.values()].count("UPLOADED") == 1
    assert _sha(b"".join([c async for c in files.stream(up)])) == _sha(data)
    assert "token=" not in caplog.text and "refused or expired" in caplog.text


async def test_expired_upload_urls_give_up_after_the_renewals(
    client: TwentyClient, service: FileService
) -> None:
    # the client believes every url already expired: it never PUTs to one
    async with Files(client, clock=lambda: time.time() + 10_000, url_renewals=2) as f:
        with pytest.raises(SignedUrlExpiredError) as info:
            await f.upload(b"late", filename="late.txt")
    assert "token=" not in str(info.value)
    assert len(service.entries) == 3 and service.stats["puts"] == 0
    # the server refusing every PUT ends the same way
    service.refuse_next_put(times=3)
    async with Files(client, url_renewals=2) as f:
        with pytest.raises(SignedUrlExpiredError):
            await f.upload(b"late", filename="late.txt")
    assert service.stats["puts"] == 3


async def test_an_expired_download_url(files: Files, service: FileService, tmp_path: Path) -> None:
    up = await files.upload(b"old news", filename="n.txt")
    service.advance_clock(86_400 + 1)
    with pytest.raises(SignedUrlExpiredError) as info:
        await files.download(up, tmp_path / "n.txt")
    assert "token=" not in str(info.value) and repr(up).count("token") == 0


async def test_a_dropped_put_is_retried_to_a_single_stored_file(
    files: Files, service: FileService, company_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = os.urandom(3_000_000)
    service.drop_next_put(after_bytes=1_000_000)
    with caplog.at_level(logging.INFO, logger="twenty_gql"):
        att = await files.attach("company", company_id, data, filename="big.bin")
    assert service.stats["dropped_puts"] == 1 and service.stats["puts"] == 2
    assert files.stats["put_retries"] == 1 and files.stats["url_renewals"] == 0
    assert list(service.entries) == [att.file_id]  # one createFileUpload, one file
    assert _blobs(service) == [att.file_id]  # one blob: the retry replaced the partial one
    assert _sha(service.blob(att.file_id).read_bytes()) == _sha(data)
    assert "retrying the PUT" in caplog.text and "token=" not in caplog.text


async def test_a_one_shot_iterator_is_not_retried(files: Files, service: FileService) -> None:
    service.drop_next_put(after_bytes=1000)

    async def gen() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"z" * 10_000

    with pytest.raises(ConnectionDroppedError) as info:
        await files.upload(gen(), filename="once.bin", size=100_000)
    assert service.stats["puts"] == 1
    assert "token=" not in str(info.value)


async def test_reprs_never_show_signed_urls(files: Files, company_id: str) -> None:
    up = await files.upload(b"secret", filename="s.txt")
    assert up.url and "token=" in up.url
    att = await files.attach("company", company_id, up)
    for value in (up, att, files):
        assert "token" not in repr(value)
    assert isinstance(up, UploadedFile)


async def test_files_survive_a_restart_with_data(tmp_path: Path) -> None:
    data = os.urandom(50_000)
    async with TwentyEmulator(rate_limit=None, data_path=tmp_path) as emu:
        async with TwentyClient(emu.url, emu.api_key) as c, Files(c) as f:
            company = await create(c, "company", {"name": "Kept"})
            att = await f.attach("company", company, data, filename="kept.bin")
            url = (await f.list("company", company))[0].url
        key = emu.api_key
    assert url is not None
    async with TwentyEmulator(rate_limit=None, data_path=tmp_path, api_key=key) as emu:
        service = files_for(emu.workspace)
        assert service.entries[att.file_id].status == "UPLOADED"
        old_origin = url.split("/file/")[0]
        async with TwentyClient(emu.url, key) as c, Files(c) as f:
            (listed,) = await f.list("company", company)
            assert listed.file_id == att.file_id and listed.url is None  # not uploaded here
            moved = url.replace(old_origin, emu.url)  # the token outlives the restart
            got = b"".join([chunk async for chunk in f.stream(moved)])
    assert _sha(got) == _sha(data)


async def test_concurrent_uploads_share_one_files(
    emu: TwentyEmulator,
    files: Files,
    service: FileService,
    company_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import asyncio

    blobs = [os.urandom(150_000 + i) for i in range(6)]
    with caplog.at_level(logging.DEBUG):
        done = await asyncio.gather(
            *(
                files.attach("company", company_id, b, filename=f"f{i}.bin")
                for i, b in enumerate(blobs)
            )
        )
    assert len({d.file_id for d in done}) == 6
    listed = await files.list("company", company_id)
    assert sorted(f.label for f in listed) == [f"f{i}.bin" for i in range(6)]
    for f in listed:
        data = b"".join([c async for c in files.stream(f)])
        assert data == blobs[int(f.label[1])]
    assert service.stats["puts"] == 6 and service.stats["authorization_headers"] == 0
    assert emu.api_key not in caplog.text and "token=" not in caplog.text
