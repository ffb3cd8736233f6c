"""Numbers as the store's people read them: counts, money and shares in the store's locale.

Pure functions over plain values (no Dash), so every page formats the same way and the
rules are tested by tables of cases. A missing value is shown as an en dash, never as 0,
because "no data" and "nobody came" mean different things to a store manager.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, format_percent

#: Shown for a value the server did not have (no coverage, no sales imported...).
MISSING = "–"
DEFAULT_LOCALE = "en_GB"


def _locale(locale: str | None) -> str:
    """Accept ``de-DE`` and ``de_DE``; fall back to the default for an unknown tag."""
    tag = (locale or DEFAULT_LOCALE).replace("-", "_")
    try:
        Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return DEFAULT_LOCALE
    return tag


def count(value: float | None, locale: str | None = None) -> str:
    """A head count: whole number with the locale's grouping (``12 345`` in fr_FR)."""
    if value is None:
        return MISSING
    return format_decimal(round(value), format="#,##0", locale=_locale(locale))


def number(value: float | None, locale: str | None = None, *, digits: int = 1) -> str:
    """A measure with ``digits`` decimals (fps, visitors per m²)."""
    if value is None:
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=_locale(locale))


def money(value: float | None, currency: str | None, locale: str | None = None) -> str:
    """An amount in the store's currency, e.g. ``1.234,50 €`` for EUR in de_DE."""
    if value is None:
        return MISSING
    return format_currency(value, (currency or "EUR").upper(), locale=_locale(locale))


def percent(value: float | None, locale: str | None = None, *, digits: int = 1) -> str:
    """A share given as 0..1 (conversion, coverage), e.g. ``23.4%``."""
    if value is None:
        return MISSING
    tag = _locale(locale)
    # Keep the locale's own pattern (``#,##0 %`` in de, ``%#,##0`` in tr), adding decimals after its units digit.
    pattern = Locale.parse(tag).percent_formats[None].pattern.split(";")[0]
    units = pattern.rindex("0") + 1
    pattern = pattern[:units] + ("." + "0" * digits if digits > 0 else "") + pattern[units:]
    return format_percent(value, format=pattern, locale=tag)


def change(value: float | None, locale: str | None = None) -> str:
    """A relative change given as a fraction, always signed: ``+4.2%`` / ``−3.0%``."""
    if value is None:
        return MISSING
    text = percent(abs(value), locale)
    if value > 0:
        return "+" + text
    if value < 0:
        return "−" + text
    return text


def kpi_value(kpi: str, value: float | None, currency: str | None, locale: str | None) -> str:
    """Format a KPI by its kind, so a ranking table can show any KPI the server offers."""
    kind = KPI_KINDS.get(kpi, "number")
    if kind == "count":
        return count(value, locale)
    if kind == "percent":
        return percent(value, locale)
    if kind == "money":
        return money(value, currency, locale)
    return number(value, locale, digits=2)


#: How each KPI the server computes is read; unknown KPIs show as plain numbers.
KPI_KINDS: dict[str, str] = {
    "visitors": "count",
    "visitors_in": "count",
    "visitors_out": "count",
    "transactions": "count",
    "conversion": "percent",
    "coverage": "percent",
    "member_share": "percent",
    "capture_rate": "percent",
    "sales": "money",
    "net_sales": "money",
    "revenue": "money",
    "atv": "money",
    "sales_per_visitor": "money",
    "sales_per_m2": "money",
    "visitors_per_m2": "number",
    "upt": "number",
    "staff_to_shopper": "number",
}

#: Retailer words for the KPI keys, used in selectors, axis titles and table headers.
KPI_LABELS: dict[str, str] = {
    "visitors": "Visitors",
    "visitors_in": "Visitors in",
    "visitors_out": "Visitors out",
    "transactions": "Transactions",
    "conversion": "Conversion",
    "coverage": "Data completeness",
    "member_share": "Member share",
    "capture_rate": "Capture rate",
    "sales": "Sales",
    "net_sales": "Net sales",
    "revenue": "Revenue",
    "atv": "Average transaction value",
    "sales_per_visitor": "Sales per visitor",
    "sales_per_m2": "Sales per m²",
    "visitors_per_m2": "Visitors per m²",
    "upt": "Units per transaction",
    "staff_to_shopper": "Shoppers per staff hour",
}


def kpi_label(kpi: str) -> str:
    return KPI_LABELS.get(kpi, kpi.replace("_", " ").capitalize())


def time_ago(then: datetime | None, now: datetime) -> str:
    """``"42 s ago"`` / ``"5 min ago"`` / ``"3 h ago"`` / ``"2 d ago"``; ``"never"`` if unknown."""
    if then is None:
        return "never"
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} d ago"


def parse_local_time(value: str | None, zone: tzinfo) -> str:
    """A server timestamp shown as the store's wall-clock time, ``HH:MM:SS``."""
    if not value:
        return MISSING
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%H:%M:%S")
