"""Every TimescaleDB-only statement lives here, and nowhere else.

When the ``timescaledb`` extension is available the plain tables created by the
migrations become hypertables (raw crossings, coverage minutes and the 15-minute
rollups), old raw chunks are compressed and a retention policy drops raw events after
the rollups have long absorbed them. Without the extension nothing here runs.

Rollups are the same objects in both modes: ``traffic_15min`` and ``coverage_15min``
maintained inside the ingest transaction, and the ``traffic_hourly`` / ``traffic_daily``
views over them. We chose that over continuous aggregates on purpose: a continuous
aggregate reflects a late event only after its next refresh, and cannot bucket by each
store's own time zone; maintained bins give identical answers on plain PostgreSQL and
TimescaleDB and show a late event the moment it is stored.

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
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise MigrationError(
            f"TimescaleDB is available but could not be set up ({first}); add timescaledb to "
            "shared_preload_libraries or use a PostgreSQL without the extension"
        ) from error
    return True
