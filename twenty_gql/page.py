"""``Page[T]``: one page of a connection, as the record facades return it.

``page.nodes`` are the records (also ``for r in page``, ``len(page)``, ``page[0]``);
``total_count`` counts every record matching the filter (not only this page);
``has_next_page``/``end_cursor`` (and ``has_previous_page``/``start_cursor``) continue it:
``find_many(after=page.end_cursor)``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

from twenty_gql.errors import DecodeError, EmptyResultError
from twenty_gql.pagination import _get

__all__ = ["Connection", "Page", "page_of"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _Edge(Protocol[T_co]):
    @property
    def node(self) -> T_co: ...


class Connection(Protocol[T_co]):
    """A decoded connection struct (``CompanyConnection``): what :func:`page_of` types a page
    by. It also reads ``page_info`` (``has_next_page``, ``end_cursor``, ...) and
    ``total_count`` when the connection has them (Twenty's always do)."""

    @property
    def edges(self) -> Sequence[_Edge[T_co]]: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of records and where it sits in the whole result."""

    nodes: list[T]
    total_count: int
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def from_connection(cls, conn: Any) -> Page[Any]:
        """A page from a decoded connection (``edges[i].node``, ``page_info``, ``total_count``)
        or a dict one (``edges``, ``pageInfo``, ``totalCount``). A missing ``totalCount``
        counts this page's nodes; a connection that is not one is a ``DecodeError``."""
        if conn is None:
            raise DecodeError("expected a connection, got null")
        edges = _get(conn, "edges", "edges")
        if edges is None:
            raise DecodeError(f"expected a connection with edges, got {type(conn).__name__}")
        nodes = [n for e in edges if (n := _get(e, "node", "node")) is not None]
        info = _get(conn, "page_info", "pageInfo")
        total = _get(conn, "total_count", "totalCount")
        return cls(
            nodes=nodes,
            total_count=total if isinstance(total, int) else len(nodes),
            has_next_page=bool(_get(info, "has_next_page", "hasNextPage")) if info else False,
            has_previous_page=(
                bool(_get(info, "has_previous_page", "hasPreviousPage")) if info else False
            ),
            start_cursor=_get(info, "start_cursor", "startCursor") if info else None,
            end_cursor=_get(info, "end_cursor", "endCursor") if info else None,
        )

    def __iter__(self) -> Iterator[T]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.nodes[index]


def page_of(conn: Connection[T] | None, root_field: str) -> Page[T]:
    """The page of the decoded connection ``conn`` (the answer of ``root_field``): typed by its
    nodes; ``EmptyResultError`` when the server answered null."""
    if conn is None:
        raise EmptyResultError(root_field)
    try:  # Twenty's connections: both, read directly (this is every find_many's path)
        nodes = [n for e in conn.edges if (n := e.node) is not None]
        info = conn.page_info  # type: ignore[attr-defined]
        total = conn.total_count  # type: ignore[attr-defined]
        return Page(
            nodes,
            total if total is not None else len(nodes),
            info.has_next_page,
            info.has_previous_page,
            info.start_cursor,
            info.end_cursor,
        )
    except AttributeError:  # another connection shape: read what it has
        page: Page[T] = Page.from_connection(conn)
        return page
