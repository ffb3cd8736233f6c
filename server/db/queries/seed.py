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

#: While the history is copied in, the local-hour table (migration 0015) only sums its hours;
#: the 8-week expected levels are taken once at the end instead of once per quarter hour.
STORE_HOURS_BULK_ON = "SELECT set_config('footfall.store_hours_bulk', 'on', true)"
REFRESH_STORE_HOURS = "SELECT footfall_refresh_store_hours(%(store_ids)s::text[])"
