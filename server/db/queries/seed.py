"""SQL of the demo seed: find the demo organisation and bulk-load its history and rollups."""

ORG_BY_NAME = "SELECT org_id FROM organisations WHERE name = %(name)s"

STORES_OF_ORG = "SELECT store_id, code FROM stores WHERE org_id = %(org_id)s ORDER BY code"

COPY_CROSSINGS = """
COPY crossing_events (device_id, seq, event_time, received_at, store_id, camera_id, line_id,
                      entrance_id, direction, person_class, track_id, confidence)
FROM STDIN (FORMAT BINARY)
"""
CROSSING_TYPES = ("text", "int8", "timestamptz", "timestamptz", "text", "text", "text", "text", "text", "text",
                  "int8", "float4")  # fmt: skip

COPY_COVERAGE_MINUTES = """
COPY coverage_minutes (device_id, seq, minute, received_at, store_id, camera_id, processed_s, fps)
FROM STDIN (FORMAT BINARY)
"""
COVERAGE_TYPES = ("text", "int8", "timestamptz", "timestamptz", "text", "text", "float4", "float4")

# The 15-minute rollups (UTC quarter hours, as ingest keeps them), counted by the seed from the
# same rows it loads.
COPY_TRAFFIC_15MIN = """
COPY traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id, in_count, out_count)
FROM STDIN
"""

COPY_COVERAGE_15MIN = "COPY coverage_15min (store_id, camera_id, bucket_start, covered_s) FROM STDIN"

INSERT_IMPORT = """
INSERT INTO imports (org_id, kind, filename, content_sha256, rows_total, inserted)
VALUES (%(org_id)s, %(kind)s, %(filename)s, %(content_sha256)s, %(rows_total)s, %(rows_total)s)
RETURNING import_id
"""

COPY_SALES = """
COPY sales_transactions (store_id, transaction_id, org_id, occurred_at, amount, currency, units,
                         customer_id, import_id)
FROM STDIN
"""

COPY_SALES_HOURLY = """
COPY sales_hourly (store_id, hour_start, transactions, refunds, net_sales, units, member_transactions)
FROM STDIN
"""

#: The day's totals too (migration 0007): the store comparison reads them, and migration 0010's
#: trigger adds them to the month.
COPY_SALES_DAYS = """
COPY sales_days (store_id, business_date, import_id, transactions, refunds, net_sales, units, member_transactions)
FROM STDIN
"""

COPY_CUSTOMERS = """
COPY customers (org_id, customer_id, joined_on, segment, home_store_id, email, name, import_id)
FROM STDIN
"""

COPY_STAFF_HOURS = "COPY staff_hours (store_id, hour_start, staff_on_duty, import_id) FROM STDIN"

COUNT_CROSSINGS = "SELECT count(*) AS n FROM crossing_events"

ANALYZE = "ANALYZE crossing_events, coverage_minutes, traffic_15min, coverage_15min, sales_transactions"

#: While the history is copied in, the rollup row triggers (migration 0017) stay quiet; the
#: rollups of the seeded stores are rebuilt below, set-based, once every row is in.
ROLLUPS_BULK_ON = "SELECT set_config('footfall.rollups_bulk', 'on', true)"
ROLLUPS_BULK_OFF = "SELECT set_config('footfall.rollups_bulk', '', true)"

# The rebuild, in this order (days before months), while the bulk setting is still on so the
# deletes and inserts fire no month trigger. Each statement gives the rows the row triggers of
# migrations 0005, 0009, 0010/0011 would have left after inserting the same base rows: a day
# exists for adult traffic or for coverage while open (not for coverage while closed, unlike
# footfall_refresh_store_days); sums of camera-seconds are added in another order than the
# triggers add them, which is the same value for whole seconds (all the seed writes).
REBUILD_ROLLUPS = (
    "DELETE FROM traffic_store_days WHERE store_id = ANY(%(store_ids)s::text[])",
    """
INSERT INTO traffic_store_days (store_id, local_date, visitors, visitors_out, covered_open_s)
SELECT store_id, local_date, sum(visitors), sum(visitors_out), sum(covered_open_s)
FROM (
    SELECT t.store_id, (t.bucket_start AT TIME ZONE s.timezone)::date AS local_date,
           t.in_count::bigint AS visitors, t.out_count::bigint AS visitors_out, 0::float8 AS covered_open_s
    FROM traffic_15min t JOIN stores s USING (store_id)
    WHERE t.store_id = ANY(%(store_ids)s::text[]) AND t.person_class = 'adult'
    UNION ALL
    SELECT c.store_id, (c.bucket_start AT TIME ZONE s.timezone)::date, 0, 0, least(c.covered_s, 900)
    FROM coverage_15min c JOIN stores s USING (store_id)
    WHERE c.store_id = ANY(%(store_ids)s::text[])
      AND footfall_open_at(s.opening_hours, c.bucket_start AT TIME ZONE s.timezone)
) quarter_hours
GROUP BY store_id, local_date
""",
    "DELETE FROM traffic_store_months WHERE store_id = ANY(%(store_ids)s::text[])",
    """
INSERT INTO traffic_store_months (store_id, month, visitors, visitors_out, covered_open_s)
SELECT store_id, date_trunc('month', local_date)::date, sum(visitors), sum(visitors_out), sum(covered_open_s)
FROM traffic_store_days WHERE store_id = ANY(%(store_ids)s::text[])
GROUP BY 1, 2
""",
    "DELETE FROM sales_store_months WHERE store_id = ANY(%(store_ids)s::text[])",
    """
INSERT INTO sales_store_months (store_id, month, days_imported, transactions, refunds, net_sales, units,
                                member_transactions)
SELECT store_id, date_trunc('month', business_date)::date, count(*), sum(transactions), sum(refunds),
       sum(net_sales), sum(units), sum(member_transactions)
FROM sales_days WHERE store_id = ANY(%(store_ids)s::text[])
GROUP BY 1, 2
""",
    # the customers' months: the seed's organisation is new, so its own refresh (migration 0009)
    "SELECT footfall_refresh_customer_months(%(org_id)s::uuid)",
    # the local hours and their 8-week expected levels (migration 0015)
    "SELECT footfall_refresh_store_hours(%(store_ids)s::text[])",
)
