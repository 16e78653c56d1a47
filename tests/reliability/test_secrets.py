"""The API key never leaks: one full session with a distinctive key, then a scan of everything
the session produced.

The session: ``twenty-gql generate --url`` against the emulator (key via ``--api-key``, then
via ``TWENTY_API_KEY``), ``twenty-gql check``, ``twenty-gql import`` with a bad row, a
checkpoint and ``--report`` (each CLI in a subprocess with the root logger at DEBUG, stdout and
stderr captured), CLI failures with a revoked and an expired key; then, in this process, calls
through the freshly generated package (create, update, find, iterate, bulk upsert with a
checkpoint, metadata), and failures: bad input rejected by the server and by the client
(including a key pasted into the URL), a revoked key (``ForbiddenError``), an expired key
(``UnauthenticatedError``), a 503 storm and dropped connections (retries logged), throttling
(waits logged), a refused connection, a closed client, a bulk run with a bad record and one
aborted by a revoked key. Every exception is printed with ``traceback.format_exception``
(chained causes included) and logged with ``logger.exception``; ``str``/``repr`` of every
result, error, error argument and attribute, and ``repr(client)`` are kept.

Logging: the root, ``twenty_gql``, ``codegen``, ``aiohttp`` and ``asyncio`` loggers at DEBUG,
captured by ``caplog`` and by a handler of our own on the root logger (formatted records with
tracebacks, plus each record's raw ``args``).

The scan: the key (and every other key the session used), any 12-character slice of it (so its
JWT header, payload and signature parts too), must appear in none of: the logs, the CLI
outputs, the reprs and exception texts, the tracebacks, and any file under the generated
packages and the test's temp directory (checkpoint, report, CSV, bytecode). The scanner is
shown to find a key planted in text and in a file, so the test can fail.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from twenty_gql import RetryPolicy, TwentyClient
from twenty_gql.errors import (
    BadUserInputError,
    ClientClosedError,
    ConfigurationError,
    ConnectError,
    ConnectionDroppedError,
    ForbiddenError,
    HTTPStatusError,
    UnauthenticatedError,
)

ROOT = Path(__file__).resolve().parents[2]
SLICE = 12
LOGGERS = ("", "twenty_gql", "twenty_gql.testing", "codegen", "aiohttp", "asyncio")

# Runs a twenty-gql sub-command with the root logger at DEBUG (every library's debug output).
CLI = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.DEBUG, format='%(name)s %(levelname)s %(message)s')\n"
    "from codegen.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


class SecretScanner:
    """Finds any ``SLICE``-character slice of any of ``keys`` in text."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = [k for k in keys if k]
        self.windows = {k[i : i + SLICE] for k in self.keys for i in range(len(k) - SLICE + 1)}
        alphabet = sorted({c for k in self.keys for c in k})
        chars = "".join(re.escape(c) for c in alphabet)
        self._runs = re.compile(f"[{chars}]{{{SLICE},}}")

    def find(self, text: str) -> list[str]:
        """The key slices found in ``text`` (empty: clean)."""
        hits = []
        for run in set(self._runs.findall(text)):
            for i in range(len(run) - SLICE + 1):
                if run[i : i + SLICE] in self.windows:
                    hits.append(run)
                    break
        return hits

    def scan_files(self, root: Path) -> dict[str, list[str]]:
        found = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                hits = self.find(path.read_bytes().decode("utf-8", "replace"))
                if hits:
                    found[str(path)] = hits
        return found


class Evidence:
    """Everything the session printed, repr'd or raised, to be scanned."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.errors: list[BaseException] = []

    def add(self, label: str, *objects: Any) -> None:
        for obj in objects:
            self.texts.append((label, str(obj)))
            self.texts.append((label, repr(obj)))

    def error(self, label: str, exc: BaseException) -> None:
        self.errors.append(exc)
        logging.getLogger("app").exception("%s failed", label, exc_info=exc)
        try:
            raise RuntimeError(f"{label}: the call failed") from exc
        except RuntimeError as wrapper:
            self.texts.append((label, "".join(traceback.format_exception(wrapper))))
        seen: set[int] = set()
        todo: list[BaseException | None] = [exc]
        while todo:  # the exception, its chained causes and contexts, and all they carry
            e = todo.pop()
            if e is None or id(e) in seen:
                continue
            seen.add(id(e))
            self.add(label, e, e.args, *e.args)
            self.add(label, *vars(e).items())
            todo += [e.__cause__, e.__context__]

    async def expect(self, label: str, kind: type[BaseException], call: Any) -> BaseException:
        with pytest.raises(kind) as info:
            await call
        self.error(label, info.value)
        return info.value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _cli(*args: str, env_key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWENTY_")}
    if env_key is not None:
        env["TWENTY_API_KEY"] = env_key
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", CLI, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s args=%(args)r"))
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


def test_scanner_finds_a_planted_key(tmp_path: Path) -> None:
    key = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNDU2"
    scanner = SecretScanner([key])
    assert scanner.find(f"Authorization: Bearer {key}")
    assert scanner.find(f"token={key[20:33]}&x=1")  # any 13-char slice
    assert scanner.find(key.split(".")[2])  # the signature alone
    assert scanner.find(repr({"headers": {"Authorization": key[-SLICE:]}}))
    assert not scanner.find("Authorization: Bearer ***")
    assert not scanner.find(key[: SLICE - 1] + " " + key[SLICE : 2 * SLICE - 2])
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(f'API = "{key[5:40]}"\n')
    (tmp_path / "clean.txt").write_text("nothing here\n")
    assert list(scanner.scan_files(tmp_path)) == [str(tmp_path / "pkg" / "mod.py")]


@pytest.mark.twenty_emulator(seed="standard", rate_limit=None)
async def test_the_api_key_appears_nowhere(
    twenty_emulator: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    debug_logs: io.StringIO,
) -> None:
    emu = twenty_emulator
    key = emu.issue_key(expires_in=3600)
    revoked = emu.issue_key(expires_in=3600)
    emu.revoke_key(revoked)
    expired = emu.issue_key(expires_in=-1)
    scanner = SecretScanner([key, revoked, expired, emu.api_key])
    ev = Evidence()
    out = tmp_path / "out"

    # ---- the CLIs, in subprocesses ---------------------------------------------------------
    common = ["--url", emu.url, "--out", str(out)]
    rows = tmp_path / "companies.csv"
    rows.write_text(
        "name,employees,domainName.primaryLinkUrl\n"
        "Secret Test One,10,https://one.test\n"
        "Secret Test Two,not-a-number,https://two.test\n"
        "Secret Test Three,30,https://three.test\n"
    )
    report = tmp_path / "failed.jsonl"
    checkpoint = tmp_path / "import.ckpt"
    pkg = str(out / "crm")
    first = {  # independent runs go in parallel
        "generate --api-key": _cli("generate", *common, "--package", "crm", "--api-key", key),
        "generate env": _cli("generate", *common, "--package", "crm_env", env_key=key),
        "generate expired": _cli("generate", *common, "--package", "crm_x", env_key=expired),
        # a key pasted into the URL is not echoed back
        "generate key in url": _cli(
            "generate", "--url", f"ftp://user:{key}@127.0.0.1/", "--out", str(out), "--package", "p"
        ),
        "import": _cli(
            "import",
            "company",
            str(rows),
            "--url",
            emu.url,
            "--upsert",
            "--skip-invalid",
            "--checkpoint",
            str(checkpoint),
            "--report",
            str(report),
            "--no-progress",
            env_key=key,
        ),
        "import revoked": _cli(
            "import", "company", str(rows), "--url", emu.url, "--no-progress", env_key=revoked
        ),
        "import key in url": _cli(
            "import", "company", str(rows), "--url", f"{emu.url}/?token={key}", env_key=key
        ),
    }
    runs = dict(zip(first, await asyncio.gather(*first.values()), strict=True))
    then = {  # these need the generated package
        "check": _cli("check", "--url", emu.url, "--package", pkg, env_key=key),
        "check revoked": _cli("check", "--url", emu.url, "--package", pkg, "--api-key", revoked),
    }
    runs.update(zip(then, await asyncio.gather(*then.values()), strict=True))
    codes = {name: run.returncode for name, run in runs.items()}
    assert codes == {
        "generate --api-key": 0,
        "generate env": 0,
        "check": 0,
        "check revoked": 2,
        "generate expired": 2,
        "import": 1,  # the bad row is reported, the others landed
        "import revoked": 2,
        "generate key in url": 2,
        "import key in url": 2,
    }, {n: r.stderr[-600:] for n, r in runs.items()}
    assert "DEBUG" in runs["generate env"].stderr  # the subprocesses did log at DEBUG
    assert "not-a-number" in report.read_text() and checkpoint.stat().st_size > 0
    for name, run in runs.items():
        ev.texts += [(f"{name} stdout", run.stdout), (f"{name} stderr", run.stderr)]

    # ---- calls through the generated package -----------------------------------------------
    sys.path.insert(0, str(out))
    try:
        import crm  # type: ignore[import-not-found]

        retry = RetryPolicy(max_retries=2, base=0.01, cap=0.02)
        async with TwentyClient(emu.url, key, rate_limit=None, retry=retry) as client:
            assert scanner.find(client._headers["Authorization"])  # the key is really in use
            ev.add("client", client, client.stats())
            api = crm.CoreApi(client)
            company = await api.companies.create(
                data={"name": "Secret Corp", "domainName": {"primaryLinkUrl": "https://sc.test"}}
            )
            updated = await api.companies.update(id=company.id, data={"employees": 7})
            found = await api.companies.find_one(filter={"id": {"eq": company.id}})
            page = await api.companies.find_many(filter={"name": {"like": "Secret%"}}, first=2)
            listed = [c async for c in api.companies.iterate(page_size=1)]
            bulk = await api.companies.create_many(
                [{"name": f"Bulk {i}"} for i in range(5)],
                upsert=True,
                checkpoint=tmp_path / "bulk.ckpt",
            )
            objects = await crm.MetadataApi(client).objects.find_many(paging={"first": 2})
            ev.add("results", company, updated, found, page, *listed, bulk, *bulk.records)
            ev.add("metadata", objects, client, client.stats())

            # bad input: refused by the server, and a bulk run with one bad record
            await ev.expect(
                "unknown field",
                BadUserInputError,
                api.companies.create(data={"name": "x", "notAField": 1}),
            )
            mixed = await api.companies.create_many(
                [{"name": "Good"}, {"name": "Bad", "employees": "many"}, {"name": "Good 2"}],
                upsert=True,
            )
            assert mixed.failed == 1 and mixed.succeeded == 2
            ev.add("bulk failures", mixed, *mixed.failures)
            try:
                mixed.raise_for_failures()
            except Exception as exc:
                ev.error("raise_for_failures", exc)

            # a 503 storm, then dropped connections: retries logged at INFO, then the error
            emu.set_faults(fault_rate=1.0, seed=1)
            await ev.expect("503 storm", HTTPStatusError, api.companies.find_many(first=1))
            emu.set_faults(fault_rate=0.0, drop_rate=1.0)
            await ev.expect("drops", ConnectionDroppedError, api.companies.find_many(first=1))
            emu.set_faults(drop_rate=0.0)

            # throttling: the client learns the bucket and waits (DEBUG)
            emu.set_limits(rate_limit=((3, 200),))
            pages = await asyncio.gather(*(api.companies.find_many(first=1) for _ in range(9)))
            emu.set_limits(rate_limit=None)
            ev.add("throttled calls", *pages, client.stats(), client.scheduler)
            assert client.stats().throttled >= 1 and client.stats().retries >= 3
        await ev.expect("closed client", ClientClosedError, api.companies.find_many(first=1))
        ev.add("closed client", client)

        # revoked and expired keys
        async with TwentyClient(emu.url, revoked, rate_limit=None) as other:
            ev.add("revoked client", other)
            await ev.expect(
                "revoked key", ForbiddenError, crm.CoreApi(other).companies.find_many(first=1)
            )
            aborted = await crm.CoreApi(other).companies.create_many(
                [{"name": f"Never {i}"} for i in range(3)], upsert=True
            )
            assert aborted.failed == 3
            ev.add("aborted bulk", aborted, *aborted.failures)
        async with TwentyClient(emu.url, expired, rate_limit=None) as other:
            await ev.expect(
                "expired key",
                UnauthenticatedError,
                crm.MetadataApi(other).objects.find_many(paging={"first": 1}),
            )

        # client-side refusals, including a key pasted into the URL
        port = _free_port()
        async with TwentyClient(f"http://127.0.0.1:{port}", key, max_retries=0) as nowhere:
            await ev.expect("refused", ConnectError, crm.CoreApi(nowhere).companies.find_many())
        bad_urls = (
            f"{emu.url}/graphql?token={key}",
            f"{emu.url}#{key}",
            f"ftp://user:{key}@127.0.0.1/",
            f"http://user:{key}@127.0.0.1:{port}/",
            f"http://127.0.0.1:99999999/?token={key}",
        )
        for url in bad_urls:
            with pytest.raises(ConfigurationError) as info:
                TwentyClient(url, key)
            ev.error("bad url", info.value)
        for bad_key in (key + "\n", " " + key):
            with pytest.raises(ConfigurationError) as info:
                TwentyClient(emu.url, bad_key)
            ev.error("bad key", info.value)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == "crm" or m.startswith("crm.")]:
            del sys.modules[name]

    # ---- the scan --------------------------------------------------------------------------
    messages = [r.getMessage() for r in caplog.records]
    assert any("retrying in" in m for m in messages)  # retries were logged ...
    assert any("waiting" in m and "token" in m for m in messages)  # ... and throttling waits
    assert any(r.exc_info for r in caplog.records)  # and tracebacks
    leaks: dict[str, list[str]] = {}
    log_texts = [
        ("caplog", caplog.text),
        ("root handler", debug_logs.getvalue()),
        *((f"log record {r.name}", repr(vars(r))) for r in caplog.records),
    ]
    for label, text in log_texts + ev.texts:
        hits = scanner.find(text)
        if hits:
            leaks.setdefault(label, []).extend(hits[:3])
    leaks.update(scanner.scan_files(tmp_path))
    assert len(ev.errors) >= 15 and len(ev.texts) > 200
    assert sum(1 for _ in out.rglob("*.py")) > 20  # two generated packages were scanned
    assert not leaks, f"API key found in: {sorted(leaks)}"


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example/graphql?token={key}",
        "https://crm.example/#{key}",
        "ftp://user:{key}@crm.example/",
        "https://crm.example:99999999/?token={key}",
        "http://[::1/?token={key}",
    ],
)
def test_url_errors_never_echo_credentials_query_or_fragment(url: str) -> None:
    """Regression: ``TwentyClient`` quoted the whole url in its ``ConfigurationError``, so a
    key pasted into the query string, the fragment or the credentials ended up in the
    message (and in every log and traceback that printed it)."""
    key = "tok-" + "Zq7" * 8
    with pytest.raises(ConfigurationError) as info:
        TwentyClient(url.format(key=key), key)
    text = "".join(traceback.format_exception(info.value))
    assert "Zq7Zq7" not in text
    assert "crm.example" in text or "unparseable url" in text
