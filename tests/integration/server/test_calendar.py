"""The pure calendar of traffic reads and the pure batch checks, as tables of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from footfall.server.auth.principal import DevicePrincipal
from footfall.server.errors import InvalidInput
from footfall.server.ingest import check_batch
from footfall.server.traffic import bucket_end, coverage_share, day_start, local_period

from footfall.contracts import IngestBatch


@pytest.mark.parametrize(
    ("day", "tz", "hours"),
    [
        (date(2026, 3, 29), "Europe/Berlin", 23),
        (date(2026, 10, 25), "Europe/Berlin", 25),
        (date(2026, 3, 8), "America/New_York", 23),
        (date(2026, 11, 1), "America/New_York", 25),
        (date(2026, 6, 1), "Asia/Kolkata", 24),
    ],
)
def test_a_local_day_has_its_real_length(day: date, tz: str, hours: int) -> None:
    first, after = local_period(day, day, tz)
    assert (after - first).total_seconds() == hours * 3600
    assert bucket_end(first, "day", ZoneInfo(tz)) == after


def test_a_week_bucket_spans_the_dst_change() -> None:
    monday = datetime(2026, 3, 23, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    assert (bucket_end(monday, "week", ZoneInfo("Europe/Berlin")) - monday).total_seconds() == (
        7 * 24 - 1
    ) * 3600


@pytest.mark.parametrize(
    ("now", "starts_at", "expected_local"),
    [
        (datetime(2026, 6, 1, 12, 0, tzinfo=UTC), time(0), "2026-06-01T00:00:00+02:00"),
        (datetime(2026, 6, 1, 1, 0, tzinfo=UTC), time(5), "2026-05-31T05:00:00+02:00"),
        (datetime(2026, 6, 1, 3, 30, tzinfo=UTC), time(5), "2026-06-01T05:00:00+02:00"),
    ],
)
def test_day_start_is_today_or_yesterday(now: datetime, starts_at: time, expected_local: str) -> None:
    assert (
        day_start(now, "Europe/Berlin", starts_at).astimezone(ZoneInfo("Europe/Berlin")).isoformat()
        == expected_local
    )


@pytest.mark.parametrize(
    ("covered", "cameras", "seconds", "share"),
    [(900, 1, 900, 1.0), (450, 2, 900, 0.25), (2000, 1, 900, 1.0), (10, 0, 900, 0.0)],
)
def test_coverage_share(covered: float, cameras: int, seconds: float, share: float) -> None:
    assert coverage_share(covered, cameras, seconds) == share


def test_periods_are_bounded() -> None:
    with pytest.raises(InvalidInput):
        local_period(date(2026, 1, 2), date(2026, 1, 1), "UTC")
    with pytest.raises(InvalidInput):
        local_period(date(2024, 1, 1), date(2026, 1, 1), "UTC")


def test_check_batch_names_every_bad_field() -> None:
    device = DevicePrincipal("d1", "o1", "s1", frozenset({"cam"}), "UTC", 1)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    row = {"camera_id": "cam", "line_id": "door", "direction": "in", "track_id": 1, "frame_index": 1}
    batch = IngestBatch.model_validate(
        {
            "sent_at": now.isoformat(),
            "crossings": [
                {**row, "seq": 1, "ts": now.isoformat()},
                {**row, "seq": 2, "ts": now.isoformat(), "camera_id": "other"},
                {**row, "seq": 3, "ts": now.isoformat(), "line_id": "nope"},
                {**row, "seq": 4, "ts": datetime(2026, 6, 2, tzinfo=UTC).isoformat()},
            ],
            "coverage": [
                {"seq": 5, "camera_id": "cam", "minute": "2026-06-01T11:00:30Z", "processed_s": 60, "fps": 5},
            ],
        }
    )
    problems = check_batch(batch, device, {("cam", "door")}, now=now)
    assert [p["field"] for p in problems] == [
        "crossings.1.camera_id",
        "crossings.2.line_id",
        "crossings.3.ts",
        "coverage.0.minute",
    ]
