-- Traffic and sales per store and local calendar month, kept by row triggers on the day tables
-- (traffic_store_days of migration 0005, sales_days of 0004/0007): ranking 1,000 stores over a
-- year reads the year's whole months here (12 rows a store) and only the days of the partial
-- months at its ends from the day tables. A month is the sum of its days, so answers are the same.

CREATE TABLE traffic_store_months (
    store_id        text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    month           date NOT NULL,  -- first local day of the month
    visitors        bigint NOT NULL DEFAULT 0,
    visitors_out    bigint NOT NULL DEFAULT 0,
    covered_open_s  double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, month)
);

CREATE TABLE sales_store_months (
    store_id             text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    month                date NOT NULL,
    days_imported        integer NOT NULL DEFAULT 0,  -- rows of sales_days in the month
    transactions         bigint NOT NULL DEFAULT 0,
    refunds              bigint NOT NULL DEFAULT 0,
    net_sales            numeric(18, 3) NOT NULL DEFAULT 0,
    units                bigint NOT NULL DEFAULT 0,
    member_transactions  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, month)
);

CREATE FUNCTION footfall_traffic_store_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
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

CREATE TRIGGER traffic_store_months AFTER INSERT OR UPDATE OR DELETE ON traffic_store_days
    FOR EACH ROW EXECUTE FUNCTION footfall_traffic_store_months();

CREATE FUNCTION footfall_sales_store_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
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

CREATE TRIGGER sales_store_months AFTER INSERT OR UPDATE OR DELETE ON sales_days
    FOR EACH ROW EXECUTE FUNCTION footfall_sales_store_months();

INSERT INTO traffic_store_months (store_id, month, visitors, visitors_out, covered_open_s)
SELECT store_id, date_trunc('month', local_date)::date, sum(visitors), sum(visitors_out), sum(covered_open_s)
FROM traffic_store_days GROUP BY 1, 2;

INSERT INTO sales_store_months (store_id, month, days_imported, transactions, refunds, net_sales, units,
                                member_transactions)
SELECT store_id, date_trunc('month', business_date)::date, count(*), sum(transactions), sum(refunds), sum(net_sales),
       sum(units), sum(member_transactions)
FROM sales_days GROUP BY 1, 2;
