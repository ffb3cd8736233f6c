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

#: Per output bucket and group: in, out, covered camera-seconds and how many cameras watch the
#: group (all the store's cameras; those of an entrance; the line's camera). A bucket appears
#: when anything was counted or any of its cameras was watching.
TRAFFIC = f"""
WITH watched AS (
    SELECT DISTINCT
           CASE WHEN %(by)s::text IN ('entrance', 'line') THEN coalesce(l.entrance_id, c.entrance_id) END AS entrance_id,
           CASE WHEN %(by)s::text = 'line' THEN c.camera_id END AS g_camera_id,
           CASE WHEN %(by)s::text = 'line' THEN l.line_id END AS line_id,
           c.camera_id
    FROM cameras c LEFT JOIN lines l ON l.camera_id = c.camera_id
    WHERE c.store_id = %(store_id)s AND (%(by)s::text = 'store' OR l.line_id IS NOT NULL)
), group_size AS (
    SELECT entrance_id, g_camera_id, line_id, count(DISTINCT camera_id) AS cameras
    FROM watched GROUP BY 1, 2, 3
), counted AS (
    SELECT {_BUCKET} AS bucket_utc,
           CASE WHEN %(by)s::text IN ('entrance', 'line') THEN b.entrance_id END AS entrance_id,
           CASE WHEN %(by)s::text = 'line' THEN b.camera_id END AS camera_id,
           CASE WHEN %(by)s::text = 'line' THEN b.line_id END AS line_id,
           sum(b.in_count)::bigint AS in_count, sum(b.out_count)::bigint AS out_count
    FROM traffic_15min b
    WHERE b.store_id = %(store_id)s AND b.bucket_start >= %(start)s AND b.bucket_start < %(end)s
      AND (%(person_class)s::text IS NULL OR b.person_class = %(person_class)s::text)
    GROUP BY 1, 2, 3, 4
), covered AS (
    SELECT {_BUCKET} AS bucket_utc, w.entrance_id, w.g_camera_id AS camera_id, w.line_id,
           sum(least(b.covered_s, 900.0)) AS covered_s
    FROM coverage_15min b JOIN watched w ON w.camera_id = b.camera_id
    WHERE b.store_id = %(store_id)s AND b.bucket_start >= %(start)s AND b.bucket_start < %(end)s
    GROUP BY 1, 2, 3, 4
), merged AS (
    SELECT coalesce(t.bucket_utc, v.bucket_utc) AS bucket_utc,
           coalesce(t.entrance_id, v.entrance_id) AS entrance_id,
           coalesce(t.camera_id, v.camera_id) AS camera_id,
           coalesce(t.line_id, v.line_id) AS line_id,
           coalesce(t.in_count, 0) AS in_count, coalesce(t.out_count, 0) AS out_count,
           coalesce(v.covered_s, 0.0) AS covered_s
    FROM counted t FULL JOIN covered v
      ON t.bucket_utc = v.bucket_utc AND coalesce(t.entrance_id, '') = coalesce(v.entrance_id, '')
     AND coalesce(t.camera_id, '') = coalesce(v.camera_id, '') AND coalesce(t.line_id, '') = coalesce(v.line_id, '')
), shaped AS (
    SELECT m.*, coalesce(g.cameras, 0) AS cameras,
           m.bucket_utc AT TIME ZONE %(timezone)s AS local_start,
           extract(epoch FROM (m.bucket_utc AT TIME ZONE %(timezone)s) - (m.bucket_utc AT TIME ZONE 'UTC'))::int
               AS offset_s
    FROM merged m LEFT JOIN group_size g
      ON coalesce(g.entrance_id, '') = coalesce(m.entrance_id, '') AND coalesce(g.g_camera_id, '') = coalesce(m.camera_id, '')
     AND coalesce(g.line_id, '') = coalesce(m.line_id, '')
)
-- bucket_start is formatted here (local ISO 8601 with offset), and seconds is the bucket's
-- real length (a DST day: 23 or 25 h), so the API only copies rows.
SELECT to_char(local_start, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN offset_s < 0 THEN '-' ELSE '+' END
           || lpad((abs(offset_s) / 3600)::text, 2, '0') || ':' || lpad((abs(offset_s) %% 3600 / 60)::text, 2, '0')
           AS bucket_start,
       entrance_id, camera_id, line_id, in_count, out_count, covered_s, cameras,
       CASE %(granularity)s::text
           WHEN '15min' THEN 900.0
           WHEN 'hour' THEN 3600.0
           WHEN 'day' THEN extract(epoch FROM ((local_start::date + 1)::timestamp AT TIME ZONE %(timezone)s) - bucket_utc)
           ELSE extract(epoch FROM ((local_start::date + 7)::timestamp AT TIME ZONE %(timezone)s) - bucket_utc)
       END::float8 AS seconds
FROM shaped
ORDER BY bucket_utc, entrance_id, camera_id, line_id
"""  # noqa: S608 (composes module constants, never input)

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
