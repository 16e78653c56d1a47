"""A hostile schema: keyword/builtin names, case twins, descriptions that try to inject code.

Descriptions arrive through an introspection JSON (the only way NUL bytes can reach us); the
generated package must parse, import, type-check (see test_codegen_mypy.py) and run nothing.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from codegen.errors import SchemaSourceError
from codegen.generate import GenerateConfig, generate, write_package

from ._gen import SCHEMAS, introspection_json, load_sdl

MARKER = "PWNED_BY_SCHEMA"
PAYLOADS = [
    f'"""\nimport pathlib; pathlib.Path("{MARKER}").write_text("x")\n"""',
    f'\\"""; import os; os.system(\'touch {MARKER}\') #',
    "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %} {# c #}",
    "NUL\x00 bell\x07 escape\x1b",
    "back\\slash at end \\",
    "non-ASCII: café — 日本語 🙂 \u2028 line-sep \r carriage",
    f"\n\nx = 1\nopen('{MARKER}', 'w')\n",
]


def run_python(code: str, *, cwd: Path, path: Path) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter importing from ``path`` only; it must exit 0."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def hostile_introspection() -> dict[str, object]:
    data = json.loads(introspection_json(load_sdl(SCHEMAS / "hostile_core.graphql"), wrapped=True))
    n = 0

    def poison(obj: object) -> None:
        nonlocal n
        if isinstance(obj, dict):
            if "description" in obj:
                obj["description"] = PAYLOADS[n % len(PAYLOADS)]
                n += 1
            if obj.get("kind") in ("OBJECT", "ENUM", "INPUT_OBJECT", "SCALAR") and not str(
                obj.get("name", "")
            ).startswith("__"):
                obj["description"] = PAYLOADS[n % len(PAYLOADS)]
                n += 1
            for v in obj.values():
                poison(v)
        elif isinstance(obj, list):
            for v in obj:
                poison(v)

    poison(data)
    for t in data["data"]["__schema"]["types"]:  # type: ignore[index]
        if t["name"] == "Kind":
            for v in t["enumValues"]:
                v["deprecationReason"] = None
    return data


def write_hostile(root: Path) -> Path:
    src = root / "hostile.json"
    src.write_text(json.dumps(hostile_introspection()), encoding="utf-8")
    files = generate(
        GenerateConfig(package="hostile_pkg", core_schema=src, scalars={"Weird": "typing.Any"})
    )
    write_package(files, root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_hostile(tmp_path_factory.mktemp("hostile"))


def test_every_file_parses_and_keeps_payloads_inert(hostile_out: Path) -> None:
    sources = sorted((hostile_out / "hostile_pkg").rglob("*.py"))
    assert sources
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert "\x00" not in text
        tree = ast.parse(text)
        # no payload became a statement: the only calls at module level are ours
        for node in tree.body:
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant):
                pytest.fail(f"{path}: unexpected module-level expression {ast.dump(node)[:80]}")


def test_package_imports_and_runs_nothing(hostile_out: Path, tmp_path: Path) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "import hostile_pkg, hostile_pkg.core as core\n"
        "names = sorted(core.__all__)\n"
        "for n in names: getattr(core, n)\n"
        "from hostile_pkg.core.objects import import_ as m\n"
        "print(sorted(m.Import.__struct_fields__))\n"
        "print(sorted(m.Kind.__members__))\n"
        "print(m.IMPORTS_OP.document)\n"
    )
    proc = run_python(code, cwd=tmp_path, path=hostile_out)
    assert not list(tmp_path.glob(f"*{MARKER}*"))
    assert not list(hostile_out.glob(f"**/*{MARKER}*"))
    fields_line, members_line, *doc_lines = proc.stdout.splitlines()
    document = "\n".join(doc_lines)  # documents are printed on several lines
    # keywords, builtins and case twins all got distinct, safe attribute names
    for attr in ["from_", "class_", "none", "self", "client", "foo_bar", "list_", "dict_", "kind"]:
        assert f"'{attr}'" in fields_line, (attr, fields_line)
    assert fields_line.count("'foo_bar") == 3
    for member in ["name_", "value_", "None_", "class_", "index_", "count_", "lower_", "UPPER"]:
        assert f"'{member}'" in members_line, (member, members_line)
    assert "from" in document and "client: $client" in document


def test_case_twins_and_builtin_functions(hostile_out: Path) -> None:
    root = hostile_out / "hostile_pkg" / "core"
    root_py = (root / "_root.py").read_text(encoding="utf-8")
    assert "class Object(" in (root / "_common.py").read_text(encoding="utf-8")
    assert "class Object_2(" in (root / "_common.py").read_text(encoding="utf-8")
    for func in ["object_", "object__2", "print_", "list_", "type_"]:
        assert f"async def {func}(" in root_py, func
    assert "async def class_(" in root_py


def test_injected_name_is_a_clear_error(tmp_path: Path) -> None:
    data = hostile_introspection()
    for t in data["data"]["__schema"]["types"]:  # type: ignore[index]
        if t["name"] == "Import":
            t["fields"][0]["name"] = 'x"); import os #'
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        SchemaSourceError, match=r"bad\.json: invalid introspection result: Names must"
    ):
        generate(GenerateConfig(package="p", core_schema=src))


# Found by tests/reliability/test_codegen_adversarial.py: names that shadow what a generated
# function or facade method itself uses (its own parameters, the function it calls, builtins
# a body annotation would use) and root fields whose names clash across modules or kinds.
CLASHES_SDL = """
schema { query: Query mutation: Mutation }
scalar UUID
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Item { id: UUID! name: String parent: Item }
type ItemEdge { node: Item! cursor: String! }
type ItemConnection { edges: [ItemEdge!]! pageInfo: PageInfo! }
input ItemFilterInput { id: String }
type Query {
  items(filter: ItemFilterInput, first: Int, after: String, pageSize: Int, include: String,
        items: String, dict: String, str: String): ItemConnection
  item(filter: ItemFilterInput!, include: String): Item
  ping(dict: String, str: Int): String
}
type Mutation { ping: String items: Boolean }
"""


def write_clashes(root: Path) -> Path:
    src = root / "clashes.graphql"
    src.write_text(CLASHES_SDL, encoding="utf-8")
    write_package(generate(GenerateConfig(package="clashes_pkg", core_schema=src)), root / "out")
    return root / "out"


def test_names_that_shadow_generated_code_are_renamed(tmp_path: Path) -> None:
    out = write_clashes(tmp_path)
    for path in sorted((out / "clashes_pkg").rglob("*.py")):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")  # no duplicate argument
    code = (
        "import inspect\n"
        "import clashes_pkg.core as core\n"
        "from clashes_pkg.core.objects.item import ItemApi\n"
        "sig = lambda f: sorted(inspect.signature(f).parameters)\n"
        "print(sig(ItemApi.iterate))\n"
        "print(sig(ItemApi.find_many_with))\n"
        "print(sig(ItemApi.find_one_with))\n"
        "print(sig(core.items))\n"
        "print(sig(core.ping))\n"
        "print(core.items.__module__, core.items_2.__module__, core.ping_2.__module__)\n"
        "print(core.PING_OP.kind, core.PING_2_OP.kind, core.ITEMS_2_OP.kind)\n"
    )
    proc = run_python(code, cwd=tmp_path, path=out)
    iterate, many_with, one_with, items, ping, modules, kinds = proc.stdout.splitlines()
    # the facade's own page_size/include stay; the schema's pageSize/include become *_2
    assert "'page_size', 'page_size_2'" in iterate
    assert "'include', 'include_2'" in many_with
    assert "'include', 'include_2'" in one_with
    # the function a facade method calls is not shadowed by an argument of the same name
    assert "'items_2'" in items and "'items'" not in items
    # parameters may be named like builtins: bodies annotate ``_v`` with _runtime.Variables
    # (a ``dict[str, ...]`` there was shadowed; test_codegen_mypy type-checks this package)
    assert ping == "['client', 'dict', 'str']"
    # query/mutation and record/root functions never share an exported name
    assert modules.split() == [
        "clashes_pkg.core.objects.item",
        "clashes_pkg.core._root",
        "clashes_pkg.core._root",
    ]
    assert kinds.split() == ["query", "mutation", "mutation"]


UNION_SDL = """
type A { id: ID! v: Int inner: Inner }
type B { id: ID! v: [String!] inner: Inner2 }
type Inner { x: Int }
type Inner2 { x: String }
union AB = A | B
type Query { ab: [AB!]! }
"""


def test_union_members_with_clashing_fields_are_aliased(tmp_path: Path) -> None:
    # found by tests/reliability: "... on A { v } ... on B { v }" with Int vs [String!] is an
    # invalid document (OverlappingFieldsCanBeMerged); the generator now aliases such fields
    src = tmp_path / "union.graphql"
    src.write_text(UNION_SDL, encoding="utf-8")
    write_package(generate(GenerateConfig(package="union_pkg", core_schema=src)), tmp_path)
    code = (
        "import json, msgspec\n"
        "from union_pkg.core._root import AB_OP\n"
        "print(json.dumps(AB_OP.document))\n"
        # a core schema's ID decodes to uuid.UUID (codegen.scalars.CORE_ID)
        'raw = {"ab": [{"__typename": "A", "id": "00000000-0000-4000-8000-000000000001",'
        ' "v__A": 3, "inner__A": {"x": 1}}, {"__typename": "B",'
        ' "id": "00000000-0000-4000-8000-000000000002", "v__B": ["s"], "inner__B": {"x": "y"}}]}\n'
        "d = msgspec.convert(raw, AB_OP.result_type)\n"
        "print(d.ab[0].v, d.ab[1].v, d.ab[0].inner.x, d.ab[1].inner.x)\n"
    )
    proc = run_python(code, cwd=tmp_path, path=tmp_path)
    doc_line, values = proc.stdout.splitlines()
    document = json.loads(doc_line)
    assert validate(build_schema(UNION_SDL), parse(document)) == []
    assert "v__A: v" in document and "v__B: v" in document
    assert "id__" not in document  # same-shaped fields keep their name
    assert values == "3 ['s'] 1 y"


def test_a_type_named_like_the_entry_point_does_not_take_its_name(tmp_path: Path) -> None:
    # found by tests/reliability: a schema type "CoreApi" took the name, the facade became
    # CoreApi_2 and the top-level package's lazy "CoreApi" export raised AttributeError
    src = tmp_path / "api.graphql"
    src.write_text(
        "type CoreApi { x: Int }\ntype MetadataApi { y: Int }\n"
        "type Query { coreApi: CoreApi metadataApi: MetadataApi }\n",
        encoding="utf-8",
    )
    files = generate(GenerateConfig(package="api_pkg", core_schema=src, metadata_schema=src))
    write_package(files, tmp_path)
    code = (
        "import api_pkg\n"
        "print(api_pkg.CoreApi.__module__, api_pkg.MetadataApi.__module__)\n"
        "print(sorted(api_pkg.core.CoreApi_2.__struct_fields__))\n"
        "print(sorted(api_pkg.metadata.MetadataApi_2.__struct_fields__))\n"
    )
    proc = run_python(code, cwd=tmp_path, path=tmp_path)
    assert proc.stdout.splitlines() == [
        "api_pkg.core._api api_pkg.metadata._api",
        "['x']",
        "['y']",
    ]


def test_only_a_boolean_upsert_argument_is_the_upsert_flag(tmp_path: Path) -> None:
    # found by tests/reliability: a query argument "upsert: String" was passed to
    # _runtime.keyed_upsert(bool | None, ...), which mypy --strict rejected
    src = tmp_path / "upsert.graphql"
    src.write_text(
        "type Query { find(upsert: String, data: String): Int }\n"
        "type Mutation { createX(upsert: Boolean, data: String): Int }\n",
        encoding="utf-8",
    )
    root = generate(GenerateConfig(package="u", core_schema=src))["u/core/_root.py"]
    find = root[root.index("async def find(") : root.index("async def create_x(")]
    create = root[root.index("async def create_x(") :]
    assert "keyed_upsert" not in find and "_d = await client.execute(FIND_OP, _v)" in find
    assert "idempotent=_runtime.keyed_upsert(upsert, data)" in create
