"""One camera's counting pipeline: frame -> detections -> tracks -> crossings -> events.

The pipeline wires the stages and owns nothing clever itself: the detector (Ultralytics,
behind :class:`~footfall.edge.detector.YoloDetector`), the counting state machine
(:class:`~footfall.edge.counting.counter.LineCounter`) and the who-counts seam
(:class:`~footfall.edge.tracks.CrossingClassifier`, which sees every processed frame's
detections and classifies each committed crossing).

Two optional speed-ups, both measured in ``benchmarks/bench_throughput.py``:

- ``motion_gate``: skip inference on frames where nothing moves near the lines;
- ``crop``: detect only in the region around the lines (people appear larger at the
  model's fixed input size, and nothing far from the lines can create a track).

And one that changes no count: :meth:`CountingPipeline.ahead` lets the detector run the next
frames' inference while this one is tracked and counted (recorded footage: ``footfall edge
count`` and ``evaluate``; the agent's live cameras stay frame by frame).
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from footfall.edge.counting.counter import CounterSettings, Crossing, LineCounter, Observation
from footfall.edge.counting.lines import CountingLine
from footfall.edge.motion import MotionGate, Roi, region_around
from footfall.edge.tracks import CrossingClassifier, Detection, EveryoneIsAdult, Frame, TrackObservation

from footfall.contracts import CrossingEvent

log = logging.getLogger(__name__)

PERSON = 0
#: Observations kept per person for the classifier (about 10 s at 7 fps).
HISTORY_LENGTH = 64


class Tracker(Protocol):
    """What the pipeline needs from a detector: tracked detections for a frame."""

    def track(self, frame: Frame, *, roi: Roi | None = None) -> list[Detection]: ...


@dataclass(frozen=True, slots=True)
class SpeedOptions:
    motion_gate: bool = False
    keepalive_s: float = 1.0
    crop: bool = False
    crop_margin: float = 0.3  # of the larger frame side, around the lines


@dataclass(slots=True)
class PipelineStats:
    frames: int = 0
    detected: int = 0  # frames the detector ran on
    skipped: int = 0  # frames the motion gate let through without inference
    not_counted: int = 0  # crossings the classifier found were not a person of their own


class CountingPipeline:
    """Counts the people of one camera crossing its lines; ``close()`` at the end of a stream."""

    def __init__(
        self,
        camera_id: str,
        lines: Sequence[CountingLine],
        detector: Tracker,
        classifier: CrossingClassifier | None = None,
        *,
        settings: CounterSettings | None = None,
        speed: SpeedOptions | None = None,
    ) -> None:
        if not lines:
            raise ValueError("a counting pipeline needs at least one line")
        self.camera_id = camera_id
        self.lines = list(lines)
        self.detector = detector
        self.classifier: CrossingClassifier = classifier or EveryoneIsAdult()
        self.counter = LineCounter(self.lines, settings)
        self.speed = speed or SpeedOptions()
        self.stats = PipelineStats()
        self._histories: dict[int, deque[TrackObservation]] = {}
        self._roi: Roi | None = None
        self._gate: MotionGate | None = None
        self._sized = False

    def process(self, frame: Frame) -> list[CrossingEvent]:
        """Count one frame; returns the crossings committed by it."""
        if not self._sized:
            self._size(frame)
        self.stats.frames += 1
        if self._gate is not None and not self._gate.should_detect(frame.image, frame.t):
            self.stats.skipped += 1
            return self._events(self.counter.update(frame.index, frame.t, frame.wall, ()))
        self.stats.detected += 1
        detections = self.detector.track(frame, roi=self._roi)
        self.classifier.observe(frame, detections)
        people = [d for d in detections if d.class_id == PERSON and d.track_id is not None]
        observations = [Observation(d.track_id, d.box, d.confidence) for d in people]  # type: ignore[arg-type]
        crossings = self.counter.update(frame.index, frame.t, frame.wall, observations)
        for detection in people:
            person_id = self.counter.person_id(detection.track_id)  # type: ignore[arg-type]
            if person_id is not None:
                history = self._histories.get(person_id)
                if history is None:
                    history = self._histories[person_id] = deque(maxlen=HISTORY_LENGTH)
                history.append(
                    TrackObservation(
                        frame.index, frame.t, detection.box, detection.confidence, detection.keypoints
                    )
                )
        events = self._events(crossings)
        self._forget_departed()
        return events

    def warm_up(self, frame: Frame, *, ahead: bool = False) -> None:
        """Set the pipeline up for frames like ``frame`` (its size, the crop, the model's first run).

        ``ahead``: the frames will come through :meth:`ahead`; warm up what that uses too.
        """
        if not self._sized:
            self._size(frame)
        warm_up = getattr(self.detector, "warm_up", None)
        if callable(warm_up):
            if ahead and self._gate is None and callable(getattr(self.detector, "ahead", None)):
                warm_up(frame.image, roi=self._roi, ahead=True)
            else:
                warm_up(frame.image, roi=self._roi)

    def ahead(self, frames: Iterable[Frame]) -> Iterator[Frame]:
        """The frames to :meth:`process`, with the detector already at work on the next ones.

        Same counts, more frames per second where the detector can pipeline its inference
        (:meth:`~footfall.edge.detector.YoloDetector.ahead`). With the motion gate on, the
        frames pass through unchanged: which frames get inference is decided one by one.
        """
        iterator = iter(frames)
        first = next(iterator, None)
        if first is None:
            return
        if not self._sized:
            self._size(first)
        frames = itertools.chain([first], iterator)
        prefetch = getattr(self.detector, "ahead", None)
        if self._gate is not None or not callable(prefetch):
            yield from frames
        else:
            yield from prefetch(frames, roi=self._roi)

    def close(self) -> list[CrossingEvent]:
        """End of stream: commit pending crossings, forget all tracks, reset the tracker."""
        events = self._events(self.counter.finish())
        self._histories.clear()
        reset = getattr(self.detector, "reset", None)
        if callable(reset):
            reset()
        return events

    @property
    def region(self) -> Roi | None:
        """The crop the detector runs on (None: the whole frame)."""
        return self._roi

    def _size(self, frame: Frame) -> None:
        height, width = frame.image.shape[:2]
        region = region_around(self.lines, width, height, self.speed.crop_margin)
        if self.speed.crop and region != (0, 0, width, height):
            self._roi = region
        if self.speed.motion_gate:
            self._gate = MotionGate(region, keepalive_s=self.speed.keepalive_s)
        self._sized = True

    def _events(self, crossings: list[Crossing]) -> list[CrossingEvent]:
        events = []
        for crossing in crossings:
            history = list(self._histories.get(crossing.person_id, ()))
            verdict = self.classifier.classify(crossing.person_id, history)
            if not verdict.counts:  # not a person of its own (a bag, a carried child): no crossing
                self.stats.not_counted += 1
                continue
            height = (
                verdict.height_m if verdict.height_m is not None and 0.0 <= verdict.height_m <= 3.0 else None
            )
            events.append(
                CrossingEvent(
                    camera_id=self.camera_id,
                    line_id=crossing.line_id,
                    direction=crossing.direction,
                    ts=crossing.wall,
                    track_id=crossing.person_id,
                    person_class=verdict.person_class,
                    confidence=crossing.confidence,
                    frame_index=crossing.frame_index,
                    height_m=height,
                )
            )
        return events

    def _forget_departed(self) -> None:
        if len(self._histories) > self.counter.active_people:
            for person_id in [p for p in self._histories if not self.counter.has_person(p)]:
                del self._histories[person_id]
