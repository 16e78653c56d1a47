"""``--operations``: user documents compiled into functions typed to their exact selections."""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest

from codegen.generate import GenerateConfig, generate, write_package
from codegen.operations import OperationsError

SCHEMAS = Path(__file__).resolve().parents[2] / "golden" / "schemas"

ABSTRACT_SDL = """
interface Node { id: ID! }
type Cat implements Node { id: ID! meows: Int! }
type Dog implements Node { id: ID! barks: Boolean }
union Pet = Cat | Dog
type Query { pets: [Pet!]! node(id: ID!): Node }
"""


class FakeClient:
    batch_size = 60
    page_size_max = 200

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.sent: list[tuple[str, str, dict[str, Any] | None]] = []

    async def execute(self, op: Any, variables: Any = None, *, idempotent: Any = None) -> Any:
        self.sent.append((op.name, op.document, variables))
        return msgspec.json.decode(json.dumps(self.data).encode(), type=op.result_type)


def _generate(tmp_path: Path, docs: dict[str, str], package: str, **schemas: Any) -> Path:
    ops = tmp_path / "ops"
    ops.mkdir()
    for name, text in docs.items():
        (ops / name).write_text(text)
    files = generate(GenerateConfig(package=package, operations=ops, **schemas))
    out = tmp_path / "out"
    write_package(files, out)
    return out


@pytest.fixture
def importable(tmp_path: Path):  # type: ignore[no-untyped-def]
    added: list[str] = []

    def add(path: Path) -> None:
        sys.path.insert(0, str(path))
        added.append(str(path))

    yield add
    for p in added:
        sys.path.remove(p)
    for name in [n for n in sys.modules if n.startswith(("ops_pkg", "abs_pkg"))]:
        del sys.modules[name]


async def test_aliases_fragments_and_variables(tmp_path: Path, importable) -> None:  # type: ignore[no-untyped-def]
    out = _generate(
        tmp_path,
        {
            "a.graphql": "query Top($first: Int, $f: CompanyFilterInput!) {"
            " companies(first: $first, filter: $f) { list: edges { node { ...Bits owner: accountOwner { id } } } } }",
            "b.graphql": "fragment Bits on Company { id label: name tier }",
        },
        "ops_pkg",
        core_schema=SCHEMAS / "small_core.graphql",
    )
    importable(out)
    mod = importlib.import_module("ops_pkg.core.operations")
    assert "fragment Bits on Company" in mod.TOP_OP.document
    client = FakeClient(
        {
            "companies": {
                "list": [
                    {
                        "node": {
                            "id": "6f1b2b6e-3c39-4b57-9c2c-6a8a7d1b2c3d",
                            "label": "Acme",
                            "tier": "TIER_1",
                            "owner": None,
                        }
                    }
                ]
            }
        }
    )
    result = await mod.top(client, f={"name": {"eq": "Acme"}})
    node = result.companies.list_[0].node
    assert node.label == "Acme" and node.owner is None
    assert node.tier.value == "TIER_1"
    assert str(node.id) == "6f1b2b6e-3c39-4b57-9c2c-6a8a7d1b2c3d"
    # an optional variable left out is not sent at all
    assert client.sent[0][2] == {"f": {"name": {"eq": "Acme"}}}


async def test_unions_and_interfaces_become_tagged_structs(tmp_path: Path, importable) -> None:  # type: ignore[no-untyped-def]
    sdl = tmp_path / "abs.graphql"
    sdl.write_text(ABSTRACT_SDL)
    out = _generate(
        tmp_path,
        {
            "p.graphql": "query Pets { pets { ... on Cat { meows } ... on Dog { barks } } node(id: 1) { id } }"
        },
        "abs_pkg",
        core_schema=sdl,
    )
    importable(out)
    mod = importlib.import_module("abs_pkg.core.operations")
    assert "__typename" in mod.PETS_OP.document
    client = FakeClient(
        {
            "pets": [{"__typename": "Cat", "meows": 3}, {"__typename": "Dog", "barks": None}],
            # the core schema's ID is a record join column: a uuid (codegen.scalars.CORE_ID)
            "node": {"__typename": "Dog", "id": "0b8e1c9e-8f53-4a8e-9d7a-0b5f2f0e7d11"},
        }
    )
    result = await mod.pets(client)
    assert [type(p).__name__ for p in result.pets] == ["PetsResultPetsCat", "PetsResultPetsDog"]
    assert result.pets[0].meows == 3
    assert result.node.id == uuid.UUID("0b8e1c9e-8f53-4a8e-9d7a-0b5f2f0e7d11")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("query Q { companies { nope } }", r"q\.graphql:1:23: Cannot query field 'nope'"),
        ("query Q {\n  companies {\n    edges }\n}", r"q\.graphql:3:5: Field 'edges' of type"),
        ("query Q { companies { ", r"q\.graphql:1:23: Syntax Error"),
        ("{ companies { totalCount } }", r"q\.graphql: every operation needs a name"),
        (
            "query Q($x: Nope) { companies(first: $x) { totalCount } }",
            r"q\.graphql:1:13: Unknown type 'Nope'",
        ),
    ],
)
def test_invalid_documents_name_file_and_line(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(OperationsError, match=match):
        _generate(
            tmp_path, {"q.graphql": text}, "bad_pkg", core_schema=SCHEMAS / "small_core.graphql"
        )


def test_metadata_documents_go_to_the_metadata_package(tmp_path: Path) -> None:
    ops = tmp_path / "ops"
    ops.mkdir()
    (ops / "m.graphql").write_text("query Objs { objects { edges { node { id nameSingular } } } }")
    files = generate(
        GenerateConfig(
            package="both",
            core_schema=SCHEMAS / "small_core.graphql",
            metadata_schema=SCHEMAS / "small_metadata.graphql",
            operations=ops,
        )
    )
    assert "both/metadata/operations.py" in files
    assert "both/core/operations.py" not in files
    assert 'endpoint="metadata"' in files["both/metadata/operations.py"]
