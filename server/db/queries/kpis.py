"""SQL behind the KPIs: traffic and coverage per 15 minutes, sales and staff per local hour,
sales days, customer purchases. Every query takes UTC ``[start, end)`` instants; cutting them
into store-local buckets happens in ``footfall.server.kpis``.
"""

STORES = """
SELECT s.store_id, s.org_id, s.code, s.name, s.region_id, r.name AS region_name, s.timezone, s.currency,
       s.locale, s.floor_area_m2, s.opening_hours,
       (SELECT count(*) FROM cameras c WHERE c.store_id = s.store_id) AS cameras
FROM stores s LEFT JOIN regions r USING (region_id)
WHERE s.store_id = ANY(%(store_ids)s)
  AND (%(region_id)s::text IS NULL OR s.region_id = %(region_id)s)
ORDER BY s.store_id
"""

#: Adults in/out per UTC quarter hour for one store (all lines summed), optionally per entrance.
TRAFFIC_15MIN = """
SELECT bucket_start, extract(epoch FROM bucket_start)::bigint AS epoch,
       CASE WHEN %(by_entrance)s THEN entrance_id END AS entrance_id,
       sum(in_count)::bigint AS in_count, sum(out_count)::bigint AS out_count
FROM traffic_15min
WHERE store_id = %(store_id)s AND person_class = 'adult'
  AND bucket_start >= %(start)s AND bucket_start < %(end)s
GROUP BY 1, 3 ORDER BY 1
"""

#: Buying units: a group (same group_id) walking in counts once, everyone else once each.
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

#: Seconds any camera of the store counted per quarter hour (divide by 900 × cameras).
COVERAGE_15MIN = """
SELECT bucket_start, extract(epoch FROM bucket_start)::bigint AS epoch,
       sum(least(covered_s, 900))::double precision AS covered_s,
       count(DISTINCT camera_id) AS cameras
FROM coverage_15min
WHERE store_id = %(store_id)s AND bucket_start >= %(start)s AND bucket_start < %(end)s
GROUP BY 1, 2 ORDER BY 1
"""

SALES_HOURLY = """
SELECT hour_start, extract(epoch FROM hour_start)::bigint AS epoch, transactions, refunds, net_sales, units, member_transactions
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

#: Each purchase of a known customer in the store in the period, with that (canonical)
#: customer's first purchase anywhere in the chain: new if it falls in the bucket, else returning.
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

#: Chain-wide purchase history of the canonical customers who bought in the store in the period.
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

# --- comparison: one row per store over a whole period -----------------------------------------

#: Adults in/out and camera-seconds counted while open, per store over local dates (the
#: trigger-maintained day table of migration 0005).
COMPARE_TRAFFIC = """
SELECT store_id, sum(visitors)::bigint AS visitors, sum(visitors_out)::bigint AS visitors_out,
       sum(covered_open_s)::double precision AS covered_open_s
FROM traffic_store_days
WHERE store_id = ANY(%(store_ids)s) AND local_date BETWEEN %(first_day)s AND %(last_day)s
GROUP BY store_id
"""

#: Sales per store over local business days (migration 0007), and on how many days sales were imported.
COMPARE_SALES = """
SELECT store_id, sum(transactions)::bigint AS transactions, sum(refunds)::bigint AS refunds,
       sum(net_sales) AS net_sales, sum(units)::bigint AS units,
       sum(member_transactions)::bigint AS member_transactions, count(*) AS days_imported
FROM sales_days
WHERE store_id = ANY(%(store_ids)s) AND business_date BETWEEN %(first_day)s AND %(last_day)s
GROUP BY store_id
"""

COMPARE_STAFF = """
SELECT store_id, sum(staff_on_duty) AS staff_hours, count(*) AS staffed_hours
FROM staff_hours
JOIN unnest(%(store_ids)s::text[], %(starts)s::timestamptz[], %(ends)s::timestamptz[]) AS w(store_id, w_start, w_end)
  USING (store_id)
WHERE hour_start >= w.w_start AND hour_start < w.w_end
GROUP BY store_id
"""
