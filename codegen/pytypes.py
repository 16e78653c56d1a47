"""Python types as values: what an annotation in generated code *is*, not how it is spelled.

The IR holds a :data:`PyType` for every field, parameter and return annotation: a
:class:`Named` type (where it lives, its generic arguments), a :class:`UnionOf` its members, a
:class:`Nullable` value (``X | None``) or a :class:`LiteralOf` its values. :func:`render` is the
one place that turns a value into annotation text (templates call it through the ``ann``
filter), and :func:`modules` the one place that says which modules an annotation needs, so a
module's imports are derived from the types it uses (:mod:`codegen.imports`).

Importable modules reach generated code under a private alias: the standard and runtime modules
through fixed ones (``_dt``, ``_t``, ``_msgspec``, ...), any project module mapped in
``[tool.twenty-gql.scalars]`` through ``_s_<dotted_path>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.text import py_str

__all__ = [
    "ANY",
    "BOOL",
    "DICT_ANY",
    "FLOAT",
    "INT",
    "NOT_GIVEN_TYPE",
    "STR",
    "LiteralOf",
    "Named",
    "Nullable",
    "PyType",
    "UnionOf",
    "alias",
    "import_line",
    "list_of",
    "modules",
    "omittable",
    "optional",
    "render",
    "union",
]

# modules every generated package imports under a fixed alias (see codegen.imports)
FIXED_ALIASES = {
    "datetime": "_dt",
    "decimal": "_decimal",
    "enum": "_enum",
    "msgspec": "_msgspec",
    "twenty_gql.bulk": "_bulk",  # the facades' ``create_many`` descriptor
    "typing": "_t",
    "typing_extensions": "_te",
    "uuid": "_uuid",
}


@dataclass(frozen=True)
class Named:
    """A named type: ``int``, ``_dt.datetime``, ``list[X]``, ``Company``, ``_m_company.Company``.

    ``module`` is the importable module it lives in ("" for builtins and names the generated
    module defines or imports itself); ``via`` is the lazy alias of a sibling generated module
    the name is reached through (``_m_company``), whose import the type builder records.
    """

    name: str
    module: str = ""
    args: tuple[PyType, ...] = ()
    via: str = ""


@dataclass(frozen=True)
class UnionOf:
    """``A | B | ...``."""

    members: tuple[PyType, ...]


@dataclass(frozen=True)
class Nullable:
    """``X | None``."""

    inner: PyType


@dataclass(frozen=True)
class LiteralOf:
    """``typing.Literal["a", "b"]``."""

    values: tuple[str, ...]


PyType = Named | UnionOf | Nullable | LiteralOf

STR = Named("str")
INT = Named("int")
FLOAT = Named("float")
BOOL = Named("bool")
ANY = Named("Any", "typing")
DICT_ANY = Named("dict", args=(STR, ANY))


# ``twenty_gql.NotGiven``, through the generated package's ``_runtime`` (which re-exports it)
NOT_GIVEN_TYPE = Named("NotGiven", via="_runtime")


def omittable(t: PyType) -> PyType:
    """``t | NotGiven``: the annotation of an optional argument (left out = not sent)."""
    return union(t, NOT_GIVEN_TYPE)


def list_of(t: PyType) -> Named:
    return Named("list", args=(t,))


def union(*members: PyType) -> PyType:
    """``members`` as one union (nested unions flattened; one member is itself)."""
    flat: list[PyType] = []
    for t in members:
        flat += t.members if isinstance(t, UnionOf) else (t,)
    return flat[0] if len(flat) == 1 else UnionOf(tuple(flat))


def optional(t: PyType) -> PyType:
    """``t | None``; ``Any`` already admits ``None`` and stays ``Any``."""
    return t if t == ANY else Nullable(t)


def alias(module: str) -> str:
    """The name generated code imports ``module`` as."""
    return FIXED_ALIASES.get(module) or "_s_" + module.replace(".", "_")


def import_line(module: str) -> str:
    return f"import {module} as {alias(module)}"


def render(t: PyType) -> str:
    """The annotation text of ``t`` (the only place a type becomes code)."""
    if isinstance(t, Named):
        if t.module:
            text = f"{alias(t.module)}.{t.name}"
        elif t.via:
            text = f"{t.via}.{t.name}"
        else:
            text = t.name
        return f"{text}[{', '.join(render(a) for a in t.args)}]" if t.args else text
    if isinstance(t, UnionOf):
        return " | ".join(render(x) for x in t.members)
    if isinstance(t, Nullable):
        return f"{render(t.inner)} | None"
    return f"{alias('typing')}.Literal[{', '.join(py_str(v) for v in t.values)}]"


def modules(t: PyType) -> frozenset[str]:
    """Every importable module the annotation ``t`` names."""
    if isinstance(t, Named):
        own = frozenset((t.module,)) if t.module else frozenset()
        return own.union(*(modules(a) for a in t.args))
    if isinstance(t, UnionOf):
        return frozenset().union(*(modules(x) for x in t.members))
    if isinstance(t, Nullable):
        return modules(t.inner)
    return frozenset(("typing",))
