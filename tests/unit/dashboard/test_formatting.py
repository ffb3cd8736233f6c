"""Numbers read the way each store's people write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from footfall.dashboard import formatting


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (12345, "en_GB", "12,345"),
        (12345, "de_DE", "12.345"),
        (12345, "fr_FR", "12\u202f345"),
        (12345.6, "en_GB", "12,346"),
        (0, "en_GB", "0"),
        (None, "en_GB", "–"),
        (1234, "xx_YY", "1,234"),  # unknown locale falls back, never crashes a page
        (1234, "de-DE", "1.234"),  # BCP 47 tags are accepted too
    ],
)
def test_count(value: float | None, locale: str, expected: str) -> None:
    assert formatting.count(value, locale) == expected


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (1234.5, "EUR", "de_DE", "1.234,50\xa0€"),
        (1234.5, "GBP", "en_GB", "£1,234.50"),
        (1234.5, "eur", "en_IE", "€1,234.50"),
        (None, "EUR", "de_DE", "–"),
    ],
)
def test_money(value: float | None, currency: str, locale: str, expected: str) -> None:
    assert formatting.money(value, currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (0.2345, "en_GB", "23.4%"),
        (0.2345, "de_DE", "23,4\xa0%"),
        (1.0, "en_GB", "100.0%"),
        (None, "en_GB", "–"),
    ],
)
def test_percent(value: float | None, locale: str, expected: str) -> None:
    assert formatting.percent(value, locale) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(0.042, "+4.2%"), (-0.03, "−3.0%"), (0.0, "0.0%"), (None, "–")]
)
def test_change_is_signed(value: float | None, expected: str) -> None:
    assert formatting.change(value, "en_GB") == expected


@pytest.mark.parametrize(
    ("kpi", "value", "expected"),
    [
        ("visitors", 1500, "1,500"),
        ("conversion", 0.25, "25.0%"),
        ("atv", 31.5, "€31.50"),
        ("unknown_kpi", 2.5, "2.50"),
    ],
)
def test_kpi_value_formats_by_kind(kpi: str, value: float, expected: str) -> None:
    assert formatting.kpi_value(kpi, value, "EUR", "en_IE") == expected


def test_kpi_label_has_a_fallback() -> None:
    assert formatting.kpi_label("conversion") == "Conversion"
    assert formatting.kpi_label("dwell_time") == "Dwell time"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(42, "42 s ago"), (300, "5 min ago"), (3 * 3600, "3 h ago"), (3 * 86400, "3 d ago")],
)
def test_time_ago(seconds: int, expected: str) -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert formatting.time_ago(now - timedelta(seconds=seconds), now) == expected
    assert formatting.time_ago(None, now) == "never"


def test_local_clock_uses_the_store_zone() -> None:
    assert formatting.parse_local_time("2026-07-01T10:00:00Z", ZoneInfo("Europe/Berlin")) == "12:00:00"
    assert formatting.parse_local_time(None, ZoneInfo("UTC")) == "–"
