"""The demo chain's traffic model and history: plausible shapes, deterministic for a seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from footfall.server.seed import crm_customers, demo_chain, history_window, store_history

from footfall.demo_traffic import (
    OpeningHours,
    TrafficProfile,
    _easter,
    day_factor,
    holidays,
    hour_share,
    poisson,
    visitors_per_hour,
)


@pytest.mark.parametrize(
    ("year", "easter"), [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5))]
)
def test_easter(year: int, easter: date) -> None:
    assert _easter(year) == easter


@pytest.mark.parametrize(
    ("country", "day", "name"),
    [
        ("US", date(2026, 11, 26), "thanksgiving"),
        ("US", date(2026, 11, 27), "black_friday"),
        ("US", date(2026, 9, 7), "labor_day"),
        ("US", date(2026, 5, 25), "memorial_day"),
        ("GB", date(2026, 8, 31), "summer_bank"),
        ("GB", date(2026, 5, 4), "early_may"),
        ("GB", date(2026, 12, 26), "boxing_day"),
    ],
)
def test_holiday_calendar(country: str, day: date, name: str) -> None:
    assert holidays(country, day.year)[day] == name


def _profile(country: str = "GB") -> TrafficProfile:
    return TrafficProfile(country, 1000, OpeningHours(((9, 20),) * 6 + ((10, 16),)), 1, 2)


def test_closed_on_christmas_and_busier_on_saturdays() -> None:
    profile = _profile()
    assert day_factor(profile, date(2026, 12, 25)) == 0.0
    saturdays = [day_factor(profile, date(2026, 9, 5) + timedelta(weeks=w)) for w in range(8)]
    tuesdays = [day_factor(profile, date(2026, 9, 1) + timedelta(weeks=w)) for w in range(8)]
    assert sum(saturdays) > 1.3 * sum(tuesdays)
    # Boxing day is the big sale.
    assert day_factor(profile, date(2026, 12, 26)) > max(saturdays)


def test_hour_shares_cover_exactly_the_open_hours() -> None:
    profile = _profile()
    monday, sunday = date(2026, 9, 7), date(2026, 9, 13)
    assert sum(hour_share(profile, monday, h) for h in range(24)) == pytest.approx(1.0)
    assert [h for h in range(24) if hour_share(profile, sunday, h) > 0] == list(range(10, 16))
    assert visitors_per_hour(profile, datetime(2026, 9, 7, 7, 30)) == 0.0
    # the lunch peak beats mid-morning on a weekday
    assert hour_share(profile, monday, 12) > hour_share(profile, monday, 10)


def test_poisson_mean_and_spread() -> None:
    rng = random.Random(3)
    for mean in (0.3, 5.0, 120.0):
        draws = [poisson(rng, mean) for _ in range(4000)]
        average = sum(draws) / len(draws)
        variance = sum((d - average) ** 2 for d in draws) / len(draws)
        assert average == pytest.approx(mean, rel=0.08)
        assert variance == pytest.approx(mean, rel=0.15)
    assert poisson(rng, 0) == 0


@pytest.fixture(scope="module")
def london_two_weeks():
    chain = demo_chain()
    store = chain.store("LON-01")
    start = datetime(2026, 3, 23, tzinfo=UTC)  # covers the spring-forward night of 29 March
    end = start + timedelta(days=14)
    refs = [c.customer_ref for c in crm_customers(chain, seed=5, today=end.date())]
    return store, start, end, refs, store_history(store, start, end, seed=5, customer_refs=refs)


def test_history_is_deterministic(london_two_weeks) -> None:
    store, start, end, refs, history = london_two_weeks
    again = store_history(store, start, end, seed=5, customer_refs=refs)
    assert again.crossings == history.crossings
    assert again.transactions == history.transactions
    other = store_history(store, start, start + timedelta(days=1), seed=6, customer_refs=refs)
    assert other.crossings[:50] != history.crossings[:50]


def test_history_happens_in_opening_hours_and_balances(london_two_weeks) -> None:
    store, start, end, _, history = london_two_weeks
    zone = ZoneInfo(store.timezone)
    visitors = [c for c in history.crossings if c.person_class != "staff"]
    arrivals = [c for c in visitors if c.direction == "in"]
    for crossing in arrivals:
        local = crossing.ts.astimezone(zone)
        opens, closes = store.opening.hours(local.date())
        assert opens <= local.hour < closes, local
        assert start <= crossing.ts < end
    ins, outs = len(arrivals), sum(c.direction == "out" for c in visitors)
    assert abs(ins - outs) < 0.01 * ins + 50
    expected = store.base_daily_visitors * 14
    assert 0.6 * expected < ins < 1.4 * expected
    doors = Counter(c.camera_id for c in arrivals)
    assert set(doors) == {e.camera_id for e in store.entrances}
    assert doors.most_common(1)[0][1] > 0.6 * ins  # the main door takes most visitors


def test_sales_follow_the_store_conversion(london_two_weeks) -> None:
    store, _, _, _, history = london_two_weeks
    adults = sum(c.direction == "in" and c.person_class == "adult" for c in history.crossings)
    conversion = len(history.transactions) / adults
    assert conversion == pytest.approx(store.conversion, abs=0.03)
    assert all(t.amount > 0 and t.items >= 1 for t in history.transactions)
    members = sum(t.customer_ref is not None for t in history.transactions) / len(history.transactions)
    assert 0.3 < members < 0.55
    assert len({t.transaction_id for t in history.transactions}) == len(history.transactions)


def test_coverage_only_while_open(london_two_weeks) -> None:
    store, start, _, _, history = london_two_weeks
    zone = ZoneInfo(store.timezone)
    assert history.coverage
    for (camera_id, bucket), seconds in history.coverage.items():
        local = bucket.astimezone(zone)
        opens, closes = store.opening.hours(local.date())
        assert opens <= local.hour < closes, local
        assert bucket.minute % 15 == 0 and 0 < seconds <= 900
        assert camera_id in {e.camera_id for e in store.entrances}
    # Full hours while open, two doors; closed on Easter Sunday (5 April 2026, in the window).
    days = [(start + timedelta(days=d)).date() for d in range(14)]
    open_days = [d for d in days if day_factor(store.traffic, d) > 0]
    assert date(2026, 4, 5) in days and date(2026, 4, 5) not in open_days
    open_hours = sum(store.opening.hours(d)[1] - store.opening.hours(d)[0] for d in open_days)
    assert sum(history.coverage.values()) == 2 * open_hours * 3600


def test_the_chain_has_every_role_and_two_time_zones() -> None:
    chain = demo_chain()
    assert len(chain.regions) == 3 and len(chain.stores) == 12
    assert len({s.timezone for s in chain.stores}) == 2
    assert {u.role for u in chain.users} == {
        "hq_admin",
        "regional_manager",
        "store_manager",
        "installer",
        "analyst",
    }
    assert len({s.code for s in chain.stores}) == 12


def test_crm_customers() -> None:
    chain = demo_chain()
    customers = crm_customers(chain, seed=1, today=date(2026, 11, 24))
    assert len(customers) == chain.customers
    assert len({c.customer_ref for c in customers}) == len(customers)
    assert all(c.email.endswith("@example.com") for c in customers)
    assert {c.home_store_code for c in customers} == {s.code for s in chain.stores}


def test_history_window_is_whole_days_up_to_now() -> None:
    start, end = history_window(datetime(2026, 11, 24, 19, 31, 42, tzinfo=UTC), days=90)
    assert start == datetime(2026, 8, 26, tzinfo=UTC)
    assert end == datetime(2026, 11, 24, 19, 31, tzinfo=UTC)
