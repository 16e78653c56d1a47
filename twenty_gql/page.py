"""``Page[T]``: one page of a connection, with its nodes and page info."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

__all__ = ["Page"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of records: iterate it, ``len`` it, index it; ``total_count`` counts every
    record matching the filter, not only this page's."""

    nodes: list[T]
    total_count: int
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    def __iter__(self) -> Iterator[T]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        return self.nodes[i]

    @classmethod
    def from_connection(cls, conn: Any) -> Page[Any]:
        """A page from a decoded connection (attributes ``edges[i].node``, ``page_info``,
        ``total_count``) or a dict connection (``edges``, ``pageInfo``, ``totalCount``)."""
        if isinstance(conn, Mapping):
            edges = conn.get("edges") or []
            info = conn.get("pageInfo") or {}
            nodes = [e["node"] for e in edges]
            return cls(
                nodes,
                int(conn.get("totalCount") or 0),
                bool(info.get("hasNextPage")),
                bool(info.get("hasPreviousPage")),
                info.get("startCursor"),
                info.get("endCursor"),
            )
        info = conn.page_info
        return cls(
            [e.node for e in conn.edges or []],
            int(getattr(conn, "total_count", 0) or 0),
            bool(getattr(info, "has_next_page", False)),
            bool(getattr(info, "has_previous_page", False)),
            getattr(info, "start_cursor", None),
            getattr(info, "end_cursor", None),
        )
