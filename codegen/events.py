"""Stage: the typed webhook events of a workspace (``<pkg>/events.py``), as IR.

Twenty names a webhook event ``<objectNameSingular>.<action>``; the GraphQL schema spells
``nameSingular`` as the ``findOne`` root field of the object (``company(filter: ...)``), and the
record type as its capitalised form (``Company``), the fallback when an object has no
``findOne``. Per core record (:mod:`codegen.conventions`) the module gets one attribute
``ObjectEvents(<nameSingular>, <record struct>)``, named by :func:`codegen.naming.function_name` (no keyword, no builtin)
in a namespace that keeps the module's own names (``dispatcher``, ``ALL_OBJECTS``,
``AnyEvent``) free. Record structs are imported for type checking only and on first use at run
time, so importing the events module loads no object module.
"""

from __future__ import annotations

import re

from graphql import GraphQLSchema

from codegen import model as m
from codegen import naming
from codegen.conventions import Conventions, doc_of
from codegen.pytypes import Named

__all__ = ["EVENTS_MODULE", "RESERVED", "build_events"]

EVENTS_MODULE = "events.py"
#: names the events module defines itself (object attributes never take them)
RESERVED = ("ALL_OBJECTS", "AnyEvent", "dispatcher", "annotations")

_NAME_RE = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")

_DOC = (
    "Typed webhook events of this workspace: one ``ObjectEvents`` per object.\n\n"
    "``hooks = events.dispatcher(secret)`` verifies deliveries and decodes every object's "
    "record into its generated struct; ``@hooks.on(events.company.updated)`` registers a "
    "handler receiving ``WebhookEvent[Company]``. Objects or actions these bindings do not know "
    "arrive as ``UntypedEvent``. Record modules load on first use."
)


def _object_names(conv: Conventions) -> dict[str, str]:
    """record type -> Twenty ``nameSingular`` (the ``findOne`` root field, else lower-first)."""
    found: dict[str, str] = {}
    q = conv.schema.query_type
    if q is not None:
        for fname in sorted(q.fields):
            cls = conv.classify("query", fname, q.fields[fname])
            if cls is not None and cls[1] == "find_one":
                found.setdefault(cls[0], fname)
    names = {r: found.get(r) or r[:1].lower() + r[1:] for r in conv.records}
    # schema text is untrusted: an object whose name is not a GraphQL name gets no typed
    # events (its deliveries arrive as UntypedEvent) rather than a module that cannot load
    return {r: n for r, n in names.items() if _NAME_RE.fullmatch(n)}


def build_events(schema: GraphQLSchema, package: str = "") -> m.EventsModuleDef:
    """The events module of the core (``/graphql``) ``schema``; ``package`` prefixes the path."""
    conv = Conventions("graphql", schema)
    names = _object_names(conv)
    attrs = naming.Namespace(reserved=RESERVED)
    # claim in sorted order of the object names: the outcome depends only on the set of names
    for rec in sorted(names, key=lambda r: (names[r], r)):
        # module globals: builtins the module calls (``globals``, ``tuple``) stay unshadowed
        attrs.claim(rec, naming.function_name(names[rec]))
    objects = []
    for rec in sorted(names, key=lambda r: attrs.assigned[r]):
        folder, _, module = conv.record_module[rec].rpartition("/")
        alias = f"_m_{module}"
        objects.append(
            m.EventObject(
                attribute=attrs.assigned[rec],
                object_name=names[rec],
                record=Named(conv.cls[rec], via=alias),
                module_alias=alias,
                package=f".{conv.pkg}.{folder}" if folder else f".{conv.pkg}",
                module=module,
                doc=doc_of(conv.types[rec]),
            )
        )
    path = f"{package}/{EVENTS_MODULE}" if package else EVENTS_MODULE
    return m.EventsModuleDef(path=path, doc=_DOC, objects=tuple(objects))
