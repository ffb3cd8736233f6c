"""Periods in a store's own time zone: buckets, opening hours and like-for-like shifts (pure).

A "day" is the store's local calendar day, so a DST day has 23 or 25 hours and a KPI
for it covers exactly that. Every bucket is carried as its UTC ``[start, end)`` instants
plus its local label; SQL only ever sees UTC instants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Granularity = Literal["hour", "day", "week", "month", "period"]
LikeForLike = Literal["last_week", "last_year"]
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The longest period one request may span (a year and a bit, so "last 53 weeks" fits).
MAX_PERIOD_DAYS = 400


class PeriodError(ValueError):
    """The period or opening hours cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Bucket:
    local_start: datetime  # aware, in the store's zone
    start: datetime  # UTC
    end: datetime  # UTC, exclusive

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """UTC instant at which ``day`` begins in ``zone`` (midnight, or the first instant after a skipped one).

    A skipped midnight (America/Santiago jumps from 00:00 to 01:00) read with ``fold=0`` takes the
    offset before the jump, which is exactly the jump's instant: 01:00 of ``day``. (``fold=1``
    would give 23:00 of the day before.) A repeated midnight takes its first occurrence. This is
    also the business-day start the live occupancy view uses (``footfall.server.traffic``).
    """
    return datetime.combine(day, time()).replace(tzinfo=zone).astimezone(UTC)


def check_period(start: date, end: date) -> None:
    if start.year < 1970 or end.year > 2200:
        raise PeriodError("dates must lie between 1970 and 2200")
    if end < start:
        raise PeriodError("end is before start (end is inclusive)")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodError(f"the period spans more than {MAX_PERIOD_DAYS} days; ask for less")


def buckets(start: date, end: date, granularity: Granularity, zone: ZoneInfo) -> list[Bucket]:
    """Consecutive local buckets covering the local dates ``start``..``end`` inclusive.

    hour: every local hour (23 on a spring-forward day, 25 on a fall-back day);
    day: local calendar days; week: ISO weeks starting Monday (clipped to the period);
    month: calendar months (clipped); period: one bucket for the whole range.
    """
    check_period(start, end)
    stop = local_midnight(end + timedelta(days=1), zone)
    if granularity == "hour":
        result = []
        cursor = local_midnight(start, zone)
        while cursor < stop:
            nxt = cursor + timedelta(hours=1)
            result.append(Bucket(cursor.astimezone(zone), cursor, nxt))
            cursor = nxt
        return result
    starts: list[date] = []
    day = start
    while day <= end:
        if (
            not starts
            or granularity == "day"
            or (granularity == "week" and day.weekday() == 0)
            or (granularity == "month" and day.day == 1)
        ):
            starts.append(day)
        day += timedelta(days=1)
    bounds = [local_midnight(d, zone) for d in starts] + [stop]
    return [Bucket(bounds[k].astimezone(zone), bounds[k], bounds[k + 1]) for k in range(len(starts))]


def shift(start: date, end: date, how: LikeForLike) -> tuple[date, date]:
    """The like-for-like comparison period: the same weekdays one week earlier, or 52 weeks
    (364 days) earlier for "last year", so a Saturday is compared with a Saturday."""
    days = 7 if how == "last_week" else 364
    return start - timedelta(days=days), end - timedelta(days=days)


# --- opening hours -----------------------------------------------------------------------------

OpeningHours = Mapping[str, object]


def _minutes(text: object, key: str) -> int:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise PeriodError(f"opening hours {key}: {text!r} is not HH:MM")
    hours, minutes = int(text[:2]), int(text[3:])
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise PeriodError(f"opening hours {key}: {text!r} is not a time of day")
    return hours * 60 + minutes


def open_spans(
    opening_hours: OpeningHours | None, day: date, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """UTC ``[open, close)`` spans of the store on local ``day``.

    ``opening_hours`` maps ``mon``..``sun`` to a list of ``["HH:MM", "HH:MM"]`` spans (the
    stores table), or to one such span, or to ``null`` / ``[]`` for closed. A close at or
    before the open time means past midnight (``["18:00", "02:00"]``). Unknown opening hours
    (``None`` or ``{}``) mean open around the clock, so nothing is silently left out of
    completeness.
    """
    if not opening_hours:
        return [(local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone))]
    key = WEEKDAY_KEYS[day.weekday()]
    spans = opening_hours.get(key)
    if not spans:
        return []
    if not isinstance(spans, (list, tuple)):
        raise PeriodError(f"opening hours {key}: expected a list of [open, close] spans or null")
    if len(spans) == 2 and all(isinstance(x, str) for x in spans):
        spans = [spans]
    result = []
    for span in spans:
        if not isinstance(span, (list, tuple)) or len(span) != 2:
            raise PeriodError(f"opening hours {key}: expected [open, close], got {span!r}")
        opens, closes = _minutes(span[0], key), _minutes(span[1], key)
        if closes <= opens:
            closes += 24 * 60
        result.append((_local_instant(day, opens, zone), _local_instant(day, closes, zone)))
    return result


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    extra_days, minutes = divmod(minutes, 24 * 60)
    naive = datetime.combine(day + timedelta(days=extra_days), time(minutes // 60, minutes % 60))
    aware = naive.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != naive:  # inside a skipped hour: take the later reading
        utc = aware.replace(fold=1).astimezone(UTC)
    return utc


def open_minutes(opening_hours: OpeningHours | None, start: datetime, end: datetime, zone: ZoneInfo) -> int:
    """Minutes the store is open within UTC ``[start, end)`` (real elapsed minutes, so DST counts)."""
    total = 0.0
    first = start.astimezone(zone).date() - timedelta(days=1)  # yesterday's span may run past midnight
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    day = first
    while day <= last:
        for opens, closes in open_spans(opening_hours, day, zone):
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return round(total)


def open_days(opening_hours: OpeningHours | None, start: date, end: date, zone: ZoneInfo) -> list[date]:
    """Local dates in ``start``..``end`` on which the store opens at all."""
    days = []
    day = start
    while day <= end:
        if open_spans(opening_hours, day, zone):
            days.append(day)
        day += timedelta(days=1)
    return days


def is_open(opening_hours: OpeningHours | None, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the store is open at UTC ``moment``."""
    local_day = moment.astimezone(zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        for opens, closes in open_spans(opening_hours, day, zone):
            if opens <= moment < closes:
                return True
    return False


class OpenSchedule:
    """A store's open spans over a period, answering "open minutes within [a, b)" by bisection.

    Built once per request (one span list per local day), so classifying thousands of
    15-minute bins costs a binary search each instead of a walk over opening hours.
    """

    def __init__(self, opening_hours: OpeningHours | None, start: date, end: date, zone: ZoneInfo) -> None:
        spans: list[tuple[datetime, datetime]] = []
        day = start - timedelta(days=1)
        while day <= end:
            spans.extend(open_spans(opening_hours, day, zone))
            day += timedelta(days=1)
        spans.sort()
        merged: list[tuple[datetime, datetime]] = []
        for lo, hi in spans:
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        self.spans = merged
        #: The spans as POSIX seconds (read by the KPI service's quarter-hour loops).
        self.starts_s = [int(a.timestamp()) for a, _ in merged]
        self.ends_s = [int(b.timestamp()) for _, b in merged]
        self._cumulative = [0]
        for lo, hi in zip(self.starts_s, self.ends_s, strict=True):
            self._cumulative.append(self._cumulative[-1] + hi - lo)

    def minutes(self, start: datetime, end: datetime) -> float:
        return self.seconds(int(start.timestamp()), int(end.timestamp())) / 60

    def seconds(self, start: int, end: int) -> int:
        """Open seconds within ``[start, end)`` given as POSIX seconds: two binary searches and a
        difference of running totals, so a year costs the same as a quarter hour."""
        import bisect

        if end <= start:
            return 0
        first = bisect.bisect_right(self.ends_s, start)  # first span ending after start
        last = bisect.bisect_left(self.starts_s, end) - 1  # last span beginning before end
        if last < first:
            return 0
        total = self._cumulative[last + 1] - self._cumulative[first]
        total -= max(0, start - self.starts_s[first])
        total -= max(0, self.ends_s[last] - end)
        return total
