"""Who sees which page, and which dates a period means."""

from __future__ import annotations

from datetime import date

import pytest
from footfall.dashboard import navigation, periods


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        ("hq_admin", ["/live", "/comparison", "/customers", "/installer"]),
        ("regional_manager", ["/live", "/comparison", "/customers"]),
        ("store_manager", ["/live", "/customers"]),
        ("installer", ["/installer"]),
        ("analyst", ["/comparison", "/customers"]),
        ("intruder", []),
        (None, []),
    ],
)
def test_visible_pages_per_role(role: str | None, paths: list[str]) -> None:
    assert [page.path for page in navigation.visible_pages(role)] == paths


def test_every_role_lands_on_a_page_it_may_open() -> None:
    for role in navigation.ROLES:
        home = navigation.home_for(role)
        assert any(page.path == home and navigation.may_open(role, page) for page in navigation.PAGES)
    assert navigation.home_for(None) == "/login"


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("last_7", date(2026, 3, 10), (date(2026, 3, 3), date(2026, 3, 9))),
        ("last_28", date(2026, 3, 10), (date(2026, 2, 10), date(2026, 3, 9))),
        ("this_month", date(2026, 3, 10), (date(2026, 3, 1), date(2026, 3, 10))),
        ("last_month", date(2026, 3, 10), (date(2026, 2, 1), date(2026, 2, 28))),
        ("last_month", date(2026, 1, 5), (date(2025, 12, 1), date(2025, 12, 31))),
    ],
)
def test_period_dates(preset: str, today: date, expected: tuple[date, date]) -> None:
    assert periods.period_dates(preset, today) == expected


def test_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown period"):
        periods.period_dates("forever", date(2026, 1, 1))


def test_last_year_keeps_weekdays() -> None:
    start, end = periods.same_period_last_year(date(2026, 3, 2), date(2026, 3, 8))
    assert (start.weekday(), end.weekday()) == (date(2026, 3, 2).weekday(), date(2026, 3, 8).weekday())
    assert (date(2026, 3, 2) - start).days == 364
