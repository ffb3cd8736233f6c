-- Sales (POS), customers (CRM) and staff hours: the business side that KPIs join with traffic.
-- Every import is one row in `imports`; the rows it wrote point back at it, so what a file
-- changed can always be traced. Rollups (`sales_hourly`) are kept in the same transaction as
-- the rows, so a KPI never sees half an import.

CREATE TABLE imports (
    import_id      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('sales', 'customers', 'staff')),
    filename       text CHECK (length(filename) <= 255),
    content_sha256 text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    rows_total     integer NOT NULL CHECK (rows_total >= 0),
    inserted       integer NOT NULL DEFAULT 0,
    updated        integer NOT NULL DEFAULT 0,
    unchanged      integer NOT NULL DEFAULT 0,
    merged         integer NOT NULL DEFAULT 0,
    imported_by    uuid,  -- the user who sent it (no FK: users may be deleted, the trail stays)
    imported_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_org_time ON imports (org_id, imported_at DESC);

-- One POS transaction. A refund is its own row with a negative amount (and units <= 0).
-- Identity is (store, POS transaction id): re-importing the same file inserts nothing.
CREATE TABLE sales_transactions (
    store_id        text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    transaction_id  text NOT NULL CHECK (length(transaction_id) BETWEEN 1 AND 64),
    org_id          uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    occurred_at     timestamptz NOT NULL,
    amount          numeric(14, 3) NOT NULL,
    currency        char(3) NOT NULL,
    units           integer NOT NULL,
    customer_id     text CHECK (length(customer_id) BETWEEN 1 AND 64),
    import_id       uuid NOT NULL REFERENCES imports (import_id),
    PRIMARY KEY (store_id, transaction_id),
    CHECK (amount >= 0 OR units <= 0)
);
CREATE INDEX sales_transactions_store_time ON sales_transactions (store_id, occurred_at);
CREATE INDEX sales_transactions_customer ON sales_transactions (org_id, customer_id, occurred_at)
    WHERE customer_id IS NOT NULL;

-- Sales per store and store-local hour (hour_start = the UTC instant the local hour begins,
-- so DST days have 23 or 25 rows and half-hour zones stay exact). Maintained by the import.
CREATE TABLE sales_hourly (
    store_id             text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    hour_start           timestamptz NOT NULL,
    transactions         integer NOT NULL DEFAULT 0,  -- sales, amount >= 0
    refunds              integer NOT NULL DEFAULT 0,  -- amount < 0
    net_sales            numeric(16, 3) NOT NULL DEFAULT 0,
    units                integer NOT NULL DEFAULT 0,
    member_transactions  integer NOT NULL DEFAULT 0,  -- sales carrying a customer id
    PRIMARY KEY (store_id, hour_start)
);

-- Which store-local business days have sales imported: the "sales complete?" of every KPI.
CREATE TABLE sales_days (
    store_id       text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    business_date  date NOT NULL,
    import_id      uuid NOT NULL REFERENCES imports (import_id),
    PRIMARY KEY (store_id, business_date)
);

-- CRM customers. Personal fields (email, phone, name) are optional and erasable: erasure
-- clears them and stamps erased_at, while the pseudonymous id keeps purchase aggregates.
CREATE TABLE customers (
    org_id         uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    customer_id    text NOT NULL CHECK (length(customer_id) BETWEEN 1 AND 64),
    joined_on      date NOT NULL,
    segment        text CHECK (length(segment) <= 64),
    home_store_id  text REFERENCES stores (store_id) ON DELETE SET NULL,
    email          text CHECK (email = lower(email)),
    phone          text CHECK (phone ~ '^\+[0-9]{8,15}$'),
    name           text CHECK (length(name) <= 200),
    erased_at      timestamptz,
    import_id      uuid REFERENCES imports (import_id),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, customer_id),
    CHECK (erased_at IS NULL OR (email IS NULL AND phone IS NULL AND name IS NULL))
);
CREATE INDEX customers_email ON customers (org_id, email) WHERE email IS NOT NULL;
CREATE INDEX customers_phone ON customers (org_id, phone) WHERE phone IS NOT NULL;

-- A second CRM id found to be the same person (same normalised e-mail or phone): purchases
-- under alias_id count for customer_id.
CREATE TABLE customer_aliases (
    org_id       uuid NOT NULL,
    alias_id     text NOT NULL CHECK (length(alias_id) BETWEEN 1 AND 64),
    customer_id  text NOT NULL,
    matched_on   text NOT NULL CHECK (matched_on IN ('email', 'phone')),
    import_id    uuid REFERENCES imports (import_id),
    PRIMARY KEY (org_id, alias_id),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, customer_id) ON DELETE CASCADE
);

-- Staff on the floor per store-local hour (hour_start as in sales_hourly).
CREATE TABLE staff_hours (
    store_id       text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    hour_start     timestamptz NOT NULL,
    staff_on_duty  numeric(7, 2) NOT NULL CHECK (staff_on_duty >= 0),
    import_id      uuid NOT NULL REFERENCES imports (import_id),
    PRIMARY KEY (store_id, hour_start)
);
