"""Stage: GraphQL scalars -> Python types.

Twenty's scalars are built in (:data:`BUILTIN`). Any other scalar must be mapped in
``[tool.twenty-gql.scalars]`` (``Money = "decimal.Decimal"``): a scalar the generator does not know
is an :class:`~codegen.errors.UnknownScalarError` naming it, never a silent ``Any``.

A mapped type is a :class:`PyType` value: where it lives and what it is called. Its annotation
text and the import it needs are derived from it (standard modules through the package-wide
aliases such as ``_dt``; any other module through one ``import a.b as _s_a_b`` line).
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field

from codegen.errors import ConfigError, UnknownScalarError

__all__ = ["BUILTIN", "GRAPHQL_BUILTIN", "PyType", "ScalarMap", "parse_py_type"]

# GraphQL scalar -> (output annotation, input annotation)
BUILTIN: dict[str, tuple[str, str]] = {
    "ID": ("str", "str | _uuid.UUID"),
    "String": ("str", "str"),
    "Int": ("int", "int"),
    "Float": ("float", "float"),
    "Boolean": ("bool", "bool"),
    "UUID": ("_uuid.UUID", "_uuid.UUID | str"),
    "DateTime": ("_dt.datetime", "_dt.datetime | str"),
    "Date": ("str", "_dt.date | str"),
    "Time": ("str", "str"),
    "JSON": ("_t.Any", "_t.Any"),
    "RawJSONScalar": ("_t.Any", "_t.Any"),
    "JSONObject": ("dict[str, _t.Any]", "dict[str, _t.Any]"),
    "BigFloat": ("float", "float | _decimal.Decimal | str"),
    "BigInt": ("int", "int"),
    "Position": ("float", 'float | _t.Literal["first", "last"]'),
    "Cursor": ("str", "str"),
    "ConnectionCursor": ("str", "str"),
    "TSVector": ("str", "str"),
    "FieldPath": ("str", "str"),
    "Upload": ("_t.Any", "_t.Any"),
}
GRAPHQL_BUILTIN = frozenset({"ID", "String", "Int", "Float", "Boolean"})

# standard modules reach generated code through these aliases (see codegen.imports)
STD_ALIASES = {"datetime": "_dt", "decimal": "_decimal", "typing": "_t", "uuid": "_uuid"}
_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes"})


@dataclass(frozen=True)
class PyType:
    """A Python type by location: ``PyType("decimal", "Decimal")``; ``module`` "" = builtin."""

    module: str
    name: str

    @property
    def alias(self) -> str:
        """The name generated code imports ``module`` as ("" for builtins)."""
        if not self.module:
            return ""
        return STD_ALIASES.get(self.module) or "_s_" + self.module.replace(".", "_")

    @property
    def annotation(self) -> str:
        return f"{self.alias}.{self.name}" if self.module else self.name

    @property
    def import_line(self) -> str:
        """The import statement the annotation needs ("" for builtins)."""
        return f"import {self.module} as {self.alias}" if self.module else ""


def parse_py_type(spec: str, scalar: str) -> PyType:
    """``"str"`` / ``"typing.Any"`` / ``"package.module.Type"`` -> :class:`PyType`."""
    parts = spec.strip().split(".")
    if not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        raise ConfigError(
            f"[tool.twenty-gql.scalars] {scalar} = {spec!r}: expected a builtin type name "
            '("str", "int", ...) or a dotted "package.module.Type"'
        )
    if len(parts) == 1:
        if parts[0] not in _BUILTIN_TYPES:
            raise ConfigError(
                f"[tool.twenty-gql.scalars] {scalar} = {spec!r}: a bare name must be one of "
                f"{', '.join(sorted(_BUILTIN_TYPES))}; write other types as package.module.Type"
            )
        return PyType("", parts[0])
    return PyType(".".join(parts[:-1]), parts[-1])


@dataclass(frozen=True)
class ScalarMap:
    """Twenty's scalars plus the project's own (``[tool.twenty-gql.scalars]``)."""

    custom: Mapping[str, PyType] = field(default_factory=dict)

    @classmethod
    def from_config(cls, table: Mapping[str, str]) -> ScalarMap:
        return cls({name: parse_py_type(spec, name) for name, spec in sorted(table.items())})

    def annotations(self, scalar: str, endpoint: str) -> tuple[str, str, PyType | None]:
        """(output annotation, input annotation, custom type needing an import or None)."""
        custom = self.custom.get(scalar)
        if custom is not None and scalar not in GRAPHQL_BUILTIN:
            return custom.annotation, custom.annotation, custom
        known = BUILTIN.get(scalar)
        if known is None:
            raise UnknownScalarError(scalar, endpoint)
        return known[0], known[1], None
