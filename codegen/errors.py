"""The generator's one exception tree.

Every error the generator raises on bad input is a :class:`CodegenError`; ``str(err)`` is one
line for the user naming what was wrong. The CLI maps the whole tree to exit status 2.
"""

from __future__ import annotations

__all__ = [
    "CodegenError",
    "ConfigError",
    "FormatError",
    "GenerateError",
    "OperationsError",
    "SchemaSourceError",
    "UnknownScalarError",
]


class CodegenError(Exception):
    """Base of every generator error; the message is one line for the user."""


class ConfigError(CodegenError):
    """Bad settings (flags or ``[tool.twenty-gql]``)."""


class UnknownScalarError(ConfigError):
    """A schema scalar has no Python type: neither built in nor in ``[tool.twenty-gql.scalars]``."""

    def __init__(self, scalar: str, endpoint: str) -> None:
        self.scalar = scalar
        self.endpoint = endpoint
        super().__init__(
            f"unknown custom scalar {scalar!r} in the {endpoint} schema: map it to a Python type "
            f'in pyproject.toml, e.g. [tool.twenty-gql.scalars] {scalar} = "str" '
            '(a builtin, "typing.Any", or a dotted "package.module.Type" msgspec can decode)'
        )


class SchemaSourceError(CodegenError):
    """A schema could not be fetched or loaded."""


class OperationsError(CodegenError):
    """A user operations document is invalid; the message names ``file:line:column``."""


class FormatError(CodegenError):
    """The generated sources could not be formatted (ruff missing or failing)."""


class GenerateError(CodegenError):
    """Bad arguments to :func:`codegen.generate.generate` (package name, no schema)."""
