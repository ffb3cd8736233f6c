"""SQL behind the KPIs: traffic and coverage per 15 minutes, sales and staff per local hour,
sales days, customer purchases. Every query takes UTC ``[start, end)`` instants.

The per-bucket queries (``BUCKET_*``) fold the quarter hours into the caller's store-local
buckets inside the database and return one row per bucket: the buckets come as a sorted array
of their UTC starts in POSIX seconds (``bucket_starts``) and ``width_bucket`` finds each row's
bucket (1-based) by binary search. The store's open spans come the same way (``open_starts``,
``open_ends``: merged, sorted, POSIX seconds), so "open seconds of a quarter hour" is the exact
overlap, as in :class:`footfall.server.kpis.periods.OpenSchedule`. Floating-point sums are
ordered by time (``sum(... ORDER BY t)``) so they add up in the same order as a loop would.
"""

STORES = """
SELECT s.store_id, s.org_id, s.code, s.name, s.region_id, r.name AS region_name, s.timezone, s.currency,
       s.locale, s.floor_area_m2, s.opening_hours, s.day_starts_at,
       (SELECT count(*) FROM cameras c WHERE c.store_id = s.store_id) AS cameras
FROM stores s LEFT JOIN regions r USING (region_id)
WHERE s.store_id = ANY(%(store_ids)s)
  AND (%(region_id)s::text IS NULL OR s.region_id = %(region_id)s)
ORDER BY s.store_id
"""

SALES_DAYS = """
SELECT business_date FROM sales_days
WHERE store_id = %(store_id)s AND business_date BETWEEN %(first_day)s AND %(last_day)s
"""

# --- customers: their purchases per month (migration 0009), aliases resolved when read -----------

#: ``buyers``: the canonical customers (a merged duplicate's id resolved through customer_aliases)
#: who bought (amount >= 0) in the store in ``[start, end)``. ``members``: every id on the
#: transactions that resolves to one of them (the canonical id unless it is itself an alias, and
#: the ids merged into it).
_BUYERS = """purchases AS (
    SELECT coalesce(a.customer_id, t.customer_id) AS customer_id, t.occurred_at
    FROM sales_transactions t
    LEFT JOIN customer_aliases a ON a.org_id = t.org_id AND a.alias_id = t.customer_id
    WHERE t.store_id = %(store_id)s AND t.org_id = %(org_id)s AND t.customer_id IS NOT NULL AND t.amount >= 0
      AND t.occurred_at >= %(start)s AND t.occurred_at < %(end)s
),
buyers AS (SELECT DISTINCT customer_id FROM purchases),
members AS (
    SELECT b.customer_id, b.customer_id AS raw_id FROM buyers b
    WHERE NOT EXISTS (
        SELECT 1 FROM customer_aliases x WHERE x.org_id = %(org_id)s AND x.alias_id = b.customer_id
    )
    UNION ALL
    SELECT a.customer_id, a.alias_id FROM customer_aliases a JOIN buyers b USING (customer_id)
    WHERE a.org_id = %(org_id)s
)"""

#: Per bucket (``bucket_starts_at``: the buckets' UTC starts): customers who bought in the store,
#: and how many of them are new (first purchase anywhere in the chain within the bucket).
BUCKET_CUSTOMERS = """
WITH {buyers},
firsts AS (
    SELECT m.customer_id, min(s.first_purchase) AS first_purchase
    FROM members m JOIN customer_purchase_months s ON s.org_id = %(org_id)s AND s.customer_id = m.raw_id
    GROUP BY m.customer_id
),
placed AS (
    SELECT DISTINCT p.customer_id, width_bucket(p.occurred_at, %(bucket_starts_at)s::timestamptz[]) AS k
    FROM purchases p
)
SELECT p.k, count(*) AS customers,
       count(*) FILTER (WHERE f.first_purchase >= (%(bucket_starts_at)s::timestamptz[])[p.k]) AS new_customers
FROM placed p JOIN firsts f USING (customer_id)
GROUP BY p.k
""".replace("{buyers}", _BUYERS)

#: Chain-wide purchase history, up to ``end``, of the canonical customers who bought in the store
#: in the period: whole UTC months before the month of ``end`` from customer_purchase_months, the
#: rest (``cut`` = that month's start, to ``end``) from the transactions themselves.
CUSTOMER_HISTORIES = """
WITH {buyers},
history AS (
    SELECT m.customer_id, s.first_purchase, s.last_purchase, s.purchases::bigint AS purchases, s.net_spend
    FROM members m JOIN customer_purchase_months s ON s.org_id = %(org_id)s AND s.customer_id = m.raw_id
    WHERE s.month < %(cut_month)s
    UNION ALL
    SELECT m.customer_id, CASE WHEN t.amount >= 0 THEN t.occurred_at END, CASE WHEN t.amount >= 0 THEN t.occurred_at END,
           CASE WHEN t.amount >= 0 THEN 1 ELSE 0 END, t.amount
    FROM members m JOIN sales_transactions t ON t.org_id = %(org_id)s AND t.customer_id = m.raw_id
    WHERE t.customer_id IS NOT NULL AND t.occurred_at >= %(cut)s AND t.occurred_at < %(end)s
)
SELECT customer_id, min(first_purchase) AS first_purchase, max(last_purchase) AS last_purchase,
       sum(purchases) AS purchases, sum(net_spend) AS net_spend
FROM history
GROUP BY customer_id
""".replace("{buyers}", _BUYERS)

# --- comparison: one row per store over a whole period -----------------------------------------

#: Adults in/out and camera-seconds counted while open, per store over local dates: the whole
#: local months ``[whole_from, whole_to)`` from traffic_store_months (migration 0010), the days
#: before and after them from the trigger-maintained day table of migration 0005.
COMPARE_TRAFFIC = """
SELECT store_id, sum(visitors)::bigint AS visitors, sum(visitors_out)::bigint AS visitors_out,
       sum(covered_open_s)::double precision AS covered_open_s
FROM (
    SELECT store_id, visitors, visitors_out, covered_open_s FROM traffic_store_months
    WHERE store_id = ANY(%(store_ids)s) AND month >= %(whole_from)s AND month < %(whole_to)s
    UNION ALL
    SELECT store_id, visitors, visitors_out, covered_open_s FROM traffic_store_days
    WHERE store_id = ANY(%(store_ids)s) AND local_date >= %(first_day)s AND local_date < %(whole_from)s
    UNION ALL
    SELECT store_id, visitors, visitors_out, covered_open_s FROM traffic_store_days
    WHERE store_id = ANY(%(store_ids)s) AND local_date >= %(whole_to)s AND local_date <= %(last_day)s
) days
GROUP BY store_id
"""

#: Sales per store over local business days (months of migration 0010, edge days of migration
#: 0007), and on how many days sales were imported.
COMPARE_SALES = """
SELECT store_id, sum(transactions)::bigint AS transactions, sum(refunds)::bigint AS refunds,
       sum(net_sales) AS net_sales, sum(units)::bigint AS units,
       sum(member_transactions)::bigint AS member_transactions, sum(days)::bigint AS days_imported
FROM (
    SELECT store_id, transactions, refunds, net_sales, units, member_transactions, days_imported AS days
    FROM sales_store_months
    WHERE store_id = ANY(%(store_ids)s) AND month >= %(whole_from)s AND month < %(whole_to)s
    UNION ALL
    SELECT store_id, transactions, refunds, net_sales, units, member_transactions, 1 FROM sales_days
    WHERE store_id = ANY(%(store_ids)s) AND business_date >= %(first_day)s AND business_date < %(whole_from)s
    UNION ALL
    SELECT store_id, transactions, refunds, net_sales, units, member_transactions, 1 FROM sales_days
    WHERE store_id = ANY(%(store_ids)s) AND business_date >= %(whole_to)s AND business_date <= %(last_day)s
) days
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

# --- one store, folded into its local buckets in the database ------------------------------------

#: Adults in/out per UTC quarter hour (per entrance when asked), from ``flows_from`` (the start of
#: the business day the period begins in, so occupancy starts from the right level) to ``end``.
_ADULT_FLOWS = """
    SELECT date_part('epoch', bucket_start)::bigint AS t,
           CASE WHEN %(by_entrance)s THEN entrance_id END AS entrance_id,
           sum(in_count)::bigint AS n_in, sum(out_count)::bigint AS n_out
    FROM traffic_15min
    WHERE store_id = %(store_id)s AND person_class = 'adult'
      AND bucket_start >= %(flows_from)s AND bucket_start < %(end)s
    GROUP BY bucket_start, 2
"""

#: The same summed over entrances (one row per quarter hour, in index order: no regrouping).
_ADULT_STORE_FLOWS = """
    SELECT date_part('epoch', bucket_start)::bigint AS t,
           sum(in_count)::bigint AS n_in, sum(out_count)::bigint AS n_out
    FROM traffic_15min
    WHERE store_id = %(store_id)s AND person_class = 'adult'
      AND bucket_start >= %(flows_from)s AND bucket_start < %(end)s
    GROUP BY bucket_start
"""

#: Buying units per quarter hour: a group (same group_id) walking in counts once, everyone else
#: once each; nobody is counted out.
_BUYING_UNIT_FLOWS = """
    SELECT date_part('epoch', date_bin('15 minutes', event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'))::bigint AS t,
           CASE WHEN %(by_entrance)s THEN entrance_id END AS entrance_id,
           (count(*) FILTER (WHERE group_id IS NULL) + count(DISTINCT group_id))::bigint AS n_in,
           0::bigint AS n_out
    FROM crossing_events
    WHERE store_id = %(store_id)s AND person_class = 'adult' AND direction = 'in'
      AND event_time >= %(flows_from)s AND event_time < %(end)s
    GROUP BY 1, 2
"""

#: Per bucket: visitors in/out, occupancy (peak over the marks, and Σ and count over the open
#: marks: see ``definitions.running_occupancy``) and covered open minutes.
#:
#: Marks are the open quarter hours of ``[lo, hi)`` plus every quarter hour with a traffic row.
#: Occupancy after a mark is Σ(in − out) since its business day began (``day_starts``), floored
#: at 0: for x_k = max(0, x_{k−1} + d_k), x_0 = 0, that is S_k − min(0, min_{j≤k} S_j) with S the
#: running sum (the reflection identity), which window functions compute in one pass.
#: Covered minutes = Σ over quarter hours of min(1, covered camera-seconds ÷ (900 × cameras)) ×
#: the quarter's open minutes, as ``store_kpis`` always defined them.
_BUCKET_TRAFFIC = """
WITH flows AS ({flows}),
spans AS (
    SELECT a, b FROM unnest(%(open_starts)s::bigint[], %(open_ends)s::bigint[]) AS s(a, b)
    WHERE b > %(lo)s AND a < %(hi)s
),
open_quarters AS (
    SELECT q.t, sum(least(s.b, q.t + 900) - greatest(s.a, q.t)) AS open_s
    FROM spans s,
         generate_series(greatest(s.a, %(lo)s) - greatest(s.a, %(lo)s) %% 900, least(s.b, %(hi)s) - 1, 900) AS q(t)
    GROUP BY q.t
),
marks AS (
    SELECT coalesce(f.t, o.t) AS t, coalesce(f.n_in, 0) AS n_in, coalesce(f.n_out, 0) AS n_out,
           o.t IS NOT NULL AS is_open, width_bucket(coalesce(f.t, o.t), %(day_starts)s::bigint[]) AS business_day
    FROM flows f FULL JOIN open_quarters o ON o.t = f.t
),
running AS (
    SELECT t, n_in, n_out, is_open, business_day,
           sum(n_in - n_out) OVER (PARTITION BY business_day ORDER BY t ROWS UNBOUNDED PRECEDING) AS net
    FROM marks
),
levels AS (
    SELECT t, n_in, n_out, is_open,
           net - least(0, min(net) OVER (PARTITION BY business_day ORDER BY t ROWS UNBOUNDED PRECEDING)) AS inside
    FROM running
),
traffic AS (
    SELECT width_bucket(t, %(bucket_starts)s::bigint[]) AS k,
           sum(n_in)::bigint AS visitors, sum(n_out)::bigint AS visitors_out, max(inside)::bigint AS peak,
           (sum(inside) FILTER (WHERE is_open))::bigint AS open_sum, count(*) FILTER (WHERE is_open) AS open_marks
    FROM levels WHERE t >= %(lo)s
    GROUP BY 1
),
coverage AS (
    SELECT date_part('epoch', bucket_start)::bigint AS t,
           sum(least(covered_s, 900))::double precision AS covered_s, count(DISTINCT camera_id) AS cameras
    FROM coverage_15min
    WHERE store_id = %(store_id)s AND bucket_start >= %(start)s AND bucket_start < %(end)s
    GROUP BY bucket_start
),
covered AS (
    SELECT width_bucket(c.t, %(bucket_starts)s::bigint[]) AS k,
           sum(least(1.0::float8, c.covered_s / (900.0::float8 * greatest(%(cameras)s::int, c.cameras)))
               * (o.open_s::float8 / 60.0::float8) ORDER BY c.t) AS covered_minutes
    FROM coverage c JOIN open_quarters o USING (t)
    GROUP BY 1
)
SELECT k, coalesce(t.visitors, 0) AS visitors, coalesce(t.visitors_out, 0) AS visitors_out, t.peak,
       t.open_sum, coalesce(t.open_marks, 0) AS open_marks, coalesce(c.covered_minutes, 0.0) AS covered_minutes
FROM traffic t FULL JOIN covered c USING (k)
"""
BUCKET_TRAFFIC = _BUCKET_TRAFFIC.replace("{flows}", _ADULT_STORE_FLOWS)
#: Buying units summed over entrances: counted per entrance when entrances are asked for (a group
#: coming in through two doors counts at each), as the visitors per entrance are.
BUCKET_BUYING_UNITS = _BUCKET_TRAFFIC.replace(
    "{flows}",
    "SELECT t, sum(n_in)::bigint AS n_in, sum(n_out)::bigint AS n_out FROM ({units}) f GROUP BY t",
).replace("{units}", _BUYING_UNIT_FLOWS)

#: Visitors per bucket and entrance (``entrance_id`` NULL = not assigned to an entrance).
_BUCKET_ENTRANCES = """
WITH flows AS ({flows})
SELECT width_bucket(t, %(bucket_starts)s::bigint[]) AS k, entrance_id, sum(n_in)::bigint AS visitors
FROM flows WHERE t >= %(lo)s
GROUP BY 1, 2
"""
BUCKET_ENTRANCES = _BUCKET_ENTRANCES.replace("{flows}", _ADULT_FLOWS)
BUCKET_ENTRANCE_BUYING_UNITS = _BUCKET_ENTRANCES.replace("{flows}", _BUYING_UNIT_FLOWS)

#: Sales per bucket (the local hours of ``sales_hourly`` folded into the buckets).
BUCKET_SALES = """
SELECT width_bucket(date_part('epoch', hour_start)::bigint, %(bucket_starts)s::bigint[]) AS k,
       sum(transactions)::bigint AS transactions, sum(refunds)::bigint AS refunds, sum(net_sales) AS net_sales,
       sum(units)::bigint AS units, sum(member_transactions)::bigint AS member_transactions
FROM sales_hourly
WHERE store_id = %(store_id)s AND hour_start >= %(start)s AND hour_start < %(end)s
GROUP BY 1
"""

#: Staff hours per bucket, counting only local hours during which the store was open at all.
BUCKET_STAFF = """
WITH hours AS (
    SELECT date_part('epoch', hour_start)::bigint AS h, staff_on_duty
    FROM staff_hours
    WHERE store_id = %(store_id)s AND hour_start >= %(start)s AND hour_start < %(end)s
)
SELECT width_bucket(h, %(bucket_starts)s::bigint[]) AS k,
       sum(staff_on_duty::float8 ORDER BY h) AS staff_hours, count(*) AS staffed_hours
FROM hours
WHERE coalesce((%(open_starts)s::bigint[])[width_bucket(h, %(open_ends)s::bigint[]) + 1] < h + 3600, false)
GROUP BY 1
"""

# --- open local hours of many stores: hour-of-week profiles and anomaly rules ---------------------

#: Visitors and camera coverage of every *open* local hour (≥ 30 open minutes) of the stores in
#: ``chain``, from each store's ``lo`` to ``hi`` (POSIX seconds). Stores with the same time zone
#: and opening hours share a ``pattern`` (1-based index into ``pattern_los``/``pattern_his``),
#: whose open spans come once (``span_patterns``, ``span_starts``, ``span_ends``). Local hours
#: are ``lo + 3600 k`` (as ``periods.buckets(..., "hour")``); an hour's coverage is
#: min(1, Σ over its quarter hours of min(1, covered camera-seconds ÷ (900 × cameras)) ÷ 4).
_OPEN_HOURS = """
chain AS (
    SELECT * FROM unnest(%(store_ids)s::text[], %(patterns)s::int[], %(cameras)s::int[], %(timezones)s::text[])
        WITH ORDINALITY AS c(store_id, pattern, cameras, timezone, position)
),
patterns AS (
    SELECT * FROM unnest(%(pattern_los)s::bigint[], %(pattern_his)s::bigint[]) WITH ORDINALITY AS p(lo, hi, pattern)
),
open_hours AS (
    SELECT p.pattern, p.lo + (q.t - p.lo) / 3600 * 3600 AS h
    FROM unnest(%(span_patterns)s::int[], %(span_starts)s::bigint[], %(span_ends)s::bigint[]) AS x(pattern, a, b)
    JOIN patterns p ON p.pattern = x.pattern AND x.b > p.lo AND x.a < p.hi,
    LATERAL generate_series(greatest(x.a, p.lo) - greatest(x.a, p.lo) %% 900, least(x.b, p.hi) - 1, 900) AS q(t)
    GROUP BY 1, 2
    HAVING sum(least(x.b, q.t + 900) - greatest(x.a, q.t)) >= 1800
),
visits AS (
    SELECT c.store_id, p.lo + (date_part('epoch', t.bucket_start)::bigint - p.lo) / 3600 * 3600 AS h,
           sum(t.in_count)::bigint AS visitors
    FROM chain c JOIN patterns p USING (pattern)
    JOIN traffic_15min t ON t.store_id = c.store_id AND t.person_class = 'adult'
     AND t.bucket_start >= to_timestamp(p.lo) AND t.bucket_start < to_timestamp(p.hi)
    GROUP BY 1, 2
),
quarters AS (
    SELECT v.store_id, p.lo + (date_part('epoch', v.bucket_start)::bigint - p.lo) / 3600 * 3600 AS h,
           v.bucket_start, least(1.0::float8, sum(least(v.covered_s, 900))::float8
                                               / (900.0::float8 * greatest(c.cameras, count(DISTINCT v.camera_id)))) / 4.0::float8 AS part
    FROM chain c JOIN patterns p USING (pattern)
    JOIN coverage_15min v ON v.store_id = c.store_id
     AND v.bucket_start >= to_timestamp(p.lo) AND v.bucket_start < to_timestamp(p.hi)
    GROUP BY v.store_id, p.lo, c.cameras, v.bucket_start
),
covered AS (
    SELECT store_id, h, least(1.0::float8, sum(part ORDER BY bucket_start)) AS coverage FROM quarters GROUP BY 1, 2
),
hourly AS (  -- a UNION and GROUP BY, not joins: row estimates for unnest() are guesses
    SELECT store_id, h, sum(visitors)::bigint AS visitors, sum(coverage) AS coverage, bool_or(is_open) AS is_open
    FROM (
        SELECT store_id, h, visitors, 0.0::float8 AS coverage, false AS is_open FROM visits
        UNION ALL
        SELECT store_id, h, 0, coverage, false FROM covered
        UNION ALL
        SELECT c.store_id, o.h, 0, 0.0::float8, true FROM chain c JOIN open_hours o USING (pattern)
    ) parts
    GROUP BY store_id, h
),
observed AS (
    SELECT c.store_id, c.position, o.h, o.visitors, o.coverage,
           date_part('isodow', to_timestamp(o.h) AT TIME ZONE c.timezone)::int - 1 AS weekday,
           date_part('hour', to_timestamp(o.h) AT TIME ZONE c.timezone)::int AS hour
    FROM hourly o JOIN chain c USING (store_id)
    WHERE o.is_open
)"""

#: Mean visitors per (weekday 0 = Monday, local hour) over open hours with the camera up.
HOUR_OF_WEEK = """
WITH {open_hours}
SELECT weekday, hour, sum(visitors)::bigint AS visitors, count(*) AS hours
FROM observed WHERE coverage >= %(camera_up)s
GROUP BY 1, 2 ORDER BY 1, 2
""".replace("{open_hours}", _OPEN_HOURS)

#: The open local hours of each opening-hours pattern (an hour is open when at least half of
#: it is), shared by the two anomaly statements.
_OPEN_HOUR_PATTERNS = """patterns AS (
    SELECT * FROM unnest(%(pattern_los)s::bigint[], %(pattern_his)s::bigint[]) WITH ORDINALITY AS p(lo, hi, pattern)
),
open_hours AS MATERIALIZED (
    SELECT p.pattern, p.lo + (q.t - p.lo) / 3600 * 3600 AS h
    FROM unnest(%(span_patterns)s::int[], %(span_starts)s::bigint[], %(span_ends)s::bigint[]) AS x(pattern, a, b)
    JOIN patterns p ON p.pattern = x.pattern AND x.b > p.lo AND x.a < p.hi,
    LATERAL generate_series(greatest(x.a, p.lo) - greatest(x.a, p.lo) %% 900, least(x.b, p.hi) - 1, 900) AS q(t)
    GROUP BY 1, 2
    HAVING sum(least(x.b, q.t + 900) - greatest(x.a, q.t)) >= 1800
)"""

#: Open hours from ``target_from`` on that may be flagged (camera coverage below
#: ``camera_down`` or at least ``camera_up``), each with the visitors of the same weekday and
#: local hour in the ``history_s`` seconds before it whose camera was up, and their median
#: (``definitions.expected_visitors``: None below 3 such hours). The same hours as
#: ``_OPEN_HOURS``, computed store by store (a LATERAL subquery): each store's quarter hours are
#: read in index order and every sort and window stays the size of one store.
ANOMALY_CANDIDATES = """
WITH chain AS (
    SELECT * FROM unnest(%(store_ids)s::text[], %(patterns)s::int[], %(cameras)s::int[], %(timezones)s::text[],
                         %(target_from)s::bigint[])
        WITH ORDINALITY AS c(store_id, pattern, cameras, timezone, target_from, position)
),
{open_hour_patterns}
SELECT c.store_id, c.position, s.h, s.visitors, s.coverage, s.expected
FROM chain c JOIN patterns p USING (pattern)
CROSS JOIN LATERAL (
    WITH visits AS (
        SELECT p.lo + (date_part('epoch', bucket_start)::bigint - p.lo) / 3600 * 3600 AS h,
               sum(in_count)::bigint AS visitors
        FROM traffic_15min
        WHERE store_id = c.store_id AND person_class = 'adult'
          AND bucket_start >= to_timestamp(p.lo) AND bucket_start < to_timestamp(p.hi)
        GROUP BY 1
    ),
    quarters AS (
        SELECT bucket_start,
               least(1.0::float8, sum(least(covered_s, 900))::float8
                                  / (900.0::float8 * greatest(c.cameras, count(DISTINCT camera_id)))) / 4.0::float8 AS part
        FROM coverage_15min
        WHERE store_id = c.store_id AND bucket_start >= to_timestamp(p.lo) AND bucket_start < to_timestamp(p.hi)
        GROUP BY bucket_start
    ),
    covered AS (
        SELECT p.lo + (date_part('epoch', bucket_start)::bigint - p.lo) / 3600 * 3600 AS h,
               least(1.0::float8, sum(part ORDER BY bucket_start)) AS coverage
        FROM quarters GROUP BY 1
    ),
    observed AS (
        SELECT h, sum(visitors)::bigint AS visitors, sum(coverage) AS coverage
        FROM (
            SELECT h, visitors, 0.0::float8 AS coverage, false AS is_open FROM visits
            UNION ALL
            SELECT h, 0, coverage, false FROM covered
            UNION ALL
            SELECT h, 0, 0.0::float8, true FROM open_hours WHERE pattern = c.pattern
        ) parts
        GROUP BY h
        HAVING bool_or(is_open)
    ),
    judged AS (
        SELECT h, visitors, coverage,
               count(*) FILTER (WHERE coverage >= %(camera_up)s) OVER history AS usable,
               array_agg(visitors) FILTER (WHERE coverage >= %(camera_up)s) OVER history AS usable_visitors
        FROM (
            SELECT *, date_part('isodow', to_timestamp(h) AT TIME ZONE c.timezone)::int AS weekday,
                   date_part('hour', to_timestamp(h) AT TIME ZONE c.timezone)::int AS hour
            FROM observed
        ) labelled
        WINDOW history AS (PARTITION BY weekday, hour ORDER BY h
                           RANGE BETWEEN %(history_s)s::bigint PRECEDING AND 1 PRECEDING)
    )
    SELECT h, visitors, coverage,
           CASE WHEN usable >= 3
                THEN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(usable_visitors) v) END
               AS expected
    FROM judged
    WHERE h >= c.target_from AND (coverage < %(camera_down)s OR coverage >= %(camera_up)s)
) s
ORDER BY c.position, s.h
""".replace("{open_hour_patterns}", _OPEN_HOUR_PATTERNS)

#: Constants migration 0015 bakes into ``traffic_store_hours.expected``: the service reads that
#: table only while the KPI definitions still say the same.
STORE_HOURS_CAMERA_UP = 0.95
STORE_HOURS_HISTORY_S = 8 * 7 * 86400

#: ``ANOMALY_CANDIDATES`` from the local hours of migration 0015 (visitors, coverage and the
#: expected level kept by triggers): one row per open hour of the stores' ``target_from`` to
#: ``pattern_his``, for stores whose open hours are the same every week (see the service). An
#: hour without a row has no visitors or coverage; its expected level is taken here from the
#: same table. Only hours ``definitions.classify_hour`` would flag come back (its rule, with its
#: constants as parameters, so thousands of quiet hours do not travel to Python).
ANOMALY_CANDIDATES_FROM_STORE_HOURS = """
WITH chain AS (
    SELECT * FROM unnest(%(store_ids)s::text[], %(patterns)s::int[], %(timezones)s::text[])
        WITH ORDINALITY AS c(store_id, pattern, timezone, position)
),
{open_hour_patterns},
judged AS (
    SELECT c.store_id, c.position, s.h, s.visitors, s.coverage,
           CASE WHEN s.has_row THEN s.expected
                ELSE footfall_store_hour_expected(
                         c.store_id, date_part('isodow', to_timestamp(s.h) AT TIME ZONE c.timezone)::smallint,
                         date_part('hour', to_timestamp(s.h) AT TIME ZONE c.timezone)::smallint, to_timestamp(s.h))
           END AS expected
    FROM chain c JOIN patterns p USING (pattern)
    CROSS JOIN LATERAL (  -- one index range per store, not a join over the whole table
        SELECT o.h, coalesce(t.visitors, 0) AS visitors, coalesce(t.coverage, 0.0::float8) AS coverage,
               t.expected, t.hour_start IS NOT NULL AS has_row
        FROM open_hours o
        LEFT JOIN (
            SELECT hour_start, visitors, coverage, expected FROM traffic_store_hours
            WHERE store_id = c.store_id AND hour_start >= to_timestamp(p.lo) AND hour_start < to_timestamp(p.hi)
            OFFSET 0  -- read as one range, then matched to the open hours
        ) t ON t.hour_start = to_timestamp(o.h)
        WHERE o.pattern = c.pattern
    ) s
)
SELECT store_id, position, h, visitors, coverage, expected
FROM judged
WHERE coverage < %(camera_down)s
   OR (coverage >= %(camera_up)s AND expected >= %(min_expected)s AND visitors < %(low_ratio)s * expected)
ORDER BY position, h
""".replace("{open_hour_patterns}", _OPEN_HOUR_PATTERNS)
