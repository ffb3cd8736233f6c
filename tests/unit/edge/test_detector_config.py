"""The detector's confidence goes into the tracker's thresholds (not the detector's NMS)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("ultralytics")


def test_default_confidence_keeps_the_stock_tracker() -> None:
    from footfall.edge.detector import tracker_config

    assert Path(tracker_config("bytetrack.yaml", 0.25)).parent.name == "trackers"


@pytest.mark.parametrize("name", ["tracktrack.yaml", "bytetrack.yaml", "botsort.yaml"])
def test_other_confidence_writes_a_tracker_file(name: str) -> None:
    from footfall.edge.detector import tracker_config

    path = tracker_config(name, 0.4)
    config = yaml.safe_load(Path(path).read_text())
    assert config["track_high_thresh"] == 0.4 and config["new_track_thresh"] == 0.4
    assert config["track_low_thresh"] == 0.1
    assert config["tracker_type"] == name.removesuffix(".yaml")
    assert tracker_config(name, 0.4) == path  # the same setting reuses the same file


@pytest.mark.parametrize("name", ["tracktrack.yaml", "botsort.yaml"])
def test_fixed_cameras_need_no_motion_compensation(name: str) -> None:
    from footfall.edge.detector import tracker_config

    config = yaml.safe_load(Path(tracker_config(name, 0.25)).read_text())
    assert config["gmc_method"] == "none"
    assert config["track_high_thresh"] == 0.25 and config["track_low_thresh"] == 0.1


def test_a_confidence_under_the_second_stage_lowers_it() -> None:
    from footfall.edge.detector import tracker_config

    config = yaml.safe_load(Path(tracker_config("tracktrack.yaml", 0.05)).read_text())
    assert config["track_low_thresh"] == 0.05 and config["new_track_thresh"] == 0.05


def test_the_agent_and_the_count_command_default_to_the_same_tracker() -> None:
    import argparse

    from footfall.edge.config import DetectorSettings
    from footfall.edge.count_cli import add_detector_arguments
    from footfall.edge.detector import YoloDetector

    parser = argparse.ArgumentParser()
    add_detector_arguments(parser)
    cli = parser.parse_args([])
    agent = DetectorSettings()
    assert cli.tracker == agent.tracker == YoloDetector.__init__.__kwdefaults__["tracker"] == "tracktrack"
    assert cli.confidence == agent.confidence


@pytest.mark.parametrize(
    ("imgsz", "ok"), [(None, True), (32, True), (448, True), (640, True), (450, False), (100, False)]
)
def test_agent_detector_imgsz_must_be_a_multiple_of_32(imgsz: int | None, ok: bool) -> None:
    from footfall.edge.config import DetectorSettings
    from pydantic import ValidationError

    if ok:
        assert DetectorSettings(imgsz=imgsz).imgsz == imgsz
    else:
        with pytest.raises(ValidationError, match="multiple of 32"):
            DetectorSettings(imgsz=imgsz)
