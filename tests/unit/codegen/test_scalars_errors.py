"""Scalars map to Python types or fail loudly; every generator error is a ``CodegenError``."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema

from codegen import errors
from codegen.build import EndpointInput, build_endpoint
from codegen.config import read_pyproject, read_scalars
from codegen.errors import CodegenError, ConfigError, FormatError, UnknownScalarError
from codegen.generate import GenerateConfig, generate
from codegen.generate_cli import main as generate_main
from codegen.introspect import SchemaSourceError
from codegen.operations import OperationsError
from codegen.pytypes import Named, import_line, render
from codegen.scalars import ScalarMap, parse_py_type

SDL = """
scalar Money
scalar UUID
type Thing { id: UUID! price: Money cost: Money! }
type Query { thing(id: UUID!): Thing prices: [Money!]! }
"""


def _thing_fields(scalars: ScalarMap) -> dict[str, str]:
    modules, _ = build_endpoint(EndpointInput("metadata", build_schema(SDL), scalars))
    types = next(mod for mod in modules if mod.path == "metadata/types/thing.py")
    thing = next(s for s in types.structs if s.name == "Thing")
    return {f.name: render(f.annotation) for f in thing.fields}


def test_every_generator_error_is_a_codegen_error() -> None:
    for cls in (ConfigError, UnknownScalarError, SchemaSourceError, OperationsError, FormatError):
        assert issubclass(cls, CodegenError), cls
    assert errors.SchemaSourceError is SchemaSourceError


def test_an_unknown_scalar_is_an_error_naming_it_and_the_fix() -> None:
    with pytest.raises(UnknownScalarError) as info:
        _thing_fields(ScalarMap())
    msg = str(info.value)
    assert "'Money'" in msg and "metadata schema" in msg
    assert '[tool.twenty-gql.scalars] Money = "str"' in msg
    assert info.value.scalar == "Money"


def test_a_mapped_builtin_scalar_is_typed() -> None:
    fields = _thing_fields(ScalarMap.from_config({"Money": "int"}))
    assert fields == {"id": "_uuid.UUID", "price": "int | None", "cost": "int"}


def test_a_mapped_standard_type_uses_the_package_alias() -> None:
    fields = _thing_fields(ScalarMap.from_config({"Money": "decimal.Decimal"}))
    assert fields["price"] == "_decimal.Decimal | None"


def test_a_mapped_project_type_is_imported_under_a_private_alias() -> None:
    modules, _ = build_endpoint(
        EndpointInput(
            "metadata", build_schema(SDL), ScalarMap.from_config({"Money": "shop.money.Money"})
        )
    )
    types = next(mod for mod in modules if mod.path == "metadata/types/thing.py")
    thing = next(s for s in types.structs if s.name == "Thing")
    assert {f.name: f.annotation for f in thing.fields}["cost"] == Named("Money", "shop.money")
    assert "import shop.money as _s_shop_money" in types.imports


@pytest.mark.parametrize("spec", ["", "str int", "a..b", "class.Foo", "Decimal", "x-y.Z"])
def test_a_bad_type_spec_is_a_config_error(spec: str) -> None:
    with pytest.raises(ConfigError, match="Money"):
        parse_py_type(spec, "Money")


def test_py_type_derives_annotation_and_import() -> None:
    t = parse_py_type("shop.money.Money", "Money")
    assert t == Named("Money", "shop.money")
    assert (render(t), import_line(t.module)) == (
        "_s_shop_money.Money",
        "import shop.money as _s_shop_money",
    )
    assert parse_py_type("str", "Money") == Named("str")
    assert render(parse_py_type("datetime.date", "Money")) == "_dt.date"


def test_scalars_table_is_read_from_pyproject(tmp_path: Path) -> None:
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text(
        '[tool.twenty-gql]\npackage = "p"\n[tool.twenty-gql.scalars]\nMoney = "decimal.Decimal"\n',
        encoding="utf-8",
    )
    assert read_scalars(cfg) == {"Money": "decimal.Decimal"}
    assert read_pyproject(cfg) == {"package": "p"}
    cfg.write_text("[tool.twenty-gql.scalars]\nMoney = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Money must be a string"):
        read_scalars(cfg)


def test_cli_exits_2_on_an_unknown_scalar_and_generates_once_mapped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "meta.graphql"
    schema.write_text(SDL, encoding="utf-8")
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text("", encoding="utf-8")
    args = ["--metadata-schema", str(schema), "--package", "p", "--out", str(tmp_path / "o")]
    assert generate_main([*args, "--config", str(cfg)]) == 2
    assert "unknown custom scalar 'Money'" in capsys.readouterr().err
    cfg.write_text('[tool.twenty-gql.scalars]\nMoney = "str"\n', encoding="utf-8")
    assert generate_main([*args, "--config", str(cfg)]) == 0
    text = (tmp_path / "o" / "p" / "metadata" / "types" / "thing.py").read_text(encoding="utf-8")
    assert "price: str | None = None" in text


def test_missing_ruff_is_a_format_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from codegen import formatting

    monkeypatch.setattr(formatting, "find_ruff", lambda: None)
    schema = tmp_path / "meta.graphql"
    schema.write_text(SDL, encoding="utf-8")
    with pytest.raises(FormatError, match="ruff is needed"):
        generate(GenerateConfig(package="p", metadata_schema=schema, scalars={"Money": "str"}))
