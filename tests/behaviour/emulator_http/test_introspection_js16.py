"""Introspection looks like Twenty's server (graphql-js 16.8.0, pinned by Twenty), whatever
graphql-core runs the emulator; graphql-core 3.2 and 3.3 both build a client schema from it."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path
from typing import Any

import pytest
from graphql import build_client_schema, get_introspection_query, graphql_sync

from twenty_gql.testing.metadata_api import metadata_schema
from twenty_gql.testing.workspace import Workspace

from .conftest import Http, codes

#: graphql-js 16.8.0 ``specifiedDirectives``: name -> (locations, argument names)
JS16_DIRECTIVES = {
    "include": (["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], ["if"]),
    "skip": (["FIELD", "FRAGMENT_SPREAD", "INLINE_FRAGMENT"], ["if"]),
    "deprecated": (
        ["FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION", "ENUM_VALUE"],
        ["reason"],
    ),
    "specifiedBy": (["SCALAR"], ["url"]),
}
#: graphql-js 16.8.0 introspection types: fields (objects) or values (enums)
JS16_INTROSPECTION = {
    "__Schema": [
        "description",
        "types",
        "queryType",
        "mutationType",
        "subscriptionType",
        "directives",
    ],
    "__Type": [
        "kind",
        "name",
        "description",
        "specifiedByURL",
        "fields",
        "interfaces",
        "possibleTypes",
        "enumValues",
        "inputFields",
        "ofType",
    ],
    "__TypeKind": [
        "SCALAR",
        "OBJECT",
        "INTERFACE",
        "UNION",
        "ENUM",
        "INPUT_OBJECT",
        "LIST",
        "NON_NULL",
    ],
    "__Field": ["name", "description", "args", "type", "isDeprecated", "deprecationReason"],
    "__InputValue": [
        "name",
        "description",
        "type",
        "defaultValue",
        "isDeprecated",
        "deprecationReason",
    ],
    "__EnumValue": ["name", "description", "isDeprecated", "deprecationReason"],
    "__Directive": ["name", "description", "isRepeatable", "locations", "args"],
    "__DirectiveLocation": [
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
        "SCHEMA",
        "SCALAR",
        "OBJECT",
        "FIELD_DEFINITION",
        "ARGUMENT_DEFINITION",
        "INTERFACE",
        "UNION",
        "ENUM",
        "ENUM_VALUE",
        "INPUT_OBJECT",
        "INPUT_FIELD_DEFINITION",
    ],
}
FULL_QUERY = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    input_value_deprecation=True,
)


def directive_shapes(data: Any) -> dict[str, tuple[list[str], list[str]]]:
    return {
        d["name"]: (d["locations"], [a["name"] for a in d["args"]])
        for d in data["__schema"]["directives"]
    }


def introspection_shapes(data: Any) -> dict[str, list[str]]:
    return {
        t["name"]: [x["name"] for x in (t["fields"] or t["enumValues"] or [])]
        for t in data["__schema"]["types"]
        if t["name"].startswith("__")
    }


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
async def test_introspection_has_the_shape_of_graphql_js_16(http: Http, path: str) -> None:
    data = await http.ok(path, FULL_QUERY)
    assert directive_shapes(data) == JS16_DIRECTIVES
    assert list(directive_shapes(data)) == list(JS16_DIRECTIVES)  # graphql-js order
    assert introspection_shapes(data) == JS16_INTROSPECTION
    build_client_schema(data)  # the graphql-core running this test (3.3)


@pytest.mark.parametrize(
    "query",
    [
        '{ __type(name: "PageInfo") { name isOneOf } }',
        "{ __schema { directives { name isDeprecated } } }",
        "{ __schema { directives(includeDeprecated: true) { name } } }",
    ],
)
async def test_graphql_js_17_introspection_fields_are_refused(http: Http, query: str) -> None:
    status, body = await http.post("/graphql", query)
    assert status == 200
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]


_CHECK_32 = textwrap.dedent(
    """
    import json, sys
    import graphql
    from graphql import build_client_schema, get_introspection_query

    assert graphql.version.startswith("3.2."), graphql.version
    for path in sys.argv[1:]:  # introspection served by the emulator under graphql-core 3.3
        build_client_schema(json.load(open(path)))
    from twenty_gql.testing.workspace import Workspace  # the emulator under graphql-core 3.2

    result = Workspace().execute_core(get_introspection_query(descriptions=True))
    assert result.errors is None, result.errors
    build_client_schema(result.data)
    print(json.dumps({
        d["name"]: [d["locations"], [a["name"] for a in d["args"]]]
        for d in result.data["__schema"]["directives"]
    }))
    """
)


def _served_introspection(tmp_path: Path) -> list[str]:
    """/graphql and /metadata introspection as the emulator serves them (this graphql-core)."""
    query = get_introspection_query(descriptions=True)
    core = Workspace().execute_core(query)
    meta = graphql_sync(metadata_schema(), query)
    files = []
    for name, result in (("graphql", core), ("metadata", meta)):
        assert result.errors is None, result.errors
        out = tmp_path / f"{name}.json"
        out.write_text(json.dumps(result.data))
        files.append(str(out))
    return files


@pytest.mark.slow
def test_graphql_core_32_builds_a_client_schema(tmp_path: Path) -> None:
    """graphql-core 3.2 in its own venv (the installed packages appended after it on sys.path)."""
    venv = tmp_path / "gql32"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "graphql-core>=3.2.3,<3.3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if install.returncode != 0:
        pytest.skip(f"cannot install graphql-core 3.2 here: {install.stderr[-500:]}")
    own_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(own_site, "zz_outer_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    files = _served_introspection(tmp_path)
    run = subprocess.run(
        [str(python), "-c", _CHECK_32, *files], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    shapes = json.loads(run.stdout.strip().splitlines()[-1])
    assert {k: (v[0], v[1]) for k, v in shapes.items()} == JS16_DIRECTIVES
