"""Fetch KPI inputs for a store (or many) and apply :mod:`.definitions` — the I/O rim of the KPIs.

Scoping is not decided here: callers pass store ids already checked by
``footfall.server.auth.scope``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from footfall.server.db.queries import kpis as q
from footfall.server.errors import InvalidInput, NotFound
from footfall.server.kpis import definitions as d
from footfall.server.kpis import periods as p


@dataclass(frozen=True, slots=True)
class Store:
    store_id: str
    org_id: str
    code: str
    name: str
    region_id: str | None
    region_name: str | None
    timezone: str
    currency: str
    floor_area_m2: float | None
    opening_hours: dict | None
    cameras: int
    #: The opening hours as canonical JSON: the cache key shared by stores with the same hours.
    hours_key: str = "{}"
    #: Local time at which the business day starts (occupancy restarts), as in the live view.
    day_starts_at: time = time(0, 0)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _hours_key(opening_hours: dict | None) -> str:
    return json.dumps(opening_hours or {}, sort_keys=True)


def load_stores(conn: psycopg.Connection, store_ids: list[str], region_id: str | None = None) -> list[Store]:
    rows = conn.execute(q.STORES, {"store_ids": store_ids, "region_id": region_id}).fetchall()
    return [
        Store(
            r["store_id"],
            str(r["org_id"]),
            r["code"],
            r["name"],
            r["region_id"],
            r["region_name"],
            r["timezone"],
            r["currency"],
            r["floor_area_m2"],
            r["opening_hours"] or None,
            int(r["cameras"]),
            _hours_key(r["opening_hours"]),
            r["day_starts_at"],
        )
        for r in rows
    ]


def load_store(conn: psycopg.Connection, store_id: str) -> Store:
    stores = load_stores(conn, [store_id])
    if not stores:
        raise NotFound(f"no store {store_id!r}")
    return stores[0]


def _period(start: date, end: date) -> None:
    try:
        p.check_period(start, end)
    except p.PeriodError as error:
        raise InvalidInput(str(error), details=[{"field": "end", "message": str(error)}]) from error


@lru_cache(maxsize=256)
def _schedule(opening_hours_json: str, timezone: str, start: date, end: date) -> p.OpenSchedule:
    """Chains share a handful of opening-hour patterns; build each schedule once."""
    return p.OpenSchedule(json.loads(opening_hours_json) or None, start, end, ZoneInfo(timezone))


def schedule_of(store: Store, start: date, end: date) -> p.OpenSchedule:
    try:
        return _schedule(store.hours_key, store.timezone, start, end)
    except p.PeriodError as error:
        raise InvalidInput(f"store {store.code}: {error}; fix the store's opening hours") from error


# --- one store, bucketed -------------------------------------------------------------------------


def store_kpis(
    conn: psycopg.Connection,
    store: Store,
    start: date,
    end: date,
    granularity: p.Granularity = "day",
    *,
    buying_units: bool = False,
    by_entrance: bool = False,
) -> dict[str, Any]:
    """KPIs per local bucket of one store, each with its completeness.

    The database folds the quarter hours and local hours into the buckets (see the ``BUCKET_*``
    queries) and returns one row per bucket, so a year by day costs a few hundred rows here
    instead of tens of thousands."""
    _period(start, end)
    zone = store.zone
    buckets = p.buckets(start, end, granularity, zone)
    lo, hi = buckets[0].start, buckets[-1].end
    schedule = schedule_of(store, start, end)
    day_starts = business_day_starts(store, start, end)
    params = {
        "store_id": store.store_id,
        "org_id": store.org_id,
        "start": lo,
        "end": hi,
        "lo": int(lo.timestamp()),
        "hi": int(hi.timestamp()),
        "flows_from": datetime.fromtimestamp(max(t for t in day_starts if t <= int(lo.timestamp())), UTC),
        "day_starts": day_starts,
        "bucket_starts": [int(b.start.timestamp()) for b in buckets],
        "open_starts": schedule.starts_s,
        "open_ends": schedule.ends_s,
        "cameras": max(store.cameras, 1),
        "by_entrance": by_entrance,
    }
    traffic = _by_bucket(conn, q.BUCKET_BUYING_UNITS if buying_units else q.BUCKET_TRAFFIC, params)
    sales = _by_bucket(conn, q.BUCKET_SALES, params)
    staff = _by_bucket(conn, q.BUCKET_STAFF, params)
    per_entrance: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if by_entrance:
        sql = q.BUCKET_ENTRANCE_BUYING_UNITS if buying_units else q.BUCKET_ENTRANCES
        visitors_at: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in conn.execute(sql, params).fetchall():
            visitors_at[r["k"] - 1][r["entrance_id"] or "unassigned"] += int(r["visitors"])
        for k, entrances in visitors_at.items():
            per_entrance[k] = [{"entrance_id": e, "visitors": v} for e, v in sorted(entrances.items())]
    sales_days = {
        r["business_date"]
        for r in conn.execute(q.SALES_DAYS, {**params, "first_day": start, "last_day": end}).fetchall()
    }
    customers = _customers_by_bucket(conn, buckets, params)
    open_day_set = _open_days(store.hours_key, store.timezone, start, end)
    none: dict[str, Any] = {}
    rows = []
    for k, bucket in enumerate(buckets):
        t, sa, st = traffic.get(k, none), sales.get(k, none), staff.get(k, none)
        open_days = [day for day in _local_days(bucket, zone) if day in open_day_set]
        open_marks = int(t.get("open_marks") or 0)
        new, returning = customers.get(k, (0, 0))
        open_seconds = schedule.seconds(int(bucket.start.timestamp()), int(bucket.end.timestamp()))
        inputs = d.KpiInputs(
            visitors=int(t.get("visitors") or 0),
            visitors_out=int(t.get("visitors_out") or 0),
            transactions=int(sa.get("transactions") or 0),
            refunds=int(sa.get("refunds") or 0),
            net_sales=Decimal(str(round(float(sa.get("net_sales") or 0), 3))),
            units=int(sa.get("units") or 0),
            member_transactions=int(sa.get("member_transactions") or 0),
            staff_hours=Decimal(str(st.get("staff_hours") or 0.0)),
            peak_occupancy=None if t.get("peak") is None else int(t["peak"]),
            average_occupancy=int(t["open_sum"]) / open_marks if open_marks else None,
            new_customers=new,
            returning_customers=returning,
            open_minutes=round(open_seconds / 60),
            covered_minutes=float(t.get("covered_minutes") or 0.0),
            open_days=len(open_days),
            sales_days=sum(1 for day in open_days if day in sales_days),
            open_hours=open_seconds / 60 / 60,
            staffed_hours=int(st.get("staffed_hours") or 0),
            floor_area_m2=store.floor_area_m2,
        )
        row = bucket_row(bucket, inputs)
        if by_entrance:
            row["entrances"] = per_entrance.get(k, [])
        rows.append(row)
    return {
        "store_id": store.store_id,
        "timezone": store.timezone,
        "currency": store.currency,
        "granularity": granularity,
        "visitors_are": "buying_units" if buying_units else "adults_in",
        "buckets": rows,
    }


def _by_bucket(conn: psycopg.Connection, sql: str, params: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Rows of a ``BUCKET_*`` query keyed by the 0-based bucket index."""
    return {r["k"] - 1: r for r in conn.execute(sql, params).fetchall()}


def _customers_by_bucket(
    conn: psycopg.Connection, buckets: list[p.Bucket], params: dict[str, Any]
) -> dict[int, tuple[int, int]]:
    """(new, returning) customers per bucket: distinct canonical customers who bought in the
    store in the bucket, new when their first purchase anywhere in the chain is in the bucket."""
    rows = conn.execute(q.BUCKET_CUSTOMERS, {**params, "bucket_starts_at": [b.start for b in buckets]})
    return {
        r["k"] - 1: (int(r["new_customers"]), int(r["customers"]) - int(r["new_customers"]))
        for r in rows.fetchall()
    }


def business_day_starts(store: Store, start: date, end: date) -> list[int]:
    """POSIX seconds at which the store's business days from ``start − 1`` to ``end`` begin: each
    local date at ``day_starts_at``, as the live occupancy view counts (``traffic.day_start``)."""
    zone = store.zone
    return [
        int(datetime.combine(start + timedelta(days=k), store.day_starts_at, zone).timestamp())
        for k in range(-1, (end - start).days + 1)
    ]


def bucket_row(bucket: p.Bucket, inputs: d.KpiInputs) -> dict[str, Any]:
    """A bucket's KPIs. ``complete``/``missing`` at the top speak for traffic and sales (what
    conversion needs); staff and CRM gaps show on the KPIs that use them."""
    values = d.evaluate_all(inputs)
    sources = d.source_completeness(inputs)
    missing = [sources[s].missing for s in ("traffic", "sales") if sources[s].missing]
    row: dict[str, Any] = {
        "bucket_start": bucket.local_start.isoformat(),
        "bucket_end": bucket.end.astimezone(bucket.local_start.tzinfo).isoformat(),
        "complete": not missing,
        "missing": missing,
        "coverage": sources["traffic"].fraction,
    }
    flat = {name: (None if v.value is None else round(v.value, 6)) for name, v in values.items()}
    row.update(flat)
    row["kpis"] = {
        name: {
            "value": flat[name],
            "complete": v.complete,
            "completeness": v.completeness,
            "missing": list(v.missing),
        }
        for name, v in values.items()
    }
    return row


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _local_days(bucket: p.Bucket, zone: ZoneInfo) -> list[date]:
    first = bucket.start.astimezone(zone).date()
    last = (bucket.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


# --- many stores over one period ------------------------------------------------------------------

COMPARABLE = (
    "visitors", "transactions", "net_sales", "conversion", "atv", "sales_per_visitor", "upt",
    "staff_to_shopper", "member_share",
)  # fmt: skip


def period_inputs(
    conn: psycopg.Connection,
    stores: list[Store],
    start: date,
    end: date,
    sources: tuple[d.Source, ...] | None = None,
) -> dict[str, d.KpiInputs]:
    """One :class:`KpiInputs` per store over local dates ``start``..``end``, each store's period
    running from its own local midnight to its own local midnight. Traffic, coverage and sales
    come from the per-store local month tables (migration 0010) for the whole months of the
    period and from the day tables (migrations 0005, 0007) for the days around them; staff per
    local hour with each store's own UTC window. ``sources`` limits what is read to what the
    KPI needs."""
    _period(start, end)
    if not stores:
        return {}
    windows = {
        s.store_id: (p.local_midnight(start, s.zone), p.local_midnight(end + timedelta(days=1), s.zone))
        for s in stores
    }
    ids = [s.store_id for s in stores]
    schedules = {s.store_id: schedule_of(s, start, end) for s in stores}
    params = {
        "store_ids": ids,
        "starts": [windows[i][0] for i in ids],
        "ends": [windows[i][1] for i in ids],
        "first_day": start,
        "last_day": end,
        **_whole_months(start, end),
    }
    wanted = set(sources) if sources is not None else {"traffic", "sales", "staff"}

    def fetch(sql: str) -> dict[str, dict]:
        return {r["store_id"]: r for r in conn.execute(sql, params).fetchall()}

    traffic = fetch(q.COMPARE_TRAFFIC) if "traffic" in wanted else {}
    sales = fetch(q.COMPARE_SALES) if wanted & {"sales", "crm"} else {}
    staff = fetch(q.COMPARE_STAFF) if "staff" in wanted else {}
    result = {}
    for s in stores:
        w0, w1 = windows[s.store_id]
        open_minutes = schedules[s.store_id].minutes(w0, w1)
        days = _open_days(s.hours_key, s.timezone, start, end)
        t, sa, st = traffic.get(s.store_id, {}), sales.get(s.store_id, {}), staff.get(s.store_id, {})
        result[s.store_id] = d.KpiInputs(
            visitors=int(t.get("visitors") or 0),
            visitors_out=int(t.get("visitors_out") or 0),
            transactions=int(sa.get("transactions") or 0),
            refunds=int(sa.get("refunds") or 0),
            net_sales=Decimal(sa.get("net_sales") or 0),
            units=int(sa.get("units") or 0),
            member_transactions=int(sa.get("member_transactions") or 0),
            staff_hours=Decimal(st.get("staff_hours") or 0),
            staffed_hours=int(st.get("staffed_hours") or 0),
            open_minutes=round(open_minutes),
            covered_minutes=float(t.get("covered_open_s") or 0.0) / 60 / max(s.cameras, 1),
            open_days=len(days),
            # days with sales imported, capped at the open days: at chain scale counting them is
            # cheap, intersecting them with each store's open days is not (sales imported for a
            # closed day could hide one missing open day; the store's own KPI page is exact)
            sales_days=min(len(days), int(sa.get("days_imported") or 0)),
            open_hours=open_minutes / 60,
            floor_area_m2=s.floor_area_m2,
        )
    return result


def _whole_months(start: date, end: date) -> dict[str, date]:
    """The local calendar months lying wholly inside ``start``..``end``, as ``[whole_from,
    whole_to)`` (empty, ``whole_from == whole_to``, when there is none)."""
    whole_from = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = end + timedelta(days=1)
    whole_to = after if after.day == 1 else after.replace(day=1)
    if whole_to <= whole_from:
        whole_from = whole_to = after  # no whole month: every day comes from the day tables
    return {"whole_from": whole_from, "whole_to": whole_to}


@lru_cache(maxsize=256)
def _open_days(opening_hours_json: str, timezone: str, start: date, end: date) -> frozenset[date]:
    """Chains share a handful of opening-hour patterns; list each one's open days once."""
    return frozenset(p.open_days(json.loads(opening_hours_json) or None, start, end, ZoneInfo(timezone)))


def comparison(
    conn: psycopg.Connection,
    stores: list[Store],
    kpi: str,
    start: date,
    end: date,
    *,
    normalise: d.Normalise = "none",
    compare_to: p.LikeForLike | None = None,
) -> dict[str, Any]:
    """Stores ranked by one KPI over a period (best first; incomplete stores flagged, not hidden)."""
    if kpi not in COMPARABLE:
        raise InvalidInput(
            f"kpi {kpi!r} cannot be compared across stores; choose one of {', '.join(COMPARABLE)}",
            details=[{"field": "kpi", "message": f"one of {', '.join(COMPARABLE)}"}],
        )
    definition = d.KPIS[kpi]
    if normalise != "none" and not definition.additive:
        raise InvalidInput(
            f"{kpi} is a ratio; normalising it {normalise.replace('_', ' ')} has no meaning",
            details=[{"field": "normalise", "message": "only for visitors, transactions and net_sales"}],
        )
    now = period_inputs(conn, stores, start, end, definition.sources)
    before: dict[str, d.KpiInputs] = {}
    previous_period = None
    if compare_to:
        previous_period = p.shift(start, end, compare_to)
        before = period_inputs(conn, stores, *previous_period, definition.sources)
    rows = []
    for s in stores:
        value = d.evaluate(kpi, now[s.store_id])
        row = {
            "store_id": s.store_id,
            "code": s.code,
            "name": s.name,
            "region_id": s.region_id,
            "region_name": s.region_name,
            "floor_area_m2": s.floor_area_m2,
            "currency": s.currency,
            "value": _round(d.normalised(value.value, now[s.store_id], normalise)),
            "complete": value.complete,
            "completeness": value.completeness,
            "coverage": (
                d.source_completeness(now[s.store_id])["traffic"].fraction
                if "traffic" in definition.sources
                else None
            ),
            "missing": list(value.missing),
        }
        if compare_to:
            old = d.evaluate(kpi, before[s.store_id])
            old_value = d.normalised(old.value, before[s.store_id], normalise)
            row["previous"] = _round(old_value)
            row["previous_complete"] = old.complete
            row["change"] = (
                None
                if old_value in (None, 0) or row["value"] is None
                else _round(row["value"] / old_value - 1)
            )
        rows.append(row)
    rows.sort(
        key=lambda r: (
            r["value"] is None,
            -(r["value"] or 0) if definition.higher_is_better else (r["value"] or 0),
        )
    )
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return {
        "kpi": kpi,
        "label": definition.label,
        "unit": definition.unit,
        "formula": definition.doc,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "normalise": normalise,
        "compare_to": compare_to,
        "previous_start": previous_period[0].isoformat() if previous_period else None,
        "previous_end": previous_period[1].isoformat() if previous_period else None,
        "stores": rows,
    }


# --- hour of week and anomalies ---------------------------------------------------------------


def _open_hours_params(stores: list[Store], start: date, end: date) -> dict[str, Any]:
    """The ``_OPEN_HOURS`` parameters: stores sharing a time zone and opening hours share one
    pattern, so a chain's open spans travel once per pattern, not once per store."""
    patterns: dict[tuple[str, str], int] = {}
    los: list[int] = []
    his: list[int] = []
    span_patterns: list[int] = []
    span_starts: list[int] = []
    span_ends: list[int] = []
    for store in stores:
        key = (store.hours_key, store.timezone)
        if key in patterns:
            continue
        patterns[key] = len(patterns) + 1
        los.append(int(p.local_midnight(start, store.zone).timestamp()))
        his.append(int(p.local_midnight(end + timedelta(days=1), store.zone).timestamp()))
        schedule = schedule_of(store, start, end)
        span_patterns.extend([patterns[key]] * len(schedule.starts_s))
        span_starts.extend(schedule.starts_s)
        span_ends.extend(schedule.ends_s)
    return {
        "store_ids": [s.store_id for s in stores],
        "patterns": [patterns[(s.hours_key, s.timezone)] for s in stores],
        "cameras": [max(s.cameras, 1) for s in stores],
        "timezones": [s.timezone for s in stores],
        "pattern_los": los,
        "pattern_his": his,
        "span_patterns": span_patterns,
        "span_starts": span_starts,
        "span_ends": span_ends,
        "camera_up": d.CAMERA_UP_FROM,
        "camera_down": d.CAMERA_DOWN_BELOW,
    }


def hour_of_week(conn: psycopg.Connection, store: Store, start: date, end: date) -> dict[str, Any]:
    """Mean visitors per weekday × local hour, over open hours whose camera was up."""
    _period(start, end)
    rows = conn.execute(q.HOUR_OF_WEEK, _open_hours_params([store], start, end)).fetchall()
    cells = [
        {
            "weekday": r["weekday"],
            "hour": r["hour"],
            "value": round(r["visitors"] / r["hours"], 3),
            "hours": r["hours"],
        }
        for r in rows
    ]
    return {
        "store_id": store.store_id,
        "timezone": store.timezone,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "cells": cells,
    }


#: Weeks of history behind "expected level for this hour and weekday".
HISTORY_WEEKS = 8
MAX_ANOMALY_DAYS = 31


@lru_cache(maxsize=256)
def _store_hours_apply(hours_key: str, timezone: str, start: date, end: date) -> bool:
    """May anomalies of a store with these hours and time zone come from ``traffic_store_hours``
    (migration 0015)? That table's expected level takes every hour of the same weekday and local
    hour as history, open or not, and its hours are the zone's local hours. So: the KPI
    definitions must still be the ones it bakes in, every hour the quarter-hour query would
    use (``HISTORY_WEEKS`` before ``start`` to ``end``) must start on a local hour, and each
    weekday and local hour must be open in every week or in none (weekly hours are, except
    where a DST change moves an open span's edge across an hour)."""
    if (
        d.CAMERA_UP_FROM != q.STORE_HOURS_CAMERA_UP
        or int(timedelta(weeks=HISTORY_WEEKS).total_seconds()) != q.STORE_HOURS_HISTORY_S
    ):
        return False
    zone = ZoneInfo(timezone)
    first = start - timedelta(weeks=HISTORY_WEEKS)
    lo = int(p.local_midnight(first, zone).timestamp())
    hi = int(p.local_midnight(end + timedelta(days=1), zone).timestamp())
    schedule = _schedule(hours_key, timezone, first, end)
    open_by_label: dict[tuple[int, int], bool] = {}
    for h in range(lo, hi, 3600):
        local = datetime.fromtimestamp(h, zone)
        if local.minute or local.second:
            return False
        is_open = schedule.seconds(h, h + 3600) >= 1800
        if open_by_label.setdefault((local.isoweekday(), local.hour), is_open) != is_open:
            return False
    return True


def anomalies(conn: psycopg.Connection, stores: list[Store], start: date, end: date) -> dict[str, Any]:
    """Hours flagged camera_down or low_traffic (see :func:`definitions.classify_hour`), for all
    ``stores``: the database picks the open hours that could be flagged and the median of the
    same weekday and hour over the previous weeks; the rule itself stays in :mod:`.definitions`.
    Stores whose open hours are the same every week read hours and medians kept by triggers
    (migration 0015, one small row per open hour of the period), the others the quarter hours
    of the whole history (one statement each way, in the order of ``stores``)."""
    _period(start, end)
    if (end - start).days + 1 > MAX_ANOMALY_DAYS:
        raise InvalidInput(f"ask for at most {MAX_ANOMALY_DAYS} days of anomalies at a time")
    found = []
    fast = [s for s in stores if _store_hours_apply(s.hours_key, s.timezone, start, end)]
    slow = [s for s in stores if not _store_hours_apply(s.hours_key, s.timezone, start, end)]
    candidates: list[tuple[Store, dict[str, Any]]] = []
    if fast:
        params = _open_hours_params(fast, start, end)
        params.update(min_expected=d.MIN_EXPECTED_VISITORS, low_ratio=d.LOW_TRAFFIC_RATIO)
        rows = conn.execute(q.ANOMALY_CANDIDATES_FROM_STORE_HOURS, params).fetchall()
        candidates.extend((fast[r["position"] - 1], r) for r in rows)
    if slow:
        params = _open_hours_params(slow, start - timedelta(weeks=HISTORY_WEEKS), end)
        params["history_s"] = int(timedelta(weeks=HISTORY_WEEKS).total_seconds())
        params["target_from"] = [int(p.local_midnight(start, s.zone).timestamp()) for s in slow]
        rows = conn.execute(q.ANOMALY_CANDIDATES, params).fetchall()
        candidates.extend((slow[r["position"] - 1], r) for r in rows)
    if fast and slow:  # the order one statement over all stores gives (ties keep it when sorted below)
        position = {s.store_id: k for k, s in enumerate(stores)}
        candidates.sort(key=lambda c: (position[c[0].store_id], c[1]["h"]))
    for store, r in candidates:
        obs = d.HourObservation(int(r["visitors"]), float(r["coverage"]), True)
        expected = r["expected"]
        kind = d.classify_hour(obs, expected)
        if kind is None:
            continue
        found.append(
            {
                "store_id": store.store_id,
                "store_name": store.name,
                "bucket_start": datetime.fromtimestamp(r["h"], store.zone).isoformat(),
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


# --- customers -----------------------------------------------------------------------------------

LTV_BINS = (0, 50, 100, 250, 500, 1000, 2500, 5000)


def customer_summary(conn: psycopg.Connection, store: Store, start: date, end: date) -> dict[str, Any]:
    """Aggregates only (no personal fields): members, new vs returning, CLV and RFM segments."""
    _period(start, end)
    lo, hi = p.local_midnight(start, store.zone), p.local_midnight(end + timedelta(days=1), store.zone)
    cut = hi.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    params = {"store_id": store.store_id, "org_id": store.org_id, "start": lo, "end": hi, "cut": cut,
              "cut_month": cut.date()}  # fmt: skip
    histories = [
        d.CustomerHistory(
            r["customer_id"],
            r["first_purchase"].astimezone(store.zone).date(),
            r["last_purchase"].astimezone(store.zone).date(),
            int(r["purchases"]),
            Decimal(r["net_spend"]),
        )
        for r in conn.execute(q.CUSTOMER_HISTORIES, params).fetchall()
        if r["first_purchase"] is not None
    ]
    totals = period_inputs(conn, [store], start, end)[store.store_id]
    new = sum(1 for h in histories if h.first_purchase >= start)
    scores = d.rfm(histories, end)
    segments: dict[str, int] = defaultdict(int)
    for score in scores.values():
        segments[score.segment] += 1
    values = [d.historical_clv(h) for h in histories]
    bins = [
        {
            "lower": LTV_BINS[k],
            "upper": LTV_BINS[k + 1] if k + 1 < len(LTV_BINS) else None,
            "customers": sum(
                1 for v in values if v >= LTV_BINS[k] and (k + 1 == len(LTV_BINS) or v < LTV_BINS[k + 1])
            ),
        }
        for k in range(len(LTV_BINS))
    ]
    completeness = d.source_completeness(totals)["sales"]
    return {
        "store_id": store.store_id,
        "currency": store.currency,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "customers": len(histories),
        "new_customers": new,
        "returning_customers": len(histories) - new,
        "member_transactions": totals.member_transactions,
        "non_member_transactions": totals.transactions - totals.member_transactions,
        "member_share": d.member_share(totals),
        "average_ltv": round(sum(values) / len(values), 2) if values else None,
        "average_predicted_ltv": (
            round(sum(d.predicted_clv(h, end) for h in histories) / len(histories), 2) if histories else None
        ),
        "rfm_segments": dict(sorted(segments.items())),
        "ltv_histogram": bins,
        "complete": completeness.missing is None,
        "missing": [completeness.missing] if completeness.missing else [],
    }


def utc_now() -> datetime:
    return datetime.now(UTC)
