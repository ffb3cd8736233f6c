"""Calibration: the solver recovers a known camera, and refuses implausible inputs in plain words."""

from __future__ import annotations

import json

import numpy as np
import pytest
from footfall.edge.calibration import (
    CameraCalibration,
    FloorPoint,
    HeightMeter,
    calibration_from_dict,
    load_calibration,
    save_calibration,
    solve,
)
from footfall.edge.errors import CalibrationError

from footfall.contracts import CameraConfig

from .synthetic_camera import SyntheticCamera


@pytest.mark.parametrize(
    ("height_m", "tilt_deg", "focal_px"),
    [(2.5, 35.0, 500.0), (3.5, 40.0, 600.0), (4.5, 55.0, 800.0), (5.5, 70.0, 450.0)],
)
def test_solver_recovers_mounting_height_and_focal(height_m: float, tilt_deg: float, focal_px: float) -> None:
    camera = SyntheticCamera(height_m=height_m, tilt_deg=tilt_deg, focal_px=focal_px)
    floor = (
        [(-1.0, 2.0), (1.0, 2.0), (1.2, 4.0), (-1.2, 4.0)]
        if tilt_deg < 60
        else [
            (-1.0, 0.5),
            (1.0, 0.5),
            (1.0, 2.5),
            (-1.0, 2.5),
        ]
    )
    solved = solve(camera.calibration(floor))
    assert solved.camera is not None
    assert solved.camera.mounting_height_m == pytest.approx(height_m, rel=0.03)
    assert solved.camera.focal_px == pytest.approx(focal_px, rel=0.03)
    assert solved.camera.floor_rms_m < 0.01


@pytest.mark.parametrize("height", [0.95, 1.1, 1.25, 1.6, 1.85, 2.0])
@pytest.mark.parametrize("where", [(0.0, 3.0), (-1.2, 4.5), (1.0, 6.0)])
def test_height_from_box_and_from_keypoints(height: float, where: tuple[float, float]) -> None:
    camera = SyntheticCamera()
    meter = HeightMeter(solve(camera.calibration()))
    assert meter.height_from_box(camera.person_box(*where, height)) == pytest.approx(height, abs=0.03)
    assert meter.height_from_keypoints(camera.keypoints(*where, height)) == pytest.approx(height, abs=0.03)
    assert meter.floor_position(camera.project(*where)) == pytest.approx(where, abs=0.02)


def test_keypoints_without_ankles_give_no_height() -> None:
    camera = SyntheticCamera()
    meter = HeightMeter(solve(camera.calibration()))
    kp = camera.keypoints(0.0, 4.0, 1.7)
    kp[15:17, 2] = 0.1  # ankles hidden
    assert meter.height_from_keypoints(kp) is None


def test_meter_rescales_frames_of_another_resolution() -> None:
    camera = SyntheticCamera()
    box = camera.person_box(0.5, 4.0, 1.75)
    half = tuple(v / 2 for v in box)
    meter = HeightMeter(solve(camera.calibration()), frame_size=(320, 240))
    assert meter.height_from_box(half) == pytest.approx(1.75, abs=0.03)
    assert meter.box_height_px(1.75, ((half[0] + half[2]) / 2, half[3])) == pytest.approx(
        half[3] - half[1], rel=0.02
    )


def test_reference_people_and_mounting_height_refine_the_focal() -> None:
    camera = SyntheticCamera(height_m=3.0, tilt_deg=45.0, focal_px=700.0)
    people = [camera.reference(-0.5, 3.0, 1.62), camera.reference(0.7, 4.2, 1.88)]
    solved = solve(camera.calibration(mounting_height_m=3.0, reference_people=people))
    assert solved.camera is not None
    assert solved.camera.focal_px == pytest.approx(700.0, rel=0.02)
    assert solved.camera.reference_rms_m is not None and solved.camera.reference_rms_m < 0.02


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("collinear", "on one line"),
        ("too_high", "outside the plausible 2–6 m"),
        ("stated_height", "stated mounting height"),
        ("swapped", "disagree"),
        ("duplicate", "at least 4 different"),
        ("reference", "reference people"),
    ],
)
def test_implausible_calibrations_are_refused_in_plain_words(change: str, says: str) -> None:
    camera = SyntheticCamera(height_m=3.5)
    kwargs: dict = {}
    floor = None
    if change == "collinear":
        floor = [(0.0, 2.0), (0.0, 3.0), (0.0, 4.0), (0.0, 5.0)]
    elif change == "too_high":
        camera = SyntheticCamera(height_m=8.0, tilt_deg=50.0)
    elif change == "stated_height":
        kwargs["mounting_height_m"] = 5.0
    elif change == "reference":
        kwargs["reference_people"] = [camera.reference(0.0, 4.0, 1.2)]
        kwargs["reference_people"][0] = kwargs["reference_people"][0].model_copy(update={"height_m": 1.9})
    calibration = camera.calibration(floor, **kwargs)
    if change == "swapped":
        points = list(calibration.floor_points)
        points[0], points[1] = (
            FloorPoint(image=points[0].image, floor=points[1].floor),
            FloorPoint(image=points[1].image, floor=points[0].floor),
        )
        calibration = calibration.model_copy(
            update={"floor_points": [*points, FloorPoint(image=camera.project(0, 5), floor=(0, 5))]}
        )
    elif change == "duplicate":
        points = [calibration.floor_points[0]] * 2 + list(calibration.floor_points[1:3])
        calibration = calibration.model_copy(update={"floor_points": points})
    with pytest.raises(CalibrationError, match=says):
        solve(calibration)


def test_a_high_camera_passes_when_the_installer_widens_the_range() -> None:
    camera = SyntheticCamera(height_m=8.0, tilt_deg=50.0)
    solved = solve(camera.calibration(allowed_mounting_m=(2.0, 10.0)))
    assert solved.camera is not None and solved.camera.mounting_height_m == pytest.approx(8.0, rel=0.03)


def test_stored_form_is_strict_and_fits_the_camera_config(tmp_path) -> None:
    solved = solve(SyntheticCamera().calibration())
    raw = solved.model_dump(mode="json")
    config = CameraConfig(camera_id="cam-1", name="Door", calibration=raw)
    assert calibration_from_dict(config.calibration) == solved
    with pytest.raises(CalibrationError, match="Extra inputs"):
        calibration_from_dict({**raw, "mounting_hieght_m": 3.0})
    for name in ("cal.yaml", "cal.json"):
        save_calibration(solved, tmp_path / name)
        assert load_calibration(tmp_path / name) == solved
    json.loads((tmp_path / "cal.json").read_text())


def test_unsolved_stored_calibration_is_solved_on_load() -> None:
    raw = SyntheticCamera().calibration().model_dump(mode="json")
    assert raw["camera"] is None
    loaded = calibration_from_dict(raw)
    assert loaded.camera is not None and loaded.camera.mounting_height_m == pytest.approx(3.5, rel=0.03)


def test_load_reports_missing_file_in_one_line(tmp_path) -> None:
    with pytest.raises(CalibrationError, match="cannot read calibration"):
        load_calibration(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(CalibrationError, match="mapping"):
        load_calibration(bad)


def test_model_requires_four_points() -> None:
    with pytest.raises(ValueError):
        CameraCalibration(
            image_width=640, image_height=480, floor_points=[FloorPoint(image=(0, 0), floor=(0, 0))]
        )
    assert np.isfinite(SyntheticCamera().project(0, 3)[0])


def test_calibrate_command_writes_a_checked_file_and_refuses_bad_marks(tmp_path, capsys) -> None:
    from footfall.cli import main

    camera = SyntheticCamera(height_m=3.2)
    marks = []
    for x, y in [(-1.5, 3.0), (1.5, 3.0), (1.5, 6.0), (-1.5, 6.0)]:
        px, py = camera.project(x, y)
        marks += ["--floor-point", f"{px:.2f},{py:.2f}={x},{y}"]
    out = tmp_path / "door.yaml"
    code = main(
        ["edge", "calibrate", "--size", "640x480", *marks, "--mounting-height", "3.2", "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0 and "3.2" in printed and "above the floor" in printed
    assert load_calibration(out).camera.mounting_height_m == pytest.approx(3.2, rel=0.03)
    assert main(["edge", "calibrate", "--check", str(out)]) == 0

    collinear = ["--floor-point", "1,1=0,0", "--floor-point", "2,2=1,1", "--floor-point", "3,3=2,2"]
    assert main(["edge", "calibrate", "--size", "640x480", *collinear, "--floor-point", "4,4=3,3"]) == 1
    assert "on one line" in capsys.readouterr().err
    assert main(["edge", "calibrate", "--size", "640x480", "--floor-point", "1,1"]) == 1
    assert "PX,PY=FX,FY" in capsys.readouterr().err
    assert main(["edge", "calibrate", "--size", "640x480", *marks, "--staff-zone", "0,0 2,0 0,1"]) == 1
    assert "fractions" in capsys.readouterr().err
