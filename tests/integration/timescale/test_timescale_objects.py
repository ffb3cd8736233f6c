"""TimescaleDB-only behaviour: the objects exist, compressed history still takes late events
exactly once, and the continuous aggregate agrees with the plain rollup it replaces."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from footfall.server.db import timescale
from footfall.server.provisioning import World

from tests.integration.server.conftest import device_headers
from tests.integration.server.helpers import batch, coverage, crossing

pytestmark = pytest.mark.timescale
URL = "/api/v1/ingest/crossings"


def _scalar(conn: psycopg.Connection, sql: str, params: tuple = ()) -> object:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def test_the_timescale_objects_and_policies_exist(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert timescale.extension_installed(conn)
        assert set(timescale.hypertables(conn)) == {t for t, _, _ in timescale.HYPERTABLES}
        assert timescale.continuous_aggregates(conn) == list(timescale.CONTINUOUS_AGGREGATES)
        jobs = set(
            conn.execute(
                "SELECT proc_name, hypertable_name FROM timescaledb_information.jobs "
                "WHERE hypertable_name IS NOT NULL"
            ).fetchall()
        )
        assert jobs == {
            ("policy_compression", "crossing_events"),
            ("policy_compression", "coverage_minutes"),
            ("policy_retention", "crossing_events"),
            ("policy_retention", "coverage_minutes"),
            ("policy_refresh_continuous_aggregate", "traffic_hourly"),
        }
        assert timescale.apply(conn) is True  # a second run changes nothing and does not fail
        assert timescale.continuous_aggregates(conn) == ["traffic_hourly"]


def test_a_late_event_into_a_compressed_chunk_counts_once(app_client, world: World, pg_dsn: str) -> None:
    old = datetime(2025, 1, 15, 10, 5, tzinfo=UTC)
    first = [crossing(world, 1, old), crossing(world, 2, old + timedelta(minutes=1), direction="out")]
    sent = batch(first, [coverage(world, 3, old.replace(minute=0))])
    assert app_client.post(URL, json=sent, headers=device_headers(world)).json()["accepted"] == 3
    store_id = world.stores[0].store_id
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        compressed = conn.execute(
            "SELECT compress_chunk(c, if_not_compressed => TRUE) FROM show_chunks('crossing_events', "
            "older_than => %s::timestamptz + interval '1 day') c",
            (old,),
        ).fetchall()
        assert compressed, "the test needs a compressed chunk to write into"
        assert _scalar(
            conn,
            "SELECT bool_or(is_compressed) FROM timescaledb_information.chunks WHERE hypertable_name = "
            "'crossing_events' AND range_start <= %s AND range_end > %s",
            (old, old),
        )
    # The agent re-sends the old batch (duplicates) plus one more crossing from the same hour.
    again = batch([*first, crossing(world, 4, old + timedelta(minutes=7))])
    result = app_client.post(URL, json=again, headers=device_headers(world)).json()
    assert (result["accepted"], result["duplicate"]) == (1, 2)
    with psycopg.connect(pg_dsn) as conn:
        assert _scalar(conn, "SELECT count(*) FROM crossing_events WHERE store_id = %s", (store_id,)) == 3
        bins = conn.execute(
            "SELECT sum(in_count), sum(out_count) FROM traffic_15min WHERE store_id = %s", (store_id,)
        ).fetchone()
        assert tuple(bins) == (2, 1)


def test_the_continuous_aggregate_equals_the_hourly_sums_before_and_after_refresh(
    app_client,
    world: World,
    pg_dsn: str,
) -> None:
    start = datetime(2026, 2, 3, 8, 0, tzinfo=UTC)
    events = [crossing(world, i + 1, start + timedelta(minutes=7 * i)) for i in range(40)]
    assert app_client.post(URL, json=batch(events), headers=device_headers(world)).json()["accepted"] == 40
    store_id = world.stores[0].store_id
    expected_sql = (
        "SELECT date_trunc('hour', bucket_start), sum(in_count)::bigint FROM traffic_15min "
        "WHERE store_id = %s GROUP BY 1 ORDER BY 1"
    )
    hourly_sql = "SELECT bucket_start, in_count FROM traffic_hourly WHERE store_id = %s ORDER BY 1"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        expected = conn.execute(expected_sql, (store_id,)).fetchall()
        assert sum(n for _, n in expected) == 40 and len(expected) == 5
        assert conn.execute(hourly_sql, (store_id,)).fetchall() == expected  # live part
        timescale.refresh_continuous_aggregates(conn)
        assert conn.execute(hourly_sql, (store_id,)).fetchall() == expected  # materialised
    # A late event into a materialised hour: exact again after the next refresh.
    late = batch([crossing(world, 100, start + timedelta(minutes=30))])
    assert app_client.post(URL, json=late, headers=device_headers(world)).json()["accepted"] == 1
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        timescale.refresh_continuous_aggregates(conn)
        after = conn.execute(hourly_sql, (store_id,)).fetchall()
        assert after == conn.execute(expected_sql, (store_id,)).fetchall()
        assert after[0][1] == expected[0][1] + 1


def test_health_reports_the_timescale_objects(app_client) -> None:
    body = app_client.get("/health").json()
    assert body["timescaledb"]["installed"] is True
    assert set(body["timescaledb"]["hypertables"]) == {t for t, _, _ in timescale.HYPERTABLES}
    assert body["timescaledb"]["continuous_aggregates"] == ["traffic_hourly"]
