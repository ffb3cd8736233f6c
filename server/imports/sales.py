"""POS transactions: ``store, timestamp, transaction_id, amount, currency, units[, customer_id]``.

A refund is its own transaction with a negative amount (its units are stored negative,
whichever sign the POS wrote). A store reports in one currency; a row in another currency
is refused instead of converted, since no exchange rate would be right for every reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from footfall.server.imports import normalise as n
from footfall.server.imports.reading import Columns, FileFormat, Record, read_records
from footfall.server.imports.report import ImportReport
from footfall.server.imports.stores import StoreDirectory

T = TypeVar("T")

COLUMNS = Columns(
    required=("store", "timestamp", "transaction_id", "amount", "currency", "units"),
    optional=("customer_id",),
)


@dataclass(frozen=True, slots=True)
class Sale:
    row: int
    store_id: str
    transaction_id: str
    occurred_at: datetime  # UTC
    amount: Decimal
    currency: str
    units: int
    customer_id: str | None

    @property
    def is_refund(self) -> bool:
        return self.amount < 0

    def same_as(self, other: Sale) -> bool:
        """Equal in everything the database keeps (row number aside): a re-run, not a change."""
        return (
            self.occurred_at == other.occurred_at
            and self.amount == other.amount
            and self.currency == other.currency
            and self.units == other.units
            and self.customer_id == other.customer_id
        )


def validate_sales(
    content: bytes, fmt: FileFormat, stores: StoreDirectory, report: ImportReport
) -> list[Sale]:
    records = read_records(content, fmt, COLUMNS, report)
    sales: list[Sale] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for number, record in enumerate(records, start=1):
        if not record:
            continue
        sale = _sale(number, record, stores, report)
        if sale is None:
            continue
        key = (sale.store_id, sale.transaction_id)
        if key in first_row_of:
            report.reject(
                number,
                "transaction_id",
                f"transaction_id {sale.transaction_id!r} appears again (first on row {first_row_of[key]})",
            )
            continue
        first_row_of[key] = number
        sales.append(sale)
    return sales if report.ok else []


def _sale(number: int, record: Record, stores: StoreDirectory, report: ImportReport) -> Sale | None:
    errors_before = len(report.issues)

    def field(name: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except n.FieldError as error:
            report.reject(number, name, str(error))
            return None

    store = field("store", lambda: stores.find(record.get("store")))
    transaction_id = field(
        "transaction_id", lambda: n.identifier(record.get("transaction_id"), "transaction_id")
    )
    code = field("currency", lambda: n.currency(record.get("currency")))
    units = field("units", lambda: n.whole_number(record.get("units"), "units"))
    customer_id = field(
        "customer_id",
        lambda: n.identifier(record["customer_id"], "customer_id") if record.get("customer_id") else None,
    )
    occurred_at = amount = None
    if store is not None:
        occurred_at = field("timestamp", lambda: n.local_timestamp(record.get("timestamp"), store.zone))
        if code is not None and code != store.currency:
            report.reject(
                number,
                "currency",
                f"currency {code} differs from store {store.code}'s currency {store.currency}; "
                "mixed currencies are not converted, export this store in its own currency",
            )
        elif code is not None:
            amount = field("amount", lambda: n.money(record.get("amount"), code))
    if amount is not None and units is not None:
        if amount < 0:
            units = -abs(units)
        elif units < 0:
            report.reject(number, "units", "negative units on a sale; a refund needs a negative amount")
    if len(report.issues) > errors_before and any(
        i.severity == "rejected" for i in report.issues[errors_before:]
    ):
        return None
    assert store is not None and transaction_id is not None and occurred_at is not None
    assert amount is not None and code is not None and units is not None
    return Sale(number, store.store_id, transaction_id, occurred_at, amount, code, units, customer_id)
