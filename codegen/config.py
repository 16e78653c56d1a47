"""Settings for ``twenty-gql generate``/``check``: flags over ``[tool.twenty-gql]`` over defaults.

The API key comes only from ``--api-key`` or the ``TWENTY_API_KEY`` environment variable; a key
found in pyproject.toml is refused (it would end up in version control).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from codegen.errors import ConfigError

__all__ = ["ConfigError", "api_key_from", "read_pyproject", "read_scalars"]

_KEYS = {"url", "out", "package", "core-schema", "metadata-schema", "operations", "scalars"}


def _load_toml(path: Path) -> dict[str, Any]:
    # tomllib from Python 3.11; the tomli backport (a dependency) on 3.10
    name = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    try:
        toml: Any = importlib.import_module(name)
    except ImportError:  # never ignore the settings silently
        raise ConfigError(f"cannot read {path}: Python 3.10 needs the 'tomli' package") from None
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = toml.load(fh)
    except (OSError, toml.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return data


def _section(path: str | Path | None) -> tuple[Path, dict[str, Any]]:
    p = Path(path) if path is not None else Path("pyproject.toml")
    if not p.is_file():
        if path is not None:
            raise ConfigError(f"config file {p} not found")
        return p, {}
    section = _load_toml(p).get("tool", {}).get("twenty-gql", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{p}: [tool.twenty-gql] must be a table")
    return p, section


def read_pyproject(path: str | Path | None) -> dict[str, str]:
    """``[tool.twenty-gql]`` of ``path`` (default ``./pyproject.toml``) with kebab-case keys.

    The ``scalars`` sub-table is read by :func:`read_scalars`.
    """
    p, section = _section(path)
    out: dict[str, str] = {}
    for raw_key, value in section.items():
        key = str(raw_key).replace("_", "-")
        if key == "scalars":
            continue
        if key == "api-key":
            raise ConfigError(
                f"{p}: do not put the API key in [tool.twenty-gql]; set TWENTY_API_KEY instead"
            )
        if key not in _KEYS:
            raise ConfigError(
                f"{p}: unknown key {raw_key!r} in [tool.twenty-gql] (known: {', '.join(sorted(_KEYS))})"
            )
        if not isinstance(value, str):
            raise ConfigError(f"{p}: [tool.twenty-gql] {raw_key} must be a string")
        out[key] = value
    return out


def read_scalars(path: str | Path | None) -> dict[str, str]:
    """``[tool.twenty-gql.scalars]``: custom scalar name -> Python type (``"decimal.Decimal"``)."""
    p, section = _section(path)
    table = section.get("scalars", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{p}: [tool.twenty-gql.scalars] must be a table")
    out: dict[str, str] = {}
    for name, spec in table.items():
        if not isinstance(spec, str):
            raise ConfigError(f"{p}: [tool.twenty-gql.scalars] {name} must be a string")
        out[str(name)] = spec
    return out


def api_key_from(flag: str | None) -> str | None:
    return flag or os.environ.get("TWENTY_API_KEY") or None
