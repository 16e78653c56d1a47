"""Reading ``twenty-gql import``'s input: CSV (header row) or JSONL, row by row."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from twenty_gql.importer.convert import RowError
from twenty_gql.importer.schema import UsageError

__all__ = ["csv_columns", "detect_format", "read_rows"]


def detect_format(path: Path, forced: str | None) -> str:
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
