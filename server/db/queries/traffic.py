"""SQL for traffic reads: 15-minute UTC bins folded into the store's local hours, days and weeks.

One statement serves every granularity and grouping; the ``CASE`` on parameters picks the
bucket expression (never string formatting). Local buckets are returned as the UTC instant
at which they start, so a DST day simply has 23 or 25 hourly buckets:

- hour: the bin minus its local minutes (exact in whole, half and quarter-hour zones);
- day: local midnight of the bin's local date;
- week: local midnight of the Monday (ISO weeks).
"""

_BUCKET = """
CASE %(granularity)s::text
    WHEN '15min' THEN b.bucket_start
    WHEN 'hour' THEN b.bucket_start
        - make_interval(mins => extract(minute FROM b.bucket_start AT TIME ZONE %(timezone)s)::int)
    WHEN 'day' THEN ((b.bucket_start AT TIME ZONE %(timezone)s)::date)::timestamp AT TIME ZONE %(timezone)s
    ELSE date_trunc('week', b.bucket_start AT TIME ZONE %(timezone)s) AT TIME ZONE %(timezone)s
END
"""

TRAFFIC = f"""
SELECT {_BUCKET} AS bucket_utc,
       CASE WHEN %(by)s::text IN ('entrance', 'line') THEN b.entrance_id END AS entrance_id,
       CASE WHEN %(by)s::text = 'line' THEN b.camera_id END AS camera_id,
       CASE WHEN %(by)s::text = 'line' THEN b.line_id END AS line_id,
       sum(b.in_count)::bigint AS in_count, sum(b.out_count)::bigint AS out_count
FROM traffic_15min b
WHERE b.store_id = %(store_id)s AND b.bucket_start >= %(start)s AND b.bucket_start < %(end)s
  AND (%(person_class)s::text IS NULL OR b.person_class = %(person_class)s::text)
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
"""  # noqa: S608 (composes module constants, never input)

#: Covered camera-seconds per output bucket and camera (each 15-minute bin capped at 900 s).
COVERAGE = f"""
SELECT {_BUCKET} AS bucket_utc, b.camera_id, sum(least(b.covered_s, 900.0)) AS covered_s
FROM coverage_15min b
WHERE b.store_id = %(store_id)s AND b.bucket_start >= %(start)s AND b.bucket_start < %(end)s
GROUP BY 1, 2
"""  # noqa: S608 (composes module constants, never input)

#: Every camera of the store with its lines and the entrance each line counts.
STORE_LINES = """
SELECT c.camera_id, l.line_id, coalesce(l.entrance_id, c.entrance_id) AS entrance_id
FROM cameras c LEFT JOIN lines l ON l.camera_id = c.camera_id
WHERE c.store_id = %(store_id)s
"""

STORE_CLOCK = "SELECT timezone, day_starts_at FROM stores WHERE store_id = %(store_id)s"

#: Live occupancy counts people (adults and children); staff walking in and out are not visitors.
OCCUPANCY = """
SELECT count(*) FILTER (WHERE direction = 'in') AS in_count,
       count(*) FILTER (WHERE direction = 'out') AS out_count
FROM crossing_events
WHERE store_id = %(store_id)s AND event_time >= %(since)s AND event_time < %(until)s
  AND person_class IN ('adult', 'child')
"""

COVERED_SINCE = """
SELECT coalesce(sum(least(processed_s, 60.0)), 0) AS covered_s, count(DISTINCT camera_id) AS cameras
FROM coverage_minutes
WHERE store_id = %(store_id)s AND minute >= %(since)s AND minute < %(until)s
"""

STORE_CAMERA_COUNT = "SELECT count(*) AS cameras FROM cameras WHERE store_id = %(store_id)s"
