-- sales_hourly and sales_days hold each transaction under the store-local hour and business day
-- of the time zone the store had when it was imported (migrations 0004, 0007; the months of
-- 0010 follow the days). Traffic follows a time-zone change (migration 0012); sales did not, so
-- a store's sales landed on other days than its visitors. When a store's time zone changes,
-- count its hours and days again from its transactions, exactly as the sales import counts them
-- (imports/apply.py): a sale is amount >= 0, a refund amount < 0, a member sale a sale with a
-- customer id; an hour starts at the instant the local clock shows HH:00 (so half-hour zones
-- stay exact), a day is marked imported by the first import that brought one of its sales.
-- The transactions themselves are instants and stay as they are (a time stamp imported without
-- an offset was read in the zone the store had then, and keeps that instant).

CREATE FUNCTION footfall_refresh_store_sales(p_store_id text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    zone text := (SELECT timezone FROM stores WHERE store_id = p_store_id);
BEGIN
    DELETE FROM sales_hourly WHERE store_id = p_store_id;
    INSERT INTO sales_hourly (store_id, hour_start, transactions, refunds, net_sales, units, member_transactions)
    SELECT p_store_id, hour_start, count(*) FILTER (WHERE amount >= 0), count(*) FILTER (WHERE amount < 0),
           sum(amount), sum(units), count(*) FILTER (WHERE amount >= 0 AND customer_id IS NOT NULL)
    FROM (
        SELECT occurred_at - ((occurred_at AT TIME ZONE zone) - date_trunc('hour', occurred_at AT TIME ZONE zone))
                   AS hour_start,
               amount, units, customer_id
        FROM sales_transactions WHERE store_id = p_store_id
    ) t
    GROUP BY hour_start;

    -- the month rows follow through migration 0010's trigger
    DELETE FROM sales_days WHERE store_id = p_store_id;
    INSERT INTO sales_days (store_id, business_date, import_id, transactions, refunds, net_sales, units,
                            member_transactions)
    SELECT p_store_id, (t.occurred_at AT TIME ZONE zone)::date,
           (array_agg(t.import_id ORDER BY i.imported_at, t.import_id))[1],
           count(*) FILTER (WHERE t.amount >= 0), count(*) FILTER (WHERE t.amount < 0), sum(t.amount), sum(t.units),
           count(*) FILTER (WHERE t.amount >= 0 AND t.customer_id IS NOT NULL)
    FROM sales_transactions t JOIN imports i USING (import_id)
    WHERE t.store_id = p_store_id
    GROUP BY 2;
    -- months the store no longer has a day in
    DELETE FROM sales_store_months WHERE store_id = p_store_id AND days_imported = 0;
END
$$;

CREATE FUNCTION footfall_store_sales_follow_timezone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM footfall_refresh_store_sales(NEW.store_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER store_sales_follow_timezone AFTER UPDATE OF timezone ON stores
    FOR EACH ROW
    WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone)
    EXECUTE FUNCTION footfall_store_sales_follow_timezone();
