"""``NOT_GIVEN`` (one falsy, picklable instance), ``Page`` (from struct and dict connections,
``page_of``) and the designed facade's errors."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import msgspec
import pytest

from twenty_gql import (
    NOT_GIVEN,
    DecodeError,
    EmptyResultError,
    NotFoundError,
    NotGiven,
    Page,
    RecordNotFoundError,
)
from twenty_gql.errors import GraphQLResponseError
from twenty_gql.page import page_of


def test_not_given_is_one_falsy_picklable_instance() -> None:
    assert NotGiven() is NOT_GIVEN
    assert not NOT_GIVEN and bool(NOT_GIVEN) is False
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN
    assert copy.copy(NOT_GIVEN) is NOT_GIVEN and copy.deepcopy([NOT_GIVEN])[0] is NOT_GIVEN
    assert NOT_GIVEN is not None and NOT_GIVEN != None  # noqa: E711


class Node(msgspec.Struct, frozen=True):
    id: int


class Edge(msgspec.Struct, frozen=True):
    node: Node
    cursor: str = ""


class Info(msgspec.Struct, frozen=True):
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None = None
    end_cursor: str | None = None


class Conn(msgspec.Struct, frozen=True):
    edges: list[Edge]
    page_info: Info
    total_count: int | None = None


class Bare(msgspec.Struct, frozen=True):
    edges: list[Edge]


def test_page_of_a_struct_connection() -> None:
    conn = Conn([Edge(Node(1)), Edge(Node(2))], Info(True, False, "a", "b"), total_count=9)
    page = page_of(conn, "things")
    assert page == Page([Node(1), Node(2)], 9, True, False, "a", "b")
    assert list(page) == page.nodes and len(page) == 2 and page[1] == Node(2)
    assert page[:1] == [Node(1)]
    assert Page.from_connection(conn) == page
    with pytest.raises(AttributeError):
        page.total_count = 3  # type: ignore[misc]  # frozen
    # no totalCount selected: this page's size; no pageInfo: no more pages
    assert page_of(Conn([Edge(Node(1))], Info(False, False)), "t").total_count == 1
    assert page_of(Bare([Edge(Node(3))]), "t") == Page([Node(3)], 1, False, False, None, None)


def test_page_from_a_dict_connection() -> None:
    conn: dict[str, Any] = {
        "edges": [{"node": {"id": 1}}, {"node": None}, {"node": {"id": 2}}],
        "pageInfo": {"hasNextPage": True, "hasPreviousPage": True, "endCursor": "e"},
        "totalCount": 40,
    }
    page = Page.from_connection(conn)
    assert page.nodes == [{"id": 1}, {"id": 2}] and page.total_count == 40
    assert page.has_next_page and page.has_previous_page and page.end_cursor == "e"
    assert page.start_cursor is None


def test_a_null_connection_is_an_empty_result() -> None:
    with pytest.raises(EmptyResultError, match="companies answered null") as caught:
        page_of(None, "companies")
    assert caught.value.root_field == "companies" and isinstance(caught.value, DecodeError)
    with pytest.raises(DecodeError):
        Page.from_connection(None)
    with pytest.raises(DecodeError, match="edges"):
        Page.from_connection({"nodes": []})


def test_record_not_found_error_names_what_was_asked() -> None:
    e = RecordNotFoundError("company", id="6f1b2b6e-3c39-4b57-9c2c-6a8a7d1b2c3d")
    assert isinstance(e, NotFoundError) and isinstance(e, GraphQLResponseError)
    assert e.object_name == "company" and e.filter is None
    assert "company" in str(e) and "6f1b2b6e" in str(e)
    cause = NotFoundError("Record not found", code="NOT_FOUND", operation="Company")
    f = RecordNotFoundError("company", filter={"name": {"eq": "Acme"}}, cause=cause)
    assert f.code == "NOT_FOUND" and f.operation == "Company"
    assert "'Acme'" in str(f) and f.id is None
