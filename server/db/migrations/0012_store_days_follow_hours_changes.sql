-- traffic_store_days.covered_open_s counts only quarter hours the store is open, by the opening
-- hours and time zone the store had when each quarter hour arrived. When a store's opening hours
-- or time zone change, re-derive all its days at once (and, through migration 0010's trigger,
-- its months), so the completeness of a store comparison always follows the current hours, as
-- the store's own KPI page (which reads the hours at query time) does.

CREATE FUNCTION footfall_store_days_follow_store() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    first_at timestamptz;
    last_at timestamptz;
BEGIN
    first_at := least((SELECT min(bucket_start) FROM traffic_15min WHERE store_id = NEW.store_id),
                      (SELECT min(bucket_start) FROM coverage_15min WHERE store_id = NEW.store_id));
    last_at := greatest((SELECT max(bucket_start) FROM traffic_15min WHERE store_id = NEW.store_id),
                        (SELECT max(bucket_start) FROM coverage_15min WHERE store_id = NEW.store_id));
    IF first_at IS NOT NULL THEN
        -- UTC dates +- 1 day cover every local date of those instants
        PERFORM footfall_refresh_store_days(ARRAY[NEW.store_id], (first_at AT TIME ZONE 'UTC')::date - 1,
                                            (last_at AT TIME ZONE 'UTC')::date + 1);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER store_days_follow_store AFTER UPDATE OF opening_hours, timezone ON stores
    FOR EACH ROW
    WHEN (OLD.opening_hours IS DISTINCT FROM NEW.opening_hours OR OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION footfall_store_days_follow_store();
