"""Who counts: adults only — children, carts, strollers, bags and staff are told apart.

The counter decides *that* a track crossed a line; :class:`WhoCountsClassifier` (a
:class:`~footfall.edge.tracks.CrossingClassifier`) decides *who* it was, from everything the
pipeline saw of that track and of the objects around it:

1. **Objects never count.** Only person detections can cross (:func:`is_person`); carts,
   trolleys, strollers, wheelchairs and bags are watched only as context.
2. **Riders.** A person whose box sits inside a cart or stroller for most of the sightings
   is a child riding in it (recorded as ``child``, never counted); inside a wheelchair the
   person is a seated adult, whose height says nothing.
3. **Fragments.** A small "person" box contained in a much larger person box for most of
   its life (a big bag or a carried child detected twice) is part of that person: no crossing.
4. **Staff** (optional): exclusion zone or uniform colour (:mod:`.staff`).
5. **Height.** The standing height from the track's *best* observations (boxes not cut by
   the frame edge, feet where the floor track says they should be, pose keypoints when the
   model gives them), robust to feet hidden for a few frames; below the threshold minus a
   margin is a child, otherwise an adult.

Without a calibration only rules 1–4 apply and every remaining person is an adult.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from footfall.edge.calibration import CameraCalibration, HeightMeter, WhoCountsSettings
from footfall.edge.counting.staff import StaffRecogniser
from footfall.edge.tracks import Box, Classification, Detection, Frame, TrackObservation

#: Class names (lower case, spaces) of objects a person can sit in; a COCO model has none of
#: them, a store's own model may. Matching ignores case, ``_`` and ``-``.
CHILD_CARRIERS = frozenset(
    {"shopping cart", "cart", "trolley", "shopping trolley", "stroller", "pram", "buggy"}
)
SEATED_ADULT_CARRIERS = frozenset({"wheelchair"})

#: Share of a person's box that must lie inside a carrier's box to be "riding" in it; a
#: person pushing a cart stands behind it with the upper body above it (≲ 0.6).
RIDING_CONTAINMENT = 0.75
#: A fragment lies this much inside another person's box that is at least this much larger.
FRAGMENT_CONTAINMENT = 0.85
FRAGMENT_AREA_RATIO = 1.8
#: Share of the sightings a rule must hold for, so one overlapping frame decides nothing.
MAJORITY = 0.5

_CONTEXT_FRAMES = 600  # frames of object/person context kept for look-ups at crossing time
_FORGET_AFTER_FRAMES = 900  # per-track state of a track unseen this long is dropped
_BORDER_PX = 2.0
_FOOT_JUMP_M = 0.5
#: Pose keypoints replace the box only for people at least this tall in the image: on the
#: 50–90 px people of PETS 2009 yolov8n-pose put eyes and ankles 10 % too close together
#: (median 1.59 m against 1.77 m from the same boxes), which would turn short adults into
#: children; on larger people the keypoints ignore hats, hair and loose boxes.
MIN_POSE_BOX_PX = 120.0
_MAX_WIDTH_M = 1.1  # a box wider than this on the floor holds more than one person
_MIN_ASPECT = 1.3  # box height / width below this is a cut or squashed person, not a standing one


def normalised_class(name: str) -> str:
    return name.lower().replace("_", " ").replace("-", " ").strip()


def is_person(detection: Detection) -> bool:
    """Only people cross lines; every other class is context (and never a crossing)."""
    return normalised_class(detection.class_name) == "person"


def containment(inner: Box, outer: Box) -> float:
    """Share of ``inner``'s area that lies inside ``outer`` (0–1)."""
    ix1, iy1 = max(inner[0], outer[0]), max(inner[1], outer[1])
    ix2, iy2 = min(inner[2], outer[2]), min(inner[3], outer[3])
    area = max(0.0, inner[2] - inner[0]) * max(0.0, inner[3] - inner[1])
    if area <= 0:
        return 0.0
    return max(0.0, ix2 - ix1) * max(0.0, iy2 - iy1) / area


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def riding_in(person: Box, carriers: Sequence[tuple[str, Box]]) -> str | None:
    """The carrier class a person sits in within one frame, or None."""
    for name, box in carriers:
        if containment(person, box) >= RIDING_CONTAINMENT:
            return name
    return None


def fragment_of(person: Box, track_id: int, others: Sequence[tuple[int, Box]]) -> int | None:
    """The larger person track this box is a part of within one frame, or None."""
    for other_id, box in others:
        if other_id == track_id:
            continue
        if (
            _area(box) >= FRAGMENT_AREA_RATIO * _area(person)
            and containment(person, box) >= FRAGMENT_CONTAINMENT
        ):
            return other_id
    return None


@dataclass(frozen=True, slots=True)
class HeightEstimate:
    height_m: float
    used: int  # observations that contributed
    seen: int  # observations offered


def estimate_height(
    meter: HeightMeter, history: Sequence[TrackObservation], frame_size: tuple[int, int]
) -> HeightEstimate | None:
    """Standing height from a track's best observations, or None when none is usable.

    Dropped: boxes cut by the frame edge, squat boxes (cut or occluded), boxes wider than a
    person on the floor (two people merged into one detection), and sightings whose
    foot point jumps away from the track's floor path (feet hidden behind someone or a
    cart put the box bottom too high). Of the rest, pose keypoints win over the box for people
    large enough in the image (``MIN_POSE_BOX_PX``). The
    median of the survivors resists the odd loose box.
    """
    width, height = frame_size
    candidates: list[tuple[float, tuple[float, float]]] = []
    for obs in history:
        x1, y1, x2, y2 = obs.box
        if x1 <= _BORDER_PX or y1 <= _BORDER_PX or x2 >= width - _BORDER_PX or y2 >= height - _BORDER_PX:
            continue
        if (y2 - y1) < _MIN_ASPECT * max(x2 - x1, 1e-6):
            continue
        left, right = meter.floor_position((x1, y2)), meter.floor_position((x2, y2))
        if np.hypot(right[0] - left[0], right[1] - left[1]) > _MAX_WIDTH_M:
            continue  # two people side by side in one box: its top is not this person's head
        value = None
        if obs.keypoints is not None and (y2 - y1) >= MIN_POSE_BOX_PX:
            value = meter.height_from_keypoints(obs.keypoints)
        if value is None:
            value = meter.height_from_box(obs.box)
        if not np.isfinite(value) or value <= 0:
            continue
        candidates.append((value, meter.floor_position(((x1 + x2) / 2.0, y2))))
    if not candidates:
        return None
    values = np.array([c[0] for c in candidates])
    if len(candidates) >= 5:
        floor = np.array([c[1] for c in candidates])
        keep = np.ones(len(candidates), dtype=bool)
        for i in range(len(candidates)):
            lo, hi = max(0, i - 3), min(len(candidates), i + 4)
            path = np.median(floor[lo:hi], axis=0)
            keep[i] = float(np.linalg.norm(floor[i] - path)) <= _FOOT_JUMP_M
        if keep.any():
            values = values[keep]
    return HeightEstimate(float(np.median(values)), len(values), len(history))


class WhoCountsClassifier:
    """The production :class:`~footfall.edge.tracks.CrossingClassifier`.

    ``calibration`` None: no height measurement (everyone not excluded by a rule is an
    adult). Memory stays flat: context frames are a bounded deque, per-track state of
    tracks not seen for a while is evicted.
    """

    def __init__(
        self, calibration: CameraCalibration | None = None, settings: WhoCountsSettings | None = None
    ) -> None:
        self.settings = settings or (calibration.who_counts if calibration else WhoCountsSettings())
        self._meter = HeightMeter(calibration) if calibration is not None else None
        self._staff = StaffRecogniser(self.settings.staff)
        self._frame_size: tuple[int, int] | None = None
        self._carriers: OrderedDict[int, list[tuple[str, Box]]] = OrderedDict()
        self._people: OrderedDict[int, list[tuple[int, Box]]] = OrderedDict()
        self._last_seen: dict[int, int] = {}
        self._last_floor: dict[int, tuple[float, float]] = {}
        self._last_foot: dict[int, tuple[float, float]] = {}
        self._crossing_positions: dict[int, tuple[tuple[float, float], str]] = {}
        #: COCO classes the detector should report: people only, as COCO has no carts,
        #: strollers or wheelchairs. A store model that has them lists its class ids here.
        self.detector_classes: list[int] | None = [0]

    # -- the seam -------------------------------------------------------------------------

    def observe(self, frame: Frame, detections: Sequence[Detection]) -> None:
        height, width = frame.image.shape[:2]
        if self._frame_size != (width, height):
            self._frame_size = (width, height)
            if self._meter is not None:
                self._meter.set_frame_size(width, height)
        carriers: list[tuple[str, Box]] = []
        people: list[tuple[int, Box]] = []
        for det in detections:
            name = normalised_class(det.class_name)
            if name in CHILD_CARRIERS or name in SEATED_ADULT_CARRIERS:
                carriers.append((name, det.box))
            elif name == "person" and det.track_id is not None:
                people.append((det.track_id, det.box))
                self._last_seen[det.track_id] = frame.index
                self._last_foot[det.track_id] = det.foot
                if self._meter is not None:
                    self._last_floor[det.track_id] = self._meter.floor_position(det.foot)
                if self._staff.enabled:
                    self._staff.observe(det.track_id, det.box, frame.image)
        if carriers:
            self._carriers[frame.index] = carriers
        if people:
            self._people[frame.index] = people
        self._evict(frame.index)

    def classify(self, track_id: int, history: Sequence[TrackObservation]) -> Classification:
        reasons: list[str] = []
        seen = max(len(history), 1)

        rides = [riding_in(o.box, self._carriers.get(o.frame_index, ())) for o in history]
        ridden = [r for r in rides if r is not None]
        if len(ridden) >= 2 and len(ridden) >= MAJORITY * seen:
            carrier = max(set(ridden), key=ridden.count)
            if carrier in SEATED_ADULT_CARRIERS:
                return Classification(
                    "adult", None, (f"seated in a {carrier} in {len(ridden)}/{seen} sightings",)
                )
            return Classification("child", None, (f"rides in a {carrier} in {len(ridden)}/{seen} sightings",))

        hosts = [fragment_of(o.box, track_id, self._people.get(o.frame_index, ())) for o in history]
        hosted = [h for h in hosts if h is not None]
        if len(hosted) >= 3 and len(hosted) >= MAJORITY * seen:
            host = max(set(hosted), key=hosted.count)
            return Classification(
                "adult",
                None,
                (f"part of person {host}'s box in {len(hosted)}/{seen} sightings",),
                counts=False,
            )

        estimate = None
        if self._meter is not None and self._frame_size is not None:
            estimate = estimate_height(self._meter, history, self._frame_size)
        height = None if estimate is None else round(min(max(estimate.height_m, 0.0), 3.0), 3)
        if estimate is not None:
            reasons.append(f"height {estimate.height_m:.2f} m from {estimate.used}/{estimate.seen} sightings")
        elif self._meter is not None:
            reasons.append("no sighting fit to measure height")

        self._remember_crossing_position(track_id, history)
        staff = None
        if self._staff.enabled:
            for tracker_id in self._tracker_ids(track_id, history):
                staff = self._staff.reason_if_staff(tracker_id)
                if staff is not None:
                    break
        if staff is not None:
            return Classification("staff", height, (staff, *reasons))

        if height is not None and height < self.settings.child_height_m - self.settings.margin_m:
            return Classification("child", height, tuple(reasons))
        if height is not None and height < self.settings.child_height_m + self.settings.margin_m:
            reasons.append("too close to the child threshold to call: counted as adult")
        return Classification("adult", height, tuple(reasons))

    # -- for callers that group crossings --------------------------------------------------

    def crossing_position(self, track_id: int) -> tuple[tuple[float, float], str] | None:
        """Where the track last classified stood: ``((x, y), "m")`` on the floor when calibrated,
        else ``((x, y), "px")`` in the frame. Read once per crossing (the entry is dropped)."""
        return self._crossing_positions.pop(track_id, None)

    def _remember_crossing_position(self, track_id: int, history: Sequence[TrackObservation]) -> None:
        if not history:
            return
        x1, _, x2, y2 = history[-1].box
        foot = ((x1 + x2) / 2.0, y2)
        if self._meter is not None:
            self._crossing_positions[track_id] = (self._meter.floor_position(foot), "m")
        else:
            self._crossing_positions[track_id] = (foot, "px")
        while len(self._crossing_positions) > 256:  # callers that never read them must not grow memory
            self._crossing_positions.pop(next(iter(self._crossing_positions)))

    def _tracker_ids(self, track_id: int, history: Sequence[TrackObservation]) -> list[int]:
        """The tracker ids this (possibly gap-bridged) person had: ``track_id`` first, then the ids
        whose boxes match the history's in the frames seen, so evidence gathered under an earlier
        or later tracker id still counts."""
        ids = [track_id]
        for obs in history:
            for tracker_id, box in self._people.get(obs.frame_index, ()):
                if tracker_id not in ids and box == obs.box:
                    ids.append(tracker_id)
        return ids

    def floor_position(self, track_id: int) -> tuple[float, float] | None:
        """Where the track was last seen on the floor (metres), when calibrated."""
        return self._last_floor.get(track_id)

    def image_position(self, track_id: int) -> tuple[float, float] | None:
        """Where the track's feet were last seen (frame pixels)."""
        return self._last_foot.get(track_id)

    # -- housekeeping ---------------------------------------------------------------------

    def _evict(self, frame_index: int) -> None:
        oldest = frame_index - _CONTEXT_FRAMES
        for context in (self._carriers, self._people):
            while context and next(iter(context)) < oldest:
                context.popitem(last=False)
        if frame_index % 100 == 0:
            stale = [t for t, last in self._last_seen.items() if last < frame_index - _FORGET_AFTER_FRAMES]
            for track_id in stale:
                self._last_seen.pop(track_id, None)
                self._last_floor.pop(track_id, None)
                self._last_foot.pop(track_id, None)
                self._staff.forget(track_id)
