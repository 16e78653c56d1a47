"""``twenty-gql docs``: a browsable reference of one workspace, from the same schema sources as
``generate``.

    twenty-gql docs --url URL [--api-key KEY] --package NAME --out DIR [--since DIR/NAME]
    twenty-gql docs --core-schema core.graphql --metadata-schema metadata.graphql --out DIR
    twenty-gql docs ... --serve        # and preview it on http://127.0.0.1:<free port>/

Writes a self-contained static site (``DIR/index.html``: no network needed, opens from disk)
and the same reference as Markdown (``DIR/markdown/``). ``--since`` names earlier generated
bindings: the site gets the data-model changelog from them. Exit status: 0 done, 2 on any
error (one line on stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
from collections.abc import Sequence
from pathlib import Path

from codegen.config import ConfigError, api_key_from, read_pyproject, read_scalars
from codegen.errors import CodegenError

__all__ = ["main", "serve", "write_docs"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="twenty-gql docs",
        description="Generate a static reference site (HTML + Markdown) for a Twenty workspace.",
    )
    p.add_argument(
        "--url", help="Twenty server base URL (introspects URL/graphql and URL/metadata)"
    )
    p.add_argument("--api-key", help="API key (default: $TWENTY_API_KEY); never written anywhere")
    p.add_argument("--out", help="output directory of the site (default: ./twenty-docs)")
    p.add_argument(
        "--package", help="the generated package the examples import (default: twenty_crm)"
    )
    p.add_argument("--core-schema", help="core schema file: SDL .graphql or introspection .json")
    p.add_argument("--metadata-schema", help="metadata schema file: SDL or introspection JSON")
    p.add_argument(
        "--since", help="generated bindings DIR/NAME: add the data-model changelog since them"
    )
    p.add_argument(
        "--config", help="pyproject.toml holding [tool.twenty-gql] (default: ./pyproject.toml)"
    )
    p.add_argument(
        "--serve", action="store_true", help="then serve the site on 127.0.0.1 (free port)"
    )
    p.add_argument("--port", type=int, default=0, help="port for --serve (default: a free one)")
    return p


def write_docs(files: dict[str, str], out: Path) -> tuple[int, int]:
    """Write ``files`` under ``out`` (only changed ones) and remove stale pages of an earlier
    run; returns (written, removed)."""
    written = 0
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            continue
        path.write_bytes(data)
        written += 1
    removed = 0
    index = out / "index.html"
    if index.is_file() and "twenty-gql" in index.read_text("utf-8", "replace")[:2000]:
        keep = {out / rel for rel in files}
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file() and path.suffix in (".html", ".md") and path not in keep:
                path.unlink()
                removed += 1
    return written, removed


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(root: Path, port: int = 0) -> None:
    """Serve ``root`` on 127.0.0.1 until interrupted; prints the URL first (flushed)."""
    handler = functools.partial(_Quiet, directory=str(root))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        host, bound = httpd.server_address[:2]
        print(f"serving {root} on http://{host!s}:{bound}/ (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(list(argv))
    try:
        from codegen.docs.site import DocsInput, docs_files
        from codegen.generate import GenerateConfig

        cfg = read_pyproject(args.config)
        url = args.url or cfg.get("url")
        core = args.core_schema or cfg.get("core-schema")
        meta = args.metadata_schema or cfg.get("metadata-schema")
        if not (url or core or meta):
            raise ConfigError("give --url, or --core-schema/--metadata-schema files")
        package = args.package or cfg.get("package") or "twenty_crm"
        if not package.isidentifier():
            raise ConfigError(f"invalid package name {package!r}: use a Python identifier")
        out = Path(args.out or "twenty-docs")
        config = GenerateConfig(
            package=package,
            url=url,
            api_key=api_key_from(args.api_key) if url else None,
            core_schema=core,
            metadata_schema=meta,
            scalars=read_scalars(args.config),
        )
        since = Path(args.since) if args.since else None
        if since is not None and not (since / "schema" / "graphql.graphql").is_file():
            raise ConfigError(
                f"--since {since}: not a package generated by twenty-gql (no schema/graphql.graphql)"
            )
        files = docs_files(DocsInput(config, since=since))
        written, removed = write_docs(files, out)
    except CodegenError as exc:
        print(f"twenty-gql docs: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback for the user
        print(f"twenty-gql docs: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(
        f"docs written to {out}: {len(files)} files ({written} written, {removed} removed); "
        f"open {out / 'index.html'}",
        flush=True,
    )
    if args.serve:
        serve(out, args.port)
    return 0
