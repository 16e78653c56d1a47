"""Scalars (twenty-api.md §1.8) and the filter/cursor helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from graphql import GraphQLError, StringValueNode

from twenty_gql.testing.errors import TwentyApiError
from twenty_gql.testing.filters import (
    OrderKey,
    compare_keys,
    decode_cursor,
    like_regex,
    mentions_deleted_at,
)
from twenty_gql.testing.scalars import SCALARS, normalize_datetime


def test_uuid_scalar() -> None:
    uuid_t = SCALARS["UUID"]
    assert (
        uuid_t.parse_value("6F1C8A3E-2B7D-4C55-9E0A-20202020AAAA")
        == "6f1c8a3e-2b7d-4c55-9e0a-20202020aaaa"
    )
    with pytest.raises(GraphQLError, match="Invalid UUID"):
        uuid_t.parse_value("nope")
    with pytest.raises(GraphQLError, match="UUID must be a string"):
        uuid_t.parse_value(12)
    with pytest.raises(GraphQLError, match="Invalid UUID"):
        uuid_t.parse_literal(StringValueNode(value="zz"))


def test_datetime_scalar_normalises_to_milliseconds_z() -> None:
    dt_t = SCALARS["DateTime"]
    assert dt_t.parse_value("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05.000Z"
    assert dt_t.parse_value("2026-01-02T04:04:05.123456+01:00") == "2026-01-02T03:04:05.123Z"
    assert dt_t.parse_value("2026-01-02") == "2026-01-02T00:00:00.000Z"
    assert (
        dt_t.serialize(dt.datetime(2026, 1, 2, 3, 4, 5, 999000, tzinfo=dt.timezone.utc))
        == "2026-01-02T03:04:05.999Z"
    )
    with pytest.raises(GraphQLError, match="ISO-8601"):
        dt_t.parse_value("yesterday")
    with pytest.raises(ValueError):
        normalize_datetime(5)


def test_date_position_bigfloat_scalars() -> None:
    assert SCALARS["Date"].parse_value("2026-03-04") == "2026-03-04"
    assert SCALARS["Date"].parse_value("2026-03-04T10:00:00Z") == "2026-03-04"
    with pytest.raises(GraphQLError, match="YYYY-MM-DD"):
        SCALARS["Date"].parse_value("04/03/2026")
    pos = SCALARS["Position"]
    assert pos.parse_value("first") == "first" and pos.parse_value(3) == 3.0
    with pytest.raises(GraphQLError, match="Position"):
        pos.parse_value("middle")
    big = SCALARS["BigFloat"]
    assert big.parse_value("12.5") == 12.5 and big.serialize(7) == 7.0
    with pytest.raises(GraphQLError):
        big.parse_value("NaN")
    with pytest.raises(GraphQLError):
        big.parse_value(True)
    assert SCALARS["BigInt"].parse_value("9007199254740993") == 9007199254740993


def test_like_regex() -> None:
    assert like_regex("a%c", False).match("abbbc")
    assert not like_regex("a%c", False).match("Abc")
    assert like_regex("a_c", True).match("ABC")
    assert not like_regex("a.c", False).match("abc")  # regex characters are literal


def test_mentions_deleted_at() -> None:
    assert mentions_deleted_at(
        {"and": [{"name": {"eq": "x"}}, {"not": {"deletedAt": {"is": "NULL"}}}]}
    )
    assert not mentions_deleted_at({"name": {"eq": "deletedAt"}})


def test_compare_keys_nulls_and_direction() -> None:
    asc_first = [OrderKey(("v",), "AscNullsFirst")]
    desc_last = [OrderKey(("v",), "DescNullsLast")]
    assert compare_keys([None], [1], asc_first) < 0
    assert compare_keys([None], [1], desc_last) > 0
    assert compare_keys([2], [1], desc_last) < 0
    with pytest.raises(TwentyApiError, match="Invalid order direction"):
        OrderKey(("v",), "Sideways")


def test_decode_cursor_errors() -> None:
    keys = [OrderKey(("id",), "AscNullsFirst")]
    for bad in ("%%%", "bm90IGpzb24=", "WzEsMl0="):  # not base64 / not JSON / not an object
        with pytest.raises(TwentyApiError) as info:
            decode_cursor(bad, keys)
        assert info.value.sub_code == "INVALID_CURSOR"
