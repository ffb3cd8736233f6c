-- A bulk load (footfall.store_hours_bulk = on, as footfall_refresh_store_hours and the demo seed
-- set it) re-takes every expected level once at its end, so a new hour need not compute its
-- 8-week median as it is inserted: the demo seed spent 18 of its 124 s doing exactly that.
CREATE OR REPLACE FUNCTION footfall_insert_store_hour(p_store_id text, tz text, h timestamptz, p_visitors bigint,
                                                      p_coverage double precision) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    wd smallint := date_part('isodow', h AT TIME ZONE tz)::smallint;
    hr smallint := date_part('hour', h AT TIME ZONE tz)::smallint;
BEGIN
    INSERT INTO traffic_store_hours (store_id, hour_start, weekday, hour, visitors, coverage, expected)
    VALUES (p_store_id, h, wd, hr, p_visitors, p_coverage,
            CASE WHEN current_setting('footfall.store_hours_bulk', true) = 'on' THEN NULL
                 ELSE footfall_store_hour_expected(p_store_id, wd, hr, h) END);
END
$$;
