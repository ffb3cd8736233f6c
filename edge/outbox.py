"""The durable outbox: every count is on disk (fsynced) before anything else hears of it.

A row's life::

    pending ──claim──► in_flight ──ack──► sent ──(after retention_days)──► pruned
       ▲                   │ │
       └──release/recover──┘ └──reject (a 4xx names the row bad)──► rejected (kept, with reason)

- **Identity** is ``(device, seq)``. ``seq`` is one device-wide sequence for crossings and
  coverage minutes alike, assigned here by SQLite ``AUTOINCREMENT`` (never reused, even after
  the newest rows are pruned). A brand-new outbox starts its sequence at the current time
  in microseconds, so re-installing an agent on the same device (a fresh file) keeps
  numbering above anything the server already holds instead of colliding with it.
- **Durability**: WAL journal with ``synchronous=FULL``: a commit returns only after the
  WAL is fsynced. :meth:`Outbox.append` commits before it returns the numbered records.
- **Recovery**: rows left ``in_flight`` by a crash or SIGKILL go back to ``pending`` when
  the outbox is opened; the server's insert is idempotent, so re-sending them is safe.
- **Retention is explicit**: only ``sent`` rows are ever deleted (:meth:`Outbox.prune_sent`).
  Unsent rows are never dropped; when the file outgrows its disk budget the outbox says so
  in :meth:`Outbox.stats` (and the agent's health report), it does not make room silently.

Modelled on Mozilla ingestion-edge and persist-queue (acknowledge after success, recover
in-flight rows, named retention), written for this product's contracts.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from footfall.edge.errors import OutboxError

from footfall.contracts import CoverageMinute, CrossingEvent, CrossingRecord

log = logging.getLogger(__name__)

RowState = Literal["pending", "in_flight", "sent", "rejected"]
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT    NOT NULL CHECK (kind IN ('crossing', 'coverage')),
    body       TEXT    NOT NULL,
    event_at   REAL    NOT NULL,
    created_at REAL    NOT NULL,
    bytes      INTEGER NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'in_flight', 'sent', 'rejected')),
    state_at   REAL    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    reason     TEXT
);
CREATE INDEX IF NOT EXISTS outbox_state_seq ON outbox (state, seq);
CREATE INDEX IF NOT EXISTS outbox_state_event ON outbox (state, event_at);
CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class CoverageDraft:
    """A finished minute of a camera's coverage, before the outbox numbers it."""

    camera_id: str
    minute: datetime
    processed_s: float
    fps: float


@dataclass(frozen=True, slots=True)
class Claim:
    """Rows taken for one upload; they are ``in_flight`` until acked, released or rejected."""

    crossings: tuple[CrossingRecord, ...]
    coverage: tuple[CoverageMinute, ...]
    bytes: int

    @property
    def seqs(self) -> list[int]:
        return [r.seq for r in self.crossings] + [c.seq for c in self.coverage]

    def __len__(self) -> int:
        return len(self.crossings) + len(self.coverage)


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    in_flight: int
    sent: int
    rejected: int
    oldest_unsent_at: datetime | None
    disk_used_bytes: int
    disk_budget_bytes: int
    last_seq: int

    @property
    def backlog(self) -> int:
        return self.pending + self.in_flight

    @property
    def disk_budget_exceeded(self) -> bool:
        return self.disk_used_bytes >= self.disk_budget_bytes


@dataclass(frozen=True, slots=True)
class RejectedRow:
    seq: int
    kind: str
    body: dict
    reason: str


class Outbox:
    """A thread-safe SQLite queue of numbered crossings and coverage minutes.

    ``clock`` (seconds since the epoch) is injectable so retention can be tested without
    waiting days.
    """

    def __init__(
        self,
        path: Path,
        *,
        disk_budget_bytes: int = 512 * 1024 * 1024,
        first_seq: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.disk_budget_bytes = disk_budget_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._budget_warned = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._configure(first_seq)
            self.recovered = self._recover_in_flight()
        except sqlite3.Error as error:
            raise OutboxError(
                f"cannot open the outbox {self.path}: {error}; check the disk and file permissions"
            ) from error
        if self.recovered:
            log.warning(
                "outbox: %d rows were in flight at the last stop; they will be sent again", self.recovered
            )

    # -- set-up -------------------------------------------------------------------------

    def _configure(self, first_seq: int | None) -> None:
        db = self._db
        fresh = db.execute("SELECT name FROM sqlite_master WHERE name = 'outbox'").fetchone() is None
        if fresh:
            # Must precede the first table so freed pages can be returned to the disk.
            db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise OutboxError(f"the outbox {self.path} needs WAL journaling but got {mode}")
        db.execute("PRAGMA synchronous = FULL")  # fsync the WAL at every commit
        db.execute("PRAGMA journal_size_limit = 67108864")
        db.execute("PRAGMA foreign_keys = ON")
        db.executescript(_SCHEMA)
        if fresh:
            start = first_seq if first_seq is not None else int(self._clock() * 1_000_000)
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", (max(start, 1) - 1,))
            db.execute(
                "INSERT OR REPLACE INTO outbox_meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            db.execute("COMMIT")

    def _recover_in_flight(self) -> int:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE outbox SET state = 'pending', state_at = ? WHERE state = 'in_flight'",
                (self._clock(),),
            )
            return cursor.rowcount

    # -- writing --------------------------------------------------------------------------

    def append(
        self, crossings: Sequence[CrossingEvent] = (), coverage: Sequence[CoverageDraft] = ()
    ) -> tuple[list[CrossingRecord], list[CoverageMinute]]:
        """Number and durably store crossings and coverage minutes in one transaction.

        Returns the numbered records only after the commit (and its fsync) succeeded.
        """
        if not crossings and not coverage:
            return [], []
        now = self._clock()
        records: list[CrossingRecord] = []
        minutes: list[CoverageMinute] = []
        with self._lock, self._transaction():
            for event in crossings:
                body = event.model_dump_json()
                seq = self._insert("crossing", body, event.ts.timestamp(), now)
                records.append(CrossingRecord(**event.model_dump(), seq=seq))
            for draft in coverage:
                fields = {
                    "camera_id": draft.camera_id,
                    "minute": draft.minute.astimezone(UTC).isoformat(),
                    "processed_s": round(min(max(draft.processed_s, 0.0), 60.0), 3),
                    "fps": round(min(max(draft.fps, 0.0), 1000.0), 3),
                }
                body = json.dumps(fields, separators=(",", ":"))
                seq = self._insert("coverage", body, draft.minute.timestamp(), now)
                minutes.append(CoverageMinute(seq=seq, **fields))
        self._check_budget()
        return records, minutes

    def _insert(self, kind: str, body: str, event_at: float, now: float) -> int:
        cursor = self._db.execute(
            "INSERT INTO outbox (kind, body, event_at, created_at, bytes, state_at) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, body, event_at, now, len(body) + 16, now),
        )
        return int(cursor.lastrowid)

    # -- the upload cycle -----------------------------------------------------------------

    def claim(self, *, max_rows: int, max_bytes: int) -> Claim:
        """Take the oldest pending rows (at most ``max_rows`` and about ``max_bytes``) in flight.

        At least one row is claimed when any is pending, even if it alone exceeds ``max_bytes``.
        """
        now = self._clock()
        with self._lock, self._transaction():
            rows = self._db.execute(
                "SELECT seq, kind, body, bytes FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?",
                (max_rows,),
            ).fetchall()
            taken: list[tuple[int, str, str]] = []
            total = 0
            for seq, kind, body, size in rows:
                if taken and total + size > max_bytes:
                    break
                taken.append((seq, kind, body))
                total += size
            if taken:
                self._db.execute(
                    "UPDATE outbox SET state = 'in_flight', state_at = ?, attempts = attempts + 1 "
                    "WHERE state = 'pending' AND seq BETWEEN ? AND ?",
                    (now, taken[0][0], taken[-1][0]),
                )
        crossings = tuple(
            CrossingRecord(**json.loads(body), seq=seq) for seq, kind, body in taken if kind == "crossing"
        )
        coverage = tuple(
            CoverageMinute(**json.loads(body), seq=seq) for seq, kind, body in taken if kind == "coverage"
        )
        return Claim(crossings, coverage, total)

    def mark_sent(self, seqs: Sequence[int]) -> int:
        """The server acknowledged these rows (accepted or already held)."""
        return self._move(seqs, "in_flight", "sent")

    def release(self, seqs: Sequence[int]) -> int:
        """A transient failure: the rows go back to pending and will be sent again."""
        return self._move(seqs, "in_flight", "pending")

    def reject(self, seqs: Sequence[int], reason: str) -> int:
        """The server refused these rows for good: keep them aside, with its reason."""
        log.error("outbox: %d rows rejected by the server and kept aside: %s", len(seqs), reason)
        return self._move(seqs, "in_flight", "rejected", reason=reason[:2000])

    def requeue_rejected(self) -> int:
        """After a fix on the server, send the rejected rows again (an operator's decision)."""
        with self._lock:
            return self._db.execute(
                "UPDATE outbox SET state = 'pending', state_at = ?, reason = NULL WHERE state = 'rejected'",
                (self._clock(),),
            ).rowcount

    def _move(
        self, seqs: Sequence[int], from_state: RowState, to_state: RowState, reason: str | None = None
    ) -> int:
        if not seqs:
            return 0
        now = self._clock()
        moved = 0
        with self._lock, self._transaction():
            for start in range(0, len(seqs), 500):
                chunk = list(seqs[start : start + 500])
                marks = ",".join("?" * len(chunk))
                moved += self._db.execute(
                    f"UPDATE outbox SET state = ?, state_at = ?, reason = ? "  # noqa: S608 - placeholders only
                    f"WHERE state = ? AND seq IN ({marks})",
                    (to_state, now, reason, from_state, *chunk),
                ).rowcount
        return moved

    # -- retention and reporting ----------------------------------------------------------

    def prune_sent(self, *, older_than_days: float) -> int:
        """Delete sent rows acknowledged more than ``older_than_days`` ago. Never touches unsent rows."""
        cutoff = self._clock() - older_than_days * 86400.0
        with self._lock:
            deleted = self._db.execute(
                "DELETE FROM outbox WHERE state = 'sent' AND state_at < ?", (cutoff,)
            ).rowcount
            if deleted:
                self._db.execute("PRAGMA incremental_vacuum")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if deleted:
            log.info("outbox: pruned %d sent rows older than %.1f days", deleted, older_than_days)
        self._budget_warned = False
        self._check_budget()
        return deleted

    def stats(self) -> OutboxStats:
        with self._lock:
            counts = dict(self._db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
            oldest = self._db.execute(
                "SELECT min(event_at) FROM outbox WHERE state IN ('pending', 'in_flight')"
            ).fetchone()[0]
            last_seq = self._last_seq()
        return OutboxStats(
            pending=counts.get("pending", 0),
            in_flight=counts.get("in_flight", 0),
            sent=counts.get("sent", 0),
            rejected=counts.get("rejected", 0),
            oldest_unsent_at=None if oldest is None else datetime.fromtimestamp(oldest, UTC),
            disk_used_bytes=self.disk_used_bytes(),
            disk_budget_bytes=self.disk_budget_bytes,
            last_seq=last_seq,
        )

    def rejected_rows(self, limit: int = 100) -> list[RejectedRow]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, kind, body, reason FROM outbox WHERE state = 'rejected' ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [RejectedRow(seq, kind, json.loads(body), reason or "") for seq, kind, body, reason in rows]

    def state_of(self, seq: int) -> RowState | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM outbox WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else row[0]

    def last_seq(self) -> int:
        with self._lock:
            return self._last_seq()

    def _last_seq(self) -> int:
        row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        return int(row[0]) if row else 0

    def advance_sequence(self, above: int) -> None:
        """Make the next seq larger than ``above`` (the server holds numbers this file never gave)."""
        with self._lock, self._transaction():
            self._db.execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'", (int(above),)
            )

    def disk_used_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                total += (self.path.parent / (self.path.name + suffix)).stat().st_size
            except FileNotFoundError:
                continue
        return total

    def _check_budget(self) -> None:
        used = self.disk_used_bytes()
        if used >= self.disk_budget_bytes and not self._budget_warned:
            self._budget_warned = True
            log.error(
                "outbox: %s uses %.1f MB, over its budget of %.1f MB; unsent counts are kept, "
                "fix the uplink or raise outbox.disk_budget_mb",
                self.path,
                used / 1e6,
                self.disk_budget_bytes / 1e6,
            )

    # -- plumbing -------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self.path)

    def close(self) -> None:
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as error:  # closing anyway; the WAL is replayed on next open
                log.warning("outbox: checkpoint at close failed: %s", error)
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; SQLite errors become :class:`OutboxError`."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self._path = path

    def __enter__(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise OutboxError(f"outbox {self._path}: cannot start a transaction: {error}") from error

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            try:
                self._db.execute("COMMIT")
                return
            except sqlite3.Error as error:
                self._db.execute("ROLLBACK")
                raise OutboxError(
                    f"outbox {self._path}: cannot commit ({error}); is the disk full or read-only?"
                ) from error
        self._db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.Error):
            raise OutboxError(f"outbox {self._path}: {exc}; is the disk full or read-only?") from exc
