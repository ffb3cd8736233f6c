-- Each customer's purchases per store and UTC calendar month, so the customer KPIs (new vs
-- returning, lifetime value, RFM) read a few rows per customer instead of the organisation's
-- whole purchase history. Keyed by the customer id as it appears on the transactions: a merged
-- duplicate (customer_aliases) is resolved when read, so merging customers later needs no
-- rewrite here. Kept by a row trigger on sales_transactions (imports, the demo's COPY, erasure
-- never touches transactions); after a bulk load with triggers off, rebuild an organisation's
-- rows with SELECT footfall_refresh_customer_months('<org_id>').

CREATE TABLE customer_purchase_months (
    org_id          uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    customer_id     text NOT NULL,
    month           date NOT NULL,         -- first day of the UTC month of occurred_at
    store_id        text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    first_purchase  timestamptz,           -- sales only (amount >= 0); NULL if only refunds
    last_purchase   timestamptz,
    purchases       integer NOT NULL DEFAULT 0,        -- sales, amount >= 0
    net_spend       numeric(16, 3) NOT NULL DEFAULT 0, -- sales and refunds
    PRIMARY KEY (org_id, customer_id, month, store_id)
);

-- Reading "every id merged into these customers" goes from the canonical id to its aliases.
CREATE INDEX customer_aliases_canonical ON customer_aliases (org_id, customer_id);

CREATE FUNCTION footfall_customer_month_of(p_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('month', p_at AT TIME ZONE 'UTC')::date $$;

-- Recompute one (customer, month, store) from the transactions (after an update or delete).
CREATE FUNCTION footfall_recount_customer_month(p_org uuid, p_customer text, p_month date, p_store text)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM customer_purchase_months
    WHERE org_id = p_org AND customer_id = p_customer AND month = p_month AND store_id = p_store;
    INSERT INTO customer_purchase_months (org_id, customer_id, month, store_id, first_purchase, last_purchase,
                                          purchases, net_spend)
    SELECT p_org, p_customer, p_month, p_store,
           min(occurred_at) FILTER (WHERE amount >= 0), max(occurred_at) FILTER (WHERE amount >= 0),
           count(*) FILTER (WHERE amount >= 0), sum(amount)
    FROM sales_transactions
    WHERE org_id = p_org AND customer_id = p_customer AND store_id = p_store
      AND occurred_at >= (p_month::timestamp AT TIME ZONE 'UTC')
      AND occurred_at < ((p_month + interval '1 month')::timestamp AT TIME ZONE 'UTC')
    HAVING count(*) > 0;
$$;

CREATE FUNCTION footfall_customer_purchase_months() RETURNS trigger
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
    -- transactions never change in normal use; an update or delete recounts what it touched
    IF OLD.customer_id IS NOT NULL THEN
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

CREATE TRIGGER customer_purchase_months AFTER INSERT OR UPDATE OR DELETE ON sales_transactions
    FOR EACH ROW EXECUTE FUNCTION footfall_customer_purchase_months();

CREATE FUNCTION footfall_refresh_customer_months(p_org uuid) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM customer_purchase_months WHERE org_id = p_org;
    INSERT INTO customer_purchase_months (org_id, customer_id, month, store_id, first_purchase, last_purchase,
                                          purchases, net_spend)
    SELECT org_id, customer_id, footfall_customer_month_of(occurred_at), store_id,
           min(occurred_at) FILTER (WHERE amount >= 0), max(occurred_at) FILTER (WHERE amount >= 0),
           count(*) FILTER (WHERE amount >= 0), sum(amount)
    FROM sales_transactions
    WHERE org_id = p_org AND customer_id IS NOT NULL
    GROUP BY org_id, customer_id, footfall_customer_month_of(occurred_at), store_id;
$$;

SELECT footfall_refresh_customer_months(org_id) FROM organisations;
