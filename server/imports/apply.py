"""Run one import: validate (pure), then write everything in ONE transaction — or nothing.

The file is validated in full before the database is touched; rows that clash with what
the database already holds (a transaction id re-used with a different amount) are found
inside the transaction, under a per-organisation lock, and also reject the whole file.
Re-running a file that was applied changes nothing: sales and aliases are keyed by their
ids, customers and staff hours compare equal.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
from footfall.server.db.queries import imports as q
from footfall.server.imports.customers import Customer, KnownCustomer, plan_customers, validate_customers
from footfall.server.imports.reading import FileFormat, detect_format
from footfall.server.imports.report import ImportKind, ImportRejected, ImportReport
from footfall.server.imports.sales import Sale, validate_sales
from footfall.server.imports.staff import StaffHour, validate_staff
from footfall.server.imports.stores import StoreDirectory, StoreRef


@dataclass(frozen=True, slots=True)
class Importer:
    """Who imports, and into which stores (the caller's scope, decided by footfall.server.auth)."""

    org_id: str
    store_ids: list[str]
    user_id: str | None = None


def run_import(
    conn: psycopg.Connection,
    kind: ImportKind,
    content: bytes,
    importer: Importer,
    *,
    filename: str | None = None,
    fmt: FileFormat | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Validate and apply; raise :class:`ImportRejected` (nothing written) if any row is rejected."""
    report = ImportReport(kind, filename=filename, dry_run=dry_run)
    fmt = fmt or detect_format(filename, content)
    with conn.transaction():
        stores = _stores(conn, importer)
        if kind == "sales":
            rows: list = validate_sales(content, fmt, stores, report)
        elif kind == "customers":
            rows = validate_customers(content, fmt, stores, report, default_country=_chain_country(stores))
        else:
            rows = validate_staff(content, fmt, stores, report)
        if not report.ok:
            raise ImportRejected(report)
        conn.execute(q.LOCK_IMPORTS, {"key": f"import:{importer.org_id}:{kind}"})
        import_id = None
        if not dry_run:
            import_id = conn.execute(
                q.INSERT_IMPORT,
                {
                    "org_id": importer.org_id,
                    "kind": kind,
                    "filename": (filename or "")[:255] or None,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "rows_total": report.rows_total,
                    "imported_by": importer.user_id,
                },
            ).fetchone()
            import_id = str(_first(import_id))
        if kind == "sales":
            _apply_sales(conn, rows, stores, importer, import_id, report)
        elif kind == "customers":
            _apply_customers(conn, rows, importer, import_id, report)
        else:
            _apply_staff(conn, rows, import_id, report)
        if not report.ok:
            raise ImportRejected(report)  # rolls the transaction back
        if dry_run:
            return report
        counts = {
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "merged": report.merged,
        }
        conn.execute(q.FINISH_IMPORT, {"import_id": import_id, **counts})
        conn.execute(
            q.AUDIT,
            {
                "org_id": importer.org_id,
                "actor_id": importer.user_id,
                "action": f"import_{kind}",
                "target": import_id,
                "details": json.dumps({"filename": filename, "rows": report.rows_total, **counts}),
            },
        )
        report.applied, report.import_id = True, import_id
    return report


def _stores(conn: psycopg.Connection, importer: Importer) -> StoreDirectory:
    rows = conn.execute(
        q.STORES_IN_SCOPE, {"org_id": importer.org_id, "store_ids": importer.store_ids}
    ).fetchall()
    return StoreDirectory(
        [StoreRef(r["store_id"], r["code"], r["timezone"], r["currency"], r["locale"]) for r in rows]
    )


def _chain_country(stores: StoreDirectory) -> str | None:
    """The country for national phone numbers of customers without a home store: the chain's,
    when all its stores are in one country."""
    countries = {s.country for s in stores.stores}
    return countries.pop() if len(countries) == 1 else None


def _first(row: object) -> object:
    return next(iter(row.values())) if isinstance(row, dict) else row[0]  # type: ignore[index]


# --- sales -------------------------------------------------------------------------------------


def _apply_sales(
    conn: psycopg.Connection,
    sales: list[Sale],
    stores: StoreDirectory,
    importer: Importer,
    import_id: str | None,
    report: ImportReport,
) -> None:
    existing = {
        (r["store_id"], r["transaction_id"]): r
        for r in conn.execute(
            q.EXISTING_SALES,
            {"store_ids": [s.store_id for s in sales], "transaction_ids": [s.transaction_id for s in sales]},
        ).fetchall()
    }
    new: list[Sale] = []
    for sale in sales:
        held = existing.get((sale.store_id, sale.transaction_id))
        if held is None:
            new.append(sale)
            continue
        same = (
            held["occurred_at"] == sale.occurred_at
            and Decimal(held["amount"]) == sale.amount
            and held["currency"].strip() == sale.currency
            and held["units"] == sale.units
            and held["customer_id"] == sale.customer_id
        )
        if same:
            report.unchanged += 1
        else:
            report.reject(
                sale.row,
                "transaction_id",
                f"transaction {sale.transaction_id} was imported before with different values "
                f"({held['amount']} {held['currency']}, {held['units']} unit(s) at {held['occurred_at'].isoformat()}); "
                "POS transactions never change — record a refund as a new transaction with a negative amount",
            )
    if not report.ok or import_id is None:
        report.inserted = len(new) if report.ok else 0
        return
    zones = {s.store_id: ZoneInfo(s.timezone) for s in stores.stores}
    with conn.cursor() as cur:
        cur.executemany(
            q.INSERT_SALE,
            [
                {
                    "store_id": s.store_id,
                    "transaction_id": s.transaction_id,
                    "org_id": importer.org_id,
                    "occurred_at": s.occurred_at,
                    "amount": s.amount,
                    "currency": s.currency,
                    "units": s.units,
                    "customer_id": s.customer_id,
                    "import_id": import_id,
                }
                for s in new
            ],
        )
        hours: dict[tuple[str, datetime], list] = defaultdict(lambda: [0, 0, Decimal(0), 0, 0])
        days: dict[tuple[str, date], list] = defaultdict(lambda: [0, 0, Decimal(0), 0, 0])
        for s in new:
            local = s.occurred_at.astimezone(zones[s.store_id])
            for totals in (
                hours[(s.store_id, local.replace(minute=0, second=0, microsecond=0))],
                days[(s.store_id, local.date())],
            ):
                totals[0 if not s.is_refund else 1] += 1
                totals[2] += s.amount
                totals[3] += s.units
                totals[4] += 1 if (s.customer_id and not s.is_refund) else 0
        cur.executemany(
            q.ADD_SALES_HOUR,
            [
                {"store_id": store_id, "hour_start": hour_start, **_totals(t)}
                for (store_id, hour_start), t in hours.items()
            ],
        )
        cur.executemany(
            q.ADD_SALES_DAY,
            [
                {"store_id": store_id, "business_date": day, "import_id": import_id, **_totals(t)}
                for (store_id, day), t in days.items()
            ],
        )
    report.inserted = len(new)


def _totals(t: list) -> dict:
    return {
        "transactions": t[0],
        "refunds": t[1],
        "net_sales": t[2],
        "units": t[3],
        "member_transactions": t[4],
    }


# --- customers ---------------------------------------------------------------------------------


def _apply_customers(
    conn: psycopg.Connection,
    customers: list[Customer],
    importer: Importer,
    import_id: str | None,
    report: ImportReport,
) -> None:
    params = {
        "org_id": importer.org_id,
        "customer_ids": [c.customer_id for c in customers],
        "emails": [c.email for c in customers if c.email],
        "phones": [c.phone for c in customers if c.phone],
    }
    known = {
        r["customer_id"]: KnownCustomer(
            Customer(
                0,
                r["customer_id"],
                r["joined_on"],
                r["segment"],
                r["home_store_id"],
                r["email"],
                r["phone"],
                r["name"],
            ),
            erased=r["erased"],
        )
        for r in conn.execute(q.KNOWN_CUSTOMERS, params).fetchall()
    }
    aliases = {r["alias_id"]: r["customer_id"] for r in conn.execute(q.KNOWN_ALIASES, params).fetchall()}
    plan = plan_customers(customers, known, aliases, report)
    report.inserted, report.updated = len(plan.insert), len(plan.update)
    report.unchanged, report.merged = len(plan.unchanged), len(plan.aliases)
    if import_id is None:
        return
    matched_on = {i.row: i.field for i in report.issues if i.severity == "merged"}
    row_of = {c.customer_id: c.row for c in customers}

    def values(c: Customer) -> dict:
        return {
            "org_id": importer.org_id,
            "customer_id": c.customer_id,
            "joined_on": c.joined_on,
            "segment": c.segment,
            "home_store_id": c.home_store_id,
            "email": c.email,
            "phone": c.phone,
            "name": c.name,
            "import_id": import_id,
        }

    with conn.cursor() as cur:
        if plan.insert:
            cur.executemany(q.INSERT_CUSTOMER, [values(c) for c in plan.insert])
        if plan.update:
            cur.executemany(q.UPDATE_CUSTOMER, [values(c) for c in plan.update])
        if plan.aliases:
            cur.executemany(
                q.INSERT_ALIAS,
                [
                    {
                        "org_id": importer.org_id,
                        "alias_id": alias,
                        "customer_id": canonical,
                        "matched_on": matched_on.get(row_of[alias]) or "email",
                        "import_id": import_id,
                    }
                    for alias, canonical in plan.aliases.items()
                ],
            )


# --- staff -------------------------------------------------------------------------------------


def _apply_staff(
    conn: psycopg.Connection, hours: list[StaffHour], import_id: str | None, report: ImportReport
) -> None:
    existing = {
        (r["store_id"], r["hour_start"]): Decimal(r["staff_on_duty"])
        for r in conn.execute(
            q.EXISTING_STAFF,
            {"store_ids": [h.store_id for h in hours], "hour_starts": [h.hour_start for h in hours]},
        ).fetchall()
    }
    changed = []
    for h in hours:
        held = existing.get((h.store_id, h.hour_start))
        if held is None:
            report.inserted += 1
            changed.append(h)
        elif held == h.staff_on_duty:
            report.unchanged += 1
        else:
            report.updated += 1
            changed.append(h)
    if import_id is None or not changed:
        return
    with conn.cursor() as cur:
        cur.executemany(
            q.UPSERT_STAFF,
            [
                {
                    "store_id": h.store_id,
                    "hour_start": h.hour_start,
                    "staff_on_duty": h.staff_on_duty,
                    "import_id": import_id,
                }
                for h in changed
            ],
        )
