"""The docs pipeline in one screen: load the schemas (as ``generate`` does) -> build the
bindings' IR -> docs IR -> HTML + Markdown files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphql import build_schema

from codegen.build import EndpointInput, build_endpoint
from codegen.docs.build import build_site
from codegen.docs.changelog import data_model_changes
from codegen.docs.datamodel import ModelInfo, fetch_model_info, standard_model_info
from codegen.docs.model import Change, SiteDoc
from codegen.docs.render import render_markdown, render_site
from codegen.generate import GenerateConfig, load_schemas
from codegen.introspect import ENDPOINTS, LoadedSchema, schema_hash
from codegen.scalars import ScalarMap

__all__ = ["DocsInput", "changes_since", "docs_files", "site_doc"]


@dataclass(frozen=True)
class DocsInput:
    config: GenerateConfig  # the schema sources and package name, exactly as for ``generate``
    since: Path | None = None  # earlier bindings (DIR/PACKAGE) for the changelog
    info: ModelInfo | None = None  # None: the live metadata API when --url, else the list


def changes_since(package_dir: Path, core: LoadedSchema) -> tuple[list[Change], str] | None:
    """The data-model changes from the schema stored in generated bindings to ``core``; None
    when ``package_dir`` holds no ``schema/graphql.graphql``."""
    stored = package_dir / "schema" / "graphql.graphql"
    if not stored.is_file():
        return None
    sdl = stored.read_text(encoding="utf-8")
    changes = data_model_changes(build_schema(sdl), core.schema)
    return changes, f"the bindings were generated (core schema {schema_hash(sdl)[:12]})"


def site_doc(inp: DocsInput, schemas: dict[str, LoadedSchema] | None = None) -> SiteDoc:
    cfg = inp.config
    schemas = schemas if schemas is not None else load_schemas(cfg)
    scalars = ScalarMap.from_config(cfg.scalars)
    built = {
        e: build_endpoint(EndpointInput(e, schemas[e].schema, scalars))
        for e in ENDPOINTS
        if e in schemas
    }
    info = inp.info
    if info is None and cfg.url:
        meta = schemas.get("metadata")
        info = fetch_model_info(cfg.url, cfg.api_key, meta.schema if meta else None)
    if info is None:
        info = standard_model_info()
    changes: list[Change] | None = None
    since = ""
    if inp.since is not None and "graphql" in schemas:
        found = changes_since(inp.since, schemas["graphql"])
        if found is not None:
            changes, since = found
    return build_site(
        cfg.package,
        {e: s.schema for e, s in schemas.items()},
        {e: s.hash for e, s in schemas.items()},
        built,
        info,
        changes,
        since,
    )


def docs_files(inp: DocsInput, schemas: dict[str, LoadedSchema] | None = None) -> dict[str, str]:
    """``{relative path: text}``: the HTML site at the top, the Markdown under ``markdown/``."""
    site = site_doc(inp, schemas)
    files = render_site(site)
    files.update((f"markdown/{rel}", text) for rel, text in render_markdown(site).items())
    return dict(sorted(files.items()))
