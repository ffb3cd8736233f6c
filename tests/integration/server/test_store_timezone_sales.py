"""A store's sales hours, days and months follow a change of its time zone.

The oracle is the sales import itself: the same transactions imported into a second store
that has had the new time zone all along must give the same hours, days and months.
"""

from __future__ import annotations

import psycopg
from footfall.server.imports.apply import Importer, run_import
from footfall.server.provisioning import create_demo_world

#: Instants with offsets, so both stores get the very same ones. Berlin (+1, +2 from 29 March)
#: and Kolkata (+5:30) put several on other hours, days and a month apart.
SALES = [
    ("2026-03-10T09:10:00Z", "20.00", 2, "C1"),
    ("2026-03-10T20:45:00Z", "15.50", 1, ""),  # Berlin 21:45 on the 10th, Kolkata 02:15 on the 11th
    ("2026-03-10T21:05:00Z", "-5.00", -1, ""),  # a refund
    ("2026-03-11T18:40:00Z", "7.25", 1, "C1"),  # Berlin 19:40 on the 11th, Kolkata 00:10 on the 12th
    ("2026-03-31T20:00:00Z", "30.00", 3, "C2"),  # Berlin 22:00 on 31 March, Kolkata 01:30 on 1 April
]

HOURS = "SELECT hour_start, transactions, refunds, net_sales, units, member_transactions FROM sales_hourly"
DAYS = "SELECT business_date, transactions, refunds, net_sales, units, member_transactions FROM sales_days"
MONTHS = (
    "SELECT month, days_imported, transactions, refunds, net_sales, units, member_transactions"
    " FROM sales_store_months WHERE (days_imported <> 0 OR transactions <> 0 OR net_sales <> 0)"
)


def _rows(db: psycopg.Connection, sql: str, store_id: str) -> list[tuple]:
    where = " AND " if " WHERE " in sql else " WHERE "
    rows = db.execute(f"{sql}{where}store_id = %s ORDER BY 1", (store_id,)).fetchall()
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows]


def _tables(db: psycopg.Connection, store_id: str) -> dict[str, list[tuple]]:
    return {
        name: _rows(db, sql, store_id) for name, sql in (("hours", HOURS), ("days", DAYS), ("months", MONTHS))
    }


def test_sales_hours_days_and_months_follow_a_time_zone_change(db: psycopg.Connection) -> None:
    world = create_demo_world(db, timezones=("Europe/Berlin", "Asia/Kolkata"))
    moved, oracle = (s.store_id for s in world.stores)
    db.execute("UPDATE stores SET currency = 'EUR' WHERE org_id = %s", (world.org_id,))
    body = "store,timestamp,transaction_id,amount,currency,units,customer_id\n" + "".join(
        f"{store},{at},T{k},{amount},EUR,{units},{customer}\n"
        for store in ("S1", "S2")
        for k, (at, amount, units, customer) in enumerate(SALES)
    )
    importer = Importer(world.org_id, [s.store_id for s in world.stores])
    report = run_import(db, "sales", body.encode(), importer, filename="sales.csv")
    assert report.inserted == 2 * len(SALES)
    expected = _tables(db, oracle)
    assert len(expected["months"]) == 2 and len(expected["days"]) == 4
    assert _tables(db, moved) != expected, "Berlin's hours and days are not Kolkata's"

    db.execute("UPDATE stores SET timezone = 'Asia/Kolkata' WHERE store_id = %s", (moved,))

    assert _tables(db, moved) == expected
    marks = db.execute(
        "SELECT count(*) FROM sales_days WHERE store_id = %s AND import_id = %s", (moved, report.import_id)
    ).fetchone()
    assert (marks["count"] if isinstance(marks, dict) else marks[0]) == 4

    # and back: Berlin's own figures again, as the import counted them before
    db.execute("UPDATE stores SET timezone = 'Europe/Berlin' WHERE store_id = %s", (moved,))
    db.execute("UPDATE stores SET timezone = 'Europe/Berlin' WHERE store_id = %s", (oracle,))
    assert _tables(db, moved) == _tables(db, oracle) != expected
