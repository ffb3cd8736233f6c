"""Reporting periods as inclusive local dates (the server's ``start``/``end`` are local and inclusive)."""

from __future__ import annotations

from datetime import date, timedelta

#: Period presets for the analytics pages, in the retailer's words.
PERIODS = {
    "last_7": "Last 7 days",
    "last_28": "Last 28 days",
    "this_month": "This month",
    "last_month": "Last month",
    "last_90": "Last 90 days",
}


def period_dates(preset: str, today: date) -> tuple[date, date]:
    """Inclusive local dates of a preset; "last N days" ends yesterday (complete days only)."""
    yesterday = today - timedelta(days=1)
    if preset == "last_7":
        return yesterday - timedelta(days=6), yesterday
    if preset == "last_28":
        return yesterday - timedelta(days=27), yesterday
    if preset == "last_90":
        return yesterday - timedelta(days=89), yesterday
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    raise ValueError(f"unknown period {preset!r}")


def same_period_last_year(start: date, end: date) -> tuple[date, date]:
    """The like-for-like base: 364 days earlier, so weekdays line up (a Saturday against a Saturday)."""
    return start - timedelta(days=364), end - timedelta(days=364)
