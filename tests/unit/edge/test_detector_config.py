"""The detector's confidence goes into the tracker's thresholds (not the detector's NMS)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("ultralytics")


def test_default_confidence_keeps_the_stock_tracker() -> None:
    from footfall.edge.detector import _tracker_config

    assert Path(_tracker_config("bytetrack.yaml", 0.25)).parent.name == "trackers"


@pytest.mark.parametrize("name", ["bytetrack.yaml", "botsort.yaml"])
def test_other_confidence_writes_a_tracker_file(name: str) -> None:
    from footfall.edge.detector import _tracker_config

    path = _tracker_config(name, 0.4)
    config = yaml.safe_load(Path(path).read_text())
    assert config["track_high_thresh"] == 0.4 and config["new_track_thresh"] == 0.4
    assert config["tracker_type"] == name.removesuffix(".yaml")
    assert _tracker_config(name, 0.4) == path  # the same setting reuses the same file


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
