"""Python identifiers for schema names.

The scheme (every generated identifier goes through one of these functions):

* Schema text is untrusted. A GraphQL name matches ``[_A-Za-z][_0-9A-Za-z]*`` by spec, but
  names from introspection JSON are not checked by anyone, so every function here first drops
  anything that is not ASCII ``[A-Za-z0-9_]`` and never returns an empty or digit-led name.
* Functions, parameters, attributes and modules are ``snake_case``: ``createCompanies`` ->
  ``create_companies``, ``primaryLinkURL`` -> ``primary_link_url``, ``HTTPServer`` ->
  ``http_server``. Classes keep the GraphQL name with a capital first letter (``field`` ->
  ``Field``). Enum members keep the value (``TIER_1``).
* Python keywords and soft keywords get a trailing underscore: ``from`` -> ``from_``,
  ``class`` -> ``class_``. Module-level functions also avoid shadowing builtins (``object`` ->
  ``object_``) and the generator's own imported names (all generated helper imports start with
  ``_`` and user-visible names never do, since leading underscores are stripped).
* Module (file) names are cut to ``MAX_MODULE_NAME`` characters: a file name longer than
  255 bytes cannot be written.
* Collisions (two schema names that become the same identifier, e.g. ``fooBar`` and ``foo_bar``,
  or ``Foo`` and ``foo`` as classes) are resolved deterministically by :class:`Namespace`: names
  are claimed in sorted order of their schema spelling, the first keeps the plain identifier and
  later ones get ``_2``, ``_3``, ... The result never depends on dict or set iteration order.
  ``CoreApi``'s own attributes (``object``, ``data_model``) are reserved among its accessors.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterable

__all__ = [
    "CORE_API_RESERVED",
    "Namespace",
    "attribute_name",
    "class_name",
    "enum_member_name",
    "function_name",
    "module_name",
    "param_name",
    "safe_ascii",
    "snake_case",
    "struct_attribute_name",
]

#: CoreApi's own attributes (the untyped ``object(name)`` and the ``data_model`` metadata facade):
#: an object accessor that would be named so gets ``_2`` (``CoreApi.object`` stays the method)
CORE_API_RESERVED = ("data_model", "object")

_RESERVED_WORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"print"}
_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))
# Members of ``class E(str, enum.Enum)`` must not shadow str/Enum attributes (``index``, ``name``).
_ENUM_RESERVED = frozenset(dir(str)) | frozenset({"name", "value", "mro"})

_WORD_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")
_NON_IDENT_RE = re.compile(r"[^A-Za-z0-9_]+")


def safe_ascii(name: str) -> str:
    """``name`` reduced to ASCII letters, digits and underscores (other runs become ``_``)."""
    return _NON_IDENT_RE.sub("_", name)


def snake_case(name: str) -> str:
    """``camelCase``/``PascalCase``/``UPPER_CASE`` -> ``snake_case`` (ASCII only, may be empty)."""
    parts: list[str] = []
    for chunk in safe_ascii(name).split("_"):
        parts.extend(m.group(0).lower() for m in _WORD_RE.finditer(chunk))
    return "_".join(p for p in parts if p)


def _fix(ident: str, fallback: str) -> str:
    ident = ident.strip("_") if ident.strip("_") else ""
    if not ident:
        ident = fallback
    if ident[0].isdigit():
        ident = f"{fallback}_{ident}"
    return ident


def attribute_name(name: str) -> str:
    """A Struct attribute / TypedDict-free identifier: snake_case, keywords escaped."""
    ident = _fix(snake_case(name), "field")
    return ident + "_" if ident in _RESERVED_WORDS else ident


_ANNOTATION_BUILTINS = frozenset({"bool", "dict", "float", "int", "list", "str"})


def struct_attribute_name(name: str) -> str:
    """A result-struct attribute: also avoids builtins used in annotations (``list_``)."""
    ident = attribute_name(name)
    return ident + "_" if ident in _ANNOTATION_BUILTINS else ident


def param_name(name: str) -> str:
    """A function parameter: like :func:`attribute_name`; ``client``/``self`` are taken."""
    ident = attribute_name(name)
    return ident + "_" if ident in ("client", "self", "cls") else ident


def function_name(name: str) -> str:
    """A module-level function: snake_case, keywords and builtins escaped (``object_``)."""
    ident = attribute_name(name)
    # ``annotations`` is bound by every generated module's ``from __future__ import annotations``
    return ident + "_" if ident in _BUILTINS or ident == "annotations" else ident


# Module names become file names (``name.py``, ``__pycache__/name.cpython-3XX.pyc``); most
# file systems cap a file name at 255 bytes, so long type names are cut (Namespace then keeps
# two cut names apart with ``_2``).
MAX_MODULE_NAME = 96


def module_name(name: str) -> str:
    """A module file name (without ``.py``) for an object type name, at most 96 characters."""
    ident = _fix(snake_case(name)[:MAX_MODULE_NAME], "object")
    return ident + "_" if ident in _RESERVED_WORDS or ident in _BUILTINS else ident


def class_name(name: str) -> str:
    """A class name: the GraphQL name made safe, first letter upper-case."""
    ident = _fix(safe_ascii(name), "Type")
    ident = ident[0].upper() + ident[1:]
    return ident + "_" if ident in _RESERVED_WORDS or ident in _BUILTINS else ident


def enum_member_name(value: str) -> str:
    """An enum member for a GraphQL enum value (kept as spelled when it is safe)."""
    ident = _fix(safe_ascii(value), "VALUE")
    if ident in _RESERVED_WORDS or ident in _ENUM_RESERVED:
        ident += "_"
    return ident


class Namespace:
    """Assigns unique identifiers within one scope, deterministically.

    ``claim_all`` sorts the schema names first, so the outcome depends only on the set of
    names; ``reserve`` marks identifiers the generator itself uses in that scope.
    """

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        self._taken: set[str] = set(reserved)
        self._lowered: set[str] | None = None  # built on the first case-insensitive claim
        self.assigned: dict[str, str] = {}

    def claim(self, key: str, ident: str, *, case_insensitive: bool = False) -> str:
        if key in self.assigned:
            return self.assigned[key]
        if case_insensitive and self._lowered is None:
            self._lowered = {n.lower() for n in self._taken}
        lowered = self._lowered
        candidate, n = ident, 1
        while candidate in self._taken or (
            case_insensitive and lowered is not None and candidate.lower() in lowered
        ):
            n += 1
            candidate = f"{ident}_{n}"
        self._taken.add(candidate)
        if lowered is not None:
            lowered.add(candidate.lower())
        self.assigned[key] = candidate
        return candidate

    def claim_all(
        self,
        names: Iterable[str],
        convert: Callable[[str], str],
        *,
        case_insensitive: bool = False,
    ) -> dict[str, str]:
        for name in sorted(set(names)):
            self.claim(name, convert(name), case_insensitive=case_insensitive)
        return self.assigned
