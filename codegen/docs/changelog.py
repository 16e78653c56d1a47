"""The data-model changelog: objects and fields added, removed or retyped between two core
schemas (the one the bindings were generated from, ``<pkg>/schema/graphql.graphql``, and the
live or given one). Records are found by Twenty's conventions (:mod:`codegen.conventions`), so
the changelog speaks of objects (``Pet``), not of the connections, edges and inputs around them.
"""

from __future__ import annotations

from graphql import GraphQLObjectType, GraphQLSchema

from codegen.check_cli import field_changes
from codegen.conventions import Conventions
from codegen.docs.model import Change

__all__ = ["data_model_changes", "format_changes"]


def _objects(schema: GraphQLSchema) -> dict[str, dict[str, str]]:
    conv = Conventions("graphql", schema)
    out: dict[str, dict[str, str]] = {}
    for rec in conv.records:
        t = conv.types[rec]
        if isinstance(t, GraphQLObjectType):
            out[rec] = {name: str(f.type) for name, f in sorted(t.fields.items())}
    return out


def data_model_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """Objects added/removed, then fields added/removed/retyped (GraphQL types), sorted."""
    a, b = _objects(old), _objects(new)
    changes: list[Change] = []
    for name in sorted(set(a) | set(b)):
        if name not in a:
            changes.append(Change("+", name))
            changes += [Change("+", name, f, new=t) for f, t in b[name].items()]
        elif name not in b:
            changes.append(Change("-", name))
        else:
            changes += [
                Change(sign, name, f, old=was or "", new=now or "")
                for sign, f, was, now in field_changes(a[name], b[name])
            ]
    return changes


def format_changes(changes: list[Change], indent: str = "  ") -> list[str]:
    """Terminal lines: a heading per object, one line per change (no escapes needed: GraphQL
    names are ``[_A-Za-z0-9]`` and types are built from them)."""
    if not changes:
        return [f"{indent}no object or field changed"]
    return [f"{indent}{c.line()}" for c in changes]
