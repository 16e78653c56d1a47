"""Error polish: schema drift classification, valid enum values, userFriendlyMessage only when
it says something, the key masked as a whole token, implausibly short keys refused."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from twenty_gql import (
    BadUserInputError,
    ConfigurationError,
    GraphQLResponseError,
    SchemaDriftError,
    TwentyClient,
)
from twenty_gql._answers import _scrub, scrubbed
from twenty_gql.errors import error_from_graphql, schema_drift


def _err(message: str, code: str | None = "GRAPHQL_VALIDATION_FAILED", **ext: Any) -> Any:
    extensions: dict[str, Any] = {"userFriendlyMessage": "An error occurred.", **ext}
    if code:
        extensions["code"] = code
    return {"message": message, "extensions": extensions}


@pytest.mark.parametrize(
    ("message", "missing", "parent"),
    [
        ('Cannot query field "tagline" on type "Company".', "tagline", "Company"),
        (
            "Cannot query field 'invoices' on type 'Query'. Did you mean 'notes'?",
            "invoices",
            "Query",
        ),
        ('Unknown argument "offset" on field "Query.companies".', "offset", "Query.companies"),
        ('Unknown type "InvoiceFilterInput".', "InvoiceFilterInput", None),
        ('Field "nope" is not defined by type "CompanyFilterInput".', "nope", "CompanyFilterInput"),
    ],
)
def test_validation_errors_naming_a_gone_name_are_drift(
    message: str, missing: str, parent: str | None
) -> None:
    assert schema_drift(message) == (missing, parent)
    err = error_from_graphql([_err(message)], operation="Op")
    assert isinstance(err, SchemaDriftError) and isinstance(err, GraphQLResponseError)
    assert (err.missing, err.parent) == (missing, parent)
    assert err.message == message
    assert "run `twenty-gql generate`" in str(err) and "twenty-gql check" in str(err)


@pytest.mark.parametrize(
    "message",
    [
        "Variable '$data' got invalid value 'x'; Field 'nope' is not defined by type 'X'.",
        'Variable "$f" is never used in operation "Q".',
        'Syntax Error: Unexpected Name "x".',
    ],
)
def test_other_validation_errors_are_not_drift(message: str) -> None:
    assert not isinstance(error_from_graphql([_err(message)]), SchemaDriftError)


def test_drift_needs_a_validation_code() -> None:
    err = error_from_graphql([_err('Cannot query field "x" on type "Y".', "BAD_USER_INPUT")])
    assert isinstance(err, BadUserInputError) and not isinstance(err, SchemaDriftError)


def test_a_missing_field_wins_over_the_unknown_type_it_implies() -> None:
    err = error_from_graphql(
        [
            _err('Unknown type "InvoiceFilterInput".'),
            _err('Cannot query field "invoices" on type "Query".'),
        ]
    )
    assert isinstance(err, SchemaDriftError)
    assert (err.missing, err.parent) == ("invoices", "Query")


class TicketStageEnum(str, enum.Enum):  # as generated bindings define an enum type
    NEW = "NEW"
    DONE = "DONE"


@pytest.mark.parametrize("quote", ['"', "'"])
def test_wrong_enum_value_lists_the_valid_values_when_bindings_know_the_enum(quote: str) -> None:
    q = quote
    message = f"Value {q}BOGUS{q} does not exist in {q}TicketStageEnum{q} enum."
    err = error_from_graphql([_err(message, "BAD_USER_INPUT")])
    assert err.enum_name == "TicketStageEnum"
    assert err.enum_values == ("NEW", "DONE")
    assert str(err).endswith("(valid values of TicketStageEnum: NEW, DONE)")


def test_unknown_enum_is_left_as_the_server_said() -> None:
    message = 'Value "X" does not exist in "NoBindingEnum" enum.'
    err = error_from_graphql([_err(message, "BAD_USER_INPUT")])
    assert err.enum_name == "NoBindingEnum" and err.enum_values is None
    assert "valid values" not in str(err)


@pytest.mark.parametrize(
    ("friendly", "shown"),
    [
        ("An error occurred.", False),
        (None, False),
        ("Record not found", False),  # the message already says it
        ("Ce nom existe déjà.", True),
    ],
)
def test_user_friendly_message_only_when_it_adds_something(
    friendly: str | None, shown: bool
) -> None:
    ext: dict[str, Any] = {"code": "NOT_FOUND"}
    if friendly is not None:
        ext["userFriendlyMessage"] = friendly
    err = error_from_graphql([{"message": "Record not found", "extensions": ext}])
    assert err.user_friendly_message == friendly  # the attribute keeps what was sent
    assert (" -- " in str(err)) is shown
    if shown:
        assert str(err).endswith(f" -- {friendly}")
    assert str(err).count("Record not found") == 1


def test_short_key_is_masked_only_as_a_whole_token() -> None:
    key = "know-key"
    assert _scrub(key, "known-keys stay; the key know-key leaks") == (
        "known-keys stay; the key *** leaks"
    )
    assert _scrub(key, "Bearer know-key.") == "Bearer ***."
    assert _scrub(key, '{"token":"know-key"}') == '{"token":"***"}'
    assert _scrub("abcdefgh", "xabcdefghx and abcdefgh") == "xabcdefghx and ***"


def test_long_key_is_masked_everywhere_it_appears() -> None:
    key = "eyJhbGciOiJIUzI1NiJ9.payload.sig"
    assert key not in _scrub(key, f"x{key}y and {key}")
    assert _scrub(key, f"x{key}y") == "x***y"


def test_scrubbed_masks_the_errors_list_too() -> None:
    key = "secret-token-0123456789abcdef"
    err = error_from_graphql([_err(f"bad key {key}", "UNAUTHENTICATED")])
    out = scrubbed(err, key)
    assert key not in str(out) and key not in repr(vars(out))
    assert out.errors[0]["message"] == "bad key ***"


@pytest.mark.parametrize("key", ["k", "abc", "1234567"])
def test_implausibly_short_keys_are_refused(key: str) -> None:
    with pytest.raises(ConfigurationError, match="implausibly short") as e:
        TwentyClient("https://crm.example", key)
    assert f"({len(key)} characters" in str(e.value)


def test_plausible_keys_are_accepted() -> None:
    TwentyClient("https://crm.example", "12345678")
