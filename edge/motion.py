"""Cheap gates in front of the detector: motion near the lines, and the region worth detecting in.

Why: a store entrance is empty most of the day. Differencing two small grayscale frames
costs well under a millisecond, the detector tens of milliseconds, so skipping inference
when nothing moves near a line is most of the saving on a real camera. The detector still
runs every ``keepalive_s`` so a person standing still keeps their track.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from footfall.edge.counting.lines import CountingLine

Roi = tuple[int, int, int, int]


def region_around(lines: Sequence[CountingLine], width: int, height: int, margin: float) -> Roi:
    """Bounding box of all lines, grown by ``margin`` x the larger frame side, clipped to the frame."""
    pad = margin * max(width, height)
    xs = [v for line in lines for v in (line.x1, line.x2)]
    ys = [v for line in lines for v in (line.y1, line.y2)]
    x1, y1 = max(0, int(min(xs) - pad)), max(0, int(min(ys) - pad))
    x2, y2 = min(width, int(max(xs) + pad + 1)), min(height, int(max(ys) + pad + 1))
    return x1, y1, x2, y2


@dataclass
class MotionGate:
    """Says whether anything moved inside ``roi`` since the previous frame."""

    roi: Roi
    threshold: int = 14  # grey-level change that counts as motion
    min_fraction: float = 0.0015  # of the region's pixels
    keepalive_s: float = 1.0
    work_width: int = 160

    def __post_init__(self) -> None:
        self._previous: np.ndarray | None = None
        self._last_run_t: float | None = None

    def should_detect(self, image: np.ndarray, t: float) -> bool:
        x1, y1, x2, y2 = self.roi
        region = image[y1:y2, x1:x2]
        scale = self.work_width / max(1, region.shape[1])
        small = (
            cv2.resize(region, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            if scale < 1
            else region
        )
        gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
        previous, self._previous = self._previous, gray
        moved = previous is None or previous.shape != gray.shape
        if not moved:
            changed = cv2.absdiff(gray, previous) > self.threshold
            moved = float(np.count_nonzero(changed)) >= self.min_fraction * changed.size
        stale = self._last_run_t is None or t - self._last_run_t >= self.keepalive_s
        if moved or stale:
            self._last_run_t = t
            return True
        return False
