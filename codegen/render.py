"""Stage 3: IR -> source text, through one Jinja2 environment.

Templates see only :mod:`codegen.model` objects. ``StrictUndefined`` turns any template typo
into an error; autoescaping is off (this is Python, not HTML); annotations only through the
``ann`` filter (:func:`codegen.pytypes.render`); free text reaches the output only through the ``docstring``/``comment``/``pystr`` filters (see :mod:`codegen.text`).
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from codegen import model as m
from codegen.documents import print_document, print_fragment, print_selection, split_at_slot
from codegen.pytypes import render as render_type
from codegen.text import comment_text, docstring_body, py_block, py_str

__all__ = ["environment", "render_events", "render_init", "render_module", "render_runtime"]


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("codegen", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["docstring"] = docstring_body
    env.filters["comment"] = comment_text
    env.filters["pystr"] = py_str
    env.filters["ann"] = render_type
    env.filters["pyblock"] = py_block
    env.filters["gql"] = print_document
    env.filters["gql_fragment"] = print_fragment
    env.filters["gql_selection"] = lambda sel: print_selection(sel, 0)
    env.filters["split_slot"] = split_at_slot
    env.filters["fragvar"] = fragment_var
    env.filters["field_default"] = field_default
    return env


_DEFAULTS = {"required": "", "none": "None", "unset": "_msgspec.UNSET"}


def field_default(f: m.StructField) -> str:
    """What follows a struct attribute's annotation: its default and/or its response key."""
    default = _DEFAULTS[f.default]
    if f.name == f.wire:
        return f" = {default}" if default else ""
    if default:
        return f" = _msgspec.field(default={default}, name={py_str(f.wire)})"
    return f" = _msgspec.field(name={py_str(f.wire)})"


def fragment_var(name: str) -> str:
    """The module constant holding the text of fragment ``name``."""
    return f"_F_{name}"


def _tidy(text: str) -> str:
    while "\n\n\n\n" in text:  # at most two blank lines in a row
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text.rstrip("\n") + "\n"


def render_module(module: m.ModuleDef, header: str) -> str:
    return _tidy(environment().get_template("module.py.j2").render(module=module, header=header))


def render_init(init: m.InitDef, header: str, tc_lines: list[str], all_names: list[str]) -> str:
    return _tidy(
        environment()
        .get_template("init.py.j2")
        .render(init=init, header=header, tc_lines=tc_lines, all_names=all_names)
    )


def render_runtime(header: str) -> str:
    return _tidy(environment().get_template("runtime.py.j2").render(header=header))


def render_events(module: m.EventsModuleDef, header: str) -> str:
    return _tidy(environment().get_template("events.py.j2").render(module=module, header=header))
