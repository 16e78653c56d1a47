"""Cursor pagination over any Twenty connection (``first``/``after``), each record once.

``paginate(client, op, variables, connection=lambda d: d.companies)`` yields the nodes of every
page; ``collect(...)`` gathers them into a list. The connection may be a Struct
(``edges[*].node``, ``page_info.end_cursor``, ``page_info.has_next_page``) or a dict
(``edges``/``node``/``pageInfo``/``endCursor``/``hasNextPage``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

from twenty_gql.errors import DecodeError
from twenty_gql.operation import Operation

__all__ = ["PaginationError", "collect", "paginate", "trash_filter", "walk"]

T = TypeVar("T")
N = TypeVar("N")


class PaginationError(DecodeError):
    """The server's page info cannot be followed (no cursor, or the same cursor again)."""


class _Pager(Protocol):
    page_size_max: int

    async def execute(
        self,
        op: Operation[T],
        variables: Mapping[str, Any] | None = ...,
        *,
        idempotent: bool | None = ...,
    ) -> T: ...


def _get(obj: Any, attr: str, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, attr, None)


def _node_id(node: Any) -> Any:
    v = node.get("id") if isinstance(node, Mapping) else getattr(node, "id", None)
    return v if isinstance(v, (str, int)) or v is None else str(v)


async def paginate(
    client: _Pager,
    op: Operation[T],
    variables: Mapping[str, Any] | None,
    *,
    connection: Callable[[T], Any],
    page_size: int | None = None,
) -> AsyncIterator[Any]:
    """Yield every node, page after page, each record once (ids already seen are skipped,
    so a record that shifts across a page boundary is not yielded twice)."""

    async def fetch(page_variables: dict[str, Any]) -> Any:
        return connection(await client.execute(op, page_variables))

    async for node in walk(
        fetch, variables, page_size=page_size, limit=client.page_size_max, name=op.name
    ):
        yield node


async def walk(
    fetch: Callable[[dict[str, Any]], Awaitable[Any]],
    variables: Mapping[str, Any] | None,
    *,
    page_size: int | None,
    limit: int,
    name: str,
) -> AsyncIterator[Any]:
    """:func:`paginate` over any page fetcher: ``fetch(variables)`` answers one connection
    (``first``/``after`` set here) or None; ``name`` names the query in a
    :class:`PaginationError`."""
    base = _base_variables(variables)
    size = _page_size(page_size, limit)
    seen: set[Any] = set()
    cursor: str | None = None
    pages = 0
    while True:
        vars_ = dict(base, first=size)
        if cursor is not None:
            vars_["after"] = cursor
        conn = await fetch(vars_)
        pages += 1
        if conn is None:
            return
        edges = _get(conn, "edges", "edges") or ()
        for node in _new_nodes(edges, seen):
            yield node
        cursor = _next_cursor(name, conn, cursor, pages, bool(edges))
        if cursor is None:
            return


def trash_filter(filter: object) -> dict[str, Any]:
    """The filter of a trash listing: soft-deleted records (``deletedAt IS NOT_NULL``), and-ed
    with the user's ``filter`` when there is one. Twenty returns soft-deleted records only
    when the filter mentions ``deletedAt`` (anywhere in it)."""
    in_trash: dict[str, Any] = {"deletedAt": {"is": "NOT_NULL"}}
    if not filter:
        return in_trash
    return {"and": [filter, in_trash]}


def _base_variables(variables: Mapping[str, Any] | None) -> dict[str, Any]:
    base = dict(variables or {})
    for reserved in ("first", "after", "last", "before"):
        if reserved in base:
            raise ValueError(f"paginate sets {reserved!r} itself; do not pass it in variables")
    return base


def _page_size(page_size: int | None, limit: int) -> int:
    if page_size is None:
        return limit
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise ValueError(f"page_size must be an int >= 1, got {page_size!r}")
    return min(page_size, limit)


def _new_nodes(edges: Any, seen: set[Any]) -> Iterator[Any]:
    for edge in edges:
        node = _get(edge, "node", "node")
        if node is None:
            continue
        nid = _node_id(node)
        if nid is not None:
            if nid in seen:
                continue
            seen.add(nid)
        yield node


def _next_cursor(
    name: str, conn: Any, cursor: str | None, pages: int, had_edges: bool
) -> str | None:
    """The cursor of the next page; None at the end; PaginationError for a broken answer."""
    info = _get(conn, "page_info", "pageInfo")
    if info is None or not _get(info, "has_next_page", "hasNextPage"):
        return None
    nxt = _get(info, "end_cursor", "endCursor")
    if not isinstance(nxt, str) or not nxt or nxt == cursor:
        raise PaginationError(f"{name}: page {pages} says hasNextPage but its endCursor is {nxt!r}")
    if not had_edges:
        raise PaginationError(f"{name}: page {pages} is empty but says hasNextPage")
    return nxt


async def collect(items: AsyncIterable[N]) -> list[N]:
    """All items of an async iterable, as a list."""
    return [item async for item in items]
