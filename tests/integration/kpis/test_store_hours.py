"""traffic_store_hours (migration 0015): the local hours and expected levels the row triggers keep
equal what a rebuild from the quarter hours derives, through late events, DST days, an
opening-hours change, a camera added, a time-zone change and store deletion; and anomalies read
from them answer exactly what the hour-by-hour loop (``reference.py``) answers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import psycopg
from footfall.server.kpis import service
from footfall.server.provisioning import World

from tests.integration.kpis import reference
from tests.integration.kpis.test_fast_paths import LONDON_HOURS, NEW_YORK_HOURS, seeded  # noqa: F401 - fixture

HOURS_SQL = """
SELECT store_id, hour_start, weekday, hour, visitors, coverage, expected
FROM traffic_store_hours WHERE store_id = ANY(%s) ORDER BY store_id, hour_start
"""


def _hours(db: psycopg.Connection, store_ids: list[str]) -> list[tuple]:
    return [tuple(r.values()) for r in db.execute(HOURS_SQL, (store_ids,)).fetchall()]


def _assert_equal_to_a_rebuild(db: psycopg.Connection, store_ids: list[str]) -> list[tuple]:
    kept = _hours(db, store_ids)
    db.execute("SELECT footfall_refresh_store_hours(%s)", (store_ids,))
    rebuilt = _hours(db, store_ids)
    assert kept == rebuilt
    return kept


def test_the_triggers_keep_store_hours_equal_to_a_rebuild(
    db: psycopg.Connection,
    seeded: World,  # noqa: F811 - the fixture imported above
) -> None:
    london, new_york = (s.store_id for s in seeded.stores)
    ids = [london, new_york]
    # the seed itself: two DST changes per store, a late correction on London's fall-back day
    start = _assert_equal_to_a_rebuild(db, ids)
    assert len(start) > 2000 and sum(r[6] is not None for r in start) > 300
    fall_back = [r for r in start if r[0] == london and r[1].date() == date(2026, 10, 25) and r[3] == 1]
    assert len(fall_back) == 2  # 01:00 twice, both kept apart

    # late events: more visitors in an hour whose camera was up (its next 8 weeks re-take their
    # median), a quarter hour's coverage lost, a quarter hour of traffic removed, and the
    # coverage of a whole camera-down day arriving late
    db.execute(
        "UPDATE traffic_15min SET in_count = in_count + 300 WHERE store_id = %s AND bucket_start = %s"
        " AND line_id = 'door' AND person_class = 'adult'",
        (london, datetime(2026, 3, 3, 10, 15, tzinfo=UTC)),
    )
    db.execute(
        "UPDATE coverage_15min SET covered_s = 0 WHERE store_id = %s AND bucket_start = %s",
        (new_york, datetime(2026, 3, 10, 15, 0, tzinfo=UTC)),
    )
    db.execute(
        "DELETE FROM traffic_15min WHERE store_id = %s AND bucket_start = %s",
        (new_york, datetime(2026, 3, 11, 15, 30, tzinfo=UTC)),
    )
    db.execute(
        "INSERT INTO coverage_15min (store_id, camera_id, bucket_start, covered_s)"
        " SELECT store_id, camera_id, bucket_start + interval '1 day', 900 FROM coverage_15min"
        " WHERE store_id = %s AND camera_id <> 'retired-cam' AND bucket_start >= '2026-03-04' AND bucket_start < '2026-03-05'"
        " ON CONFLICT DO NOTHING",
        (new_york,),
    )
    late = _assert_equal_to_a_rebuild(db, ids)
    assert late != start

    # opening hours are not part of the table: changing them changes nothing here
    db.execute(
        "UPDATE stores SET opening_hours = %s WHERE store_id = %s", (json.dumps(NEW_YORK_HOURS), london)
    )
    assert _assert_equal_to_a_rebuild(db, ids) == late

    # a second camera: every quarter hour is counted against two cameras now
    db.execute(
        "INSERT INTO cameras (camera_id, store_id, name) VALUES ('side-door', %s, 'Side door')", (new_york,)
    )
    two_cameras = _assert_equal_to_a_rebuild(db, ids)
    assert [r[5] for r in two_cameras if r[0] == new_york] != [r[5] for r in late if r[0] == new_york]

    # another time zone: other local hours (and weekdays, hours and medians)
    db.execute("UPDATE stores SET timezone = 'Asia/Kolkata' WHERE store_id = %s", (london,))
    moved = _assert_equal_to_a_rebuild(db, ids)
    assert {r[1].minute for r in moved if r[0] == london} == {30}

    # deleting a store takes its hours along; the other store's stay as they were
    db.execute("DELETE FROM stores WHERE store_id = %s", (london,))
    assert _hours(db, [london]) == []
    assert _hours(db, [new_york]) == [r for r in moved if r[0] == new_york]
    db.execute("DELETE FROM stores WHERE store_id = %s", (new_york,))
    assert _hours(db, ids) == []


def test_anomalies_from_store_hours_equal_the_hour_by_hour_loop(
    db: psycopg.Connection,
    seeded: World,  # noqa: F811 - the fixture imported above
) -> None:
    london, new_york = seeded.stores
    # a quiet morning with the camera up, in both stores
    for store, at in (
        (london, datetime(2026, 3, 31, 9, tzinfo=UTC)),
        (new_york, datetime(2026, 4, 2, 14, tzinfo=UTC)),
    ):
        db.execute(
            "UPDATE traffic_15min SET in_count = 0 WHERE store_id = %s AND bucket_start >= %s"
            " AND bucket_start < %s + interval '3 hours'",
            (store.store_id, at, at),
        )
    stores = [service.load_store(db, s.store_id) for s in seeded.stores]
    # the periods around both DST changes (London's Sunday spans inside the hours DST skips and
    # repeats still open the same local hours every week), and one running past the seeded days
    # (hours without any row: camera down, with the expected level of the hours before them)
    periods = (
        (date(2026, 3, 23), date(2026, 4, 5)),
        (date(2026, 10, 19), date(2026, 11, 8)),
        (date(2026, 3, 30), date(2026, 4, 12)),
    )
    for start, end in periods:
        assert all(service._store_hours_apply(s.hours_key, s.timezone, start, end) for s in stores)
        assert service.anomalies(db, stores, start, end) == reference.anomalies(db, stores, start, end), start
    flagged = service.anomalies(db, stores, date(2026, 3, 30), date(2026, 4, 12))["anomalies"]
    assert {(f["store_id"], f["kind"]) for f in flagged} == {
        (s.store_id, k) for s in stores for k in ("low_traffic", "camera_down")
    }
    assert any(f["kind"] == "camera_down" and f["expected"] is not None and f["value"] == 0 for f in flagged)

    # Sundays closing at 01:45 (and Saturdays at 18:00): on the fall-back day the second 01:00 hour is closed, so London's
    # autumn anomalies come from the quarter hours, New York's still from its hours
    hours = {**LONDON_HOURS, "sat": [["10:00", "18:00"]], "sun": [["00:00", "01:45"], ["11:00", "16:00"]]}
    db.execute(
        "UPDATE stores SET opening_hours = %s WHERE store_id = %s", (json.dumps(hours), london.store_id)
    )
    stores = [service.load_store(db, s.store_id) for s in seeded.stores]
    autumn = (date(2026, 10, 19), date(2026, 11, 8))
    assert [service._store_hours_apply(s.hours_key, s.timezone, *autumn) for s in stores] == [False, True]
    for chain in (stores, stores[::-1]):
        assert service.anomalies(db, chain, *autumn) == reference.anomalies(db, chain, *autumn)
