"""``twenty-gql emulator`` in a child process: for a server outside the caller's own process
(benchmarks, demos, tests of the CLI itself), where :class:`TwentyEmulator` would share the
caller's CPU and event loop.

    with EmulatorProcess(["--seed", "demo"]) as emu:
        ...  # emu.url, emu.api_key, emu.port

It reads the ``TWENTY_URL=`` / ``TWENTY_API_KEY=`` lines the emulator prints once it listens,
and stops it with SIGTERM (then SIGKILL after ``stop_timeout``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

__all__ = ["EmulatorProcess", "EmulatorStartError", "stop_process"]

#: the emulator command of this interpreter's environment (same entry as the console script)
DEFAULT_COMMAND = (sys.executable, "-m", "codegen.cli", "emulator")


class EmulatorStartError(RuntimeError):
    """The emulator process exited or went quiet before printing its url and key."""


def stop_process(proc: subprocess.Popen[Any], timeout: float = 15.0) -> int:
    """SIGTERM ``proc``, wait up to ``timeout`` (then SIGKILL), close its pipes; its exit code."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    return proc.returncode


class EmulatorProcess:
    """``command + args`` started by :meth:`start` (or ``with``); ``url``, ``api_key``,
    ``port`` and ``lines`` (what it printed up to both) once started.

    ``stderr`` is passed to ``Popen`` (default: a pipe, read into the start error; give a file
    for long runs, since a full pipe would block the emulator).
    """

    def __init__(
        self,
        args: Sequence[str] = (),
        *,
        command: Sequence[str] = DEFAULT_COMMAND,
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        stderr: int | IO[Any] | None = subprocess.PIPE,
        startup_timeout: float = 60.0,
    ) -> None:
        self.cmd = [*command, *args]
        self._cwd = cwd
        self._env = dict(env) if env is not None else None
        self._stderr = stderr
        self._startup_timeout = startup_timeout
        self.proc: subprocess.Popen[str] | None = None
        self.url = self.api_key = ""
        self.port = 0
        self.lines: list[str] = []

    def start(self) -> EmulatorProcess:
        self.proc = proc = subprocess.Popen(
            self.cmd,
            cwd=self._cwd,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        assert proc.stdout is not None
        found: dict[str, str] = {}
        deadline = time.monotonic() + self._startup_timeout
        while len(found) < 2:
            line = proc.stdout.readline()  # both lines come as soon as it listens
            if not line or time.monotonic() > deadline:
                err = proc.stderr.read().strip() if proc.stderr is not None else ""
                self.stop()
                raise EmulatorStartError(
                    f"the emulator did not start: {err[-2000:] or 'no output'}"
                )
            self.lines.append(line.rstrip("\n"))
            name, sep, value = line.strip().partition("=")
            if sep and name in ("TWENTY_URL", "TWENTY_API_KEY"):
                found[name] = value
        self.url, self.api_key = found["TWENTY_URL"], found["TWENTY_API_KEY"]
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def stop(self, timeout: float = 15.0) -> int:
        """Stop the emulator (SIGTERM, then SIGKILL after ``timeout``); its exit code."""
        return stop_process(self.proc, timeout) if self.proc is not None else 0

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
