"""SQL of the imports (sales, customers, staff hours) and of erasing a customer's personal data."""

STORES_IN_SCOPE = """
SELECT store_id, code, timezone, currency, locale FROM stores
WHERE org_id = %(org_id)s AND store_id = ANY(%(store_ids)s)
"""

#: Serialise imports of one kind per organisation, so two uploads of one file cannot both insert.
LOCK_IMPORTS = "SELECT pg_advisory_xact_lock(hashtext(%(key)s))"

INSERT_IMPORT = """
INSERT INTO imports (org_id, kind, filename, content_sha256, rows_total, inserted, updated, unchanged,
                     merged, imported_by)
VALUES (%(org_id)s, %(kind)s, %(filename)s, %(sha256)s, %(rows_total)s, 0, 0, 0, 0, %(imported_by)s)
RETURNING import_id
"""

FINISH_IMPORT = """
UPDATE imports SET inserted = %(inserted)s, updated = %(updated)s, unchanged = %(unchanged)s, merged = %(merged)s
WHERE import_id = %(import_id)s
"""

AUDIT = """
INSERT INTO audit_log (org_id, actor_kind, actor_id, action, target, details)
VALUES (%(org_id)s, 'user', %(actor_id)s, %(action)s, %(target)s, %(details)s)
"""

# --- sales ---------------------------------------------------------------------------------------

EXISTING_SALES = """
SELECT t.store_id, t.transaction_id, t.occurred_at, t.amount, t.currency, t.units, t.customer_id
FROM sales_transactions t
JOIN unnest(%(store_ids)s::text[], %(transaction_ids)s::text[]) AS k(store_id, transaction_id)
  ON t.store_id = k.store_id AND t.transaction_id = k.transaction_id
"""

INSERT_SALE = """
INSERT INTO sales_transactions (store_id, transaction_id, org_id, occurred_at, amount, currency, units,
                                customer_id, import_id)
VALUES (%(store_id)s, %(transaction_id)s, %(org_id)s, %(occurred_at)s, %(amount)s, %(currency)s, %(units)s,
        %(customer_id)s, %(import_id)s)
"""

ADD_SALES_HOUR = """
INSERT INTO sales_hourly AS h (store_id, hour_start, transactions, refunds, net_sales, units, member_transactions)
VALUES (%(store_id)s, %(hour_start)s, %(transactions)s, %(refunds)s, %(net_sales)s, %(units)s,
        %(member_transactions)s)
ON CONFLICT (store_id, hour_start) DO UPDATE SET
    transactions = h.transactions + excluded.transactions,
    refunds = h.refunds + excluded.refunds,
    net_sales = h.net_sales + excluded.net_sales,
    units = h.units + excluded.units,
    member_transactions = h.member_transactions + excluded.member_transactions
"""

#: Marks the store-local day as imported and adds the day's totals (see migration 0007).
ADD_SALES_DAY = """
INSERT INTO sales_days AS d (store_id, business_date, import_id, transactions, refunds, net_sales, units,
                             member_transactions)
VALUES (%(store_id)s, %(business_date)s, %(import_id)s, %(transactions)s, %(refunds)s, %(net_sales)s, %(units)s,
        %(member_transactions)s)
ON CONFLICT (store_id, business_date) DO UPDATE SET
    transactions = d.transactions + excluded.transactions,
    refunds = d.refunds + excluded.refunds,
    net_sales = d.net_sales + excluded.net_sales,
    units = d.units + excluded.units,
    member_transactions = d.member_transactions + excluded.member_transactions
"""

# --- customers -----------------------------------------------------------------------------------

KNOWN_CUSTOMERS = """
SELECT customer_id, joined_on, segment, home_store_id, email, phone, name, erased_at IS NOT NULL AS erased
FROM customers
WHERE org_id = %(org_id)s
  AND (customer_id = ANY(%(customer_ids)s) OR email = ANY(%(emails)s) OR phone = ANY(%(phones)s))
"""

KNOWN_ALIASES = """
SELECT alias_id, customer_id FROM customer_aliases
WHERE org_id = %(org_id)s AND alias_id = ANY(%(customer_ids)s)
"""

INSERT_CUSTOMER = """
INSERT INTO customers (org_id, customer_id, joined_on, segment, home_store_id, email, phone, name, import_id)
VALUES (%(org_id)s, %(customer_id)s, %(joined_on)s, %(segment)s, %(home_store_id)s, %(email)s, %(phone)s,
        %(name)s, %(import_id)s)
"""

UPDATE_CUSTOMER = """
UPDATE customers SET joined_on = %(joined_on)s, segment = %(segment)s, home_store_id = %(home_store_id)s,
       email = %(email)s, phone = %(phone)s, name = %(name)s, import_id = %(import_id)s, updated_at = now()
WHERE org_id = %(org_id)s AND customer_id = %(customer_id)s
"""

INSERT_ALIAS = """
INSERT INTO customer_aliases (org_id, alias_id, customer_id, matched_on, import_id)
VALUES (%(org_id)s, %(alias_id)s, %(customer_id)s, %(matched_on)s, %(import_id)s)
"""

ERASE_PERSONAL_DATA = """
UPDATE customers SET email = NULL, phone = NULL, name = NULL, erased_at = coalesce(erased_at, now()),
       updated_at = now()
WHERE org_id = %(org_id)s
  AND customer_id = coalesce(
      (SELECT customer_id FROM customer_aliases WHERE org_id = %(org_id)s AND alias_id = %(customer_id)s),
      %(customer_id)s)
RETURNING customer_id, erased_at
"""

# --- staff ---------------------------------------------------------------------------------------

EXISTING_STAFF = """
SELECT s.store_id, s.hour_start, s.staff_on_duty
FROM staff_hours s
JOIN unnest(%(store_ids)s::text[], %(hour_starts)s::timestamptz[]) AS k(store_id, hour_start)
  ON s.store_id = k.store_id AND s.hour_start = k.hour_start
"""

UPSERT_STAFF = """
INSERT INTO staff_hours (store_id, hour_start, staff_on_duty, import_id)
VALUES (%(store_id)s, %(hour_start)s, %(staff_on_duty)s, %(import_id)s)
ON CONFLICT (store_id, hour_start) DO UPDATE SET staff_on_duty = excluded.staff_on_duty,
    import_id = excluded.import_id
"""
