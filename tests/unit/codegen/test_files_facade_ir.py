"""FILES fields and attachment targets in a small SDL -> the facade's file methods in the IR,
and the rendered methods delegating to the client's shared ``twenty_gql.files.Files``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import build_schema

from codegen import model as m
from codegen.build import EndpointInput, build_endpoint
from codegen.facades import attachment_targets, files_fields
from codegen.generate import GenerateConfig, generate, write_package
from codegen.pytypes import Named, Nullable, list_of, render

SDL = """
scalar UUID
enum FileCategory { ATTACHMENT }
type FileObject { fileId: UUID! label: String! fileCategory: FileCategory! }
input FileInput { fileId: UUID! label: String! }
type PageInfo { hasNextPage: Boolean! endCursor: String }

type Company { id: UUID! name: String logoFiles: [FileObject] logo_files: [FileObject!] tags: [String] }
type CompanyEdge { node: Company! cursor: String! }
type CompanyConnection { edges: [CompanyEdge!]! pageInfo: PageInfo! }
input CompanyFilterInput { id: String }

type Person { id: UUID! name: String }
type PersonEdge { node: Person! cursor: String! }
type PersonConnection { edges: [PersonEdge!]! pageInfo: PageInfo! }
input PersonFilterInput { id: String }

type Note { id: UUID! title: String }
type NoteEdge { node: Note! cursor: String! }
type NoteConnection { edges: [NoteEdge!]! pageInfo: PageInfo! }
input NoteFilterInput { id: String }

"An object whose accessor is 'files' keeps it; CoreApi's Files accessor becomes files_2"
type File { id: UUID! import: [FileObject] }
type FileEdge { node: File! cursor: String! }
type FileConnection { edges: [FileEdge!]! pageInfo: PageInfo! }
input FileFilterInput { id: String }

type Attachment {
  id: UUID! name: String file: [FileObject]
  targetCompany: Company targetCompanyId: UUID
  person: Person personId: UUID
  targetNote: Person targetNoteId: UUID
}
type AttachmentEdge { node: Attachment! cursor: String! }
type AttachmentConnection { edges: [AttachmentEdge!]! pageInfo: PageInfo! }
input AttachmentFilterInput { id: String }

type Query {
  companies(filter: CompanyFilterInput, first: Int): CompanyConnection
  company(filter: CompanyFilterInput!): Company
  people(filter: PersonFilterInput, first: Int): PersonConnection
  person(filter: PersonFilterInput!): Person
  notes(filter: NoteFilterInput, first: Int): NoteConnection
  note(filter: NoteFilterInput!): Note
  files(filter: FileFilterInput, first: Int): FileConnection
  file(filter: FileFilterInput!): File
  attachments(filter: AttachmentFilterInput, first: Int): AttachmentConnection
  attachment(filter: AttachmentFilterInput!): Attachment
}
"""


def _facades(sdl: str) -> tuple[dict[str, m.FacadeDef], dict[str, m.ModuleDef]]:
    modules, _ = build_endpoint(EndpointInput("graphql", build_schema(sdl)))
    by_path = {mod.path: mod for mod in modules}
    return {f.name: f for mod in modules for f in mod.facades}, by_path


def _file_methods(facade: m.FacadeDef) -> list[tuple[str, str, str, str]]:
    return [
        (meth.name, meth.kind, meth.object_name, meth.field_name)
        for meth in facade.methods
        if meth.kind in ("attach_file", "files", "set_files")
    ]


def test_files_fields_and_attachment_targets_are_read_from_the_schema() -> None:
    schema = build_schema(SDL)
    company = schema.type_map["Company"]
    assert files_fields(company) == ["logoFiles", "logo_files"]  # type: ignore[arg-type]
    assert attachment_targets(schema, "Company", "company")  # targetCompany / targetCompanyId
    assert attachment_targets(schema, "Person", "person")  # the older person / personId
    # targetNote points at Person, not Note: the relation's type decides, not its name
    assert not attachment_targets(schema, "Note", "note")
    assert not attachment_targets(schema, "Attachment", "attachment")


def test_facade_ir_has_typed_file_methods_per_workspace() -> None:
    facades, _ = _facades(SDL)
    assert _file_methods(facades["CompanyApi"]) == [
        ("attach_file", "attach_file", "company", ""),
        ("files", "files", "company", ""),
        ("set_logo_files", "set_files", "company", "logoFiles"),
        ("set_logo_files_2", "set_files", "company", "logo_files"),  # same identifier: _2
    ]
    assert _file_methods(facades["PersonApi"]) == [
        ("attach_file", "attach_file", "person", ""),
        ("files", "files", "person", ""),
    ]
    assert _file_methods(facades["NoteApi"]) == []  # no attachment target, no FILES field
    # a FILES field named like a keyword; attachments cannot target File
    assert _file_methods(facades["FileApi"]) == [
        ("files", "files", "file", ""),
        ("set_import_", "set_files", "file", "import"),
    ]
    assert _file_methods(facades["AttachmentApi"]) == [
        ("files", "files", "attachment", ""),
        ("set_file", "set_files", "attachment", "file"),
    ]


def test_file_method_types_and_imports() -> None:
    facades, modules = _facades(SDL)
    attach, files, set_logo, _ = (
        meth
        for meth in facades["CompanyApi"].methods
        if meth.kind in ("attach_file", "files", "set_files")
    )
    assert [(p.name, render(p.annotation), p.required) for p in attach.params] == [
        ("id", "str | _uuid.UUID", True),
        ("file", "_UploadedFile | _Source", True),
        ("name", "str | None", False),
        ("filename", "str | None", False),
        ("size", "int | None", False),
        ("progress", "_Progress | None", False),
    ]
    assert attach.return_annotation == Named("_RecordFile")
    assert files.return_annotation == list_of(Named("_RecordFile"))
    assert render(set_logo.params[1].annotation) == (
        "_t.Sequence[_UploadedFile | _RecordFile | _Source | tuple[str, _Source]]"
    )
    assert set_logo.params[3].annotation == Nullable(Named("_Progress"))
    company = modules["core/objects/company.py"]
    # the runtime is named only under TYPE_CHECKING, through public twenty_gql.files names
    assert (
        "    from twenty_gql.files import Progress as _Progress, RecordFile as _RecordFile, "
        "Source as _Source, UploadedFile as _UploadedFile"
    ) in company.type_checking_imports
    note = modules["core/objects/note.py"]
    assert not any("twenty_gql.files" in line for line in note.type_checking_imports)
    api = modules["core/_api.py"]
    assert api.api_files == "files_2"
    assert ("files", Named("FileApi", via="_m_file")) in api.api_props


def test_no_files_accessor_without_file_methods() -> None:
    sdl = (
        SDL.split("type Attachment {")[0]
        .replace(" logoFiles: [FileObject] logo_files: [FileObject!]", "")
        .replace(" import: [FileObject]", "")
    )
    sdl += """
type Query {
  companies(filter: CompanyFilterInput, first: Int): CompanyConnection
  company(filter: CompanyFilterInput!): Company
}
"""
    facades, modules = _facades(sdl)
    assert _file_methods(facades["CompanyApi"]) == []
    assert modules["core/_api.py"].api_files == ""


def test_rendered_methods_delegate_to_the_shared_files(tmp_path: Path) -> None:
    src = tmp_path / "s.graphql"
    src.write_text(SDL, encoding="utf-8")
    write_package(generate(GenerateConfig(package="files_pkg", core_schema=src)), tmp_path)
    code = (tmp_path / "files_pkg/core/objects/company.py").read_text(encoding="utf-8")
    assert 'return await _runtime.files_of(self._client).attach(\n            "company",' in code
    assert (
        '.set_files_field(\n            "company",\n            str(id),\n            "logo_files",'
        in code
    )
    probe = (
        "import asyncio, inspect\n"
        "from files_pkg import _runtime\n"
        "from files_pkg.core import CoreApi\n"
        "from files_pkg.core.objects.company import CompanyApi\n"
        "calls = []\n"
        "class FakeFiles:\n"
        "    async def attach(self, *a, **k): calls.append(('attach', a, k))\n"
        "    async def list(self, *a, **k): calls.append(('list', a, k))\n"
        "    async def set_files_field(self, *a, **k): calls.append(('set', a, k))\n"
        "client = object.__new__(type('C', (), {}))\n"
        "fake = FakeFiles()\n"
        "_runtime._FILES[client] = fake\n"
        "api = CoreApi(client)\n"
        "assert api.files_2 is fake\n"
        "c = CompanyApi(client)\n"
        "asyncio.run(c.attach_file('i', b'x', name='n'))\n"
        "asyncio.run(c.files('i'))\n"
        "asyncio.run(c.set_logo_files('i', [b'y'], append=True))\n"
        "for call in calls: print(call)\n"
        "print(sorted(inspect.signature(CompanyApi.set_logo_files_2).parameters))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines == [
        "('attach', ('company', 'i', b'x'), "
        "{'name': 'n', 'filename': None, 'size': None, 'progress': None})",
        "('list', ('company', 'i'), {})",
        "('set', ('company', 'i', 'logoFiles', [b'y']), {'append': True, 'progress': None})",
        "['append', 'files', 'id', 'progress', 'self']",
    ]
