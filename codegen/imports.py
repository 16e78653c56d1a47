"""Stage: the imports of each generated module.

The modules a generated module imports are derived from its IR (:func:`used_modules`): every
:mod:`codegen.pytypes` value it renders names its own modules, and each construct the templates
write names what it needs (an enum needs ``enum``, a struct ``msgspec``, ...). References to
sibling generated modules are recorded by the type builder as it resolves them
(:class:`ModuleImports`: run-time, lazy or type-checking only). :func:`render_imports` turns both
into import lines; their final order and grouping is left to ``ruff check --select I --fix`` on
the whole batch (:mod:`codegen.formatting`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from codegen import model as m
from codegen.pytypes import PyType, import_line, modules

__all__ = [
    "ModuleImports",
    "from_import",
    "relative",
    "render_imports",
    "used_modules",
    "with_imports",
]


@dataclass
class ModuleImports:
    """The sibling generated modules one module refers to, recorded as references resolve."""

    runtime: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    type_checking: dict[str, set[str]] = field(default_factory=dict)
    lazy: dict[str, str] = field(default_factory=dict)  # alias -> module
    needs_runtime_helper: bool = False


def _rendered_types(mod: m.ModuleDef) -> Iterator[PyType]:
    """Every type the templates write in ``mod`` (mirrors ``module.py.j2``)."""
    structs = list(mod.structs) + [i.data_struct for i in mod.include_variants]
    if not mod.user_operations:
        structs += [o.data_struct for o in mod.operations]
    for s in structs:
        yield from (f.annotation for f in s.fields)
    for a in mod.aliases:
        yield from a.members
    for i in mod.inputs:
        yield from (f.annotation for f in i.fields)
    for o in mod.operations:
        yield from (p.annotation for p in o.params)
        yield o.return_annotation
    for facade in mod.facades:
        for meth in facade.methods:
            if meth.kind != "call":
                yield from (p.annotation for p in meth.params)
            if meth.return_annotation is not None:
                yield meth.return_annotation
    yield from (t for _, t in mod.api_props)


def used_modules(mod: m.ModuleDef) -> set[str]:
    """The importable modules ``mod``'s code names: its types' and its constructs'."""
    needed: set[str] = set()
    if mod.enums:
        needed |= {"enum", "typing"}  # ``(str, _enum.Enum)`` and its ``_t.Literal`` alias
    if mod.inputs:
        needed.add("typing_extensions")  # ``_te.TypedDict``
    if mod.aliases or mod.include_variants:
        needed.add("typing")  # ``_t.TypeAlias``; ``_t.Literal`` / ``_t.Iterable`` of include=
    if mod.structs or mod.include_variants or (mod.operations and not mod.user_operations):
        needed.add("msgspec")  # ``_msgspec.Struct``
    if any(meth.kind == "bulk" for f in mod.facades for meth in f.methods):
        needed.add("typing")  # ``**options: _t.Any``
    if mod.type_checking_imports or mod.lazy_modules:
        needed.add("typing")  # ``if _t.TYPE_CHECKING:``
    for t in _rendered_types(mod):
        needed |= modules(t)
    return needed


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
    """(``from`` sibling import lines, ``if TYPE_CHECKING:`` lines) of module ``key``."""
    depth = len(key.split("/")) - 1
    runtime: list[str] = []
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


def with_imports(mod: m.ModuleDef, imp: ModuleImports, key: str) -> m.ModuleDef:
    """``mod`` with its import lines: sibling modules from ``imp``, the rest from its types."""
    runtime, checking = render_imports(imp, key)
    mod = replace(
        mod,
        type_checking_imports=checking,
        lazy_modules=tuple((a, relative(key, t)) for a, t in sorted(imp.lazy.items())),
    )
    lines = [import_line(module) for module in sorted(used_modules(mod))]
    return replace(mod, imports=tuple(lines) + runtime)
