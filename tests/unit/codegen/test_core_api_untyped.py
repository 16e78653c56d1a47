"""CoreApi's untyped accessors: ``object(name)`` and ``data_model`` are generated on every core
package and never collide with an object accessor (a workspace object whose accessor would be
``object`` or ``data_model`` gets ``_2``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import build_schema

from codegen.build import EndpointInput, build_endpoint
from codegen.generate import GenerateConfig, generate, write_package
from codegen.pytypes import Named

SDL = """
scalar UUID
type PageInfo { hasNextPage: Boolean! endCursor: String }

type Object { id: UUID! name: String }
type ObjectEdge { node: Object! cursor: String! }
type ObjectConnection { edges: [ObjectEdge!]! pageInfo: PageInfo! }
input ObjectFilterInput { id: String }

type DataModel { id: UUID! name: String }
type DataModelEdge { node: DataModel! cursor: String! }
type DataModelConnection { edges: [DataModelEdge!]! pageInfo: PageInfo! }
input DataModelFilterInput { id: String }

type Company { id: UUID! name: String }
type CompanyEdge { node: Company! cursor: String! }
type CompanyConnection { edges: [CompanyEdge!]! pageInfo: PageInfo! }
input CompanyFilterInput { id: String }

type Query {
  object(filter: ObjectFilterInput, first: Int): ObjectConnection
  objectOne(filter: ObjectFilterInput!): Object
  dataModel(filter: DataModelFilterInput, first: Int): DataModelConnection
  dataModelOne(filter: DataModelFilterInput!): DataModel
  companies(filter: CompanyFilterInput, first: Int): CompanyConnection
  company(filter: CompanyFilterInput!): Company
}
"""


def test_object_accessors_named_object_or_data_model_are_escaped() -> None:
    modules, _ = build_endpoint(EndpointInput("graphql", build_schema(SDL)))
    api = {mod.path: mod for mod in modules}["core/_api.py"]
    props = dict(api.api_props)
    assert api.api_object == "object"
    assert api.api_data_model == "data_model"
    assert "object" not in props and "data_model" not in props
    assert props["companies"] == Named("CompanyApi", via="_m_company")
    escaped = {p for p in props if p.startswith(("object_", "data_model_"))}
    assert escaped == {"object_2", "data_model_2"}, props


def test_rendered_core_api_returns_the_runtime_facades(tmp_path: Path) -> None:
    src = tmp_path / "s.graphql"
    src.write_text(SDL, encoding="utf-8")
    write_package(generate(GenerateConfig(package="untyped_pkg", core_schema=src)), tmp_path)
    probe = (
        "from untyped_pkg.core import CoreApi\n"
        "from twenty_gql.datamodel import DataModel\n"
        "from twenty_gql.dynamic import DynamicObjectApi\n"
        "client = object.__new__(type('C', (), {}))\n"
        "api = CoreApi(client)\n"
        "inv = api.object('invoice')\n"
        "assert type(inv) is DynamicObjectApi and inv.name == 'invoice', inv\n"
        "assert type(api.data_model) is DataModel\n"
        "print(type(api.object_2).__name__, type(api.data_model_2).__name__)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ObjectApi", "DataModelApi"]
