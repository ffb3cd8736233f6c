"""CRM customers: ``customer_id, joined_on[, segment, home_store, email, phone, name]``.

Contact fields are optional, column by column: a retailer that keeps personal data out
of Footfall simply leaves those columns out. When they are present they are normalised
(e-mail lower-cased, phone E.164) and used to recognise one person filed twice under two
ids: the later id becomes an *alias* of the first, so that person's purchases count for
one customer (frequency, lifetime value, new vs returning) instead of two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from footfall.server.imports import normalise as n
from footfall.server.imports.reading import Columns, FileFormat, Record, read_records
from footfall.server.imports.report import ImportReport
from footfall.server.imports.stores import StoreDirectory

T = TypeVar("T")

COLUMNS = Columns(
    required=("customer_id", "joined_on"),
    optional=("segment", "home_store", "email", "phone", "name"),
)
PERSONAL_FIELDS = ("email", "phone", "name")


@dataclass(frozen=True, slots=True)
class Customer:
    row: int
    customer_id: str
    joined_on: date
    segment: str | None
    home_store_id: str | None
    email: str | None = None
    phone: str | None = None
    name: str | None = None

    @property
    def contacts(self) -> list[tuple[str, str]]:
        return [(kind, value) for kind, value in (("email", self.email), ("phone", self.phone)) if value]

    def same_as(self, other: Customer) -> bool:
        return (
            self.joined_on == other.joined_on
            and self.segment == other.segment
            and self.home_store_id == other.home_store_id
            and self.email == other.email
            and self.phone == other.phone
            and self.name == other.name
        )


@dataclass(frozen=True, slots=True)
class KnownCustomer:
    """A customer the database already holds (``erased``: personal data removed on request)."""

    customer: Customer
    erased: bool = False


@dataclass(slots=True)
class CustomerPlan:
    """What applying the file will do; computed purely from the file and the database's state."""

    insert: list[Customer] = field(default_factory=list)
    update: list[Customer] = field(default_factory=list)
    unchanged: list[Customer] = field(default_factory=list)
    #: alias id → canonical id, new in this import.
    aliases: dict[str, str] = field(default_factory=dict)


def validate_customers(
    content: bytes,
    fmt: FileFormat,
    stores: StoreDirectory,
    report: ImportReport,
    *,
    default_country: str | None = None,
) -> list[Customer]:
    records = read_records(content, fmt, COLUMNS, report)
    customers: list[Customer] = []
    first_row_of: dict[str, int] = {}
    for number, record in enumerate(records, start=1):
        if not record:
            continue
        customer = _customer(number, record, stores, report, default_country)
        if customer is None:
            continue
        if customer.customer_id in first_row_of:
            report.reject(
                number,
                "customer_id",
                f"customer_id {customer.customer_id!r} appears again (first on row {first_row_of[customer.customer_id]})",
            )
            continue
        first_row_of[customer.customer_id] = number
        customers.append(customer)
    return customers if report.ok else []


def _customer(
    number: int, record: Record, stores: StoreDirectory, report: ImportReport, default_country: str | None
) -> Customer | None:
    before = len(report.issues)

    def read(name: str, reader: Callable[[], T]) -> T | None:
        try:
            return reader()
        except n.FieldError as error:
            report.reject(number, name, str(error))
            return None

    customer_id = read("customer_id", lambda: n.identifier(record.get("customer_id"), "customer_id"))
    joined_on = read("joined_on", lambda: n.calendar_date(record.get("joined_on"), "joined_on"))
    segment = read("segment", lambda: n.optional_text(record.get("segment"), "segment", max_length=64))
    home = read(
        "home_store",
        lambda: stores.find(record["home_store"], "home_store") if record.get("home_store") else None,
    )
    country = home.country if home is not None else default_country
    email = read("email", lambda: n.email(record.get("email")))
    phone = read("phone", lambda: n.phone(record.get("phone"), country))
    name = read("name", lambda: n.optional_text(record.get("name"), "name"))
    if len(report.issues) > before:
        return None
    assert customer_id is not None and joined_on is not None
    return Customer(
        number, customer_id, joined_on, segment, home.store_id if home else None, email, phone, name
    )


def plan_customers(
    customers: list[Customer],
    known: dict[str, KnownCustomer],
    known_aliases: dict[str, str],
    report: ImportReport,
) -> CustomerPlan:
    """Decide insert / update / unchanged / merge for every row (pure).

    ``known`` holds the database's customers whose id *or* contact matches a row of the
    file; ``known_aliases`` maps ids merged earlier to their canonical id, so a re-run of the
    same file is a no-op. A person found under a second id (same normalised e-mail or phone)
    is merged into the first one seen, the database's first.
    """
    plan = CustomerPlan()
    owner: dict[tuple[str, str], str] = {}
    for entry in known.values():
        if not entry.erased:
            for contact in entry.customer.contacts:
                owner.setdefault(contact, entry.customer.customer_id)
    for row in customers:
        canonical = known_aliases.get(row.customer_id)
        if canonical is not None:
            plan.unchanged.append(row)
            report.note_merge(row.row, "customer_id", f"already merged into customer {canonical}")
            continue
        existing = known.get(row.customer_id)
        if existing is not None:
            if existing.erased and any(getattr(row, f) for f in PERSONAL_FIELDS):
                row = replace(row, email=None, phone=None, name=None)
                report.warn(
                    row.row,
                    None,
                    "personal fields dropped: this customer's personal data was erased on request",
                )
            for contact in row.contacts:
                other = owner.get(contact)
                if other is not None and other != row.customer_id:
                    report.warn(
                        row.row,
                        contact[0],
                        f"same {contact[0]} as customer {other}; both already exist, not merged",
                    )
                owner.setdefault(contact, row.customer_id)
            (plan.unchanged if existing.customer.same_as(row) else plan.update).append(row)
            continue
        match = next(((kind, owner[(kind, v)]) for kind, v in row.contacts if (kind, v) in owner), None)
        if match is not None:
            kind, canonical = match
            plan.aliases[row.customer_id] = canonical
            report.note_merge(row.row, kind, f"same {kind} as customer {canonical}: merged into {canonical}")
            continue
        for contact in row.contacts:
            owner.setdefault(contact, row.customer_id)
        plan.insert.append(row)
    return plan
