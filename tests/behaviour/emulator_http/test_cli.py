"""``twenty-gql emulator`` as a real subprocess: prints URL and key, serves, exits 0 on SIGTERM
and SIGINT; bad flags exit 2; --data persists the data model and records across restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp

CMD = [sys.executable, "-m", "codegen.cli", "emulator"]
ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    proc = subprocess.Popen(
        [*CMD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        url_line = proc.stdout.readline().strip()
        key_line = proc.stdout.readline().strip()
        assert url_line.startswith("TWENTY_URL=http://127.0.0.1:"), (url_line, proc.stderr)
        assert key_line.startswith("TWENTY_API_KEY="), key_line
        yield proc, url_line.split("=", 1)[1], key_line.split("=", 1)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


async def _post(url: str, key: str, path: str, query: str) -> dict[str, object]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url + path, json={"query": query}, headers={"Authorization": f"Bearer {key}"}
        ) as resp,
    ):
        body = await resp.json()
        assert isinstance(body, dict)
        return body


def _stop(proc: subprocess.Popen[str], sig: int) -> int:
    proc.send_signal(sig)
    return proc.wait(timeout=15)


async def test_start_print_serve_sigterm_exit_0() -> None:
    with running("--seed", "standard", "--rate-limit", "off") as (proc, url, key):
        body = await _post(url, key, "/graphql", "{ companies { totalCount } }")
        assert "errors" not in body, body
        assert _stop(proc, signal.SIGTERM) == 0
        assert proc.stderr is not None
        assert key not in proc.stderr.read()


async def test_sigint_exit_0_and_fixed_key() -> None:
    with running("--seed", "empty", "--api-key", "cli-key-1") as (proc, url, key):
        assert key == "cli-key-1"
        body = await _post(url, key, "/metadata", "{ objects { edges { node { id } } } }")
        assert body == {"data": {"objects": {"edges": []}}}
        assert _stop(proc, signal.SIGINT) == 0


def test_bad_flags_exit_2_with_a_message() -> None:
    for args, needle in [
        (["--rate-limit", "ten/second"], "bad rate limit 'ten/second'"),
        (["--fault-rate", "1.5"], "between 0 and 1"),
        (["--seed", "huge"], "invalid choice: 'huge'"),
        (["--batch-limit", "0"], "positive integer"),
        (["--port", "70000"], "0..65535"),
        (["--host", "0.0.0.0"], "--allow-remote"),
        (["--frobnicate"], "unrecognized arguments"),
    ]:
        done = subprocess.run([*CMD, *args], capture_output=True, text=True, cwd=ROOT, timeout=30)
        assert done.returncode == 2, (args, done.stderr)
        assert needle in done.stderr, (args, done.stderr)
        assert "TWENTY_URL" not in done.stdout


async def test_data_persists_across_restarts(tmp_path: Path) -> None:
    data = str(tmp_path / "ws")
    os.mkdir(data)
    common = ("--data", data, "--seed", "empty", "--api-key", "persist-key")
    with running(*common) as (proc, url, key):
        body = await _post(
            url,
            key,
            "/metadata",
            'mutation { createOneObject(input: {object: {nameSingular: "pet", namePlural: "pets", '
            'labelSingular: "Pet", labelPlural: "Pets"}}) { id } }',
        )
        assert "errors" not in body, body
        body = await _post(
            url, key, "/graphql", 'mutation { createPet(data: {name: "Rex"}) { id } }'
        )
        assert "errors" not in body, body
        assert _stop(proc, signal.SIGTERM) == 0
    with running(*common) as (proc, url, key):
        body = await _post(url, key, "/graphql", "{ pets { edges { node { name } } } }")
        assert body == {"data": {"pets": {"edges": [{"node": {"name": "Rex"}}]}}}
        assert _stop(proc, signal.SIGTERM) == 0


def test_unusable_data_file_exits_1_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-database.sqlite3"
    bad.write_text("this is not SQLite")
    done = subprocess.run(
        [*CMD, "--seed", "empty", "--data", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert done.returncode == 1, done.stderr
    assert "cannot start" in done.stderr and "Traceback" not in done.stderr
