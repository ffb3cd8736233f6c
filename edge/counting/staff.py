"""Recognise staff so their crossings are recorded as ``staff`` and kept out of visitor totals.

Two methods, either or both per store (:class:`~footfall.edge.calibration.StaffSettings`):

- an **exclusion zone** behind the counter: a track whose foot point stood there for a few
  frames is staff. Cheap and reliable where visitors never go behind the counter.
- a **uniform colour**: the installer draws a box around a staff member's upper body in a
  snapshot; we keep its hue–saturation histogram (lighting-tolerant: brightness is dropped)
  and compare every person's average upper-body histogram with it.

Commercial counters use tags or badges for this; both methods here need only the camera.
State per track is kept only while the track is alive (:meth:`StaffRecogniser.forget`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from footfall.edge.calibration import StaffSettings, StaffZone, UniformSignature
from footfall.edge.tracks import Box

# Upper body inside a person box (fractions of box width/height): below the head, above
# the hips, away from the arms; this is where a uniform shirt or tabard shows.
_TORSO = (0.25, 0.2, 0.75, 0.5)
_MIN_SATURATION_VALUE = 30  # ignore nearly black pixels, whose hue is noise


def point_in_polygon(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Even-odd rule; points exactly on an edge may fall either side."""
    x, y = point
    inside = False
    n = len(polygon)
    for i in range(n):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def torso_box(box: Box) -> Box:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    return (x1 + _TORSO[0] * w, y1 + _TORSO[1] * h, x1 + _TORSO[2] * w, y1 + _TORSO[3] * h)


def colour_histogram(image: np.ndarray, box: Box, hue_bins: int, saturation_bins: int) -> np.ndarray | None:
    """Normalised hue–saturation histogram of ``box`` in a BGR image, or None if too small."""
    import cv2

    height, width = image.shape[:2]
    x1, y1, x2, y2 = (round(v) for v in box)
    x1, x2 = max(0, x1), min(width, x2)
    y1, y2 = max(0, y1), min(height, y2)
    if x2 - x1 < 2 or y2 - y1 < 2:
        return None
    hsv = cv2.cvtColor(image[y1:y2, x1:x2], cv2.COLOR_BGR2HSV)
    mask = cv2.inRange(hsv, (0, 0, _MIN_SATURATION_VALUE), (180, 255, 255))
    hist = cv2.calcHist([hsv], [0, 1], mask, [hue_bins, saturation_bins], [0, 180, 0, 256]).ravel()
    total = float(hist.sum())
    if total == 0:
        return None
    return hist / total


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Bhattacharyya distance between two normalised histograms: 0 identical, 1 disjoint."""
    coefficient = float(np.sum(np.sqrt(np.clip(a, 0, None) * np.clip(b, 0, None))))
    return float(np.sqrt(max(0.0, 1.0 - min(coefficient, 1.0))))


def sample_uniform(
    samples: Sequence[tuple[np.ndarray, Box]],
    *,
    hue_bins: int = 18,
    saturation_bins: int = 8,
    max_distance: float = 0.4,
) -> UniformSignature:
    """The installer's sample: the colour inside boxes drawn around staff members' upper bodies.

    Several boxes (other snapshots, other staff) average out lighting and pose; one works.
    """
    hists = [colour_histogram(image, box, hue_bins, saturation_bins) for image, box in samples]
    usable = [h for h in hists if h is not None]
    if not usable:
        from footfall.edge.errors import CalibrationError

        raise CalibrationError(
            "the uniform sample boxes are empty or too dark; draw them around the staff shirt"
        )
    mean = np.mean(usable, axis=0)
    return UniformSignature(
        hue_bins=hue_bins,
        saturation_bins=saturation_bins,
        histogram=[round(float(v), 6) for v in mean],
        max_distance=max_distance,
    )


@dataclass(slots=True)
class _TrackColour:
    total: np.ndarray
    samples: int = 0


@dataclass(slots=True)
class StaffRecogniser:
    """Accumulates per-track evidence frame by frame; answers "staff?" when a track crosses."""

    settings: StaffSettings
    sample_every: int = 2  # colour histograms every n-th sighting: a uniform does not change
    _zone_frames: dict[int, int] = field(default_factory=dict)
    _colours: dict[int, _TrackColour] = field(default_factory=dict)
    _sightings: dict[int, int] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return self.settings.zone is not None or self.settings.uniform is not None

    def observe(self, track_id: int, box: Box, image: np.ndarray) -> None:
        """One sighting of a person track in a frame (box in that frame's pixels)."""
        height, width = image.shape[:2]
        zone: StaffZone | None = self.settings.zone
        if zone is not None:
            x1, _, x2, y2 = box
            foot = ((x1 + x2) / 2.0 / width, y2 / height)
            if point_in_polygon(foot, zone.polygon):
                self._zone_frames[track_id] = self._zone_frames.get(track_id, 0) + 1
        uniform: UniformSignature | None = self.settings.uniform
        if uniform is not None:
            seen = self._sightings.get(track_id, 0)
            self._sightings[track_id] = seen + 1
            if seen % self.sample_every == 0:
                hist = colour_histogram(image, torso_box(box), uniform.hue_bins, uniform.saturation_bins)
                if hist is not None:
                    colour = self._colours.get(track_id)
                    if colour is None:
                        self._colours[track_id] = _TrackColour(hist.copy(), 1)
                    else:
                        colour.total += hist
                        colour.samples += 1

    def reason_if_staff(self, track_id: int) -> str | None:
        """Why this track is staff, or None for a visitor."""
        zone = self.settings.zone
        if zone is not None and self._zone_frames.get(track_id, 0) >= zone.min_frames:
            return f"stood in the staff zone for {self._zone_frames[track_id]} frames"
        distance = self.uniform_distance(track_id)
        uniform = self.settings.uniform
        if uniform is not None and distance is not None and distance <= uniform.max_distance:
            return f"wears the uniform colour (distance {distance:.2f} ≤ {uniform.max_distance:.2f})"
        return None

    def uniform_distance(self, track_id: int) -> float | None:
        """Distance of this track's average upper-body colour to the uniform, if both are known."""
        uniform = self.settings.uniform
        colour = self._colours.get(track_id)
        if uniform is None or colour is None:
            return None
        mean = colour.total / colour.samples
        return histogram_distance(mean, np.asarray(uniform.histogram, dtype=float))

    def forget(self, track_id: int) -> None:
        self._zone_frames.pop(track_id, None)
        self._colours.pop(track_id, None)
        self._sightings.pop(track_id, None)
