"""The demo seed's set-based rollup rebuild against a real PostgreSQL: with the row triggers off
while copying (migration 0017) and the rollups rebuilt at the end, every trigger-kept table holds
exactly the rows the row triggers leave when the same history goes through them one row at a time.
"""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from footfall.server.seed import seed_chain

from tests.integration.demo_chains import three_store_chain

NOW = datetime(2026, 11, 24, 15, 7, tzinfo=UTC)
#: Back to 24 October: both time zones' autumn DST change, a month boundary, and weeks enough
#: for the hours' 8-week expected levels (3 usable hours of the same weekday and hour).
DAYS = 31

#: Every table the rollup row triggers keep, keyed by store code instead of the seed's new ids,
#: in a total order, every column but the store and organisation ids.
ROLLUPS = {
    "traffic_store_days": """
        SELECT s.code, d.local_date, d.visitors, d.visitors_out, d.covered_open_s
        FROM traffic_store_days d JOIN stores s USING (store_id)
        WHERE s.org_id = %(org)s ORDER BY 1, 2""",
    "traffic_store_months": """
        SELECT s.code, m.month, m.visitors, m.visitors_out, m.covered_open_s
        FROM traffic_store_months m JOIN stores s USING (store_id)
        WHERE s.org_id = %(org)s ORDER BY 1, 2""",
    "sales_store_months": """
        SELECT s.code, m.month, m.days_imported, m.transactions, m.refunds, m.net_sales, m.units,
               m.member_transactions
        FROM sales_store_months m JOIN stores s USING (store_id)
        WHERE s.org_id = %(org)s ORDER BY 1, 2""",
    "customer_purchase_months": """
        SELECT s.code, m.customer_id, m.month, m.first_purchase, m.last_purchase, m.purchases, m.net_spend
        FROM customer_purchase_months m JOIN stores s USING (store_id)
        WHERE m.org_id = %(org)s ORDER BY 1, 2, 3""",
    "traffic_store_hours": """
        SELECT s.code, h.hour_start, h.weekday, h.hour, h.visitors, h.coverage, h.expected
        FROM traffic_store_hours h JOIN stores s USING (store_id)
        WHERE s.org_id = %(org)s ORDER BY 1, 2""",
}


@pytest.fixture
def small_chain():
    return three_store_chain("Seed rollups chain")


def _rows(db, sql: str, org: str) -> list[tuple]:
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in db.execute(sql, {"org": org})]


def _seed_and_read(db, chain, *, bulk_rollups: bool) -> dict[str, list[tuple]]:
    """Seed inside a savepoint, read every rollup, and roll the seed back (it can exist only once)."""
    with db.transaction() as savepoint:
        report = seed_chain(db, now=NOW, chain=chain, days=DAYS, bulk_rollups=bulk_rollups)
        assert report.created
        (setting,) = _rows(db, "SELECT current_setting('footfall.rollups_bulk', true)", report.org_id)[0]
        assert setting != "on", "the row triggers are back on for the rest of the transaction"
        rollups = {table: _rows(db, sql, report.org_id) for table, sql in ROLLUPS.items()}
        raise psycopg.Rollback(savepoint)
    return rollups


def test_bulk_rebuild_gives_the_rows_of_the_row_triggers(db, small_chain) -> None:
    by_triggers = _seed_and_read(db, small_chain, bulk_rollups=False)
    rebuilt = _seed_and_read(db, small_chain, bulk_rollups=True)

    for table, rows in by_triggers.items():
        assert rows, f"{table}: the seed left no rows to compare"
    hours = by_triggers["traffic_store_hours"]
    assert sum(1 for h in hours if h[-1] is not None) > 100, "expected levels are compared too"
    assert len({m[1] for m in by_triggers["traffic_store_months"]}) == 2

    for table in ROLLUPS:
        assert rebuilt[table] == by_triggers[table], table
