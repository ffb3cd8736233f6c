-- Deleting a store (or an organisation) cascades to its day tables and transactions; the row
-- triggers of migrations 0009 and 0010 then tried to subtract the deleted rows from month rows
-- of a store that no longer exists (a foreign-key error: the store could not be deleted at all).
-- A deleted store's month rows go with it (ON DELETE CASCADE), so there is nothing to subtract.

CREATE OR REPLACE FUNCTION footfall_traffic_store_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM stores WHERE store_id = OLD.store_id) THEN
        INSERT INTO traffic_store_months AS m (store_id, month, visitors, visitors_out, covered_open_s)
        VALUES (OLD.store_id, date_trunc('month', OLD.local_date)::date, -OLD.visitors, -OLD.visitors_out,
                -OLD.covered_open_s)
        ON CONFLICT (store_id, month) DO UPDATE SET
            visitors = m.visitors + excluded.visitors, visitors_out = m.visitors_out + excluded.visitors_out,
            covered_open_s = m.covered_open_s + excluded.covered_open_s;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO traffic_store_months AS m (store_id, month, visitors, visitors_out, covered_open_s)
        VALUES (NEW.store_id, date_trunc('month', NEW.local_date)::date, NEW.visitors, NEW.visitors_out,
                NEW.covered_open_s)
        ON CONFLICT (store_id, month) DO UPDATE SET
            visitors = m.visitors + excluded.visitors, visitors_out = m.visitors_out + excluded.visitors_out,
            covered_open_s = m.covered_open_s + excluded.covered_open_s;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION footfall_sales_store_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM stores WHERE store_id = OLD.store_id) THEN
        INSERT INTO sales_store_months AS m (store_id, month, days_imported, transactions, refunds, net_sales, units,
                                             member_transactions)
        VALUES (OLD.store_id, date_trunc('month', OLD.business_date)::date, -1, -OLD.transactions, -OLD.refunds,
                -OLD.net_sales, -OLD.units, -OLD.member_transactions)
        ON CONFLICT (store_id, month) DO UPDATE SET
            days_imported = m.days_imported + excluded.days_imported,
            transactions = m.transactions + excluded.transactions, refunds = m.refunds + excluded.refunds,
            net_sales = m.net_sales + excluded.net_sales, units = m.units + excluded.units,
            member_transactions = m.member_transactions + excluded.member_transactions;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sales_store_months AS m (store_id, month, days_imported, transactions, refunds, net_sales, units,
                                             member_transactions)
        VALUES (NEW.store_id, date_trunc('month', NEW.business_date)::date, 1, NEW.transactions, NEW.refunds,
                NEW.net_sales, NEW.units, NEW.member_transactions)
        ON CONFLICT (store_id, month) DO UPDATE SET
            days_imported = m.days_imported + excluded.days_imported,
            transactions = m.transactions + excluded.transactions, refunds = m.refunds + excluded.refunds,
            net_sales = m.net_sales + excluded.net_sales, units = m.units + excluded.units,
            member_transactions = m.member_transactions + excluded.member_transactions;
    END IF;
    RETURN NULL;
END
$$;

-- The customer months of a deleted store are gone with it too; recounting them per deleted
-- transaction would only make the deletion slow.
CREATE OR REPLACE FUNCTION footfall_customer_purchase_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.customer_id IS NOT NULL THEN
            INSERT INTO customer_purchase_months AS m (org_id, customer_id, month, store_id, first_purchase,
                                                       last_purchase, purchases, net_spend)
            VALUES (NEW.org_id, NEW.customer_id, footfall_customer_month_of(NEW.occurred_at), NEW.store_id,
                    CASE WHEN NEW.amount >= 0 THEN NEW.occurred_at END,
                    CASE WHEN NEW.amount >= 0 THEN NEW.occurred_at END,
                    CASE WHEN NEW.amount >= 0 THEN 1 ELSE 0 END, NEW.amount)
            ON CONFLICT (org_id, customer_id, month, store_id) DO UPDATE SET
                first_purchase = least(m.first_purchase, excluded.first_purchase),
                last_purchase = greatest(m.last_purchase, excluded.last_purchase),
                purchases = m.purchases + excluded.purchases,
                net_spend = m.net_spend + excluded.net_spend;
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.customer_id IS NOT NULL AND EXISTS (SELECT 1 FROM stores WHERE store_id = OLD.store_id) THEN
        PERFORM footfall_recount_customer_month(OLD.org_id, OLD.customer_id,
                                                footfall_customer_month_of(OLD.occurred_at), OLD.store_id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.customer_id IS NOT NULL THEN
        PERFORM footfall_recount_customer_month(NEW.org_id, NEW.customer_id,
                                                footfall_customer_month_of(NEW.occurred_at), NEW.store_id);
    END IF;
    RETURN NULL;
END
$$;
