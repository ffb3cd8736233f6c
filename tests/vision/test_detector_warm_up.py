"""Warming the detector up on a blank frame leaves no trace in the tracks that follow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.vision


def _tracks(model_dir: Path, frames: list[np.ndarray], *, warm: bool) -> list[list[tuple]]:
    from footfall.edge.detector import YoloDetector
    from footfall.edge.models import resolve_model

    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")))
    if warm:
        detector.warm_up(frames[0])
    return [
        [(d.track_id, tuple(round(v, 1) for v in d.box)) for d in detector.track(image)] for image in frames
    ]


def test_warm_up_then_tracking_equals_tracking_from_cold(footage_dir: Path, model_dir: Path) -> None:
    import cv2

    capture = cv2.VideoCapture(str(footage_dir / "pets09_s2l1" / "vtest.avi"))
    frames = [capture.read()[1] for _ in range(15)]
    capture.release()
    cold = _tracks(model_dir, frames, warm=False)
    warmed = _tracks(model_dir, frames, warm=True)
    assert sum(len(found) for found in cold) >= 30  # people are tracked in these frames
    assert warmed == cold  # same ids from 1, same boxes: the blank run left no tracker state
