"""Pure normalisers for one field each; every one raises :class:`FieldError` with a reason
a person can act on ("… in Europe/London does not exist: the clocks go forward").

- Times are read in the store's own time zone unless they carry an offset; local times
  that do not exist (spring forward) or happen twice (fall back) are refused rather than
  guessed, because a guess moves a sale into the wrong hour.
- Amounts are exact decimals with at most the currency's minor units.
- E-mail addresses are trimmed and lower-cased; phone numbers become E.164 (``+447700900123``)
  so the same person typed two ways is recognised as one.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo


class FieldError(ValueError):
    """A single field cannot be read; the message is the reason shown in the import report."""


#: ISO 4217 minor units of the currencies a store may report in (others are refused).
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "GBP": 2, "EUR": 2, "USD": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2,
    "HUF": 2, "CAD": 2, "AUD": 2, "NZD": 2, "JPY": 0, "KRW": 0, "CNY": 2, "INR": 2, "SGD": 2,
    "HKD": 2, "BRL": 2, "MXN": 2, "ZAR": 2, "AED": 2, "TRY": 2, "ISK": 0, "KWD": 3, "BHD": 3,
}  # fmt: skip

#: Country calling codes for turning national numbers (07700 900123) into E.164.
CALLING_CODES: dict[str, str] = {
    "GB": "44", "IE": "353", "US": "1", "CA": "1", "FR": "33", "DE": "49", "NL": "31", "BE": "32",
    "ES": "34", "IT": "39", "PT": "351", "CH": "41", "AT": "43", "SE": "46", "NO": "47", "DK": "45",
    "FI": "358", "PL": "48", "CZ": "420", "AU": "61", "NZ": "64", "JP": "81", "IN": "91", "SG": "65",
}  # fmt: skip
#: Countries whose national numbers keep no trunk "0" after the country code is added.
_NO_TRUNK_PREFIX = {"US", "CA"}

_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
_PHONE_JUNK = re.compile(r"[\s().\-/]")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}$")
_ISO_HINT = "use ISO 8601, e.g. 2026-03-29T14:05:00 (store-local) or 2026-03-29T13:05:00Z"


def required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise FieldError(f"{name} is required")
    return value.strip()


def identifier(value: str | None, name: str) -> str:
    """An id from another system (POS transaction, CRM customer): kept as text, trimmed."""
    text = required(value, name)
    if not _IDENTIFIER.match(text):
        raise FieldError(
            f"{name} {text[:70]!r} is not a valid id (1–64 letters, digits or . _ : / # -, starting alphanumeric)"
        )
    return text


def local_timestamp(value: str | None, zone: ZoneInfo, name: str = "timestamp") -> datetime:
    """A moment, in UTC. Text without an offset is wall-clock time in ``zone``.

    Refuses date-only text (a sale needs its hour), local times skipped by a DST change and,
    without an offset, local times that happen twice when clocks go back.
    """
    text = required(value, name)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise FieldError(f"{name} {text!r} has no time of day; {_ISO_HINT}")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise FieldError(f"{name} {text!r} is not a date and time; {_ISO_HINT}") from None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    first = parsed.replace(tzinfo=zone, fold=0)
    second = parsed.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != parsed:
        raise FieldError(
            f"{name} {text!r} does not exist in {zone.key} (the clocks go forward); check the POS clock"
        )
    if first.utcoffset() != second.utcoffset():
        raise FieldError(
            f"{name} {text!r} happens twice in {zone.key} (the clocks go back); add the UTC offset, "
            f"e.g. {parsed.isoformat()}{_offset(first)} or {parsed.isoformat()}{_offset(second)}"
        )
    return first.astimezone(UTC)


def _offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def calendar_date(value: str | None, name: str) -> date:
    """A calendar date; a full timestamp is accepted and its date part kept."""
    text = required(value, name)
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("z", "Z")).date()
    except ValueError:
        raise FieldError(f"{name} {text!r} is not a date; use ISO 8601, e.g. 2026-03-29") from None


def currency(value: str | None, name: str = "currency") -> str:
    code = required(value, name).upper()
    if code not in CURRENCY_MINOR_UNITS:
        raise FieldError(f"{name} {code!r} is not a supported ISO 4217 currency code")
    return code


def money(value: str | None, code: str, name: str = "amount") -> Decimal:
    """An exact amount in ``code``; a dot is the only decimal separator (``1,234.50`` is refused)."""
    text = required(value, name)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise FieldError(
            f"{name} {text!r} is not a number; write it like 1234.50 (no thousands separators)"
        ) from None
    if not amount.is_finite():
        raise FieldError(f"{name} {text!r} is not a number")
    minor = CURRENCY_MINOR_UNITS[code]
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > minor and amount != amount.quantize(Decimal(1).scaleb(-minor)):
        raise FieldError(f"{name} {text} has more decimals than {code} allows ({minor})")
    if abs(amount) >= Decimal(10) ** 10:
        raise FieldError(f"{name} {text} is implausibly large")
    return amount.quantize(Decimal(1).scaleb(-minor))


def whole_number(value: str | None, name: str) -> int:
    text = required(value, name)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(f"{name} {text!r} is not a whole number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise FieldError(f"{name} {text!r} is not a whole number")
    if abs(number) > 1_000_000:
        raise FieldError(f"{name} {text} is implausibly large")
    return int(number)


def decimal_number(value: str | None, name: str, *, low: Decimal, high: Decimal) -> Decimal:
    text = required(value, name)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError(f"{name} {text!r} is not a number") from None
    if not number.is_finite() or not low <= number <= high:
        raise FieldError(f"{name} {text} must be between {low} and {high}")
    return number


def email(value: str | None) -> str | None:
    """Lower-cased, trimmed; ``None`` when absent. Mailbox case is ignored in practice, so
    ``Ann@Example.com`` and ``ann@example.com`` are the same customer."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    if len(text) > 254 or not _EMAIL.match(text):
        raise FieldError(f"email {value.strip()[:80]!r} is not a valid e-mail address")
    return text


def phone(value: str | None, country: str | None) -> str | None:
    """E.164 (``+<country code><number>``); national numbers need the store's ``country``."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    text = _PHONE_JUNK.sub("", raw)
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
    else:
        code = CALLING_CODES.get((country or "").upper())
        if code is None:
            raise FieldError(f"phone {raw!r} has no country code; write it as +<country code> <number>")
        national = text if country in _NO_TRUNK_PREFIX else text.removeprefix("0")
        if country in _NO_TRUNK_PREFIX and national.startswith("1") and len(national) == 11:
            national = national[1:]
        digits = code + national
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise FieldError(f"phone {raw!r} is not a valid phone number")
    return "+" + digits


def optional_text(value: str | None, name: str, *, max_length: int = 200) -> str | None:
    if value is None or not value.strip():
        return None
    text = " ".join(value.split())
    if len(text) > max_length:
        raise FieldError(f"{name} is longer than {max_length} characters")
    return text


def country_of_locale(locale: str | None) -> str | None:
    """``en-GB`` / ``en_GB`` → ``GB``; the store's locale gives the country for phone numbers."""
    if not locale:
        return None
    parts = re.split(r"[-_]", locale)
    return parts[-1].upper() if len(parts) > 1 and len(parts[-1]) == 2 else None
