"""KPI query latency on a chain of 1,000 stores with a year of traffic, coverage, sales and staff.

Seeds an embedded PostgreSQL (or ``FOOTFALL_BENCH_DATABASE_URL``) with the same tables the
ingest and the imports fill (15-minute traffic and coverage, hourly sales and staff, sales
days with their totals, member purchases of 300 CRM customers per store with a few refunds and
merged duplicates), then times the KPI service functions the API calls and prints p50/p95
per query.

    .venv/bin/python benchmarks/bench_kpis.py                 # 1,000 stores x 365 days
    .venv/bin/python benchmarks/bench_kpis.py --stores 50 --days 60 --repeat 5   # quick look

Target (issue #7): p95 <= 300 ms. Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

OPEN = {d: [["09:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Kolkata")

SEED_SQL = [
    # stores, 20 regions, one camera each
    """
    INSERT INTO regions (region_id, org_id, code, name)
    SELECT 'bench-r' || r, %(org_id)s, 'R' || r, 'Region ' || r FROM generate_series(1, 20) r
    """,
    """
    INSERT INTO stores (store_id, org_id, region_id, code, name, timezone, currency, locale, floor_area_m2, opening_hours)
    SELECT 'bench-s' || s, %(org_id)s, 'bench-r' || (1 + s %% 20), 'S' || s, 'Store ' || s,
           (%(zones)s::text[])[1 + s %% array_length(%(zones)s::text[], 1)], 'EUR', 'en_GB',
           200 + (s %% 7) * 150, %(open)s::jsonb
    FROM generate_series(1, %(stores)s) s
    """,
    """
    INSERT INTO cameras (camera_id, store_id, name) SELECT 'bench-c' || s, 'bench-s' || s, 'Door'
    FROM generate_series(1, %(stores)s) s
    """,
    # bulk load without the per-row triggers of migration 0005, then derive the day table in one go
    "SET LOCAL session_replication_role = replica",
    # 40 open quarter hours a day (09:00-19:00 local) for every store and day
    """
    CREATE TEMP TABLE bench_quarters AS
    SELECT st.store_id, ((d::date + time '09:00' + q * interval '15 minutes') AT TIME ZONE st.timezone) AS t,
           q, d::date AS day
    FROM stores st, generate_series(%(first)s::date, %(last)s::date, interval '1 day') d, generate_series(0, 39) q
    WHERE st.org_id = %(org_id)s
    """,
    """
    INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id, in_count, out_count)
    SELECT store_id, 'bench-c' || substr(store_id, 8), 'door', 'adult', t, NULL,
           (5 + 20 * sin(q / 12.7) + (hashtext(store_id || t::text) & 7))::int,
           (4 + 20 * sin(q / 12.7) + (hashtext(t::text || store_id) & 7))::int
    FROM bench_quarters
    """,
    """
    INSERT INTO coverage_15min (store_id, camera_id, bucket_start, covered_s)
    SELECT store_id, 'bench-c' || substr(store_id, 8), t,
           CASE WHEN (hashtext(store_id || day::text) & 127) = 0 THEN 0 ELSE 900 END
    FROM bench_quarters
    """,
    """
    INSERT INTO imports (import_id, org_id, kind, content_sha256, rows_total)
    VALUES ('00000000-0000-0000-0000-00000000be0c', %(org_id)s, 'sales', repeat('0', 64), 0)
    """,
    """
    INSERT INTO sales_hourly (store_id, hour_start, transactions, refunds, net_sales, units, member_transactions)
    SELECT store_id, t, 3 + (q %% 5), q %% 2, 95.50 + q, 7 + q %% 3, 1 + q %% 2
    FROM bench_quarters WHERE q %% 4 = 0
    """,
    """
    INSERT INTO staff_hours (store_id, hour_start, staff_on_duty, import_id)
    SELECT store_id, t, 3 + q %% 2, '00000000-0000-0000-0000-00000000be0c'
    FROM bench_quarters WHERE q %% 4 = 0
    """,
    "SET LOCAL session_replication_role = origin",
    # sales days with their row trigger on: it keeps the month totals of migration 0010
    """
    INSERT INTO sales_days (store_id, business_date, import_id, transactions, refunds, net_sales, units,
                            member_transactions)
    SELECT store_id, day, '00000000-0000-0000-0000-00000000be0c'::uuid, sum(3 + (q %% 5)), sum(q %% 2),
           sum(95.50 + q), sum(7 + q %% 3), sum(1 + q %% 2)
    FROM bench_quarters WHERE q %% 4 = 0 GROUP BY store_id, day
    """,
    "DROP TABLE bench_quarters",
    """
    SELECT footfall_refresh_store_days(array_agg(store_id), %(first)s::date, %(last)s::date)
    FROM stores WHERE org_id = %(org_id)s
    """,
    # the local hours and expected levels anomalies read (migration 0015), derived in one go
    "SELECT footfall_refresh_store_hours(array_agg(store_id)) FROM stores WHERE org_id = %(org_id)s",
]


#: The day totals the sales import keeps next to the hourly ones (earlier seeds left them at 0).
SALES_DAY_TOTALS_SQL = """
UPDATE sales_days d
SET transactions = x.transactions, refunds = x.refunds, net_sales = x.net_sales, units = x.units,
    member_transactions = x.member_transactions
FROM (
    SELECT h.store_id, (h.hour_start AT TIME ZONE s.timezone)::date AS business_date, sum(h.transactions) AS transactions,
           sum(h.refunds) AS refunds, sum(h.net_sales) AS net_sales, sum(h.units) AS units,
           sum(h.member_transactions) AS member_transactions
    FROM sales_hourly h JOIN stores s USING (store_id) WHERE s.org_id = %(org_id)s GROUP BY 1, 2
) x
WHERE d.store_id = x.store_id AND d.business_date = x.business_date
"""

#: 300 CRM customers per store; 20 member purchases per store and day (18 by the store's own
#: customers, 2 by anyone in the chain), every 50th a refund; 1 % of customers are merged duplicates.
CUSTOMER_SEED_SQL = [
    """
    INSERT INTO customers (org_id, customer_id, joined_on, home_store_id)
    SELECT %(org_id)s, 'cu' || c, %(first)s::date - 30, 'bench-s' || (1 + c %% %(stores)s)
    FROM generate_series(0, %(stores)s * 300 - 1) c
    """,
    """
    INSERT INTO customer_aliases (org_id, alias_id, customer_id, matched_on)
    SELECT %(org_id)s, 'cu' || c, 'cu' || (c + %(stores)s), 'email'
    FROM generate_series(0, %(stores)s * 300 - 1, 100) c
    """,
    """
    INSERT INTO sales_transactions (store_id, transaction_id, org_id, occurred_at, amount, currency, units,
                                    customer_id, import_id)
    SELECT 'bench-s' || s, 'M' || day_no || '-' || k, %(org_id)s,
           ((%(first)s::date + day_no) + time '09:00' + (k * 29 + s) %% 600 * interval '1 minute')
               AT TIME ZONE (%(zones)s::text[])[1 + s %% array_length(%(zones)s::text[], 1)],
           CASE WHEN (day_no + k + s) %% 50 = 0 THEN -15.00 ELSE 20 + (hashtext(s || '-' || day_no || '-' || k) & 127) END,
           'EUR', CASE WHEN (day_no + k + s) %% 50 = 0 THEN -1 ELSE 1 + k %% 3 END,
           'cu' || CASE WHEN k < 18 THEN (s - 1) + %(stores)s * ((hashtext(day_no || '/' || k || '/' || s) & 2147483647) %% 300)
                        ELSE (hashtext(k || '/' || s || '/' || day_no) & 2147483647) %% (%(stores)s * 300) END,
           '00000000-0000-0000-0000-00000000be0c'
    FROM generate_series(1, %(stores)s) s, generate_series(0, %(days)s - 1) day_no, generate_series(0, 19) k
    """,
]


def _seed_customers(conn: object, params: dict) -> None:
    """Customers and member purchases (seeded apart, so an older seeded database gains them)."""
    row = conn.execute(  # type: ignore[attr-defined]
        "SELECT 1 FROM sales_transactions WHERE org_id = %(org_id)s LIMIT 1", params
    ).fetchone()
    if row is not None:
        return
    started = time.perf_counter()
    with conn.transaction():  # type: ignore[attr-defined]
        conn.execute(SALES_DAY_TOTALS_SQL, params)  # type: ignore[attr-defined]
        conn.execute("SET LOCAL session_replication_role = replica")  # type: ignore[attr-defined]
        for sql in CUSTOMER_SEED_SQL:
            conn.execute(sql, params)  # type: ignore[attr-defined]
        conn.execute("SET LOCAL session_replication_role = origin")  # type: ignore[attr-defined]
        # the per-customer months the row trigger keeps (migration 0009), derived in one go
        if conn.execute("SELECT to_regproc('footfall_refresh_customer_months') AS f").fetchone()["f"]:  # type: ignore[attr-defined]
            conn.execute("SELECT footfall_refresh_customer_months(%(org_id)s)", params)  # type: ignore[attr-defined]
    conn.execute("VACUUM (ANALYZE)")  # type: ignore[attr-defined]
    print(f"seeded customers and member purchases in {time.perf_counter() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per query")
    parser.add_argument("--only", help="time only the queries whose name contains this text")
    parser.add_argument("--data-dir", help="keep the seeded embedded database here (re-used when present)")
    args = parser.parse_args()

    import psycopg
    from footfall.server.commands import run_migrations
    from psycopg.rows import dict_row

    external = os.environ.get("FOOTFALL_BENCH_DATABASE_URL")
    embedded = None
    if external:
        dsn = external
    else:
        from footfall.server.db.embedded import start_embedded

        folder = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="bench-kpis-"))
        embedded = start_embedded(folder)
        dsn = embedded.dsn
    try:
        run_migrations(dsn)
        last = date(2026, 10, 31)
        first = last - timedelta(days=args.days - 1)
        with psycopg.connect(dsn, row_factory=dict_row, autocommit=True) as conn:
            org_name = f"bench {args.stores}x{args.days}"
            row = conn.execute("SELECT org_id FROM organisations WHERE name = %s", (org_name,)).fetchone()
            params = {"stores": args.stores, "days": args.days, "zones": list(ZONES), "open": json.dumps(OPEN),
                      "first": first, "last": last}  # fmt: skip
            if row is None:
                started = time.perf_counter()
                org_id = str(
                    conn.execute(
                        "INSERT INTO organisations (name) VALUES (%s) RETURNING org_id", (org_name,)
                    ).fetchone()["org_id"]
                )
                params["org_id"] = org_id
                with conn.transaction():
                    for sql in SEED_SQL:
                        conn.execute(sql, params)
                conn.execute(
                    "VACUUM (ANALYZE)"
                )  # what autovacuum does in production; enables index-only scans
                print(
                    f"seeded {args.stores} stores x {args.days} days in {time.perf_counter() - started:.0f} s"
                )
            else:
                org_id = str(row["org_id"])
            _seed_customers(conn, {**params, "org_id": org_id})
            counts = {
                t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"]  # noqa: S608 - fixed table names
                for t in (
                    "traffic_15min",
                    "coverage_15min",
                    "traffic_store_days",
                    "sales_hourly",
                    "staff_hours",
                    "sales_transactions",
                )
            }
            print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
            _run(conn, org_id, first, last, args.repeat, args.only)
    finally:
        if embedded is not None:
            embedded.stop()
            if not args.data_dir:
                import shutil

                shutil.rmtree(folder, ignore_errors=True)  # the throw-away seed (gigabytes at full size)
    return 0


def _run(conn: object, org_id: str, first: date, last: date, repeat: int, only: str | None = None) -> None:
    from footfall.server.kpis import service

    store_ids = [
        r["store_id"] for r in conn.execute("SELECT store_id FROM stores WHERE org_id = %s", (org_id,))
    ]  # type: ignore[attr-defined]
    stores = service.load_stores(conn, store_ids)  # type: ignore[arg-type]
    one = stores[len(stores) // 2]
    month_start = last.replace(day=1)
    region = stores[0].region_id
    in_region = [s for s in stores if s.region_id == region]
    cases: list[tuple[str, Callable[[], object]]] = [
        ("store KPIs, 1 store x 1 year, by day", lambda: service.store_kpis(conn, one, first, last, "day")),
        ("store KPIs, 1 store x 1 year, by month", lambda: service.store_kpis(conn, one, first, last, "month")),
        ("store KPIs, 1 store x 1 month, by hour", lambda: service.store_kpis(conn, one, month_start, last, "hour")),
        ("hour-of-week, 1 store x 1 year", lambda: service.hour_of_week(conn, one, first, last)),
        ("comparison, all stores x 1 week (conversion)", lambda: service.comparison(conn, stores, "conversion", last - timedelta(days=6), last)),
        ("comparison, all stores x 1 month (conversion)", lambda: service.comparison(conn, stores, "conversion", month_start, last)),
        ("comparison, one region x 1 year (conversion)", lambda: service.comparison(conn, in_region, "conversion", first, last)),
        ("comparison, all stores x 1 year (conversion)", lambda: service.comparison(conn, stores, "conversion", first, last)),
        ("anomalies, 1 store x 1 week", lambda: service.anomalies(conn, [one], last - timedelta(days=6), last)),
        ("anomalies, all stores x 1 week", lambda: service.anomalies(conn, stores, last - timedelta(days=6), last)),
        ("customer summary, 1 store x 1 month", lambda: service.customer_summary(conn, one, month_start, last)),
        ("customer summary, 1 store x 1 year", lambda: service.customer_summary(conn, one, first, last)),
    ]  # fmt: skip
    print(f"{'query':<50} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  (n={repeat}, {len(stores)} stores)")
    for name, call in cases:
        if only and only not in name:
            continue
        started = time.perf_counter()
        call()  # warm caches
        warm = time.perf_counter() - started
        runs = repeat if warm < 2 else 3  # a query taking seconds is timed 3 times, not 20
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        flag = "" if p95 <= 300 else "   > 300 ms target"
        runs_note = "" if runs == repeat else f"   (n={runs})"
        print(f"{name:<50} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f}{flag}{runs_note}")
        sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
