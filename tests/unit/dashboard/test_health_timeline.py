"""Per-camera segments from the server's device-wide stretches, with silences as gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from footfall.dashboard.health_timeline import (
    SILENT,
    WHOLE_DEVICE,
    camera_segments,
    duration_text,
    trouble_by_camera,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def stretch(start_min: int, end_min: int, **states: str) -> dict:
    return {
        "first_report_at": (T0 + timedelta(minutes=start_min)).isoformat(),
        "last_report_at": (T0 + timedelta(minutes=end_min)).isoformat(),
        "cameras": [
            {"camera_id": c, "state": s, "reason": None if s == "ok" else f"{c} {s}"}
            for c, s in states.items()
        ],
    }


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_one_cameras_trouble_does_not_cut_the_others_ok() -> None:
    history = {
        "silence_s": 300,
        "stretches": [  # newest first, as the API sends them
            stretch(41, 60, door="ok", side="ok"),
            stretch(2, 40, door="reconnecting", side="ok"),
            stretch(0, 1, door="ok", side="ok"),
        ],
    }
    segments = camera_segments(history)
    door = [(s.state, s.start, s.end, s.reason) for s in segments if s.camera_id == "door"]
    side = [(s.state, s.start, s.end) for s in segments if s.camera_id == "side"]
    assert door == [
        ("ok", at(0), at(2), None),
        ("reconnecting", at(2), at(41), "door reconnecting"),
        ("ok", at(41), at(60), None),
    ]
    assert side == [("ok", at(0), at(60))]
    assert trouble_by_camera(segments) == {"door": timedelta(minutes=39)}


def test_a_silence_longer_than_the_threshold_is_a_gap_for_the_whole_device() -> None:
    history = {"silence_s": 300, "stretches": [stretch(30, 35, door="ok"), stretch(0, 10, door="ok")]}
    segments = camera_segments(history)
    assert [(s.camera_id, s.state, s.start, s.end) for s in segments] == [
        ("door", "ok", at(0), at(10)),
        (WHOLE_DEVICE, SILENT, at(10), at(30)),
        ("door", "ok", at(30), at(35)),
    ]
    # Four minutes without a beat is within the threshold: no gap, one segment.
    short = camera_segments(
        {"silence_s": 300, "stretches": [stretch(14, 20, door="ok"), stretch(0, 10, door="ok")]}
    )
    assert [(s.state, s.start, s.end) for s in short] == [("ok", at(0), at(20))]


def test_no_history_is_no_segments() -> None:
    assert camera_segments({"stretches": []}) == []


def test_durations_read_like_an_installer_would_say_them() -> None:
    assert [
        duration_text(timedelta(seconds=s)) for s in (0, 45, 60 * 12, 3 * 3600 + 300, 2 * 86400 + 4 * 3600)
    ] == [
        "0 s",
        "45 s",
        "12 min",
        "3 h 05 min",
        "2 d 4 h",
    ]
