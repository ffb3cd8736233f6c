"""Migration 0005: the per-store local-day table kept by triggers equals a full re-derivation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
from footfall.server.provisioning import create_org, create_store


def _days(db: psycopg.Connection, store_id: str) -> list[tuple]:
    rows = db.execute(
        "SELECT local_date, visitors, visitors_out, covered_open_s FROM traffic_store_days"
        " WHERE store_id = %s ORDER BY local_date",
        (store_id,),
    ).fetchall()
    return [
        (r["local_date"].isoformat(), r["visitors"], r["visitors_out"], r["covered_open_s"]) for r in rows
    ]


def test_triggers_keep_local_days_and_match_a_refresh(db: psycopg.Connection) -> None:
    org = create_org(db, "store-days probe")
    hours = {d: [["09:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    store = create_store(db, org, code="D1", name="DST store", timezone="Europe/London", opening_hours=hours)
    db.execute(
        "INSERT INTO stores (store_id, org_id, code, name, timezone) VALUES ('other-d', %s, 'D2', 'x', 'UTC')",
        (org,),
    )
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # Sat 23:00 GMT .. Sun 29 March (spring forward)
    for k in range(48):  # 12 hours of quarters
        t = start + timedelta(minutes=15 * k)
        db.execute(
            "INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, in_count, out_count)"
            " VALUES (%s, 'c', 'l', 'adult', %s, 2, 1), (%s, 'c', 'l', 'child', %s, 5, 5)",
            (store, t, store, t),
        )
        db.execute(
            "INSERT INTO coverage_15min (store_id, camera_id, bucket_start, covered_s) VALUES (%s, 'c', %s, 900)",
            (store, t),
        )
    # a late correction of one quarter hour (the ingest's ON CONFLICT path)
    db.execute(
        "UPDATE traffic_15min SET in_count = 7 WHERE store_id = %s AND bucket_start = %s AND person_class = 'adult'",
        (store, start + timedelta(hours=10)),
    )
    days = _days(db, store)
    # Sat 23:00-24:00 GMT: 4 quarters, closed; Sun 00:00-11:00 UTC = 00:00-12:00 local: open 09:00-12:00 BST
    assert days == [("2026-03-28", 8, 4, 0.0), ("2026-03-29", 44 * 2 + 5, 44, 12 * 900.0)]
    db.execute("SELECT footfall_refresh_store_days(ARRAY[%s], '2026-03-01', '2026-03-31')", (store,))
    assert _days(db, store) == days
    for text, expected in [
        ("2026-03-29 18:59", True),
        ("2026-03-29 19:00", False),
        ("2026-03-29 08:45", False),
    ]:
        row = db.execute(
            "SELECT footfall_open_at(%s::jsonb, %s::timestamp) AS o", (json.dumps(hours), text)
        ).fetchone()
        assert row["o"] is expected, text
    late = {"sat": [["18:00", "02:00"]]}
    row = db.execute(
        "SELECT footfall_open_at(%s::jsonb, '2026-03-29 01:30') AS o", (json.dumps(late),)
    ).fetchone()
    assert row["o"] is True  # Saturday's span runs past midnight
