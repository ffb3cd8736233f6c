"""Deleting an organisation takes everything it owns with it, merged customers included."""

from __future__ import annotations

import psycopg
from footfall.server.imports.apply import Importer, run_import
from footfall.server.provisioning import create_demo_world

#: Tables holding an organisation's rows, and how to find them.
OWNED = {
    "stores": "org_id",
    "imports": "org_id",
    "customers": "org_id",
    "customer_aliases": "org_id",
    "sales_transactions": "org_id",
}


def _left(db: psycopg.Connection, org_id: str) -> dict[str, int]:
    counts = {}
    for table, column in OWNED.items():
        row = db.execute(f"SELECT count(*) AS n FROM {table} WHERE {column} = %s", (org_id,)).fetchone()
        counts[table] = row["n"] if isinstance(row, dict) else row[0]
    return counts


def test_an_organisation_with_merged_customers_can_be_deleted(db: psycopg.Connection) -> None:
    world = create_demo_world(db, name="Org deleted with merged customers")
    importer = Importer(world.org_id, [s.store_id for s in world.stores])
    customers = (
        "customer_id,joined_on,segment,home_store,email,phone\n"
        "C1,2025-01-10,gold,S1,ann@example.com,\n"
        "C2,2026-02-01,,S1,Ann@Example.com,\n"  # the same person again: an alias of C1
    )
    report = run_import(db, "customers", customers.encode(), importer, filename="customers.csv")
    assert report.merged == 1
    sales = "store,timestamp,transaction_id,amount,currency,units,customer_id\nS1,2026-03-10T10:00:00,T1,20.00,EUR,1,C2\n"
    run_import(db, "sales", sales.encode(), importer, filename="sales.csv")
    staff = "store,hour_start,staff_on_duty\nS1,2026-03-10T10:00,2\n"
    run_import(db, "staff", staff.encode(), importer, filename="staff.csv")
    before = _left(db, world.org_id)
    assert before["customer_aliases"] == 1 and before["sales_transactions"] == 1 and before["imports"] == 3

    db.execute("DELETE FROM organisations WHERE org_id = %s", (world.org_id,))

    assert _left(db, world.org_id) == dict.fromkeys(OWNED, 0)
