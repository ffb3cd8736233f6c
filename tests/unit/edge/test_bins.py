"""Per-minute bins per line and direction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from footfall.edge.counting.bins import MinuteBin, MinuteBins, bin_events

from footfall.contracts import CrossingEvent

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def event(seconds: float, line: str = "door", direction: str = "in") -> CrossingEvent:
    return CrossingEvent(
        camera_id="cam",
        line_id=line,
        direction=direction,
        ts=T0 + timedelta(seconds=seconds),
        track_id=1,
        frame_index=0,
    )


def test_bins_per_minute_line_and_direction() -> None:
    bins = bin_events([event(5), event(50), event(61), event(10, direction="out"), event(20, line="side")])
    assert bins == [
        MinuteBin(T0, "door", "in", 2),
        MinuteBin(T0, "door", "out", 1),
        MinuteBin(T0, "side", "in", 1),
        MinuteBin(T0 + timedelta(minutes=1), "door", "in", 1),
    ]


def test_minutes_close_when_time_moves_on() -> None:
    bins = MinuteBins()
    assert bins.add([event(5), event(30)]) == []  # the minute is still open
    assert bins.add([event(65)]) == [MinuteBin(T0, "door", "in", 2)]
    assert bins.advance(T0 + timedelta(minutes=3)) == [MinuteBin(T0 + timedelta(minutes=1), "door", "in", 1)]
    assert bins.flush() == []
