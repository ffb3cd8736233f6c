"""What an import did, row by row: the answer the API and the CLI give back.

A file is all-or-nothing: a single rejected row means nothing is written, and the report
lists every rejected row (not just the first) so the sender can fix the file in one go.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from footfall.server.errors import InvalidInput

Severity = Literal["rejected", "warning", "merged"]
ImportKind = Literal["sales", "customers", "staff"]
IMPORT_KINDS: tuple[ImportKind, ...] = ("sales", "customers", "staff")


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One thing wrong (or worth knowing) about one row.

    ``row`` is 1-based over the records: for CSV the first line after the header is row 1,
    for JSON the first object of the list. ``row`` 0 means the file as a whole (e.g. a
    missing column), so one bad header does not produce thousands of identical lines.
    """

    row: int
    field: str | None
    reason: str
    severity: Severity = "rejected"


@dataclass(slots=True)
class ImportReport:
    kind: ImportKind
    filename: str | None = None
    rows_total: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    #: Filled in by the transactional apply: what happened to the accepted rows.
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    applied: bool = False
    dry_run: bool = False
    import_id: str | None = None

    def reject(self, row: int, field_name: str | None, reason: str) -> None:
        self.issues.append(RowIssue(row, field_name, reason, "rejected"))

    def warn(self, row: int, field_name: str | None, reason: str) -> None:
        self.issues.append(RowIssue(row, field_name, reason, "warning"))

    def note_merge(self, row: int, field_name: str | None, reason: str) -> None:
        self.issues.append(RowIssue(row, field_name, reason, "merged"))

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({i.row for i in self.issues if i.severity == "rejected"})

    @property
    def ok(self) -> bool:
        return not any(i.severity == "rejected" for i in self.issues)

    @property
    def rows_rejected(self) -> int:
        bad = self.rejected_rows
        return self.rows_total if 0 in bad else len(bad)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "status": "dry_run" if self.dry_run and self.ok else "applied" if self.applied else "rejected",
            "rows_total": self.rows_total,
            "rows_rejected": self.rows_rejected,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "merged": self.merged,
            "import_id": self.import_id,
            "issues": [asdict(i) for i in self.issues],
        }

    def summary(self) -> str:
        """One line for the CLI and the error message."""
        if not self.ok:
            return (
                f"{self.kind} import rejected: {self.rows_rejected} of {self.rows_total} row(s) have errors; "
                "nothing was written"
            )
        verb = "checked" if self.dry_run else "imported"
        return (
            f"{self.kind} {verb}: {self.rows_total} row(s); {self.inserted} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.merged} merged"
        )


class ImportRejected(InvalidInput):
    """HTTP 422 carrying every rejected row as a ``details`` entry (and the whole report)."""

    code = "import_rejected"

    def __init__(self, report: ImportReport) -> None:
        details = [
            {
                "row": i.row,
                "field": f"row {i.row}" + (f".{i.field}" if i.field else ""),
                "message": i.reason,
            }
            for i in report.issues
            if i.severity == "rejected"
        ]
        super().__init__(report.summary(), details=details)
        self.report = report
