"""How many people walk into a demo store at a given moment: a small, seeded, pure model.

Shared by the server's demo seed (90 days of history) and the edge simulator (live counts
now), so the live curve continues the seeded one instead of jumping. Standard library only:
the edge and the server both import it.

The model multiplies a store's base daily visitors by factors that shape real retail
traffic — weekday, hour of day (lunch and after-work peaks on weekdays, a broad afternoon on
Saturdays), public holidays and the days around them, the run-up to Christmas and Black
Friday, and a weather-like factor that stays similar for a few days in one region — then
draws Poisson counts from that intensity. Everything is deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

#: Weekday (Monday = 0) multipliers of a store's base daily visitors.
WEEKDAY_FACTOR = (0.85, 0.85, 0.9, 0.95, 1.15, 1.45, 0.8)

# Relative traffic by local hour; only the open hours count, normalised per day.
_WEEKDAY_HOURS = {
    7: 0.25, 8: 0.45, 9: 0.6, 10: 0.75, 11: 0.95, 12: 1.35, 13: 1.3, 14: 0.9, 15: 0.85,
    16: 1.0, 17: 1.35, 18: 1.4, 19: 1.0, 20: 0.65, 21: 0.4, 22: 0.25, 23: 0.12,
}  # fmt: skip
_WEEKEND_HOURS = {
    7: 0.15, 8: 0.3, 9: 0.5, 10: 0.85, 11: 1.15, 12: 1.3, 13: 1.35, 14: 1.4, 15: 1.35,
    16: 1.2, 17: 1.0, 18: 0.8, 19: 0.6, 20: 0.4, 21: 0.3, 22: 0.2, 23: 0.1,
}  # fmt: skip
_NIGHT = 0.08  # a 24-hour store between midnight and 7
#: Share of visitors the counter classes as children (shown or hidden by analytics).
CHILD_SHARE = 0.06


@dataclass(frozen=True)
class OpeningHours:
    """Local opening hours per weekday (Monday = 0); ``None`` = closed, (0, 24) = always open."""

    by_weekday: tuple[tuple[int, int] | None, ...]
    closed_on_holidays: frozenset[str] = frozenset({"christmas", "thanksgiving", "easter"})

    def hours(self, day: date) -> tuple[int, int] | None:
        return self.by_weekday[day.weekday()]

    def as_api(self) -> dict[str, list[str] | None]:
        """``{"mon": ["08:00", "21:00"], ..., "sun": None}`` as the stores API shows it."""
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return {
            name: None
            if span is None
            else [f"{span[0]:02d}:00", f"{span[1] % 24:02d}:00" if span[1] < 24 else "24:00"]
            for name, span in zip(names, self.by_weekday, strict=True)
        }


@dataclass(frozen=True)
class TrafficProfile:
    """What the model needs to know about one store."""

    country: str  # "GB" or "US": which public holidays apply
    base_daily_visitors: float
    opening: OpeningHours
    weather_seed: int  # shared by the stores of one region, so weather is regional
    noise_seed: int  # per store
    growth_per_year: float = 0.03
    anchor: date = field(default=date(2026, 1, 1))


def holidays(country: str, year: int) -> dict[date, str]:
    """The public holidays that change retail traffic, by date, with a short name."""
    return dict(_holidays(country, year))


@cache
def _holidays(country: str, year: int) -> tuple[tuple[date, str], ...]:
    easter = _easter(year)
    days: dict[date, str] = {date(year, 1, 1): "new_year", date(year, 12, 25): "christmas"}
    if country == "GB":
        days |= {
            easter - timedelta(days=2): "good_friday",
            easter: "easter",
            easter + timedelta(days=1): "easter_monday",
            _nth_weekday(year, 5, 0, 1): "early_may",
            _nth_weekday(year, 5, 0, -1): "spring_bank",
            _nth_weekday(year, 8, 0, -1): "summer_bank",
            date(year, 12, 26): "boxing_day",
        }
    elif country == "US":
        thanksgiving = _nth_weekday(year, 11, 3, 4)
        days |= {
            _nth_weekday(year, 1, 0, 3): "mlk_day",
            _nth_weekday(year, 2, 0, 3): "presidents_day",
            _nth_weekday(year, 5, 0, -1): "memorial_day",
            date(year, 7, 4): "independence_day",
            _nth_weekday(year, 9, 0, 1): "labor_day",
            thanksgiving: "thanksgiving",
            thanksgiving + timedelta(days=1): "black_friday",
        }
    else:
        raise ValueError(f"no holiday calendar for country {country!r}; use 'GB' or 'US'")
    return tuple(sorted(days.items()))


def day_factor(profile: TrafficProfile, day: date) -> float:
    """Multiplier of base daily visitors for one local date (0 when the store is closed)."""
    holiday = holidays(profile.country, day.year).get(day)
    if profile.opening.hours(day) is None or holiday in profile.opening.closed_on_holidays:
        return 0.0
    factor = WEEKDAY_FACTOR[day.weekday()]
    if holiday in ("boxing_day", "black_friday"):
        factor *= 2.1
    elif holiday is not None:
        factor *= 1.2  # a day off: more shoppers
    christmas = date(day.year, 12, 25)
    if timedelta(0) < christmas - day <= timedelta(days=21):
        factor *= 1.0 + 0.6 * (1 - (christmas - day).days / 21)
    if day.month == 1 and day.day <= 14:
        factor *= 0.8  # the January dip
    years = (day - profile.anchor).days / 365.25
    factor *= (1 + profile.growth_per_year) ** years
    return factor * weather_factor(profile.weather_seed, day) * _store_noise(profile.noise_seed, day)


def weather_factor(seed: int, day: date) -> float:
    """Regional weather-like factor: rainy spells (down to ~0.7) and fine days (up to ~1.08).

    A three-day moving average of daily noise, so a wet spell lasts a few days.
    """
    score = sum(_daily_gauss(seed, day - timedelta(days=k)) for k in range(3)) / math.sqrt(3)
    if score < -0.6:
        return max(0.7, 1.0 + 0.15 * (score + 0.6) - 0.05)
    return min(1.08, 1.0 + 0.04 * max(0.0, score))


def hour_share(profile: TrafficProfile, day: date, hour: int) -> float:
    """Share of the day's visitors that arrive in local ``hour`` (0 when closed)."""
    weights = _hour_weights(profile.opening.hours(day), day.weekday() >= 5)
    return weights[hour]


@cache
def _hour_weights(span: tuple[int, int] | None, weekend: bool) -> tuple[float, ...]:
    if span is None:
        return (0.0,) * 24
    table = _WEEKEND_HOURS if weekend else _WEEKDAY_HOURS
    opens, closes = span
    raw = [table.get(h, _NIGHT) if opens <= h < closes else 0.0 for h in range(24)]
    total = sum(raw)
    return tuple(w / total for w in raw)


def visitors_per_hour(profile: TrafficProfile, local: datetime) -> float:
    """Expected arrivals per hour at a local wall-clock time (the live simulator's rate)."""
    day = local.date()
    return profile.base_daily_visitors * day_factor(profile, day) * hour_share(profile, day, local.hour)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw; normal approximation above 40 (fast and close enough for a demo)."""
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def dwell_minutes(rng: random.Random) -> float:
    """Minutes between walking in and out: log-normal, median ~14 min, rarely over an hour."""
    return min(120.0, rng.lognormvariate(math.log(14), 0.6))


@cache
def _daily_gauss(seed: int, day: date) -> float:
    return random.Random(seed * 1_000_003 + day.toordinal()).gauss(0.0, 1.0)


def _store_noise(seed: int, day: date) -> float:
    return max(0.6, 1.0 + 0.08 * random.Random(seed * 7_919 + day.toordinal()).gauss(0.0, 1.0))


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) ``weekday`` of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)
