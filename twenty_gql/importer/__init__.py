"""``twenty-gql import OBJECT FILE``: bulk-import CSV or JSONL records into a Twenty workspace.

One module per concern: :mod:`.schema` (what the import needs from the workspace schema, read
from codegen's introspection model), :mod:`.convert` (value validation and conversion),
:mod:`.read` (CSV / JSONL rows) and :mod:`.cli` (the command: validate, estimate, stream through
:func:`twenty_gql.bulk.create_many`).
"""

from twenty_gql.importer.cli import main
from twenty_gql.importer.convert import Converter, RowError
from twenty_gql.importer.schema import ImportSchema, TypeRef, UsageError

__all__ = ["Converter", "ImportSchema", "RowError", "TypeRef", "UsageError", "main"]
