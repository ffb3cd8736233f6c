"""Counting accuracy against ground truth, the way retail audits measure it.

Per line and direction: true crossings, counted crossings, misses (true ones nothing
matched), double counts (counted ones no true crossing explains), and accuracy
``1 − |counted − true| / true``. Matching pairs a counted and a true crossing of the same
line and direction when they are within ``tolerance_s`` of each other (greedy, closest
first), so misses and doubles are reported separately even when they cancel in the total.

Truth comes from MOT tracks (any line: :mod:`footfall.edge.ground_truth`) or from known
counts (footage labelled only with totals, like the CAVIAR shop door).

The standard suite is PETS 2009 S2.L1 with seven lines of different placement (centre,
edges, diagonal, short), the CAVIAR shop door, and two lines of our own on the CAVIAR
corridor camera (a shop front people vanish through, a walkway), each also on grayscale,
darkened (gamma 2.2) frames, as from a camera in IR night mode. The doors suite makes new
door sequences from the CAVIAR clips (mirrored, backwards, slower, a second person); the busy
suite makes PETS twice as busy (:func:`pets_busier`).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from footfall.edge.companions import (
    CAVIAR_DOOR_ARRIVING,
    CAVIAR_DOOR_LEAVING,
    Companion,
    with_companions,
    with_crowd,
)
from footfall.edge.counting.lines import CountingLine
from footfall.edge.errors import EdgeConfigError
from footfall.edge.ground_truth import (
    TruePosition,
    load_ignored,
    load_mot,
    true_crossings,
    where_tracks_begin_or_end,
)
from footfall.edge.tracks import Frame
from footfall.edge.unseen_lines import sample_lines
from footfall.edge.waiting_lines import ProbeLine, find_waits, probe_lines

from footfall.contracts import CrossingEvent, Direction

DIRECTIONS: tuple[Direction, Direction] = ("in", "out")

#: Lines drawn on PETS 2009 S2.L1 view 1 (480x360): x1, y1, x2, y2, inside x, inside y.
PETS_LINES: dict[str, tuple[float, float, float, float, float, float]] = {
    "centre-vertical": (240, 110, 240, 300, 300, 210),
    "middle-horizontal": (60, 200, 420, 200, 240, 260),
    "upper-horizontal": (100, 160, 400, 160, 250, 120),
    "diagonal": (100, 150, 380, 300, 300, 180),
    "short-left": (150, 150, 150, 260, 100, 200),
    "left-edge": (35, 110, 35, 300, 75, 200),
    "right-vertical": (400, 130, 400, 280, 440, 200),
}
PETS_FPS = 7.0  # real frame rate; the container says 10
PETS_SIZE = (480, 360)
PETS_SCALE = 0.625  # annotation pixels (768x576) to video pixels
PETS_FRAMES = 795
PETS_WAIT_S = 3.0  # standing still this long is a wait, for lines beside waiting people
PETS_WAIT_RADIUS = 0.15  # ... with the feet within this many body heights of where the wait began
PETS_TRACK_END_RADIUS = 20.0  # pixels round the feet where annotated tracks begin or end
PETS_BUSIER_DELAY = 70  # frames (10 s): copies walk the same paths among the next people
COPY_ID_OFFSET = 100_000  # track ids of the delayed copies
CAVIAR_DOOR = (212, 145, 328, 145, 270, 110)
CAMERA_ID_MAX = 64  # CrossingEvent.camera_id
CAVIAR_SIZE = (384, 288)
#: Our own lines on the CAVIAR corridor camera (384x288), true counts by watching the clip:
#: along the shop front on the left, where one man walks into the shop (frames 130-152) and
#: another comes out 0.6 s later (from 168); across the walkway, which only the second one
#: crosses, towards the camera (about frame 228). Nobody else comes near either line.
CAVIAR_CORRIDOR_LINES: dict[str, tuple[tuple[float, float, float, float, float, float], int, int]] = {
    "shop-front": ((80, 140, 80, 265, 20, 200), 1, 1),
    "walkway": ((75, 210, 330, 210, 200, 100), 0, 1),
}


@dataclass(frozen=True)
class Case:
    """Footage, lines and what is true about them."""

    name: str
    source: str
    lines: list[CountingLine]
    fps: float | None = None
    #: (line_id, direction) -> frames of true crossings; or None where only counts are known.
    true_frames: dict[tuple[str, Direction], list[int]] | None = None
    true_counts: dict[tuple[str, Direction], int] = field(default_factory=dict)
    dark: bool = False
    mirror_width: int | None = None  # frames flipped left to right, this many pixels wide
    backwards: bool = False  # frames played last to first
    every: int = 1  # only every n-th frame: a slower camera, or an agent that cannot keep up
    companions: tuple[Companion, ...] = ()  # people copied in beside the real ones (:mod:`.companions`)
    crowd: tuple[Companion, ...] = ()  # everyone labelled, painted far to near (:func:`.with_crowd`)

    @property
    def camera_id(self) -> str:
        """The name as a camera id: the event contract allows 64 characters, and variants of
        variants ("..., backwards, 12.5 frames/s, gray, dark)") grow longer."""
        if len(self.name) <= CAMERA_ID_MAX:
            return self.name
        digest = hashlib.sha1(self.name.encode()).hexdigest()[:8]
        return f"{self.name[: CAMERA_ID_MAX - 9]}~{digest}"

    def truth(self, line_id: str, direction: Direction) -> int:
        if self.true_frames is not None:
            return len(self.true_frames.get((line_id, direction), []))
        return self.true_counts[(line_id, direction)]

    @property
    def transformed(self) -> bool:
        """Mirrored, backwards, thinned or accompanied: a new sequence made from the footage."""
        return (
            self.mirror_width is not None
            or self.backwards
            or self.every > 1
            or bool(self.companions or self.crowd)
        )

    def accompanied(self, tag: str, companion: Companion, direction: Direction, line_id: str) -> Case:
        """A copy of someone walking beside or behind them, crossing ``line_id`` towards ``direction``."""
        if self.true_frames is not None:
            raise ValueError(f"{self.name}: only cases with true counts can be accompanied")
        counts = dict(self.true_counts)
        counts[(line_id, direction)] = counts.get((line_id, direction), 0) + 1
        return replace(
            self, name=_tagged(self.name, tag), true_counts=counts, companions=(*self.companions, companion)
        )

    def darkened(self) -> Case:
        return replace(self, name=_tagged(self.name, "gray, dark"), dark=True)

    def mirrored(self, width: int) -> Case:
        """The footage flipped left to right (``width`` pixels), lines and inside points with it.

        Every person walks the other way across the picture and the detector sees new images:
        the same scene is a new test of the counter, with the same truth.
        """
        lines = [
            replace(line, x1=width - line.x1, x2=width - line.x2, inside_x=width - line.inside_x)
            for line in self.lines
        ]
        return replace(self, name=_tagged(self.name, "mirrored"), lines=lines, mirror_width=width)

    def thinned(self, every: int) -> Case:
        """Only every ``every``-th frame: the same scene at a lower frame rate (count truth only)."""
        if self.true_frames is not None:
            raise ValueError(f"{self.name}: only cases with true counts can be thinned")
        if every < 1 or self.fps is None:
            raise ValueError("thin a case with a known frame rate by a whole number >= 1")
        return replace(
            self, name=_tagged(self.name, f"{self.fps / every:.3g} frames/s"), every=self.every * every
        )

    def reversed(self) -> Case:
        """The footage played backwards: every in is an out and the other way round.

        Only for truth given as counts (frames would need remapping); whole clips are held in
        memory, so meant for short ones.
        """
        if self.true_frames is not None:
            raise ValueError(f"{self.name}: only cases with true counts can be reversed")
        swapped = {(line_id, _other(d)): n for (line_id, d), n in self.true_counts.items()}
        return replace(self, name=_tagged(self.name, "backwards"), true_counts=swapped, backwards=True)


@dataclass(frozen=True, slots=True)
class Row:
    case: str
    line_id: str
    direction: Direction
    true: int
    counted: int
    misses: int | None  # None where truth is only a count
    doubles: int | None

    @property
    def accuracy(self) -> float | None:
        if self.true == 0:
            return None if self.counted == 0 else 0.0
        return 1.0 - abs(self.counted - self.true) / self.true

    def as_dict(self) -> dict:
        return {
            "case": self.case,
            "line": self.line_id,
            "direction": self.direction,
            "true": self.true,
            "counted": self.counted,
            "misses": self.misses,
            "doubles": self.doubles,
            "accuracy": None if self.accuracy is None else round(self.accuracy, 4),
        }


@dataclass
class CaseResult:
    case: Case
    rows: list[Row]
    frames: int
    elapsed_s: float


def match(
    true_frames: Sequence[int], counted_frames: Sequence[int], tolerance: float
) -> tuple[int, int, int]:
    """Pair counted with true crossings (closest first, within ``tolerance`` frames).

    Returns (matched, misses, doubles).
    """
    pairs = sorted(
        (abs(c - t), i, j)
        for i, t in enumerate(true_frames)
        for j, c in enumerate(counted_frames)
        if abs(c - t) <= tolerance
    )
    used_true: set[int] = set()
    used_counted: set[int] = set()
    for _, i, j in pairs:
        if i not in used_true and j not in used_counted:
            used_true.add(i)
            used_counted.add(j)
    matched = len(used_true)
    return matched, len(true_frames) - matched, len(counted_frames) - matched


def score(
    case: Case,
    counted: dict[tuple[str, Direction], list[int]],
    *,
    tolerance_s: float = 2.0,
    fps: float = 10.0,
) -> list[Row]:
    """Rows for every line and direction of ``case`` from counted crossing frames."""
    rows = []
    for line in case.lines:
        for direction in DIRECTIONS:
            frames = counted.get((line.line_id, direction), [])
            if case.true_frames is not None:
                true = case.true_frames.get((line.line_id, direction), [])
                _, misses, doubles = match(true, frames, tolerance_s * fps)
                rows.append(Row(case.name, line.line_id, direction, len(true), len(frames), misses, doubles))
            else:
                true_n = case.truth(line.line_id, direction)
                rows.append(Row(case.name, line.line_id, direction, true_n, len(frames), None, None))
    return rows


def events_by_line(events: Sequence[CrossingEvent]) -> dict[tuple[str, Direction], list[int]]:
    counted: dict[tuple[str, Direction], list[int]] = {}
    for event in events:
        counted.setdefault((event.line_id, event.direction), []).append(event.frame_index)
    return counted


def darken(image: np.ndarray, gamma: float = 2.2) -> np.ndarray:
    """Grayscale and darken like an IR night image: out = 255 * (in / 255) ** gamma, 3 channels."""
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    table = (255.0 * (np.arange(256) / 255.0) ** gamma).astype(np.uint8)
    return cv2.cvtColor(cv2.LUT(gray, table), cv2.COLOR_GRAY2BGR)


def frames_of(case: Case) -> Iterator[Frame]:
    """Frames of a case's footage (darkened, mirrored, backwards if the case says so); closes the source."""
    import cv2
    from footfall.edge.sources import open_source, reading_ahead

    source = reading_ahead(open_source(case.source, fps=case.fps))
    try:
        frames: Iterable[Frame] = source
        if case.companions:
            frames = with_companions(list(frames), case.companions)
        if case.crowd:
            frames = with_crowd(list(frames), case.crowd)
        if case.backwards:
            frames = _backwards(list(frames))
        if case.every > 1:
            frames = (
                Frame(k, frame.t, frame.wall, frame.image)
                for k, frame in enumerate(itertools.islice(frames, 0, None, case.every))
            )
        for frame in frames:
            image = frame.image
            if case.mirror_width is not None:
                image = cv2.flip(image, 1)
            if case.dark:
                image = darken(image)
            yield frame if image is frame.image else Frame(frame.index, frame.t, frame.wall, image)
    finally:
        source.close()


def _backwards(frames: list[Frame]) -> Iterator[Frame]:
    """The frames last to first, with the indexes and times of the forward order."""
    for frame, slot in zip(reversed(frames), frames, strict=True):
        yield Frame(slot.index, slot.t, slot.wall, frame.image)


def _tagged(name: str, tag: str) -> str:
    """``door`` -> ``door (tag)``; ``door (mirrored)`` -> ``door (mirrored, tag)``."""
    return f"{name[:-1]}, {tag})" if name.endswith(")") else f"{name} ({tag})"


def _other(direction: Direction) -> Direction:
    return "out" if direction == "in" else "in"


PipelineFactory = Callable[[Case], object]


@dataclass
class CaseCount:
    events: list[CrossingEvent]
    frames: int
    elapsed_s: float
    fps: float


def count_case(case: Case, make_pipeline: PipelineFactory) -> CaseCount:
    """Count one case's footage with a fresh pipeline."""
    pipeline = make_pipeline(case)
    events: list[CrossingEvent] = []
    started = time.perf_counter()
    frames = 0
    fps = case.fps or 25.0
    ahead = getattr(pipeline, "ahead", None)  # the detector at work on the next frames: same counts
    for frame in ahead(frames_of(case)) if callable(ahead) else frames_of(case):
        events.extend(pipeline.process(frame))  # type: ignore[attr-defined]
        frames += 1
        if frame.index == 0 and case.fps is None:
            fps = 1.0 / frame.t if frame.t > 0 else fps
    events.extend(pipeline.close())  # type: ignore[attr-defined]
    return CaseCount(events, frames, time.perf_counter() - started, fps)


def run_case(case: Case, make_pipeline: PipelineFactory) -> CaseResult:
    """Count one case's footage with a fresh pipeline and score it."""
    counted = count_case(case, make_pipeline)
    rows = score(case, events_by_line(counted.events), fps=counted.fps)
    return CaseResult(case, rows, counted.frames, counted.elapsed_s)


# -- the standard suite ---------------------------------------------------------------------


def footage_dir(explicit: Path | None = None) -> Path:
    folder = explicit or Path(os.environ.get("FOOTFALL_FOOTAGE_DIR", "../shared/data"))
    if not folder.is_dir():
        raise EdgeConfigError(
            f"footage folder {folder} not found; pass --footage or set FOOTFALL_FOOTAGE_DIR"
        )
    return folder


def pets_case(folder: Path, names: Sequence[str] | None = None) -> Case:
    lines = [CountingLine(name, *PETS_LINES[name], name=name) for name in (names or PETS_LINES)]
    return _pets_case_with(folder, lines, "PETS09-S2L1")


def pets_unseen_case(folder: Path, count: int, *, seed: int = 1) -> Case:
    """PETS with ``count`` sampled lines (:mod:`footfall.edge.unseen_lines`).

    None passes through a region the annotation ignores, or where annotated tracks begin or
    end (the picture's edges): the truth there is incomplete.
    """
    avoid = load_ignored(_pets_gt(folder), scale=PETS_SCALE)
    avoid += where_tracks_begin_or_end(
        pets_tracks(folder), radius=PETS_TRACK_END_RADIUS, first_frame=0, last_frame=PETS_FRAMES - 1
    )
    lines = sample_lines(count, *PETS_SIZE, seed=seed, avoid=avoid)
    return _pets_case_with(folder, lines, f"PETS09-S2L1 unseen x{count} seed {seed}")


def pets_waiting_case(folder: Path) -> tuple[Case, list[ProbeLine]]:
    """PETS with lines beside everyone who stands still for ``PETS_WAIT_S`` (:mod:`.waiting_lines`)."""
    waits = find_waits(pets_tracks(folder), min_frames=round(PETS_WAIT_S * PETS_FPS), radius=PETS_WAIT_RADIUS)
    probes = probe_lines(waits, scale=PETS_SIZE[0] / 480)
    case = _pets_case_with(folder, [p.line for p in probes], "PETS09-S2L1 waiting")
    return case, probes


def pets_busier(folder: Path, case: Case, delay: int = PETS_BUSIER_DELAY) -> Case:
    """A PETS case with everyone walking through twice: again ``delay`` frames later.

    Held-out pedestrian footage may be busier than PETS S2L1 (groups of four at most). Each
    annotated person is copied from their own pixels into the frames ``delay`` later
    (:func:`footfall.edge.companions.with_crowd`, far to near), so the same paths carry
    twice the people, in new groupings and occlusions; the truth is the annotated tracks'
    and their delayed copies'. The first ``delay`` frames are as they were.
    """
    tracks = pets_tracks(folder)
    truth = true_frames(with_delayed_copies(tracks, delay, frames=PETS_FRAMES), case.lines)
    crowd = tuple(
        Companion({p.frame: p.box for p in positions}, delay=lag)
        for positions in tracks.values()
        for lag in (0, delay)
    )
    seconds = delay / PETS_FPS
    return replace(
        case, name=_tagged(case.name, f"twice as busy, +{seconds:.3g} s"), true_frames=truth, crowd=crowd
    )


def with_delayed_copies(
    tracks: dict[int, list[TruePosition]], delay: int, *, frames: int
) -> dict[int, list[TruePosition]]:
    """``tracks`` and each of them again ``delay`` frames later (ids + ``COPY_ID_OFFSET``), cut at ``frames``."""
    out = dict(tracks)
    for track_id, positions in tracks.items():
        later = [TruePosition(p.frame + delay, p.box) for p in positions if p.frame + delay < frames]
        if later:
            out[COPY_ID_OFFSET + track_id] = later
    return out


def true_frames(
    tracks: dict[int, list[TruePosition]], lines: Sequence[CountingLine]
) -> dict[tuple[str, Direction], list[int]]:
    """(line id, direction) -> frames of the true crossings the annotated ``tracks`` make."""
    truth: dict[tuple[str, Direction], list[int]] = {}
    for line in lines:
        for crossing in true_crossings(tracks, line):
            truth.setdefault((line.line_id, crossing.direction), []).append(crossing.frame)
    return truth


def pets_tracks(folder: Path) -> dict[int, list[TruePosition]]:
    """The annotated PETS tracks, in pixels and frame indexes of the video."""
    return load_mot(_pets_gt(folder), scale=PETS_SCALE, frame_offset=-1)


def _pets_gt(folder: Path) -> Path:
    return folder / "pets09_s2l1" / "gt" / "gt.txt"


def _pets_case_with(folder: Path, lines: list[CountingLine], name: str) -> Case:
    truth = true_frames(pets_tracks(folder), lines)
    return Case(name, str(folder / "pets09_s2l1" / "vtest.avi"), lines, PETS_FPS, truth)


def caviar_door_case(folder: Path) -> Case:
    door = CountingLine("door", *CAVIAR_DOOR, name="shop door")
    return Case(
        "CAVIAR front door",
        str(folder / "caviar" / "EnterExitCrossingPaths1front.mpg"),
        [door],
        25.0,
        None,
        {("door", "in"): 1, ("door", "out"): 1},
    )


def caviar_corridor_case(folder: Path) -> Case:
    lines, counts = [], {}
    for line_id, (geometry, true_in, true_out) in CAVIAR_CORRIDOR_LINES.items():
        lines.append(CountingLine(line_id, *geometry, name=line_id))
        counts[(line_id, "in")], counts[(line_id, "out")] = true_in, true_out
    return Case(
        "CAVIAR corridor",
        str(folder / "caviar" / "EnterExitCrossingPaths1cor.mpg"),
        lines,
        25.0,
        None,
        counts,
    )


def door_variants(folder: Path, *, combined: bool = False) -> list[Case]:
    """The CAVIAR shop-door cases mirrored, played backwards, both, and at lower frame rates.

    Backwards, the person leaving the shop walks in and the one entering walks out; mirrored,
    everyone walks the other way across the picture; at 12.5, 8.3 and 6.25 frames/s (every
    2nd, 3rd, 4th frame, forwards and backwards) people move further between frames, as on a
    slower camera or a busy edge box. The detector and tracker see new sequences; the truth
    follows from the original's. Then the door with a second person beside, or a step behind,
    the one leaving and the one arriving (:mod:`footfall.edge.companions`); ``combined``: those
    also mirrored, backwards and slower (36 more).
    """
    width = CAVIAR_SIZE[0]
    variants = []
    for case in (caviar_door_case(folder), caviar_corridor_case(folder)):
        variants += [case.mirrored(width), case.reversed(), case.reversed().mirrored(width)]
        variants += [c.thinned(n) for c in (case, case.reversed()) for n in (2, 3, 4)]
    door = caviar_door_case(folder)
    leaving, arriving = CAVIAR_DOOR_LEAVING, CAVIAR_DOOR_ARRIVING
    variants += [
        door.accompanied("two leaving side by side", Companion(leaving, dx=-28), "out", "door"),
        door.accompanied("two arriving side by side", Companion(arriving, dx=22), "in", "door"),
        door.accompanied(
            "two leaving one after the other", Companion(leaving, dx=-6, delay=8), "out", "door"
        ),
        door.accompanied(
            "two arriving one after the other", Companion(arriving, dx=6, delay=8), "in", "door"
        ),
    ]
    if combined:
        for case in [c for c in variants if c.companions]:
            variants += [case.mirrored(width), case.reversed(), case.reversed().mirrored(width)]
            variants += [c.thinned(n) for c in (case, case.reversed()) for n in (2, 3, 4)]
    return variants


def standard_suite(folder: Path, *, dark: bool = True) -> list[Case]:
    cases = [pets_case(folder), caviar_door_case(folder), caviar_corridor_case(folder)]
    return cases + [c.darkened() for c in cases] if dark else cases


def summarise(rows: Sequence[Row]) -> dict[str, float | None]:
    """Overall accuracy per direction (pooled over rows) and the worst row."""
    out: dict[str, float | None] = {}
    for direction in DIRECTIONS:
        picked = [r for r in rows if r.direction == direction]
        true = sum(r.true for r in picked)
        error = sum(abs(r.counted - r.true) for r in picked)
        out[f"{direction}_accuracy"] = None if true == 0 else round(1.0 - error / true, 4)
    scored = [r.accuracy for r in rows if r.accuracy is not None]
    out["worst_row_accuracy"] = round(min(scored), 4) if scored else None
    return out


def format_table(rows: Sequence[Row]) -> str:
    w = max([30, *(len(r.case) for r in rows)])
    header = (
        f"{'case':<{w}} {'line':<18} {'dir':<4} {'true':>5} {'count':>6} {'miss':>5} {'double':>6} {'acc':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        acc = "n/a" if r.accuracy is None else f"{100 * r.accuracy:.1f}%"
        miss = "-" if r.misses is None else str(r.misses)
        dbl = "-" if r.doubles is None else str(r.doubles)
        lines.append(
            f"{r.case:<{w}} {r.line_id:<18} {r.direction:<4} {r.true:>5} {r.counted:>6} {miss:>5} {dbl:>6} {acc:>7}"
        )
    return "\n".join(lines)


# -- command ----------------------------------------------------------------------------------


def cases_from_args(args: argparse.Namespace) -> list[Case]:
    if args.suite == "standard":
        return standard_suite(footage_dir(args.footage), dark=args.dark)
    if args.suite == "busy":
        folder = footage_dir(args.footage)
        busy = pets_busier(folder, pets_case(folder))
        return [busy, busy.darkened()] if args.dark else [busy]
    if args.suite == "doors":
        cases = door_variants(footage_dir(args.footage))
        return cases + [c.darkened() for c in cases] if args.dark else cases
    if not args.source:
        raise EdgeConfigError(
            "give SOURCE (with --gt or --expect-in/--expect-out), or --suite standard|doors|busy"
        )
    from footfall.edge.count_command import lines_from_args

    _, lines = lines_from_args(args)
    if args.gt is not None:
        tracks = load_mot(args.gt, scale=args.gt_scale, frame_offset=args.gt_frame_offset)
        case = Case(Path(args.source).name, args.source, lines, args.fps, true_frames(tracks, lines))
    elif args.expect_in is not None and args.expect_out is not None:
        if len(lines) != 1:
            raise EdgeConfigError("--expect-in/--expect-out describe one line; give exactly one --line")
        counts = {(lines[0].line_id, "in"): args.expect_in, (lines[0].line_id, "out"): args.expect_out}
        case = Case(Path(args.source).name, args.source, lines, args.fps, None, counts)  # type: ignore[arg-type]
    else:
        raise EdgeConfigError("say what is true: --gt MOT_FILE, or --expect-in N --expect-out N")
    return [case, case.darkened()] if args.dark else [case]


def run_evaluate_command(args: argparse.Namespace) -> int:
    """``footfall edge evaluate``: accuracy table per line and direction."""
    from footfall.edge.count_command import build_pipeline, resolve_input_size
    from footfall.edge.input_size import PROBE_FRAMES

    cases = cases_from_args(args)
    results = []
    mode = args.imgsz
    for case in cases:
        print(f"counting {case.name} ...", file=sys.stderr)
        if isinstance(mode, str):  # native, fit or auto: decided on each case's first frames
            head = list(itertools.islice(frames_of(case), PROBE_FRAMES))
            args.imgsz = mode
            args.imgsz = resolve_input_size(args, case.lines, head)
        results.append(run_case(case, lambda c: build_pipeline(args, c.camera_id, c.lines)))
    rows = [row for result in results for row in result.rows]
    summary = summarise(rows)
    if args.json:
        print(
            json.dumps(
                {
                    "rows": [r.as_dict() for r in rows],
                    "summary": summary,
                    "runs": [
                        {"case": r.case.name, "frames": r.frames, "elapsed_s": round(r.elapsed_s, 2)}
                        for r in results
                    ],
                }
            )
        )
    else:
        print(format_table(rows))
        print(
            f"overall: in {_pct(summary['in_accuracy'])}, out {_pct(summary['out_accuracy'])}, "
            f"worst line {_pct(summary['worst_row_accuracy'])}"
        )
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"
