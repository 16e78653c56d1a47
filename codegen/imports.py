"""Stage: the imports of each generated module.

Builders note what a module needs while they write its annotations (:class:`ModuleImports`);
:func:`render_imports` turns that into import lines. Their final order and grouping is left to
``ruff check --select I --fix`` on the whole batch (:mod:`codegen.formatting`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["ModuleImports", "from_import", "relative", "render_imports"]

_ALIASES = {
    "_dt": "import datetime as _dt",
    "_decimal": "import decimal as _decimal",
    "_enum": "import enum as _enum",
    "_t": "import typing as _t",
    "_uuid": "import uuid as _uuid",
    "_msgspec": "import msgspec as _msgspec",
    "_te": "import typing_extensions as _te",
}
_ALIAS_RE = re.compile(r"\b(_dt|_decimal|_enum|_t|_uuid|_msgspec|_te)\.")


@dataclass
class ModuleImports:
    """Names one module needs, collected while its annotations are built."""

    aliases: set[str] = field(default_factory=set)
    runtime: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    type_checking: dict[str, set[str]] = field(default_factory=dict)
    lazy: dict[str, str] = field(default_factory=dict)  # alias -> module
    modules: set[str] = field(default_factory=set)  # ``import x.y as _s_x_y`` lines (scalars)
    needs_runtime_helper: bool = False

    def scan(self, code: str) -> str:
        self.aliases.update(_ALIAS_RE.findall(code))
        return code


def from_import(module: str, names: Iterable[str], indent: str = "") -> list[str]:
    """``from module import a, b`` as one line (ruff orders and wraps it)."""
    return [f"{indent}from {module} import {', '.join(sorted(set(names)))}"]


def relative(src: str, dst: str) -> str:
    """Relative module path from module key ``src`` to module key ``dst`` (keys use ``/``)."""
    src_dir = src.split("/")[:-1]
    dst_parts = dst.split("/")
    if src_dir == dst_parts[:-1]:
        return "." + dst_parts[-1]
    return "." * (1 + len(src_dir)) + ".".join(dst_parts)


def _split(module: str) -> tuple[str, str]:
    """``..objects.person`` -> (``..objects``, ``person``); ``.person`` -> (``.``, ``person``)."""
    dots = len(module) - len(module.lstrip("."))
    rest = module[dots:]
    if "." in rest:
        head, tail = rest.rsplit(".", 1)
        return "." * dots + head, tail
    return "." * dots, rest


def render_imports(imp: ModuleImports, key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(run-time import lines, ``if TYPE_CHECKING:`` lines) of module ``key``, unordered."""
    depth = len(key.split("/")) - 1
    runtime = [_ALIASES[a] for a in sorted(imp.aliases)]
    if imp.type_checking or imp.lazy:
        runtime.append(_ALIASES["_t"])
    runtime += sorted(imp.modules)
    if imp.needs_runtime_helper or imp.lazy:
        runtime.append(f"from {'.' * (depth + 2)} import _runtime")
    for target, names in sorted(imp.runtime.items()):
        runtime += from_import(relative(key, target), names)
    checking: list[str] = []
    for alias, target in sorted(imp.lazy.items()):
        pkg, name = _split(relative(key, target))
        checking.append(f"    from {pkg} import {name} as {alias}")
    for target, names in sorted(imp.type_checking.items()):
        module = target[1:] if target.startswith("\0") else relative(key, target)
        checking += from_import(module, names, "    ")
    return tuple(dict.fromkeys(runtime)), tuple(checking)
