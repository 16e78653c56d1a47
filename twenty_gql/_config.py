"""Checking a client's options: url, API key, numbers; reading ``Retry-After``. Every problem
is a :class:`~twenty_gql.errors.ConfigurationError` whose message never holds the key."""

from __future__ import annotations

import datetime as _dt
import ipaddress
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from twenty_gql.errors import ConfigurationError

ENDPOINTS = ("graphql", "metadata")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(url: str) -> str:
    """``url`` for an error message: credentials, query string and fragment (where a key may
    have been pasted) are left out."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "(unparseable url)"
    netloc = parts.netloc.rpartition("@")[2]
    hidden = "@" in parts.netloc or parts.query or parts.fragment
    return repr(
        f"{parts.scheme}://{netloc}{parts.path}" if parts.scheme else netloc + parts.path
    ) + (" (credentials, query and fragment not shown)" if hidden else "")


def check_url(url: str, allow_insecure_http: bool) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(
            "no Twenty url: pass url=... or set TWENTY_URL (e.g. https://api.twenty.com)"
        )
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise ConfigurationError(f"url {_shown(url)} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"url {_shown(url)} must be http(s)://host[:port][/path]")
    if parts.username or parts.password:
        raise ConfigurationError("url must not carry credentials; pass api_key=... instead")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"url {_shown(url)} must not have a query string or fragment")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError as exc:
        raise ConfigurationError(f"url {_shown(url)} has an invalid port: {exc}") from None
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"refusing plain http:// to {parts.hostname} (the API key would travel in clear); "
            "use https:// or pass allow_insecure_http=True"
        )
    path = parts.path.rstrip("/")
    for ep in ENDPOINTS:  # tolerate a url that names an endpoint
        if path.endswith("/" + ep):
            path = path[: -len(ep) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}"


#: keys shorter than this are refused at construction (real Twenty keys are JWTs of 100+)
MIN_KEY_LENGTH = 8


def check_key(api_key: str | None) -> str:
    if api_key is None or api_key == "":
        raise ConfigurationError("no API key: pass api_key=... or set TWENTY_API_KEY")
    if not isinstance(api_key, str):
        raise ConfigurationError(f"api_key must be a str, not {type(api_key).__name__}")
    if any(c.isspace() for c in api_key) or not api_key.isprintable():
        raise ConfigurationError("api_key contains whitespace or control characters")
    if len(api_key) < MIN_KEY_LENGTH:
        # a Twenty API key is a JWT (well over 100 characters); a few characters is a
        # placeholder or a truncated paste, and too short to be masked reliably in errors
        raise ConfigurationError(
            f"api_key is implausibly short ({len(api_key)} characters, at least "
            f"{MIN_KEY_LENGTH} expected): Twenty API keys are long JWTs; check TWENTY_API_KEY"
        )
    return api_key


def pos_int(name: str, v: Any, minimum: int = 1) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        raise ConfigurationError(f"{name} must be an int >= {minimum}, got {v!r}")
    return v


def header(headers: Mapping[str, str], name: str) -> str | None:
    v = headers.get(name)
    if v is None:
        low = name.lower()
        for k, val in headers.items():
            if k.lower() == low:
                return val
    return v


def retry_after(headers: Mapping[str, str]) -> float | None:
    raw = header(headers, "Retry-After")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
        return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None
