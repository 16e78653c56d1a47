"""Reading an answer: the fast path (a clean 200 decoded straight into the result type) and
everything else (GraphQL errors, HTTP statuses, HTML, garbage) turned into the typed error, with
the API key masked in every text that may hold it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from twenty_gql import _json
from twenty_gql._config import header
from twenty_gql._config import retry_after as parse_retry_after
from twenty_gql.errors import DecodeError, HTTPStatusError, error_from_graphql
from twenty_gql.transport import Response

__all__ = ["decode_answer", "scrubbed"]

E = TypeVar("E", bound=BaseException)
_MASK = "***"


# A long key is masked wherever it appears (inside a longer run it still leaks); a short one
# (test keys) only where it stands as a whole word, so a key "know" never turns "known" into
# "***n". Word edges count only on the key's alphanumeric ends.
_WHOLE_TOKEN_BELOW = 20
_KEY_RES: dict[str, re.Pattern[str]] = {}


def _key_re(key: str) -> re.Pattern[str]:
    rx = _KEY_RES.get(key)
    if rx is None:
        if len(_KEY_RES) > 64:
            _KEY_RES.clear()
        before = "(?<![A-Za-z0-9])" if key[:1].isalnum() else ""
        after = "(?![A-Za-z0-9])" if key[-1:].isalnum() else ""
        rx = _KEY_RES[key] = re.compile(before + re.escape(key) + after)
    return rx


def _scrub(key: str, text: str) -> str:
    if not key or key not in text:
        return text
    if len(key) >= _WHOLE_TOKEN_BELOW:
        return text.replace(key, _MASK)
    return _key_re(key).sub(_MASK, text)


def decode_answer(
    response: Response,
    decode: Callable[[bytes], Any],
    name: str | None,
    url: str,
    key: str,
) -> Any:
    """The ``data`` of a clean 200 answer decoded by ``decode``; else the typed error."""
    status = response.status
    body = response.body
    if status == 200:
        try:
            env = decode(body)
        except msgspec.ValidationError as exc:
            return _raise_slow(response, name, url, f"unexpected response shape: {exc}", key)
        except msgspec.DecodeError as exc:
            return _raise_slow(response, name, url, f"response is not JSON: {exc}", key)
        if env.errors is None:
            if env.data is None:
                raise DecodeError(
                    f"response to {name or 'request'} has neither data nor errors",
                    _scrub(key, body.decode("utf-8", "replace")),
                )
            return env.data
        return _raise_slow(response, name, url, None, key)
    return _raise_slow(response, name, url, None, key)


def _raise_slow(
    response: Response, name: str | None, url: str, problem: str | None, key: str
) -> Any:
    """Everything but a clean 200: decode generically and raise the right error."""
    status = response.status
    text = _scrub(key, response.body.decode("utf-8", "replace"))
    retry_after = parse_retry_after(response.headers) if status != 200 else None
    try:
        doc = _json.decode_any(response.body)
    except msgspec.DecodeError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("errors"), list) and doc["errors"]:
        raise scrubbed(
            error_from_graphql(
                doc["errors"],
                doc.get("data"),
                operation=name,
                status=status,
                retry_after=retry_after,
            ),
            key,
        )
    if status == 429:
        raise error_from_graphql(
            [{"message": text[:300] or "HTTP 429 Too Many Requests"}],
            operation=name,
            status=429,
            retry_after=retry_after,
        )
    if 300 <= status < 400:
        where = header(response.headers, "Location")
        text = _scrub(
            key,
            f"redirect to {where!r} not followed (the API key is only sent to the "
            f"configured url; point the client at the final url): {text}",
        )
    if not 200 <= status < 300:
        raise HTTPStatusError(status, text, retry_after=retry_after, url=url)
    if problem is None:
        problem = "response has neither data nor errors"
    if text.lstrip().startswith("<"):
        problem = "response is HTML, not JSON (a proxy or login page?)"
    raise DecodeError(f"{problem} [{name or 'request'} to {url}]", text, status=status)


def scrubbed(err: E, key: str) -> E:
    """``err`` with the API key masked in its message and text attributes."""
    if key in str(err.args) or key in repr(vars(err)):
        err.args = tuple(_scrub(key, a) if isinstance(a, str) else a for a in err.args)
        for name, value in vars(err).items():
            if isinstance(value, str) and key in value:
                setattr(err, name, _scrub(key, value))
            elif isinstance(value, (list, dict)) and key in repr(value):
                setattr(err, name, _scrub_tree(key, value))
    return err


def _scrub_tree(key: str, value: Any) -> Any:
    """``value`` (JSON-like: the ``errors`` list, partial ``data``) with the key masked."""
    if isinstance(value, str):
        return _scrub(key, value)
    if isinstance(value, list):
        return [_scrub_tree(key, v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_tree(key, v) for k, v in value.items()}
    return value
