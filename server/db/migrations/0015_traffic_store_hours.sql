-- Adult visitors and camera coverage per store and local hour, with each hour's expected level
-- (the median visitors of the same weekday and local hour over the 8 weeks before it, from
-- hours whose camera was up), kept by row triggers on the 15-minute rollups. Anomalies for a
-- whole chain then read one small row per open hour of the week asked for, instead of nine
-- weeks of quarter hours per store (KPI service: `anomalies`).
--
-- Deliberately independent of the opening hours: the same weekday and local hour is open or
-- closed every week under weekly opening hours, so the service uses these rows only when that
-- holds for a store's hours over the weeks involved (not around a DST change that moves an
-- open span across an hour boundary) and reads the quarter hours otherwise.
-- Baked-in definitions (the service checks they still match before using this table):
-- camera up = coverage >= 0.95, history = 8 weeks = 4,838,400 s, a median needs >= 3 hours.
-- An hour's coverage is min(1, sum over its quarter hours of
-- min(1, covered camera-seconds / (900 x max(store's cameras, 1, cameras reporting))) / 4).

CREATE TABLE traffic_store_hours (
    store_id    text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    hour_start  timestamptz NOT NULL,    -- the instant the local hour starts
    weekday     smallint NOT NULL,       -- ISO: 1 = Monday, local
    hour        smallint NOT NULL,       -- local hour of the day
    visitors    bigint NOT NULL DEFAULT 0,
    coverage    double precision NOT NULL DEFAULT 0,
    expected    double precision,        -- NULL: fewer than 3 usable hours before it
    PRIMARY KEY (store_id, hour_start) INCLUDE (visitors, coverage, expected)
);

CREATE INDEX traffic_store_hours_history_idx
    ON traffic_store_hours (store_id, weekday, hour, hour_start) INCLUDE (visitors, coverage);

-- The start of the local hour holding an instant (a quarter hour's start).
CREATE FUNCTION footfall_local_hour_start(at timestamptz, tz text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
    SELECT at - ((at AT TIME ZONE tz) - date_trunc('hour', at AT TIME ZONE tz))
$$;

-- Median visitors of the usable hours with this weekday and local hour in the 8 weeks before `at`.
CREATE FUNCTION footfall_store_hour_expected(p_store_id text, p_weekday smallint, p_hour smallint,
                                             at timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN count(*) >= 3 THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY visitors) END
    FROM traffic_store_hours
    WHERE store_id = p_store_id AND weekday = p_weekday AND hour = p_hour
      AND hour_start >= at - interval '4838400 seconds' AND hour_start < at
      AND coverage >= 0.95::float8
$$;

-- An hour's coverage from its quarter hours (the same arithmetic, in the same order, as the
-- anomaly query over the quarter hours, so the floats are equal).
CREATE FUNCTION footfall_store_hour_coverage(p_store_id text, p_hour_start timestamptz) RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT coalesce(least(1.0::float8, sum(part ORDER BY bucket_start)), 0.0::float8)
    FROM (
        SELECT bucket_start,
               least(1.0::float8, sum(least(covered_s, 900))::float8
                                  / (900.0::float8 * greatest(
                                         greatest((SELECT count(*) FROM cameras WHERE store_id = p_store_id), 1),
                                         count(DISTINCT camera_id)))) / 4.0::float8 AS part
        FROM coverage_15min
        WHERE store_id = p_store_id AND bucket_start >= p_hour_start
          AND bucket_start < p_hour_start + interval '3600 seconds'
        GROUP BY bucket_start
    ) quarters
$$;

-- Re-derive all hours of some stores from the 15-minute rollups (after a bulk load that
-- bypassed the triggers, a time-zone change, a camera added or removed). Expected levels come
-- from one window per store, weekday and hour; the row trigger below stays quiet meanwhile.
CREATE FUNCTION footfall_refresh_store_hours(p_store_ids text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('footfall.store_hours_bulk', 'on', true);
    DELETE FROM traffic_store_hours WHERE store_id = ANY(p_store_ids);
    INSERT INTO traffic_store_hours (store_id, hour_start, weekday, hour, visitors, coverage, expected)
    WITH chain AS (
        SELECT s.store_id, s.timezone,
               greatest((SELECT count(*) FROM cameras c WHERE c.store_id = s.store_id), 1) AS cameras
        FROM stores s WHERE s.store_id = ANY(p_store_ids)
    ),
    visits AS (
        SELECT t.store_id, footfall_local_hour_start(t.bucket_start, c.timezone) AS hour_start,
               sum(t.in_count)::bigint AS visitors
        FROM traffic_15min t JOIN chain c USING (store_id)
        WHERE t.person_class = 'adult'
        GROUP BY 1, 2
    ),
    quarters AS (
        SELECT v.store_id, footfall_local_hour_start(v.bucket_start, c.timezone) AS hour_start, v.bucket_start,
               least(1.0::float8, sum(least(v.covered_s, 900))::float8
                                  / (900.0::float8 * greatest(c.cameras, count(DISTINCT v.camera_id)))) / 4.0::float8
                   AS part
        FROM coverage_15min v JOIN chain c USING (store_id)
        GROUP BY v.store_id, c.timezone, c.cameras, v.bucket_start
    ),
    covered AS (
        SELECT store_id, hour_start, least(1.0::float8, sum(part ORDER BY bucket_start)) AS coverage
        FROM quarters GROUP BY 1, 2
    ),
    hours AS (
        SELECT h.store_id, h.hour_start, sum(h.visitors)::bigint AS visitors, sum(h.coverage) AS coverage,
               date_part('isodow', h.hour_start AT TIME ZONE c.timezone)::smallint AS weekday,
               date_part('hour', h.hour_start AT TIME ZONE c.timezone)::smallint AS hour
        FROM (
            SELECT store_id, hour_start, visitors, 0.0::float8 AS coverage FROM visits
            UNION ALL
            SELECT store_id, hour_start, 0, coverage FROM covered
        ) h JOIN chain c USING (store_id)
        GROUP BY h.store_id, h.hour_start, c.timezone
    ),
    judged AS (
        SELECT *,
               count(*) FILTER (WHERE coverage >= 0.95::float8) OVER history AS usable,
               array_agg(visitors) FILTER (WHERE coverage >= 0.95::float8) OVER history AS usable_visitors
        FROM hours
        WINDOW history AS (PARTITION BY store_id, weekday, hour ORDER BY hour_start
                           RANGE BETWEEN interval '4838400 seconds' PRECEDING AND interval '1 second' PRECEDING)
    )
    SELECT store_id, hour_start, weekday, hour, visitors, coverage,
           CASE WHEN usable >= 3
                THEN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) FROM unnest(usable_visitors) v) END
    FROM judged;
    PERFORM set_config('footfall.store_hours_bulk', '', true);
END
$$;

-- A quarter hour of adult traffic added, corrected or removed: add the difference to its hour.
CREATE FUNCTION footfall_traffic_store_hours() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
    h timestamptz;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.person_class = 'adult' THEN
        SELECT timezone INTO tz FROM stores WHERE store_id = OLD.store_id;
        IF tz IS NOT NULL THEN
            h := footfall_local_hour_start(OLD.bucket_start, tz);
            UPDATE traffic_store_hours SET visitors = visitors - OLD.in_count
            WHERE store_id = OLD.store_id AND hour_start = h;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.person_class = 'adult' THEN
        SELECT timezone INTO tz FROM stores WHERE store_id = NEW.store_id;
        IF tz IS NOT NULL THEN
            h := footfall_local_hour_start(NEW.bucket_start, tz);
            UPDATE traffic_store_hours SET visitors = visitors + NEW.in_count
            WHERE store_id = NEW.store_id AND hour_start = h;
            IF NOT FOUND THEN
                PERFORM footfall_insert_store_hour(NEW.store_id, tz, h, NEW.in_count, 0.0::float8);
            END IF;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION footfall_insert_store_hour(p_store_id text, tz text, h timestamptz, p_visitors bigint,
                                           p_coverage double precision) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    wd smallint := date_part('isodow', h AT TIME ZONE tz)::smallint;
    hr smallint := date_part('hour', h AT TIME ZONE tz)::smallint;
BEGIN
    INSERT INTO traffic_store_hours (store_id, hour_start, weekday, hour, visitors, coverage, expected)
    VALUES (p_store_id, h, wd, hr, p_visitors, p_coverage, footfall_store_hour_expected(p_store_id, wd, hr, h));
END
$$;

CREATE TRIGGER traffic_store_hours AFTER INSERT OR UPDATE OR DELETE ON traffic_15min
    FOR EACH ROW EXECUTE FUNCTION footfall_traffic_store_hours();

-- A quarter hour of coverage added, corrected or removed: recount its hour's coverage.
CREATE FUNCTION footfall_coverage_store_hours() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
    h timestamptz;
    c double precision;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT timezone INTO tz FROM stores WHERE store_id = OLD.store_id;
        IF tz IS NOT NULL THEN
            h := footfall_local_hour_start(OLD.bucket_start, tz);
            c := footfall_store_hour_coverage(OLD.store_id, h);
            UPDATE traffic_store_hours SET coverage = c
            WHERE store_id = OLD.store_id AND hour_start = h AND coverage IS DISTINCT FROM c;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT timezone INTO tz FROM stores WHERE store_id = NEW.store_id;
        IF tz IS NOT NULL THEN
            h := footfall_local_hour_start(NEW.bucket_start, tz);
            c := footfall_store_hour_coverage(NEW.store_id, h);
            UPDATE traffic_store_hours SET coverage = c WHERE store_id = NEW.store_id AND hour_start = h;
            IF NOT FOUND THEN
                PERFORM footfall_insert_store_hour(NEW.store_id, tz, h, 0, c);
            END IF;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER coverage_store_hours AFTER INSERT OR UPDATE OR DELETE ON coverage_15min
    FOR EACH ROW EXECUTE FUNCTION footfall_coverage_store_hours();

-- An hour that became usable, stopped being usable, or changed its visitors while usable: the
-- same weekday and hour of the next 8 weeks re-take their median. Updating `expected` alone
-- does not fire this (UPDATE OF visitors, coverage).
CREATE FUNCTION footfall_store_hours_follow_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('footfall.store_hours_bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE traffic_store_hours t
    SET expected = footfall_store_hour_expected(t.store_id, t.weekday, t.hour, t.hour_start)
    WHERE t.store_id = NEW.store_id AND t.weekday = NEW.weekday AND t.hour = NEW.hour
      AND t.hour_start > NEW.hour_start AND t.hour_start <= NEW.hour_start + interval '4838400 seconds';
    RETURN NULL;
END
$$;

CREATE TRIGGER store_hours_follow_new_history AFTER INSERT ON traffic_store_hours
    FOR EACH ROW WHEN (NEW.coverage >= 0.95::float8)
    EXECUTE FUNCTION footfall_store_hours_follow_history();

CREATE TRIGGER store_hours_follow_history AFTER UPDATE OF visitors, coverage ON traffic_store_hours
    FOR EACH ROW
    WHEN ((OLD.coverage >= 0.95::float8) IS DISTINCT FROM (NEW.coverage >= 0.95::float8)
          OR (NEW.coverage >= 0.95::float8 AND OLD.visitors <> NEW.visitors))
    EXECUTE FUNCTION footfall_store_hours_follow_history();

-- A time-zone change moves every local hour; a camera added or removed changes every hour's
-- coverage (it is counted against the store's cameras): re-derive the store's hours.
CREATE FUNCTION footfall_store_hours_follow_store() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM footfall_refresh_store_hours(ARRAY[NEW.store_id]);
    RETURN NULL;
END
$$;

CREATE TRIGGER store_hours_follow_store AFTER UPDATE OF timezone ON stores
    FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION footfall_store_hours_follow_store();

CREATE FUNCTION footfall_store_hours_follow_cameras() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    affected text[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        affected := affected || OLD.store_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        affected := affected || NEW.store_id;
    END IF;
    -- a deleted store's hours are gone with it (ON DELETE CASCADE)
    SELECT array_agg(store_id) INTO affected FROM stores WHERE store_id = ANY(affected);
    IF affected IS NOT NULL
       AND EXISTS (SELECT 1 FROM traffic_store_hours WHERE store_id = ANY(affected)) THEN
        PERFORM footfall_refresh_store_hours(affected);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER store_hours_follow_cameras AFTER INSERT OR DELETE OR UPDATE OF store_id ON cameras
    FOR EACH ROW EXECUTE FUNCTION footfall_store_hours_follow_cameras();

SELECT footfall_refresh_store_hours(array_agg(store_id)) FROM stores;
ANALYZE traffic_store_hours;
