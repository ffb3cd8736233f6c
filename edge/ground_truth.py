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
from collections.abc import Iterator
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
    for frame, track, box, flag in _mot_rows(path, scale):
        if flag != 0:
            tracks[track].append(TruePosition(frame + frame_offset, box))
    for positions in tracks.values():
        positions.sort(key=lambda p: p.frame)
    return dict(tracks)


def load_ignored(path: Path, *, scale: float = 1.0) -> list[Box]:
    """Boxes of the rows flagged 0: where the annotation leaves people out (too far, cut off).

    A line through such a region has no complete truth, so evaluations leave it out.
    """
    return [box for _, _, box, flag in _mot_rows(path, scale) if flag == 0]


def where_tracks_begin_or_end(
    tracks: dict[int, list[TruePosition]], *, radius: float, first_frame: int, last_frame: int
) -> list[Box]:
    """Squares of half-side ``radius`` round the feet where annotated tracks begin or end.

    Annotators start a track once the person is well inside the picture (PETS: about 10 px
    in from the side edges) and end it before they leave; a track that begins at a line
    has no truth for the crossing the camera saw. The first and last frames are skipped:
    tracks cut there are cut by the clip, not by the annotation.
    """
    boxes: list[Box] = []
    for positions in tracks.values():
        for position, cut in ((positions[0], first_frame), (positions[-1], last_frame)):
            if position.frame != cut:
                x, y = position.foot
                boxes.append((x - radius, y - radius, x + radius, y + radius))
    return boxes


def _mot_rows(path: Path, scale: float) -> Iterator[tuple[int, int, Box, float]]:
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
                yield frame, track, (x * scale, y * scale, (x + w) * scale, (y + h) * scale), flag
    except OSError as error:
        raise EdgeConfigError(f"cannot read ground truth {path}: {error.strerror}") from error


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
