"""Small SDL snippets through the build stages into the IR (no rendering, no files)."""

from __future__ import annotations

from graphql import build_schema

from codegen import model as m
from codegen.build import EndpointInput, build_endpoint
from codegen.conventions import Conventions
from codegen.documents import print_document, print_fragment, split_at_slot
from codegen.pytypes import Named, list_of

CORE = """
scalar UUID
type PageInfo { hasNextPage: Boolean! endCursor: String }
type Links { primaryLinkUrl: String }
type Company { id: UUID! name: String domain: Links people: PersonConnection }
type CompanyEdge { node: Company! cursor: String! }
type CompanyConnection { edges: [CompanyEdge!]! pageInfo: PageInfo! totalCount: Int! }
type Person { id: UUID! name: String company: Company companyId: UUID }
type PersonEdge { node: Person! cursor: String! }
type PersonConnection { edges: [PersonEdge!]! pageInfo: PageInfo! }
input CompanyFilterInput { name: String }
input PersonFilterInput { name: String }
input CompanyCreateInput { name: String }
type Query {
  companies(filter: CompanyFilterInput, first: Int): CompanyConnection
  company(filter: CompanyFilterInput!): Company
  people(filter: PersonFilterInput, first: Int): PersonConnection
}
type Mutation { createCompany(data: CompanyCreateInput!): Company }
"""

META = """
type A { id: ID! x: Int }
type B { id: ID! y: String }
union AB = A | B
type Query { things: [AB!]! }
"""


def _modules(sdl: str, endpoint: str) -> dict[str, m.ModuleDef]:
    modules, _ = build_endpoint(EndpointInput(endpoint, build_schema(sdl)))
    return {mod.path: mod for mod in modules}


def test_conventions_find_records_and_place_their_types() -> None:
    conv = Conventions("graphql", build_schema(CORE))
    assert conv.records == {"Company": "companies", "Person": "people"}
    assert conv.owner["CompanyFilterInput"] == conv.record_module["Company"]
    assert conv.owner["Links"] == "_common"
    assert conv.relations("Company")[0][0] == "people"


def test_a_record_is_selected_through_one_named_fragment() -> None:
    company = _modules(CORE, "graphql")["core/objects/company.py"]
    op = next(o for o in company.operations if o.func_name == "companies")
    doc = op.document
    assert isinstance(doc, m.Document)
    assert [v.name for v in doc.variables] == ["filter", "first"]
    edges = doc.selections[0]
    assert isinstance(edges, m.FieldSel) and edges.name == "edges"
    node = next(s for s in edges.selections if isinstance(s, m.FieldSel) and s.name == "node")
    assert node.selections == (m.FragmentSpread("CompanyFields"),)
    assert [f.name for f in doc.fragments] == ["CompanyFields"]
    # every operation of the module spreads the same fragment, defined once in the module
    assert [f.name for f in company.fragments] == ["CompanyFields"]
    fragment = print_fragment(company.fragments[0])
    assert fragment.startswith("fragment CompanyFields on Company {\n")
    assert "domain {\n    primaryLinkUrl\n  }" in fragment
    assert "people" not in fragment  # relations only through include=


def test_documents_print_on_several_lines() -> None:
    company = _modules(CORE, "graphql")["core/objects/company.py"]
    create = next(o for o in company.operations if o.func_name == "create_company")
    assert print_document(create.document) == (
        "mutation CreateCompany($data: CompanyCreateInput!) {\n"
        "  createCompany(data: $data) {\n"
        "    ...CompanyFields\n"
        "  }\n"
        "}\n"
    )


def test_include_variant_has_a_slot_after_the_record_fragment() -> None:
    company = _modules(CORE, "graphql")["core/objects/company.py"]
    many = next(i for i in company.include_variants if i.op_name == "CompaniesWithRelations")
    prefix, suffix, depth = split_at_slot(many.document)
    assert prefix.endswith("      node {\n        ...CompanyFields\n")
    assert suffix.startswith("      }\n")
    assert depth == 4
    assert [r.name for r in many.relations] == ["people"]


def test_result_structs_have_public_names() -> None:
    company = _modules(CORE, "graphql")["core/objects/company.py"]
    names = {o.const_name: o.data_struct.name for o in company.operations}
    assert names["COMPANIES_OP"] == "CompaniesResult"
    assert "CompaniesResult" in company.all_names
    assert not [n for n in company.all_names if n.startswith("_")]


def test_a_union_of_shared_structs_is_a_named_alias() -> None:
    # the union, its members and the root field returning it share one module
    types = _modules(META, "metadata")["metadata/types/ab.py"]
    assert types.aliases == (m.AliasDef(name="AB", doc="", members=(Named("A"), Named("B"))),)
    things = next(o for o in types.operations if o.func_name == "things")
    assert things.return_annotation == list_of(Named("AB"))
