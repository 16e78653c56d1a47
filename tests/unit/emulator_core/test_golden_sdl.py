"""The standard seed's core schema, printed, against a committed SDL (golden).

Regenerate after an intended change with ``TWENTY_GQL_UPDATE_GOLDEN=1 pytest tests/unit/emulator_core``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from graphql import build_client_schema, build_schema, get_introspection_query, print_schema

from twenty_gql.testing.workspace import Workspace

EXPECTED = Path(__file__).parent / "expected" / "standard-core.graphql"


def test_standard_core_schema_matches_golden() -> None:
    ws = Workspace("standard")
    printed = print_schema(ws.core_schema) + "\n"
    if os.environ.get("TWENTY_GQL_UPDATE_GOLDEN") == "1":
        EXPECTED.write_text(printed, encoding="utf-8")
    expected = EXPECTED.read_text(encoding="utf-8")
    assert printed == expected, (
        "core schema changed: rerun with TWENTY_GQL_UPDATE_GOLDEN=1 and review"
    )
    # the SDL is a valid schema on its own, and introspection round-trips to the same text
    assert print_schema(build_schema(expected)) + "\n" == expected
    result = ws.execute_core(get_introspection_query())
    assert result.errors is None and result.data is not None
    assert print_schema(build_client_schema(result.data)) + "\n" == expected


def test_golden_reads_like_twenty_api_section_7() -> None:
    sdl = EXPECTED.read_text(encoding="utf-8")
    for line in (
        "  companies(filter: CompanyFilterInput, orderBy: [CompanyOrderByInput], first: Int, last: Int, offset: Int, before: String, after: String): CompanyConnection",
        "  company(filter: CompanyFilterInput!): Company",
        "  companyDuplicates(ids: [UUID], data: [CompanyCreateInput]): [CompanyConnection!]",
        "  createCompanies(data: [CompanyCreateInput!]!, upsert: Boolean): [Company!]",
        "  updateCompanies(data: CompanyUpdateInput!, filter: CompanyFilterInput!): [Company!]",
        "  mergeCompanies(ids: [UUID!]!, conflictPriorityIndex: Int!, dryRun: Boolean): Company",
        "  accountOwnerId: ID",
        "  accountOwner: WorkspaceMemberRelationInput",
        "  idealCustomerProfile: Boolean!",
        "  domainName: LinksFilterInput",
        "  searchVector: TSVectorFilter",
        "  secondaryLinks: JSON",
        "  stage: OpportunityStageEnum!",
    ):
        assert line in sdl.splitlines(), line
