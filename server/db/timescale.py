"""Every TimescaleDB-only statement lives here, and nowhere else.

When the ``timescaledb`` extension is available the plain tables created by the
migrations become hypertables (raw crossings, coverage minutes and the 15-minute
rollups), ``traffic_hourly`` becomes a continuous aggregate with a refresh policy, old raw
chunks are compressed and a retention policy drops raw events after the rollups have long
absorbed them. Without the extension nothing here runs, and the same names are plain
tables and views giving the same answers.

Which rollups are continuous aggregates, and why not all of them:

- ``traffic_15min`` / ``coverage_15min`` stay tables maintained inside the ingest
  statement in both modes. A continuous aggregate reflects an event that arrives late
  (an agent's outbox after a days-long outage) only after its next refresh, and a refresh
  cannot run inside the ingest transaction; maintained bins show the late event the
  moment the upload is acknowledged, which is what a store manager re-opening yesterday's
  report expects.
- ``traffic_hourly`` (UTC hours) is a real-time continuous aggregate over the 15-minute
  hypertable: hours up to the refresh watermark are materialised, newer ones computed
  live, so fresh data is exact at once; a late correction to an hour already materialised
  shows after the next policy run (every ``HOURLY_REFRESH_EVERY``).
- ``traffic_daily`` and ``traffic_store_days`` are per store-local day. A continuous
  aggregate buckets by one fixed time zone only, so these stay a view and a
  trigger-maintained table over the 15-minute bins.

Every statement here is idempotent: :func:`apply` runs after each ``footfall db migrate``.
"""

from __future__ import annotations

import logging

import psycopg
from footfall.server.errors import MigrationError

log = logging.getLogger(__name__)

#: (table, time column, chunk interval)
HYPERTABLES = (
    ("crossing_events", "event_time", "7 days"),
    ("coverage_minutes", "minute", "7 days"),
    ("traffic_15min", "bucket_start", "30 days"),
    ("coverage_15min", "bucket_start", "30 days"),
)
#: Raw tables: compressed once older than this (late events up to then stay cheap to insert)…
COMPRESS_AFTER = "30 days"
#: …and dropped after this; the 15-minute rollups are kept.
RAW_RETENTION = "3 years"
COMPRESSED = (("crossing_events", "store_id", "event_time"), ("coverage_minutes", "store_id", "minute"))

_CREATE_HYPERTABLE = """
SELECT create_hypertable(%(table)s::regclass, %(column)s::name, chunk_time_interval => %(chunk)s::interval,
                         if_not_exists => TRUE, migrate_data => TRUE)
"""
_COMPRESSION_ENABLED = """
SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_name = %(table)s
"""
_ADD_COMPRESSION_POLICY = (
    "SELECT add_compression_policy(%(table)s::regclass, %(after)s::interval, if_not_exists => TRUE)"
)
_ADD_RETENTION_POLICY = (
    "SELECT add_retention_policy(%(table)s::regclass, %(after)s::interval, if_not_exists => TRUE)"
)
#: How often the policy refreshes ``traffic_hourly``, and how recent an hour it leaves to the live part.
HOURLY_REFRESH_EVERY = "15 minutes"
HOURLY_END_OFFSET = "1 hour"
CONTINUOUS_AGGREGATES = ("traffic_hourly",)

_IS_CONTINUOUS_AGGREGATE = (
    "SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_name = %(name)s"
)
# Same name, columns and meaning as the plain view of migration 0002 (UTC hours).
_CREATE_TRAFFIC_HOURLY = """
CREATE MATERIALIZED VIEW traffic_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT store_id, entrance_id, person_class, time_bucket(INTERVAL '1 hour', bucket_start) AS bucket_start,
       sum(in_count)::bigint AS in_count, sum(out_count)::bigint AS out_count
FROM traffic_15min
GROUP BY store_id, entrance_id, person_class, time_bucket(INTERVAL '1 hour', bucket_start)
WITH NO DATA
"""
# start_offset NULL: a late event of any age is folded in at the next run, not only recent ones.
_ADD_HOURLY_REFRESH_POLICY = """
SELECT add_continuous_aggregate_policy('traffic_hourly', start_offset => NULL,
                                       end_offset => %(end)s::interval, schedule_interval => %(every)s::interval,
                                       if_not_exists => TRUE)
"""
_HYPERTABLE_NAMES = "SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1"
# ALTER TABLE cannot take parameters; the table and column names are this module's constants.
_ENABLE_COMPRESSION = {
    "crossing_events": "ALTER TABLE crossing_events SET (timescaledb.compress, "
    "timescaledb.compress_segmentby = 'store_id', timescaledb.compress_orderby = 'event_time')",
    "coverage_minutes": "ALTER TABLE coverage_minutes SET (timescaledb.compress, "
    "timescaledb.compress_segmentby = 'store_id', timescaledb.compress_orderby = 'minute')",
}


def extension_available(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").fetchone()
    return row is not None


def extension_installed(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    return row is not None


def hypertables(conn: psycopg.Connection) -> list[str]:
    if not extension_installed(conn):
        return []
    return [
        r["hypertable_name"] if isinstance(r, dict) else r[0]
        for r in conn.execute(_HYPERTABLE_NAMES).fetchall()
    ]


def continuous_aggregates(conn: psycopg.Connection) -> list[str]:
    if not extension_installed(conn):
        return []
    rows = conn.execute(
        "SELECT view_name FROM timescaledb_information.continuous_aggregates ORDER BY 1"
    ).fetchall()
    return [r["view_name"] if isinstance(r, dict) else r[0] for r in rows]


def refresh_continuous_aggregates(conn: psycopg.Connection) -> None:
    """Fold every pending change into the continuous aggregates now (``conn`` in autocommit).

    The policy does this on its schedule; call it after a bulk back-fill of old days, and
    the tests call it to compare materialised answers with the plain path.
    """
    for name in continuous_aggregates(conn):
        conn.execute("CALL refresh_continuous_aggregate(%s::regclass, NULL, NULL)", (name,))


def apply(conn: psycopg.Connection) -> bool:
    """Create the Timescale objects if the extension is available; return whether it is in use."""
    if not extension_available(conn):
        return False
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
            for table, column, chunk in HYPERTABLES:
                conn.execute(_CREATE_HYPERTABLE, {"table": table, "column": column, "chunk": chunk})
            for table, _segment, _order in COMPRESSED:
                row = conn.execute(_COMPRESSION_ENABLED, {"table": table}).fetchone()
                enabled = row and (row["compression_enabled"] if isinstance(row, dict) else row[0])
                if not enabled:
                    conn.execute(_ENABLE_COMPRESSION[table])
                conn.execute(_ADD_COMPRESSION_POLICY, {"table": table, "after": COMPRESS_AFTER})
                conn.execute(_ADD_RETENTION_POLICY, {"table": table, "after": RAW_RETENTION})
            if conn.execute(_IS_CONTINUOUS_AGGREGATE, {"name": "traffic_hourly"}).fetchone() is None:
                conn.execute("DROP VIEW IF EXISTS traffic_hourly")
                conn.execute(_CREATE_TRAFFIC_HOURLY)
            conn.execute(
                _ADD_HOURLY_REFRESH_POLICY, {"end": HOURLY_END_OFFSET, "every": HOURLY_REFRESH_EVERY}
            )
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise MigrationError(
            f"TimescaleDB is available but could not be set up ({first}); add timescaledb to "
            "shared_preload_libraries or use a PostgreSQL without the extension"
        ) from error
    return True
