"""Where a store's local day begins when midnight is skipped or repeated by a DST change."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from footfall.server import traffic
from footfall.server.kpis import periods as p

SANTIAGO = ZoneInfo("America/Santiago")  # 2026-09-06: 00:00 (-04) jumps to 01:00 (-03)
HAVANA = ZoneInfo("America/Havana")  # 2026-11-01: 01:00 (-04) falls back to 00:00 (-05): midnight twice


def test_a_skipped_midnight_starts_the_day_at_the_jump_not_an_hour_before() -> None:
    start = p.local_midnight(date(2026, 9, 6), SANTIAGO)
    assert start == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert start.astimezone(SANTIAGO).date() == date(2026, 9, 6)  # not 23:00 the day before
    (day,) = p.buckets(date(2026, 9, 6), date(2026, 9, 6), "day", SANTIAGO)
    assert day.hours == 23
    (eve,) = p.buckets(date(2026, 9, 5), date(2026, 9, 5), "day", SANTIAGO)
    assert eve.hours == 24 and eve.end == start


@pytest.mark.parametrize(
    ("day", "zone"),
    [
        (date(2026, 9, 6), SANTIAGO),
        (date(2026, 11, 1), HAVANA),
        (date(2026, 3, 29), ZoneInfo("Europe/London")),
    ],
)
def test_the_kpi_day_and_the_live_views_business_day_start_together(day: date, zone: ZoneInfo) -> None:
    start = p.local_midnight(day, zone)
    assert traffic.day_start(start, zone.key, time(0)) == start
    assert start.astimezone(zone).date() == day
