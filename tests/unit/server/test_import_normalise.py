"""Field normalisers of the imports: times in store zones (DST), money, contacts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from footfall.server.imports import normalise as n

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "zone", "utc"),
    [
        ("2026-03-28T10:15:00", LONDON, datetime(2026, 3, 28, 10, 15, tzinfo=UTC)),  # GMT
        ("2026-03-30 10:15", LONDON, datetime(2026, 3, 30, 9, 15, tzinfo=UTC)),  # BST
        ("2026-03-29T03:00:00", LONDON, datetime(2026, 3, 29, 2, 0, tzinfo=UTC)),  # just after the jump
        ("2026-07-01T12:00:00+02:00", LONDON, datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
        ("2026-07-01T12:00:00Z", NEW_YORK, datetime(2026, 7, 1, 12, 0, tzinfo=UTC)),
        (
            "2026-11-01T01:30:00-04:00",
            NEW_YORK,
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),  # ambiguous + offset
        ("2026-11-01T01:30:00-05:00", NEW_YORK, datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
)
def test_local_timestamps_become_utc(text: str, zone: ZoneInfo, utc: datetime) -> None:
    assert n.local_timestamp(text, zone) == utc


@pytest.mark.parametrize(
    ("text", "zone", "reason"),
    [
        ("2026-03-29T01:30:00", LONDON, "does not exist"),
        ("2026-10-25T01:30:00", LONDON, "happens twice"),
        ("2026-11-01T01:30:00", NEW_YORK, "happens twice"),
        ("2026-03-29", LONDON, "no time of day"),
        ("29/03/2026 10:00", LONDON, "not a date and time"),
        ("2026-02-30T10:00:00", LONDON, "not a date and time"),
        ("", LONDON, "required"),
        (None, LONDON, "required"),
    ],
)
def test_bad_or_dst_gap_timestamps_are_refused(text: str | None, zone: ZoneInfo, reason: str) -> None:
    with pytest.raises(n.FieldError, match=reason):
        n.local_timestamp(text, zone)


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("12.5", "GBP", Decimal("12.50")),
        ("-3.99", "EUR", Decimal("-3.99")),
        ("1200", "JPY", Decimal("1200")),
        ("12.500", "GBP", Decimal("12.50")),
        ("0", "USD", Decimal("0.00")),
    ],
)
def test_money_is_exact_in_minor_units(text: str, code: str, expected: Decimal) -> None:
    assert n.money(text, code) == expected


@pytest.mark.parametrize(
    ("text", "code", "reason"),
    [
        ("12.345", "GBP", "more decimals"),
        ("12.5", "JPY", "more decimals"),
        ("1,234.50", "GBP", "not a number"),
        ("NaN", "GBP", "not a number"),
        ("abc", "GBP", "not a number"),
        ("1e12", "GBP", "implausibly large"),
    ],
)
def test_bad_money_is_refused(text: str, code: str, reason: str) -> None:
    with pytest.raises(n.FieldError, match=reason):
        n.money(text, code)


@pytest.mark.parametrize(("text", "expected"), [("gbp", "GBP"), (" EUR ", "EUR"), ("jpy", "JPY")])
def test_currency_codes_are_upper_case(text: str, expected: str) -> None:
    assert n.currency(text) == expected


@pytest.mark.parametrize("text", ["XXX", "pounds", "", "£"])
def test_unknown_currencies_are_refused(text: str) -> None:
    with pytest.raises(n.FieldError):
        n.currency(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ann.Smith@Example.COM ", "ann.smith@example.com"),
        ("bob+shop@mail.co.uk", "bob+shop@mail.co.uk"),
        ("", None),
        (None, None),
    ],
)
def test_emails_are_trimmed_and_lower_cased(text: str | None, expected: str | None) -> None:
    assert n.email(text) == expected


@pytest.mark.parametrize("text", ["ann@", "@example.com", "ann example.com", "ann@example", "a@b..com"])
def test_bad_emails_are_refused(text: str) -> None:
    with pytest.raises(n.FieldError, match="e-mail"):
        n.email(text)


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("07700 900123", "GB", "+447700900123"),
        ("+44 7700 900123", None, "+447700900123"),
        ("0044 (0)7700-900123".replace("(0)", ""), None, "+447700900123"),
        ("(212) 555-0142", "US", "+12125550142"),
        ("1 212 555 0142", "US", "+12125550142"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("", "GB", None),
    ],
)
def test_phones_become_e164(text: str, country: str | None, expected: str | None) -> None:
    assert n.phone(text, country) == expected


@pytest.mark.parametrize(
    ("text", "country", "reason"),
    [
        ("07700 900123", None, "no country code"),
        ("+44 12", None, "not a valid"),
        ("call me", "GB", "not a valid"),
    ],
)
def test_bad_phones_are_refused(text: str, country: str | None, reason: str) -> None:
    with pytest.raises(n.FieldError, match=reason):
        n.phone(text, country)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-29", date(2026, 3, 29)), ("2026-03-29T10:00:00Z", date(2026, 3, 29))],
)
def test_calendar_dates(text: str, expected: date) -> None:
    assert n.calendar_date(text, "joined_on") == expected


@pytest.mark.parametrize(
    ("locale", "country"), [("en-GB", "GB"), ("fr_FR", "FR"), ("en", None), (None, None)]
)
def test_country_of_locale(locale: str | None, country: str | None) -> None:
    assert n.country_of_locale(locale) == country


@pytest.mark.parametrize("text", ["T-1001", "POS/7:2026#55", "a" * 64])
def test_identifiers_accepted(text: str) -> None:
    assert n.identifier(text, "transaction_id") == text


@pytest.mark.parametrize("text", ["", " ", "-leading", "has space", "a" * 65, "semi;colon"])
def test_identifiers_refused(text: str) -> None:
    with pytest.raises(n.FieldError):
        n.identifier(text, "transaction_id")
