"""Choosing the detector's input size from the picture: its shape, and how tall people are in it.

Why: the detector's cost grows with its input area, and what it needs is people of a
workable size in its input, not the camera's pixels. Two levers, both pure arithmetic here:

- **Fit the frame's shape.** A 480x360 frame letterboxed into a square 448x448 input is a
  quarter padding; a 352x448 input at the same scale sees the same pixels for 21% less
  work. Same scale, so the same people at the same size.
- **Size by the people.** Scale so that the median person is about ``target_px`` tall in
  the model's input, never above the model's own size (the export was trained and
  calibrated for it) and never below ``min_long``. A camera where people are large runs a
  small input; one where they are small keeps the full size.

The median comes from a probe of the first frames (:func:`probe_people`), or from a
calibration when one is known.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence

from footfall.edge.tracks import Detection, Frame

Roi = tuple[int, int, int, int]  # x1, y1, x2, y2 of the crop the detector sees

STRIDE = 32
PERSON = 0
#: Median person height wanted in the model's input, in its pixels. Measured with yolo11n
#: INT8 on PETS (people ~50 px in 480x360; benchmarks/bench_accuracy.py --imgsz N): accuracy
#: holds at a 448 input (people ~47 px there) and falls at 384 (~40 px: in 91% instead of
#: 97.5%), 320 (91/90%) and 256 (86/84%). 56 keeps a margin above the knee.
TARGET_PERSON_PX = 56.0
MIN_LONG_SIDE = 192


def _up(value: float) -> int:
    return max(STRIDE, STRIDE * math.ceil(value / STRIDE - 1e-9))


def fitted(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(height, width) of an input whose long side is ``long_side`` and which the picture fills."""
    scale = long_side / max(width, height)
    return _up(height * scale), _up(width * scale)


def for_people(
    median_person_px: float | None,
    width: int,
    height: int,
    *,
    native_long: int,
    target_px: float = TARGET_PERSON_PX,
    min_long: int = MIN_LONG_SIDE,
) -> tuple[int, int]:
    """Input (height, width) for a ``width`` x ``height`` picture where people are this tall.

    Without a measurement (nobody seen yet) the model's own size, fitted to the picture.
    """
    if median_person_px is None or median_person_px <= 0:
        return fitted(width, height, native_long)
    wanted = max(width, height) * target_px / median_person_px
    long_side = min(native_long, max(min_long, _up(wanted)))
    return fitted(width, height, long_side)


def median_person_height(
    detections: Iterable[Sequence[Detection]], min_confidence: float = 0.5
) -> float | None:
    """Median box height of confidently detected people over some frames; None if nobody."""
    heights = [
        d.box[3] - d.box[1]
        for frame in detections
        for d in frame
        if d.class_id == PERSON and d.confidence >= min_confidence
    ]
    return statistics.median(heights) if heights else None


def probe_people(
    detect: Callable[[Frame], Sequence[Detection]], frames: Iterable[Frame], region: Roi | None = None
) -> float | None:
    """Median person height (pixels) in ``frames`` (only people standing inside ``region``)."""
    seen = []
    for frame in frames:
        people = detect(frame)
        if region is not None:
            x1, y1, x2, y2 = region
            people = [d for d in people if x1 <= d.foot[0] <= x2 and y1 <= d.foot[1] <= y2]
        seen.append(people)
    return median_person_height(seen)


#: Frames a probe looks at (every ``PROBE_EVERY``-th is detected): a few seconds of footage.
PROBE_FRAMES = 60
PROBE_EVERY = 3


def choose(
    mode: str,
    head: Sequence[Frame],
    detect: Callable[[Frame], Sequence[Detection]],
    *,
    native_long: int,
    region: Roi | None = None,
) -> tuple[int, int] | None:
    """Input (height, width) for ``mode``: ``native`` (None: the export's own), ``fit``,
    ``auto`` (probe ``head``, the first frames, for people) or a long side in pixels.

    ``region`` is the crop the detector will see (None: the whole frame).
    """
    if mode == "native":
        return None
    height, width = head[0].image.shape[:2]
    if region is not None:
        width, height = region[2] - region[0], region[3] - region[1]
    if mode == "fit":
        return fitted(width, height, native_long)
    if mode == "auto":
        median = probe_people(detect, head[::PROBE_EVERY], region)
        return for_people(median, width, height, native_long=native_long)
    try:
        long_side = int(mode)
    except ValueError:
        raise ValueError(f"input size must be native, fit, auto or a number, got {mode!r}") from None
    return fitted(width, height, long_side)
