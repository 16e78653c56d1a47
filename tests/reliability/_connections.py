"""Connection accounting shared by the reliability tests."""

from __future__ import annotations

from twenty_gql import TwentyClient


def acquired(client: TwentyClient) -> int:
    """Connections the client's aiohttp connector still holds as in use (must be 0 between
    calls)."""
    session = client._transport._session  # type: ignore[attr-defined]
    return 0 if session is None else len(session.connector._acquired)
