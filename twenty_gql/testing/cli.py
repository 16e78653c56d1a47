"""``twenty-gql emulator``: run the Twenty emulator until SIGINT/SIGTERM.

On start it prints (flushed) ``TWENTY_URL=http://127.0.0.1:PORT`` and ``TWENTY_API_KEY=...``,
so a script can ``eval``/parse them; it exits 0 on SIGINT/SIGTERM, 2 on bad flags, 1 when the
server cannot start (port taken, unreadable --data file, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
from collections.abc import Callable, Sequence

from twenty_gql.testing.ratelimit import parse_rate_limit
from twenty_gql.testing.roles import Role

__all__ = ["main"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be in 0..65535, got {value}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number between 0 and 1, got {text!r}"
        ) from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected milliseconds >= 0, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected milliseconds >= 0, got {value}")
    return value


def _rate(text: str) -> tuple[tuple[int, int], ...] | None:
    try:
        return parse_rate_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _role(text: str) -> Role:
    try:
        return Role.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="twenty-gql emulator",
        description="Run a local emulator of the Twenty API (/graphql, /metadata, "
        "/rest/metadata) until SIGINT/SIGTERM.",
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=0, help="port; 0 picks a free one (default)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the emulator has no TLS and a demo key: "
        "do not expose it to a network you do not control)",
    )
    p.add_argument("--api-key", metavar="KEY", help="accept this key (default: issue a new one)")
    p.add_argument(
        "--role",
        type=_role,
        default=None,
        metavar="PRESET[,OBJECT=PERMS...]",
        help="role of the key: admin (default), read-only, no-delete or none, then per-object "
        "overrides with letters r/w/d/x, e.g. read-only,company=rw",
    )
    p.add_argument("--data", metavar="PATH", help="persist data model and records (SQLite)")
    p.add_argument("--seed", choices=("demo", "standard", "empty"), default="demo")
    p.add_argument("--batch-limit", type=_positive_int, default=60, metavar="N")
    p.add_argument("--page-max", type=_positive_int, default=200, metavar="N")
    p.add_argument("--page-default", type=_positive_int, default=60, metavar="N")
    p.add_argument(
        "--rate-limit",
        type=_rate,
        default=((100, 1000), (100, 60000)),
        metavar="TOKENS/MS,TOKENS/MS|off",
        help="token buckets (default 100/1000,100/60000, Twenty's), or 'off'",
    )
    p.add_argument(
        "--throttle-code",
        choices=("BAD_USER_INPUT", "RATE_LIMITED"),
        default="BAD_USER_INPUT",
        help="extensions.code of throttling errors (subCode is always LIMIT_REACHED)",
    )
    p.add_argument("--latency-ms", type=_non_negative, default=0.0, metavar="N")
    p.add_argument("--fault-rate", type=_fraction, default=0.0, metavar="F", help="502/503 share")
    p.add_argument("--drop-rate", type=_fraction, default=0.0, metavar="F", help="dropped share")
    p.add_argument(
        "--drop-after-apply",
        action="store_true",
        help="dropped requests are applied before the connection closes",
    )
    p.add_argument("--fault-seed", type=int, default=None, metavar="N", help="reproducible faults")
    return p


async def _serve(args: argparse.Namespace, ready: Callable[[str, str], None]) -> None:
    from twenty_gql.testing.emulator import TwentyEmulator

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with TwentyEmulator(
            args.seed,
            host=args.host,
            port=args.port,
            api_key=args.api_key,
            role=args.role,
            data_path=args.data,
            batch_limit=args.batch_limit,
            page_max=args.page_max,
            page_default=args.page_default,
            rate_limit=args.rate_limit,
            latency_ms=args.latency_ms,
            fault_rate=args.fault_rate,
            drop_rate=args.drop_rate,
            drop_after_apply=args.drop_after_apply,
            fault_seed=args.fault_seed,
            throttle_code=args.throttle_code,
            allow_remote=args.allow_remote,
        ) as emu:
            ready(emu.url, emu.api_key)
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    from twenty_gql.testing.emulator import is_loopback

    if not args.allow_remote and not is_loopback(args.host):
        parser.error(
            f"refusing --host {args.host}: the emulator has no TLS and accepts a demo key, so it "
            "binds loopback only; add --allow-remote to expose it anyway"
        )

    def ready(url: str, key: str) -> None:
        print(f"TWENTY_URL={url}", flush=True)
        print(f"TWENTY_API_KEY={key}", flush=True)
        print(
            f"twenty-gql emulator: serving seed {args.seed!r}; stop with Ctrl-C",
            file=sys.stderr,
            flush=True,
        )

    try:
        asyncio.run(_serve(args, ready))
    except (OSError, ValueError, sqlite3.Error) as exc:
        print(f"twenty-gql emulator: cannot start: {exc}", file=sys.stderr)
        return 1
    return 0
