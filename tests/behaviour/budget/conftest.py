"""A real Redis server (Debian's ``redis-server``) on a free loopback port, for the shared rate
budget's tests: started once per session with no persistence, stopped after.

Without ``redis-server`` the tests skip locally and FAIL in CI (``CI=true``): .ci/run installs
it, so its absence there is a broken install, not a reason to pass.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from twenty_gql.testing.process import stop_process


@dataclass(frozen=True)
class RedisServer:
    url: str
    port: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    exe = shutil.which("redis-server")
    if exe is None:
        message = (
            "redis-server is not installed: the shared rate budget is tested against a real "
            "Redis (apt-get install redis-server; .ci/run installs it)"
        )
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    last = ""
    for _ in range(3):  # the free port may be taken between the probe and the bind
        port = _free_port()
        proc = subprocess.Popen(
            [
                *(exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"),
                *("no", "--dir", str(tmp), "--loglevel", "warning", "--daemonize", "no"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and proc.poll() is None:
            if _ping(port):
                return proc, port
            time.sleep(0.02)
        if proc.poll() is not None and proc.stdout is not None:
            last = proc.stdout.read().decode(errors="replace")
        stop_process(proc, 5.0)
    pytest.fail(f"redis-server did not start on a loopback port: {last[-500:]}")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    proc, port = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield RedisServer(f"redis://127.0.0.1:{port}/0", port)
    finally:
        stop_process(proc, 5.0)


@pytest.fixture
def namespace() -> str:
    """A namespace of its own per test: budgets of different tests never share a key."""
    return f"test-{uuid.uuid4().hex[:12]}"
