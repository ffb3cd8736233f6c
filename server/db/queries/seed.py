"""SQL of the demo seed: find the demo organisation, bulk-load its history, derive its rollups."""

ORG_BY_NAME = "SELECT org_id FROM organisations WHERE name = %(name)s"

STORES_OF_ORG = "SELECT store_id, code FROM stores WHERE org_id = %(org_id)s ORDER BY code"

COPY_CROSSINGS = """
COPY crossing_events (device_id, seq, event_time, received_at, store_id, camera_id, line_id,
                      entrance_id, direction, person_class, track_id, confidence)
FROM STDIN (FORMAT BINARY)
"""
CROSSING_TYPES = ("text", "int8", "timestamptz", "timestamptz", "text", "text", "text", "text", "text", "text",
                  "int8", "float4")  # fmt: skip

# History's coverage goes straight into the 15-minute rollup (a million per-minute rows would
# double the seed time and say nothing more about synthetic cameras).
COPY_COVERAGE_15MIN = "COPY coverage_15min (store_id, camera_id, bucket_start, covered_s) FROM STDIN"

COPY_TRAFFIC_15MIN = """
COPY traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id, in_count, out_count)
FROM STDIN
"""

# History's coverage goes straight into the 15-minute rollup (a million per-minute rows would
# double the seed time and say nothing more about synthetic cameras).
COPY_COVERAGE_15MIN = "COPY coverage_15min (store_id, camera_id, bucket_start, covered_s) FROM STDIN"

# The 15-minute rollups, derived from the raw rows just loaded (UTC quarter hours, as ingest does).
ROLLUP_TRAFFIC = """
INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id,
                           in_count, out_count)
SELECT store_id, camera_id, line_id, person_class,
       date_bin('15 minutes', event_time, timestamptz '2000-01-01 00:00:00+00'),
       min(entrance_id),
       count(*) FILTER (WHERE direction = 'in'),
       count(*) FILTER (WHERE direction = 'out')
FROM crossing_events
WHERE store_id = ANY(%(store_ids)s)
GROUP BY 1, 2, 3, 4, 5
ON CONFLICT (store_id, bucket_start, camera_id, line_id, person_class) DO UPDATE
SET in_count = traffic_15min.in_count + excluded.in_count,
    out_count = traffic_15min.out_count + excluded.out_count
"""

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

COPY_SALES_DAYS = "COPY sales_days (store_id, business_date, import_id) FROM STDIN"

COPY_CUSTOMERS = """
COPY customers (org_id, customer_id, joined_on, segment, home_store_id, email, name, import_id)
FROM STDIN
"""

COPY_STAFF_HOURS = "COPY staff_hours (store_id, hour_start, staff_on_duty, import_id) FROM STDIN"

COUNT_CROSSINGS = "SELECT count(*) AS n FROM crossing_events"

ANALYZE = "ANALYZE crossing_events, traffic_15min, coverage_15min, sales_transactions"
