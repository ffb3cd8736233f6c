"""Ground truth for counting accuracy: MOT-format person tracks, and the true crossings they imply.

Because every annotated person's track is known, the true in/out count of ANY line follows
from the tracks: each track's foot point (bottom centre of its box) passing through the
segment is one true crossing. Deriving truth this way means the counter is checked on many
line placements, never tuned to one.

The passage rule is deliberately plain (a sign change of the side, through the segment,
no hysteresis): the annotation is the truth, and a person who really steps over and back
counts twice here, as they would in a manual audit.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from footfall.edge.counting.lines import CountingLine, Point
from footfall.edge.errors import EdgeConfigError
from footfall.edge.tracks import Box

from footfall.contracts import Direction


@dataclass(frozen=True, slots=True)
class TruePosition:
    frame: int  # decoded frame index (0-based)
    box: Box

    @property
    def foot(self) -> Point:
        return ((self.box[0] + self.box[2]) / 2.0, self.box[3])


@dataclass(frozen=True, slots=True)
class TrueCrossing:
    line_id: str
    direction: Direction
    frame: int  # first frame on the new side
    track_id: int


def load_mot(path: Path, *, scale: float = 1.0, frame_offset: int = -1) -> dict[int, list[TruePosition]]:
    """Read ``frame,id,x,y,w,h,flag,...`` rows; rows flagged 0 are ignored.

    ``scale`` converts annotation pixels to the video's (PETS 2009: 0.625); decoded frame
    index = GT frame + ``frame_offset`` (MOT frames are 1-based).
    """
    tracks: dict[int, list[TruePosition]] = defaultdict(list)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if not row or not row[0].strip():
                    continue
                try:
                    frame, track, x, y, w, h = int(float(row[0])), int(float(row[1])), *map(float, row[2:6])
                    flag = float(row[6]) if len(row) > 6 else 1.0
                except (ValueError, IndexError):
                    raise EdgeConfigError(
                        f"{path}:{number}: not a MOT row (frame,id,x,y,w,h,flag,...)"
                    ) from None
                if flag == 0:
                    continue
                box = (x * scale, y * scale, (x + w) * scale, (y + h) * scale)
                tracks[track].append(TruePosition(frame + frame_offset, box))
    except OSError as error:
        raise EdgeConfigError(f"cannot read ground truth {path}: {error.strerror}") from error
    for positions in tracks.values():
        positions.sort(key=lambda p: p.frame)
    return dict(tracks)


def true_crossings(tracks: dict[int, list[TruePosition]], line: CountingLine) -> list[TrueCrossing]:
    """Every passage of a track's foot point through ``line``'s segment, in frame order."""
    found: list[TrueCrossing] = []
    for track_id, positions in tracks.items():
        last: TruePosition | None = None
        last_side = 0
        for position in positions:
            distance = line.signed_distance(position.foot)
            side = 1 if distance > 0 else -1 if distance < 0 else 0
            if side == 0:
                continue
            if last is not None and side != last_side and line.crosses(last.foot, position.foot):
                found.append(
                    TrueCrossing(line.line_id, "in" if side > 0 else "out", position.frame, track_id)
                )
            last, last_side = position, side
    found.sort(key=lambda c: (c.frame, c.track_id))
    return found
