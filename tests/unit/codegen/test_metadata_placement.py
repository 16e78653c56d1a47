"""Metadata types are placed by use, so a call loads only the modules its answer decodes into."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphql import build_schema

from codegen.build import EndpointInput, build_endpoint
from codegen.placement import place_metadata
from codegen.selections import Selections

ROOT = Path(__file__).resolve().parents[3]

SDL = """
enum Kind { A B }
enum Mode { X Y }
type PageInfo { hasNextPage: Boolean! }
type Obj { id: ID! kind: Kind! fields: [Fld!]! }
type Fld { id: ID! name: String! }
type ObjEdge { node: Obj! cursor: String! }
type ObjConnection { edges: [ObjEdge!]! pageInfo: PageInfo! }
type Other { id: ID! }
type Orphan { id: ID! }
type Cat { n: Int! } type Dog { n: Int! }
union Pet = Cat | Dog
input ObjFilter { kind: Kind mode: Mode }
type Query {
  objs(filter: ObjFilter): ObjConnection!
  obj(id: ID!): Obj
  other: Other!
  pets: [Pet!]!
  version: String!
}
type Mutation { touch(id: ID!): Boolean! }
"""


def test_types_reached_by_the_same_root_fields_share_a_module() -> None:
    owner = place_metadata(Selections("metadata", build_schema(SDL)))
    # objs reaches ObjConnection/ObjEdge/PageInfo only; objs and obj both reach Obj/Fld/Kind
    assert owner["ObjConnection"] == owner["ObjEdge"] == owner["PageInfo"]
    assert owner["Obj"] == owner["Fld"] == owner["Kind"] != owner["ObjConnection"]
    assert owner["ObjConnection"] == "types/obj_connection"  # named after a returned type
    assert owner["Obj"] == "types/obj"
    assert owner["Other"] == "types/other"
    # a union and its members share one module (the union stays a named alias)
    assert owner["Pet"] == owner["Cat"] == owner["Dog"] == "types/pet"
    # inputs and the enums only inputs use; types no root field reaches
    assert owner["ObjFilter"] == owner["Mode"] == "_inputs"
    assert owner["Orphan"] == "_types"


def test_root_fields_live_next_to_the_type_they_return() -> None:
    modules, init = build_endpoint(EndpointInput("metadata", build_schema(SDL)))
    ops = {o.func_name: mod.path for mod in modules for o in mod.operations}
    assert ops == {
        "objs": "metadata/types/obj_connection.py",
        "obj": "metadata/types/obj.py",
        "other": "metadata/types/other.py",
        "pets": "metadata/types/pet.py",
        "version": "metadata/_scalars.py",
        "touch": "metadata/_scalars.py",
    }
    exports = {e.name: e.module for e in init.exports}
    assert exports["Obj"] == ".types.obj" and exports["ObjFilter"] == "._inputs"
    pet = next(mod for mod in modules if mod.path == "metadata/types/pet.py")
    assert [a.name for a in pet.aliases] == ["Pet"]
    # a struct refers to another group's type lazily, an operation to an input for type
    # checking only
    conn = next(mod for mod in modules if mod.path == "metadata/types/obj_connection.py")
    assert ("_m_obj", ".obj") in conn.lazy_modules
    assert "    from .._inputs import ObjFilter" in conn.type_checking_imports
    assert not any("_inputs" in line for line in conn.imports)


_PROBE = """
import asyncio, sys
from twenty_gql.client import TwentyClient
from twenty_gql.transport import MockTransport, Response

BODY = (
    b'{"data": {"objects": {"edges": [], "pageInfo": {"hasNextPage": false,'
    b' "hasPreviousPage": false, "startCursor": null, "endCursor": null}}}}'
)


async def main():
    transport = MockTransport(lambda request: Response(200, BODY))
    async with TwentyClient("http://127.0.0.1:9", "unit-test-key", rate_limit=None, transport=transport) as c:
        from twenty_standard import MetadataApi
        page = await MetadataApi(c).objects.find_many(paging={"first": 1})
        assert page.edges == [], page  # metadata facade: the connection struct
    print(" ".join(sorted(m for m in sys.modules if m.startswith("twenty_standard."))))


asyncio.run(main())
"""


def test_a_metadata_call_loads_only_what_its_answer_needs() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "generated")},
        cwd=ROOT,
    ).stdout.split()
    loaded = {m.removeprefix("twenty_standard.") for m in out}
    groups = {m for m in loaded if m.startswith("metadata.types.")}
    assert "metadata._api" in loaded and "metadata.types.object_connection" in groups
    # never the inputs, the scalar root fields, the unreached types, or the core package
    assert not loaded & {"metadata._inputs", "metadata._scalars", "metadata._types", "core"}
    # a handful of the ~180 groups: those ObjectConnection's structs reach
    assert 1 < len(groups) <= 12, sorted(groups)
