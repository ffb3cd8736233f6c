"""The shipped INT8 OpenVINO exports at other input sizes (head constants rebuilt, model reshaped).

At the export's own size the rebuilt copy must give the very same boxes (proves the grid
and strides are rebuilt right); at a frame-shaped input of the same scale, nearly the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.vision


@pytest.fixture(scope="module")
def pets_frames(footage_dir: Path) -> list[np.ndarray]:
    import cv2

    capture = cv2.VideoCapture(str(footage_dir / "pets09_s2l1" / "vtest.avi"))
    frames = []
    for index in range(120):
        ok, image = capture.read()
        assert ok
        if index % 40 == 0:
            frames.append(image)
    capture.release()
    return frames


def _boxes(location: Path, imgsz, frames: list[np.ndarray]) -> list[np.ndarray]:
    from footfall.edge.detector import YoloDetector
    from footfall.edge.models import ResolvedModel

    detector = YoloDetector(ResolvedModel(str(location), "detect", None, True), imgsz=imgsz)
    return [np.array([d.box for d in detector.detect(image)]).reshape(-1, 4) for image in frames]


def _best_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if len(a) == 0 or len(b) == 0:
        return np.zeros(len(a))
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return (inter / (area_a[:, None] + area_b[None, :] - inter)).max(axis=1)


def test_yolo11n_rebuilt_at_its_own_size_gives_the_same_boxes(
    model_dir: Path, pets_frames, tmp_path: Path
) -> None:
    from footfall.edge.detector import openvino_at_size

    original = model_dir / "yolo11n_int8_openvino_model"
    copy = openvino_at_size(original, 448, 448, tmp_path)
    assert copy.parent == tmp_path / "models" and copy.name.endswith("_openvino_model")
    assert openvino_at_size(original, 448, 448, tmp_path) == copy  # built once
    reference = _boxes(original, 448, pets_frames)
    assert sum(len(b) for b in reference) >= 10
    for a, b in zip(reference, _boxes(copy, 448, pets_frames), strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=0.5)


@pytest.mark.parametrize("name", ["yolo11n_int8_openvino_model", "yolov8n_int8_openvino_model"])
def test_frame_shaped_input_finds_the_same_people(model_dir: Path, pets_frames, tmp_path, monkeypatch, name):
    from footfall.edge.detector import YoloDetector, openvino_at_size
    from footfall.edge.input_size import fitted
    from footfall.edge.models import ResolvedModel

    original = model_dir / name
    native = 448 if name.startswith("yolo11n") else 640
    monkeypatch.setenv("FOOTFALL_CACHE_DIR", str(tmp_path))
    reference = _boxes(original, native, pets_frames)
    # The detector resizes the export itself when asked for another size.
    shaped = fitted(480, 360, native)  # (352, 448) and (480, 640): the same scale, less padding
    detector = YoloDetector(ResolvedModel(str(original), "detect", native, True), imgsz=shaped)
    assert Path(detector.location).is_relative_to(tmp_path)
    resized = [np.array([d.box for d in detector.detect(image)]).reshape(-1, 4) for image in pets_frames]
    matched = np.concatenate([_best_iou(a, b) for a, b in zip(reference, resized, strict=True)])
    # Borderline boxes (confidence near the threshold) may come and go with the padding.
    assert np.mean(matched > 0.7) >= 0.75, matched
    assert np.median(matched) >= 0.95, matched
    assert openvino_at_size(original, 256, 320, tmp_path).is_dir()


def test_sizes_must_be_multiples_of_32(model_dir: Path, tmp_path: Path) -> None:
    from footfall.edge.detector import openvino_at_size
    from footfall.edge.errors import EdgeError

    with pytest.raises(EdgeError, match="multiples of 32"):
        openvino_at_size(model_dir / "yolo11n_int8_openvino_model", 300, 448, tmp_path)
