"""Whole files through parse → validate → normalise → report (pure, no database)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from footfall.server.imports.customers import Customer, KnownCustomer, plan_customers, validate_customers
from footfall.server.imports.report import ImportRejected, ImportReport
from footfall.server.imports.sales import validate_sales
from footfall.server.imports.staff import validate_staff
from footfall.server.imports.stores import StoreDirectory, StoreRef

STORES = StoreDirectory(
    [
        StoreRef("11111111-1111-1111-1111-111111111111", "LDN-01", "Europe/London", "GBP", "en-GB"),
        StoreRef("22222222-2222-2222-2222-222222222222", "NYC-01", "America/New_York", "USD", "en-US"),
    ]
)
LDN, NYC = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"

GOOD_SALES = b"""store,timestamp,transaction_id,amount,currency,units,customer_id
LDN-01,2026-03-28T10:15:00,T1,25.00,GBP,2,C1
ldn-01,2026-03-28T11:00:00,T2,-5.00,gbp,1,
NYC-01,2026-03-28T10:15:00-04:00,T1,10,USD,1,
"""


def _sales(content: bytes, fmt: str = "csv") -> tuple[list, ImportReport]:
    report = ImportReport("sales")
    return validate_sales(content, fmt, STORES, report), report  # type: ignore[arg-type]


def test_a_good_sales_file_is_normalised() -> None:
    sales, report = _sales(GOOD_SALES)
    assert report.ok and report.rows_total == 3
    first, refund, other = sales
    assert first.store_id == LDN and first.occurred_at == datetime(2026, 3, 28, 10, 15, tzinfo=UTC)
    assert first.amount == Decimal("25.00") and first.customer_id == "C1"
    assert refund.is_refund and refund.units == -1 and refund.customer_id is None and refund.currency == "GBP"
    assert other.store_id == NYC and other.transaction_id == "T1"  # same id in another store is fine


def test_json_and_csv_give_the_same_sales() -> None:
    rows = [
        {"store": "LDN-01", "timestamp": "2026-03-28T10:15:00", "transaction_id": "T1", "amount": 25,
         "currency": "GBP", "units": 2, "customer_id": "C1"},
    ]  # fmt: skip
    from_json, report = _sales(json.dumps({"rows": rows}).encode(), "json")
    assert report.ok
    from_csv, _ = _sales(GOOD_SALES)
    assert from_json[0] == from_csv[0]


@pytest.mark.parametrize(
    ("content", "row", "field", "reason"),
    [
        (
            b"store,when,transaction_id,amount,currency,units\nLDN-01,x,T1,1,GBP,1\n",
            0,
            None,
            "unknown column(s) when",
        ),
        (
            b"store,transaction_id,amount,currency,units\nLDN-01,T1,1,GBP,1\n",
            0,
            None,
            "missing column(s) timestamp",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nXX-99,2026-03-28T10:00,T1,1,GBP,1\n",
            1,
            "store",
            "not a store",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,28/03/2026,T1,1,GBP,1\n",
            1,
            "timestamp",
            "not a date",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,2026-03-29T01:30,T1,1,GBP,1\n",
            1,
            "timestamp",
            "does not exist",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,2026-03-28T10:00,T1,1,EUR,1\n",
            1,
            "currency",
            "mixed currencies",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,2026-03-28T10:00,T1,1.999,GBP,1\n",
            1,
            "amount",
            "more decimals",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,2026-03-28T10:00,T1,5,GBP,-1\n",
            1,
            "units",
            "negative units",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,2026-03-28T10:00,T1,5,GBP,1.5\n",
            1,
            "units",
            "whole number",
        ),
        (
            b"store,timestamp,transaction_id,amount,currency,units\nLDN-01,2026-03-28T10:00,T1,5,GBP\n",
            1,
            None,
            "5 field(s)",
        ),
        (b"store,timestamp,transaction_id,amount,currency,units\n", 0, None, "no rows"),
        (b"[1, 2]", 1, None, "expected a JSON object"),
        (b"{not json", 0, None, "not valid JSON"),
        (b"\xff\xfe\x00", 0, None, "not UTF-8"),
    ],
)
def test_malformed_sales_files_are_rejected_with_reasons(
    content: bytes, row: int, field: str | None, reason: str
) -> None:
    fmt = "json" if content.lstrip()[:1] in (b"[", b"{") else "csv"
    sales, report = _sales(content, fmt)
    assert sales == [] and not report.ok
    issue = next(i for i in report.issues if i.severity == "rejected")
    assert (issue.row, issue.field) == (row, field)
    assert reason in issue.reason


def test_duplicate_transaction_ids_are_rejected_on_the_second_row() -> None:
    content = GOOD_SALES + b"LDN-01,2026-03-28T12:00:00,T1,30.00,GBP,1,\n"
    sales, report = _sales(content)
    assert sales == []
    assert [(i.row, i.field) for i in report.issues] == [(4, "transaction_id")]
    assert "first on row 1" in report.issues[0].reason


def test_every_bad_row_is_reported_not_just_the_first() -> None:
    content = b"store,timestamp,transaction_id,amount,currency,units\n" + b"".join(
        f"LDN-01,2026-03-28T10:00,T{k},{'x' if k % 2 else '1'},GBP,1\n".encode() for k in range(10)
    )
    _, report = _sales(content)
    assert report.rejected_rows == [2, 4, 6, 8, 10] and report.rows_rejected == 5


def test_a_rejected_report_becomes_a_422_with_row_details() -> None:
    _, report = _sales(GOOD_SALES.replace(b"25.00", b"abc"))
    error = ImportRejected(report)
    assert error.status_code == 422 and error.code == "import_rejected"
    assert error.details == [{"row": 1, "field": "row 1.amount", "message": error.details[0]["message"]}]
    assert "nothing was written" in error.message


def test_semicolon_csv_is_read() -> None:
    sales, report = _sales(GOOD_SALES.replace(b",", b";"))
    assert report.ok and len(sales) == 3


# --- customers ---------------------------------------------------------------------------------

CUSTOMERS = b"""customer_id,joined_on,segment,home_store,email,phone,name
C1,2025-01-10,gold,LDN-01, Ann@Example.com ,07700 900123,Ann
C2,2025-02-11,,NYC-01,,(212) 555-0142,
C3,2025-03-12,silver,,ann@example.com,,Ann S
C4,2025-03-13,,LDN-01,,+44 7700 900123,
"""


def _customers(content: bytes) -> tuple[list[Customer], ImportReport]:
    report = ImportReport("customers")
    return validate_customers(content, "csv", STORES, report), report


def test_customers_are_normalised_with_the_home_store_country() -> None:
    customers, report = _customers(CUSTOMERS)
    assert report.ok
    assert customers[0].email == "ann@example.com" and customers[0].phone == "+447700900123"
    assert customers[1].phone == "+12125550142" and customers[1].home_store_id == NYC
    assert customers[2].home_store_id is None and customers[0].joined_on == date(2025, 1, 10)


def test_contact_fields_may_be_left_out_entirely() -> None:
    customers, report = _customers(b"customer_id,joined_on\nC1,2025-01-10\nC2,2025-02-01\n")
    assert report.ok and [c.email for c in customers] == [None, None]


def test_duplicates_by_normalised_contact_are_merged_into_the_first() -> None:
    customers, report = _customers(CUSTOMERS)
    plan = plan_customers(customers, {}, {}, report)
    assert [c.customer_id for c in plan.insert] == ["C1", "C2"]
    assert plan.aliases == {"C3": "C1", "C4": "C1"}
    assert [(i.row, i.severity) for i in report.issues] == [(3, "merged"), (4, "merged")]


def test_a_rerun_is_unchanged_and_an_edit_is_an_update() -> None:
    customers, report = _customers(CUSTOMERS)
    known = {c.customer_id: KnownCustomer(c) for c in customers[:2]}
    known["C2"] = KnownCustomer(Customer(0, "C2", date(2025, 2, 11), "bronze", NYC, None, "+12125550142"))
    plan = plan_customers(customers, known, {"C3": "C1", "C4": "C1"}, report)
    assert [c.customer_id for c in plan.unchanged] == ["C1", "C3", "C4"]
    assert [c.customer_id for c in plan.update] == ["C2"] and not plan.insert and not plan.aliases


def test_an_erased_customer_does_not_get_personal_data_back() -> None:
    customers, report = _customers(CUSTOMERS)
    erased = Customer(0, "C1", date(2025, 1, 10), "gold", LDN)
    plan = plan_customers(customers[:1], {"C1": KnownCustomer(erased, erased=True)}, {}, report)
    assert plan.unchanged and plan.unchanged[0].email is None
    assert report.issues[0].severity == "warning" and "erased" in report.issues[0].reason


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (b"C1,2025-13-01,,,,,", "joined_on", "not a date"),
        (b"C1,2025-01-01,,XX,,,", "home_store", "not a store"),
        (b"C1,2025-01-01,,,not-an-email,,", "email", "e-mail"),
        (b"C1,2025-01-01,,,,07700 900123,", "phone", "no country code"),
        (b",2025-01-01,,,,,", "customer_id", "required"),
    ],
)
def test_bad_customer_rows(line: bytes, field: str, reason: str) -> None:
    customers, report = _customers(
        b"customer_id,joined_on,segment,home_store,email,phone,name\n" + line + b"\n"
    )
    assert customers == [] and report.issues[0].field == field and reason in report.issues[0].reason


def test_duplicate_customer_ids_are_rejected() -> None:
    customers, report = _customers(b"customer_id,joined_on\nC1,2025-01-10\nC1,2025-01-11\n")
    assert customers == [] and report.rejected_rows == [2]


# --- staff -------------------------------------------------------------------------------------


def test_staff_hours_in_local_time() -> None:
    report = ImportReport("staff")
    hours = validate_staff(
        b"store,hour_start,staff_on_duty\nLDN-01,2026-03-30T09:00,3\nLDN-01,2026-03-30T10:00,2.5\n",
        "csv",
        STORES,
        report,
    )
    assert report.ok
    assert hours[0].hour_start == datetime(2026, 3, 30, 8, 0, tzinfo=UTC) and hours[
        1
    ].staff_on_duty == Decimal("2.5")


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (b"LDN-01,2026-03-30T09:30,3", "hour_start", "not on the hour"),
        (b"LDN-01,2026-03-30T09:00,-1", "staff_on_duty", "between"),
        (b"LDN-01,2026-03-29T01:00,2", "hour_start", "does not exist"),
    ],
)
def test_bad_staff_rows(line: bytes, field: str, reason: str) -> None:
    report = ImportReport("staff")
    hours = validate_staff(b"store,hour_start,staff_on_duty\n" + line + b"\n", "csv", STORES, report)
    assert hours == [] and report.issues[0].field == field and reason in report.issues[0].reason
