"""Every fenced code block of README.md is executed or verified here, so the docs cannot rot.

Each block must be preceded (blank lines allowed) by an HTML comment naming its handler::

    <!-- readme-test: python -->

A block without one, or with an unknown handler, fails ``test_every_block_has_a_handler``.

Handlers:

``python``
    Runs the block for real in this process (``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``: a block with
    top-level ``await`` runs under ``asyncio.run``, the others are plain ``exec``) against the
    module's emulator (a ``twenty-gql emulator --seed demo`` subprocess), with ``twenty_crm``
    generated from it and importable. The README's example URLs and key placeholders are
    rewritten (``REWRITES``); undefined names come from ``placeholders()``.
``pytest``
    The block is a user's test module: written to a temporary directory after
    ``PYTEST_PRELUDE`` and run with ``pytest`` in a subprocess; every test in it must pass.
``shell``
    Runs the block with ``bash -e`` in a temporary directory prepared with the files the
    commands name (``companies.csv``, ``people.jsonl``, ``core.json``, ``metadata.graphql``,
    ``graphql/``), ``twenty-gql`` on PATH, the rewrites applied: every command must exit 0.
``serve``
    A console block of long-running commands (``$ twenty-gql emulator ...``): each is started,
    its first output lines are matched against the lines shown under it (numbers stand for any
    number, ``...`` for anything), then it is stopped with SIGTERM and must exit 0. ``--port N``
    becomes ``--port 0`` (a free port).
``make``
    Each ``make TARGET`` line names a real target of the Makefile (not run: it would recurse).
``pip``
    ``pip install`` lines: the extras named exist in pyproject.toml, and what the comment says
    they bring (the console script, the packages listed) is declared there.
``toml``
    Loaded through ``codegen.config.read_pyproject`` (what ``twenty-gql generate`` reads), then
    ``twenty-gql generate`` runs with no flags in a directory holding it: it must write the
    package it names.
``tree``
    The output tree: every listed path exists in a package generated with ``--operations``,
    every file of that package is covered by a listed path, code-like names in a line's
    description exist in that module, and "N queries + M mutations" matches the metadata schema.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, introspection_from_schema

from codegen.config import read_pyproject
from twenty_gql.testing.process import EmulatorProcess

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
HANDLERS = ("python", "pytest", "shell", "serve", "make", "pip", "toml", "tree")
URLS = ("https://crm.example.com", "https://api.twenty.com")
TIMEOUT = 120


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    info: str  # the fence's info string (language)
    handler: str | None
    text: str

    @property
    def id(self) -> str:
        return f"L{self.line}-{self.handler}"


def parse_blocks(markdown: str) -> list[Block]:
    """Fenced blocks with the handler named by the nearest preceding ``readme-test`` comment."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(```+)(.*)$", lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.groups()
        start = i
        j = i + 1
        while j < len(lines) and not re.match(rf"^\s*{fence}\s*$", lines[j]):
            j += 1
        body = "\n".join(line.removeprefix(indent) for line in lines[start + 1 : j])
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        tag = re.match(r"^\s*<!--\s*readme-test:\s*(\S+)\s*-->\s*$", lines[k]) if k >= 0 else None
        blocks.append(Block(start + 1, info.strip(), tag.group(1) if tag else None, body + "\n"))
        i = j + 1
    return blocks


BLOCKS = parse_blocks(README.read_text(encoding="utf-8"))


def test_every_block_has_a_handler() -> None:
    assert BLOCKS, "README.md has no code blocks?"
    bad = [f"line {b.line}: {b.handler!r}" for b in BLOCKS if b.handler not in HANDLERS]
    assert not bad, (
        "README code blocks without a known handler (add `<!-- readme-test: HANDLER -->` "
        f"before the block; handlers: {', '.join(HANDLERS)}): {bad}"
    )


def test_parser_sees_tags_and_untagged_blocks() -> None:
    text = "a\n<!-- readme-test: make -->\n\n```sh\nmake demo\n```\n\n```\nx\n```\n"
    assert [(b.line, b.handler, b.text) for b in parse_blocks(text)] == [
        (4, "make", "make demo\n"),
        (8, None, "x\n"),
    ]


# --- the emulator and the generated package shared by the handlers --------------------------


@dataclass
class Emulator:
    url: str
    api_key: str


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update(extra or {})
    return env


def _start(cmd: list[str], cwd: Path) -> EmulatorProcess:
    """``cmd`` (a command printing the emulator's two lines) started in ``cwd``."""
    return EmulatorProcess(command=cmd, cwd=cwd, env=_env()).start()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    cwd = tmp_path_factory.mktemp("emulator")
    proc = _start(
        [str(BIN / "twenty-gql"), "emulator", "--seed", "demo", "--rate-limit", "off"], cwd
    )
    try:
        yield Emulator(proc.url, proc.api_key)
    finally:
        assert proc.stop() == 0


def rewrite(text: str, emu: Emulator) -> str:
    """The README's placeholders, made real (REWRITES)."""
    for url in URLS:
        text = text.replace(url, emu.url)
    text = re.sub(r"(TWENTY_API_KEY=)\.\.\.", lambda m: m.group(1) + emu.api_key, text)
    text = re.sub(r"(--url) \.\.\.", lambda m: f"{m.group(1)} {emu.url}", text)
    return text.replace('"…"', repr(emu.api_key))


REWRITES = (
    "https://crm.example.com and https://api.twenty.com -> the emulator's URL; "
    "TWENTY_API_KEY=... and the string '…' -> its key; --url ... -> --url <emulator URL>"
)

OPERATION = """\
query BigCompanies($min: Float) {
  companies(filter: { employees: { gt: $min } }) { edges { node { id name employees } } }
}
"""


def _generate(emu: Emulator, out: Path, package: str, *extra: str) -> None:
    proc = subprocess.run(
        [
            str(BIN / "twenty-gql"),
            "generate",
            "--url",
            emu.url,
            "--out",
            str(out),
            "--package",
            package,
            *extra,
        ],
        env=_env({"TWENTY_API_KEY": emu.api_key}),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def generated(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``twenty_crm`` generated from the emulator with an operations document; returns its dir."""
    out = tmp_path_factory.mktemp("gen")
    ops = out / "graphql"
    ops.mkdir()
    (ops / "big_companies.graphql").write_text(OPERATION, encoding="utf-8")
    _generate(emulator, out, "twenty_crm", "--operations", str(ops))
    return out / "twenty_crm"


@pytest.fixture
def importable(generated: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(generated.parent))
    yield
    for name in [m for m in sys.modules if m == "twenty_crm" or m.startswith("twenty_crm.")]:
        del sys.modules[name]


# --- python ---------------------------------------------------------------------------------


def placeholders() -> dict[str, Any]:
    """Names README blocks use without defining them (each documented where it appears).

    ``records`` / ``rows``: company create-inputs for ``create_many``; ``client`` / ``crm``: an
    open ``TwentyClient`` on the emulator and ``CoreApi(client)`` (top-level-await blocks only);
    ``my_sync``: see ``PYTEST_PRELUDE``.
    """
    rows = [
        {"name": f"Readme {i}", "domainName": {"primaryLinkUrl": f"https://readme-{i}.test"}}
        for i in range(5)
    ]
    return {"records": rows, "rows": list(rows), "__name__": "__readme__"}


async def _run_async(code: Any, ns: dict[str, Any], emu: Emulator) -> None:
    from twenty_crm import CoreApi

    from twenty_gql import TwentyClient

    async with TwentyClient(emu.url, emu.api_key) as client:
        ns.setdefault("client", client)
        ns.setdefault("crm", CoreApi(client))
        await eval(code, ns)


def run_python(block: Block, emu: Emulator) -> None:
    source = rewrite(block.text, emu)
    code = compile(source, f"README.md:{block.line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    ns = placeholders()
    if code.co_flags & inspect.CO_COROUTINE:
        asyncio.run(_run_async(code, ns, emu))
    else:
        exec(code, ns)
    defined = {k for k in ns if not k.startswith("__")} - set(placeholders())
    assert defined, "the block ran but defined nothing"


# --- pytest ---------------------------------------------------------------------------------

PYTEST_PRELUDE = '''\
import asyncio

from twenty_gql import TwentyClient


def my_sync(url, api_key):
    """A user's sync code: creates one person through the client."""

    async def run():
        async with TwentyClient(url, api_key) as client:
            data = await client.execute_raw(
                'mutation { createPerson(data: {name: {firstName: "Sync"}}) { id } }'
            )
            assert data["createPerson"]["id"]

    asyncio.run(run())


'''


def run_pytest(block: Block, tmp: Path) -> None:
    (tmp / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n", encoding="utf-8")
    (tmp / "test_from_readme.py").write_text(PYTEST_PRELUDE + block.text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_from_readme.py"],
        cwd=tmp,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    tests = len(re.findall(r"^(?:async )?def test_", block.text, re.M))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert tests and re.search(rf"\b{tests} passed\b", proc.stdout), proc.stdout
    assert not re.search(r"skipped|xfail|warning", proc.stdout), proc.stdout


# --- shell ----------------------------------------------------------------------------------


def prepare_workdir(tmp: Path, generated: Path) -> None:
    """Files the README's shell commands name, in the directory they run in."""
    shutil.copy(ROOT / "examples" / "data" / "companies.csv", tmp / "companies.csv")
    people = [
        {"name.firstName": "Grace", "name.lastName": "Hopper", "jobTitle": "Admiral"},
        {"name.firstName": "Alan", "name.lastName": "Turing", "city": "London"},
    ]
    (tmp / "people.jsonl").write_text(
        "".join(json.dumps(p) + "\n" for p in people), encoding="utf-8"
    )
    core = build_schema((generated / "schema" / "graphql.graphql").read_text("utf-8"))
    (tmp / "core.json").write_text(json.dumps({"data": introspection_from_schema(core)}), "utf-8")
    shutil.copy(generated / "schema" / "metadata.graphql", tmp / "metadata.graphql")
    (tmp / "graphql").mkdir()
    (tmp / "graphql" / "big_companies.graphql").write_text(OPERATION, encoding="utf-8")


def run_shell(block: Block, emu: Emulator, tmp: Path, generated: Path) -> None:
    prepare_workdir(tmp, generated)
    script = rewrite(block.text, emu)
    assert "twenty-gql" in script
    proc = subprocess.run(
        ["bash", "-e", "-x", "-c", script],
        cwd=tmp,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert emu.api_key not in proc.stdout, "a command printed the API key"


# --- serve ----------------------------------------------------------------------------------


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    """``$ command`` (continuations joined) with the output lines shown under it."""
    out: list[tuple[str, list[str]]] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ "), f"console line outside a command: {line!r}"
        cmd = line[2:]
        while cmd.rstrip().endswith("\\"):
            i += 1
            cmd = cmd.rstrip()[:-1] + " " + lines[i].strip()
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        out.append((cmd, shown))
    return out


def _pattern(shown: str) -> str:
    parts = re.split(r"(\.\.\.|\d+)", shown)
    return "".join(".*" if p == "..." else r"\d+" if p.isdigit() else re.escape(p) for p in parts)


def run_serve(block: Block, tmp: Path) -> None:
    commands = _commands(block)
    assert commands
    for cmd, shown in commands:
        cmd = re.sub(r"--port \d+", "--port 0", cmd)
        proc = _start(["bash", "-c", f"exec {cmd}"], tmp)
        first = proc.lines
        try:
            assert len(shown) <= len(first), f"only {len(first)} output lines are checked"
            for want, got in zip(shown, first, strict=False):
                assert re.fullmatch(_pattern(want), got), (want, got)
            assert first[0].startswith("TWENTY_URL=http://127.0.0.1:"), first
        finally:
            assert proc.stop() == 0, f"{cmd!r} did not exit 0 on SIGTERM"


# --- make / pip / toml / tree ---------------------------------------------------------------


def run_make(block: Block) -> None:
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", (ROOT / "Makefile").read_text(), re.M))
    lines = [line.split("#")[0].split() for line in block.text.splitlines() if line.strip()]
    assert lines
    for words in lines:
        assert words[0] == "make" and len(words) >= 2, words
        for target in words[1:]:
            assert target in targets, f"`make {target}`: no such Makefile target"


def run_pip(block: Block) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    lines = [line for line in block.text.splitlines() if line.strip()]
    assert lines
    for line in lines:
        command, _, comment = line.partition("#")
        m = re.fullmatch(r'pip install (?:-e )?"?\.(?:\[([\w,-]+)\])?"?', command.strip())
        assert m, f"not a `pip install .[extras]` line: {line!r}"
        for extra in (m.group(1) or "").split(","):
            if extra:
                assert extra in extras, f"pyproject.toml has no extra {extra!r}"
        declared = " ".join(
            project["dependencies"]
            + [d for e in (m.group(1) or "").split(",") if e for d in extras[e]]
        ).lower()
        for script in re.findall(r"console script `([\w-]+)`", comment):
            assert script in project["scripts"], script
        after = comment.split("plus", 1)[1].split("(")[0] if "plus" in comment else ""
        for name in re.findall(r"[\w-]+", after):
            assert name.lower() in declared, f"{name} is not declared by {command.strip()!r}"


def run_toml(block: Block, emu: Emulator, tmp: Path) -> None:
    (tmp / "pyproject.toml").write_text(rewrite(block.text, emu), encoding="utf-8")
    cfg = read_pyproject(tmp / "pyproject.toml")
    assert cfg, "no [tool.twenty-gql] settings"
    if "operations" in cfg:
        (tmp / cfg["operations"]).mkdir()
        (tmp / cfg["operations"] / "big_companies.graphql").write_text(OPERATION, "utf-8")
    proc = subprocess.run(
        [str(BIN / "twenty-gql"), "generate"],
        cwd=tmp,
        env=_env({"TWENTY_API_KEY": emu.api_key}),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr
    pkg = tmp / cfg.get("out", ".") / cfg["package"]
    assert (pkg / "__init__.py").is_file()
    if "operations" in cfg:
        assert (pkg / "core" / "operations.py").is_file()


_CODE_NAME = re.compile(r"\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]+(?:_[A-Z]+)+|[a-z]+(?:_[a-z]+)+)\b")


def run_tree(block: Block, generated: Path) -> None:
    base = generated.parent
    patterns: list[str] = []
    for line in block.text.splitlines():
        if not line.strip():
            continue
        path, _, description = line.partition(" ")
        matches = sorted(base.glob(path.rstrip("/"))) if "*" in path else [base / path]
        assert matches and all(p.exists() for p in matches), f"{path} is not generated"
        patterns.append(path)
        for name in set(_CODE_NAME.findall(description)):
            module = ".".join(path.removesuffix(".py").removesuffix("/").split("/"))
            module = module.removesuffix(".__init__")
            if "*" in module:
                continue
            mod = __import__(module, fromlist=["_"])
            assert hasattr(mod, name), f"{module} has no {name} (README tree, {path})"
        m = re.search(r"(\d+) queries \+ (\d+) mutations", description)
        if m:
            meta = build_schema((generated / "schema" / "metadata.graphql").read_text("utf-8"))
            assert meta.query_type and meta.mutation_type
            counts = (len(meta.query_type.fields), len(meta.mutation_type.fields))
            assert counts == (int(m.group(1)), int(m.group(2))), counts
    for file in generated.rglob("*"):
        if file.is_dir() or "__pycache__" in file.parts:
            continue
        rel = file.relative_to(base).as_posix()
        covered = any(
            Path(rel).match(p) or (p.endswith("/") and rel.startswith(p)) for p in patterns
        )
        assert covered, f"{rel} is generated but the README tree does not list it"


# --- the test -------------------------------------------------------------------------------


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_block(
    block: Block,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    if block.handler == "make":
        run_make(block)
        return
    if block.handler == "pip":
        run_pip(block)
        return
    if block.handler == "serve":
        run_serve(block, tmp_path)
        return
    if block.handler == "pytest":
        run_pytest(block, tmp_path)
        return
    emu: Emulator = request.getfixturevalue("emulator")
    generated: Path = request.getfixturevalue("generated")
    if block.handler == "python":
        request.getfixturevalue("importable")
        mp: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
        mp.setenv("TWENTY_URL", emu.url)
        mp.setenv("TWENTY_API_KEY", emu.api_key)
        run_python(block, emu)
    elif block.handler == "shell":
        run_shell(block, emu, tmp_path, generated)
    elif block.handler == "toml":
        run_toml(block, emu, tmp_path)
    elif block.handler == "tree":
        request.getfixturevalue("importable")
        run_tree(block, generated)
    else:
        pytest.fail(f"README.md line {block.line}: no handler {block.handler!r}")


# --- the test can fail ----------------------------------------------------------------------


def test_a_wrong_name_in_a_python_block_fails(
    emulator: Emulator, importable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWENTY_URL", emulator.url)
    monkeypatch.setenv("TWENTY_API_KEY", emulator.api_key)
    block = next(b for b in BLOCKS if b.handler == "python" and "create_many(rows" in b.text)
    broken = dataclasses.replace(block, text=block.text.replace("crm.companies.", "crm.company."))
    with pytest.raises(AttributeError, match="company"):
        run_python(broken, emulator)


def test_a_wrong_flag_in_a_shell_block_fails(
    emulator: Emulator, generated: Path, tmp_path: Path
) -> None:
    block = Block(
        1, "sh", "shell", "twenty-gql generate --url https://crm.example.com --pakage x\n"
    )
    with pytest.raises(AssertionError, match="unrecognized arguments: --pakage"):
        run_shell(block, emulator, tmp_path, generated)


def test_a_missing_make_target_fails() -> None:
    with pytest.raises(AssertionError, match="no such Makefile target"):
        run_make(Block(1, "sh", "make", "make demo-all\n"))
