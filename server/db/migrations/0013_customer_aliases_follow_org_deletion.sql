-- Deleting an organisation failed once it had merged customers: the deletion cascades to its
-- imports at once, but to customer_aliases only through customers (one step later), so the
-- check of customer_aliases.import_id (no ON DELETE rule) still found aliases pointing at the
-- deleted imports. The import is only the trail of which file found the duplicate: when an
-- import goes, its aliases stay (their customers own them) and forget the import.

ALTER TABLE customer_aliases
    DROP CONSTRAINT customer_aliases_import_id_fkey,
    ADD CONSTRAINT customer_aliases_import_id_fkey
        FOREIGN KEY (import_id) REFERENCES imports (import_id) ON DELETE SET NULL;
