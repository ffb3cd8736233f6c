"""Property tests: whatever bytes arrive, the import answers with a report, never a crash."""

from __future__ import annotations

import contextlib
from zoneinfo import ZoneInfo

from footfall.server.imports import normalise as n
from footfall.server.imports.report import ImportReport
from footfall.server.imports.sales import validate_sales
from footfall.server.imports.stores import StoreDirectory, StoreRef
from hypothesis import given, settings
from hypothesis import strategies as st

STORES = StoreDirectory([StoreRef("s1", "S1", "Europe/London", "GBP", "en_GB")])


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_report(content: bytes) -> None:
    for fmt in ("csv", "json"):
        report = ImportReport("sales")
        sales = validate_sales(content, fmt, STORES, report)  # type: ignore[arg-type]
        assert report.ok or sales == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_field_readers_raise_only_field_errors(text: str) -> None:
    readers = (
        lambda: n.local_timestamp(text, ZoneInfo("Europe/London")),
        lambda: n.money(text, "GBP"),
        lambda: n.email(text),
        lambda: n.phone(text, "GB"),
        lambda: n.calendar_date(text, "joined_on"),
        lambda: n.whole_number(text, "units"),
        lambda: n.identifier(text, "transaction_id"),
    )
    for read in readers:
        with contextlib.suppress(n.FieldError):
            read()


@given(st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips(amount) -> None:
    assert n.money(str(amount), "GBP") == amount
