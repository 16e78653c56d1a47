"""``--operations DIR``: the user's own GraphQL documents compiled into typed functions."""

from __future__ import annotations

from pathlib import Path

from codegen.introspect import LoadedSchema

__all__ = ["OperationsError", "compile_operations"]


class OperationsError(Exception):
    """A user document is invalid; the message names ``file:line``."""


def compile_operations(
    directory: str | Path, schemas: dict[str, LoadedSchema], package: str, header: str
) -> dict[str, str]:
    raise OperationsError("--operations is not implemented yet")
