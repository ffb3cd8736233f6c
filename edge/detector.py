"""Person (and object) detection plus tracking, through Ultralytics.

This is the only module that imports ``ultralytics``: everything else sees
:class:`~footfall.edge.tracks.Detection` objects in pixels of the source frame. That keeps
the counter testable without weights and lets a device swap the model (a local OpenVINO
export, or the ``yolo11n.pt`` Ultralytics downloads on first use) without touching it.

Tracking runs inside Ultralytics (ByteTrack or BoT-SORT). Its tracker keeps state on the
predictor between calls; :meth:`YoloDetector.reset` starts a fresh tracker, which the
pipeline does between sources so identities never leak from one video to the next.

``roi`` lets the pipeline detect on a crop around the counting lines: people there appear
larger at the model's fixed input size. Boxes are shifted back to full-frame pixels.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from footfall.edge.errors import EdgeError, ModelNotFound
from footfall.edge.models import ResolvedModel
from footfall.edge.tracks import Detection, Frame

log = logging.getLogger(__name__)

TrackerName = Literal["bytetrack", "botsort"]
PERSON = 0
#: (x1, y1, x2, y2) crop in pixels of the source frame.
Roi = tuple[int, int, int, int]

#: Held while a detector is built and while it runs its first frame. The agent starts one
#: camera worker thread per camera at the same time; Ultralytics' first import, model load
#: and lazy predictor set-up (OpenVINO compile, tracker callbacks) are not thread-safe and
#: were seen to hang a restarted agent when two cameras raced through them.
_SETUP_LOCK = threading.Lock()


class YoloDetector:
    """Detects and tracks objects in frames; persons only unless ``classes`` says otherwise.

    ``classes=None`` returns every COCO class (carts, bags, strollers for the who-counts
    filters); the counter itself only ever uses class 0 (person).
    """

    def __init__(
        self,
        model: ResolvedModel,
        *,
        confidence: float = 0.25,
        imgsz: int | None = None,
        tracker: TrackerName | str = "bytetrack",
        classes: Sequence[int] | None = (PERSON,),
        device: str = "cpu",
    ) -> None:
        os.environ.setdefault("YOLO_VERBOSE", "False")
        with _SETUP_LOCK:
            try:
                from ultralytics import YOLO
            except ImportError as error:  # pragma: no cover - depends on the install
                raise EdgeError(
                    "the detector needs ultralytics; install it with pip install 'footfall[edge]'"
                ) from error
        if model.imgsz and imgsz and imgsz != model.imgsz and model.location.endswith("_openvino_model"):
            log.warning(
                "model %s has a fixed input size %d; ignoring imgsz=%d", model.location, model.imgsz, imgsz
            )
            imgsz = model.imgsz
        self.model = model
        self.confidence = confidence
        self.imgsz = imgsz or model.imgsz or 640
        self.tracker = _tracker_config(
            tracker if tracker.endswith(".yaml") else f"{tracker}.yaml", confidence
        )
        self.classes = None if classes is None else list(classes)
        self.device = device
        try:
            with _SETUP_LOCK:
                self._yolo = YOLO(model.location, task=model.task)
        except FileNotFoundError as error:
            raise ModelNotFound(f"cannot load model {model.location}: {error}") from error
        except Exception as error:
            raise EdgeError(f"cannot load model {model.location}: {error}") from error
        self.names: dict[int, str] = {}
        self._fresh = True
        self._ready = False  # the first inference sets up the predictor, under _SETUP_LOCK

    def reset(self) -> None:
        """Forget every track: the next :meth:`track` call starts a new tracker."""
        self._fresh = True

    def track(self, frame: Frame | np.ndarray, *, roi: Roi | None = None) -> list[Detection]:
        """Detect and track in one frame; track ids are stable between calls until :meth:`reset`."""
        image = frame.image if isinstance(frame, Frame) else frame
        crop, dx, dy = _crop(image, roi)
        persist = not self._fresh
        self._fresh = False
        results = self._first_time_locked(
            self._yolo.track,
            crop,
            persist=persist,
            tracker=self.tracker,
            conf=min(self.confidence, 0.1),  # the tracker's second stage wants the low-score boxes
            imgsz=self.imgsz,
            classes=self.classes,
            device=self.device,
            verbose=False,
        )
        return self._detections(results[0], dx, dy, keep_from=self.confidence, tracked=True)

    def detect(self, frame: Frame | np.ndarray, *, roi: Roi | None = None) -> list[Detection]:
        """Detect without tracking (track_id stays None)."""
        image = frame.image if isinstance(frame, Frame) else frame
        crop, dx, dy = _crop(image, roi)
        results = self._first_time_locked(
            self._yolo.predict,
            crop,
            conf=self.confidence,
            imgsz=self.imgsz,
            classes=self.classes,
            device=self.device,
            verbose=False,
        )
        return self._detections(results[0], dx, dy, keep_from=self.confidence, tracked=False)

    def _first_time_locked(self, call: Callable[..., list], *args: object, **kwargs: object) -> list:
        if self._ready:
            return call(*args, **kwargs)
        with _SETUP_LOCK:
            results = call(*args, **kwargs)
        self._ready = True
        return results

    def _detections(
        self, result: object, dx: int, dy: int, *, keep_from: float, tracked: bool
    ) -> list[Detection]:
        boxes = result.boxes  # type: ignore[attr-defined]
        if boxes is None or len(boxes) == 0:
            return []
        names = result.names  # type: ignore[attr-defined]
        xyxy = boxes.xyxy.cpu().numpy()
        conf = boxes.conf.cpu().numpy()
        cls = boxes.cls.cpu().numpy().astype(int)
        ids = boxes.id.cpu().numpy().astype(int) if (tracked and boxes.id is not None) else None
        keypoints = None
        kp = getattr(result, "keypoints", None)
        if kp is not None and kp.data is not None and len(kp.data) == len(xyxy):
            keypoints = kp.data.cpu().numpy().copy()
            keypoints[:, :, 0] += dx
            keypoints[:, :, 1] += dy
        out: list[Detection] = []
        for i, (x1, y1, x2, y2) in enumerate(xyxy):
            if tracked and ids is None:
                continue  # the tracker confirmed nothing yet
            # Tracked low-score boxes are kept: the tracker matched them to a confident track.
            if not tracked and conf[i] < keep_from:
                continue
            out.append(
                Detection(
                    box=(float(x1) + dx, float(y1) + dy, float(x2) + dx, float(y2) + dy),
                    confidence=float(conf[i]),
                    class_id=int(cls[i]),
                    class_name=str(names.get(int(cls[i]), cls[i])),
                    track_id=None if ids is None else int(ids[i]),
                    keypoints=None if keypoints is None else keypoints[i],
                )
            )
        return out


def _tracker_config(name: str, confidence: float) -> str:
    """The tracker's YAML with ``confidence`` as the score that starts and first-matches a track.

    The detector itself runs at a low threshold so ByteTrack's second stage can keep a
    track through a weak detection; ``confidence`` therefore belongs in the tracker.
    Returns the stock file when nothing changes.
    """
    import hashlib
    import tempfile

    import yaml
    from ultralytics.utils.checks import check_yaml

    path = Path(check_yaml(name))
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = {
        key: confidence for key in ("track_high_thresh", "new_track_thresh") if config.get(key) != confidence
    }
    if not changed:
        return str(path)
    config.update(changed)
    config["track_low_thresh"] = min(config.get("track_low_thresh", 0.1), confidence)
    text = yaml.safe_dump(config, sort_keys=True)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"footfall-{path.stem}-{digest}.yaml"  # one file per setting
    if not target.exists():  # write then rename: another process may be reading it
        partial = target.with_suffix(f".{os.getpid()}.part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    return str(target)


def _crop(image: np.ndarray, roi: Roi | None) -> tuple[np.ndarray, int, int]:
    if roi is None:
        return image, 0, 0
    height, width = image.shape[:2]
    x1, y1, x2, y2 = max(0, roi[0]), max(0, roi[1]), min(width, roi[2]), min(height, roi[3])
    if x2 - x1 < 16 or y2 - y1 < 16:
        return image, 0, 0
    return np.ascontiguousarray(image[y1:y2, x1:x2]), x1, y1
