"""Unit tests of ``twenty_gql.files`` (no server) and of the emulator's ``FileService``."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import twenty_gql.files as files_mod
from twenty_gql import GraphQLResponseError, MockTransport, Response, TwentyClient
from twenty_gql.errors import TwentyError, error_from_graphql
from twenty_gql.files import (
    FileMissingError,
    FileNotUploadedError,
    Files,
    FileTooLargeError,
    RecordFile,
    SignedUrlExpiredError,
    StorageError,
    UploadedFile,
    WrongSizeError,
    _Expired,
    _prepare,
    _scrub,
    _shown,
    _storage_status,
    _typed,
)
from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.files import FileService

SIGNED = "http://127.0.0.1:9/file-upload/abc?token=eyJzZWNyZXQtdG9rZW4.c2lnbmF0dXJl"


def test_all_is_sorted_and_complete() -> None:
    assert files_mod.__all__ == sorted(files_mod.__all__)
    for name in files_mod.__all__:
        assert hasattr(files_mod, name)
    for name in files_mod.__all__:
        obj = getattr(files_mod, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, TwentyError), name


# ---- sources ----------------------------------------------------------------------------------


async def _drain(body: Any) -> bytes:
    return b"".join([c async for c in body.open()])


async def test_prepare_path_bytes_iterator_factory(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"x" * 5000)
    body = _prepare(p, None, None, 1024)
    assert (body.size, body.filename, body.reopenable) == (5000, "a.txt", True)
    assert await _drain(body) == b"x" * 5000
    assert await _drain(body) == b"x" * 5000  # re-readable

    body = _prepare(bytearray(b"abc"), "b.bin", None, 1024)
    assert (body.size, body.reopenable, await _drain(body)) == (3, True, b"abc")

    async def gen() -> AsyncIterator[bytes]:
        yield b"12"
        yield b"345"

    body = _prepare(gen(), "c.bin", 5, 1024)
    assert (body.size, body.reopenable) == (5, False)
    body = _prepare(gen, "d.bin", 5, 1024)
    assert body.reopenable and await _drain(body) == b"12345" and await _drain(body) == b"12345"


def test_prepare_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(FileMissingError, match="nope"):
        _prepare(tmp_path / "nope", None, None, 1024)
    with pytest.raises(FileMissingError, match="not a regular file"):
        _prepare(tmp_path, None, None, 1024)
    (tmp_path / "f").write_bytes(b"12345")
    with pytest.raises(WrongSizeError) as info:
        _prepare(tmp_path / "f", None, 4, 1024)
    assert (info.value.declared, info.value.actual) == (4, 5)
    with pytest.raises(ValueError, match="filename"):
        _prepare(b"abc", None, None, 1024)

    async def gen() -> AsyncIterator[bytes]:
        yield b""

    with pytest.raises(ValueError, match="size="):
        _prepare(gen(), "x", None, 1024)
    with pytest.raises(ValueError, match="filename"):
        _prepare(gen(), None, 3, 1024)
    with pytest.raises(TypeError, match="cannot upload a int"):
        _prepare(42, "x", 3, 1024)  # type: ignore[arg-type]


# ---- secrets stay out of text -------------------------------------------------------------------


def test_signed_urls_are_shown_without_their_query() -> None:
    assert _shown(SIGNED) == "http://127.0.0.1:9/file-upload/abc"
    text = f"failed on {SIGNED}; token eyJzZWNyZXQtdG9rZW4.c2lnbmF0dXJl echoed"
    scrubbed = _scrub(text, SIGNED)
    assert "eyJzZWNyZXQ" not in scrubbed and "c2lnbmF0dXJl" not in scrubbed
    up = UploadedFile("id", "p", 1, "t", "f.txt", url=SIGNED)
    rf = RecordFile("id", "f.txt", "company", "r", "attachment", url=SIGNED)
    assert "token" not in repr(up) and "token" not in repr(rf)


def test_storage_status_mapping() -> None:
    with pytest.raises(_Expired):
        _storage_status(403, "", SIGNED, "f", 10)  # an upload: the caller renews
    err = _storage_status(403, "", SIGNED, "f", None)
    assert isinstance(err, SignedUrlExpiredError) and "token" not in str(err)
    body = json.dumps({"statusCode": 413, "messages": ["too big"], "error": "FILE_TOO_LARGE"})
    assert isinstance(_storage_status(413, body, SIGNED, "f", 10), FileTooLargeError)
    body = json.dumps({"statusCode": 400, "messages": ["x"], "error": "FILE_SIZE_MISMATCH"})
    mismatch = _storage_status(400, body, SIGNED, "f", 10)
    assert isinstance(mismatch, WrongSizeError) and mismatch.declared == 10
    assert isinstance(_storage_status(404, "", SIGNED, "f", None), FileMissingError)
    other = _storage_status(503, "busy " + SIGNED, SIGNED, "f", 10)
    assert isinstance(other, StorageError) and other.retryable and other.status == 503
    assert "eyJzZWNyZXQ" not in other.body
    assert not _storage_status(400, "{}", SIGNED, "f", 10).retryable


# ---- GraphQL errors to typed errors -------------------------------------------------------------


def _gql(message: str, code: str, sub: str | None) -> GraphQLResponseError:
    ext: dict[str, Any] = {"code": code}
    if sub:
        ext["subCode"] = sub
    return error_from_graphql([{"message": message, "extensions": ext}])


@pytest.mark.parametrize(
    ("message", "code", "sub", "cls"),
    [
        (
            "Invalid file size 5 (max 4 bytes)",
            "BAD_USER_INPUT",
            "FILE_TOO_LARGE",
            FileTooLargeError,
        ),
        (
            "Uploaded 3 bytes but 5 were declared",
            "BAD_USER_INPUT",
            "FILE_SIZE_MISMATCH",
            WrongSizeError,
        ),
        (
            'File "x" has not been uploaded to storage yet.',
            "BAD_USER_INPUT",
            "FILE_NOT_UPLOADED",
            FileNotUploadedError,
        ),
        ("File not found: abc", "NOT_FOUND", "FILE_NOT_FOUND", FileMissingError),
        ("FileId(s) not found: abc", "BAD_USER_INPUT", "INVALID_ARGS_DATA", FileMissingError),
        ("Invalid file size 0 (max 1073741824 bytes)", "BAD_USER_INPUT", None, FileTooLargeError),
    ],
)
def test_twenty_file_errors_become_typed(
    message: str, code: str, sub: str | None, cls: type
) -> None:
    err = _typed(_gql(message, code, sub), "fid")
    assert type(err) is cls
    assert isinstance(err, TwentyError)


def test_other_errors_pass_through_and_limits_are_parsed() -> None:
    other = _gql("Forbidden resource", "FORBIDDEN", None)
    assert _typed(other, None) is other
    big = _typed(
        _gql("Invalid file size 5 (max 4 bytes)", "BAD_USER_INPUT", "FILE_TOO_LARGE"), None
    )
    assert isinstance(big, FileTooLargeError) and big.limit == 4


# ---- Files with a mock transport ----------------------------------------------------------------


def _model(field_type: str = "FILES") -> dict[str, Any]:
    return {
        "data": {
            "objects": {
                "edges": [
                    {
                        "node": {
                            "id": "o1",
                            "nameSingular": "attachment",
                            "namePlural": "attachments",
                            "fieldsList": [
                                {"id": "f1", "name": "file", "type": field_type, "settings": None}
                            ],
                        }
                    }
                ]
            }
        }
    }


async def test_upload_checks_the_field_and_sends_create_once() -> None:
    calls: list[str | None] = []

    def handler(req: Any) -> Response:
        calls.append(req.operation_name)
        if req.operation_name == "TwentyGqlFilesModel":
            return Response.json(_model())
        # createFileUpload refused: the mutation is not idempotent, so it is not resent
        return Response.json(
            {
                "errors": [
                    {
                        "message": "Invalid file size 9 (max 8 bytes)",
                        "extensions": {"code": "BAD_USER_INPUT", "subCode": "FILE_TOO_LARGE"},
                    }
                ]
            }
        )

    transport = MockTransport(handler)
    async with (
        TwentyClient("http://127.0.0.1:1", "unit-test-key", transport=transport) as c,
        Files(c) as f,
    ):
        with pytest.raises(FileTooLargeError):
            await f.upload(b"123456789", filename="n.bin")
        with pytest.raises(ValueError, match="no field 'nope'"):
            await f.upload(b"1", filename="n.bin", field="nope")
        with pytest.raises(ValueError, match="GraphQL name"):
            await f.upload(b"1", filename="n.bin", object="a{b}")
        with pytest.raises(ValueError, match="must be a UUID"):
            await f.list("company", "1 } evil { x")
    # the unknown field made it read the data model again once (it may have changed)
    assert calls == ["TwentyGqlFilesModel", "TwentyGqlCreateFileUpload", "TwentyGqlFilesModel"]


async def test_files_needs_a_client_and_closes() -> None:
    with pytest.raises(TypeError):
        Files(object())  # type: ignore[arg-type]
    async with TwentyClient(
        "http://127.0.0.1:1", "unit-test-key", transport=MockTransport([])
    ) as c:
        f = Files(c)
        await f.aclose()
        with pytest.raises(TwentyError):
            f._storage()


# ---- the emulator's FileService -----------------------------------------------------------------


def test_tokens_expire_and_cannot_be_forged(tmp_path: Path) -> None:
    svc = FileService(tmp_path / "files")
    fid = str(uuid.uuid4())
    token = svc._sign("FILE_UPLOAD", fid, 10)
    assert svc._verify(token, "FILE_UPLOAD", fid)
    assert not svc._verify(token, "FILE", fid)  # an upload token is not a download token
    assert not svc._verify(token, "FILE_UPLOAD", str(uuid.uuid4()))
    payload, mac = token.split(".")
    assert not svc._verify(payload + "." + mac[:-2] + "AA", "FILE_UPLOAD", fid)
    assert not svc._verify(None, "FILE_UPLOAD", fid)
    svc.advance_clock(11)
    assert not svc._verify(token, "FILE_UPLOAD", fid)


def test_service_configuration_is_checked(tmp_path: Path) -> None:
    svc = FileService(tmp_path / "files")
    with pytest.raises(ValueError):
        svc.configure(upload_ttl=0)
    with pytest.raises(ValueError):
        svc.configure(max_file_size=True)
    with pytest.raises(ValueError):
        svc.drop_next_put(after_bytes=-1)
    svc.configure(upload_ttl=5, download_ttl=6, max_file_size=7)
    assert (svc.upload_ttl, svc.download_ttl, svc.max_file_size) == (5.0, 6.0, 7)


def test_create_upload_refusals(tmp_path: Path) -> None:
    from twenty_gql.testing.workspace import Workspace

    ws = Workspace("standard")
    svc = FileService(tmp_path / "files")
    field = next(f for f in ws.fields() if f.name == "file" and f.type == "FILES")
    text = next(f for f in ws.fields() if f.type == "TEXT")
    cases = [
        (("a.txt", 5, "CorePicture", field.id, None), "BAD_REQUEST"),
        (("a.txt", 0, "FilesField", field.id, None), "FILE_TOO_LARGE"),
        (("a.txt", 1.5, "FilesField", field.id, None), "FILE_TOO_LARGE"),
        (("a.txt", 2**30 + 1, "FilesField", field.id, None), "FILE_TOO_LARGE"),
        (("a.txt", 5, "FilesField", None, None), "BAD_REQUEST"),
        (("a.txt", 5, "FilesField", str(uuid.uuid4()), None), "BAD_REQUEST"),
        (("a.txt", 5, "FilesField", text.id, None), "BAD_REQUEST"),
    ]
    for args, sub in cases:
        with pytest.raises(TwentyApiError) as info:
            svc.create_upload(ws, *args)
        assert info.value.sub_code == sub, args
    ok = svc.create_upload(ws, "a.txt", 5, "FilesField", field.id, None)
    assert ok["contentType"] == "application/octet-stream"
    with pytest.raises(TwentyApiError) as info:
        svc.complete_upload(ok["fileId"])
    assert info.value.sub_code == "FILE_NOT_UPLOADED"
    with pytest.raises(TwentyApiError) as info:
        svc.complete_upload(str(uuid.uuid4()))
    assert (info.value.code, info.value.sub_code) == ("NOT_FOUND", "FILE_NOT_FOUND")
    ws.close()


def test_entries_and_secret_persist(tmp_path: Path) -> None:
    from twenty_gql.testing.workspace import Workspace

    ws = Workspace("standard")
    field = next(f for f in ws.fields() if f.name == "file" and f.type == "FILES")
    one = FileService(tmp_path / "files")
    target = one.create_upload(ws, "a.txt", 5, "FilesField", field.id, None)
    token = target["uploadUrl"].split("token=")[1]
    two = FileService(tmp_path / "files")
    assert list(two.entries) == [target["fileId"]]
    assert two._verify(token, "FILE_UPLOAD", target["fileId"])
    temp = FileService(None)
    root = temp.root
    temp.create_upload(ws, "a.txt", 5, "FilesField", field.id, None)
    assert not (root / "index.json").exists()
    temp.close()
    assert not root.exists()
    ws.close()


async def test_create_file_upload_is_not_resent_after_a_drop_but_complete_is() -> None:
    from twenty_gql import ConnectionDroppedError

    calls: list[str | None] = []

    def handler(req: Any) -> Response:
        calls.append(req.operation_name)
        if req.operation_name == "TwentyGqlFilesModel":
            return Response.json(_model())
        raise ConnectionDroppedError("dropped after the request was written")

    async def no_sleep(_s: float) -> None:
        return None

    transport = MockTransport(handler)
    async with (
        TwentyClient(
            "http://127.0.0.1:1",
            "unit-test-key",
            transport=transport,
            sleep=no_sleep,
            max_retries=2,
        ) as c,
        Files(c) as f,
    ):
        with pytest.raises(ConnectionDroppedError):
            await f.upload(b"123", filename="n.bin")
        assert calls.count("TwentyGqlCreateFileUpload") == 1  # may have run: never resent
        with pytest.raises(ConnectionDroppedError):
            await f.complete(str(uuid.uuid4()))
        assert calls.count("TwentyGqlCompleteFileUpload") == 3  # idempotent: resent
