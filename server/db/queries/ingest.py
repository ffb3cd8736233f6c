"""SQL of the idempotent ingest path: one statement per batch. The batch arrives as column
arrays (``unnest``), goes through INSERT ... ON CONFLICT DO NOTHING, and only the RETURNING rows
(the new ones) are binned straight into the 15-minute rollups, so a late or re-sent event is
counted exactly once.

Column arrays instead of COPY into a temp table: one round trip instead of three, no
session-level temp table (so it works behind PgBouncer in transaction mode), and it runs on
every PostgreSQL-speaking server the suite is checked against, including the WASM TimescaleDB.
"""

#: Returns the number of crossings that were new (the rest were duplicates).
INSERT_CROSSINGS = """
WITH incoming_crossings AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb)
        AS i(seq bigint, ts timestamptz, camera_id text, line_id text, direction text,
             person_class text, group_id text, track_id bigint, confidence real, height_m real)
), inserted AS (
    INSERT INTO crossing_events (device_id, seq, event_time, store_id, camera_id, line_id, entrance_id,
                                 direction, person_class, group_id, track_id, confidence, height_m)
    SELECT DISTINCT ON (i.seq) %(device_id)s, i.seq, i.ts, c.store_id, i.camera_id, i.line_id,
           coalesce(l.entrance_id, c.entrance_id), i.direction, i.person_class, i.group_id, i.track_id,
           i.confidence, i.height_m
    FROM incoming_crossings i
    JOIN cameras c ON c.camera_id = i.camera_id
    LEFT JOIN lines l ON l.camera_id = i.camera_id AND l.line_id = i.line_id
    -- The identity is (device, seq) whatever the time says; the key also holds event_time only
    -- for TimescaleDB's partitioning, so check the identity itself here.
    WHERE NOT EXISTS (SELECT 1 FROM crossing_events e WHERE e.device_id = %(device_id)s AND e.seq = i.seq)
    ORDER BY i.seq
    ON CONFLICT DO NOTHING
    RETURNING store_id, camera_id, line_id, entrance_id, person_class, direction, event_time
), binned AS (
    SELECT store_id, camera_id, line_id, person_class,
           date_bin('15 minutes', event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
           max(entrance_id) AS entrance_id,
           count(*) FILTER (WHERE direction = 'in') AS in_count,
           count(*) FILTER (WHERE direction = 'out') AS out_count
    FROM inserted
    GROUP BY 1, 2, 3, 4, 5
), rolled AS (
    INSERT INTO traffic_15min AS t (store_id, camera_id, line_id, person_class, bucket_start, entrance_id,
                                    in_count, out_count)
    SELECT store_id, camera_id, line_id, person_class, bucket_start, entrance_id, in_count, out_count
    FROM binned
    ORDER BY store_id, bucket_start, camera_id, line_id, person_class
    ON CONFLICT (store_id, bucket_start, camera_id, line_id, person_class) DO UPDATE
    SET in_count = t.in_count + EXCLUDED.in_count,
        out_count = t.out_count + EXCLUDED.out_count,
        entrance_id = coalesce(EXCLUDED.entrance_id, t.entrance_id)
)
SELECT coalesce(sum(in_count + out_count), 0)::bigint AS accepted FROM binned
"""

INSERT_COVERAGE = """
WITH incoming_coverage AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb)
        AS i(seq bigint, minute timestamptz, camera_id text, processed_s real, fps real)
), inserted AS (
    INSERT INTO coverage_minutes (device_id, seq, minute, store_id, camera_id, processed_s, fps)
    SELECT DISTINCT ON (i.seq) %(device_id)s, i.seq, i.minute, c.store_id, i.camera_id, i.processed_s, i.fps
    FROM incoming_coverage i JOIN cameras c ON c.camera_id = i.camera_id
    WHERE NOT EXISTS (SELECT 1 FROM coverage_minutes m WHERE m.device_id = %(device_id)s AND m.seq = i.seq)
    ORDER BY i.seq
    ON CONFLICT DO NOTHING
    RETURNING store_id, camera_id, minute, processed_s
), binned AS (
    SELECT store_id, camera_id,
           date_bin('15 minutes', minute, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket_start,
           sum(processed_s) AS covered_s, count(*) AS n
    FROM inserted GROUP BY 1, 2, 3
), rolled AS (
    INSERT INTO coverage_15min AS c (store_id, camera_id, bucket_start, covered_s)
    SELECT store_id, camera_id, bucket_start, covered_s FROM binned
    ORDER BY store_id, bucket_start, camera_id
    ON CONFLICT (store_id, bucket_start, camera_id) DO UPDATE SET covered_s = c.covered_s + EXCLUDED.covered_s
)
SELECT coalesce(sum(n), 0)::bigint AS accepted FROM binned
"""

MAX_SEQ = """
SELECT greatest(
    (SELECT max(seq) FROM crossing_events WHERE device_id = %(device_id)s),
    (SELECT max(seq) FROM coverage_minutes WHERE device_id = %(device_id)s)
) AS max_seq
"""

#: Lines of the device's cameras, to validate a batch before anything is written.
DEVICE_LINE_KEYS = """
SELECT l.camera_id, l.line_id FROM lines l JOIN cameras c USING (camera_id) WHERE c.device_id = %(device_id)s
"""
