"""The agent runs the same who-counts filters and group ids as ``footfall edge count``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from footfall.edge.agent_command import GroupedPipeline, check_calibrations
from footfall.edge.calibration import solve
from footfall.edge.config import AgentCamera, merge_cameras
from footfall.edge.errors import CalibrationError
from footfall.edge.tracks import Frame

from footfall.contracts import CameraConfig, CrossingEvent, DeviceConfig

from .synthetic_camera import SyntheticCamera

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _calibration() -> dict:
    return solve(SyntheticCamera().calibration()).model_dump(mode="json")


def _device(calibration: dict | None) -> DeviceConfig:
    camera = CameraConfig(camera_id="cam-1", name="Door", calibration=calibration)
    return DeviceConfig(device_id="d", store_id="s", store_timezone="UTC", cameras=[camera])


def test_the_server_calibration_wins_and_a_local_one_is_kept_when_the_server_has_none() -> None:
    local = AgentCamera(camera_id="cam-1", source="0", calibration={"local": True})
    assert merge_cameras([local], _device(_calibration()))[0].calibration == _calibration()
    assert merge_cameras([local], _device(None))[0].calibration == {"local": True}
    assert merge_cameras([], _device(_calibration()))[0].calibration == _calibration()


def test_an_implausible_calibration_stops_the_agent_at_start_with_one_line() -> None:
    broken = {**_calibration(), "mounting_hieght_m": 3.0}
    with pytest.raises(CalibrationError) as error:
        check_calibrations([AgentCamera(camera_id="cam-1", source="0", calibration=broken)])
    assert "camera cam-1 calibration" in str(error.value) and "\n" not in str(error.value)
    check_calibrations([AgentCamera(camera_id="cam-2", source="0", calibration=_calibration())])


class _Locating:
    """A classifier that knows where each crossing person stood (metres on the floor)."""

    def __init__(self, positions: dict[int, tuple[float, float]]) -> None:
        self.positions = positions

    def crossing_position(self, track_id: int) -> tuple[tuple[float, float], str] | None:
        return (self.positions[track_id], "m") if track_id in self.positions else None


class _Scripted:
    """A pipeline that emits given crossings at given frames."""

    def __init__(self, classifier: _Locating, script: dict[int, list[CrossingEvent]]) -> None:
        self.classifier = classifier
        self.script = script

    def process(self, frame: Frame) -> list[CrossingEvent]:
        return self.script.get(frame.index, [])

    def close(self) -> list[CrossingEvent]:
        return []


def _crossing(track: int, frame: int, seconds: float) -> CrossingEvent:
    return CrossingEvent(
        camera_id="cam-1",
        line_id="door",
        direction="in",
        ts=T0 + timedelta(seconds=seconds),
        track_id=track,
        frame_index=frame,
    )


def _frame(index: int, seconds: float) -> Frame:
    return Frame(
        index=index, t=seconds, wall=T0 + timedelta(seconds=seconds), image=np.zeros((4, 4, 3), np.uint8)
    )


def test_people_crossing_together_leave_with_one_group_id_and_a_stranger_without() -> None:
    classifier = _Locating({1: (0.0, 2.0), 2: (0.6, 2.1), 3: (3.5, 2.0)})
    script = {1: [_crossing(1, 1, 0.1)], 2: [_crossing(2, 2, 0.5), _crossing(3, 2, 0.5)]}
    pipeline = GroupedPipeline(_Scripted(classifier, script), frame_width=640)
    out = []
    for index in range(1, 40):
        out.extend(pipeline.process(_frame(index, index * 0.1)))
    out.extend(pipeline.close())
    by_track = {event.track_id: event.group_id for event in out}
    assert sorted(by_track) == [1, 2, 3], "every crossing leaves, exactly once"
    assert by_track[1] is not None and by_track[1] == by_track[2]
    assert by_track[3] != by_track[1]


def test_a_grouped_pipeline_shows_its_counter_for_the_line_tallies() -> None:
    inner = _Scripted(_Locating({}), {})
    inner.counter = object()  # type: ignore[attr-defined]
    assert GroupedPipeline(inner, frame_width=640).counter is inner.counter
