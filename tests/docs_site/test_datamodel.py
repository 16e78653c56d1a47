"""Where standard vs custom, defaults and uniqueness come from."""

from __future__ import annotations

from graphql import build_schema

from codegen.docs.datamodel import _query, standard_model_info


def test_query_selects_is_custom_only_where_the_metadata_schema_has_it() -> None:
    old = build_schema(
        "type Field { name: String! isUnique: Boolean defaultValue: String }"
        " type Object { nameSingular: String! isCustom: Boolean! fieldsList: [Field!]! }"
        " type E { node: Object! } type C { edges: [E!]! }"
        " input P { first: Int } type Query { objects(paging: P): C! }"
    )
    query, has_custom = _query(old)
    assert has_custom and "nameSingular isCustom fieldsList { name isUnique defaultValue }" in query
    new = build_schema(
        "type Object { nameSingular: String! } type E { node: Object! } type C { edges: [E!]! }"
        " input P { first: Int } type Query { objects(paging: P): C! }"
    )
    query, has_custom = _query(new)
    assert not has_custom and "isCustom" not in query and "fieldsList" not in query
    assert _query(build_schema("type Query { x: Int }")) == ("", False)
    assert _query(None) == ("", False)


def test_standard_list_marks_unknown_objects_custom_with_default_fields() -> None:
    info = standard_model_info()
    assert not info.is_custom("company") and info.is_custom("pet")
    assert info.field("company", "createdAt").default == '"now"'
    assert info.field("pet", "id").unique  # a new custom object's default field
    assert info.field("company", "nope").default == ""
