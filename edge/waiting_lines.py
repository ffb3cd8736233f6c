"""Lines drawn beside people who stand still: the probe for false counts while someone waits.

A shopper waiting outside a door, a friend lingering by the entrance, a queue at a kiosk:
they stand a few pixels from the line for seconds or minutes, and everything that disturbs
their box (a passer-by hiding their ankles, an id switch, a box merged with a neighbour)
moves their foot point across it. Random lines rarely sit right next to such a person, so
the unseen-lines estimate says little about it. This module finds the waits in annotated
tracks and places lines 2-8 px from the waiting feet at several angles; a line is *clean*
for a wait when the annotation has no crossing of it during the wait (nobody really crossed),
and every count on a clean line during the wait is false. Pure logic, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from footfall.edge.counting.lines import CountingLine, Point
from footfall.edge.ground_truth import TruePosition

from footfall.contracts import Direction

#: Distances of the probe lines from the waiting feet (pixels at a 480-pixel-wide frame; the
#: sign says which side) and their angles in degrees.
OFFSETS: tuple[float, ...] = (-8.0, -6.0, -4.0, -3.0, -2.0, 2.0, 3.0, 4.0, 6.0, 8.0)
ANGLES: tuple[float, ...] = (0.0, 30.0, 60.0, 90.0, 120.0, 150.0)


@dataclass(frozen=True, slots=True)
class Wait:
    """A person whose feet stayed within a small circle for a while."""

    track_id: int
    first_frame: int
    last_frame: int
    foot: Point  # mean foot point over the wait
    height: float  # mean box height


@dataclass(frozen=True, slots=True)
class ProbeLine:
    line: CountingLine
    wait: Wait


@dataclass(frozen=True, slots=True)
class WaitingResult:
    lines: int  # probe lines placed
    clean: int  # of which nobody truly crossed during their wait
    false_counts: int  # counts on clean lines during the wait
    lines_with_false_counts: int


def find_waits(
    tracks: Mapping[int, Sequence[TruePosition]], *, min_frames: int, radius: float = 0.25
) -> list[Wait]:
    """Stretches of at least ``min_frames`` frames where a track's feet stay within ``radius`` heights.

    Greedy from each track's start: a wait begins at a position and lasts while the feet stay
    within the circle round it; after a wait the search goes on from its end.
    """
    if min_frames < 2 or radius <= 0:
        raise ValueError("min_frames must be >= 2 and radius > 0")
    waits: list[Wait] = []
    for track_id, positions in sorted(tracks.items()):
        i = 0
        while i < len(positions):
            start = positions[i]
            reach = radius * _height(start)
            j = i
            while (
                j + 1 < len(positions)
                and positions[j + 1].frame == positions[j].frame + 1
                and math.dist(positions[j + 1].foot, start.foot) <= reach
            ):
                j += 1
            if positions[j].frame - start.frame + 1 >= min_frames:
                waits.append(_wait(track_id, positions[i : j + 1]))
                i = j + 1
            else:
                i += 1
    return waits


def lines_beside(
    wait: Wait,
    *,
    scale: float = 1.0,
    offsets: Iterable[float] = OFFSETS,
    angles: Iterable[float] = ANGLES,
    half_length: float = 1.5,
) -> list[CountingLine]:
    """Lines ``half_length`` body heights either side of a point ``offset`` px from the feet.

    The inside point is on the far side from the feet, so the waiting person stands outside.
    """
    fx, fy = wait.foot
    length = half_length * wait.height
    lines = []
    for angle in angles:
        a = math.radians(angle)
        ux, uy = math.cos(a), math.sin(a)
        nx, ny = -uy, ux
        for offset in offsets:
            cx, cy = fx + nx * offset * scale, fy + ny * offset * scale
            side = 1.0 if offset >= 0 else -1.0
            lines.append(
                CountingLine(
                    f"w{wait.track_id}-{wait.first_frame}-a{angle:g}-o{offset:g}",
                    cx - ux * length,
                    cy - uy * length,
                    cx + ux * length,
                    cy + uy * length,
                    cx + nx * side * wait.height,
                    cy + ny * side * wait.height,
                )
            )
    return lines


def probe_lines(waits: Sequence[Wait], *, scale: float = 1.0) -> list[ProbeLine]:
    return [ProbeLine(line, wait) for wait in waits for line in lines_beside(wait, scale=scale)]


def score_waiting(
    probes: Sequence[ProbeLine],
    truth: Mapping[tuple[str, Direction], Sequence[int]],
    counted: Mapping[tuple[str, Direction], Sequence[int]],
    *,
    margin_frames: int,
) -> WaitingResult:
    """False counts on clean probe lines during their wait.

    ``truth`` and ``counted``: frames of true and of counted crossings per (line id, direction),
    as ``Case.true_frames`` and ``events_by_line`` give them. A line is clean when no true
    crossing either way falls within ``margin_frames`` of its wait.
    """
    true_frames, counted_frames = _per_line(truth), _per_line(counted)
    clean = false_counts = lines_with_false = 0
    for probe in probes:
        first, last = probe.wait.first_frame, probe.wait.last_frame
        line_id = probe.line.line_id
        if any(
            first - margin_frames <= frame <= last + margin_frames for frame in true_frames.get(line_id, ())
        ):
            continue
        clean += 1
        n = sum(first <= frame <= last for frame in counted_frames.get(line_id, ()))
        false_counts += n
        lines_with_false += n > 0
    return WaitingResult(len(probes), clean, false_counts, lines_with_false)


def _per_line(frames: Mapping[tuple[str, Direction], Sequence[int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for (line_id, _), values in frames.items():
        out.setdefault(line_id, []).extend(values)
    return out


def _height(position: TruePosition) -> float:
    return max(1.0, position.box[3] - position.box[1])


def _wait(track_id: int, positions: Sequence[TruePosition]) -> Wait:
    n = len(positions)
    foot = (sum(p.foot[0] for p in positions) / n, sum(p.foot[1] for p in positions) / n)
    height = sum(_height(p) for p in positions) / n
    return Wait(track_id, positions[0].frame, positions[-1].frame, foot, height)
