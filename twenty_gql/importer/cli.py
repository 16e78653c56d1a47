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
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.introspect import schema_from_introspection
from twenty_gql.bulk import (
    BulkProgress,
    BulkResult,
    CheckpointMismatchError,
    Outcome,
    create_many,
    partial_result,
)
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
        "--on-duplicate",
        choices=("error", "first", "last"),
        default="error",
        help="rows repeating a unique key (id, email, domain...) of another row: fail them "
        "(error, default), keep the first row, or keep the last row (reads the file into memory)",
    )
    p.add_argument(
        "--checkpoint",
        type=Path,
        metavar="PATH",
        help="journal file; rerun to resume after a crash (default: FILE.twenty-gql-checkpoint, "
        "removed once the import completes)",
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
        words = list(sys.argv[1:] if argv is None else argv)
        args = parser.parse_args(words)
    except SystemExit as exc:  # argparse already printed usage + the problem
        return 0 if exc.code == 0 else 2
    args.argv = words
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
    except OSError as exc:  # e.g. the checkpoint beside a read-only file
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc} (--checkpoint PATH writes it elsewhere)")
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
        schema = await _load_schema(client, args.url)
        root, input_type = schema.resolve_object(args.object)
        conv = Converter(schema, input_type)
        checked = _check_rows(path, fmt, conv, args)
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
        job = _Job(args, fmt, conv, checked, root, input_type)
        result = await _interruptible(job.run(client, schema.unique_fields(input_type)), job)
    if result is None:
        return job.interrupted_code
    return job.summarize(result)


async def _load_schema(client: Any, url: str | None) -> ImportSchema:
    try:
        data = await client.execute_raw(
            INTROSPECTION, operation_name="IntrospectionQuery", idempotent=True
        )
        loaded = schema_from_introspection({"data": data}, "the workspace")
        return ImportSchema.from_schema(loaded.schema)
    except Exception as exc:
        raise UsageError(_describe_connect_error(exc, url)) from None


def _check_rows(path: Path, fmt: str, conv: Converter, args: argparse.Namespace) -> _Validated:
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
    return checked


def default_checkpoint(path: Path) -> Path:
    """The checkpoint used when ``--checkpoint`` is not given: beside the input file. It is
    removed when the import completes, kept when it is interrupted or stopped early."""
    return path.with_name(path.name + ".twenty-gql-checkpoint")


async def _interruptible(
    work: Awaitable[BulkResult[Any, Any]], job: _Job
) -> BulkResult[Any, Any] | None:
    """Run ``work``; SIGINT / SIGTERM cancel it cleanly (landed chunks are journaled in the
    checkpoint) and print the command that resumes the import. None when interrupted."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def stop(sig: int) -> None:
        if not received:
            received.append(sig)
            task.cancel()

    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop, sig)
    try:
        return await task
    except asyncio.CancelledError as exc:
        if not received:
            raise
        job.interrupted(received[0], partial_result(exc))
        return None
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _resume_command(argv: Sequence[str]) -> str:
    """``twenty-gql import ...`` as given, minus the API key (the same command finds its
    checkpoint: ``--checkpoint`` or the default one beside the file)."""
    words: list[str] = []
    skip = False
    for word in argv:
        if skip:
            skip = False
            continue
        if word == "--api-key":
            skip = True
            continue
        if word.startswith("--api-key="):
            continue
        words.append(word)
    return shlex.join(["twenty-gql", "import", *words])


class _Job:
    """One import run: the records stream, the progress bar, the outcome report."""

    def __init__(
        self,
        args: argparse.Namespace,
        fmt: str,
        conv: Converter,
        checked: _Validated,
        root: str,
        input_type: str,
    ) -> None:
        self.args, self.fmt, self.conv, self.checked = args, fmt, conv, checked
        self.root, self.input_type = root, input_type
        self.path: Path = args.file
        self.checkpoint: Path = args.checkpoint or default_checkpoint(self.path)
        self.line_of: list[int] = []
        self.interrupted_code = 0

    def records(self) -> Iterator[dict[str, Any]]:
        for line, raw in read_rows(self.path, self.fmt):
            if isinstance(raw, RowError) or line in self.checked.invalid_rows:
                continue
            record, errors = self.conv.convert_row(raw, line, from_text=self.fmt == "csv")
            if errors:  # the file changed between the passes
                raise UsageError(f"{self.path.name}: row {line} changed while importing")
            self.line_of.append(line)
            yield record

    def operation(self) -> Operation[dict[str, Any]]:
        document = (
            f"mutation TwentyGqlImport($data: [{self.input_type}!]!, $upsert: Boolean) "
            f"{{ {self.root}(data: $data, upsert: $upsert) {{ id }} }}"
        )
        return Operation(
            name="TwentyGqlImport",
            document=document,
            endpoint="graphql",
            kind="mutation",
            root_fields=(self.root,),
            result_type=dict,
            idempotent=bool(self.args.upsert),
        )

    async def run(self, client: Any, unique_fields: tuple[str, ...]) -> BulkResult[Any, Any]:
        bar = _progress_bar(self.checked.count, disabled=self.args.no_progress)
        seen = 0

        def on_progress(p: BulkProgress) -> None:
            nonlocal seen
            now = p.done + p.failed + p.skipped
            if bar is not None and now > seen:
                bar.update(now - seen)
                bar.set_postfix(failed=p.failed, throttled=p.throttled, refresh=False)
            seen = now

        if self.checkpoint.exists() and self.args.checkpoint is None:
            print(f"{_PROG}: resuming from {self.checkpoint}", file=sys.stderr)
        root = self.root
        try:
            return await create_many(
                client,
                self.operation(),
                self.records(),
                upsert=bool(self.args.upsert),
                result=lambda d: d.get(root) if isinstance(d, Mapping) else None,
                unique_fields=unique_fields,
                on_duplicate=self.args.on_duplicate,
                batch_size=self.args.batch_size,
                concurrency=self.args.concurrency,
                on_progress=on_progress,
                checkpoint=self.checkpoint,
                keep_records=False,
            )
        finally:
            if bar is not None:
                bar.close()

    def interrupted(self, sig: int, partial: BulkResult[Any, Any] | None) -> None:
        name = signal.Signals(sig).name
        self.interrupted_code = 128 + sig
        landed = partial.succeeded + partial.skipped if partial is not None else 0
        in_flight = len(partial.in_flight) if partial is not None else 0
        print(
            f"{_PROG}: {name}: stopped; {landed} record(s) imported and journaled in "
            f"{self.checkpoint}, {in_flight} in flight (outcome unknown: the resume sends "
            f"them again onto the same ids). Resume with:\n  "
            f"{_resume_command(self.args.argv)}",
            file=sys.stderr,
        )

    def summarize(self, result: BulkResult[Any, Any]) -> int:
        checked, path = self.checked, self.path
        report_lines = [_error_line(e) for e in checked.errors]
        for f in result.failures:
            report_lines.append(
                {
                    "row": self._row(f.index),
                    "index": f.index,
                    "record": f.record,
                    "error": f.reason,
                    "code": f.code,
                }
            )
        for index, into in sorted(result.duplicates.items()):
            report_lines.append(
                {
                    "row": self._row(index),
                    "index": index,
                    "outcome": Outcome.DUPLICATE_IN_INPUT.value,
                    "merged_into_row": self._row(into),
                    "code": "DUPLICATE_IN_INPUT",
                }
            )
        if self.args.report:
            _write_report(self.args.report, report_lines)
        skipped = f", {result.skipped} already imported (checkpoint)" if result.skipped else ""
        merged = (
            f", {result.duplicate_in_input} duplicate row(s) merged into a twin"
            if result.duplicate_in_input
            else ""
        )
        unclassified = result.counts[Outcome.UNKNOWN] - len(result.unknown)
        unsure = f", {unclassified} landed (created or updated: unknown)" if unclassified else ""
        print(
            f"imported {result.succeeded} record(s) into {self.root} ({result.created} created, "
            f"{result.updated} updated{unsure}){merged}{skipped}; "
            f"{result.failed} failed, {len(checked.invalid_rows)} invalid; "
            f"{result.requests} request(s)",
            file=sys.stderr,
        )
        for f in result.failures[:_MAX_LISTED]:
            print(f"{path.name}: row {self._row(f.index) or '?'}: {f.reason}", file=sys.stderr)
        if result.stopped is not None:
            print(
                f"{_PROG}: stopped early ({result.stopped}): {len(result.not_attempted)} not "
                f"attempted, {len(result.unknown)} with an unknown outcome. Resume with:\n  "
                f"{_resume_command(self.args.argv)}",
                file=sys.stderr,
            )
        elif self.args.checkpoint is None:
            self.checkpoint.unlink(missing_ok=True)  # complete: nothing to resume
        return 0 if result.ok and not checked.invalid_rows else 1

    def _row(self, index: int) -> int | None:
        return self.line_of[index] if index < len(self.line_of) else None


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
