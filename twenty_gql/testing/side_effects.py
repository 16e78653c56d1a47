"""Record side effects of record writes: relations that follow a destroyed or merged record.

A destroyed record's many-to-one references are set to null or cascade-deleted per the
relation's ``onDelete`` (SET_NULL / CASCADE); ``mergeMany`` points them at the kept record.
"""

from __future__ import annotations

from collections.abc import Iterable

from twenty_gql.testing.store import Store
from twenty_gql.testing.views import ObjectView

__all__ = ["on_records_destroyed", "reassign_relations"]


def on_records_destroyed(
    views: Iterable[ObjectView], store: Store, view: ObjectView, ids: set[str]
) -> None:
    """Apply ``onDelete`` of relations pointing at destroyed records (SET_NULL / CASCADE)."""
    for other in views:
        for join, fld in other.join_columns.items():
            if other.targets.get(fld.name) is not view.obj:
                continue
            on_delete = (fld.settings or {}).get("onDelete", "SET_NULL")
            table = store.table(other.obj.id)
            for rec in list(table.values()):
                if rec.get(join) in ids:
                    if on_delete == "CASCADE":
                        store.remove(other.obj.id, rec["id"])
                    else:
                        table[rec["id"]] = dict(rec, **{join: None})
                        store.touch(other.obj.id, rec["id"])


def reassign_relations(
    views: Iterable[ObjectView], store: Store, view: ObjectView, from_ids: list[str], to_id: str
) -> None:
    """Point many-to-one references at ``to_id`` (used by mergeMany)."""
    sources = set(from_ids)
    for other in views:
        for join, fld in other.join_columns.items():
            if other.targets.get(fld.name) is not view.obj:
                continue
            table = store.table(other.obj.id)
            for rec in list(table.values()):
                if rec.get(join) in sources:
                    table[rec["id"]] = dict(rec, **{join: to_id})
                    store.touch(other.obj.id, rec["id"])
