"""``twenty-gql import OBJECT FILE``: bulk-import CSV or JSONL records into a Twenty workspace.

Pipeline:

1. introspect the LIVE workspace schema (``/graphql``) and find ``create<Plural>`` for OBJECT
   (singular or plural name) and its ``<X>CreateInput``;
2. read FILE once, mapping columns to create-input fields (dotted names address composite
   sub-fields: ``domainName.primaryLinkUrl``, ``name.firstName``) and validating/converting every
   value (unknown column, bad enum value, bad UUID, bad number/bool/date/JSON, missing required
   field), listing every problem with its row number; nothing is sent if any row is invalid
   (unless ``--skip-invalid``, which reports those rows as failures and imports the rest);
3. ``--dry-run`` stops there and prints the request count and a time estimate under the rate
   limit; otherwise the file is read again (memory stays flat) and streamed through
   :func:`twenty_gql.bulk.create_many` with a tqdm progress bar on stderr, an optional checkpoint
   (``--checkpoint``: rerun the same command after a crash to continue) and failures written as
   JSONL to ``--report``.

Exit codes: 0 every record landed; 1 some records failed (or were invalid); 2 nothing could start
(bad arguments, unreadable file, invalid rows, unreachable server, authentication failure).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.introspect import schema_from_introspection
from twenty_gql.bulk import BulkProgress, BulkResult, CheckpointMismatchError, create_many
from twenty_gql.importer.convert import Converter, RowError
from twenty_gql.importer.read import csv_columns, detect_format, read_rows
from twenty_gql.importer.schema import INTROSPECTION, ImportSchema, UsageError
from twenty_gql.operation import Operation

__all__ = ["client_factory", "main"]

_PROG = "twenty-gql import"
_MAX_LISTED = 50


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=_PROG,
        description="Import CSV or JSONL records into a Twenty workspace (batched, resumable).",
    )
    p.add_argument("object", metavar="OBJECT", help="object name, e.g. company or companies")
    p.add_argument("file", metavar="FILE", type=Path, help="a .csv (header row) or .jsonl file")
    p.add_argument("--url", help="workspace URL (default: $TWENTY_URL)")
    p.add_argument(
        "--api-key", metavar="KEY", help="API key (default: $TWENTY_API_KEY; prefer the variable)"
    )
    p.add_argument("--upsert", action="store_true", help="update records matching id/unique keys")
    p.add_argument(
        "--checkpoint",
        type=Path,
        metavar="PATH",
        help="journal file; rerun to resume after a crash",
    )
    p.add_argument("--dry-run", action="store_true", help="validate, estimate, send nothing")
    p.add_argument(
        "--report", type=Path, metavar="PATH", help="write failed records as JSONL to this file"
    )
    p.add_argument("--batch-size", type=int, metavar="N", help="records per request (default: 60)")
    p.add_argument(
        "--concurrency", type=int, metavar="N", help="requests in flight (default: client's)"
    )
    p.add_argument("--format", choices=("csv", "jsonl"), help="input format (default: by suffix)")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and report invalid ones instead of stopping",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``twenty-gql import``; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse already printed usage + the problem
        return 0 if exc.code == 0 else 2
    if args.batch_size is not None and args.batch_size < 1:
        return _fail(f"--batch-size must be a positive integer, got {args.batch_size}")
    if args.concurrency is not None and args.concurrency < 1:
        return _fail(f"--concurrency must be a positive integer, got {args.concurrency}")
    try:
        if not args.file.is_file():
            raise UsageError(f"{args.file}: no such file")
        detect_format(args.file, args.format)
        return asyncio.run(_run(args))
    except UsageError as exc:
        return _fail(str(exc))
    except CheckpointMismatchError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130


def _fail(message: str) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return 2


def _describe_connect_error(exc: BaseException, url: str | None) -> str:
    code = getattr(exc, "code", None)
    if code in ("UNAUTHENTICATED", "FORBIDDEN") or getattr(exc, "status", None) in (401, 403):
        return (
            f"authentication failed ({code or getattr(exc, 'status', '')}): check --api-key / "
            "TWENTY_API_KEY"
        )
    name = type(exc).__name__
    return f"cannot introspect the workspace at {url or '$TWENTY_URL'}: {name}: {exc}"


@dataclass
class _Validated:
    count: int = 0
    errors: list[RowError] = field(default_factory=list)
    invalid_rows: set[int] = field(default_factory=set)


def _validate(path: Path, fmt: str, conv: Converter) -> _Validated:
    result = _Validated()
    if fmt == "csv":
        result.errors += conv.check_columns(csv_columns(path))
        if result.errors:
            return result  # unknown columns: every row would repeat the same error
    for line, raw in read_rows(path, fmt):
        if isinstance(raw, RowError):
            result.errors.append(raw)
            result.invalid_rows.add(line)
            continue
        _, errors = conv.convert_row(raw, line, from_text=fmt == "csv")
        if errors:
            result.errors += errors
            result.invalid_rows.add(line)
        else:
            result.count += 1
    return result


def _estimate(requests: int, client: Any) -> float:
    """Seconds to send ``requests`` one-token calls under the client's token buckets (full at
    the start, then refilled continuously); Twenty's defaults when the client has none."""
    buckets: list[tuple[float, float]] = [(100.0, 1.0), (100.0, 60.0)]
    scheduler = getattr(client, "scheduler", None)
    found = [
        (float(b.capacity), float(b.window))
        for b in getattr(scheduler, "buckets", None) or []
        if getattr(b, "capacity", 0) > 0 and getattr(b, "window", 0) > 0
    ]
    if found:
        buckets = found
    seconds = 0.0
    for tokens, window in buckets:
        seconds = max(seconds, max(0.0, requests - tokens) * window / tokens)
    return seconds


def _fmt_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _default_client(url: str | None, api_key: str | None, batch_size: int | None) -> Any:
    # Imported lazily: `twenty-gql import --help` must not pay for the runtime's imports.
    client_cls: Any = importlib.import_module("twenty_gql.client").TwentyClient
    kwargs: dict[str, Any] = {}
    if batch_size is not None:
        kwargs["batch_size"] = batch_size
    return client_cls(url, api_key, **kwargs)


# Tests swap this for a client bound to an in-process workspace.
client_factory: Callable[[str | None, str | None, int | None], Any] = _default_client


async def _run(args: argparse.Namespace) -> int:
    path: Path = args.file
    fmt = detect_format(path, args.format)
    try:
        client = client_factory(args.url, args.api_key, args.batch_size)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    async with client:
        try:
            data = await client.execute_raw(
                INTROSPECTION, operation_name="IntrospectionQuery", idempotent=True
            )
            loaded = schema_from_introspection({"data": data}, "the workspace")
            schema = ImportSchema.from_schema(loaded.schema)
        except Exception as exc:
            raise UsageError(_describe_connect_error(exc, args.url)) from None
        root, input_type = schema.resolve_object(args.object)
        conv = Converter(schema, input_type)

        checked = _validate(path, fmt, conv)
        for err in checked.errors[:_MAX_LISTED]:
            print(f"{path.name}: {err}", file=sys.stderr)
        if len(checked.errors) > _MAX_LISTED:
            print(f"... and {len(checked.errors) - _MAX_LISTED} more problems", file=sys.stderr)
        if checked.errors and (not args.skip_invalid or not checked.invalid_rows):
            if args.report and checked.errors:
                _write_report(args.report, [_error_line(e) for e in checked.errors])
            raise UsageError(
                f"{len(checked.errors)} problem(s) in {len(checked.invalid_rows) or 'the'} "
                f"row(s) of {path.name}; nothing was sent"
                + (" (use --skip-invalid to import the valid rows)" if checked.invalid_rows else "")
            )

        batch = args.batch_size or client.batch_size
        requests = math.ceil(checked.count / batch) if checked.count else 0
        if args.dry_run:
            eta = _estimate(requests, client)
            print(
                f"dry run: {checked.count} valid record(s) for {root}"
                f" ({len(checked.invalid_rows)} invalid); {requests} request(s) of up to "
                f"{batch} records; estimated {_fmt_seconds(eta)} under the rate limit"
            )
            return 0 if not checked.invalid_rows else 1

        line_of: list[int] = []

        def records() -> Iterator[dict[str, Any]]:
            for line, raw in read_rows(path, fmt):
                if isinstance(raw, RowError) or line in checked.invalid_rows:
                    continue
                record, errors = conv.convert_row(raw, line, from_text=fmt == "csv")
                if errors:  # the file changed between the passes
                    raise UsageError(f"{path.name}: row {line} changed while importing")
                line_of.append(line)
                yield record

        document = (
            f"mutation TwentyGqlImport($data: [{input_type}!]!, $upsert: Boolean) "
            f"{{ {root}(data: $data, upsert: $upsert) {{ id }} }}"
        )
        op: Operation[dict[str, Any]] = Operation(
            name="TwentyGqlImport",
            document=document,
            endpoint="graphql",
            kind="mutation",
            root_fields=(root,),
            result_type=dict,
            idempotent=bool(args.upsert),
        )
        bar = _progress_bar(checked.count, disabled=args.no_progress)
        seen = 0

        def on_progress(p: BulkProgress) -> None:
            nonlocal seen
            now = p.done + p.failed + p.skipped
            if bar is not None and now > seen:
                bar.update(now - seen)
                bar.set_postfix(failed=p.failed, throttled=p.throttled, refresh=False)
            seen = now

        try:
            result: BulkResult[Any] = await create_many(
                client,
                op,
                records(),
                upsert=bool(args.upsert),
                result=lambda d: d.get(root) if isinstance(d, Mapping) else None,
                unique_fields=schema.unique_fields(input_type),
                batch_size=args.batch_size,
                concurrency=args.concurrency,
                on_progress=on_progress,
                checkpoint=args.checkpoint,
                keep_records=False,
            )
        finally:
            if bar is not None:
                bar.close()

    report_lines = [_error_line(e) for e in checked.errors]
    for f in result.failures:
        report_lines.append(
            {
                "row": line_of[f.index] if f.index < len(line_of) else None,
                "index": f.index,
                "record": f.record,
                "error": f.reason,
                "code": f.code,
            }
        )
    if args.report:
        _write_report(args.report, report_lines)
    skipped = f", {result.skipped} already imported (checkpoint)" if result.skipped else ""
    print(
        f"imported {result.succeeded} record(s) into {root}{skipped}; "
        f"{result.failed} failed, {len(checked.invalid_rows)} invalid; "
        f"{result.requests} request(s)",
        file=sys.stderr,
    )
    for f in result.failures[:_MAX_LISTED]:
        row = line_of[f.index] if f.index < len(line_of) else "?"
        print(f"{path.name}: row {row}: {f.reason}", file=sys.stderr)
    return 0 if not result.failures and not checked.invalid_rows else 1


def _error_line(err: RowError) -> dict[str, Any]:
    return {"row": err.row, "column": err.column or None, "error": err.message, "code": "INVALID"}


def _write_report(path: Path, lines: Sequence[Mapping[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps(line, default=str, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def _progress_bar(total: int, *, disabled: bool) -> Any:
    if disabled:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="rec",
        unit_scale=True,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
        desc="import",
        disable=None,  # off when stderr is not a terminal
    )
