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
import csv
import datetime as dt
import decimal
import importlib
import json
import math
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from twenty_gql.bulk import BulkProgress, BulkResult, CheckpointMismatchError, create_many
from twenty_gql.operation import Operation

__all__ = ["ImportSchema", "RowError", "main"]

_PROG = "twenty-gql import"
_MAX_LISTED = 50

# -- the live schema ---------------------------------------------------------------------------

_TYPE_REF = (
    "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"
)
INTROSPECTION = (
    "query TwentyGqlImportSchema { __schema { mutationType { fields { name args { name type { "
    + _TYPE_REF
    + " } } } } types { kind name inputFields { name defaultValue type { "
    + _TYPE_REF
    + " } } enumValues { name } } } }"
)


@dataclass(frozen=True)
class TypeRef:
    """An input type reference: ``[Enum!]!`` is list=True, item_required=True, required=True."""

    name: str
    kind: str  # SCALAR | ENUM | INPUT_OBJECT
    required: bool
    list: bool = False
    item_required: bool = False


def _unwrap(t: Mapping[str, Any]) -> TypeRef:
    required = False
    is_list = False
    item_required = False
    node: Mapping[str, Any] | None = t
    if node and node.get("kind") == "NON_NULL":
        required = True
        node = node.get("ofType")
    if node and node.get("kind") == "LIST":
        is_list = True
        node = node.get("ofType")
        if node and node.get("kind") == "NON_NULL":
            item_required = True
            node = node.get("ofType")
    if not node or not node.get("name"):
        raise ValueError("unsupported input type shape in the schema")
    return TypeRef(str(node["name"]), str(node["kind"]), required, is_list, item_required)


@dataclass
class ImportSchema:
    """What the importer needs from the introspected workspace schema."""

    inputs: dict[str, dict[str, tuple[TypeRef, bool]]]  # type -> field -> (ref, has default)
    enums: dict[str, frozenset[str]]
    creates: dict[str, tuple[str, str]]  # create<Plural> field -> (data arg input type, name)

    @classmethod
    def from_introspection(cls, data: Mapping[str, Any]) -> ImportSchema:
        schema = data["__schema"]
        inputs: dict[str, dict[str, tuple[TypeRef, bool]]] = {}
        enums: dict[str, frozenset[str]] = {}
        for t in schema.get("types") or []:
            if t.get("kind") == "INPUT_OBJECT":
                fields: dict[str, tuple[TypeRef, bool]] = {}
                for f in t.get("inputFields") or []:
                    try:
                        fields[f["name"]] = (_unwrap(f["type"]), f.get("defaultValue") is not None)
                    except ValueError:
                        continue
                inputs[t["name"]] = fields
            elif t.get("kind") == "ENUM":
                enums[t["name"]] = frozenset(v["name"] for v in t.get("enumValues") or [])
        creates: dict[str, tuple[str, str]] = {}
        mutation = schema.get("mutationType") or {}
        for f in mutation.get("fields") or []:
            name = f.get("name", "")
            if not name.startswith("create"):
                continue
            args = {a["name"]: a for a in f.get("args") or []}
            if "data" not in args:
                continue
            try:
                ref = _unwrap(args["data"]["type"])
            except ValueError:
                continue
            if ref.list and ref.name.endswith("CreateInput") and "upsert" in args:
                creates[name] = (ref.name, name)
        return cls(inputs, enums, creates)

    def resolve_object(self, obj: str) -> tuple[str, str]:
        """OBJECT (``company``, ``companies``, ``Company``) -> (create<Plural> field, input type)."""
        pascal = obj[:1].upper() + obj[1:]
        if f"create{pascal}" in self.creates:
            field_name = f"create{pascal}"
            return field_name, self.creates[field_name][0]
        wanted = f"{pascal}CreateInput"
        for field_name, (input_type, _) in sorted(self.creates.items()):
            if input_type == wanted:
                return field_name, input_type
        known = sorted(
            t.removesuffix("CreateInput")[:1].lower() + t.removesuffix("CreateInput")[1:]
            for t, _ in self.creates.values()
        )
        raise UsageError(
            f"unknown object {obj!r}: the workspace has no batch create for it "
            f"(objects: {', '.join(known)})"
        )

    def unique_fields(self, input_type: str) -> tuple[str, ...]:
        """Upsert keys from ``<X>WhereUniqueInput`` (dotted for composite sub-fields), minus id."""
        where = self.inputs.get(input_type.removesuffix("CreateInput") + "WhereUniqueInput", {})
        keys: list[str] = []
        for name, (ref, _) in sorted(where.items()):
            if name == "id":
                continue
            if ref.kind == "INPUT_OBJECT":
                keys += [f"{name}.{sub}" for sub in sorted(self.inputs.get(ref.name, {}))]
            else:
                keys.append(name)
        return tuple(keys)


# -- conversion --------------------------------------------------------------------------------


class UsageError(Exception):
    """A problem that stops the import before anything is sent (exit 2)."""


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file (CSV header is line 1)
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})


class _Bad(ValueError):
    pass


class Converter:
    """Validates and converts raw values (CSV strings or JSON values) for one create input."""

    def __init__(self, schema: ImportSchema, input_type: str) -> None:
        self.schema = schema
        self.input_type = input_type
        self.fields = schema.inputs[input_type]

    # columns ----------------------------------------------------------------------------------

    def check_columns(self, columns: Sequence[str]) -> list[RowError]:
        errors: list[RowError] = []
        for col in columns:
            try:
                self._column_ref(col)
            except _Bad as exc:
                errors.append(RowError(1, col, str(exc)))
        return errors

    def _column_ref(self, column: str) -> TypeRef:
        head, _, sub = column.partition(".")
        if head not in self.fields:
            raise _Bad(f"unknown field {head!r} of {self.input_type}")
        ref = self.fields[head][0]
        if not sub:
            return ref
        if ref.kind != "INPUT_OBJECT" or ref.list:
            raise _Bad(f"{head!r} is not a composite field; it has no sub-field {sub!r}")
        sub_fields = self.schema.inputs.get(ref.name, {})
        if "." in sub or sub not in sub_fields:
            raise _Bad(f"unknown sub-field {sub!r} of {head!r} ({ref.name})")
        return sub_fields[sub][0]

    # rows -------------------------------------------------------------------------------------

    def convert_row(
        self, raw: Mapping[str, Any], row: int, *, from_text: bool
    ) -> tuple[dict[str, Any], list[RowError]]:
        out: dict[str, Any] = {}
        errors: list[RowError] = []
        for column, value in raw.items():
            if column is None or (from_text and (value is None or value == "")):
                continue  # empty CSV cell: not sent
            column = str(column)
            head, _, sub = column.partition(".")
            try:
                ref = self._column_ref(column)
                converted = self._value(ref, value, from_text, column)
            except _Bad as exc:
                errors.append(RowError(row, column, str(exc)))
                continue
            if sub:
                target = out.setdefault(head, {})
                if not isinstance(target, dict):
                    errors.append(RowError(row, column, f"{head!r} is also given as a whole value"))
                    continue
                target[sub] = converted
            elif head in out and isinstance(out[head], dict) and isinstance(converted, dict):
                out[head] = {**converted, **out[head]}
            else:
                out[head] = converted
        for name, (ref, has_default) in self.fields.items():
            if ref.required and not has_default and out.get(name) is None:
                errors.append(RowError(row, name, "missing required field"))
        return out, errors

    def _value(self, ref: TypeRef, value: Any, from_text: bool, where: str) -> Any:
        if value is None:
            if ref.required:
                raise _Bad("null is not allowed here")
            return None
        if ref.list:
            items: Any = value
            if from_text and isinstance(value, str):
                text = value.strip()
                if text.startswith("["):
                    try:
                        items = json.loads(text)
                    except ValueError:
                        raise _Bad(f"not a JSON list: {_short(value)}") from None
                else:
                    items = [part.strip() for part in text.split(",") if part.strip()]
                from_text = False if text.startswith("[") else from_text
            if not isinstance(items, list):
                raise _Bad(f"expected a list, got {_short(value)}")
            item_ref = TypeRef(ref.name, ref.kind, ref.item_required)
            return [self._value(item_ref, v, from_text, where) for v in items]
        if ref.kind == "ENUM":
            allowed = self.schema.enums.get(ref.name, frozenset())
            if not isinstance(value, str) or value not in allowed:
                raise _Bad(
                    f"bad enum value {_short(value)} (allowed: {', '.join(sorted(allowed))})"
                )
            return value
        if ref.kind == "INPUT_OBJECT":
            obj: Any = value
            if from_text and isinstance(value, str):
                try:
                    obj = json.loads(value)
                except ValueError:
                    raise _Bad(f"expected a JSON object for {ref.name}") from None
            if not isinstance(obj, Mapping):
                raise _Bad(f"expected an object ({ref.name}), got {_short(value)}")
            sub_fields = self.schema.inputs.get(ref.name, {})
            out: dict[str, Any] = {}
            for key, sub_value in obj.items():
                if key not in sub_fields:
                    raise _Bad(f"unknown sub-field {key!r} of {ref.name}")
                out[key] = self._value(sub_fields[key][0], sub_value, False, where)
            return out
        return _scalar(ref.name, value, from_text, where)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _scalar(name: str, value: Any, from_text: bool, where: str) -> Any:
    if name in ("String", "TSVector", "Cursor", "ConnectionCursor"):
        if not isinstance(value, str):
            raise _Bad(f"expected text, got {_short(value)}")
        return value
    if name == "UUID" or (name == "ID" and (where == "id" or where.endswith("Id"))):
        try:
            return str(uuid.UUID(str(value))) if isinstance(value, str) else _raise_uuid(value)
        except ValueError:
            raise _Bad(f"bad UUID {_short(value)}") from None
    if name == "ID":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _Bad(f"expected an ID, got {_short(value)}")
        return str(value)
    if name in ("Int", "BigInt"):
        if from_text and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise _Bad(f"bad integer {_short(value)}") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(f"bad integer {_short(value)}")
        return value
    if name in ("Float", "Position"):
        if name == "Position" and value in ("first", "last"):
            return value
        number = _number(value, from_text)
        return number
    if name == "BigFloat":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            _number(value, False)
            return str(value)
        if isinstance(value, str):
            try:
                d = decimal.Decimal(value.strip())
            except decimal.InvalidOperation:
                raise _Bad(f"bad number {_short(value)}") from None
            if not d.is_finite():
                raise _Bad(f"bad number {_short(value)}")
            return value.strip()
        raise _Bad(f"bad number {_short(value)}")
    if name == "Boolean":
        if isinstance(value, bool):
            return value
        if from_text and isinstance(value, str):
            low = value.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
        raise _Bad(f"bad boolean {_short(value)} (use true/false)")
    if name == "Date":
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        raise _Bad(f"bad date {_short(value)} (use YYYY-MM-DD)")
    if name == "DateTime":
        if isinstance(value, str):
            text = value.strip()
            try:
                parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                if parsed.tzinfo is None:
                    parsed = parsed.replace(tzinfo=dt.timezone.utc)
                return parsed.isoformat().replace("+00:00", "Z")
        raise _Bad(f"bad date-time {_short(value)} (use ISO 8601, e.g. 2024-05-01T12:00:00Z)")
    if name in ("JSON", "RawJSONScalar"):
        if from_text and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _Bad(f"bad JSON {_short(value)}") from None
        return value
    # An unknown custom scalar: pass the value through unchanged.
    return value


def _raise_uuid(value: Any) -> str:
    raise ValueError(value)


def _number(value: Any, from_text: bool) -> float:
    if from_text and isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Bad(f"bad number {_short(value)}") from None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _Bad(f"bad number {_short(value)}")
    if not math.isfinite(number):
        raise _Bad(f"bad number {_short(value)}")
    return number


# -- reading files -----------------------------------------------------------------------------


def _detect_format(path: Path, forced: str | None) -> str:
    if forced:
        return forced
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise UsageError(f"cannot tell the format of {path.name!r}: use .csv/.jsonl or --format")


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, Mapping[str, Any] | RowError]]:
    """Yield (line number, raw row) — or a RowError for a row that cannot be parsed."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        if fmt == "csv":
            yield from _read_csv(fh)
        else:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, RowError(n, "", f"not valid JSON: {exc.msg}")
                    continue
                if not isinstance(obj, dict):
                    yield n, RowError(n, "", f"expected a JSON object, got {type(obj).__name__}")
                    continue
                yield n, obj


def _read_csv(fh: TextIO) -> Iterator[tuple[int, Mapping[str, Any] | RowError]]:
    reader = csv.DictReader(fh)
    if reader.fieldnames is not None:
        reader.fieldnames = [name.strip() for name in reader.fieldnames]
    for raw in reader:
        line = reader.line_num
        if None in raw:
            yield line, RowError(line, "", "more cells than header columns")
            continue
        if not any(v for v in raw.values()):
            continue
        yield line, raw


def csv_columns(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = [name.strip() for name in next(csv.reader(fh), [])]
    if not header:
        raise UsageError(f"{path}: empty CSV file (no header row)")
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise UsageError(f"{path}: duplicate CSV columns {', '.join(dupes)}")
    return header


# -- the command -------------------------------------------------------------------------------


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
        _detect_format(args.file, args.format)
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
    fmt = _detect_format(path, args.format)
    try:
        client = client_factory(args.url, args.api_key, args.batch_size)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    async with client:
        try:
            data = await client.execute_raw(
                INTROSPECTION, operation_name="TwentyGqlImportSchema", idempotent=True
            )
            schema = ImportSchema.from_introspection(data)
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
