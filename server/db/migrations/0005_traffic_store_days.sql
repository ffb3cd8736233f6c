-- Adult traffic and camera coverage per store and store-local day, kept current by triggers on
-- the 15-minute rollups, so comparing 1,000 stores over a year reads 365k small rows instead of
-- tens of millions of quarter hours. `covered_open_s` only counts quarter hours the store is open
-- (its opening hours, local wall time), which is what "traffic completeness" needs.
-- If a store's opening hours or time zone change, re-derive its days with
-- SELECT footfall_refresh_store_days(ARRAY['<store_id>'], '<first>', '<last>').

CREATE TABLE traffic_store_days (
    store_id        text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    local_date      date NOT NULL,
    visitors        bigint NOT NULL DEFAULT 0,   -- adults in
    visitors_out    bigint NOT NULL DEFAULT 0,
    covered_open_s  double precision NOT NULL DEFAULT 0,  -- camera-seconds counted while open
    PRIMARY KEY (store_id, local_date)
);

-- Is the store open at this local wall-clock time? opening_hours as in `stores`:
-- {"mon": [["09:00", "19:00"], ...], ...}; a single ["09:00", "19:00"] span, null or [] (closed)
-- are accepted too; a close at or before the open time runs past midnight; {} = always open.
CREATE FUNCTION footfall_open_at(hours jsonb, local_ts timestamp) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    keys constant text[] := ARRAY['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    day date;
    spans jsonb;
    span jsonb;
    opens interval;
    closes interval;
    since_midnight interval;
BEGIN
    IF hours IS NULL OR hours = '{}'::jsonb THEN
        RETURN true;
    END IF;
    FOR back IN 0..1 LOOP
        day := local_ts::date - back;
        spans := hours -> keys[extract(isodow FROM day)::int];
        CONTINUE WHEN spans IS NULL OR jsonb_typeof(spans) <> 'array' OR jsonb_array_length(spans) = 0;
        IF jsonb_typeof(spans -> 0) = 'string' THEN
            spans := jsonb_build_array(spans);
        END IF;
        since_midnight := local_ts - day::timestamp;
        FOR span IN SELECT value FROM jsonb_array_elements(spans) LOOP
            opens := (span ->> 0)::interval;
            closes := (span ->> 1)::interval;
            IF closes <= opens THEN
                closes := closes + interval '24 hours';
            END IF;
            IF since_midnight >= opens AND since_midnight < closes THEN
                RETURN true;
            END IF;
        END LOOP;
    END LOOP;
    RETURN false;
END
$$;

CREATE FUNCTION footfall_traffic_store_days() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.person_class = 'adult' THEN
        SELECT timezone INTO tz FROM stores WHERE store_id = OLD.store_id;
        IF tz IS NOT NULL THEN
            INSERT INTO traffic_store_days AS d (store_id, local_date, visitors, visitors_out)
            VALUES (OLD.store_id, (OLD.bucket_start AT TIME ZONE tz)::date, -OLD.in_count, -OLD.out_count)
            ON CONFLICT (store_id, local_date) DO UPDATE
                SET visitors = d.visitors + excluded.visitors, visitors_out = d.visitors_out + excluded.visitors_out;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.person_class = 'adult' THEN
        SELECT timezone INTO tz FROM stores WHERE store_id = NEW.store_id;
        IF tz IS NOT NULL THEN
            INSERT INTO traffic_store_days AS d (store_id, local_date, visitors, visitors_out)
            VALUES (NEW.store_id, (NEW.bucket_start AT TIME ZONE tz)::date, NEW.in_count, NEW.out_count)
            ON CONFLICT (store_id, local_date) DO UPDATE
                SET visitors = d.visitors + excluded.visitors, visitors_out = d.visitors_out + excluded.visitors_out;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER traffic_store_days AFTER INSERT OR UPDATE OR DELETE ON traffic_15min
    FOR EACH ROW EXECUTE FUNCTION footfall_traffic_store_days();

CREATE FUNCTION footfall_coverage_store_days() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
    hours jsonb;
    local_ts timestamp;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT timezone, opening_hours INTO tz, hours FROM stores WHERE store_id = OLD.store_id;
        local_ts := OLD.bucket_start AT TIME ZONE tz;
        IF tz IS NOT NULL AND footfall_open_at(hours, local_ts) THEN
            INSERT INTO traffic_store_days AS d (store_id, local_date, covered_open_s)
            VALUES (OLD.store_id, local_ts::date, -least(OLD.covered_s, 900))
            ON CONFLICT (store_id, local_date) DO UPDATE SET covered_open_s = d.covered_open_s + excluded.covered_open_s;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT timezone, opening_hours INTO tz, hours FROM stores WHERE store_id = NEW.store_id;
        local_ts := NEW.bucket_start AT TIME ZONE tz;
        IF tz IS NOT NULL AND footfall_open_at(hours, local_ts) THEN
            INSERT INTO traffic_store_days AS d (store_id, local_date, covered_open_s)
            VALUES (NEW.store_id, local_ts::date, least(NEW.covered_s, 900))
            ON CONFLICT (store_id, local_date) DO UPDATE SET covered_open_s = d.covered_open_s + excluded.covered_open_s;
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER coverage_store_days AFTER INSERT OR UPDATE OR DELETE ON coverage_15min
    FOR EACH ROW EXECUTE FUNCTION footfall_coverage_store_days();

-- Re-derive the days of some stores from the 15-minute rollups (after an opening-hours change,
-- or after a bulk load that bypassed triggers).
CREATE FUNCTION footfall_refresh_store_days(p_store_ids text[], p_first date, p_last date) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM traffic_store_days
    WHERE store_id = ANY(p_store_ids) AND local_date BETWEEN p_first AND p_last;
    INSERT INTO traffic_store_days (store_id, local_date, visitors, visitors_out, covered_open_s)
    SELECT store_id, local_date, sum(visitors), sum(visitors_out), sum(covered_open_s)
    FROM (
        SELECT t.store_id, (t.bucket_start AT TIME ZONE s.timezone)::date AS local_date,
               t.in_count::bigint AS visitors, t.out_count::bigint AS visitors_out, 0::double precision AS covered_open_s
        FROM traffic_15min t JOIN stores s USING (store_id)
        WHERE t.store_id = ANY(p_store_ids) AND t.person_class = 'adult'
          AND t.bucket_start >= p_first - 1 AND t.bucket_start < p_last + 2
        UNION ALL
        SELECT c.store_id, (c.bucket_start AT TIME ZONE s.timezone)::date, 0, 0,
               CASE WHEN footfall_open_at(s.opening_hours, c.bucket_start AT TIME ZONE s.timezone)
                    THEN least(c.covered_s, 900) ELSE 0 END
        FROM coverage_15min c JOIN stores s USING (store_id)
        WHERE c.store_id = ANY(p_store_ids)
          AND c.bucket_start >= p_first - 1 AND c.bucket_start < p_last + 2
    ) quarter_hours
    WHERE local_date BETWEEN p_first AND p_last
    GROUP BY store_id, local_date;
$$;
