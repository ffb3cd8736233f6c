"""Store-local buckets, opening hours and like-for-like shifts, including DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from footfall.server.kpis import periods as p
from hypothesis import given, settings
from hypothesis import strategies as st

LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
HOURS = {"mon": [["09:00", "18:00"]], "tue": [["09:00", "12:00"], ["13:00", "18:00"]], "sat": ["10:00", "02:00"],
         "sun": None, "wed": [], "thu": [["00:00", "24:00"]], "fri": [["09:00", "18:00"]]}  # fmt: skip


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 28), 24), (date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 7, 1), 24)],
)
def test_a_local_day_has_23_24_or_25_hours(day: date, hours: int) -> None:
    assert len(p.buckets(day, day, "hour", LONDON)) == hours
    (bucket,) = p.buckets(day, day, "day", LONDON)
    assert bucket.hours == hours


def test_local_midnight_in_a_half_hour_zone() -> None:
    assert p.local_midnight(date(2026, 1, 1), KOLKATA) == datetime(2025, 12, 31, 18, 30, tzinfo=UTC)


def test_weeks_start_on_monday_and_are_clipped() -> None:
    weeks = p.buckets(date(2026, 3, 26), date(2026, 4, 8), "week", LONDON)  # Thu .. Wed
    assert [b.local_start.date() for b in weeks] == [date(2026, 3, 26), date(2026, 3, 30), date(2026, 4, 6)]
    assert weeks[0].hours == 4 * 24 - 1  # Thu..Sun with the spring-forward Sunday


def test_months_and_whole_period() -> None:
    months = p.buckets(date(2026, 1, 15), date(2026, 3, 2), "month", LONDON)
    assert [b.local_start.date() for b in months] == [date(2026, 1, 15), date(2026, 2, 1), date(2026, 3, 1)]
    (whole,) = p.buckets(date(2026, 1, 15), date(2026, 3, 2), "period", LONDON)
    assert whole.start == months[0].start and whole.end == months[-1].end


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (date(2026, 1, 2), date(2026, 1, 1), "before start"),
        (date(2025, 1, 1), date(2026, 3, 1), "more than"),
        (date(1, 1, 1), date(1, 1, 2), "between 1970 and 2200"),
        (date(9999, 12, 30), date(9999, 12, 31), "between 1970 and 2200"),
    ],
)
def test_bad_periods(start: date, end: date, reason: str) -> None:
    with pytest.raises(p.PeriodError, match=reason):
        p.buckets(start, end, "day", LONDON)


@pytest.mark.parametrize(
    ("day", "minutes"),
    [
        (date(2026, 3, 23), 9 * 60),  # Monday
        (date(2026, 3, 24), 8 * 60),  # Tuesday with a lunch break
        (date(2026, 3, 25), 0),  # Wednesday closed ([])
        (date(2026, 3, 26), 24 * 60),  # Thursday around the clock
        (date(2026, 3, 28), 14 * 60),  # Saturday 10:00-24:00 (+ the 2 h after midnight fall on Sunday)
        (
            date(2026, 3, 29),
            60,
        ),  # Sunday closed, but Saturday's late span runs to 02:00 = 01:00 + skipped hour
    ],
)
def test_open_minutes_per_local_day(day: date, minutes: int) -> None:
    (bucket,) = p.buckets(day, day, "day", LONDON)
    assert p.open_minutes(HOURS, bucket.start, bucket.end, LONDON) == minutes


def test_unknown_opening_hours_mean_always_open() -> None:
    (bucket,) = p.buckets(date(2026, 10, 25), date(2026, 10, 25), "day", LONDON)
    assert p.open_minutes({}, bucket.start, bucket.end, LONDON) == 25 * 60
    assert p.open_days(None, date(2026, 1, 1), date(2026, 1, 7), LONDON) == [
        date(2026, 1, d) for d in range(1, 8)
    ]


def test_is_open() -> None:
    assert p.is_open(HOURS, datetime(2026, 3, 23, 9, 30, tzinfo=UTC), LONDON)
    assert not p.is_open(HOURS, datetime(2026, 3, 24, 12, 30, tzinfo=UTC), LONDON)  # lunch
    assert p.is_open(HOURS, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), LONDON)  # Saturday night


def test_bad_opening_hours_are_explained() -> None:
    with pytest.raises(p.PeriodError, match="HH:MM"):
        p.open_spans({"mon": [["9am", "5pm"]]}, date(2026, 3, 23), LONDON)


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("last_week", (date(2026, 3, 21), date(2026, 3, 22))),
        ("last_year", (date(2025, 3, 29), date(2025, 3, 30))),
    ],
)
def test_like_for_like_keeps_the_weekday(how: p.LikeForLike, expected: tuple[date, date]) -> None:
    shifted = p.shift(date(2026, 3, 28), date(2026, 3, 29), how)
    assert shifted == expected and shifted[0].weekday() == date(2026, 3, 28).weekday()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40 * 24 * 4), st.integers(0, 20 * 24 * 4))
def test_open_schedule_agrees_with_a_walk_over_the_days(first_quarter: int, length: int) -> None:
    start = p.local_midnight(date(2026, 3, 1), LONDON) + timedelta(minutes=15 * first_quarter)
    end = start + timedelta(minutes=15 * length)
    schedule = p.OpenSchedule(HOURS, date(2026, 3, 1), date(2026, 5, 1), LONDON)
    assert schedule.minutes(start, end) == p.open_minutes(HOURS, start, end, LONDON)
