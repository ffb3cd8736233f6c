"""The KPI service's former, quarter-hour-by-quarter-hour Python implementation: the oracle the
fast paths are checked against (tests only).

It reads every 15-minute bin and hourly row into Python and cuts them into buckets there, which
is slow for a year but easy to read; the service now lets the database fold them (see
``footfall.server.db.queries.kpis``). The only change from the original is the business day:
occupancy restarts at the store's ``day_starts_at`` (the live view's day start), and the flows of
the business day already under way when the period begins count towards its first marks.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
from footfall.server.kpis import definitions as d
from footfall.server.kpis import periods as p
from footfall.server.kpis import service

TRAFFIC_15MIN = """
SELECT bucket_start, extract(epoch FROM bucket_start)::bigint AS epoch,
       CASE WHEN %(by_entrance)s THEN entrance_id END AS entrance_id,
       sum(in_count)::bigint AS in_count, sum(out_count)::bigint AS out_count
FROM traffic_15min
WHERE store_id = %(store_id)s AND person_class = 'adult'
  AND bucket_start >= %(start)s AND bucket_start < %(end)s
GROUP BY 1, 3 ORDER BY 1
"""

BUYING_UNITS_15MIN = """
SELECT date_bin('15 minutes', event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
       extract(epoch FROM date_bin('15 minutes', event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'))::bigint AS epoch,
       CASE WHEN %(by_entrance)s THEN entrance_id END AS entrance_id,
       (count(*) FILTER (WHERE group_id IS NULL) + count(DISTINCT group_id))::bigint AS in_count,
       0::bigint AS out_count
FROM crossing_events
WHERE store_id = %(store_id)s AND person_class = 'adult' AND direction = 'in'
  AND event_time >= %(start)s AND event_time < %(end)s
GROUP BY 1, 2, 3 ORDER BY 1
"""

COVERAGE_15MIN = """
SELECT bucket_start, extract(epoch FROM bucket_start)::bigint AS epoch,
       sum(least(covered_s, 900))::double precision AS covered_s,
       count(DISTINCT camera_id) AS cameras
FROM coverage_15min
WHERE store_id = %(store_id)s AND bucket_start >= %(start)s AND bucket_start < %(end)s
GROUP BY 1, 2 ORDER BY 1
"""

SALES_HOURLY = """
SELECT hour_start, extract(epoch FROM hour_start)::bigint AS epoch, transactions, refunds, net_sales, units,
       member_transactions
FROM sales_hourly
WHERE store_id = %(store_id)s AND hour_start >= %(start)s AND hour_start < %(end)s
ORDER BY hour_start
"""

STAFF_HOURS = """
SELECT hour_start, extract(epoch FROM hour_start)::bigint AS epoch, staff_on_duty FROM staff_hours
WHERE store_id = %(store_id)s AND hour_start >= %(start)s AND hour_start < %(end)s
ORDER BY hour_start
"""

SALES_DAYS = """
SELECT business_date FROM sales_days
WHERE store_id = %(store_id)s AND business_date BETWEEN %(first_day)s AND %(last_day)s
"""

#: Every purchase of the organisation up to the period's end, resolved to canonical customers.
CUSTOMER_PURCHASES = """
WITH resolved AS (
    SELECT coalesce(a.customer_id, t.customer_id) AS customer_id, t.store_id, t.occurred_at
    FROM sales_transactions t
    LEFT JOIN customer_aliases a ON a.org_id = t.org_id AND a.alias_id = t.customer_id
    WHERE t.org_id = %(org_id)s AND t.customer_id IS NOT NULL AND t.amount >= 0 AND t.occurred_at < %(end)s
),
first AS (SELECT customer_id, min(occurred_at) AS first_purchase FROM resolved GROUP BY customer_id)
SELECT r.customer_id, r.occurred_at, f.first_purchase
FROM resolved r JOIN first f USING (customer_id)
WHERE r.store_id = %(store_id)s AND r.occurred_at >= %(start)s
"""

CUSTOMER_HISTORIES = """
WITH resolved AS (
    SELECT coalesce(a.customer_id, t.customer_id) AS customer_id, t.store_id, t.occurred_at, t.amount
    FROM sales_transactions t
    LEFT JOIN customer_aliases a ON a.org_id = t.org_id AND a.alias_id = t.customer_id
    WHERE t.org_id = %(org_id)s AND t.customer_id IS NOT NULL AND t.occurred_at < %(end)s
),
active AS (
    SELECT DISTINCT customer_id FROM resolved
    WHERE store_id = %(store_id)s AND occurred_at >= %(start)s AND amount >= 0
)
SELECT r.customer_id,
       min(r.occurred_at) FILTER (WHERE r.amount >= 0) AS first_purchase,
       max(r.occurred_at) FILTER (WHERE r.amount >= 0) AS last_purchase,
       count(*) FILTER (WHERE r.amount >= 0) AS purchases,
       sum(r.amount) AS net_spend
FROM resolved r JOIN active USING (customer_id)
GROUP BY r.customer_id
"""


def store_kpis(
    conn: psycopg.Connection,
    store: service.Store,
    start: date,
    end: date,
    granularity: p.Granularity = "day",
    *,
    buying_units: bool = False,
    by_entrance: bool = False,
) -> dict[str, Any]:
    """KPIs per local bucket of one store, each with its completeness (the original loop)."""
    zone = store.zone
    buckets = p.buckets(start, end, granularity, zone)
    lo, hi = buckets[0].start, buckets[-1].end
    schedule = service.schedule_of(store, start, end)
    day_starts = service.business_day_starts(store, start, end)
    flows_from = datetime.fromtimestamp(max(t for t in day_starts if t <= int(lo.timestamp())), UTC)
    params = {
        "store_id": store.store_id,
        "org_id": store.org_id,
        "start": lo,
        "end": hi,
        "by_entrance": by_entrance,
    }
    traffic = conn.execute(
        BUYING_UNITS_15MIN if buying_units else TRAFFIC_15MIN, {**params, "start": flows_from}
    ).fetchall()
    coverage = conn.execute(COVERAGE_15MIN, params).fetchall()
    sales = conn.execute(SALES_HOURLY, params).fetchall()
    staff = conn.execute(STAFF_HOURS, params).fetchall()
    sales_days = {
        r["business_date"]
        for r in conn.execute(SALES_DAYS, {**params, "first_day": start, "last_day": end}).fetchall()
    }
    purchases = conn.execute(CUSTOMER_PURCHASES, params).fetchall()

    starts = [b.start for b in buckets]
    epochs = [int(b.start.timestamp()) for b in buckets]

    def index(moment: datetime) -> int:
        return bisect.bisect_right(starts, moment) - 1

    def at(epoch: int) -> int:
        return bisect.bisect_right(epochs, epoch) - 1

    acc = [defaultdict(float) for _ in buckets]
    per_entrance: list[dict[str, float]] = [defaultdict(float) for _ in buckets]
    store_flow: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for r in traffic:
        store_flow[r["epoch"]][0] += r["in_count"]
        store_flow[r["epoch"]][1] += r["out_count"]
        if r["epoch"] < epochs[0]:
            continue  # the business day's flows before the period: occupancy only
        k = at(r["epoch"])
        acc[k]["visitors"] += r["in_count"]
        acc[k]["visitors_out"] += r["out_count"]
        if by_entrance:
            per_entrance[k][r["entrance_id"] or "unassigned"] += r["in_count"]
    cameras = max(store.cameras, 1)
    for r in coverage:
        fraction = min(1.0, r["covered_s"] / (900.0 * max(cameras, r["cameras"])))
        open_min = schedule.seconds(r["epoch"], r["epoch"] + 900) / 60
        acc[at(r["epoch"])]["covered_minutes"] += fraction * open_min
    for r in sales:
        a = acc[at(r["epoch"])]
        a["transactions"] += r["transactions"]
        a["refunds"] += r["refunds"]
        a["net_sales"] += float(r["net_sales"])
        a["units"] += r["units"]
        a["member_transactions"] += r["member_transactions"]
    for r in staff:
        if schedule.seconds(r["epoch"], r["epoch"] + 3600) > 0:
            a = acc[at(r["epoch"])]
            a["staff_hours"] += float(r["staff_on_duty"])
            a["staffed_hours"] += 1
    customers: list[dict[str, tuple[datetime, datetime]]] = [{} for _ in buckets]
    for r in purchases:
        customers[index(r["occurred_at"])][r["customer_id"]] = (r["occurred_at"], r["first_purchase"])
    marks_of: list[list[tuple[int, bool]]] = [[] for _ in buckets]
    for t, level, is_open in _occupancy(store_flow, day_starts, schedule, epochs[0], int(hi.timestamp())):
        marks_of[at(t)].append((level, is_open))

    open_day_set = set(p.open_days(store.opening_hours, start, end, zone))
    rows = []
    for k, bucket in enumerate(buckets):
        a = acc[k]
        first = bucket.start.astimezone(zone).date()
        last = (bucket.end - timedelta(microseconds=1)).astimezone(zone).date()
        local_days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        open_days = [day for day in local_days if day in open_day_set]
        marks = marks_of[k]
        open_marks = [o for o, is_open in marks if is_open]
        new = sum(1 for _, first in customers[k].values() if first >= bucket.start)
        inputs = d.KpiInputs(
            visitors=int(a["visitors"]),
            visitors_out=int(a["visitors_out"]),
            transactions=int(a["transactions"]),
            refunds=int(a["refunds"]),
            net_sales=Decimal(str(round(a["net_sales"], 3))),
            units=int(a["units"]),
            member_transactions=int(a["member_transactions"]),
            staff_hours=Decimal(str(a["staff_hours"])),
            peak_occupancy=max((o for o, _ in marks), default=None),
            average_occupancy=sum(open_marks) / len(open_marks) if open_marks else None,
            new_customers=new,
            returning_customers=len(customers[k]) - new,
            open_minutes=round(schedule.minutes(bucket.start, bucket.end)),
            covered_minutes=a["covered_minutes"],
            open_days=len(open_days),
            sales_days=sum(1 for day in open_days if day in sales_days),
            open_hours=schedule.minutes(bucket.start, bucket.end) / 60,
            staffed_hours=int(a["staffed_hours"]),
            floor_area_m2=store.floor_area_m2,
        )
        row = service.bucket_row(bucket, inputs)
        if by_entrance:
            row["entrances"] = [
                {"entrance_id": e, "visitors": int(v)} for e, v in sorted(per_entrance[k].items())
            ]
        rows.append(row)
    return {
        "store_id": store.store_id,
        "timezone": store.timezone,
        "currency": store.currency,
        "granularity": granularity,
        "visitors_are": "buying_units" if buying_units else "adults_in",
        "buckets": rows,
    }


def _occupancy(
    flows: dict[int, list[int]], day_starts: list[int], schedule: p.OpenSchedule, lo: int, hi: int
) -> list[tuple[int, int, bool]]:
    """Occupancy at the end of every open quarter hour, and of every quarter hour with movement,
    in ``[lo, hi)``: the running Σ(in − out) restarting each business day (``day_starts``);
    movement before ``lo`` in the same business day counts towards the level."""
    open_quarters = {
        t for a, b in zip(schedule.starts_s, schedule.ends_s, strict=True) if b > lo and a < hi
        for t in range(max(a, lo) - max(a, lo) % 900, min(b, hi), 900)
    }  # fmt: skip
    quarters = sorted(open_quarters.union(t for t in flows if t < hi))
    days = [bisect.bisect_right(day_starts, t) for t in quarters]
    values = d.running_occupancy(
        [(day, *flows.get(t, (0, 0))) for day, t in zip(days, quarters, strict=True)]
    )
    return [
        (t, v, t in open_quarters or schedule.seconds(t, t + 900) > 0)
        for t, v in zip(quarters, values, strict=True)
        if t >= lo
    ]


# --- hour of week and anomalies, store by store and hour by hour ------------------------------


def hourly_observations(
    conn: psycopg.Connection, store: service.Store, start: date, end: date
) -> list[tuple[p.Bucket, d.HourObservation]]:
    buckets = p.buckets(start, end, "hour", store.zone)
    params = {
        "store_id": store.store_id,
        "start": buckets[0].start,
        "end": buckets[-1].end,
        "by_entrance": False,
    }
    starts = [int(b.start.timestamp()) for b in buckets]
    visitors = [0] * len(buckets)
    covered = [0.0] * len(buckets)
    for r in conn.execute(TRAFFIC_15MIN, params).fetchall():
        visitors[bisect.bisect_right(starts, r["epoch"]) - 1] += r["in_count"]
    cameras = max(store.cameras, 1)
    for r in conn.execute(COVERAGE_15MIN, params).fetchall():
        covered[bisect.bisect_right(starts, r["epoch"]) - 1] += (
            min(1.0, r["covered_s"] / (900.0 * max(cameras, r["cameras"]))) / 4
        )
    schedule = p.OpenSchedule(store.opening_hours, start, end, store.zone)
    return [
        (b, d.HourObservation(visitors[k], min(1.0, covered[k]), schedule.minutes(b.start, b.end) >= 30))
        for k, b in enumerate(buckets)
    ]


def hour_of_week(conn: psycopg.Connection, store: service.Store, start: date, end: date) -> dict[str, Any]:
    profile = d.HourOfWeekProfile()
    for bucket, obs in hourly_observations(conn, store, start, end):
        if obs.open and obs.coverage >= d.CAMERA_UP_FROM:
            profile.add(bucket.local_start.weekday(), bucket.local_start.hour, obs.visitors)
    cells = [
        {"weekday": wd, "hour": hr, "value": round(profile.mean(wd, hr) or 0.0, 3), "hours": len(v)}
        for (wd, hr), v in sorted(profile.cells.items())
    ]
    return {
        "store_id": store.store_id,
        "timezone": store.timezone,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "cells": cells,
    }


def anomalies(
    conn: psycopg.Connection, stores: list[service.Store], start: date, end: date
) -> dict[str, Any]:
    found = []
    for store in stores:
        observations = hourly_observations(conn, store, start - timedelta(weeks=service.HISTORY_WEEKS), end)
        by_slot: dict[tuple[int, int], list[tuple[p.Bucket, d.HourObservation]]] = defaultdict(list)
        for bucket, obs in observations:
            by_slot[(bucket.local_start.weekday(), bucket.local_start.hour)].append((bucket, obs))
        for bucket, obs in observations:
            if bucket.local_start.date() < start:
                continue
            slot = by_slot[(bucket.local_start.weekday(), bucket.local_start.hour)]
            history = [
                o
                for b, o in slot
                if b.start < bucket.start and bucket.start - b.start <= timedelta(weeks=service.HISTORY_WEEKS)
            ]
            expected = d.expected_visitors(history)
            kind = d.classify_hour(obs, expected)
            if kind is None:
                continue
            found.append(
                {
                    "store_id": store.store_id,
                    "store_name": store.name,
                    "bucket_start": bucket.local_start.isoformat(),
                    "kind": kind,
                    "kpi": "visitors",
                    "value": obs.visitors,
                    "expected": expected,
                    "coverage": round(obs.coverage, 4),
                    "direction": "low",
                    "message": (
                        f"camera down: only {obs.coverage:.0%} of the hour counted"
                        if kind == "camera_down"
                        else f"{obs.visitors} visitors vs about {expected:.0f} expected for this hour and weekday"
                    ),
                }
            )
    found.sort(key=lambda r: r["bucket_start"], reverse=True)
    return {"start": start.isoformat(), "end": end.isoformat(), "anomalies": found}


# --- comparison: every day from the day tables --------------------------------------------------

COMPARE_TRAFFIC = """
SELECT store_id, sum(visitors)::bigint AS visitors, sum(visitors_out)::bigint AS visitors_out,
       sum(covered_open_s)::double precision AS covered_open_s
FROM traffic_store_days
WHERE store_id = ANY(%(store_ids)s) AND local_date BETWEEN %(first_day)s AND %(last_day)s
GROUP BY store_id
"""

COMPARE_SALES = """
SELECT store_id, sum(transactions)::bigint AS transactions, sum(refunds)::bigint AS refunds,
       sum(net_sales) AS net_sales, sum(units)::bigint AS units,
       sum(member_transactions)::bigint AS member_transactions, count(*) AS days_imported
FROM sales_days
WHERE store_id = ANY(%(store_ids)s) AND business_date BETWEEN %(first_day)s AND %(last_day)s
GROUP BY store_id
"""
