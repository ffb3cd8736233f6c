"""Per-minute counts per line and direction, from crossing events (pure logic).

Minute bins are what a store manager reads ("12 in between 10:41 and 10:42") and what
a quick local report needs; the server still receives every event, so nothing here is
the source of truth. Minutes are UTC, closed once a later minute is seen, so memory holds
only the minutes still open. A crossing is stamped with the moment the person stepped
over, which is a little earlier than the moment it is committed, so a minute stays open
``late_s`` seconds past its end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from footfall.contracts import CrossingEvent, Direction


@dataclass(frozen=True, slots=True)
class MinuteBin:
    minute: datetime  # start of the UTC minute
    line_id: str
    direction: Direction
    count: int


def minute_of(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(second=0, microsecond=0)


class MinuteBins:
    """Accumulates crossings into (minute, line, direction) counts."""

    def __init__(self, *, late_s: float = 5.0) -> None:
        self._open: dict[tuple[datetime, str, Direction], int] = {}
        self._late = timedelta(seconds=late_s)

    def add(self, events: Iterable[CrossingEvent]) -> list[MinuteBin]:
        """Count ``events``; returns bins of minutes that are now complete."""
        latest = self.count(events)
        return [] if latest is None else self.advance(latest)

    def count(self, events: Iterable[CrossingEvent]) -> datetime | None:
        """Count ``events`` without closing any minute; returns the latest timestamp seen."""
        latest: datetime | None = None
        for event in events:
            key = (minute_of(event.ts), event.line_id, event.direction)
            self._open[key] = self._open.get(key, 0) + 1
            latest = event.ts if latest is None else max(latest, event.ts)
        return latest

    def advance(self, now: datetime) -> list[MinuteBin]:
        """Time moved on: close the minutes that ended more than ``late_s`` before ``now``."""
        return self._close(before=minute_of(now.astimezone(UTC) - self._late))

    def flush(self) -> list[MinuteBin]:
        """Close every open minute (end of stream)."""
        return self._close(before=None)

    def _close(self, before: datetime | None) -> list[MinuteBin]:
        done = sorted(k for k in self._open if before is None or k[0] < before)
        return [
            MinuteBin(minute, line, direction, self._open.pop((minute, line, direction)))
            for minute, line, direction in done
        ]


def bin_events(events: Iterable[CrossingEvent]) -> list[MinuteBin]:
    """All bins of a finished list of events, sorted by minute, line, direction."""
    bins = MinuteBins()
    bins.count(events)
    return bins.flush()
