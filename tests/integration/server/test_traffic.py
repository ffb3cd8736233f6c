"""Traffic reads in the store's local time (DST days of 23 and 25 hours), completeness, occupancy."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from footfall.server.provisioning import World

from tests.integration.server.conftest import device_headers, login
from tests.integration.server.helpers import batch, coverage, crossing

URL = "/api/v1/ingest/crossings"
BERLIN, NEW_YORK = 0, 1


def _send_one_per_hour(client, world: World, store: int, day: date, *, seq0: int = 1) -> int:
    """One adult in at 20 past every real hour of the local ``day``, and full coverage; returns hours."""
    zone = ZoneInfo(world.stores[store].timezone)
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    end = (datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)).astimezone(UTC)
    hours = int((end - start).total_seconds() // 3600)
    crossings = [
        crossing(world, seq0 + h, start + timedelta(hours=h, minutes=20), store=store) for h in range(hours)
    ]
    minutes = [
        coverage(world, seq0 + hours + m, start + timedelta(minutes=m), store=store)
        for m in range(hours * 60)
    ]
    # Just outside the day on both sides: must not be counted in it.
    crossings.append(crossing(world, seq0 + 10_000, start - timedelta(seconds=1), store=store))
    crossings.append(crossing(world, seq0 + 10_001, end, store=store))
    answer = client.post(URL, json=batch(crossings, minutes), headers=device_headers(world, store))
    assert answer.status_code == 200, answer.text
    return hours


@pytest.mark.parametrize(
    ("store", "day", "hours", "first_offsets"),
    [
        (BERLIN, date(2026, 3, 29), 23, ("+01:00", "+02:00")),
        (BERLIN, date(2026, 10, 25), 25, ("+02:00", "+01:00")),
        (NEW_YORK, date(2026, 3, 8), 23, ("-05:00", "-04:00")),
        (NEW_YORK, date(2026, 11, 1), 25, ("-04:00", "-05:00")),
    ],
)
def test_dst_days_have_23_or_25_hourly_buckets(
    app_client, world: World, store, day, hours, first_offsets
) -> None:
    assert _send_one_per_hour(app_client, world, store, day) == hours
    headers = login(app_client, world, "hq_admin")
    store_id = world.stores[store].store_id
    params = {"start": day.isoformat(), "end": day.isoformat(), "granularity": "hour"}
    body = app_client.get(f"/api/v1/stores/{store_id}/traffic", params=params, headers=headers).json()
    assert body["timezone"] == world.stores[store].timezone
    buckets = body["buckets"]
    assert len(buckets) == hours
    assert all(b["in"] == 1 and b["out"] == 0 and b["coverage"] == 1.0 for b in buckets)
    starts = [datetime.fromisoformat(b["bucket_start"]) for b in buckets]
    assert starts[0].isoformat() == f"{day.isoformat()}T00:00:00{first_offsets[0]}"
    assert starts[-1].isoformat().endswith(first_offsets[1])
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(starts))
    daily = app_client.get(
        f"/api/v1/stores/{store_id}/traffic", params={**params, "granularity": "day"}, headers=headers
    ).json()["buckets"]
    assert [(b["bucket_start"][:10], b["in"], b["coverage"]) for b in daily] == [
        (day.isoformat(), hours, 1.0)
    ]
    quarter = app_client.get(
        f"/api/v1/stores/{store_id}/traffic", params={**params, "granularity": "15min"}, headers=headers
    ).json()["buckets"]
    assert len(quarter) == hours * 4 and sum(b["in"] for b in quarter) == hours


def test_week_by_line_and_person_class(app_client, world: World) -> None:
    monday = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    events = [
        crossing(world, 1, monday),
        crossing(world, 2, monday + timedelta(days=2), direction="out"),
        crossing(world, 3, monday + timedelta(days=6), person_class="child"),
        crossing(world, 4, monday + timedelta(days=7)),  # next week
    ]
    assert app_client.post(URL, json=batch(events), headers=device_headers(world)).status_code == 200
    headers = login(app_client, world, "store_manager")
    url = f"/api/v1/stores/{world.stores[0].store_id}/traffic"
    params = {"start": "2026-06-01", "end": "2026-06-14", "granularity": "week", "by": "line"}
    adults = app_client.get(url, params=params, headers=headers).json()["buckets"]
    assert [(b["bucket_start"], b["in"], b["out"], b["line_id"], b["entrance_id"]) for b in adults] == [
        ("2026-06-01T00:00:00+02:00", 1, 1, "door", world.stores[0].entrance_id),
        ("2026-06-08T00:00:00+02:00", 1, 0, "door", world.stores[0].entrance_id),
    ]
    everyone = app_client.get(url, params={**params, "person_class": "all"}, headers=headers).json()[
        "buckets"
    ]
    assert [b["in"] for b in everyone] == [2, 1]
    assert all(b["coverage"] == 0.0 for b in everyone)  # counts without coverage: completeness unknown


def test_traffic_is_scoped_and_validated(app_client, world: World) -> None:
    manager = login(app_client, world, "store_manager")
    hidden = world.stores[1].store_id
    params = {"start": "2026-06-01", "end": "2026-06-01"}
    assert (
        app_client.get(f"/api/v1/stores/{hidden}/traffic", params=params, headers=manager).status_code == 404
    )
    mine = world.stores[0].store_id
    bad = app_client.get(
        f"/api/v1/stores/{mine}/traffic", params={**params, "granularity": "minute"}, headers=manager
    )
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "query.granularity"
    backwards = app_client.get(
        f"/api/v1/stores/{mine}/traffic", params={"start": "2026-06-02", "end": "2026-06-01"}, headers=manager
    )
    assert backwards.status_code == 422 and backwards.json()["details"][0]["field"] == "end"


def test_occupancy_counts_since_day_start_and_never_goes_negative(app_client, world: World) -> None:
    now = datetime.now(UTC)
    events = [crossing(world, n, now - timedelta(seconds=n), store=NEW_YORK) for n in range(1, 4)]
    events.append(crossing(world, 4, now - timedelta(seconds=1), store=NEW_YORK, direction="out"))
    events.append(crossing(world, 5, now - timedelta(days=2), store=NEW_YORK))  # an earlier day
    events.append(crossing(world, 6, now - timedelta(seconds=1), store=NEW_YORK, person_class="staff"))
    assert (
        app_client.post(URL, json=batch(events), headers=device_headers(world, NEW_YORK)).status_code == 200
    )
    headers = login(app_client, world, "hq_admin")
    body = app_client.get(
        f"/api/v1/stores/{world.stores[NEW_YORK].store_id}/occupancy", headers=headers
    ).json()
    if datetime.fromisoformat(body["day_start"]) > now - timedelta(seconds=4):
        pytest.skip("the store's day started seconds ago; counts straddle the reset")
    assert (body["in"], body["out"], body["occupancy"]) == (3, 1, 2)
    more_out = [crossing(world, n, now, store=NEW_YORK, direction="out") for n in range(7, 11)]
    app_client.post(URL, json=batch(more_out), headers=device_headers(world, NEW_YORK))
    body = app_client.get(
        f"/api/v1/stores/{world.stores[NEW_YORK].store_id}/occupancy", headers=headers
    ).json()
    assert body["occupancy"] == 0 and body["out"] == 5


def test_rollup_views_agree_with_the_api(app_client, world: World, pg_dsn: str) -> None:
    import psycopg

    day = date(2026, 10, 25)
    hours = _send_one_per_hour(app_client, world, BERLIN, day)
    with psycopg.connect(pg_dsn) as conn:
        daily = conn.execute(
            "SELECT local_date, in_count FROM traffic_daily WHERE store_id = %s AND person_class = 'adult' "
            "ORDER BY local_date",
            (world.stores[BERLIN].store_id,),
        ).fetchall()
        hourly = conn.execute(
            "SELECT count(*), sum(in_count) FROM traffic_hourly WHERE store_id = %s AND bucket_start >= %s "
            "AND bucket_start < %s",
            (world.stores[BERLIN].store_id, *local_period_utc(day, "Europe/Berlin")),
        ).fetchone()
    assert (day, hours) in daily
    assert hourly == (hours, hours)


def local_period_utc(day: date, tz: str) -> tuple[datetime, datetime]:
    from footfall.server.traffic import local_period

    return local_period(day, day, tz)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [("Asia/Kolkata", "2026-06-01T14:00:00+05:30"), ("America/St_Johns", "2026-06-01T14:00:00-02:30")],
)
def test_half_hour_zones_bucket_on_their_local_hours(app_client, pg_dsn: str, tz: str, expected: str) -> None:
    import psycopg
    from footfall.server.provisioning import create_demo_world

    with psycopg.connect(pg_dsn) as conn:
        world = create_demo_world(conn, timezones=(tz,))
    local = datetime(2026, 6, 1, 14, 50, tzinfo=ZoneInfo(tz))
    sent = app_client.post(
        URL, json=batch([crossing(world, 1, local.astimezone(UTC))]), headers=device_headers(world)
    )
    assert sent.status_code == 200
    headers = login(app_client, world, "hq_admin")
    params = {"start": "2026-06-01", "end": "2026-06-01", "granularity": "hour"}
    url = f"/api/v1/stores/{world.stores[0].store_id}/traffic"
    buckets = app_client.get(url, params=params, headers=headers).json()["buckets"]
    assert [(b["bucket_start"], b["in"]) for b in buckets] == [(expected, 1)]
