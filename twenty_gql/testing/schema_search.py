"""The ``search`` root field of the core schema and its types (see ``search.py``)."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
)

from twenty_gql.testing.schema_types import SharedTypes

__all__ = ["SEARCH_TYPE_NAMES", "search_field"]

SEARCH_TYPE_NAMES = (
    "SearchResultConnection",
    "SearchResultEdge",
    "SearchRecord",
    "SearchResultPageInfo",
    "ObjectRecordFilterInput",
)


def search_field(types: SharedTypes, resolve: Any) -> GraphQLField:
    """``search(...)``: arguments and result types as twenty-server's SearchArgs / DTOs."""
    nn = GraphQLNonNull
    record = GraphQLObjectType(
        "SearchRecord",
        lambda: {
            "recordId": GraphQLField(nn(types.scalar("UUID"))),
            "objectNameSingular": GraphQLField(nn(GraphQLString)),
            "label": GraphQLField(nn(GraphQLString)),
            "imageUrl": GraphQLField(GraphQLString),
            "tsRankCD": GraphQLField(nn(GraphQLFloat)),
            "tsRank": GraphQLField(nn(GraphQLFloat)),
        },
    )
    edge = GraphQLObjectType(
        "SearchResultEdge",
        lambda: {"node": GraphQLField(nn(record)), "cursor": GraphQLField(nn(GraphQLString))},
    )
    page_info = GraphQLObjectType(
        "SearchResultPageInfo",
        lambda: {
            "endCursor": GraphQLField(GraphQLString),
            "hasNextPage": GraphQLField(nn(GraphQLBoolean)),
        },
    )
    connection = GraphQLObjectType(
        "SearchResultConnection",
        lambda: {
            "edges": GraphQLField(nn(GraphQLList(nn(edge)))),
            "pageInfo": GraphQLField(nn(page_info)),
        },
    )
    filter_input: GraphQLInputObjectType = GraphQLInputObjectType(
        "ObjectRecordFilterInput",
        lambda: {
            "and": GraphQLInputField(GraphQLList(nn(filter_input))),
            "not": GraphQLInputField(filter_input),
            "or": GraphQLInputField(GraphQLList(nn(filter_input))),
            "id": GraphQLInputField(types.scalar_filter("UUIDFilter")),
            "createdAt": GraphQLInputField(types.scalar_filter("DateFilter")),
            "updatedAt": GraphQLInputField(types.scalar_filter("DateFilter")),
            "deletedAt": GraphQLInputField(types.scalar_filter("DateFilter")),
        },
    )
    strings = GraphQLList(nn(GraphQLString))
    return GraphQLField(
        nn(connection),
        args={
            "searchInput": GraphQLArgument(nn(GraphQLString)),
            "limit": GraphQLArgument(nn(GraphQLInt)),
            "after": GraphQLArgument(GraphQLString),
            "includedObjectNameSingulars": GraphQLArgument(strings),
            "filter": GraphQLArgument(filter_input),
            "excludedObjectNameSingulars": GraphQLArgument(strings),
        },
        resolve=resolve,
    )
