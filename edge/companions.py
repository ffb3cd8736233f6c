"""A second person beside (or just behind) one in real footage: new door scenes with known truth.

The held-out shop clips have people leaving side by side and walking in one after the other;
our CAVIAR door clip has one person each way. A companion is made from the person's own
pixels: the clip's background is the median of its frames (people move, the shop does not),
the person's pixels in a frame are those that differ from it inside their box, and the copy is
pasted beside them (``dx``, ``dy``) or where they were ``delay`` frames before. The original
stays in front where the two overlap. The detector sees two real-looking people close
together, as at a real door; the truth is the original's plus one crossing per companion.

The boxes are our labels of the CAVIAR front-door clip (every 8th frame, interpolated
between): what a person detector boxes there, checked by eye on the frames.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from footfall.edge.tracks import Frame

Box = tuple[float, float, float, float]

#: Foreground: a pixel this far (max over channels, 0-255) from the background.
FOREGROUND_DIFFERENCE = 30
#: Margin round a labelled box (left/right, top, bottom): labels are a few pixels off, and
#: boxes of someone walking lose their head or feet now and then.
BOX_MARGIN = (4, 10, 3)

#: The man who walks out of the shop (crosses the door line at about x 255, frame 230) and
#: leaves to the left, CAVIAR ``EnterExitCrossingPaths1front``.
CAVIAR_DOOR_LEAVING: dict[int, Box] = {
    168: (212, 64, 232, 121),
    176: (215, 77, 231, 122),
    184: (217, 80, 233, 126),
    192: (224, 80, 240, 127),
    208: (232, 78, 252, 135),
    216: (239, 85, 257, 138),
    224: (245, 89, 264, 143),
    232: (245, 86, 266, 147),
    240: (244, 82, 266, 150),
    248: (241, 93, 262, 155),
    264: (226, 104, 247, 162),
    272: (211, 93, 234, 163),
    288: (183, 107, 206, 166),
    304: (150, 112, 177, 168),
    312: (133, 112, 160, 174),
    320: (117, 113, 147, 174),
    328: (98, 114, 125, 176),
    336: (81, 114, 110, 176),
}
#: The man who arrives from the right and walks in (crosses at about x 290, frame 238).
CAVIAR_DOOR_ARRIVING: dict[int, Box] = {
    200: (337, 102, 360, 162),
    208: (319, 100, 344, 160),
    216: (305, 90, 333, 156),
    224: (300, 87, 327, 153),
    232: (288, 92, 311, 149),
    240: (280, 89, 300, 144),
    248: (268, 84, 288, 139),
    256: (256, 80, 279, 140),
    272: (235, 80, 255, 135),
    280: (230, 84, 247, 132),
    288: (226, 81, 243, 129),
    296: (224, 81, 240, 129),
    304: (224, 76, 240, 123),
    312: (225, 77, 239, 121),
    320: (226, 74, 240, 118),
    328: (228, 69, 243, 116),
    336: (229, 69, 243, 115),
    344: (229, 67, 242, 109),
    352: (231, 67, 244, 107),
    360: (230, 67, 243, 106),
    368: (229, 66, 242, 104),
    376: (231, 66, 242, 101),
}


@dataclass(frozen=True)
class Companion:
    """A copy of the person labelled ``boxes``, shifted by ``dx``, ``dy`` pixels and ``delay`` frames."""

    boxes: dict[int, Box]
    dx: int = 0
    dy: int = 0
    delay: int = 0

    def box_at(self, frame: int) -> Box | None:
        """The labelled box in ``frame``, linearly between labels; None outside them."""
        keys = sorted(self.boxes)
        if not keys or frame < keys[0] or frame > keys[-1]:
            return None
        i = bisect.bisect_left(keys, frame)
        if keys[i] == frame:
            return self.boxes[frame]
        before, after = keys[i - 1], keys[i]
        w = (frame - before) / (after - before)
        a, b = self.boxes[before], self.boxes[after]
        return tuple(p + (q - p) * w for p, q in zip(a, b, strict=True))  # type: ignore[return-value]


def background(images: Sequence[np.ndarray], step: int = 3) -> np.ndarray:
    """The median of every ``step``-th image: the scene without the people walking through it."""
    return np.median(np.stack(images[::step]), axis=0).astype(np.uint8)


def foreground(image: np.ndarray, scene: np.ndarray) -> np.ndarray:
    """Pixels (bool HxW) that differ from the background, one pixel grown to close small holes."""
    import cv2

    moving = (cv2.absdiff(image, scene).max(axis=2) > FOREGROUND_DIFFERENCE).astype(np.uint8)
    return cv2.dilate(moving, np.ones((3, 3), np.uint8)).astype(bool)


def with_companions(frames: Sequence[Frame], companions: Sequence[Companion]) -> Iterator[Frame]:
    """``frames`` with each companion pasted in, behind the people already there."""
    images = [frame.image for frame in frames]
    scene = background(images)
    masks: dict[int, np.ndarray] = {}

    def mask(k: int) -> np.ndarray:
        if k not in masks:
            masks[k] = foreground(images[k], scene)
        return masks[k]

    for k, frame in enumerate(frames):
        image = frame.image.copy()
        for companion in companions:
            source = k - companion.delay
            box = companion.box_at(frame.index - companion.delay) if 0 <= source < len(frames) else None
            if box is not None:
                _paste(image, images[source], mask(source), box, companion.dx, companion.dy)
        here = mask(k)
        image[here] = frame.image[here]  # whoever is really there stays in front
        yield Frame(frame.index, frame.t, frame.wall, image)


def with_crowd(frames: Sequence[Frame], people: Sequence[Companion]) -> Iterator[Frame]:
    """``frames`` with every one of ``people`` painted in, far to near (by where their feet are).

    For footage where everyone is labelled (PETS): pass each labelled person as they are
    (``delay`` 0) and again ``delay`` frames later, and the scene is twice as busy, with a
    copy in front of a real person when the copy is nearer the camera, as in a real crowd.
    Pixels outside every person's box stay as they were.
    """
    images = [frame.image for frame in frames]
    scene = background(images)
    masks: dict[int, np.ndarray] = {}
    oldest = max((person.delay for person in people), default=0)
    for k, frame in enumerate(frames):
        for stale in [j for j in masks if j < k - oldest]:
            del masks[stale]  # a long clip's masks would not fit in memory
        placed = []
        for person in people:
            source = k - person.delay
            box = person.box_at(frame.index - person.delay) if 0 <= source < len(frames) else None
            if box is not None:
                placed.append((box[3] + person.dy, source, box, person))
        if not placed:
            yield frame
            continue
        image = frame.image.copy()
        for _, source, box, person in sorted(placed, key=lambda p: p[0]):
            if source not in masks:
                masks[source] = foreground(images[source], scene)
            _paste(image, images[source], masks[source], box, person.dx, person.dy)
        yield Frame(frame.index, frame.t, frame.wall, image)


def _paste(image: np.ndarray, source: np.ndarray, moving: np.ndarray, box: Box, dx: int, dy: int) -> None:
    height, width = image.shape[:2]
    side, top, bottom = BOX_MARGIN
    x1, y1 = max(0, round(box[0]) - side), max(0, round(box[1]) - top)
    x2, y2 = min(width, round(box[2]) + side), min(height, round(box[3]) + bottom)
    # Clip the region so that both it and its shifted copy lie inside the frame.
    x1, x2 = max(x1, -dx), min(x2, width - dx)
    y1, y2 = max(y1, -dy), min(y2, height - dy)
    if x2 <= x1 or y2 <= y1:
        return
    person = moving[y1:y2, x1:x2]
    target = image[y1 + dy : y2 + dy, x1 + dx : x2 + dx]
    target[person] = source[y1:y2, x1:x2][person]
