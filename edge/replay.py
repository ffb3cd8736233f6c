"""Trackers that replay instead of detecting: recorded tracks, and the annotated ones.

Counting many lines on one piece of footage does not need the detector once per line: the
detections and track ids do not depend on the lines (unless the pipeline crops to them).
:class:`RecordingTracker` keeps what a real tracker returned per frame, and
:class:`ReplayTracker` hands it back, so a hundred unseen lines cost one detector pass.

:class:`AnnotatedTracker` feeds the ground-truth boxes themselves to the counter: the
accuracy it reaches is what the counting rules (dead band, hold, segment ends) cost on
perfect detections, the floor under every other figure.
"""

from __future__ import annotations

from footfall.edge.ground_truth import TruePosition
from footfall.edge.motion import Roi
from footfall.edge.tracks import Detection, Frame


class RecordingTracker:
    """Wraps a tracker and records its detections by frame index."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.recorded: dict[int, list[Detection]] = {}

    def track(self, frame: Frame, *, roi: Roi | None = None) -> list[Detection]:
        detections = self.inner.track(frame, roi=roi)  # type: ignore[attr-defined]
        self.recorded[frame.index] = list(detections)
        return detections

    def reset(self) -> None:
        reset = getattr(self.inner, "reset", None)
        if callable(reset):
            reset()


class ReplayTracker:
    """Returns recorded detections for each frame index (none for frames never recorded)."""

    def __init__(self, recorded: dict[int, list[Detection]]) -> None:
        self.recorded = recorded

    def track(self, frame: Frame, *, roi: Roi | None = None) -> list[Detection]:
        if roi is not None:
            raise ValueError("recorded tracks are full-frame; replay without a crop")
        return list(self.recorded.get(frame.index, ()))


class AnnotatedTracker:
    """Ground-truth tracks as detections: perfect boxes, perfect identities."""

    def __init__(self, tracks: dict[int, list[TruePosition]]) -> None:
        self.by_frame: dict[int, list[Detection]] = {}
        for track_id, positions in tracks.items():
            for position in positions:
                self.by_frame.setdefault(position.frame, []).append(
                    Detection(position.box, 1.0, 0, "person", track_id=track_id)
                )

    def track(self, frame: Frame, *, roi: Roi | None = None) -> list[Detection]:
        return list(self.by_frame.get(frame.index, ()))
