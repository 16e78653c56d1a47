"""Stage: GraphQL scalars -> Python types.

Twenty's scalars are built in (:data:`BUILTIN`). Any other scalar must be mapped in
``[tool.twenty-gql.scalars]`` (``Money = "decimal.Decimal"``): a scalar the generator does not know
is an :class:`~codegen.errors.UnknownScalarError` naming it, never a silent ``Any``.

Every type is a :mod:`codegen.pytypes` value: where it lives and what it is called. Its
annotation text and the import it needs are derived from it (standard modules through the
package-wide aliases such as ``_dt``; any other module through one ``import a.b as _s_a_b``
line).
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field

from codegen.errors import ConfigError, UnknownScalarError
from codegen.pytypes import (
    ANY,
    BOOL,
    DICT_ANY,
    FLOAT,
    INT,
    STR,
    LiteralOf,
    Named,
    PyType,
    union,
)

__all__ = ["BUILTIN", "CORE_ID", "GRAPHQL_BUILTIN", "ScalarMap", "parse_py_type"]

_UUID = Named("UUID", "uuid")
_DATETIME = Named("datetime", "datetime")

# GraphQL scalar -> (output type, input type)
BUILTIN: dict[str, tuple[PyType, PyType]] = {
    "ID": (STR, union(_UUID, STR)),
    "String": (STR, STR),
    "Int": (INT, INT),
    "Float": (FLOAT, FLOAT),
    "Boolean": (BOOL, BOOL),
    "UUID": (_UUID, union(_UUID, STR)),
    "DateTime": (_DATETIME, union(_DATETIME, STR)),
    "Date": (STR, union(Named("date", "datetime"), STR)),
    "Time": (STR, STR),
    "JSON": (ANY, ANY),
    "RawJSONScalar": (ANY, ANY),
    "JSONObject": (DICT_ANY, DICT_ANY),
    "BigFloat": (FLOAT, union(FLOAT, Named("Decimal", "decimal"), STR)),
    "BigInt": (INT, INT),
    "Position": (FLOAT, union(FLOAT, LiteralOf(("first", "last")))),
    "Cursor": (STR, STR),
    "ConnectionCursor": (STR, STR),
    "TSVector": (STR, STR),
    "FieldPath": (STR, STR),
    "Upload": (ANY, ANY),
}
# One identity type. In Twenty's core (workspace) schema ``ID`` types exactly the join columns
# of relations (``accountOwnerId``, ``targetCompanyId``, every ``<relation>Id``): the workspace
# schema builder maps a RELATION's join column to ``ID`` while the record's own ``id`` is
# ``UUID``, and both are ``uuid`` columns in Postgres. So a core ``ID`` decodes to
# ``uuid.UUID``, like ``id``, and ``person.company_id == company.id`` compares like with like.
# (The metadata schema's ``ID`` stays ``str``: it is not a record join column there.)
CORE_ENDPOINT = "graphql"
CORE_ID: tuple[PyType, PyType] = (_UUID, union(_UUID, STR))
GRAPHQL_BUILTIN = frozenset({"ID", "String", "Int", "Float", "Boolean"})
_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes"})


def parse_py_type(spec: str, scalar: str) -> Named:
    """``"str"`` / ``"typing.Any"`` / ``"package.module.Type"`` -> a :class:`~codegen.pytypes.Named`."""
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
        return Named(parts[0])
    return Named(parts[-1], ".".join(parts[:-1]))


@dataclass(frozen=True)
class ScalarMap:
    """Twenty's scalars plus the project's own (``[tool.twenty-gql.scalars]``)."""

    custom: Mapping[str, Named] = field(default_factory=dict)

    @classmethod
    def from_config(cls, table: Mapping[str, str]) -> ScalarMap:
        return cls({name: parse_py_type(spec, name) for name, spec in sorted(table.items())})

    def types(self, scalar: str, endpoint: str) -> tuple[PyType, PyType]:
        """(output type, input type) of ``scalar``."""
        custom = self.custom.get(scalar)
        if custom is not None and scalar not in GRAPHQL_BUILTIN:
            return custom, custom
        if scalar == "ID" and endpoint == CORE_ENDPOINT:
            return CORE_ID
        known = BUILTIN.get(scalar)
        if known is None:
            raise UnknownScalarError(scalar, endpoint)
        return known
