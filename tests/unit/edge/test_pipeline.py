"""The pipeline's wiring, with a scripted detector: classifier seam, classes, end of stream."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from footfall.edge.counting.lines import CountingLine
from footfall.edge.pipeline import CountingPipeline, SpeedOptions
from footfall.edge.tracks import Classification, Detection, Frame, TrackObservation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOOR = CountingLine("door", 100, 200, 300, 200, 200, 260)


class ScriptedDetector:
    """Returns pre-arranged detections per frame index; records resets and crops."""

    def __init__(self, script: dict[int, list[Detection]]) -> None:
        self.script = script
        self.resets = 0
        self.rois: list[object] = []

    def track(self, frame: Frame, *, roi=None) -> list[Detection]:
        self.rois.append(roi)
        return self.script.get(frame.index, [])

    def reset(self) -> None:
        self.resets += 1


class RecordingClassifier:
    def __init__(self) -> None:
        self.observed: list[tuple[int, int]] = []
        self.classified: list[tuple[int, int]] = []

    def observe(self, frame: Frame, detections: Sequence[Detection]) -> None:
        self.observed.append((frame.index, len(detections)))

    def classify(self, track_id: int, history: Sequence[TrackObservation]) -> Classification:
        self.classified.append((track_id, len(history)))
        return Classification("child", 1.1, ("short",))


def person(track_id: int, y: float, x: float = 200, class_id: int = 0, name: str = "person") -> Detection:
    return Detection((x - 20, y - 100, x + 20, y), 0.9, class_id, name, track_id)


def frames(count: int, fps: float = 10.0, image: np.ndarray | None = None) -> list[Frame]:
    image = np.zeros((480, 640, 3), np.uint8) if image is None else image
    return [Frame(i, i / fps, T0 + timedelta(seconds=i / fps), image) for i in range(count)]


def walk_in_script(track_id: int = 7, *, extra: list[Detection] | None = None) -> dict[int, list[Detection]]:
    return {i: [person(track_id, 120 + i * 10), *(extra or [])] for i in range(18)}


def test_events_carry_the_classifiers_verdict_and_history() -> None:
    classifier = RecordingClassifier()
    cart = Detection((150, 150, 190, 230), 0.7, 28, "suitcase", 99)
    pipeline = CountingPipeline("cam-1", [DOOR], ScriptedDetector(walk_in_script(extra=[cart])), classifier)
    events = [e for f in frames(20) for e in pipeline.process(f)] + pipeline.close()
    assert [(e.line_id, e.direction, e.person_class, e.height_m) for e in events] == [
        ("door", "in", "child", 1.1)
    ]
    event = events[0]
    assert event.camera_id == "cam-1" and event.track_id == 7
    assert event.ts == T0 + timedelta(seconds=event.frame_index / 10)
    # every processed frame is observed with ALL detections (person + object) ...
    assert len(classifier.observed) == 20
    assert classifier.observed[0] == (0, 2)
    # ... and classify gets the crossing track's history
    assert classifier.classified and classifier.classified[0][0] == 7 and classifier.classified[0][1] >= 8


def test_objects_never_count() -> None:
    script = {i: [person(5, 120 + i * 10, class_id=56, name="chair")] for i in range(18)}
    pipeline = CountingPipeline("cam", [DOOR], ScriptedDetector(script))
    assert [e for f in frames(20) for e in pipeline.process(f)] + pipeline.close() == []


def test_close_commits_pending_and_resets_the_tracker() -> None:
    script = {i: [person(3, 150 + i * 10)] for i in range(7)}  # last frame: just over the line
    detector = ScriptedDetector(script)
    pipeline = CountingPipeline("cam", [DOOR], detector)
    during = [e for f in frames(7) for e in pipeline.process(f)]
    assert during == []
    closing = pipeline.close()
    assert [(e.direction, e.frame_index) for e in closing] == [("in", 6)]
    assert detector.resets == 1


def test_default_classifier_counts_adults() -> None:
    pipeline = CountingPipeline("cam", [DOOR], ScriptedDetector(walk_in_script()))
    events = [e for f in frames(20) for e in pipeline.process(f)] + pipeline.close()
    assert [e.person_class for e in events] == ["adult"]
    assert events[0].confidence == pytest.approx(0.9)


def test_motion_gate_skips_still_frames_but_keeps_alive() -> None:
    detector = ScriptedDetector({})
    pipeline = CountingPipeline(
        "cam", [DOOR], detector, speed=SpeedOptions(motion_gate=True, keepalive_s=1.0)
    )
    for frame in frames(30):  # a still, empty image for 3 s
        pipeline.process(frame)
    assert pipeline.stats.frames == 30
    assert pipeline.stats.detected == 3  # first frame, then once per second
    assert pipeline.stats.skipped == 27


def test_crop_detects_around_the_lines_only() -> None:
    detector = ScriptedDetector({})
    pipeline = CountingPipeline("cam", [DOOR], detector, speed=SpeedOptions(crop=True, crop_margin=0.1))
    pipeline.process(frames(1)[0])
    assert detector.rois == [(36, 136, 365, 265)]


def test_no_lines_refused() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        CountingPipeline("cam", [], ScriptedDetector({}))


class WarmableDetector(ScriptedDetector):
    def __init__(self, script: dict[int, list[Detection]]) -> None:
        super().__init__(script)
        self.warmed: list[tuple[tuple[int, ...], object]] = []

    def warm_up(self, image: np.ndarray, *, roi=None) -> None:
        self.warmed.append((image.shape, roi))


def test_warm_up_sizes_the_pipeline_and_runs_the_model_with_the_crop_before_the_first_frame() -> None:
    detector = WarmableDetector(walk_in_script())
    pipeline = CountingPipeline("cam", [DOOR], detector, speed=SpeedOptions(crop=True))
    stream = frames(20)
    pipeline.warm_up(stream[0])
    assert detector.warmed == [((480, 640, 3), pipeline.region)] and pipeline.region is not None
    assert pipeline.stats.frames == 0  # warming is not counting
    events = [e for f in stream for e in pipeline.process(f)] + pipeline.close()
    assert [(e.direction, e.frame_index) for e in events] == [("in", 9)]
    assert set(detector.rois) == {pipeline.region}


class PipeliningDetector(WarmableDetector):
    """Says which frames it was asked to run ahead on, and with which crop."""

    def __init__(self, script: dict[int, list[Detection]]) -> None:
        super().__init__(script)
        self.ahead_rois: list[object] = []
        self.warmed_ahead: list[bool] = []

    def warm_up(self, image: np.ndarray, *, roi=None, ahead: bool = False) -> None:
        super().warm_up(image, roi=roi)
        self.warmed_ahead.append(ahead)

    def ahead(self, stream, *, roi=None):
        self.ahead_rois.append(roi)
        yield from stream


def test_frames_ahead_go_through_the_detector_with_the_pipelines_crop() -> None:
    detector = PipeliningDetector(walk_in_script())
    pipeline = CountingPipeline("cam", [DOOR], detector, speed=SpeedOptions(crop=True))
    stream = frames(20)
    pipeline.warm_up(stream[0], ahead=True)
    events = [e for f in pipeline.ahead(stream) for e in pipeline.process(f)] + pipeline.close()
    assert [(e.direction, e.frame_index) for e in events] == [("in", 9)]
    assert detector.ahead_rois == [pipeline.region] and detector.warmed_ahead == [True]


def test_with_the_motion_gate_frames_are_not_run_ahead() -> None:
    """The gate decides frame by frame whether to detect: inference ahead would be wasted on skips."""
    detector = PipeliningDetector({})
    pipeline = CountingPipeline("cam", [DOOR], detector, speed=SpeedOptions(motion_gate=True))
    stream = frames(12)
    pipeline.warm_up(stream[0], ahead=True)
    assert list(pipeline.ahead(stream)) == stream
    assert detector.ahead_rois == [] and detector.warmed_ahead == [False]


def test_frames_ahead_pass_through_a_detector_that_cannot_pipeline() -> None:
    pipeline = CountingPipeline("cam", [DOOR], ScriptedDetector({}))
    stream = frames(5)
    assert list(pipeline.ahead(stream)) == stream
    assert list(pipeline.ahead([])) == []
