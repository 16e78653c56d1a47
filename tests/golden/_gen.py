"""Helpers shared by the codegen golden tests."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import GraphQLSchema, build_schema, get_introspection_query, graphql_sync

from codegen.build import EndpointInput, build_endpoint
from codegen.documents import print_document, print_fragment, print_selection, split_at_slot
from codegen.generate import GenerateConfig, generate
from codegen.model import Fragment

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
EXPECTED = HERE / "expected"
SMALL_CORE = SCHEMAS / "small_core.graphql"
SMALL_META = SCHEMAS / "small_metadata.graphql"
METADATA_243 = (
    HERE.parent.parent / "twenty_gql" / "testing" / "data" / "twenty-metadata-2.43.graphql"
)


def small_files(package: str = "small") -> dict[str, str]:
    return generate(
        GenerateConfig(package=package, core_schema=SMALL_CORE, metadata_schema=SMALL_META)
    )


def introspection_json(schema: GraphQLSchema, wrapped: bool) -> str:
    result = graphql_sync(schema, get_introspection_query(descriptions=True))
    assert result.errors is None
    payload = {"data": result.data} if wrapped else result.data
    return json.dumps(payload)


def documents(endpoint: str, schema: GraphQLSchema) -> list[str]:
    """Every document the generated package would send (include= variants with all relations)."""
    modules, _ = build_endpoint(EndpointInput(endpoint, schema))
    docs = []
    for module in modules:
        for op in module.operations:
            docs.append(print_document(op.document) + _fragment_text(op.document.fragments))
        for inc in module.include_variants:
            sels = [print_selection(r.selection, 0) for r in inc.relations]
            prefix, suffix, depth = split_at_slot(inc.document)
            body = "".join("  " * depth + line + "\n" for s in sels for line in s.split("\n"))
            docs.append(prefix + body + suffix + _fragment_text(inc.document.fragments))
    return docs


def _fragment_text(fragments: tuple[Fragment, ...]) -> str:
    return "".join(print_fragment(f) for f in fragments)


def load_sdl(path: Path) -> GraphQLSchema:
    return build_schema(path.read_text(encoding="utf-8"))
