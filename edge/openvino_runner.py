"""Running an OpenVINO YOLO export directly: letterbox, infer, several frames at once.

Why not through Ultralytics' predictor: its OpenVINO backend compiles the model for latency
and runs one frame at a time, and its pre- and post-processing run in the same thread, so
on a two-core edge box one core waits while the other resizes and runs NMS. Compiled for
throughput (one stream per core) with the next frames already in flight, the same model on
the same frames gives the same boxes at 30-40% more frames per second
(``benchmarks/bench_throughput.py``, "inference ahead").

This module only turns images into the model's raw output; NMS, box scaling and tracking
stay with Ultralytics in :mod:`footfall.edge.detector`, so the boxes cannot drift from the
ones ``model.track()`` gives (``tests/vision/test_inference_ahead.py`` compares them).
The letterbox here is Ultralytics' ``LetterBox(auto=False)`` for a fixed-size export, pixel
for pixel: resize with the aspect ratio kept, pad evenly with grey 114.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from footfall.edge.errors import EdgeError, ModelNotFound

Hint = Literal["LATENCY", "THROUGHPUT"]
PAD_VALUE = 114
#: Frames in flight at most, whatever the core count (2 on the two-core edge box).
MAX_IN_FLIGHT = 4

#: OpenVINO's Python binding sets up its numpy bridge on first use: a C++ static whose
#: initialiser calls pybind11's call-once numpy setup, which releases the GIL while it waits.
#: Two threads making that first use at once can each wait for the other for ever (seen:
#: ``footfall edge evaluate --suite doors --tracker tracktrack`` hung with both inference
#: workers blocked in the binding's initialisers). So the process's first inference runs alone.
_first_inference = threading.Lock()
_first_inference_done = threading.Event()


def letterbox(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` scaled to fit ``height`` x ``width`` with its aspect ratio, padded evenly with grey."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = image.shape[:2]
    r = min(height / h, width / w)
    new_w, new_h = max(round(w * r), 1), max(round(h * r), 1)
    if (new_w, new_h) != (w, h):
        image = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    dw, dh = (width - new_w) / 2, (height - new_h) / 2
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    return cv2.copyMakeBorder(
        image, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(PAD_VALUE, PAD_VALUE, PAD_VALUE)
    )


def to_blob(padded: np.ndarray) -> np.ndarray:
    """BGR uint8 HxWx3 -> RGB float32 1x3xHxW in [0, 1], the very values Ultralytics feeds its models."""
    height, width = padded.shape[:2]
    blob = np.empty((1, 3, height, width), np.float32)
    for channel, plane in enumerate(reversed(cv2.split(padded))):
        np.divide(plane, np.float32(255), out=blob[0, channel], dtype=np.float32)
    return blob


class OpenVinoRunner:
    """One OpenVINO export, compiled on demand for latency (one frame) or throughput (several).

    Thread-safe: each thread infers with its own request on the shared compiled model.
    """

    def __init__(self, folder: Path, device: str = "CPU") -> None:
        import openvino as ov

        xml = next(Path(folder).glob("*.xml"), None)
        if xml is None:
            raise ModelNotFound(f"no OpenVINO model (.xml) in {folder}")
        self._core = ov.Core()
        self._model = self._core.read_model(xml)
        shape = self._model.input().get_partial_shape()
        if shape.is_dynamic or len(shape) != 4:
            raise EdgeError(f"{xml}: expected a fixed 1x3xHxW input, got {shape}")
        self.height, self.width = shape[2].get_length(), shape[3].get_length()
        metadata = _metadata(Path(folder))
        self.names = _names(metadata)
        #: The export has NMS built in (YOLOv10/YOLO26, or exported with ``nms=True``): its output
        #: is final boxes, not what :mod:`footfall.edge.detector`'s NMS expects.
        self.end2end = bool(metadata.get("end2end") or (metadata.get("args") or {}).get("nms"))
        shape = metadata.get("kpt_shape")
        #: (keypoints, values per keypoint) of a pose export; None for a plain detector.
        self.keypoint_shape: tuple[int, int] | None = (
            (int(shape[0]), int(shape[1])) if metadata.get("task") == "pose" and shape else None
        )
        self._device = "CPU" if device.lower() in ("cpu", "") else device.upper()
        self._compiled: dict[Hint, object] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def compiled(self, hint: Hint) -> object:
        with self._lock:
            if hint not in self._compiled:
                self._compiled[hint] = self._core.compile_model(
                    self._model, self._device, {"PERFORMANCE_HINT": hint}
                )
            return self._compiled[hint]

    def parallel(self) -> int:
        """How many frames to keep in flight for throughput: OpenVINO's optimal number of requests,
        at most ``MAX_IN_FLIGHT`` (each is a decoded frame held in memory, and a frame of delay)."""
        optimal = int(self.compiled("THROUGHPUT").get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))  # type: ignore[attr-defined]
        return max(1, min(MAX_IN_FLIGHT, optimal))

    def infer(self, image: np.ndarray, hint: Hint = "LATENCY") -> np.ndarray:
        """The model's first output for ``image`` (BGR), a copy the caller owns."""
        requests = getattr(self._local, "requests", None)
        if requests is None:
            requests = self._local.requests = {}
        request = requests.get(hint)
        if request is None:
            request = requests[hint] = self.compiled(hint).create_infer_request()  # type: ignore[attr-defined]
        blob = to_blob(letterbox(image, self.height, self.width))
        if _first_inference_done.is_set():
            return _run(request, blob)
        with _first_inference:
            output = _run(request, blob)
            _first_inference_done.set()
            return output


def _run(request: object, blob: np.ndarray) -> np.ndarray:
    request.infer({0: blob})  # type: ignore[attr-defined]
    return request.get_output_tensor(0).data.copy()  # type: ignore[attr-defined]


def _metadata(folder: Path) -> dict:
    """The export's ``metadata.yaml`` (empty when it has none)."""
    import yaml

    path = folder / "metadata.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.exists() else {}


def _names(metadata: dict) -> dict[int, str]:
    names = metadata.get("names") or {}
    return {int(k): str(v) for k, v in names.items()} if isinstance(names, dict) else dict(enumerate(names))
