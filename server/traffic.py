"""Traffic in the store's own time: periods, local buckets, completeness and live occupancy.

The pure half (:func:`local_period`, :func:`bucket_end`, :func:`day_start`, :func:`coverage_share`)
decides the calendar; :func:`read_traffic` and :func:`read_occupancy` only fetch and assemble.
Completeness (``coverage``) is the share of camera-seconds in a bucket during which the
cameras that count it were processing frames: 1.0 means "every second was watched", so a
zero next to a 1.0 means nobody came, and a zero next to 0.0 means we do not know.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import psycopg
from footfall.server.db.queries import traffic as q
from footfall.server.errors import InvalidInput, NotFound
from psycopg.rows import tuple_row

Granularity = Literal["15min", "hour", "day", "week"]
Grouping = Literal["store", "entrance", "line"]
MAX_DAYS = 400


def local_period(start: date, end: date, timezone: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight at ``start`` and after ``end`` (inclusive local dates)."""
    if end < start:
        raise InvalidInput(
            "end is before start", details=[{"field": "end", "message": "must be on or after start"}]
        )
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(
            f"at most {MAX_DAYS} days at once",
            details=[{"field": "end", "message": f"period longer than {MAX_DAYS} days"}],
        )
    zone = ZoneInfo(timezone)
    first = datetime.combine(start, time(0), zone).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return first, after


def bucket_end(bucket_utc: datetime, granularity: Granularity, zone: ZoneInfo) -> datetime:
    """When a local bucket starting at ``bucket_utc`` ends (a DST day is 23 or 25 hours long)."""
    if granularity == "15min":
        return bucket_utc + timedelta(minutes=15)
    if granularity == "hour":
        return bucket_utc + timedelta(hours=1)
    local = bucket_utc.astimezone(zone)
    days = 1 if granularity == "day" else 7
    return datetime.combine(local.date() + timedelta(days=days), time(0), zone).astimezone(UTC)


def day_start(now: datetime, timezone: str, starts_at: time) -> datetime:
    """The start (UTC) of the store's current business day: today's ``starts_at``, or yesterday's if not reached."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), starts_at, zone)
    if start > local:
        start = datetime.combine(local.date() - timedelta(days=1), starts_at, zone)
    return start.astimezone(UTC)


def coverage_share(covered_s: float, cameras: int, seconds: float) -> float:
    if cameras <= 0 or seconds <= 0:
        return 0.0
    return round(min(1.0, covered_s / (cameras * seconds)), 4)


def store_clock(conn: psycopg.Connection, store_id: str) -> tuple[str, time]:
    with conn.cursor(row_factory=tuple_row) as cur:
        row = cur.execute(q.STORE_CLOCK, {"store_id": store_id}).fetchone()
    if row is None:
        raise NotFound(f"no store {store_id!r}")
    return row[0], row[1]


def read_traffic(
    conn: psycopg.Connection,
    store_id: str,
    start: date,
    end: date,
    *,
    granularity: Granularity = "hour",
    by: Grouping = "store",
    person_class: str | None = "adult",
) -> dict:
    """Counts per local bucket (and entrance or line), with completeness; ``end`` is inclusive.

    Buckets appear when anything was counted or any camera was watching; a bucket that is
    absent had no data at all (the dashboard shows a gap, not a zero).
    """
    timezone, _ = store_clock(conn, store_id)
    first, after = local_period(start, end, timezone)
    params = {
        "store_id": store_id,
        "start": first,
        "end": after,
        "granularity": granularity,
        "timezone": timezone,
        "by": by,
        "person_class": person_class,
    }
    with conn.cursor(row_factory=tuple_row) as cur:
        rows = cur.execute(q.TRAFFIC, params).fetchall()
    with_entrance, with_line = by in ("entrance", "line"), by == "line"
    buckets = []
    for bucket_start, entrance_id, camera_id, line_id, n_in, n_out, covered_s, cameras, seconds in rows:
        item = {
            "bucket_start": bucket_start,
            "in": n_in,
            "out": n_out,
            "coverage": coverage_share(covered_s, cameras, seconds),
        }
        if with_entrance:
            item["entrance_id"] = entrance_id
        if with_line:
            item["camera_id"] = camera_id
            item["line_id"] = line_id
        buckets.append(item)
    return {
        "store_id": store_id,
        "timezone": timezone,
        "granularity": granularity,
        "by": by,
        "buckets": buckets,
    }


def read_occupancy(conn: psycopg.Connection, store_id: str, *, now: datetime | None = None) -> dict:
    """People inside now: in − out since the business day started, never below zero."""
    now = now or datetime.now(UTC)
    timezone, starts_at = store_clock(conn, store_id)
    since = day_start(now, timezone, starts_at)
    params = {"store_id": store_id, "since": since, "until": now}
    with conn.cursor(row_factory=tuple_row) as cur:
        n_in, n_out = cur.execute(q.OCCUPANCY, params).fetchone()
        covered_s, _ = cur.execute(q.COVERED_SINCE, params).fetchone()
        (cameras,) = cur.execute(q.STORE_CAMERA_COUNT, params).fetchone()
    elapsed = (now - since).total_seconds()
    return {
        "store_id": store_id,
        "as_of": now.astimezone(ZoneInfo(timezone)).isoformat(),
        "day_start": since.astimezone(ZoneInfo(timezone)).isoformat(),
        "in": int(n_in),
        "out": int(n_out),
        "occupancy": max(0, int(n_in) - int(n_out)),
        "coverage": coverage_share(float(covered_s), int(cameras), elapsed),
    }
