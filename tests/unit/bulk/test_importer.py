"""`twenty-gql import` against an in-process emulator workspace (schema from live introspection)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from twenty_gql import importer
from twenty_gql.importer import cli as importer_cli
from twenty_gql.testing.workspace import Workspace

from .workspace_client import WorkspaceClient, workspace_error


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Workspace:
    ws = Workspace("standard", batch_limit=7)
    clients: list[WorkspaceClient] = []

    def factory(url: str | None, api_key: str | None, batch_size: int | None) -> WorkspaceClient:
        client = WorkspaceClient(ws, batch_size or 60)
        clients.append(client)
        return client

    monkeypatch.setattr(importer_cli, "client_factory", factory)
    ws.clients = clients  # type: ignore[attr-defined]
    return ws


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def companies(ws: Workspace) -> list[dict[str, Any]]:
    return [dict(r) for r in ws.records("company")]


CSV_OK = """name, domainName.primaryLinkUrl ,employees,idealCustomerProfile,address.addressCity
Acme,https://acme.example,120,true,Paris
Globex,https://globex.example,,no,
Initech,https://initech.example,3.5,1,Austin
"""


def test_csv_import_maps_columns_and_composites(workspace: Workspace, tmp_path: Path) -> None:
    before = len(companies(workspace))
    path = write(tmp_path, "c.csv", CSV_OK)
    assert importer.main(["company", str(path), "--no-progress"]) == 0
    rows = {r["name"]: r for r in companies(workspace)}
    assert len(rows) == before + 3
    acme = rows["Acme"]
    assert acme["domainName"]["primaryLinkUrl"] == "https://acme.example"
    assert acme["employees"] == 120 and acme["idealCustomerProfile"] is True
    assert acme["address"]["addressCity"] == "Paris"
    assert rows["Globex"]["idealCustomerProfile"] is False
    assert rows["Initech"]["employees"] == 3.5


def test_validation_lists_every_problem_with_rows_and_sends_nothing(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = companies(workspace)
    text = (
        "name,stage,amount.amountMicros,closeDate,companyId\n"
        "ok,NEW,1000,2024-05-01T10:00:00Z,\n"
        "bad enum,WON,1000,,\n"
        "bad number,NEW,lots,,\n"
        "bad date,NEW,,yesterday,\n"
        "bad uuid,NEW,,,not-a-uuid\n"
    )
    path = write(tmp_path, "o.csv", text)
    assert importer.main(["opportunities", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "row 3, column 'stage': bad enum value 'WON'" in err and "CUSTOMER" in err
    assert "row 4, column 'amount.amountMicros': bad number 'lots'" in err
    assert "row 5, column 'closeDate': bad date-time 'yesterday'" in err
    assert "row 6, column 'companyId': bad UUID 'not-a-uuid'" in err
    assert "nothing was sent" in err and "Traceback" not in err
    assert companies(workspace) == before
    assert workspace.records("opportunity") == [] or all(
        r["name"] != "ok" for r in workspace.records("opportunity")
    )


def test_unknown_columns_are_reported_once(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "c.csv", "name,colour,domainName.host,name.first\nA,red,x,y\n")
    assert importer.main(["company", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "column 'colour': unknown field 'colour' of CompanyCreateInput" in err
    assert "unknown sub-field 'host' of 'domainName'" in err
    assert "'name' is not a composite field" in err


def test_skip_invalid_imports_the_rest_and_reports(workspace: Workspace, tmp_path: Path) -> None:
    before = len(companies(workspace))
    text = "name,employees\nA,1\nB,many\nC,3\n"
    path = write(tmp_path, "c.csv", text)
    report = tmp_path / "report.jsonl"
    code = importer.main(
        ["company", str(path), "--skip-invalid", "--report", str(report), "--no-progress"]
    )
    assert code == 1
    names = {r["name"] for r in companies(workspace)}
    assert {"A", "C"} <= names and "B" not in names
    assert len(companies(workspace)) == before + 2
    lines = [json.loads(x) for x in report.read_text().splitlines()]
    assert lines == [
        {"row": 3, "column": "employees", "error": "bad number 'many'", "code": "INVALID"}
    ]


def test_dry_run_estimates_and_sends_nothing(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = companies(workspace)
    body = "".join(f"c{i},{i}\n" for i in range(1000))
    path = write(tmp_path, "c.csv", "name,employees\n" + body)
    assert importer.main(["company", str(path), "--dry-run", "--batch-size", "50"]) == 0
    out = capsys.readouterr().out
    assert "1000 valid record(s)" in out and "20 request(s) of up to 50 records" in out
    assert "estimated 0 s" in out  # 20 requests fit in the first burst of the buckets
    assert companies(workspace) == before
    body = "".join(f"c{i},{i}\n" for i in range(12_000))
    path = write(tmp_path, "big.csv", "name,employees\n" + body)
    assert importer.main(["company", str(path), "--dry-run"]) == 0
    # 200 requests: 100 in the burst, 100 more at 100 per 60 s
    assert "200 request(s) of up to 60 records; estimated 60 s" in capsys.readouterr().out


def test_jsonl_nested_values_and_upsert_by_unique_key(workspace: Workspace, tmp_path: Path) -> None:
    before = len(companies(workspace))
    lines = [
        {"name": "Umbrella", "domainName": {"primaryLinkUrl": "https://umbrella.example"}},
        {"name": "Cyberdyne", "domainName": {"primaryLinkUrl": "https://cyberdyne.example"}},
    ]
    path = write(tmp_path, "c.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    assert importer.main(["company", str(path), "--upsert", "--no-progress"]) == 0
    for x in lines:
        x["name"] += " Corp"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert importer.main(["company", str(path), "--upsert", "--no-progress"]) == 0
    names = [r["name"] for r in companies(workspace)]
    assert len(names) == before + 2
    assert "Umbrella Corp" in names and "Umbrella" not in names


def test_jsonl_type_errors_are_listed(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        '{"name": "x", "domainName": {"url": "y"}}\n'
        '{"name": 5}\n'
        "not json\n"
        '["a list"]\n'
        '{"name": "ok", "idealCustomerProfile": "yes"}\n'
    )
    path = write(tmp_path, "c.jsonl", text)
    assert importer.main(["company", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 1, column 'domainName': unknown sub-field 'url' of LinksCreateInput" in err
    assert "row 2, column 'name': expected text, got 5" in err
    assert "row 3: not valid JSON" in err
    assert "row 4: expected a JSON object, got list" in err
    assert "row 5, column 'idealCustomerProfile': bad boolean 'yes'" in err


def test_send_time_failures_exit_1_with_a_report(workspace: Workspace, tmp_path: Path) -> None:
    text = "name,domainName.primaryLinkUrl\nA,https://dup.example\nB,https://dup.example\nC,\n"
    path = write(tmp_path, "c.csv", text)
    report = tmp_path / "r.jsonl"
    assert importer.main(["company", str(path), "--report", str(report), "--no-progress"]) == 1
    failed = [json.loads(x) for x in report.read_text().splitlines()]
    assert len(failed) == 1 and failed[0]["row"] in (2, 3)
    # found before sending (the server is never asked): the later twin fails, naming the first
    assert failed[0]["row"] == 3 and failed[0]["code"] == "DUPLICATE_IN_INPUT"
    assert "repeats domainName.primaryLinkUrl" in failed[0]["error"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["company", "missing.csv"], "no such file"),
        (["company", "{tmp}/x.txt"], "cannot tell the format"),
        (["company", "{tmp}/c.csv", "--batch-size", "0"], "--batch-size must be a positive"),
        (["spaceship", "{tmp}/c.csv"], "unknown object 'spaceship'"),
        (["company"], "required: FILE"),
    ],
)
def test_bad_arguments_exit_2_with_one_clear_line(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    write(tmp_path, "c.csv", "name\nA\n")
    write(tmp_path, "x.txt", "name\nA\n")
    code = importer.main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_auth_failure_exits_2_without_leaking_the_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Refusing(WorkspaceClient):
        async def execute_raw(self, *a: Any, **k: Any) -> dict[str, Any]:
            raise workspace_error(
                [{"message": "Unauthenticated", "extensions": {"code": "UNAUTHENTICATED"}}]
            )

    monkeypatch.setattr(
        importer_cli, "client_factory", lambda url, key, bs: Refusing(Workspace("empty"))
    )
    path = write(tmp_path, "c.csv", "name\nA\n")
    code = importer.main(["company", str(path), "--api-key", "sekrit-key-123"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "authentication failed (UNAUTHENTICATED)" in err
    assert "sekrit-key-123" not in err


def test_unreachable_server_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = write(tmp_path, "c.csv", "name\nA\n")
    code = importer.main(
        ["company", str(path), "--url", f"http://127.0.0.1:{port}", "--api-key", "k-123456"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "cannot introspect the workspace" in err
    assert "ConnectError" in err and "k-123456" not in err


def test_person_csv_with_full_name_and_email_upsert(workspace: Workspace, tmp_path: Path) -> None:
    before = len(workspace.records("person"))
    text = (
        "name.firstName,name.lastName,emails.primaryEmail,city\n"
        "Ada,Lovelace,ada@example.com,London\n"
        "Alan,Turing,alan@example.com,Wilmslow\n"
    )
    path = write(tmp_path, "p.csv", text)
    assert importer.main(["person", str(path), "--upsert", "--no-progress"]) == 0
    path.write_text(text.replace("London", "Marylebone"))
    assert importer.main(["people", str(path), "--upsert", "--no-progress"]) == 0
    people = [dict(r) for r in workspace.records("person")]
    assert len(people) == before + 2  # the second run matched by emails.primaryEmail
    ada = next(p for p in people if p["emails"]["primaryEmail"] == "ada@example.com")
    assert ada["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert ada["city"] == "Marylebone"


def test_checkpoint_of_another_file_is_refused(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "c.csv", "name\n" + "".join(f"k{i}\n" for i in range(20)))
    ckpt = tmp_path / "c.ckpt"
    argv = ["company", str(path), "--checkpoint", str(ckpt), "--no-progress"]
    assert importer.main(argv) == 0
    count = len(companies(workspace))
    assert importer.main(argv) == 0  # a rerun: everything already landed
    assert len(companies(workspace)) == count
    assert "20 already imported (checkpoint)" in capsys.readouterr().err
    path.write_text("name\n" + "".join(f"other{i}\n" for i in range(20)))
    assert importer.main(argv) == 2
    err = capsys.readouterr().err
    assert "differ from the ones the checkpoint recorded" in err and "Traceback" not in err
    assert len(companies(workspace)) == count


def test_progress_bar_advances_to_the_total(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Bar:
        def __init__(self, total: int) -> None:
            self.total, self.n, self.postfix, self.closed = total, 0, {}, False

        def update(self, k: int) -> None:
            self.n += k

        def set_postfix(self, refresh: bool = True, **kw: Any) -> None:
            self.postfix = kw

        def close(self) -> None:
            self.closed = True

    bars: list[Bar] = []

    def fake_bar(total: int, *, disabled: bool) -> Bar:
        bars.append(Bar(total))
        return bars[-1]

    monkeypatch.setattr(importer_cli, "_progress_bar", fake_bar)
    path = write(tmp_path, "c.csv", "name,employees\n" + "".join(f"p{i},{i}\n" for i in range(50)))
    path.write_text(path.read_text().replace("p7,7", "p7,seven"))
    assert importer.main(["company", str(path), "--skip-invalid", "--batch-size", "7"]) == 1
    (bar,) = bars
    assert bar.total == 49 and bar.n == 49 and bar.closed
    assert bar.postfix["failed"] == 0


def test_import_schema_reads_the_codegen_introspection_model() -> None:
    """The importer reads the graphql-core schema codegen.introspect builds (one model)."""
    from graphql import build_schema, introspection_from_schema

    from codegen.introspect import schema_from_introspection
    from twenty_gql.importer import ImportSchema, TypeRef

    sdl = """
    scalar UUID
    enum Stage { NEW WON }
    input LinksCreateInput { primaryLinkUrl: String primaryLinkLabel: String }
    input CompanyCreateInput {
      id: UUID
      name: String!
      stage: Stage! = NEW
      tags: [String!]
      domainName: LinksCreateInput
    }
    input CompanyWhereUniqueInput { id: UUID domainName: LinksCreateInput }
    type Company { id: UUID }
    type Query { company: Company }
    type Mutation {
      createCompanies(data: [CompanyCreateInput!]!, upsert: Boolean): [Company]
      createCompany(data: CompanyCreateInput!): Company
      createNothing(data: [Int!]!, upsert: Boolean): Int
    }
    """
    loaded = schema_from_introspection(
        {"data": introspection_from_schema(build_schema(sdl))}, "test"
    )
    schema = ImportSchema.from_schema(loaded.schema)
    assert schema.creates == {"createCompanies": ("CompanyCreateInput", "createCompanies")}
    assert schema.resolve_object("company") == ("createCompanies", "CompanyCreateInput")
    fields = schema.inputs["CompanyCreateInput"]
    assert fields["name"] == (TypeRef("String", "SCALAR", True), False)
    assert fields["stage"] == (TypeRef("Stage", "ENUM", True), True)
    assert fields["tags"] == (TypeRef("String", "SCALAR", False, True, True), False)
    assert fields["domainName"][0].kind == "INPUT_OBJECT"
    assert schema.enums["Stage"] == frozenset({"NEW", "WON"})
    assert schema.unique_fields("CompanyCreateInput") == (
        "domainName.primaryLinkLabel",
        "domainName.primaryLinkUrl",
    )


def test_an_unwritable_default_checkpoint_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        importer_cli, "client_factory", lambda url, key, bs: WorkspaceClient(Workspace("standard"))
    )
    path = write(tmp_path, "c.csv", "name\nA\n")
    (tmp_path / "c.csv.twenty-gql-checkpoint").mkdir()  # cannot be opened as a file
    code = importer.main(["company", str(path), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "c.csv.twenty-gql-checkpoint" in err and "--checkpoint PATH" in err
