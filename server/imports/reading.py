"""Turn the bytes of a CSV or JSON upload into records of text fields, or say why not.

Both formats end up the same: a list of ``{column: str | None}`` with lower-case column
names, so validation never cares where a row came from. Columns are checked once for the
whole file (a misspelt header is one issue at row 0, not one per row).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Literal

from footfall.server.imports.report import ImportReport

FileFormat = Literal["csv", "json"]
#: A file bigger than this is refused before parsing (the API also caps the request size).
MAX_ROWS = 200_000


@dataclass(frozen=True, slots=True)
class Columns:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


Record = dict[str, str | None]


def detect_format(filename: str | None, content: bytes) -> FileFormat:
    """By extension first, else by the first non-blank character (``[``/``{`` means JSON)."""
    name = (filename or "").lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    head = content.lstrip()[:1]
    return "json" if head in (b"[", b"{") else "csv"


def read_records(content: bytes, fmt: FileFormat, columns: Columns, report: ImportReport) -> list[Record]:
    """Parse ``content``; file-level problems go to ``report`` at row 0 and return ``[]``."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        report.reject(0, None, f"the file is not UTF-8 (byte {error.start}); save it as UTF-8")
        return []
    records = _read_json(text, report) if fmt == "json" else _read_csv(text, report)
    if records is None:
        return []
    report.rows_total = len(records)
    if len(records) > MAX_ROWS:
        report.reject(0, None, f"{len(records)} rows; split the file into parts of at most {MAX_ROWS}")
        return []
    if not records:
        report.reject(0, None, "the file has no rows")
        return []
    _check_columns(records, columns, report)
    return records if report.ok else []


def _read_csv(text: str, report: ImportReport) -> list[Record] | None:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error as error:
        report.reject(0, None, f"not a readable CSV file ({error})")
        return None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        report.reject(0, None, "the file is empty; the first line must name the columns")
        return None
    header = [h.strip().lower() for h in rows[0]]
    if len(set(header)) != len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        report.reject(0, None, f"column(s) named twice in the header: {', '.join(twice)}")
        return None
    records: list[Record] = []
    for number, cells in enumerate(rows[1:], start=1):
        if len(cells) != len(header):
            report.reject(number, None, f"{len(cells)} field(s) but the header has {len(header)}")
            records.append({})
            continue
        records.append({h: (c.strip() or None) for h, c in zip(header, cells, strict=True)})
    return records


def _read_json(text: str, report: ImportReport) -> list[Record] | None:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        report.reject(0, None, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}")
        return None
    if isinstance(parsed, dict) and isinstance(parsed.get("rows"), list):
        parsed = parsed["rows"]
    if not isinstance(parsed, list):
        report.reject(0, None, 'expected a JSON list of objects (or {"rows": [...]})')
        return None
    records: list[Record] = []
    for number, item in enumerate(parsed, start=1):
        if not isinstance(item, dict):
            report.reject(number, None, "expected a JSON object")
            records.append({})
            continue
        record: Record = {}
        for key, value in item.items():
            name = str(key).strip().lower()
            if isinstance(value, (dict, list)):
                report.reject(number, name, "expected a plain value, not a list or object")
                value = None
            record[name] = _as_text(value)
        records.append(record)
    return records


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    text = str(value).strip()
    return text or None


def _check_columns(records: list[Record], columns: Columns, report: ImportReport) -> None:
    seen: set[str] = set()
    for record in records:
        seen.update(record)
    unknown = sorted(seen - set(columns.known))
    if unknown:
        report.reject(
            0,
            None,
            f"unknown column(s) {', '.join(unknown)}; expected {', '.join(columns.required)}"
            + (f" and optionally {', '.join(columns.optional)}" if columns.optional else ""),
        )
    missing = [c for c in columns.required if c not in seen]
    if missing:
        report.reject(0, None, f"missing column(s) {', '.join(missing)}")
