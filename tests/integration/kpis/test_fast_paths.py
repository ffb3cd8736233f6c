"""The KPI service folds quarter hours into buckets inside the database; these tests check that
it answers exactly what the former quarter-by-quarter Python loop (``reference.py``) answers, on
a seed with the awkward cases: DST days, a late correction, partly open quarter hours, a span
past midnight, an opening-hours change, a camera outage, refunds, merged customers, staff outside
opening hours, buying units and entrances, a business day starting at 04:00.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import psycopg
import pytest
from footfall.server import traffic
from footfall.server.imports.apply import Importer, run_import
from footfall.server.kpis import service
from footfall.server.provisioning import World, create_demo_world

from tests.integration.kpis import reference

LONDON_HOURS = {
    **{d: [["09:10", "18:50"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [["10:00", "13:00"], ["14:00", "02:00"]],  # a lunch break, then past midnight
    "sun": [["00:30", "03:00"], ["11:00", "16:00"]],  # inside the hours DST skips and repeats
}
NEW_YORK_HOURS = {d: [["09:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
#: Around both of London's 2026 DST changes (29 March, 25 October) and New York's (8 March, 1 November).
PERIODS = ((date(2026, 3, 2), date(2026, 4, 5)), (date(2026, 10, 19), date(2026, 11, 8)))
GRANULARITIES = ("hour", "day", "week", "month", "period")


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _seed_traffic(db: psycopg.Connection, world: World, start: datetime, days: int) -> None:
    """Every quarter hour of ``days`` days: varying in/out on two lines (one without an entrance),
    coverage full, partial, over-reported or missing, and a second camera now and then."""
    for n, store in enumerate(world.stores):
        rows, cover = [], []
        for k in range(days * 96):
            t = start + timedelta(minutes=15 * k)
            n_in, n_out = (k * 7 + n) % 9, (k * 5 + 3 * n) % 8
            rows.append((store.store_id, store.camera_id, "door", "adult", t, store.entrance_id, n_in, n_out))
            if k % 5 == 0:
                rows.append((store.store_id, store.camera_id, "side", "adult", t, None, 2, 1))
            if k % 11 == 0:
                rows.append((store.store_id, store.camera_id, "door", "child", t, store.entrance_id, 3, 3))
            day = k // 96
            if day % 6 != 3:  # one day in six the camera is down
                cover.append(
                    (store.store_id, store.camera_id, t, {3: 450.0, 7: 899.5, 11: 1000.0}.get(k % 50, 900.0))
                )
            if k % 97 == 40:
                cover.append((store.store_id, "retired-cam", t, 300.0))  # a camera no longer listed
        with db.cursor() as cur:
            cur.executemany(
                "INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id,"
                " in_count, out_count) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cur.executemany(
                "INSERT INTO coverage_15min (store_id, camera_id, bucket_start, covered_s) VALUES (%s, %s, %s, %s)",
                cover,
            )


def _seed_sales_and_customers(db: psycopg.Connection, world: World, first: date, days: int, tag: str) -> None:
    importer = Importer(world.org_id, [s.store_id for s in world.stores])
    customers = "customer_id,joined_on,segment,home_store,email,phone\n" + "".join(
        f"C{k},2025-01-01,,S1,c{k}@example.com,\n" for k in range(12)
    )
    customers += "C99,2025-06-01,,S1,c3@example.com,\n"  # C3 again: merged into C3
    run_import(db, "customers", customers.encode(), importer, filename="customers.csv")
    sales = ["store,timestamp,transaction_id,amount,currency,units,customer_id"]
    currency = {"S1": "GBP", "S2": "USD"}
    sales.append(f"S1,2025-12-01T10:00:00,OLD{tag},50.00,GBP,1,C5")  # bought before every period: returning
    for day_no in range(days):
        day = first + timedelta(days=day_no)
        for code in ("S1", "S2"):
            for k in range(6):
                hour = 9 + (k * 3 + day_no) % 10
                who = "" if k == 5 else ("C99" if (day_no + k) % 7 == 0 else f"C{(day_no * 5 + k) % 12}")
                amount = "-12.50" if (day_no + k) % 9 == 0 else f"{10 + (day_no * k) % 37}.{k}5"
                units = -1 if amount.startswith("-") else 1 + k % 3
                sales.append(f"{code},{day}T{hour:02d}:{15 * (k % 4):02d}:00,{code}-{tag}{day_no}-{k},{amount},"
                             f"{currency[code]},{units},{who}")  # fmt: skip
    run_import(db, "sales", ("\n".join(sales) + "\n").encode(), importer, filename="sales.csv")
    staff = ["store,hour_start,staff_on_duty"]
    for day_no in range(0, days, 2):
        day = first + timedelta(days=day_no)
        for hour in (3, 9, 10, 13, 18, 22):  # some outside opening hours: not counted
            staff.append(f"S1,{day}T{hour:02d}:00,{(1.1, 2.2, 3.3)[hour % 3]}")
            staff.append(f"S2,{day}T{hour:02d}:00,{0.1 * (1 + hour % 4):.1f}")
    run_import(db, "staff", ("\n".join(staff) + "\n").encode(), importer, filename="staff.csv")


@pytest.fixture
def seeded(db: psycopg.Connection) -> World:
    world = create_demo_world(db, timezones=("Europe/London", "America/New_York"))
    for store, currency, hours in zip(
        world.stores, ("GBP", "USD"), (LONDON_HOURS, NEW_YORK_HOURS), strict=True
    ):
        db.execute(
            "UPDATE stores SET currency = %s, opening_hours = %s WHERE store_id = %s",
            (currency, json.dumps(hours), store.store_id),
        )
    db.execute("UPDATE stores SET day_starts_at = '04:00' WHERE store_id = %s", (world.stores[1].store_id,))
    for tag, (first, last) in zip("AB", PERIODS, strict=True):
        days = (last - first).days + 3
        _seed_traffic(db, world, datetime.combine(first - timedelta(days=1), time(0), UTC), days)
        _seed_sales_and_customers(db, world, first - timedelta(days=1), days, tag)
    london = world.stores[0]
    # a late correction of one quarter hour (the ingest's ON CONFLICT path), during the fall-back day
    db.execute(
        "UPDATE traffic_15min SET in_count = in_count + 40 WHERE store_id = %s AND bucket_start = %s"
        " AND line_id = 'door' AND person_class = 'adult'",
        (london.store_id, _utc(2026, 10, 25, 1, 15)),
    )
    db.execute(
        "INSERT INTO crossing_events (device_id, seq, event_time, store_id, camera_id, line_id, entrance_id,"
        " direction, person_class, group_id) SELECT %s, s, %s + s * interval '7 minutes', %s, %s, 'door', %s,"
        " 'in', 'adult', CASE WHEN s %% 3 = 0 THEN 'g' || (s / 6) END FROM generate_series(1, 400) s",
        (london.device_id, _utc(2026, 3, 28, 8), london.store_id, london.camera_id, london.entrance_id),
    )
    return world


def _both(db: psycopg.Connection, store_id: str, start: date, end: date, granularity: str, **options: bool):
    store = service.load_store(db, store_id)
    return (
        service.store_kpis(db, store, start, end, granularity, **options),  # type: ignore[arg-type]
        reference.store_kpis(db, store, start, end, granularity, **options),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_store_kpis_equal_the_quarter_hour_loop(
    db: psycopg.Connection, seeded: World, granularity: str
) -> None:
    for store in seeded.stores:
        for start, end in PERIODS:
            fast, slow = _both(db, store.store_id, start, end, granularity)
            assert fast == slow, (store.timezone, start, granularity)
    assert any(b["peak_occupancy"] for b in fast["buckets"])  # the seed is not empty
    assert any(not b["complete"] for b in fast["buckets"])  # a camera-down day
    if granularity in ("hour", "day"):
        assert any(b["complete"] for b in fast["buckets"])


def test_buying_units_entrances_and_an_opening_hours_change_equal_the_loop(
    db: psycopg.Connection, seeded: World
) -> None:
    london = seeded.stores[0].store_id
    start, end = PERIODS[0]
    for options in (
        {"buying_units": True},
        {"by_entrance": True},
        {"buying_units": True, "by_entrance": True},
    ):
        for granularity in ("hour", "day", "week"):
            fast, slow = _both(db, london, start, end, granularity, **options)
            assert fast == slow, (options, granularity)
    assert sum(b["visitors"] for b in fast["buckets"]) > 0
    # the store changes its hours: both read them at query time, and agree again
    db.execute(
        "UPDATE stores SET opening_hours = %s WHERE store_id = %s",
        (json.dumps({"mon": [["07:45", "22:05"]], "sun": []}), london),
    )
    service._schedule.cache_clear()
    for granularity in ("hour", "day", "month"):
        fast, slow = _both(db, london, start, end, granularity)
        assert fast == slow, granularity


def test_occupancy_restarts_at_the_stores_day_start_as_the_live_view_does(db: psycopg.Connection) -> None:
    world = create_demo_world(db, timezones=("Europe/Berlin",))
    store = world.stores[0]
    db.execute(
        "UPDATE stores SET opening_hours = '{}'::jsonb, day_starts_at = '04:00' WHERE store_id = %s",
        (store.store_id,),
    )
    # Berlin (CET, UTC+1). 10 people in at 23:05 on Tuesday, 4 out at 00:20 on Wednesday, 1 in at 05:00.
    moves = [(_utc(2026, 3, 10, 22, 5), "in", 10), (_utc(2026, 3, 10, 23, 20), "out", 4),
             (_utc(2026, 3, 11, 4, 0), "in", 1)]  # fmt: skip
    seq = 0
    for moment, direction, people in moves:
        for _ in range(people):
            seq += 1
            db.execute(
                "INSERT INTO crossing_events (device_id, seq, event_time, store_id, camera_id, line_id, direction,"
                " person_class) VALUES (%s, %s, %s, %s, %s, 'door', %s, 'adult')",
                (store.device_id, seq, moment, store.store_id, store.camera_id, direction),
            )
        quarter = moment.replace(minute=moment.minute - moment.minute % 15)
        db.execute(
            "INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, in_count, out_count)"
            " VALUES (%s, %s, 'door', 'adult', %s, %s, %s)",
            (store.store_id, store.camera_id, quarter, people if direction == "in" else 0,
             people if direction == "out" else 0),
        )  # fmt: skip
    loaded = service.load_store(db, store.store_id)
    hours = service.store_kpis(db, loaded, date(2026, 3, 11), date(2026, 3, 11), "hour")["buckets"]
    by_hour = {int(b["bucket_start"][11:13]): b for b in hours}
    # Wednesday's first hours carry Tuesday evening's 10 (the business day began Tuesday 04:00)
    assert by_hour[0]["peak_occupancy"] == 10 and by_hour[0]["average_occupancy"] == pytest.approx(
        (10 + 6 * 3) / 4
    )
    assert by_hour[3]["peak_occupancy"] == 6
    assert by_hour[4]["peak_occupancy"] == 0 and by_hour[5]["peak_occupancy"] == 1  # restarted at 04:00
    live = traffic.read_occupancy(db, store.store_id, now=_utc(2026, 3, 11, 1, 0))  # 02:00 in Berlin
    assert live["occupancy"] == 6 == by_hour[2]["peak_occupancy"]
    assert live["day_start"] == "2026-03-10T04:00:00+01:00"
    fast, slow = _both(db, store.store_id, date(2026, 3, 10), date(2026, 3, 11), "hour")
    assert fast == slow


def test_customer_histories_equal_the_whole_history_query(db: psycopg.Connection, seeded: World) -> None:
    for store in seeded.stores:
        for start, end in (
            *PERIODS,
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2025, 12, 1), date(2026, 11, 30)),
        ):
            loaded = service.load_store(db, store.store_id)
            lo = service.p.local_midnight(start, loaded.zone)
            hi = service.p.local_midnight(end + timedelta(days=1), loaded.zone)
            cut = hi.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            params = {"store_id": store.store_id, "org_id": seeded.org_id, "start": lo, "end": hi, "cut": cut,
                      "cut_month": cut.date()}  # fmt: skip
            fast = sorted(
                tuple(r.values()) for r in db.execute(service.q.CUSTOMER_HISTORIES, params).fetchall()
            )
            slow = sorted(
                tuple(r.values()) for r in db.execute(reference.CUSTOMER_HISTORIES, params).fetchall()
            )
            assert fast == slow and len(fast) >= 10, (store.timezone, start)
            summary = service.customer_summary(db, loaded, start, end)
            assert summary["customers"] == len(slow)


def test_the_trigger_keeps_customer_months_equal_to_a_rebuild(db: psycopg.Connection, seeded: World) -> None:
    london = seeded.stores[0].store_id
    db.execute("DELETE FROM sales_transactions WHERE store_id = %s AND transaction_id = 'S1-A3-1'", (london,))
    db.execute(
        "UPDATE sales_transactions SET occurred_at = occurred_at - interval '40 days', amount = -amount, units = -units"
        " WHERE store_id = %s AND transaction_id = 'S1-B4-2'",
        (london,),
    )

    def months() -> list[tuple]:
        return [
            tuple(r.values())
            for r in db.execute(
                "SELECT customer_id, month, store_id, first_purchase, last_purchase, purchases, net_spend"
                " FROM customer_purchase_months WHERE org_id = %s ORDER BY 1, 2, 3",
                (seeded.org_id,),
            ).fetchall()
        ]

    kept = months()
    db.execute("SELECT footfall_refresh_customer_months(%s)", (seeded.org_id,))
    assert months() == kept and len(kept) > 20


def test_hour_of_week_and_anomalies_equal_the_hour_by_hour_loop(
    db: psycopg.Connection, seeded: World
) -> None:
    london, new_york = seeded.stores
    # a quiet Tuesday morning with the camera up, and a late count that makes an hour busy again
    db.execute(
        "UPDATE traffic_15min SET in_count = 0 WHERE store_id = %s AND bucket_start >= %s AND bucket_start < %s",
        (london.store_id, _utc(2026, 3, 31, 9), _utc(2026, 3, 31, 12)),
    )
    db.execute(
        "UPDATE traffic_15min SET in_count = 0 WHERE store_id = %s AND bucket_start >= %s AND bucket_start < %s",
        (new_york.store_id, _utc(2026, 4, 2, 14), _utc(2026, 4, 2, 16)),
    )
    stores = [service.load_store(db, s.store_id) for s in seeded.stores]
    for store in stores:
        for start, end in PERIODS:
            assert service.hour_of_week(db, store, start, end) == reference.hour_of_week(
                db, store, start, end
            )
    for start, end in ((date(2026, 3, 23), date(2026, 4, 5)), (date(2026, 10, 26), date(2026, 11, 8))):
        fast = service.anomalies(db, stores, start, end)
        assert fast == reference.anomalies(db, stores, start, end), start
        assert service.anomalies(db, stores[1:], start, end) == reference.anomalies(
            db, stores[1:], start, end
        )
    spring = service.anomalies(db, stores, date(2026, 3, 23), date(2026, 4, 5))["anomalies"]
    kinds = {(f["store_id"], f["kind"]) for f in spring}
    assert kinds == {(s.store_id, k) for s in stores for k in ("low_traffic", "camera_down")}


def test_comparison_reads_whole_months_and_answers_as_the_days_do(
    db: psycopg.Connection, seeded: World
) -> None:
    stores = [service.load_store(db, s.store_id) for s in seeded.stores]
    ids = [s.store_id for s in stores]
    # the triggers follow a late correction, a re-derivation of the days and a removed day of sales
    db.execute(
        "UPDATE traffic_15min SET in_count = in_count + 5 WHERE store_id = %s AND bucket_start = %s",
        (ids[1], _utc(2026, 3, 20, 15)),
    )
    db.execute("SELECT footfall_refresh_store_days(%s, '2026-03-01', '2026-03-15')", (ids,))
    db.execute("DELETE FROM sales_days WHERE store_id = %s AND business_date = '2026-03-17'", (ids[0],))
    periods = [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 2), date(2026, 4, 5)),
               (date(2026, 2, 15), date(2026, 4, 30)), (date(2026, 3, 10), date(2026, 3, 12)),
               (date(2025, 11, 1), date(2026, 10, 31)), (date(2026, 10, 19), date(2026, 11, 8))]  # fmt: skip
    for first, last in periods:
        params = {
            "store_ids": ids,
            "first_day": first,
            "last_day": last,
            **service._whole_months(first, last),
        }
        for fast_sql, slow_sql in ((service.q.COMPARE_TRAFFIC, reference.COMPARE_TRAFFIC),
                                   (service.q.COMPARE_SALES, reference.COMPARE_SALES)):  # fmt: skip
            fast = {r["store_id"]: r for r in db.execute(fast_sql, params).fetchall()}
            slow = {r["store_id"]: r for r in db.execute(slow_sql, params).fetchall()}
            assert fast.keys() == slow.keys(), first
            for store_id, row in slow.items():
                expected = {
                    k: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v for k, v in row.items()
                }
                assert fast[store_id] == expected, (first, store_id)
        for kpi in ("conversion", "visitors", "net_sales"):
            answer = service.comparison(db, stores, kpi, first, last, compare_to="last_week")
            assert answer["stores"] and all(r["value"] is not None for r in answer["stores"])
    months = db.execute(
        "SELECT m.store_id, m.month, m.visitors, ss.days_imported, d.visitors AS day_visitors, s.days"
        " FROM traffic_store_months m"
        " JOIN (SELECT store_id, date_trunc('month', local_date)::date AS month, sum(visitors) AS visitors"
        "       FROM traffic_store_days GROUP BY 1, 2) d USING (store_id, month)"
        " LEFT JOIN (SELECT store_id, date_trunc('month', business_date)::date AS month, count(*) AS days"
        "       FROM sales_days GROUP BY 1, 2) s USING (store_id, month)"
        " LEFT JOIN sales_store_months ss USING (store_id, month)"
        " WHERE m.store_id = ANY(%s)",
        (ids,),
    ).fetchall()
    assert len(months) >= 6
    assert all(
        r["visitors"] == r["day_visitors"] and (r["days_imported"] or 0) == (r["days"] or 0) for r in months
    )


def test_stores_with_history_can_be_deleted(db: psycopg.Connection, seeded: World) -> None:
    london, new_york = (s.store_id for s in seeded.stores)
    tables = ("traffic_store_months", "sales_store_months", "customer_purchase_months")

    def rows(store_id: str) -> list[int]:
        return [
            db.execute(f"SELECT count(*) AS n FROM {t} WHERE store_id = %s", (store_id,)).fetchone()["n"]
            for t in tables
        ]

    assert all(rows(london)) and all(rows(new_york))
    db.execute("DELETE FROM stores WHERE store_id = %s", (london,))
    assert rows(london) == [0, 0, 0] and all(rows(new_york))
    db.execute("DELETE FROM stores WHERE store_id = %s", (new_york,))
    assert rows(new_york) == [0, 0, 0]


def test_an_opening_hours_change_re_derives_the_days_a_comparison_reads(
    db: psycopg.Connection, seeded: World
) -> None:
    london = seeded.stores[0].store_id

    def days() -> list[tuple]:
        return [
            tuple(r.values())
            for r in db.execute(
                "SELECT local_date, visitors, covered_open_s FROM traffic_store_days WHERE store_id = %s ORDER BY 1",
                (london,),
            ).fetchall()
        ]

    def months() -> list[tuple]:
        return [
            tuple(r.values())
            for r in db.execute(
                "SELECT month, visitors, covered_open_s FROM traffic_store_months WHERE store_id = %s ORDER BY 1",
                (london,),
            ).fetchall()
        ]

    before = days()
    db.execute(
        "UPDATE stores SET opening_hours = %s WHERE store_id = %s", (json.dumps(NEW_YORK_HOURS), london)
    )
    after = days()
    assert after != before and [d[:2] for d in after] == [
        d[:2] for d in before
    ]  # coverage moved, visitors not
    db.execute("SELECT footfall_refresh_store_days(ARRAY[%s], '2026-01-01', '2026-12-31')", (london,))
    assert days() == after
    monthly = {m[0]: m for m in months()}
    for month, visitors, covered in monthly.values():
        in_month = [d for d in after if d[0].replace(day=1) == month]
        assert visitors == sum(d[1] for d in in_month)
        assert covered == pytest.approx(sum(d[2] for d in in_month), rel=1e-12)
