"""A throwaway ``redis-server`` on a free loopback port, for tests and benchmarks of the shared
rate budget (:mod:`twenty_gql.redis_budget`): no persistence (``--save '' --appendonly no``),
stopped (SIGTERM) on exit.

    with RedisServerProcess() as redis:
        budget = RedisBudget(redis.url, ...)
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

from twenty_gql.testing.process import stop_process

__all__ = ["RedisServerProcess", "RedisStartError"]


class RedisStartError(RuntimeError):
    """``redis-server`` is not installed, or did not answer PING in time."""


def free_port() -> int:
    """A loopback port nothing listens on right now."""
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


class RedisServerProcess:
    """``redis-server`` (found on PATH unless ``executable`` is given) bound to 127.0.0.1."""

    def __init__(
        self, executable: str | None = None, *, port: int = 0, startup_timeout: float = 10.0
    ) -> None:
        self.executable = executable or shutil.which("redis-server")
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._want_port = port  # 0: a free one
        self._dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServerProcess:
        if self.executable is None:
            raise RedisStartError(
                "redis-server is not installed (Debian: apt-get install redis-server)"
            )
        self._dir = tempfile.TemporaryDirectory(prefix="twenty-gql-redis-")
        last = ""
        for _ in range(3):  # the free port may be taken between the probe and the bind
            port = self._want_port or free_port()
            proc = subprocess.Popen(
                [
                    *(self.executable, "--port", str(port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", self._dir.name),
                    *("--loglevel", "warning", "--daemonize", "no"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if _ping(port):
                    self.proc, self.port = proc, port
                    return self
                time.sleep(0.02)
            if proc.poll() is not None and proc.stdout is not None:
                last = proc.stdout.read().decode(errors="replace")
            stop_process(proc, 5.0)
        self._dir.cleanup()
        raise RedisStartError(f"redis-server did not start on a loopback port: {last[-500:]}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, 5.0)
            self.proc = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> RedisServerProcess:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()
