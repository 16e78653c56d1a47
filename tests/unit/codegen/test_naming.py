import keyword

import pytest

from codegen import naming


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("createCompanies", "create_companies"),
        ("primaryLinkURL", "primary_link_url"),
        ("HTTPServer", "http_server"),
        ("isUIReadOnly", "is_ui_read_only"),
        ("amountMicros", "amount_micros"),
        ("already_snake", "already_snake"),
        ("ID", "id"),
        ("address2Street", "address2_street"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert naming.snake_case(name) == expected


@pytest.mark.parametrize("kw", ["from", "class", "import", "in", "not", "and", "or", "is", "match"])
def test_keywords_get_trailing_underscore(kw: str) -> None:
    assert naming.attribute_name(kw) == kw + "_"
    assert naming.param_name(kw) == kw + "_"
    assert naming.function_name(kw) == kw + "_"


def test_builtins_are_escaped_for_functions_and_modules_only() -> None:
    assert naming.function_name("object") == "object_"
    assert naming.module_name("object") == "object_"
    # every generated module binds ``annotations`` (``from __future__ import annotations``)
    assert naming.function_name("annotations") == "annotations_"
    # parameters may shadow builtins (``filter=`` is the natural name for Twenty's argument)
    assert naming.param_name("filter") == "filter"
    assert naming.param_name("client") == "client_"
    assert naming.class_name("object") == "Object"
    assert naming.class_name("type") == "Type"


def test_unsafe_and_non_ascii_names_become_identifiers() -> None:
    for raw in ["héllo", "9lives", "a-b c", "__", "", "日本"]:
        for fn in (
            naming.attribute_name,
            naming.function_name,
            naming.module_name,
            naming.class_name,
            naming.enum_member_name,
        ):
            out = fn(raw)
            assert out.isidentifier() and out.isascii(), (fn.__name__, raw, out)
            assert not keyword.iskeyword(out)
            assert not out.startswith("_")


def test_enum_members_do_not_shadow_str_or_enum_attributes() -> None:
    for value in ["name", "value", "index", "count", "upper", "None", "True"]:
        assert naming.enum_member_name(value) == value + "_"
    assert naming.enum_member_name("TIER_1") == "TIER_1"


def test_namespace_resolves_collisions_deterministically() -> None:
    names = ["foo_bar", "fooBar", "FooBar"]
    first = naming.Namespace().claim_all(names, naming.attribute_name)
    second = naming.Namespace().claim_all(list(reversed(names)), naming.attribute_name)
    assert first == second
    assert sorted(first.values()) == ["foo_bar", "foo_bar_2", "foo_bar_3"]
    # sorted by schema spelling: "FooBar" < "fooBar" < "foo_bar"
    assert first["FooBar"] == "foo_bar"


def test_namespace_case_insensitive_and_reserved() -> None:
    ns = naming.Namespace(reserved={"Company"})
    assert ns.claim("company", "Company") == "Company_2"
    ns2 = naming.Namespace()
    ns2.claim("A", "abc", case_insensitive=True)
    assert ns2.claim("B", "ABC", case_insensitive=True) == "ABC_2"


def test_long_module_names_are_cut_to_a_writable_file_name() -> None:
    # found by tests/reliability: a 200+ character record name gave "File name too long"
    long = "a" * 300
    out = naming.module_name(long)
    assert len(out) == naming.MAX_MODULE_NAME and out.isidentifier()
    cut = naming.module_name("fooBar" * 40)  # the cut falls right after an underscore
    assert len(cut) <= naming.MAX_MODULE_NAME and not cut.endswith("_")
    ns = naming.Namespace()
    got = ns.claim_all(["a" * 300, "a" * 301], naming.module_name, case_insensitive=True)
    assert sorted(got.values()) == ["a" * 96, "a" * 96 + "_2"]
