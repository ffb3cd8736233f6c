"""Lines nobody tuned the counter on: seeded random placements, for an honest accuracy estimate.

The held-out evaluation draws its own lines on footage we never see. A handful of fixed
lines, however varied, are still lines the counter was developed against; sampling many
placements (short ones, long ones, any angle, hugging a frame edge) estimates how the
counter does on a line it has never met. Pure geometry, no I/O.

Lines through a region the annotation ignores (MOT rows flagged 0: people too far away or
cut by the frame edge) are left out: the truth there is incomplete, so a correct count
would be scored as a double.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from footfall.edge.counting.lines import CountingLine
from footfall.edge.errors import EdgeConfigError
from footfall.edge.tracks import Box

#: How sampled lines are placed, and their length range in pixels at a 480-pixel-wide frame.
KINDS: dict[str, tuple[float, float]] = {
    "any": (60.0, 300.0),
    "short": (40.0, 110.0),
    "edge": (60.0, 200.0),
    "long": (250.0, 420.0),
}
INSIDE_OFFSET = 30.0  # pixels from the line's middle to the inside point (at 480 px wide)
MIN_LENGTH = 30.0


def sample_lines(
    count: int,
    width: int,
    height: int,
    *,
    seed: int = 1,
    avoid: Sequence[Box] = (),
    avoid_margin: float = 10.0,
) -> list[CountingLine]:
    """``count`` lines of mixed kinds in a ``width`` x ``height`` frame, the same for the same seed.

    Ids say the kind (``u7-short``); the inside point is on a random side.
    """
    if count < 0 or width < 64 or height < 64:
        raise EdgeConfigError("sample at least 0 lines in a frame of at least 64x64 pixels")
    rng = random.Random(seed)
    scale = width / 480.0
    lines: list[CountingLine] = []
    attempts = 0
    while len(lines) < count:
        attempts += 1
        if attempts > 100 * (count + 1):
            raise EdgeConfigError("could not place the lines: the avoided regions cover the frame")
        kind = rng.choice(sorted(KINDS))
        low, high = KINDS[kind]
        length = rng.uniform(low, high) * scale
        cx, cy, angle = _placement(rng, kind, width, height)
        dx, dy = math.cos(angle) * length / 2, math.sin(angle) * length / 2
        x1, x2 = (min(width - 1.0, max(0.0, v)) for v in (cx - dx, cx + dx))
        y1, y2 = (min(height - 1.0, max(0.0, v)) for v in (cy - dy, cy + dy))
        span = math.hypot(x2 - x1, y2 - y1)
        if span < MIN_LENGTH * scale:
            continue
        side = rng.choice((-1.0, 1.0)) * INSIDE_OFFSET * scale / span
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2  # the middle of the segment as clipped to the frame
        inside_x, inside_y = mx - (y2 - y1) * side, my + (x2 - x1) * side
        line = CountingLine(f"u{len(lines)}-{kind}", x1, y1, x2, y2, inside_x, inside_y)
        if any(passes_near(line, box, avoid_margin) for box in avoid):
            continue
        lines.append(line)
    return lines


def _placement(rng: random.Random, kind: str, width: int, height: int) -> tuple[float, float, float]:
    """Centre and angle: anywhere at any angle, or across a flow close to one frame edge."""
    if kind != "edge":
        return rng.uniform(0.08, 0.92) * width, rng.uniform(0.25, 0.95) * height, rng.uniform(0, math.pi)
    edge = rng.choice("lrtb")
    near = rng.uniform(8, 40) * width / 480.0
    if edge in "lr":
        x = near if edge == "l" else width - near
        return x, rng.uniform(0.3, 0.85) * height, math.pi / 2 + rng.uniform(-0.3, 0.3)
    y = rng.uniform(0.22, 0.33) * height if edge == "t" else height - near
    return rng.uniform(0.2, 0.8) * width, y, rng.uniform(-0.3, 0.3)


def passes_near(line: CountingLine, box: Box, margin: float) -> bool:
    """Whether the segment comes within ``margin`` pixels of ``box``."""
    x1, y1, x2, y2 = box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin
    steps = max(2, int(line.length / 2))
    for k in range(steps + 1):
        f = k / steps
        x, y = line.x1 + f * (line.x2 - line.x1), line.y1 + f * (line.y2 - line.y1)
        if x1 <= x <= x2 and y1 <= y <= y2:
            return True
    return False
