"""paginate/collect over Struct and dict connections: first/after, each record once."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from twenty_gql import (
    MockTransport,
    Operation,
    PaginationError,
    Request,
    Response,
    TwentyClient,
    collect,
    paginate,
)


class PageInfo(msgspec.Struct, frozen=True):
    has_next_page: bool = msgspec.field(name="hasNextPage")
    end_cursor: str | None = msgspec.field(name="endCursor", default=None)


class Node(msgspec.Struct, frozen=True):
    id: str


class Edge(msgspec.Struct, frozen=True):
    node: Node


class Conn(msgspec.Struct, frozen=True):
    edges: list[Edge]
    page_info: PageInfo = msgspec.field(name="pageInfo")


class Data(msgspec.Struct, frozen=True):
    companies: Conn


def op(result_type: Any) -> Operation[Any]:
    return Operation(
        name="Companies",
        document="query Companies($first: Int, $after: String) { companies { edges { node { id } } } }",
        endpoint="graphql",
        kind="query",
        root_fields=("companies",),
        result_type=result_type,
        idempotent=True,
    )


def server(ids: list[str], *, overlap: int = 0) -> Any:
    """Pages of `ids` by cursor (= index); `overlap` re-sends that many records of the previous page."""

    def handle(request: Request) -> Response:
        v = request.json()["variables"]
        start = int(v.get("after", "-1")) + 1
        start = max(0, start - overlap) if "after" in v else 0
        page = ids[start : start + v["first"]]
        end = start + len(page) - 1
        body = {
            "edges": [{"node": {"id": i}} for i in page],
            "pageInfo": {
                "hasNextPage": end < len(ids) - 1,
                "endCursor": str(end) if page else None,
            },
        }
        return Response.json({"data": {"companies": body}})

    return handle


def client(handler: Any, page_size_max: int = 200) -> TwentyClient:
    return TwentyClient(
        "https://t.example",
        "key-1234567",
        transport=MockTransport(handler),
        page_size_max=page_size_max,
    )


async def test_struct_connection_yields_every_record_once_in_order() -> None:
    ids = [f"r{i}" for i in range(250)]
    mt = MockTransport(server(ids))
    async with TwentyClient("https://t.example", "key-1234567", transport=mt) as c:
        nodes = await collect(
            paginate(c, op(Data), {"filter": {}}, connection=lambda d: d.companies)
        )
    assert [n.id for n in nodes] == ids
    sent = [r.json()["variables"] for r in mt.requests]
    assert sent == [{"filter": {}, "first": 200}, {"filter": {}, "first": 200, "after": "199"}]


async def test_dict_connection_and_page_size_capped_by_the_server_maximum() -> None:
    ids = [f"r{i}" for i in range(25)]
    async with client(server(ids), page_size_max=10) as c:
        nodes = await collect(
            paginate(c, op(dict), None, connection=lambda d: d["companies"], page_size=50)
        )
    assert [n["id"] for n in nodes] == ids


async def test_records_repeated_across_pages_are_yielded_once() -> None:
    ids = [f"r{i}" for i in range(30)]
    async with client(server(ids, overlap=3)) as c:
        nodes = await collect(
            paginate(c, op(Data), {}, connection=lambda d: d.companies, page_size=7)
        )
    assert [n.id for n in nodes] == ids


async def test_empty_result_is_one_request() -> None:
    async with client(server([])) as c:
        assert await collect(paginate(c, op(Data), {}, connection=lambda d: d.companies)) == []


async def test_a_stuck_cursor_raises_instead_of_looping() -> None:
    def stuck(request: Request) -> Response:
        conn = {
            "edges": [{"node": {"id": "a"}}],
            "pageInfo": {"hasNextPage": True, "endCursor": "c"},
        }
        return Response.json({"data": {"companies": conn}})

    async with client(stuck) as c:
        with pytest.raises(PaginationError, match="endCursor"):
            await collect(paginate(c, op(Data), {}, connection=lambda d: d.companies))


@pytest.mark.parametrize(
    ("kw", "variables", "needle"),
    [({"page_size": 0}, {}, "page_size"), ({"page_size": True}, {}, "page_size"),
     ({}, {"first": 5}, "'first'"), ({}, {"after": "x"}, "'after'")],
)  # fmt: skip
async def test_bad_arguments_are_refused(kw: dict[str, Any], variables: Any, needle: str) -> None:
    async with client(server([])) as c:
        with pytest.raises(ValueError, match=needle):
            await collect(paginate(c, op(Data), variables, connection=lambda d: d.companies, **kw))
