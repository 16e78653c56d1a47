"""A real Redis server (Debian's ``redis-server``) on a free loopback port, for the shared rate
budget's tests: started once per session with no persistence, stopped after.

Without ``redis-server`` the tests skip locally and FAIL in CI (``CI=true``): .ci/run installs
it, so its absence there is a broken install, not a reason to pass.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from twenty_gql.testing.redis_server import RedisServerProcess


@dataclass(frozen=True)
class RedisServer:
    url: str
    port: int


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        message = (
            "redis-server is not installed: the shared rate budget is tested against a real "
            "Redis (apt-get install redis-server; .ci/run installs it)"
        )
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    with RedisServerProcess() as server:
        yield RedisServer(server.url, server.port)


@pytest.fixture
def namespace() -> str:
    """A namespace of its own per test: budgets of different tests never share a key."""
    return f"test-{uuid.uuid4().hex[:12]}"
