"""Counting-line geometry, in pixels of the source frame (pure, no I/O).

A line is a directed segment plus an *inside point* the installer clicked inside the store.
The inside point fixes which half-plane is "in", so the direction never depends on the
order the end points were clicked. Only the segment counts: walking round its end, or
across its infinite extension, is not a crossing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from footfall.edge.errors import EdgeConfigError

from footfall.contracts import LineConfig

Point = tuple[float, float]

INSIDE = 1
OUTSIDE = -1
ON_LINE = 0


@dataclass(frozen=True, slots=True)
class CountingLine:
    """One counting line in pixels. ``signed_distance`` is positive on the inside."""

    line_id: str
    x1: float
    y1: float
    x2: float
    y2: float
    inside_x: float
    inside_y: float
    name: str = ""
    entrance_id: str | None = None

    def __post_init__(self) -> None:
        if self.length < 1.0:
            raise EdgeConfigError(f"line '{self.line_id}': end points must be at least 1 pixel apart")
        if abs(self._cross(self.inside_x, self.inside_y)) / self.length < 1.0:
            raise EdgeConfigError(
                f"line '{self.line_id}': the inside point lies on the line; click a point inside the store"
            )

    @classmethod
    def from_config(cls, config: LineConfig, width: int, height: int) -> CountingLine:
        """Scale a 0–1 :class:`LineConfig` to a frame of ``width`` x ``height`` pixels."""
        return cls(
            line_id=config.line_id,
            x1=config.x1 * width,
            y1=config.y1 * height,
            x2=config.x2 * width,
            y2=config.y2 * height,
            inside_x=config.inside_x * width,
            inside_y=config.inside_y * height,
            name=config.name,
            entrance_id=config.entrance_id,
        )

    @property
    def length(self) -> float:
        return math.hypot(self.x2 - self.x1, self.y2 - self.y1)

    def _cross(self, x: float, y: float) -> float:
        return (self.x2 - self.x1) * (y - self.y1) - (self.y2 - self.y1) * (x - self.x1)

    @property
    def _inside_sign(self) -> float:
        return 1.0 if self._cross(self.inside_x, self.inside_y) > 0 else -1.0

    def signed_distance(self, point: Point) -> float:
        """Distance of ``point`` from the infinite line; positive on the inside."""
        return self._inside_sign * self._cross(point[0], point[1]) / self.length

    def along(self, point: Point) -> float:
        """Where ``point`` projects on the segment: 0 at the first end, 1 at the second."""
        dx, dy = self.x2 - self.x1, self.y2 - self.y1
        return ((point[0] - self.x1) * dx + (point[1] - self.y1) * dy) / (dx * dx + dy * dy)

    def side(self, point: Point, band: float = 0.0) -> int:
        """INSIDE, OUTSIDE, or ON_LINE when within ``band`` pixels of the line."""
        distance = self.signed_distance(point)
        if distance >= band and distance > 0:
            return INSIDE
        if distance <= -band and distance < 0:
            return OUTSIDE
        return ON_LINE

    def crossing_point(self, a: Point, b: Point) -> float | None:
        """Where the path a→b meets the infinite line, as an ``along`` value; None if it does not."""
        da, db = self.signed_distance(a), self.signed_distance(b)
        if da * db > 0 or da == db:
            return None
        f = da / (da - db)
        return self.along((a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))

    def crosses(self, a: Point, b: Point, margin: float = 0.0) -> bool:
        """Whether the path a→b passes through the segment (extended by ``margin`` pixels each end)."""
        where = self.crossing_point(a, b)
        if where is None:
            return False
        slack = margin / self.length
        return -slack <= where <= 1.0 + slack

    def bounds(self) -> tuple[float, float, float, float]:
        """Bounding box of the segment: x1, y1, x2, y2."""
        return min(self.x1, self.x2), min(self.y1, self.y2), max(self.x1, self.x2), max(self.y1, self.y2)


def parse_line(line: str, inside: str, *, line_id: str = "line-1", name: str = "") -> CountingLine:
    """Build a line from CLI text ``X1,Y1,X2,Y2`` and ``X,Y`` (pixels)."""
    try:
        x1, y1, x2, y2 = (float(v) for v in line.split(","))
    except ValueError:
        raise EdgeConfigError(f"--line must be X1,Y1,X2,Y2 in pixels, got '{line}'") from None
    try:
        ix, iy = (float(v) for v in inside.split(","))
    except ValueError:
        raise EdgeConfigError(f"--inside must be X,Y in pixels, got '{inside}'") from None
    return CountingLine(line_id, x1, y1, x2, y2, ix, iy, name=name or line_id)
