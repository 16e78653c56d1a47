"""A small SDL snippet through the events stage into its IR, and the IR through the template."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from graphql import build_schema

from codegen import model as m
from codegen.events import build_events
from codegen.generate import GenerateConfig, generate
from codegen.pytypes import Named
from codegen.render import render_events
from codegen.text import comment_text

ROOT = Path(__file__).resolve().parents[3]

# ``Company`` and ``Person`` have a findOne (nameSingular = the field name); ``WorkspaceMember``
# has none (nameSingular = the type name, lower-first); ``Dispatcher`` would take a name the
# module defines itself; ``FooBar`` / ``Foo_bar`` become the same attribute; ``Thing`` is
# no record (no connection) and gets no events; ``Globals`` would shadow a builtin the module
# calls.
CORE = '''
scalar UUID
type PageInfo { hasNextPage: Boolean! endCursor: String }
"""A company \\""" + injected""" type Company { id: UUID! name: String }
type CompanyEdge { node: Company! cursor: String! }
type CompanyConnection { edges: [CompanyEdge!]! pageInfo: PageInfo! }
type Person { id: UUID! jobTitle: String }
type PersonEdge { node: Person! cursor: String! }
type PersonConnection { edges: [PersonEdge!]! pageInfo: PageInfo! }
type WorkspaceMember { id: UUID! }
type WorkspaceMemberEdge { node: WorkspaceMember! cursor: String! }
type WorkspaceMemberConnection { edges: [WorkspaceMemberEdge!]! pageInfo: PageInfo! }
type Dispatcher { id: UUID! }
type DispatcherEdge { node: Dispatcher! cursor: String! }
type DispatcherConnection { edges: [DispatcherEdge!]! pageInfo: PageInfo! }
type FooBar { id: UUID! }
type FooBarEdge { node: FooBar! cursor: String! }
type FooBarConnection { edges: [FooBarEdge!]! pageInfo: PageInfo! }
type Foo_bar { id: UUID! }
type Foo_barEdge { node: Foo_bar! cursor: String! }
type Foo_barConnection { edges: [Foo_barEdge!]! pageInfo: PageInfo! }
type Globals { id: UUID! }
type GlobalsEdge { node: Globals! cursor: String! }
type GlobalsConnection { edges: [GlobalsEdge!]! pageInfo: PageInfo! }
type Thing { id: UUID! }
input CompanyFilterInput { name: String }
input PersonFilterInput { jobTitle: String }
type Query {
  companies(filter: CompanyFilterInput, first: Int): CompanyConnection
  company(filter: CompanyFilterInput!): Company
  people(filter: PersonFilterInput): PersonConnection
  person(filter: PersonFilterInput!): Person
  workspaceMembers: WorkspaceMemberConnection
  dispatchers: DispatcherConnection
  fooBars: FooBarConnection
  foo_bars: Foo_barConnection
  globalsList: GlobalsConnection
  thing: Thing
}
'''


def _obj(attribute: str, object_name: str, cls: str, module: str, doc: str = "") -> m.EventObject:
    return m.EventObject(
        attribute=attribute,
        object_name=object_name,
        record=Named(cls, via=f"_m_{module}"),
        module_alias=f"_m_{module}",
        package=".core.objects",
        module=module,
        doc=doc,
    )


def test_sdl_snippet_becomes_events_ir() -> None:
    ir = build_events(build_schema(CORE), "crm")
    assert ir.path == "crm/events.py"
    assert ir.objects == (
        _obj("company", "company", "Company", "company", 'A company """ + injected'),
        _obj("dispatcher_2", "dispatcher", "Dispatcher", "dispatcher"),
        _obj("foo_bar", "fooBar", "FooBar", "foo_bar"),
        _obj("foo_bar_2", "foo_bar", "Foo_bar", "foo_bar_2"),
        _obj("globals_", "globals", "Globals", "globals_"),
        _obj("person", "person", "Person", "person"),
        _obj("workspace_member", "workspaceMember", "WorkspaceMember", "workspace_member"),
    )


def test_events_ir_is_independent_of_schema_order() -> None:
    head, query = CORE.split("type Query {")
    fields, tail = query.split("}", 1)
    lines = head.strip().splitlines()  # one definition a line
    swapped = "\n".join([lines[0], *reversed(lines[1:])])
    reordered = "\n".join(reversed(fields.strip().splitlines()))
    shuffled = f"{swapped}\ntype Query {{\n{reordered}\n}}{tail}"
    assert shuffled != CORE
    assert build_events(build_schema(shuffled)) == build_events(build_schema(CORE))


def test_rendered_module_declares_every_object_and_escapes_descriptions() -> None:
    text = render_events(build_events(build_schema(CORE), "crm"), "# header")
    tree = ast.parse(text)
    declared = {
        n.target.id
        for block in tree.body
        if isinstance(block, ast.If)
        for n in block.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
    assert declared == {
        "company",
        "dispatcher_2",
        "foo_bar",
        "foo_bar_2",
        "globals_",
        "person",
        "workspace_member",
        "ALL_OBJECTS",
        "AnyEvent",
    }
    funcs = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "dispatcher" in funcs
    all_node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"
    )
    names = ast.literal_eval(all_node.value)
    assert names == sorted(names) and set(names) == declared | {"dispatcher"}
    # the description is one escaped comment line, nothing else
    doc = 'A company """ + injected'
    assert "    # " + comment_text(doc) + "\n" in text
    assert '"""' not in comment_text(doc)


def test_events_module_only_with_a_core_schema() -> None:
    from tests.golden._gen import SMALL_CORE, SMALL_META

    with_core = generate(GenerateConfig(package="p", core_schema=SMALL_CORE))
    assert "p/events.py" in with_core
    meta_only = generate(GenerateConfig(package="p", metadata_schema=SMALL_META))
    assert "p/events.py" not in meta_only


def test_generated_events_module_runs(tmp_path: Path) -> None:
    """The snippet's package imports; every object (``globals_`` too) loads on first use."""
    from codegen.generate import write_package

    sdl = tmp_path / "core.graphql"
    sdl.write_text(CORE, encoding="utf-8")
    write_package(generate(GenerateConfig(package="evpkg", core_schema=sdl)), tmp_path / "out")
    code = (
        "import sys, typing\n"
        "import evpkg.events as ev\n"
        "assert not [m for m in sys.modules if m.startswith('evpkg.core')]\n"
        "assert ev.globals_.object_name == 'globals' and ev.globals_ is ev.globals_\n"
        "print(sorted(e.object_name for e in ev.ALL_OBJECTS))\n"
        "print(len(typing.get_args(ev.AnyEvent)), type(ev.dispatcher('s')).__name__)\n"
        "assert sorted(dir(ev)) == sorted(ev.__all__)\n"
        "try:\n    ev.thing\nexcept AttributeError as e:\n    print(e)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": f"{tmp_path / 'out'}{os.pathsep}{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    objects, counts, missing = proc.stdout.splitlines()
    assert objects == str(
        ["company", "dispatcher", "fooBar", "foo_bar", "globals", "person", "workspaceMember"]
    )
    assert counts == "8 WebhookDispatcher"  # 7 typed events + UntypedEvent
    assert missing == "module 'evpkg.events' has no attribute 'thing'"
