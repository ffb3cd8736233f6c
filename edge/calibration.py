"""How the floor maps to the image, and how tall a person is from their box.

Why: commercial 3D counters measure height directly; one ordinary camera can too, once we
know where the floor is. The installer marks a few floor points with known distances
(e.g. the corners of the entrance mat, measured with a tape) and clicks them in a snapshot;
optionally they state the mounting height and/or walk two or three people of known height
through the view. From that we recover a pinhole camera (square pixels, principal point at
the image centre, no lens distortion):

- the floor homography maps a foot point (bottom centre of a box) to metres on the floor;
- the focal length follows from the homography's orthogonality constraints, refined by the
  mounting height and the reference people when they are given;
- with the full projection, the top of a box at a known floor position gives a height in
  metres.

Every implausible input is refused with one plain sentence (:class:`CalibrationError`),
because a wrong calibration silently turns adults into children.

The stored form (:class:`CameraCalibration`) is a strict pydantic model that fits in
``CameraConfig.calibration`` (a dict) or a YAML/JSON file; it keeps the installer's inputs
and the solved camera side by side, so a calibration can always be re-checked.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from footfall.edge.errors import CalibrationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from footfall.contracts import PersonClass

Point = tuple[float, float]
Fraction = float

#: Mounting heights an entrance camera plausibly has, metres. Outside this the floor points
#: are more likely wrong than the camera; ``allowed_mounting_m`` widens it for odd sites.
DEFAULT_MOUNTING_RANGE_M = (2.0, 6.0)

# Anthropometry (adult proportions, share of stature): eye height and ankle height. Used to
# turn pose keypoints (eyes, ankles) into a standing height.
_EYE_SHARE = 0.936
_ANKLE_SHARE = 0.039


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FloorPoint(_Strict):
    """A mark on the floor: where it is in the snapshot (pixels) and on the floor (metres)."""

    image: Point = Field(description="x, y in pixels of the calibration snapshot")
    floor: Point = Field(description="x, y in metres in any floor coordinate system the installer chose")


class ReferencePerson(_Strict):
    """A person of known height seen standing upright in the snapshot (or one frame)."""

    foot: Point = Field(description="bottom centre between the feet, pixels")
    head: Point = Field(description="top of the head, pixels")
    height_m: float = Field(ge=0.5, le=2.5)


class StaffZone(_Strict):
    """Floor area where only staff stand (behind the counter), as 0–1 fractions of the frame."""

    polygon: list[tuple[float, float]] = Field(min_length=3)
    min_frames: int = Field(
        default=3,
        ge=1,
        description="Foot point in the zone for this many frames marks the track as staff; a few "
        "frames tolerate a visitor leaning over the counter without making them staff.",
    )

    @model_validator(mode="after")
    def _fractions(self) -> StaffZone:
        for x, y in self.polygon:
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValueError("staff zone corners are 0–1 fractions of the frame")
        return self


class UniformSignature(_Strict):
    """Colour of the staff uniform, sampled by the installer from a snapshot.

    A hue–saturation histogram of the upper body; tracks whose average upper-body histogram
    is closer than ``max_distance`` (Bhattacharyya, 0 = identical, 1 = disjoint) are staff.
    """

    hue_bins: int = Field(default=18, ge=4, le=180)
    saturation_bins: int = Field(default=8, ge=2, le=64)
    histogram: list[float] = Field(min_length=8)
    max_distance: float = Field(default=0.4, gt=0.0, lt=1.0)

    @model_validator(mode="after")
    def _shape(self) -> UniformSignature:
        if len(self.histogram) != self.hue_bins * self.saturation_bins:
            raise ValueError("uniform histogram must have hue_bins × saturation_bins values")
        return self


class StaffSettings(_Strict):
    """Optional per store: how staff are recognised (either or both)."""

    zone: StaffZone | None = None
    uniform: UniformSignature | None = None


class GroupSettings(_Strict):
    """People crossing together: same line, same direction, close in time and on the floor."""

    window_s: float = Field(default=1.5, gt=0.0, le=10.0)
    distance_m: float = Field(default=1.5, gt=0.0, le=10.0)


class WhoCountsSettings(_Strict):
    """Who counts at this camera (DESIGN.md §4)."""

    child_height_m: float = Field(default=1.2, ge=0.8, le=1.6, description="Below this a person is a child.")
    margin_m: float = Field(
        default=0.05,
        ge=0.0,
        le=0.3,
        description="Within ± margin of the threshold the estimate is too close to call and the "
        "person counts as an adult: missing an adult hurts conversion more than counting a tall child.",
    )
    totals: tuple[PersonClass, ...] = Field(
        default=("adult",), min_length=1, description="Classes that make up the in/out totals."
    )
    staff: StaffSettings = Field(default_factory=StaffSettings)
    groups: GroupSettings = Field(default_factory=GroupSettings)


class SolvedCamera(_Strict):
    """The pinhole camera recovered from the inputs (written by ``footfall edge calibrate``)."""

    focal_px: float = Field(gt=0)
    image_to_floor: list[list[float]] = Field(description="3×3 homography, pixels → metres")
    projection: list[list[float]] = Field(description="3×4 matrix, floor metres (x, y, up) → pixels")
    mounting_height_m: float
    floor_rms_m: float = Field(ge=0, description="How well the floor points agree with each other")
    reference_rms_m: float | None = None


class CameraCalibration(_Strict):
    """Everything the agent needs to measure people at one camera; fits ``CameraConfig.calibration``."""

    version: Literal[1] = 1
    image_width: int = Field(gt=0, le=10_000)
    image_height: int = Field(gt=0, le=10_000)
    floor_points: list[FloorPoint] = Field(min_length=4)
    mounting_height_m: float | None = Field(default=None, gt=0, le=50)
    reference_people: list[ReferencePerson] = Field(default_factory=list)
    allowed_mounting_m: tuple[float, float] = DEFAULT_MOUNTING_RANGE_M
    camera: SolvedCamera | None = None
    who_counts: WhoCountsSettings = Field(default_factory=WhoCountsSettings)

    @model_validator(mode="after")
    def _range_order(self) -> CameraCalibration:
        low, high = self.allowed_mounting_m
        if not 0 < low < high:
            raise ValueError("allowed_mounting_m must be (low, high) with 0 < low < high")
        return self


# --------------------------------------------------------------------------- solving


def solve(calibration: CameraCalibration) -> CameraCalibration:
    """Return ``calibration`` with its camera solved and checked; raise if implausible."""
    image = np.array([p.image for p in calibration.floor_points], dtype=float)
    floor = np.array([p.floor for p in calibration.floor_points], dtype=float)
    _check_spread(
        image, "in the image", "click points spread over the floor, e.g. the four corners of the mat"
    )
    _check_spread(floor, "on the floor", "measure points that form an area, e.g. the four corners of the mat")
    floor_to_image = fit_homography(floor, image)
    image_to_floor = np.linalg.inv(floor_to_image)
    image_to_floor /= image_to_floor[2, 2]
    floor_rms = float(np.sqrt(np.mean(np.sum((_apply(image_to_floor, image) - floor) ** 2, axis=1))))
    span = float(np.max(np.ptp(floor, axis=0)))
    if floor_rms > max(0.15, 0.05 * span):
        raise CalibrationError(
            f"the floor points disagree with each other by {floor_rms:.2f} m on average; "
            "re-check the measured distances and which image point belongs to which floor mark"
        )
    centre = (calibration.image_width / 2.0, calibration.image_height / 2.0)
    focal, projection = _best_camera(floor_to_image, centre, calibration)
    height = _camera_height(projection)
    _check_camera(calibration, focal, height, floor, image)
    solved = SolvedCamera(
        focal_px=focal,
        image_to_floor=image_to_floor.tolist(),
        projection=projection.tolist(),
        mounting_height_m=height,
        floor_rms_m=floor_rms,
        reference_rms_m=_reference_rms(projection, image_to_floor, calibration.reference_people),
    )
    return calibration.model_copy(update={"camera": solved})


def fit_homography(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares homography (normalised DLT) mapping ``source`` points onto ``target``."""
    src_n, src_t = _normalise(source)
    dst_n, dst_t = _normalise(target)
    rows = []
    for (x, y), (u, v) in zip(src_n, dst_n, strict=True):
        rows.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    _, _, vt = np.linalg.svd(np.asarray(rows))
    h = vt[-1].reshape(3, 3)
    h = np.linalg.inv(dst_t) @ h @ src_t
    return h / h[2, 2]


def _normalise(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = points.mean(axis=0)
    scale = math.sqrt(2) / max(float(np.mean(np.linalg.norm(points - mean, axis=1))), 1e-9)
    t = np.array([[scale, 0, -scale * mean[0]], [0, scale, -scale * mean[1]], [0, 0, 1]])
    return _apply(t, points), t


def _apply(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    pts = np.column_stack([points, np.ones(len(points))]) @ h.T
    return pts[:, :2] / pts[:, 2:3]


def _check_spread(points: np.ndarray, where: str, how: str) -> None:
    if len(np.unique(np.round(points, 6), axis=0)) < 4:
        raise CalibrationError(f"need at least 4 different floor points {where}; {how}")
    centred = points - points.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    if singular[0] == 0 or singular[1] / singular[0] < 0.05:
        raise CalibrationError(f"the floor points lie (almost) on one line {where}; {how}")


def _camera_for_focal(floor_to_image: np.ndarray, centre: Point, focal: float) -> tuple[np.ndarray, float]:
    """Decompose the homography for one focal length: projection matrix and orthogonality error."""
    k = np.array([[focal, 0, centre[0]], [0, focal, centre[1]], [0, 0, 1.0]])
    m = np.linalg.inv(k) @ floor_to_image
    n1, n2 = np.linalg.norm(m[:, 0]), np.linalg.norm(m[:, 1])
    error = ((n1 - n2) / (n1 + n2)) ** 2 + (float(m[:, 0] @ m[:, 1]) / (n1 * n2)) ** 2
    scale = 2.0 / (n1 + n2)
    if m[2, 2] * scale < 0:  # the floor must lie in front of the camera
        scale = -scale
    r1, r2, t = m[:, 0] * scale, m[:, 1] * scale, m[:, 2] * scale
    r3 = np.cross(r1, r2)
    r3 /= np.linalg.norm(r3)
    if -float(r3 @ t) < 0:  # "up" is the side of the floor the camera is on
        r3 = -r3
    projection = k @ np.column_stack([r1, r2, r3, t])
    return projection, error


def _camera_height(projection: np.ndarray) -> float:
    """Height of the camera centre above the floor (the null space of the projection)."""
    _, _, vt = np.linalg.svd(projection)
    centre = vt[-1]
    return float(centre[2] / centre[3])


def _best_camera(
    floor_to_image: np.ndarray, centre: Point, calibration: CameraCalibration
) -> tuple[float, np.ndarray]:
    """Pick the focal length that best explains the floor, mounting height and reference people."""
    image_to_floor = np.linalg.inv(floor_to_image)
    width = float(calibration.image_width)

    def cost(focal: float) -> float:
        projection, ortho = _camera_for_focal(floor_to_image, centre, focal)
        total = ortho
        if calibration.mounting_height_m:
            total += (
                (_camera_height(projection) - calibration.mounting_height_m) / calibration.mounting_height_m
            ) ** 2
        for person in calibration.reference_people:
            estimate = _height_from_points(projection, image_to_floor, person.foot, person.head)
            total += ((estimate - person.height_m) / person.height_m) ** 2
        return total

    grid = np.geomspace(0.2 * width, 8.0 * width, 400)
    costs = [cost(f) for f in grid]
    best = int(np.argmin(costs))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    fine = np.linspace(low, high, 60)
    focal = float(fine[int(np.argmin([cost(f) for f in fine]))])
    projection, _ = _camera_for_focal(floor_to_image, centre, focal)
    return focal, projection


def _check_camera(
    calibration: CameraCalibration, focal: float, height: float, floor: np.ndarray, image: np.ndarray
) -> None:
    low, high = calibration.allowed_mounting_m
    if not low <= height <= high:
        raise CalibrationError(
            f"these floor points put the camera {height:.1f} m above the floor, outside the plausible "
            f"{low:g}–{high:g} m; re-check the distances between the floor marks (or widen the range with --allowed-mounting "
            "LOW,HIGH if the camera really is mounted there)"
        )
    if calibration.mounting_height_m and abs(height - calibration.mounting_height_m) > max(
        0.25, 0.15 * calibration.mounting_height_m
    ):
        raise CalibrationError(
            f"the floor points say the camera hangs {height:.1f} m high but the stated mounting height is "
            f"{calibration.mounting_height_m:.1f} m; re-measure one of them"
        )
    fov = math.degrees(2 * math.atan(calibration.image_width / (2 * focal)))
    if not 15.0 <= fov <= 150.0:
        raise CalibrationError(
            f"the floor points imply a {fov:.0f}° wide lens, which no entrance camera has; "
            "re-check the floor marks"
        )


def _reference_rms(
    projection: np.ndarray, image_to_floor: np.ndarray, people: Sequence[ReferencePerson]
) -> float | None:
    if not people:
        return None
    errors = [_height_from_points(projection, image_to_floor, p.foot, p.head) - p.height_m for p in people]
    rms = float(np.sqrt(np.mean(np.square(errors))))
    if rms > 0.15:
        raise CalibrationError(
            f"the reference people's known heights miss by {rms * 100:.0f} cm on average with these floor "
            "points; check their heights and that head and foot were clicked on the same person standing upright"
        )
    return rms


def _height_from_points(
    projection: np.ndarray, image_to_floor: np.ndarray, foot: Point, head: Point
) -> float:
    """Height (m) of the point ``head`` straight above the floor point under ``foot``."""
    fx, fy = _apply(image_to_floor, np.array([foot], dtype=float))[0]
    return _height_above(projection, (float(fx), float(fy)), head)


def _floor_at_height(projection: np.ndarray, point: Point, z: float) -> Point:
    """Floor position (x, y) of the body point seen at ``point`` that is ``z`` metres above the floor."""
    plane = np.column_stack([projection[:, 0], projection[:, 1], z * projection[:, 2] + projection[:, 3]])
    x, y, w = np.linalg.solve(plane, np.array([point[0], point[1], 1.0]))
    return (float(x / w), float(y / w))


def _height_above(projection: np.ndarray, floor: Point, head: Point) -> float:
    """Height (m) of the image row of ``head`` on the vertical line above floor position ``floor``.

    Only the row is used: a box's top centre is not straight above its bottom centre in the
    image (vertical lines converge off-centre), but the top row is the head's row. The image
    row of a point at height h is a ratio of two linear functions of h, solved exactly.
    """
    fx, fy = floor
    base = projection @ np.array([fx, fy, 0.0, 1.0])
    up = projection[:, 2]
    row = head[1]
    # (base[1] + h·up[1]) = row · (base[2] + h·up[2])
    denominator = float(up[1] - row * up[2])
    if denominator == 0:
        return float("nan")
    return float(row * base[2] - base[1]) / denominator


# --------------------------------------------------------------------------- measuring


class HeightMeter:
    """Standing height in metres from a box (or pose keypoints) at one calibrated camera.

    ``frame_size`` is the size of the frames being measured; boxes are rescaled to the
    calibration snapshot's pixels, so a camera streamed at a different resolution still fits.
    """

    def __init__(self, calibration: CameraCalibration, frame_size: tuple[int, int] | None = None) -> None:
        if calibration.camera is None:
            calibration = solve(calibration)
        assert calibration.camera is not None
        self.calibration = calibration
        self._projection = np.asarray(calibration.camera.projection, dtype=float)
        self._image_to_floor = np.asarray(calibration.camera.image_to_floor, dtype=float)
        self._scale = (1.0, 1.0)
        if frame_size is not None:
            self.set_frame_size(*frame_size)

    def set_frame_size(self, width: int, height: int) -> None:
        self._scale = (self.calibration.image_width / width, self.calibration.image_height / height)

    def _to_calibration(self, point: Point) -> Point:
        return (point[0] * self._scale[0], point[1] * self._scale[1])

    def floor_position(self, foot: Point) -> Point:
        """Where a foot point (frame pixels) stands on the floor, metres."""
        x, y = _apply(self._image_to_floor, np.array([self._to_calibration(foot)], dtype=float))[0]
        return (float(x), float(y))

    def image_position(self, floor: Point, height_m: float = 0.0) -> Point:
        """Where a floor point (metres), or the point ``height_m`` above it, appears in the frame."""
        p = self._projection @ np.array([floor[0], floor[1], height_m, 1.0])
        return (float(p[0] / p[2] / self._scale[0]), float(p[1] / p[2] / self._scale[1]))

    def height_between(self, foot: Point, head: Point) -> float:
        """Height (m) of ``head`` above the floor point under ``foot`` (both in frame pixels)."""
        return _height_from_points(
            self._projection, self._image_to_floor, self._to_calibration(foot), self._to_calibration(head)
        )

    def height_from_box(self, box: tuple[float, float, float, float]) -> float:
        x1, y1, x2, y2 = box
        centre = (x1 + x2) / 2.0
        return self.height_between((centre, y2), (centre, y1))

    def height_from_keypoints(self, keypoints: np.ndarray, min_visibility: float = 0.5) -> float | None:
        """Stature from eyes and ankles (COCO keypoints 1, 2 and 15, 16), or None if not both seen.

        Eyes sit at about 93.6 % of stature and ankles at 3.9 %, so the eye-above-ankle
        height is 89.7 % of the standing height; this is robust to a loose box top (hair,
        hats) that inflates box heights.
        """
        kp = np.asarray(keypoints, dtype=float)
        if kp.shape[0] < 17:
            return None
        visible = kp[:, 2] >= min_visibility if kp.shape[1] > 2 else np.ones(len(kp), dtype=bool)
        eyes = [i for i in (1, 2) if visible[i]]
        ankles = [i for i in (15, 16) if visible[i]]
        if not eyes or not ankles:
            return None
        eye = self._to_calibration(tuple(kp[eyes, :2].mean(axis=0)))
        ankle = self._to_calibration(tuple(kp[ankles, :2].mean(axis=0)))
        # Ankles are 3.9 % of stature above the floor, so the ankle is not a floor point;
        # a few fixed-point steps find the stature consistent with both eyes and ankles.
        stature = 1.7
        for _ in range(6):
            floor = _floor_at_height(self._projection, ankle, _ANKLE_SHARE * stature)
            eye_height = _height_above(self._projection, floor, eye)
            if not math.isfinite(eye_height) or eye_height <= 0:
                return None
            stature = eye_height / _EYE_SHARE
        return stature

    def box_height_px(self, height_m: float, foot: Point) -> float:
        """Pixel height (frame pixels) of a person ``height_m`` tall standing at ``foot``."""
        fx, fy = _apply(self._image_to_floor, np.array([self._to_calibration(foot)], dtype=float))[0]
        base = self._projection @ np.array([fx, fy, 0.0, 1.0])
        top = self._projection @ np.array([fx, fy, height_m, 1.0])
        return float(abs(base[1] / base[2] - top[1] / top[2]) / self._scale[1])


# --------------------------------------------------------------------------- storing


def calibration_from_dict(raw: object, *, where: str = "calibration") -> CameraCalibration:
    """Validate a stored calibration (file or ``CameraConfig.calibration``) and solve it if needed."""
    if not isinstance(raw, dict):
        raise CalibrationError(f"{where} must be a mapping of settings")
    try:
        calibration = CameraCalibration.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        place = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (+{error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise CalibrationError(f"{where}: {place}: {first['msg']}{more}") from error
    return solve(calibration) if calibration.camera is None else calibration


def load_calibration(path: Path) -> CameraCalibration:
    """Read a calibration from YAML or JSON; every problem is one :class:`CalibrationError` line."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CalibrationError(f"cannot read calibration {path}: {error.strerror}") from error
    try:
        raw = yaml.safe_load(text)  # JSON is YAML too
    except yaml.YAMLError as error:
        raise CalibrationError(
            f"calibration {path} is not valid YAML or JSON: {error}".splitlines()[0]
        ) from error
    return calibration_from_dict(raw, where=f"calibration {path}")


def save_calibration(calibration: CameraCalibration, path: Path) -> None:
    """Write YAML (``.yaml``/``.yml``) or JSON (anything else)."""
    data = calibration.model_dump(mode="json")
    path = Path(path)
    if path.suffix.lower() in {".yaml", ".yml"}:
        import yaml

        text = yaml.safe_dump(data, sort_keys=False)
    else:
        text = json.dumps(data, indent=2)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CalibrationError(f"cannot write calibration {path}: {error.strerror}") from error
