"""Annotations are values: SDL snippets -> PyType trees, their text, and the imports they imply."""

from __future__ import annotations

from graphql import build_schema

from codegen import model as m
from codegen.build import EndpointInput, build_endpoint
from codegen.imports import used_modules
from codegen.pytypes import (
    ANY,
    DICT_ANY,
    FLOAT,
    INT,
    STR,
    LiteralOf,
    Named,
    Nullable,
    UnionOf,
    list_of,
    modules,
    optional,
    render,
    union,
)
from codegen.scalars import ScalarMap

SDL = """
scalar DateTime
scalar UUID
scalar Position
scalar JSON
scalar BigFloat
enum Color { RED GREEN }
input ThingInput { at: DateTime! color: Color pos: Position big: BigFloat }
type Thing {
  id: UUID!
  at: DateTime
  tags: [String!]
  extra: JSON
  score: Float!
}
type Query { thing(id: UUID!, at: DateTime): Thing things: [Thing!]! }
type Mutation { make(input: ThingInput!): Thing }
"""


def _modules(sdl: str, scalars: ScalarMap | None = None) -> dict[str, m.ModuleDef]:
    mods, _ = build_endpoint(EndpointInput("metadata", build_schema(sdl), scalars or ScalarMap()))
    return {mod.path.removeprefix("metadata/"): mod for mod in mods}


def test_struct_fields_are_type_values() -> None:
    thing = next(s for s in _modules(SDL)["types/thing.py"].structs if s.name == "Thing")
    fields = {f.name: f.annotation for f in thing.fields}
    dt = Named("datetime", "datetime")
    assert fields == {
        "id": Named("UUID", "uuid"),
        "at": Nullable(dt),
        "tags": Nullable(list_of(STR)),
        "extra": ANY,  # JSON: Any already admits null
        "score": FLOAT,
    }
    assert render(fields["at"]) == "_dt.datetime | None"
    assert render(fields["tags"]) == "list[str] | None"


def test_inputs_carry_required_unions_and_literals() -> None:
    types = _modules(SDL)["_inputs.py"]
    inp = next(i for i in types.inputs if i.name == "ThingInput")
    fields = {f.key: f.annotation for f in inp.fields}
    dt = Named("datetime", "datetime")
    assert fields["at"] == Named("Required", "typing_extensions", (union(dt, STR),))
    assert fields["color"] == Nullable(UnionOf((Named("Color"), Named("ColorLiteral"))))
    assert fields["pos"] == Nullable(UnionOf((FLOAT, LiteralOf(("first", "last")))))
    assert render(fields["pos"]) == 'float | _t.Literal["first", "last"] | None'
    assert render(fields["at"]) == "_te.Required[_dt.datetime | str]"
    assert modules(fields["big"]) == {"decimal"}


def test_parameters_and_returns_are_type_values() -> None:
    queries = _modules(SDL)["types/thing.py"]
    thing = next(o for o in queries.operations if o.func_name == "thing")
    params = {p.name: p.annotation for p in thing.params}
    assert params["id"] == union(Named("UUID", "uuid"), STR)
    # optional: ``NOT_GIVEN`` = not sent, None = null
    assert params["at"] == union(
        Nullable(union(Named("datetime", "datetime"), STR)), Named("NotGiven", via="_runtime")
    )
    assert render(params["at"]) == "_dt.datetime | str | None | _runtime.NotGiven"
    assert thing.return_annotation == Nullable(Named("Thing"))
    things = next(o for o in queries.operations if o.func_name == "things")
    assert things.return_annotation == list_of(Named("Thing"))


def test_imports_are_derived_from_the_types_a_module_uses() -> None:
    mods = _modules(SDL)
    # _inputs: the TypedDict (typing_extensions) and the enum only it uses (enum, typing for
    # the Literal alias), datetime and decimal (at, big), typing (Position's Literal)
    assert used_modules(mods["_inputs.py"]) == {
        "datetime",
        "decimal",
        "enum",
        "typing",
        "typing_extensions",
    }
    assert "import decimal as _decimal" in mods["_inputs.py"].imports
    # types/thing: the struct and the three root fields returning it: uuid/datetime (fields and
    # parameters), typing (JSON -> Any; the TYPE_CHECKING block importing ThingInput), msgspec;
    # no enum, no TypedDict, no decimal
    thing = mods["types/thing.py"]
    assert used_modules(thing) == {"datetime", "msgspec", "typing", "uuid"}
    assert "    from .._inputs import ThingInput" in thing.type_checking_imports


def test_a_module_without_such_types_imports_nothing_for_them() -> None:
    sdl = "type T { n: Int! } type Query { t: T! }"
    mods = _modules(sdl)
    assert used_modules(mods["types/t.py"]) == {"msgspec"}
    assert mods["types/t.py"].imports == ("import msgspec as _msgspec", "from ... import _runtime")


def test_a_project_scalar_type_brings_its_own_import() -> None:
    sdl = "scalar Money type T { m: [Money] } type Query { t: T! }"
    mods = _modules(sdl, ScalarMap.from_config({"Money": "shop.money.Money"}))
    t = next(s for s in mods["types/t.py"].structs if s.name == "T")
    assert t.fields[0].annotation == Nullable(list_of(Nullable(Named("Money", "shop.money"))))
    assert "import shop.money as _s_shop_money" in mods["types/t.py"].imports


def test_helpers() -> None:
    assert optional(ANY) == ANY
    assert optional(INT) == Nullable(INT)
    assert union(union(INT, STR), FLOAT) == UnionOf((INT, STR, FLOAT))
    assert union(INT) == INT
    assert render(DICT_ANY) == "dict[str, _t.Any]"
    assert render(Named("Company", via="_m_company")) == "_m_company.Company"
    assert modules(Named("Company", via="_m_company")) == frozenset()
    assert render(LiteralOf(('a"b',))) == '_t.Literal["a\\"b"]'
