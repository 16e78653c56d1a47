"""``twenty-gql listen``: register a webhook on a workspace and print its verified events.

    twenty-gql listen                                   # a local emulator (prints its url/key)
    twenty-gql listen --url https://crm.example.com --public-url https://abc.tunnel.dev
    twenty-gql listen --operations 'company.*' 'person.created' --events my_pkg.events:ALL

A receiver on ``--host``/``--port`` (default 127.0.0.1, a free port) verifies every delivery
with a fresh random secret and prints one line per event; ``--events MODULE:NAME`` names the
``ObjectEvents`` table (or a mapping object name -> record type) to type records with,
otherwise records print untyped. The webhook is registered through ``/metadata`` and deleted
again on exit (Ctrl-C, SIGTERM, or after ``--count`` events). Against a remote Twenty,
``--public-url`` is the address Twenty can reach the receiver at (a tunnel); the API key comes
from ``--api-key`` or ``TWENTY_API_KEY`` and is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import secrets
import signal
import sys
from collections.abc import Sequence
from typing import Any

import msgspec

__all__ = ["main"]

PATH = "/twenty-gql-listen"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="twenty-gql listen",
        description="Register a webhook and print verified, typed events as they arrive.",
    )
    p.add_argument("--url", help="the Twenty workspace (default: start a local emulator)")
    p.add_argument("--api-key", help="API key (default: TWENTY_API_KEY; the emulator's own)")
    p.add_argument(
        "--operations",
        nargs="+",
        default=["*.*"],
        metavar="OP",
        help="events to subscribe to: <object|*>.<action|*> (default: *.*)",
    )
    p.add_argument("--host", default="127.0.0.1", help="receiver bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="receiver port (default: a free one)")
    p.add_argument(
        "--public-url", help="URL Twenty posts to (default: the receiver's own http URL)"
    )
    p.add_argument("--events", metavar="MODULE:NAME", help="ObjectEvents table to type records")
    p.add_argument("--count", type=int, default=0, help="exit after N events (default: never)")
    p.add_argument("--json", action="store_true", help="print each verified body as JSON")
    p.add_argument(
        "--seed",
        choices=("demo", "standard", "empty"),
        default="standard",
        help="seed of the local emulator (without --url)",
    )
    return p


def _load_events(spec: str | None) -> Any:
    if not spec:
        return ()
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise ValueError(f"--events must be MODULE:NAME, got {spec!r}")
    sys.path.insert(0, os.getcwd())
    return getattr(importlib.import_module(module), name)


def _line(event: Any) -> str:
    from twenty_gql.webhooks import UntypedEvent

    record = event.record
    rid = record.get("id") if isinstance(record, dict) else getattr(record, "id", None)
    kind = "untyped" if isinstance(event, UntypedEvent) else type(record).__name__
    text = f"{event.event_name} {rid} ({kind})"
    if event.updated_fields is not None:
        text += f" updated_fields={','.join(event.updated_fields)}"
    if isinstance(event, UntypedEvent):
        text += f" [{event.error}]"
    return text


async def _listen(args: argparse.Namespace, objects: Any) -> int:
    from aiohttp import web

    from twenty_gql.client import TwentyClient
    from twenty_gql.webhooks import WebhookDispatcher, WebhookError, Webhooks

    secret = secrets.token_hex(32)
    dispatcher = WebhookDispatcher(secret, objects=objects)
    done = asyncio.Event()
    seen = 0

    async def receive(request: web.Request) -> web.Response:
        nonlocal seen
        body = await request.read()
        try:
            event = dispatcher.verify_and_parse(body, request.headers)
        except WebhookError as exc:
            print(f"refused delivery: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return web.json_response({"error": type(exc).__name__}, status=exc.status)
        print(body.decode("utf-8") if args.json else _line(event), flush=True)
        if not args.json and not isinstance(event.record, dict):
            print("  " + msgspec.json.encode(event.record).decode(), flush=True)
        seen += 1
        if args.count and seen >= args.count:
            done.set()
        return web.json_response({"ok": True})

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, done.set)
    app = web.Application()
    app.router.add_post(PATH, receive)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    emulator: Any = None
    try:
        await web.TCPSite(runner, args.host, args.port).start()
        host = args.host if ":" not in args.host else f"[{args.host}]"
        target = args.public_url or f"http://{host}:{runner.addresses[0][1]}{PATH}"
        url, key = args.url, args.api_key
        if url is None:
            from twenty_gql.testing import TwentyEmulator

            emulator = await TwentyEmulator(args.seed, api_key=key).start()
            url, key = emulator.url, emulator.api_key
            print(f"TWENTY_URL={url}", flush=True)
            print(f"TWENTY_API_KEY={key}", flush=True)
        async with TwentyClient(url, key) as client:
            hooks = Webhooks(client)
            hook = await hooks.create(
                target, args.operations, secret=secret, description="twenty-gql listen"
            )
            print(
                f"listening: webhook {hook.id} -> {target} for {' '.join(args.operations)}"
                " (Ctrl-C to stop)",
                file=sys.stderr,
                flush=True,
            )
            try:
                await done.wait()
            finally:
                with contextlib.suppress(Exception):
                    await hooks.delete(hook.id)
                    print(f"deleted webhook {hook.id}", file=sys.stderr, flush=True)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if emulator is not None:
            with contextlib.suppress(TimeoutError):
                await emulator.webhooks_idle(timeout=10)
            await emulator.stop()
        await runner.cleanup()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    from twenty_gql.errors import TwentyError
    from twenty_gql.webhooks import check_operations

    try:
        check_operations(args.operations)
        objects = _load_events(args.events)
    except (ValueError, ImportError, AttributeError) as exc:
        parser.error(str(exc))
    if args.count < 0:
        parser.error("--count must be >= 0")
    try:
        return asyncio.run(_listen(args, objects))
    except (OSError, TwentyError, ValueError) as exc:
        print(f"twenty-gql listen: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
