"""The site's content, from the bindings' IR of the emulator's standard workspace."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from codegen import model as m
from codegen.build import EndpointInput, build_endpoint
from codegen.docs.build import build_site, method_parts, show_type
from codegen.docs.datamodel import WITH_LABELS, FieldMeta, OptionMeta, standard_model_info
from codegen.docs.render import expand_index, render_site, search_entries
from codegen.docs.site import DocsInput, docs_files, site_doc
from codegen.introspect import LoadedSchema
from codegen.pytypes import INT, STR, Named, Nullable

from .conftest import STANDARD, standard_config, write


@dataclass(frozen=True)
class _ParamWithDefault(m.Param):
    """A Param as the IR may carry it later: with its own default (source text)."""

    default: str = ""


def _search_json(html: str) -> str:
    found = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', html)
    assert found is not None
    return found.group(1)


def _search_index(html: str) -> list[list[str]]:
    """The page's compact index, expanded as the page script does."""
    return expand_index(json.loads(_search_json(html)))


def test_pages_and_markdown_exist(standard_site: dict[str, str]) -> None:
    for page in ("index", "diagram", "filters", "metadata", "changelog"):
        assert f"{page}.html" in standard_site
        assert page == "diagram" or f"markdown/{page}.md" in standard_site
    assert standard_site["markdown/diagram.svg"].startswith("<svg")
    assert (
        "objects/company.html" in standard_site and "markdown/objects/company.md" in standard_site
    )
    objects = [p for p in standard_site if p.startswith("objects/")]
    assert len(objects) == 29  # the emulator's standard objects


def test_company_page_fields_relations_and_metadata(standard_site: dict[str, str]) -> None:
    page = standard_site["objects/company.html"]
    # wire name, Python attribute, Python type, nullability
    row = re.search(r'<tr id="f-annualRecurringRevenue">.*?</tr>', page)
    assert row is not None
    assert "<code>annual_recurring_revenue</code>" in row.group(0)
    assert "<code>Currency | None</code>" in row.group(0)
    assert "<td>yes</td>" in row.group(0)  # nullable
    assert "CurrencyFilterInput" in row.group(0)
    # uniqueness (CompanyWhereUniqueInput) and defaults (the standard list: no server read)
    domain = re.search(r'<tr id="f-domainName">.*?</tr>', page)
    assert domain is not None and "unique" in domain.group(0)
    created = re.search(r'<tr id="f-createdAt">.*?</tr>', page)
    assert created is not None and "&#34;now&#34;" in created.group(0)
    # relations both ways: Company.people (this -> other), Person.company (other -> this)
    assert '<code>people</code></td><td><a href="person.html">Person</a>' in page
    assert '<code>Person.company</code></td><td><a href="person.html">Person</a>' in page
    assert '<span class="badge">standard</span>' in page


def test_select_options_come_from_the_enum(standard_site: dict[str, str]) -> None:
    page = standard_site["objects/opportunity.html"]
    row = re.search(r'<tr id="f-stage">.*?</tr>', page)
    assert row is not None
    assert "Options:" in row.group(0) and "<code>NEW</code>" in row.group(0)
    # no live metadata API: values only, and the page says so
    assert "<code>NEW</code></span>" in row.group(0) and 'class="dot' not in row.group(0)
    assert "shown by value only" in page and "build the docs with --url" in page
    assert "shown by value only" in standard_site["markdown/objects/opportunity.md"]


def test_select_option_labels_and_colors_from_live_metadata(
    standard_schemas: dict[str, LoadedSchema],
) -> None:
    """With the metadata API's ``options`` (here given as a ModelInfo), each value shows its
    label and color, in the metadata's order."""
    options = (OptionMeta("SCREENING", "Screening", "purple"), OptionMeta("NEW", "New", "red"))
    info = replace(
        standard_model_info(),
        fields={"opportunity": {"stage": FieldMeta(options=options)}},
        options_source=WITH_LABELS,
    )
    files = docs_files(DocsInput(standard_config(), info=info), standard_schemas)
    page = files["objects/opportunity.html"]
    row = re.search(r'<tr id="f-stage">.*?</tr>', page)
    assert row is not None
    text = row.group(0)
    assert '<i class="dot c-red" title="red"></i><code>NEW</code> New</span>' in text
    assert text.index("SCREENING") < text.index("NEW") < text.index("MEETING")
    assert "<code>MEETING</code></span>" in text  # not in the metadata: value only
    assert "option labels and colors from the workspace" in page
    md = files["markdown/objects/opportunity.md"]
    assert "`SCREENING` (Screening, purple), `NEW` (New, red), `CUSTOMER`" in md


def test_relation_fields_show_what_a_user_gets(standard_site: dict[str, str]) -> None:
    """A relation is typed as the value a user reads after selecting it (no ``UnsetType``),
    with the include call that selects it; one-to-many relations as a connection."""
    page = standard_site["objects/company.html"]
    one = re.search(r'<tr id="f-accountOwner">.*?</tr>', page)
    many = re.search(r'<tr id="f-attachments">.*?</tr>', page)
    assert one is not None and many is not None
    assert "<code>WorkspaceMember | None</code>" in one.group(0)
    assert "via <code>crm.companies.find_one_with([&#34;accountOwner&#34;], ...)</code>" in (
        one.group(0)
    )
    assert "<code>list of Attachment (connection)</code>" in many.group(0)
    assert not [k for k, text in standard_site.items() if "UnsetType" in text]
    md = standard_site["markdown/objects/company.md"]
    assert (
        '`WorkspaceMember \\| None` via `crm.companies.find_one_with(["accountOwner"], ...)`' in md
    )


def test_every_facade_method_of_the_ir_is_documented(
    standard_site: dict[str, str], standard_schemas: dict[str, LoadedSchema]
) -> None:
    """Methods come from the facade IR as it is, not from a list in the docs code."""
    schema = standard_schemas["graphql"].schema
    modules, _ = build_endpoint(EndpointInput("graphql", schema))
    mod = next(md for md in modules if md.path == "core/objects/company.py")
    (facade,) = mod.facades
    page = standard_site["objects/company.html"]
    assert facade.methods
    for meth in facade.methods:
        params, returns = method_parts(meth)
        assert f'id="m-{meth.name}"' in page
        # an include method takes the relation names first (rendered from the module's
        # include variant, not listed in the method's params)
        lead = ["include: Iterable[CompanyRelationName]"] if meth.kind.startswith("include") else []
        sig = f"{meth.name}(" + ", ".join(
            lead
            + [
                f"{p.name}: {show_type(p.annotation)}" + ("" if p.required else " = NOT_GIVEN")
                for p in params
            ]
        )
        assert sig.replace('"', "&#34;") in page, sig
        assert f"-&gt; {show_type(returns)}" in page.replace("&gt;", "&gt;")
    assert "await crm.companies.find_one_with(include=[&#34;accountOwner&#34;], filter=" in page


def test_methods_follow_whatever_the_facade_ir_holds(
    standard_schemas: dict[str, LoadedSchema],
) -> None:
    """A facade method the docs code never heard of is documented with its own signature and
    an example derived from its parameters."""
    schema = standard_schemas["graphql"].schema
    built = build_endpoint(EndpointInput("graphql", schema))
    modules, init = built
    mod = next(md for md in modules if md.path == "core/objects/company.py")
    (facade,) = mod.facades
    extra = m.FacadeMethod(
        name="find_one_or_none",
        kind="find_one_or_none",
        op=facade.methods[0].op,
        doc="The record matching ``filter``, or None.",
        params=(
            m.Param("filter", "filter", Named("CompanyFilterInput"), required=True),
            m.Param("hint", "hint", Nullable(STR), required=False),
            _ParamWithDefault("limit", "limit", INT, required=False, default="10"),
        ),
        return_annotation=Nullable(Named("Company")),
    )
    new_mod = replace(mod, facades=(replace(facade, methods=(extra,)),))
    modules = [new_mod if md is mod else md for md in modules]
    site = build_site(
        "pkg",
        {"graphql": schema},
        {"graphql": "h"},
        {"graphql": (modules, init)},
        standard_model_info(),
    )
    (company,) = [o for o in site.objects if o.name == "Company"]
    (meth,) = company.methods
    assert meth.signature == (
        "find_one_or_none(filter: CompanyFilterInput, hint: str | None = NOT_GIVEN, "
        "limit: int = 10) -> Company | None"
    )
    assert meth.example.startswith(
        'result = await crm.companies.find_one_or_none(filter={"name": {"eq": "Acme"}})'
    )
    assert "find_one_or_none" in render_site(site)["objects/company.html"]


def test_filters_metadata_and_search_index(standard_site: dict[str, str]) -> None:
    filters = standard_site["filters.html"]
    assert '<section id="StringFilter">' in filters and "<code>ilike</code>" in filters
    meta = standard_site["metadata.html"]
    assert "<code>meta.objects.find_many</code>" in meta and "create_one_field" in meta
    index = _search_index(standard_site["index.html"])
    assert ["field", "Company.employees", "float | None", "objects/company.html#f-employees"] in (
        index
    )
    assert all(not e[3].startswith(("javascript:", "/", "http")) for e in index)
    assert ["object", "Company", "standard", "objects/company.html"] in index
    assert ["method", "crm.companies.find_many", "", "objects/company.html#m-find_many"] in index
    assert ["filter", "StringFilter", "", "filters.html#StringFilter"] in index
    assert [
        "metadata",
        "create_one_field",
        "meta.fields.create",
        "metadata.html#op-create_one_field",
    ] in index


def test_search_index_is_compact_and_the_same_on_every_page(
    standard_site: dict[str, str], standard_schemas: dict[str, LoadedSchema]
) -> None:
    """Every page carries the same compact index; expanded, it names every object, field,
    method, filter and metadata function of the site, each linking to its anchor."""
    texts = {_search_json(t) for p, t in standard_site.items() if p.endswith(".html")}
    assert len(texts) == 1
    (text,) = texts
    # names and where they are only: 1524 entries in about 35 KB (the full
    # [kind, name, detail, url] rows were 152 KB on every page)
    assert len(text) < 40_000
    site = site_doc(DocsInput(standard_config()), standard_schemas)
    entries = _search_index(standard_site["index.html"])
    assert entries == search_entries(site)
    expected = {o.name for o in site.objects}
    expected |= {f"{o.name}.{f.wire}" for o in site.objects for f in o.fields}
    expected |= {f"crm.{o.api_attr}.{m.name}" for o in site.objects for m in o.methods}
    expected |= {f.name for f in site.filters} | {op.func for op in site.metadata_ops}
    assert {e[1] for e in entries} == expected
    for kind, _name, _, url in entries:
        page, _, frag = url.partition("#")
        assert page in standard_site, url
        assert kind == "object" or f'id="{frag}"' in standard_site[page], url


def test_standard_custom_marking_says_where_it_comes_from(standard_site: dict[str, str]) -> None:
    index = standard_site["index.html"]
    assert "emulator&#39;s list of Twenty&#39;s standard objects" in index
    assert "29 objects (0 custom)" in index


def test_changelog_page_since_the_committed_bindings_is_empty(
    standard_site: dict[str, str],
) -> None:
    page = standard_site["changelog.html"]
    assert "No object or field changed." in page and "core schema" in page


def test_diagram_has_every_object_and_relations(standard_site: dict[str, str]) -> None:
    svg = re.search(r"<svg class=\"diagram\".*?</svg>", standard_site["diagram.html"])
    assert svg is not None
    assert svg.group(0).count("<rect ") == 29
    assert svg.group(0).count("<path ") > 20
    assert 'href="objects/company.html"' in svg.group(0)


def test_same_schema_same_bytes(
    standard_site: dict[str, str], standard_schemas: dict[str, LoadedSchema]
) -> None:
    """The whole build from the IR on, again from the same loaded schemas: the same bytes."""
    again = docs_files(DocsInput(standard_config(), since=STANDARD), dict(standard_schemas))
    assert again == standard_site


def test_markdown_reference(standard_site: dict[str, str]) -> None:
    md = standard_site["markdown/objects/company.md"]
    assert "| `annualRecurringRevenue` | `annual_recurring_revenue` | `Currency \\| None` |" in md
    assert "```python\nresult = await crm.companies." in md
    assert "[Company](objects/company.md)" in standard_site["markdown/index.md"]


def test_writes_to_disk(standard_site: dict[str, str], tmp_path: Path) -> None:
    out = write(standard_site, tmp_path)
    assert (out / "objects" / "company.html").read_text("utf-8") == standard_site[
        "objects/company.html"
    ]
