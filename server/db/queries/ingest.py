"""SQL of the idempotent ingest path: COPY into a session temp table, then one INSERT ... ON
CONFLICT DO NOTHING whose RETURNING rows (only the new ones) are binned straight into the
15-minute rollups in the same statement, so a late or re-sent event is counted exactly once.
"""

CREATE_INCOMING_CROSSINGS = """
CREATE TEMP TABLE IF NOT EXISTS incoming_crossings (
    seq bigint, event_time timestamptz, camera_id text, line_id text, direction text,
    person_class text, group_id text, track_id bigint, confidence real, height_m real
) ON COMMIT DELETE ROWS
"""

COPY_INCOMING_CROSSINGS = """
COPY incoming_crossings (seq, event_time, camera_id, line_id, direction, person_class, group_id,
                         track_id, confidence, height_m) FROM STDIN
"""

#: Returns the number of crossings that were new (the rest were duplicates).
INSERT_CROSSINGS = """
WITH inserted AS (
    INSERT INTO crossing_events (device_id, seq, event_time, store_id, camera_id, line_id, entrance_id,
                                 direction, person_class, group_id, track_id, confidence, height_m)
    SELECT DISTINCT ON (i.seq) %(device_id)s, i.seq, i.event_time, c.store_id, i.camera_id, i.line_id,
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

CREATE_INCOMING_COVERAGE = """
CREATE TEMP TABLE IF NOT EXISTS incoming_coverage (
    seq bigint, minute timestamptz, camera_id text, processed_s real, fps real
) ON COMMIT DELETE ROWS
"""

COPY_INCOMING_COVERAGE = "COPY incoming_coverage (seq, minute, camera_id, processed_s, fps) FROM STDIN"

INSERT_COVERAGE = """
WITH inserted AS (
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
