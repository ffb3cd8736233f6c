"""Plain data passed between the edge pipeline's stages, and the seam for "who counts".

The counting engine (``counting/``) decides *that* a track crossed a line; a
:class:`CrossingClassifier` decides *who* it was (adult, child, staff) from everything the
pipeline saw of that track. Keeping the two apart lets the counter be tested on geometry
alone and the filters on observations alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol, get_args

if TYPE_CHECKING:
    import numpy as np

from footfall.contracts import PersonClass

#: The Ultralytics trackers a camera may use (see :mod:`footfall.edge.detector` for the default's why).
TrackerName = Literal["bytetrack", "tracktrack", "botsort"]
TRACKERS: tuple[str, ...] = get_args(TrackerName)
DEFAULT_TRACKER: TrackerName = "tracktrack"

Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels of the source frame


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame. ``t`` is seconds since the source started (monotonic, from fps or clock)."""

    index: int
    t: float
    wall: datetime  # UTC time the frame was captured (or source start + t for files)
    image: np.ndarray  # HxWx3 BGR uint8 (grayscale sources are converted to 3 channels)


@dataclass(frozen=True, slots=True)
class Detection:
    """One detected object in one frame. ``track_id`` is None before tracking."""

    box: Box
    confidence: float
    class_id: int
    class_name: str
    track_id: int | None = None
    keypoints: np.ndarray | None = None  # (17, 3) x, y, visibility for pose models

    @property
    def foot(self) -> tuple[float, float]:
        """Bottom centre of the box: where the person stands."""
        x1, _, x2, y2 = self.box
        return ((x1 + x2) / 2.0, y2)


@dataclass(frozen=True, slots=True)
class TrackObservation:
    """What the pipeline saw of one track in one frame."""

    frame_index: int
    t: float
    box: Box
    confidence: float
    keypoints: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class Classification:
    person_class: PersonClass
    height_m: float | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    #: False when the "track" was not a person of its own (a bag or a carried child detected as a
    #: second person inside someone's box): the pipeline then emits no crossing for it.
    counts: bool = True


class CrossingClassifier(Protocol):
    """Decides who a crossing track was. Called once per committed crossing."""

    def observe(self, frame: Frame, detections: Sequence[Detection]) -> None:
        """See every frame's detections (persons and objects) after tracking."""

    def classify(self, track_id: int, history: Sequence[TrackObservation]) -> Classification:
        """Classify a track that just crossed; ``history`` is its bounded recent observations."""


class EveryoneIsAdult:
    """The classifier used when no calibration is configured: every person counts."""

    def observe(self, frame: Frame, detections: Sequence[Detection]) -> None:
        return None

    def classify(self, track_id: int, history: Sequence[TrackObservation]) -> Classification:
        best = max((o.confidence for o in history), default=None)
        return Classification("adult", None, () if best is None else (f"best confidence {best:.2f}",))
