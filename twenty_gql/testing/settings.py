"""Limits and switches of the emulated server (``Workspace.settings``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Settings"]


@dataclass
class Settings:
    """Limits of the emulated server (twenty-api.md §3.1; all configurable).

    * ``batch_limit``: max records per createMany/upsert and per updateMany (QUERY_MAX_RECORDS).
    * ``page_default``: findMany page size when neither ``first`` nor ``last`` is given.
    * ``page_max``: ``first``/``last`` above it are clamped to it (a page of ``page_max``
      records with ``hasNextPage`` telling the client to continue); no error is raised.
    * ``relation_page_max``: cap of nested one-to-many connections
      (QUERY_MAX_RECORDS_FROM_RELATION = 60).
    * ``actor_name``: ``createdBy.name`` / ``updatedBy.name`` of records written through the API.
    * ``limit_delete_many``: also cap deleteMany/destroyMany/restoreMany at ``batch_limit``
      matched rows (UNCONFIRMED in Twenty; off by default).
    * ``destroy_requires_soft_delete``: destroy only soft-deleted records; a live one is
      "Record not found" (UNCONFIRMED in Twenty; off by default).
    * ``cursor_aware_page_info``: ``hasPreviousPage`` is also true when paging forward from an
      ``after`` cursor, ``hasNextPage`` when paging back from a ``before`` cursor (newer
      buildCursorPage, UNCONFIRMED; off by default: the strict rule of twenty-api.md §1.7).
    * ``query_complexity_limit``: COMMON_QUERY_COMPLEXITY_LIMIT; a root field's complexity is 1
      plus the relation fields it selects plus, for findMany, its orderBy keys on relations.
    """

    batch_limit: int = 60
    page_default: int = 60
    page_max: int = 200
    relation_page_max: int = 60
    actor_name: str = "API Key"
    limit_delete_many: bool = False
    destroy_requires_soft_delete: bool = False
    cursor_aware_page_info: bool = False
    query_complexity_limit: int = 2000
