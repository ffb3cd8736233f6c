"""Person (and object) detection plus tracking, through Ultralytics.

This is the only module that imports ``ultralytics``: everything else sees
:class:`~footfall.edge.tracks.Detection` objects in pixels of the source frame. That keeps
the counter testable without weights and lets a device swap the model (a local OpenVINO
export, or the ``yolo11n.pt`` Ultralytics downloads on first use) without touching it.

Tracking runs inside Ultralytics: TrackTrack by default, ByteTrack or BoT-SORT on request.
Its tracker keeps state on the predictor between calls; :meth:`YoloDetector.reset` starts a
fresh tracker, which the pipeline does between sources so identities never leak from one
video to the next. TrackTrack also matches the boxes the detector's own NMS suppressed (a
person half hidden behind another one): on 300 unseen PETS lines it misses a fifth fewer
crossings than ByteTrack, and on PETS made twice as busy a third fewer on the standard lines
and 40% fewer on the unseen ones (``benchmarks/results/counting_busier_and_tracktrack.md``).
It costs 10-15% of the frame rate (still faster than ``ObjectCounter`` with the same
tracker) and keeps two ids on one body now and then, which the counter handles
(``CounterSettings.twin_iou``); ByteTrack stays an option. Global motion compensation is
off for every tracker: entrance cameras are fixed, and estimating camera motion by optical
flow costs about 4 ms a frame (a fifth of the whole frame with yolo11n) for nothing.

OpenVINO exports (detection and pose; ByteTrack, BoT-SORT or TrackTrack without ReID) skip
Ultralytics' predictor: the model runs through
:class:`~footfall.edge.openvino_runner.OpenVinoRunner` and only NMS, box and keypoint scaling
and the tracker come from Ultralytics, called exactly as ``model.track()`` calls them (same
boxes, same ids; TrackTrack also gets the boxes a looser NMS kept, as Ultralytics' hook gives
them). That is what lets :meth:`YoloDetector.ahead` keep the next frames' inference in flight,
compiled for throughput, while this frame is tracked and counted
(``benchmarks/results/counting_inference_ahead.md``).

``roi`` lets the pipeline detect on a crop around the counting lines: people there appear
larger at the model's fixed input size. Boxes are shifted back to full-frame pixels.

Input size of OpenVINO exports: an export has one fixed input shape, and OpenVINO's own
``reshape`` refuses another one, because the exported detection head carries constants
computed for that shape (the anchor-point grid and per-anchor strides, and for YOLOv8 the
DFL reshape targets). :func:`openvino_at_size` rebuilds those constants for the new
shape, reshapes the model and saves the copy in a cache folder; at the export's own size
the copy gives the same boxes as the original. So ``imgsz`` (a side, or height and width)
works with the shipped INT8 models too.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from footfall.edge.errors import EdgeError, ModelNotFound
from footfall.edge.models import ResolvedModel
from footfall.edge.openvino_runner import Hint, OpenVinoRunner
from footfall.edge.tracks import DEFAULT_TRACKER, Detection, Frame, TrackerName

log = logging.getLogger(__name__)

PERSON = 0
#: The detector's threshold when tracking: the tracker's second stage matches boxes from here up.
LOW_SCORE = 0.1
#: Ultralytics' NMS defaults (``iou``, ``max_det``), so the direct OpenVINO path boxes alike.
NMS_IOU = 0.7
#: TrackTrack's looser NMS, and the overlap that makes a loose box one the tight NMS kept.
LOOSE_NMS_IOU = 0.95
LOOSE_DUPLICATE_IOU = 0.97
MAX_DETECTIONS = 300
#: What the direct path finds in one image: boxes (N, 6); keypoints (N, K, 3) for a pose model;
#: for TrackTrack the boxes a looser NMS keeps that the tight one dropped, as (xywh, conf, cls).
_Found = tuple[np.ndarray, np.ndarray | None, tuple[np.ndarray, np.ndarray, np.ndarray] | None]
#: Trackers the direct path can feed (the ReID variants need the predictor's feature maps).
DIRECT_TRACKERS = ("bytetrack", "botsort", "tracktrack")
#: Input size: one side (square), or (height, width); both multiples of 32.
InputSize = int | tuple[int, int]
#: Where resized copies of OpenVINO exports are kept (built once per model and size).
CACHE_ENV = "FOOTFALL_CACHE_DIR"
#: ``0``: always go through Ultralytics' predictor (to compare against the direct path).
DIRECT_ENV = "FOOTFALL_DIRECT_OPENVINO"
DETECT_STRIDES = (8, 16, 32)
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
        imgsz: InputSize | None = None,
        tracker: TrackerName | str = DEFAULT_TRACKER,
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
        location = model.location
        resize = imgsz is not None and model.imgsz and _square(imgsz) != _square(model.imgsz)
        if resize and location.endswith("_openvino_model"):
            location = str(openvino_at_size(Path(location), *_square(imgsz)))
            log.info("model %s resized to %s: %s", model.location, imgsz, location)
        self.model = model
        self.confidence = confidence
        self.imgsz: InputSize = imgsz or model.imgsz or 640
        self.location = location
        self.tracker = tracker_config(tracker if tracker.endswith(".yaml") else f"{tracker}.yaml", confidence)
        self.classes = None if classes is None else list(classes)
        self.device = device
        try:
            with _SETUP_LOCK:
                self._yolo = YOLO(location, task=model.task)
        except FileNotFoundError as error:
            raise ModelNotFound(f"cannot load model {model.location}: {error}") from error
        except Exception as error:
            raise EdgeError(f"cannot load model {model.location}: {error}") from error
        self.names: dict[int, str] = {}
        self._fresh = True
        self._ready = False  # the first inference sets up the predictor, under _SETUP_LOCK
        tracker_settings = _tracker_settings(self.tracker)
        self._tracker_type = str(tracker_settings.get("tracker_type", ""))
        self._runner = _direct_runner(location, model.task, device, tracker_settings)
        self._tracker: object | None = None
        self._prepared: tuple[Frame, Roi | None, Future[_Found]] | None = None  # boxes under way

    def reset(self) -> None:
        """Forget every track: the next :meth:`track` call starts a new tracker."""
        self._fresh = True

    @property
    def direct(self) -> bool:
        """The model runs through OpenVINO directly (and :meth:`ahead` can pipeline it)."""
        return self._runner is not None

    def warm_up(self, image: np.ndarray, *, roi: Roi | None = None, ahead: bool = False) -> None:
        """Run the model once on a blank image shaped like the stream's frames, then forget it.

        Ultralytics sets up its predictor and the backend runs its first, slow inference on
        the first call (1-2 s for OpenVINO on two cores). That is start-up, like loading the
        weights: done here, the first real frame is not late and throughput figures are the
        steady state's. ``ahead``: also compile and run the throughput build :meth:`ahead` uses.
        """
        blank = np.zeros_like(image)
        self.track(blank, roi=roi)
        if ahead and self._runner is not None:
            runner = self._runner
            crop, _, _ = _crop(blank, roi)
            with ThreadPoolExecutor(runner.parallel()) as pool:
                list(pool.map(lambda _: self._boxes(crop, "THROUGHPUT"), range(runner.parallel())))
        self.reset()

    def ahead(self, frames: Iterable[Frame], *, roi: Roi | None = None) -> Iterator[Frame]:
        """The same frames, with the model already running on the next few while one is tracked.

        Tracking stays in the caller's thread and in frame order, so ids and boxes are the
        ones :meth:`track` gives frame by frame; only the inference moves to worker threads,
        one per OpenVINO throughput stream. Call :meth:`track` on each frame yielded, with
        the same ``roi`` (a frame not tracked, say skipped by a motion gate, only wastes its
        inference). Without the direct path the frames pass through unchanged.
        """
        runner = self._runner
        if runner is None:
            yield from frames
            return
        depth = runner.parallel()
        window: deque[tuple[Frame, Future[_Found]]] = deque()
        with ThreadPoolExecutor(depth, thread_name_prefix="footfall-infer") as pool:
            try:
                for frame in frames:
                    crop, _, _ = _crop(frame.image, roi)
                    window.append((frame, pool.submit(self._boxes, crop, "THROUGHPUT")))
                    if len(window) > depth:
                        yield self._hand_over(*window.popleft(), roi)
                while window:
                    yield self._hand_over(*window.popleft(), roi)
            finally:
                for _, future in window:
                    future.cancel()
                self._prepared = None

    def _hand_over(self, frame: Frame, future: Future[_Found], roi: Roi | None) -> Frame:
        self._prepared = (frame, roi, future)
        return frame

    def track(self, frame: Frame | np.ndarray, *, roi: Roi | None = None) -> list[Detection]:
        """Detect and track in one frame; track ids are stable between calls until :meth:`reset`."""
        image = frame.image if isinstance(frame, Frame) else frame
        crop, dx, dy = _crop(image, roi)
        if self._runner is not None:
            return self._track_direct(frame, crop, dx, dy, roi)
        persist = not self._fresh
        self._fresh = False
        results = self._first_time_locked(
            self._yolo.track,
            crop,
            persist=persist,
            tracker=self.tracker,
            conf=min(self.confidence, LOW_SCORE),  # the tracker's second stage wants the low-score boxes
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

    def _track_direct(
        self, frame: Frame | np.ndarray, crop: np.ndarray, dx: int, dy: int, roi: Roi | None
    ) -> list[Detection]:
        """``model.track()``'s steps, with the inference done here or already by :meth:`ahead`."""
        from ultralytics.engine.results import Boxes
        from ultralytics.utils.ops import clip_boxes

        assert self._runner is not None
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] is frame and prepared[1] == roi:
            boxes, keypoints, dropped = prepared[2].result()
        else:
            boxes, keypoints, dropped = self._first_time_locked(self._boxes, crop)
        height, width = crop.shape[:2]
        if self._fresh or self._tracker is None:
            self._tracker = _box_tracker(self.tracker)
            self._fresh = False
        extra = {} if self._tracker_type != "tracktrack" else {"dets_del": dropped}
        tracks = self._tracker.update(Boxes(boxes, (height, width)), crop, **extra)  # type: ignore[attr-defined]
        if len(tracks) == 0:
            return []
        import torch

        kept = clip_boxes(torch.as_tensor(tracks[:, :4]), (height, width)).numpy()
        if keypoints is not None:  # the tracked detections' own keypoints, as Results[idx] keeps them
            keypoints = keypoints[tracks[:, -1].astype(int)]
            keypoints[:, :, 0] += dx
            keypoints[:, :, 1] += dy
        names = self._runner.names
        out: list[Detection] = []
        for i, ((x1, y1, x2, y2), track_id, score, cls) in enumerate(
            zip(kept, tracks[:, 4], tracks[:, 5], tracks[:, 6], strict=True)
        ):
            out.append(
                Detection(
                    box=(float(x1) + dx, float(y1) + dy, float(x2) + dx, float(y2) + dy),
                    confidence=float(score),
                    class_id=int(cls),
                    class_name=str(names.get(int(cls), int(cls))),
                    track_id=int(track_id),
                    keypoints=None if keypoints is None else keypoints[i],
                )
            )
        return out

    def _boxes(self, image: np.ndarray, hint: Hint = "LATENCY") -> _Found:
        """Boxes (N, 6: x1 y1 x2 y2 score class) in ``image`` pixels, as Ultralytics' predictor makes them,
        and for a pose model their keypoints (N, K, 3).

        Stateless, so :meth:`ahead` runs it in worker threads (NMS included: less for the
        thread that tracks and counts).
        """
        import torch
        from ultralytics.utils.ops import scale_coords

        runner = self._runner
        assert runner is not None
        raw = torch.from_numpy(runner.infer(image, hint))
        loose = raw.clone() if self._tracker_type == "tracktrack" and runner.keypoint_shape is None else None
        pred = self._nms(raw, image.shape[:2], NMS_IOU)  # NMS rewrites its input: the clone came first
        dropped = (
            None if loose is None else _dropped_by_nms(pred, self._nms(loose, image.shape[:2], LOOSE_NMS_IOU))
        )
        if runner.keypoint_shape is None:
            return pred[:, :6].numpy(), None, dropped
        keypoints = pred[:, 6:].view(pred.shape[0], *runner.keypoint_shape)
        shape = (runner.height, runner.width)
        return pred[:, :6].numpy(), scale_coords(shape, keypoints, image.shape[:2]).numpy(), dropped

    def _nms(self, raw: object, image_shape: tuple[int, ...], iou: float) -> object:
        """Ultralytics' NMS with its predictor's arguments, boxes scaled to ``image_shape``."""
        from ultralytics.utils.nms import non_max_suppression
        from ultralytics.utils.ops import scale_boxes

        runner = self._runner
        assert runner is not None
        pred = non_max_suppression(
            raw,
            min(self.confidence, LOW_SCORE),
            iou,
            self.classes,
            False,
            max_det=MAX_DETECTIONS,
            nc=0 if runner.keypoint_shape is None else len(runner.names),
        )[0]
        pred[:, :4] = scale_boxes((runner.height, runner.width), pred[:, :4], image_shape[:2])
        return pred

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


def _direct_runner(
    location: str, task: str, device: str, tracker_settings: dict[str, object]
) -> OpenVinoRunner | None:
    """The runner for the direct path, or None where only Ultralytics' predictor will do."""
    if (
        not location.endswith("_openvino_model")
        or task not in ("detect", "pose")
        or os.environ.get(DIRECT_ENV) == "0"
        or tracker_settings.get("tracker_type") not in DIRECT_TRACKERS
        or tracker_settings.get("with_reid")
    ):
        return None
    try:
        runner = OpenVinoRunner(Path(location), device)
    except EdgeError as error:  # a dynamic-shape export, say: Ultralytics' predictor handles it
        log.info("model %s goes through Ultralytics' predictor: %s", location, error)
        return None
    return None if runner.end2end else runner


def _dropped_by_nms(tight: object, loose: object) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Boxes the loose NMS kept and the tight one dropped, as TrackTrack's ``dets_del``.

    The same computation as Ultralytics' ``compute_dets_del`` (which reads them off the
    predictor): loose boxes whose best overlap with any kept box is below 0.97.
    """
    from ultralytics.utils.metrics import box_iou
    from ultralytics.utils.ops import xyxy2xywh

    if len(loose) == 0 or len(tight) == 0:  # type: ignore[arg-type]
        return None
    best = box_iou(loose[:, :4], tight[:, :4]).max(dim=1).values  # type: ignore[index]
    mask = best < LOOSE_DUPLICATE_IOU
    if not mask.any():
        return None
    dropped = loose[mask]  # type: ignore[index]
    return xyxy2xywh(dropped[:, :4]).numpy(), dropped[:, 4].numpy(), dropped[:, 5].numpy()


def _tracker_settings(path: str) -> dict[str, object]:
    import yaml

    return dict(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})


def _box_tracker(path: str) -> object:
    """A fresh Ultralytics tracker from its YAML, built as ``model.track()`` builds it."""
    from ultralytics.trackers.track import TRACKER_MAP
    from ultralytics.utils import IterableSimpleNamespace

    config = IterableSimpleNamespace(**_tracker_settings(path))
    return TRACKER_MAP[config.tracker_type](args=config)


def tracker_config(name: str, confidence: float) -> str:
    """The tracker's YAML with ``confidence`` as the score that starts and first-matches a track.

    The detector itself runs at a low threshold (0.1) so the tracker's second stage can keep
    a track through a weak detection; ``confidence`` therefore belongs in the tracker, and
    the second stage gets everything from 0.1 up (TrackTrack ships with 0.25 there: on PETS
    0.1 missed 243 crossings of 300 unseen lines where 0.25 missed 269). No camera motion
    compensation (``gmc_method: none``): the cameras are fixed. Returns the stock file when
    nothing changes.
    """
    import hashlib
    import tempfile

    import yaml
    from ultralytics.utils.checks import check_yaml

    path = Path(check_yaml(name))
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    wanted: dict[str, object] = {
        "track_high_thresh": confidence,
        "new_track_thresh": confidence,
        "track_low_thresh": min(LOW_SCORE, confidence),
    }
    if "gmc_method" in config:
        wanted["gmc_method"] = "none"
    changed = {key: value for key, value in wanted.items() if config.get(key) != value}
    if not changed:
        return str(path)
    config.update(changed)
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


def _square(size: InputSize) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def openvino_at_size(folder: Path, height: int, width: int, cache_root: Path | None = None) -> Path:
    """A copy of the OpenVINO YOLO export in ``folder`` with a fixed ``height`` x ``width`` input.

    Built once and kept under ``cache_root`` (default ``$FOOTFALL_CACHE_DIR`` or
    ``~/.cache/footfall``)/models. Raises :class:`EdgeError` for a model whose head this
    does not recognise, rather than running a model with a wrong grid.
    """
    if height % 32 or width % 32 or min(height, width) < 64:
        raise EdgeError(f"input size {height}x{width}: both sides must be multiples of 32, at least 64")
    root = cache_root or Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "footfall")
    xml = next(folder.glob("*.xml"), None)
    if xml is None:
        raise ModelNotFound(f"no OpenVINO model (.xml) in {folder}")
    stamp = f"{xml.stat().st_size}-{int(xml.stat().st_mtime)}"
    target = (
        root
        / "models"
        / f"{folder.name.removesuffix('_openvino_model')}-{height}x{width}-{stamp}_openvino_model"
    )
    if (target / xml.name).exists() and (target / "metadata.yaml").exists():
        return target
    import yaml

    with _SETUP_LOCK:
        model = _resized(xml, height, width)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        partial.mkdir(parents=True, exist_ok=True)
        import openvino as ov

        ov.save_model(model, partial / xml.name, compress_to_fp16=False)
        metadata = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
        metadata["imgsz"] = [height, width]
        (partial / "metadata.yaml").write_text(yaml.safe_dump(metadata, sort_keys=False), encoding="utf-8")
        if not target.exists():
            os.replace(partial, target)
    return target


def _anchor_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Anchor points (2, N) in grid cells and strides (N,), in the order Ultralytics' head uses."""
    xs, ys, strides = [], [], []
    for stride in DETECT_STRIDES:
        sy, sx = np.meshgrid(
            np.arange(height // stride) + 0.5, np.arange(width // stride) + 0.5, indexing="ij"
        )
        xs.append(sx.ravel())
        ys.append(sy.ravel())
        strides.append(np.full(sx.size, float(stride)))
    return np.stack([np.concatenate(xs), np.concatenate(ys)]), np.concatenate(strides)


#: Head constants seen in Ultralytics exports, as functions of anchor points A and strides S.
_HEAD_CONSTANTS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "anchors": lambda a, s: a,
    "strides": lambda a, s: s[None],
    "keypoint offsets": lambda a, s: (a - 0.5) * s,
}


def _resized(xml: Path, height: int, width: int) -> object:
    import openvino as ov

    model = ov.Core().read_model(xml)
    dims = model.input().get_partial_shape()
    if dims.is_dynamic or len(dims) != 4:
        raise EdgeError(f"{xml}: expected a fixed 1x3xHxW input, got {dims}")
    old_grid = _anchor_grid(dims[2].get_length(), dims[3].get_length())
    new_grid = _anchor_grid(height, width)
    old_n, new_n = old_grid[1].size, new_grid[1].size
    stubs = []
    for op in model.get_ops():
        if op.get_type_name() != "Constant":
            continue
        shape = list(op.get_output_shape(0))
        if len(shape) >= 2 and shape[-1] == old_n:
            values = op.get_data().astype(np.float64).reshape(-1, old_n)
            kind = next(
                (k for k, f in _HEAD_CONSTANTS.items() if _same(values, f(*old_grid))),
                None,
            )
            if kind is None:
                raise EdgeError(f"{xml}: cannot resize, unknown head constant {op.get_friendly_name()}")
            dtype = op.get_element_type().to_dtype()
            new = _HEAD_CONSTANTS[kind](*new_grid).reshape(*shape[:-1], new_n).astype(dtype)
            # A broadcastable stand-in while the input is reshaped; the real grid goes in after.
            stub = ov.opset13.constant(np.zeros([*shape[:-1], 1], dtype=dtype))
            op.output(0).replace(stub.output(0))
            stubs.append((stub, new))
    for op in model.get_ops():
        source = op.input(1).get_source_output().get_node() if op.get_type_name() == "Reshape" else None
        if source is None or source.get_type_name() != "Constant":
            continue
        target = [int(v) for v in source.get_data()]
        if old_n in target and -1 not in target:  # DFL: [1, 4, 16, N] -> [1, 4, 16, -1]
            target[target.index(old_n)] = -1
            op.input(1).replace_source_output(ov.opset13.constant(np.array(target, np.int64)).output(0))
    try:
        model.reshape([1, 3, height, width])
        for stub, new in stubs:
            stub.output(0).replace(ov.opset13.constant(new).output(0))
        model.validate_nodes_and_infer_types()
    except RuntimeError as error:
        raise EdgeError(f"{xml}: cannot run at {height}x{width}: {str(error).splitlines()[0]}") from error
    return model


def _same(values: np.ndarray, expected: np.ndarray) -> bool:
    return values.shape == expected.shape and bool(np.allclose(values, expected, atol=1e-3))
