-- A bulk load (the demo seed: 12 stores x 90 days) fired every rollup trigger once per copied
-- row, and the same few day, month and hour rows were updated tens of thousands of times in
-- one transaction: ~100 s of the seed's 110 s (the local-hour trigger alone 75 s).
-- With footfall.rollups_bulk = on (transaction-local, set_config(..., true)) the row triggers
-- below do not fire at all; the loader then rebuilds the rollups of the stores it loaded,
-- set-based, from the base tables before it commits (the demo seed: server/db/queries/seed.py).
-- Unset, as everywhere else, every trigger fires as before. Same trigger names, tables, events
-- and functions, so the firing order is unchanged.

DROP TRIGGER traffic_store_days ON traffic_15min;
CREATE TRIGGER traffic_store_days AFTER INSERT OR UPDATE OR DELETE ON traffic_15min
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_traffic_store_days();

DROP TRIGGER traffic_store_hours ON traffic_15min;
CREATE TRIGGER traffic_store_hours AFTER INSERT OR UPDATE OR DELETE ON traffic_15min
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_traffic_store_hours();

DROP TRIGGER coverage_store_days ON coverage_15min;
CREATE TRIGGER coverage_store_days AFTER INSERT OR UPDATE OR DELETE ON coverage_15min
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_coverage_store_days();

DROP TRIGGER coverage_store_hours ON coverage_15min;
CREATE TRIGGER coverage_store_hours AFTER INSERT OR UPDATE OR DELETE ON coverage_15min
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_coverage_store_hours();

DROP TRIGGER customer_purchase_months ON sales_transactions;
CREATE TRIGGER customer_purchase_months AFTER INSERT OR UPDATE OR DELETE ON sales_transactions
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_customer_purchase_months();

DROP TRIGGER traffic_store_months ON traffic_store_days;
CREATE TRIGGER traffic_store_months AFTER INSERT OR UPDATE OR DELETE ON traffic_store_days
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_traffic_store_months();

DROP TRIGGER sales_store_months ON sales_days;
CREATE TRIGGER sales_store_months AFTER INSERT OR UPDATE OR DELETE ON sales_days
    FOR EACH ROW WHEN (current_setting('footfall.rollups_bulk', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION footfall_sales_store_months();
