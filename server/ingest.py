"""Ingest of a device's batch: validate everything first, then write all of it or nothing.

Validation beyond the wire contract (which FastAPI already enforced) is about ownership
and plausibility: a device writes only for its own cameras and their lines, and an event
from the far future is a broken clock, not a count. Each problem names its field
(``crossings.3.camera_id``) so the agent's log says exactly which row is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import psycopg
from footfall.server.auth.principal import DevicePrincipal
from footfall.server.db.queries import ingest as q
from footfall.server.errors import InvalidInput
from pydantic import BaseModel

from footfall.contracts import IngestBatch, IngestResult

#: How far ahead of the server's clock an event may be (device clocks drift; NTP may be late).
MAX_CLOCK_AHEAD = timedelta(hours=1)
MAX_DETAILS = 50


def check_batch(
    batch: IngestBatch, device: DevicePrincipal, line_keys: set[tuple[str, str]], *, now: datetime
) -> list[dict[str, str]]:
    """Field-level problems of a batch (empty = fine). Pure, so it is tested with tables of cases."""
    problems: list[dict[str, str]] = []
    latest = now + MAX_CLOCK_AHEAD
    for n, crossing in enumerate(batch.crossings):
        if crossing.camera_id not in device.camera_ids:
            problems.append(
                {
                    "field": f"crossings.{n}.camera_id",
                    "message": f"camera {crossing.camera_id!r} is not this device's",
                }
            )
        elif (crossing.camera_id, crossing.line_id) not in line_keys:
            problems.append(
                {
                    "field": f"crossings.{n}.line_id",
                    "message": f"camera {crossing.camera_id!r} has no line {crossing.line_id!r}",
                }
            )
        if crossing.ts > latest:
            problems.append(
                {
                    "field": f"crossings.{n}.ts",
                    "message": "more than an hour in the future; check the device clock",
                }
            )
    for n, minute in enumerate(batch.coverage):
        if minute.camera_id not in device.camera_ids:
            problems.append(
                {
                    "field": f"coverage.{n}.camera_id",
                    "message": f"camera {minute.camera_id!r} is not this device's",
                }
            )
        if minute.minute.second or minute.minute.microsecond:
            problems.append(
                {"field": f"coverage.{n}.minute", "message": "must be the start of a minute (seconds zero)"}
            )
        if minute.minute > latest:
            problems.append(
                {
                    "field": f"coverage.{n}.minute",
                    "message": "more than an hour in the future; check the device clock",
                }
            )
    return problems[:MAX_DETAILS]


def ingest_batch(conn: psycopg.Connection, device: DevicePrincipal, batch: IngestBatch) -> IngestResult:
    """Write a batch in the caller's transaction; repeated (device, seq) identities are duplicates."""
    line_keys = {
        (r[0], r[1]) if not isinstance(r, dict) else (r["camera_id"], r["line_id"])
        for r in conn.execute(q.DEVICE_LINE_KEYS, {"device_id": device.device_id}).fetchall()
    }
    problems = check_batch(batch, device, line_keys, now=datetime.now(UTC))
    if problems:
        raise InvalidInput(
            f"the batch has {len(problems)} invalid row(s); nothing was stored", details=problems
        )
    accepted = 0
    if batch.crossings:
        params = {"device_id": device.device_id, "rows": _as_json(batch.crossings, _CROSSING_FIELDS)}
        accepted += _scalar(conn.execute(q.INSERT_CROSSINGS, params).fetchone())
    if batch.coverage:
        params = {"device_id": device.device_id, "rows": _as_json(batch.coverage, _COVERAGE_FIELDS)}
        accepted += _scalar(conn.execute(q.INSERT_COVERAGE, params).fetchone())
    total = len(batch.crossings) + len(batch.coverage)
    max_seq = _scalar(conn.execute(q.MAX_SEQ, {"device_id": device.device_id}).fetchone())
    return IngestResult(accepted=accepted, duplicate=total - accepted, max_seq=max_seq)


#: The fields each statement reads from a record (``jsonb_to_recordset`` matches them by name).
_CROSSING_FIELDS = frozenset(
    {
        "seq",
        "ts",
        "camera_id",
        "line_id",
        "direction",
        "person_class",
        "group_id",
        "track_id",
        "confidence",
        "height_m",
    }
)
_COVERAGE_FIELDS = frozenset({"seq", "minute", "camera_id", "processed_s", "fps"})


def _as_json(records: Sequence[BaseModel], fields: frozenset[str]) -> str:
    return json.dumps([r.model_dump(mode="json", include=fields) for r in records])


def _scalar(row: object) -> int | None:
    value = next(iter(row.values())) if isinstance(row, dict) else row[0]  # type: ignore[index,union-attr]
    return None if value is None else int(value)
