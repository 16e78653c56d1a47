"""The docs IR: what the site and Markdown templates see, and nothing else.

Every value is raw text (schema names and descriptions are untrusted): the HTML templates run
with autoescaping on and the Markdown templates escape through the ``md`` filter
(:mod:`codegen.docs.render`). Types are already written for a reader (``Company | None``, no
private import aliases) by :func:`codegen.docs.build.show_type`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Change",
    "FieldDoc",
    "FilterDoc",
    "MethodDoc",
    "ObjectDoc",
    "OperationDoc",
    "OptionDoc",
    "ParamDoc",
    "RelationDoc",
    "SiteDoc",
]


@dataclass(frozen=True)
class ParamDoc:
    name: str  # the Python parameter name
    annotation: str
    required: bool
    default: str = ""  # the default as source text (``NOT_GIVEN``); "" for a required one


@dataclass(frozen=True)
class MethodDoc:
    """One facade method (``crm.companies.find_many``), taken from the bindings' facade IR."""

    name: str
    kind: str  # the facade IR's kind ("call", "iterate", ...)
    params: tuple[ParamDoc, ...]
    returns: str
    doc: str
    signature: str  # ``find_many(filter: CompanyFilterInput | None = None, ...) -> ...``
    example: str  # a short typed example


@dataclass(frozen=True)
class OptionDoc:
    """One SELECT / MULTI_SELECT value; label and color only from the live metadata API."""

    value: str  # the GraphQL enum value (what the API takes and returns)
    label: str = ""
    color: str = ""  # Twenty's color name (``red``, ``sky``, ...), "" when unknown


@dataclass(frozen=True)
class FieldDoc:
    wire: str  # the GraphQL field name (the response key)
    attr: str  # the Python attribute ("" when the record struct has none)
    py_type: str  # what a user gets: ``WorkspaceMember | None``, ``list of X (connection)``
    graphql_type: str
    nullable: bool
    description: str
    options: tuple[OptionDoc, ...]  # SELECT / MULTI_SELECT values
    default: str  # the metadata default as JSON text, "" when unknown or none
    unique: bool
    filter_type: str  # the filter input type of this field in ``<Object>FilterInput``, or ""
    relation: str  # the record type this field points at, or ""
    via: str = ""  # a relation: the call that selects it (``crm.companies.find_one_with([...])``)


@dataclass(frozen=True)
class RelationDoc:
    field: str  # the relation field (on ``source``)
    source: str  # record type holding the field
    target: str  # record type the field points at
    many: bool  # a connection (one-to-many) rather than one record
    source_slug: str
    target_slug: str


@dataclass(frozen=True)
class ObjectDoc:
    name: str  # the GraphQL record type (``Company``)
    object_name: str  # Twenty's ``nameSingular`` (``company``)
    slug: str  # the page name (``company`` -> ``objects/company.html``); [a-z0-9_] only
    api_attr: str  # ``crm.<api_attr>`` (``companies``)
    facade: str  # the facade class (``CompanyApi``)
    custom: bool
    description: str
    fields: tuple[FieldDoc, ...]
    outgoing: tuple[RelationDoc, ...]
    incoming: tuple[RelationDoc, ...]
    methods: tuple[MethodDoc, ...]
    filter_input: str  # ``CompanyFilterInput`` or ""


@dataclass(frozen=True)
class FilterDoc:
    name: str  # the filter input type (``StringFilter``)
    operators: tuple[tuple[str, str], ...]  # (operator, GraphQL type)


@dataclass(frozen=True)
class OperationDoc:
    """One metadata root field: its typed function and the facade method reaching it."""

    func: str
    kind: str  # "query" | "mutation"
    root_field: str
    params: tuple[ParamDoc, ...]
    returns: str
    doc: str
    signature: str
    facade: str  # ``meta.objects.find_many`` or ""


@dataclass(frozen=True)
class Change:
    """One line of the data-model changelog."""

    op: str  # "+" added, "-" removed, "~" retyped
    object: str
    field: str = ""  # "" for the object itself
    old: str = ""
    new: str = ""

    def line(self) -> str:
        if not self.field:
            what = "object added" if self.op == "+" else "object removed"
            return f"{self.op} {self.object} ({what})"
        if self.op == "~":
            return f"~ {self.object}.{self.field}: {self.old} -> {self.new}"
        return f"{self.op} {self.object}.{self.field}: {self.new or self.old}"


@dataclass(frozen=True)
class SiteDoc:
    package: str  # the generated package the examples import (``twenty_crm``)
    sources: tuple[tuple[str, str], ...]  # (endpoint, schema hash)
    custom_source: str  # how standard/custom was decided, in one sentence
    options_source: str  # where option labels come from (or that they are values only)
    objects: tuple[ObjectDoc, ...]
    filters: tuple[FilterDoc, ...]
    metadata_ops: tuple[OperationDoc, ...]
    changes: tuple[Change, ...] | None  # None: no earlier bindings to compare with
    changes_since: str  # what ``changes`` compares with, e.g. the bindings' schema hash
