"""The ``twenty-gql`` command line: one entry point, one module per sub-command.

Sub-commands:
    generate   render a typed package from a workspace (codegen.generate_cli)
    check      compare generated bindings with the live schema (codegen.check_cli)
    docs       write a browsable reference site of a workspace (codegen.docs_cli)
    emulator   run the local Twenty emulator (twenty_gql.testing.cli)
    import     bulk-import CSV / JSONL records (twenty_gql.importer)
    listen     register a webhook and print verified events (twenty_gql.webhooks_cli)
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence

__all__ = ["main"]

# name -> (module, one-line help). Each module exposes ``main(argv: Sequence[str]) -> int``.
_COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("codegen.generate_cli", "generate a typed async package from a workspace schema"),
    "check": ("codegen.check_cli", "check generated bindings against the live schema (drift)"),
    "docs": ("codegen.docs_cli", "write a browsable reference (HTML + Markdown) of a workspace"),
    "emulator": ("twenty_gql.testing.cli", "run the local Twenty API emulator on loopback"),
    "import": ("twenty_gql.importer", "bulk-import records from CSV or JSONL"),
    "listen": ("twenty_gql.webhooks_cli", "register a webhook and print verified, typed events"),
}

# The extra each command needs beyond the runtime (pyproject.toml [project.optional-dependencies])
# and the modules it installs that the command imports.
_NEEDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "generate": ("codegen", ("graphql", "jinja2", "ruff")),
    "check": ("codegen", ("graphql",)),
    "docs": ("codegen", ("graphql", "jinja2")),
    "emulator": ("emulator", ("graphql",)),
    "import": ("import", ("graphql", "tqdm")),
    "listen": ("emulator", ()),  # the runtime is enough; a local emulator needs the extra
}


def _installed(module: str) -> bool:
    if module in sys.modules:
        return sys.modules[module] is not None
    return importlib.util.find_spec(module) is not None


def _usage() -> str:
    lines = [
        "usage: twenty-gql <command> [options]",
        "",
        "Typed async Python client generator for the Twenty CRM API.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<10} {help_}" for name, (_, help_) in _COMMANDS.items()]
    lines += ["", "Run 'twenty-gql <command> --help' for a command's options."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    if args[0] in ("-V", "--version"):
        from codegen import __version__

        print(f"twenty-gql {__version__}")
        return 0
    name, rest = args[0], args[1:]
    if name not in _COMMANDS:
        print(f"twenty-gql: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    missing = [m for m in _NEEDS[name][1] if not _installed(m)]
    if missing:
        extra = _NEEDS[name][0]
        print(
            f"twenty-gql {name}: needs the {extra!r} extra (missing: {', '.join(missing)}): "
            f"pip install 'twenty-gql[{extra}]'",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(_COMMANDS[name][0])
    run: Callable[[Sequence[str]], int] = module.main
    return run(rest)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
