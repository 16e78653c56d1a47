"""Shared inputs of the docs-site tests: the standard workspace's site (built once), a hostile
schema, and the headless Chromium the browser tests drive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codegen.docs.datamodel import FieldMeta, ModelInfo, OptionMeta
from codegen.docs.site import DocsInput, docs_files
from codegen.generate import GenerateConfig, load_schemas
from codegen.introspect import LoadedSchema

ROOT = Path(__file__).resolve().parents[2]
STANDARD = ROOT / "generated" / "twenty_standard"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium flags for a sandboxed CI container: nothing reaches the network
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PWN = "window.__pwned=1"
HOSTILE_TEXT = (
    f'</script><script>{PWN}</script><img src=x onerror="{PWN}">'
    f"\" onmouseover='{PWN}' javascript:{PWN} {{{{ 7*7 }}}} </style></svg>"
    "| ` ``` # [x](javascript:alert(1)) & &amp; \u2028"
)

# A core schema Twenty's conventions read as two records, with the hostile text in every
# description and JavaScript-meaningful names where GraphQL allows names at all.
HOSTILE_CORE = f'''
scalar UUID
"""{HOSTILE_TEXT}"""
type Pet {{
  """{HOSTILE_TEXT}"""
  id: UUID!
  """{HOSTILE_TEXT}"""
  constructor: String
  """{HOSTILE_TEXT}"""
  javascript: Script
  owner: Owner
  ownerId: UUID
}}
"""{HOSTILE_TEXT}"""
enum Script {{
  """{HOSTILE_TEXT}"""
  script
  onerror
}}
type PetEdge {{ node: Pet! cursor: String! }}
type PageInfo {{ hasNextPage: Boolean! endCursor: String }}
type PetConnection {{ edges: [PetEdge!]! pageInfo: PageInfo! totalCount: Int! }}
"""{HOSTILE_TEXT}"""
type Owner {{ id: UUID! toString: String pets: PetConnection }}
type OwnerEdge {{ node: Owner! cursor: String! }}
type OwnerConnection {{ edges: [OwnerEdge!]! pageInfo: PageInfo! totalCount: Int! }}
"""{HOSTILE_TEXT}"""
input StringFilter {{ eq: String ilike: String }}
input PetFilterInput {{ constructor: StringFilter and: [PetFilterInput] }}
input OwnerFilterInput {{ toString: StringFilter }}
input PetCreateInput {{ constructor: String }}
type Query {{
  """{HOSTILE_TEXT}"""
  pets(filter: PetFilterInput, first: Int): PetConnection
  pet(filter: PetFilterInput!): Pet
  owners(filter: OwnerFilterInput, first: Int): OwnerConnection
  owner(filter: OwnerFilterInput!): Owner
}}
type Mutation {{ createPet(data: PetCreateInput!): Pet }}
'''

HOSTILE_META = f'''
"""{HOSTILE_TEXT}"""
type Object {{ id: ID! nameSingular: String! """{HOSTILE_TEXT}""" description: String }}
type Query {{ """{HOSTILE_TEXT}""" object(id: ID!): Object }}
'''

# metadata values are untrusted too: a hostile default value
HOSTILE_INFO = ModelInfo(
    source=f"test metadata {HOSTILE_TEXT}",
    custom={"pet": True, "owner": False},
    fields={
        "pet": {
            "constructor": FieldMeta(default=HOSTILE_TEXT, unique=True),
            # option labels and colors (live metadata) are untrusted too
            "javascript": FieldMeta(options=(OptionMeta("script", HOSTILE_TEXT, HOSTILE_TEXT),)),
        }
    },
    options_source=f"test options {HOSTILE_TEXT}",
)


def standard_config() -> GenerateConfig:
    return GenerateConfig(
        package="twenty_standard",
        core_schema=STANDARD / "schema" / "graphql.graphql",
        metadata_schema=STANDARD / "schema" / "metadata.graphql",
    )


def hostile_files(tmp: Path) -> dict[str, str]:
    core, meta = tmp / "hostile.graphql", tmp / "hostile-meta.graphql"
    core.write_text(HOSTILE_CORE, encoding="utf-8")
    meta.write_text(HOSTILE_META, encoding="utf-8")
    cfg = GenerateConfig(package="hostile", core_schema=core, metadata_schema=meta)
    return docs_files(DocsInput(cfg, info=HOSTILE_INFO))


@pytest.fixture(scope="session")
def standard_schemas() -> dict[str, LoadedSchema]:
    """The committed bindings' schemas, loaded (parsed, canonicalised) once."""
    return load_schemas(standard_config())


@pytest.fixture(scope="session")
def standard_site(standard_schemas: dict[str, LoadedSchema]) -> dict[str, str]:
    """The standard workspace's site, with the (empty) changelog since the committed bindings."""
    return docs_files(DocsInput(standard_config(), since=STANDARD), standard_schemas)


def write(files: dict[str, str], out: Path) -> Path:
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return out


def require_browser() -> None:
    """Skip locally when Chromium or Playwright is missing; FAIL in CI (``CI=true``), where
    ``.ci/run`` installs Debian's chromium and the test extra holds playwright."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install 'twenty-gql[test]')")
    if missing:
        message = "browser test needs " + ", ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def artifacts_dir() -> Path:
    """Where CI keeps files for people: ``$TWENTY_GQL_ARTIFACTS`` or ``<repo>/artifacts``."""
    out = Path(os.environ.get("TWENTY_GQL_ARTIFACTS") or ROOT / "artifacts") / "docs-site"
    out.mkdir(parents=True, exist_ok=True)
    return out
