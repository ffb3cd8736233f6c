"""``footfall edge calibrate``: turn an installer's floor marks into a checked calibration file.

The installer tapes (or picks) four or more floor marks, measures where they are in metres
(any origin: e.g. one corner of the entrance mat), and reads their pixel positions off a
snapshot. Optionally: the mounting height from the tape measure, two or three people of
known height (head and foot pixels in a snapshot), a staff zone behind the counter and
boxes around staff uniforms for the colour sample. The command solves and checks the camera,
prints in plain words what it found, and writes YAML or JSON that goes into the camera's
config (``calibration:``) or next to ``footfall edge count --calibration FILE``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # registration stays cheap: numpy and pydantic models load when the command runs
    from footfall.edge.calibration import CameraCalibration, FloorPoint, ReferencePerson, StaffSettings

from footfall.edge.errors import CalibrationError


def add_calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``footfall edge calibrate`` (argparse only, nothing heavy)."""
    parser.add_argument(
        "--image", type=Path, help="snapshot (JPEG/PNG) or video whose first frame the pixels refer to"
    )
    parser.add_argument("--size", metavar="WxH", help="snapshot size in pixels, when no --image is given")
    parser.add_argument(
        "--floor-point",
        action="append",
        default=[],
        metavar="PX,PY=FX,FY",
        help="a floor mark: pixel position = position on the floor in metres (at least 4)",
    )
    parser.add_argument(
        "--mounting-height", type=float, metavar="M", help="camera height above the floor, metres"
    )
    parser.add_argument(
        "--person",
        action="append",
        default=[],
        metavar="FX,FY,HX,HY,HEIGHT",
        help="a person of known height: foot pixel, head-top pixel, height in metres (repeatable)",
    )
    parser.add_argument(
        "--allowed-mounting", metavar="LOW,HIGH", help="plausible mounting heights in metres (default 2,6)"
    )
    parser.add_argument("--child-height", type=float, default=1.2, help="below this a person is a child (m)")
    parser.add_argument("--margin", type=float, default=0.05, help="too close to call within ± this (m)")
    parser.add_argument(
        "--staff-zone",
        metavar="X,Y X,Y X,Y ...",
        help="polygon behind the counter in 0–1 fractions of the frame (quote it)",
    )
    parser.add_argument(
        "--uniform-box",
        action="append",
        default=[],
        metavar="X1,Y1,X2,Y2",
        help="box (pixels of --image) around a staff member's upper body; samples the uniform colour",
    )
    parser.add_argument(
        "--group-window", type=float, default=1.5, help="seconds within which people cross together"
    )
    parser.add_argument(
        "--group-distance", type=float, default=1.5, help="metres apart on the floor, at most"
    )
    parser.add_argument(
        "--check", type=Path, metavar="FILE", help="only re-check an existing calibration file"
    )
    parser.add_argument("--out", type=Path, help="write the calibration here (.yaml/.yml or .json)")


def calibrate(args: argparse.Namespace) -> int:
    from footfall.edge.calibration import (
        CameraCalibration,
        GroupSettings,
        WhoCountsSettings,
        load_calibration,
        save_calibration,
        solve,
    )

    if args.check is not None:
        calibration = load_calibration(args.check)
        print(describe(calibration))
        return 0
    image = _read_image(args.image) if args.image is not None else None
    width, height = _size(args.size, image)
    who_counts = WhoCountsSettings(
        child_height_m=args.child_height,
        margin_m=args.margin,
        staff=_staff(args, image),
        groups=GroupSettings(window_s=args.group_window, distance_m=args.group_distance),
    )
    extra = {}
    if args.allowed_mounting:
        extra["allowed_mounting_m"] = _numbers(args.allowed_mounting, 2, "--allowed-mounting LOW,HIGH")
    try:
        draft = CameraCalibration(
            image_width=width,
            image_height=height,
            floor_points=[_floor_point(text) for text in args.floor_point],
            mounting_height_m=args.mounting_height,
            reference_people=[_person(text) for text in args.person],
            who_counts=who_counts,
            **extra,
        )
    except ValueError as error:
        raise CalibrationError(_first_error(error)) from error
    calibration = solve(draft)
    print(describe(calibration))
    if args.out is not None:
        save_calibration(calibration, args.out)
        print(f"written to {args.out}; use it with 'footfall edge count --calibration {args.out}'")
    return 0


def describe(calibration: CameraCalibration) -> str:
    """What the solved calibration means, in the installer's words."""
    import math

    from footfall.edge.calibration import HeightMeter

    camera = calibration.camera
    assert camera is not None
    meter = HeightMeter(calibration)
    fov = math.degrees(2 * math.atan(calibration.image_width / (2 * camera.focal_px)))
    centre = (calibration.image_width / 2, calibration.image_height * 0.8)
    child_px = meter.box_height_px(calibration.who_counts.child_height_m, centre)
    lines = [
        f"camera {camera.mounting_height_m:.2f} m above the floor, lens {fov:.0f}° wide",
        f"floor marks agree within {camera.floor_rms_m * 100:.1f} cm",
    ]
    if camera.reference_rms_m is not None:
        lines.append(
            f"reference people measured within {camera.reference_rms_m * 100:.1f} cm of their heights"
        )
    lines.append(
        f"a {calibration.who_counts.child_height_m:.2f} m child near the bottom centre of the image is "
        f"{child_px:.0f} px tall; below {calibration.who_counts.child_height_m - calibration.who_counts.margin_m:.2f} m "
        "a person counts as a child"
    )
    staff = calibration.who_counts.staff
    if staff.zone is not None:
        lines.append(f"staff zone with {len(staff.zone.polygon)} corners")
    if staff.uniform is not None:
        lines.append("staff uniform colour sampled")
    return "\n".join(lines)


def _read_image(path: Path):
    import cv2

    if not path.exists():
        raise CalibrationError(f"cannot read {path}: no such file")
    image = cv2.imread(str(path))
    if image is None:  # not a still image: try the first frame of a video
        capture = cv2.VideoCapture(str(path))
        ok, image = capture.read()
        capture.release()
        if not ok or image is None:
            raise CalibrationError(f"cannot read {path} as an image or video; give a JPEG/PNG snapshot")
    return image


def _size(text: str | None, image) -> tuple[int, int]:
    if image is not None:
        height, width = image.shape[:2]
        return width, height
    if not text:
        raise CalibrationError("give --image SNAPSHOT (or --size WxH) so pixel positions have a frame")
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError as error:
        raise CalibrationError(f"--size must look like 640x480, got {text!r}") from error
    return width, height


def _numbers(text: str, count: int, usage: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError as error:
        raise CalibrationError(f"expected {usage}, got {text!r}") from error
    if len(values) != count:
        raise CalibrationError(f"expected {usage}, got {text!r}")
    return values


def _floor_point(text: str) -> FloorPoint:
    from footfall.edge.calibration import FloorPoint

    if "=" not in text:
        raise CalibrationError(f"--floor-point must be PX,PY=FX,FY (pixels = metres), got {text!r}")
    pixel, floor = text.split("=", 1)
    usage = "--floor-point PX,PY=FX,FY"
    return FloorPoint(image=_numbers(pixel, 2, usage), floor=_numbers(floor, 2, usage))  # type: ignore[arg-type]


def _person(text: str) -> ReferencePerson:
    from footfall.edge.calibration import ReferencePerson

    fx, fy, hx, hy, height = _numbers(text, 5, "--person FX,FY,HX,HY,HEIGHT")
    return ReferencePerson(foot=(fx, fy), head=(hx, hy), height_m=height)


def _staff(args: argparse.Namespace, image) -> StaffSettings:
    from footfall.edge.calibration import StaffSettings, StaffZone

    zone = None
    if args.staff_zone:
        corners = [_numbers(corner, 2, "--staff-zone 'X,Y X,Y X,Y'") for corner in args.staff_zone.split()]
        try:
            zone = StaffZone(polygon=corners)  # type: ignore[arg-type]
        except ValueError as error:
            raise CalibrationError(f"--staff-zone: {_first_error(error)}") from error
    uniform = None
    if args.uniform_box:
        if image is None:
            raise CalibrationError("--uniform-box needs --image: the colour is sampled from that snapshot")
        from footfall.edge.counting.staff import sample_uniform

        boxes = [_numbers(text, 4, "--uniform-box X1,Y1,X2,Y2") for text in args.uniform_box]
        uniform = sample_uniform([(image, box) for box in boxes])  # type: ignore[misc]
    return StaffSettings(zone=zone, uniform=uniform)


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(error).splitlines()[0]
