"""Golden tests of the generated tree, determinism, formatting and document validity.

Update the expected tree after an intended change with::

    TWENTY_GQL_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/golden
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import parse, validate

from codegen.formatting import RUFF_ARGS, find_ruff
from codegen.generate import GenerateConfig, generate
from codegen.introspect import load_schema_file

from ._gen import (
    EXPECTED,
    METADATA_243,
    SMALL_CORE,
    documents,
    introspection_json,
    load_sdl,
    small_files,
)

UPDATE = os.environ.get("TWENTY_GQL_UPDATE_GOLDEN") == "1"


def test_generated_tree_matches_golden() -> None:
    files = small_files()
    root = EXPECTED
    if UPDATE:
        shutil.rmtree(root / "small", ignore_errors=True)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    on_disk = {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in (root / "small").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sorted(on_disk) == sorted(files), (
        "file list differs (TWENTY_GQL_UPDATE_GOLDEN=1 to update)"
    )
    for rel, text in files.items():
        assert on_disk[rel] == text, f"{rel} differs from golden (TWENTY_GQL_UPDATE_GOLDEN=1)"


def test_expected_layout() -> None:
    files = small_files()
    for rel in [
        "small/__init__.py",
        "small/py.typed",
        "small/_runtime.py",
        "small/core/__init__.py",
        "small/core/_api.py",
        "small/core/_common.py",
        "small/core/_root.py",
        "small/core/objects/company.py",
        "small/core/objects/person.py",
        "small/core/objects/workspace_member.py",
        "small/metadata/__init__.py",
        "small/metadata/_api.py",
        "small/metadata/_inputs.py",
        "small/metadata/types/__init__.py",
        "small/metadata/types/object_connection.py",
        "small/schema/graphql.graphql",
        "small/schema/metadata.graphql",
    ]:
        assert rel in files, rel
    init = files["small/__init__.py"]
    assert "SCHEMA_HASHES: dict[str, str] = {" in init
    assert "sha256:" in init and "def __getattr__(name: str)" in init
    # the generic fallback for a root field that follows no convention
    assert "async def server_time(" in files["small/core/_root.py"]


def test_two_runs_give_identical_bytes() -> None:
    assert small_files() == small_files()


def test_sdl_and_introspection_json_give_the_same_code(tmp_path: Path) -> None:
    sdl = load_sdl(SMALL_CORE)
    plain = tmp_path / "core.json"
    wrapped = tmp_path / "wrapped.json"
    plain.write_text(introspection_json(sdl, wrapped=False))
    wrapped.write_text(introspection_json(sdl, wrapped=True))
    outs = [
        generate(GenerateConfig(package="p", core_schema=src))
        for src in (SMALL_CORE, plain, wrapped)
    ]

    def strip_source(files: dict[str, str]) -> dict[str, str]:
        return {
            k: "\n".join(
                ln
                for ln in v.splitlines()
                if not ln.startswith("# Sources:") and not ln.startswith("SOURCES: dict")
            )
            for k, v in files.items()
        }

    assert strip_source(outs[0]) == strip_source(outs[1]) == strip_source(outs[2])


def test_output_is_ruff_formatted(tmp_path: Path) -> None:
    ruff = find_ruff()
    if ruff is None:  # ruff is a declared dependency; its absence is an install error
        pytest.fail("ruff is not installed")
    for rel, text in small_files().items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [ruff, "format", "--check", *RUFF_ARGS, str(tmp_path)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("which", ["small", "standard", "metadata-2.43"])
def test_every_generated_document_validates(which: str) -> None:
    from twenty_gql.testing.workspace import Workspace

    if which == "small":
        pairs = [("graphql", load_sdl(SMALL_CORE))]
    elif which == "standard":
        pairs = [("graphql", Workspace(seed="standard").core_schema)]
    else:
        pairs = [("metadata", load_schema_file(METADATA_243).schema)]
    total = 0
    for endpoint, schema in pairs:
        docs = documents(endpoint, schema)
        assert docs
        for doc in docs:
            errors = validate(schema, parse(doc))
            assert not errors, f"{doc[:200]}...: {errors[0].message}"
        total += len(docs)
    if which == "metadata-2.43":
        assert total == 135 + 268  # every query and mutation root field
