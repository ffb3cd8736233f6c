"""The TimescaleDB path: runs only against a database with the extension (FOOTFALL_TEST_DATABASE_URL).

The rest of this suite runs unchanged against TimescaleDB too, which is how "identical
answers" is checked; this file checks only the Timescale-specific objects.
"""

from __future__ import annotations

import psycopg
import pytest
from footfall.server.db import timescale


@pytest.mark.timescale
def test_timescale_objects_exist_when_the_extension_is_available(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        if not timescale.extension_available(conn):
            pytest.skip("TimescaleDB is not available in this PostgreSQL; the plain path is what ran")
        assert timescale.extension_installed(conn)
        assert set(timescale.hypertables(conn)) >= {t for t, _, _ in timescale.HYPERTABLES}
        jobs = {
            r[0]
            for r in conn.execute(
                "SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name = 'crossing_events'"
            ).fetchall()
        }
        assert {"policy_compression", "policy_retention"} <= jobs
        assert timescale.apply(conn) is True  # idempotent: a second run changes nothing and does not fail


def test_plain_postgresql_has_the_same_rollup_names(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_name IN ('traffic_15min', 'coverage_15min', 'traffic_hourly', 'traffic_daily')"
            ).fetchall()
        }
    assert names == {"traffic_15min", "coverage_15min", "traffic_hourly", "traffic_daily"}
