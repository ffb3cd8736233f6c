"""Counting accuracy: Footfall's counter vs Ultralytics' own ``solutions.ObjectCounter``.

Same footage, same lines, same model, same tracker and tracker settings for both. Per line and
direction: true crossings (from the MOT ground truth tracks, or the known door counts),
counted, misses, double counts, accuracy ``1 − |counted − true| / true``.

ObjectCounter's own direction rule is "moving right" (mostly vertical line) or "moving
down" (mostly horizontal line) = IN; its IN/OUT are mapped onto our inside point's
direction so both columns mean the same thing. ObjectCounter handles one line per
instance: one instance per line, all fed the tracks of one tracker pass (identical to
running each separately, since model, tracker and frames are the same).

Unseen lines (``--unseen N``, default 60): the standard lines are lines the counter was
developed against, so the held-out question "what about a line nobody tuned on?" is
answered by N seeded random lines on PETS (short, long, any angle, near a frame edge; none
through regions the annotation ignores), ``--seeds`` sets of them (5 by default: the figure
of one set of 60 moves by a point or more from seed to seed), counted from the tracks recorded in the standard
pass (the detector runs once). Printed beside it: the same counter fed the annotated
tracks themselves, i.e. what the counting rules alone cost against this truth (people
standing on a line or grazing a segment end make per-line accuracy noisy for any counter).
And the same lines on PETS mirrored left to right (``--no-mirrored`` skips it; one more
detector pass): the same truth, a sequence the detector and the counter's rules were never
tuned on.

Shop doors, mirrored, played backwards and slower (``--no-doors`` skips them): the CAVIAR
door and corridor clips flipped left to right, run last frame first, both, and at 12.5, 8.3
and 6.25 frames/s forwards and backwards (:func:`footfall.edge.evaluate.door_variants`).
Everyone walks the other way or moves further between frames, and the detector and tracker
see new sequences; the truth follows from the original's (backwards, every in is an out).
And the door with a second person beside, or just behind, the one leaving and the one
arriving, pasted from their own pixels (:mod:`footfall.edge.companions`; one more crossing
each; ``--door-combinations``: those also mirrored, backwards and slower). Printed as a
second table.

Busier pedestrians (``--no-busy`` skips it): PETS with everyone walking through again 10 s
later, pasted from their own pixels far to near (:func:`footfall.edge.evaluate.pets_busier`):
twice the people on the same paths, in new groups and occlusions, with truth from the
annotated tracks and their copies. The standard lines (ObjectCounter beside) and the unseen
lines on it, and the counter on its annotated tracks.

Lines beside people standing still: everyone in the PETS annotation whose feet stay within
0.15 body heights for 3 s or more gets 60 lines 2-8 px from their feet (6 angles, either
side; :mod:`footfall.edge.waiting_lines`). On a line nobody crossed during the wait (the
annotation says so), every count during the wait is false: a passer-by hiding the waiting
person's ankles, a box merged with a neighbour, an id switch. Printed for the recorded tracks
(normal and gray/dark) and for the annotated tracks, whose figure is the probe's own floor
(a person who crossed just before the wait counted a frame or two late). ObjectCounter is
not run on these 660 lines (one instance per line).

Input size (``--imgsz``): ``native`` (the export's own square), ``fit`` (same scale, input
shaped like the frame), a number (long side, shaped like the frame), or ``auto`` (long
side from the median person height in the case's first frames, see
:mod:`footfall.edge.input_size`). OpenVINO exports are resized by the detector.

Run:  YOLO_OFFLINE=1 FOOTFALL_MODEL_DIR=../shared/models .venv/bin/python benchmarks/bench_accuracy.py
      [--model yolov8n-int8] [--no-dark] [--no-doors] [--door-combinations] [--no-busy] [--no-mirrored] [--unseen 60] [--seed 1] [--seeds 5] [--no-object-counter] [--imgsz native|fit|auto|N] [--tracker tracktrack] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "False")

from footfall.edge.counting.lines import CountingLine
from footfall.edge.detector import YoloDetector
from footfall.edge.evaluate import (
    PETS_BUSIER_DELAY,
    PETS_FPS,
    PETS_FRAMES,
    PETS_SIZE,
    Case,
    Row,
    count_case,
    door_variants,
    events_by_line,
    footage_dir,
    frames_of,
    pets_busier,
    pets_case,
    pets_tracks,
    pets_unseen_case,
    pets_waiting_case,
    run_case,
    score,
    standard_suite,
    summarise,
    with_delayed_copies,
)
from footfall.edge.input_size import PROBE_FRAMES, choose
from footfall.edge.models import resolve_model
from footfall.edge.pipeline import CountingPipeline
from footfall.edge.replay import AnnotatedTracker, RecordingTracker, ReplayTracker
from footfall.edge.tracks import DEFAULT_TRACKER, TRACKERS
from footfall.edge.waiting_lines import WaitingResult, score_waiting


def object_counter_in_is_our_in(line: CountingLine) -> bool:
    """Whether ObjectCounter's IN (moving right, or moving down) points to our inside."""
    mid = ((line.x1 + line.x2) / 2, (line.y1 + line.y2) / 2)
    mostly_vertical = abs(line.x1 - line.x2) < abs(line.y1 - line.y2)
    step = (mid[0] + 1, mid[1]) if mostly_vertical else (mid[0], mid[1] + 1)
    return line.signed_distance(step) > 0


def run_object_counter(
    case: Case, model_location: str, imgsz: int, tracker: str
) -> tuple[list[Row], float, int]:
    from ultralytics import solutions

    counters = [
        solutions.ObjectCounter(
            model=model_location,
            region=[(line.x1, line.y1), (line.x2, line.y2)],
            classes=[0],
            show=False,
            verbose=False,
            tracker=tracker,
            imgsz=imgsz,
        )
        for line in case.lines
    ]
    primary, others = counters[0], counters[1:]

    def shared_tracks(counter):
        def extract(_image):
            counter.tracks, counter.track_data = primary.tracks, primary.track_data
            counter.boxes, counter.clss = primary.boxes, primary.clss
            counter.track_ids, counter.confs = primary.track_ids, primary.confs
            removed = primary.model.predictor.trackers[0].removed_stracks_frame
            counter.forget_tracks([track.track_id for track in removed])

        return extract

    for counter in others:
        counter.extract_tracks = shared_tracks(counter)
    counted: dict[tuple[str, str], list[int]] = {}
    started = time.perf_counter()
    frames = 0
    for frame in frames_of(case):
        frames += 1
        for line, counter in zip(case.lines, counters, strict=True):
            before = (counter.in_count, counter.out_count)
            counter.process(frame.image)
            same = object_counter_in_is_our_in(line)
            for _ in range(counter.in_count - before[0]):
                counted.setdefault((line.line_id, "in" if same else "out"), []).append(frame.index)
            for _ in range(counter.out_count - before[1]):
                counted.setdefault((line.line_id, "out" if same else "in"), []).append(frame.index)
    elapsed = time.perf_counter() - started
    return score(case, counted, fps=case.fps or 25.0), elapsed, frames


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="manifest name or path (default: the manifest default)")
    parser.add_argument("--no-dark", action="store_true", help="skip the grayscale, darkened variants")
    parser.add_argument("--unseen", type=int, default=60, help="random PETS lines to count (0: none)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the unseen lines")
    parser.add_argument(
        "--seeds", type=int, default=5, help="sets of unseen lines, seeds --seed, --seed + 1, ... (default 5)"
    )
    parser.add_argument(
        "--no-mirrored", action="store_true", help="skip the unseen lines on the mirrored PETS footage"
    )
    parser.add_argument(
        "--no-doors", action="store_true", help="skip the CAVIAR doors mirrored, backwards and slower"
    )
    parser.add_argument(
        "--door-combinations",
        action="store_true",
        help="also the two-people door cases mirrored, backwards and slower (36 more cases)",
    )
    parser.add_argument(
        "--no-busy", action="store_true", help="skip PETS twice as busy (everyone again 10 s later)"
    )
    parser.add_argument("--no-object-counter", action="store_true", help="skip Ultralytics' ObjectCounter")
    parser.add_argument("--imgsz", default="native", help="native, fit, auto, or a long side in pixels")
    parser.add_argument(
        "--tracker", choices=TRACKERS, default=DEFAULT_TRACKER, help="tracker of both counters"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    model = resolve_model(args.model)
    imgsz = model.imgsz or 640
    folder = footage_dir(
        Path(os.environ["FOOTFALL_FOOTAGE_DIR"]) if "FOOTFALL_FOOTAGE_DIR" in os.environ else None
    )
    cases = standard_suite(folder, dark=not args.no_dark)
    native = YoloDetector(model, tracker=args.tracker)
    detectors: dict[object, YoloDetector] = {None: native}
    ours: list[Row] = []
    theirs: list[Row] = []
    door_ours: list[Row] = []
    door_theirs: list[Row] = []
    timing = []
    recorded: dict[tuple[str, bool], dict] = {}
    sizes: dict[str, tuple[int, int] | None] = {}
    doors = [] if args.no_doors else door_variants(folder, combined=args.door_combinations)
    doors += [] if args.no_dark else [c.darkened() for c in doors]
    for case in cases + doors:
        size = input_size_for(case, args.imgsz, native, model.imgsz or 640)
        if size not in detectors:
            detectors[size] = YoloDetector(model, imgsz=size, tracker=args.tracker)
        print(f"== {case.name}: Footfall, input {size or 'native'} ...", file=sys.stderr, flush=True)
        sizes[case.name] = size
        recording = RecordingTracker(detectors[size])
        result = run_case(case, lambda c, r=recording: CountingPipeline(c.camera_id, c.lines, r))
        is_door_variant = case.transformed
        if not is_door_variant:
            recorded[(case.source, case.dark)] = recording.recorded
        (door_ours if is_door_variant else ours).extend(result.rows)
        if args.no_object_counter:
            rows = [Row(r.case, r.line_id, r.direction, r.true, 0, None, None) for r in result.rows]
            elapsed = float("nan")
        else:
            print(f"== {case.name}: ObjectCounter ...", file=sys.stderr, flush=True)
            rows, elapsed, _ = run_object_counter(case, model.location, imgsz, native.tracker)
        (door_theirs if is_door_variant else theirs).extend(rows)
        timing.append((case.name, result.frames, result.elapsed_s, elapsed))
    busy_ours: list[Row] = []
    busy_theirs: list[Row] = []
    busy: dict[bool, dict] = {}
    for case in [] if args.no_busy else with_dark(pets_busier(folder, pets_case(folder)), args.no_dark):
        print(f"== {case.name}: Footfall ...", file=sys.stderr, flush=True)
        recording = RecordingTracker(detectors[sizes[pets_case(folder).name]])
        result = run_case(case, lambda c, r=recording: CountingPipeline(c.camera_id, c.lines, r))
        busy[case.dark] = recording.recorded
        busy_ours += result.rows
        if args.no_object_counter:
            busy_theirs += [Row(r.case, r.line_id, r.direction, r.true, 0, None, None) for r in result.rows]
        else:
            print(f"== {case.name}: ObjectCounter ...", file=sys.stderr, flush=True)
            busy_theirs += run_object_counter(case, model.location, imgsz, native.tracker)[0]
    mirrored: dict[bool, dict] = {}
    if args.unseen > 0 and not args.no_mirrored:
        for dark in [False] if args.no_dark else [False, True]:
            case = pets_case(folder).mirrored(PETS_SIZE[0])
            case = case.darkened() if dark else case
            print(
                f"== {case.name}: Footfall (recording for the unseen lines) ...", file=sys.stderr, flush=True
            )
            recording = RecordingTracker(detectors[sizes[pets_case(folder).name]])
            count_case(case, lambda c, r=recording: CountingPipeline(c.camera_id, c.lines, r))
            mirrored[dark] = recording.recorded
    unseen = unseen_lines(folder, args, recorded, mirrored, busy) if args.unseen > 0 else None
    waiting = waiting_lines(folder, args, recorded)

    if args.json:
        print(
            json.dumps(
                {
                    "model": model.location,
                    "footfall": {"rows": [r.as_dict() for r in ours], "summary": summarise(ours)},
                    "object_counter": {"rows": [r.as_dict() for r in theirs], "summary": summarise(theirs)},
                    "doors": {
                        "footfall": {
                            "rows": [r.as_dict() for r in door_ours],
                            "summary": summarise(door_ours),
                        },
                        "object_counter": {
                            "rows": [r.as_dict() for r in door_theirs],
                            "summary": summarise(door_theirs),
                        },
                    },
                    "busy": {
                        "footfall": {
                            "rows": [r.as_dict() for r in busy_ours],
                            "summary": summarise(busy_ours),
                        },
                        "object_counter": {
                            "rows": [r.as_dict() for r in busy_theirs],
                            "summary": summarise(busy_theirs),
                        },
                    },
                    "unseen": None
                    if unseen is None
                    else {
                        name: {"rows": [r.as_dict() for r in rows], "summary": summarise(rows)}
                        for name, rows in unseen.items()
                    },
                    "waiting": {name: dataclasses.asdict(result) for name, result in waiting.items()},
                }
            )
        )
        return 0

    print(f"model: {model.manifest_name or model.location}; tracker: {Path(native.tracker).name} (both)")
    print_table(ours, theirs, args.no_object_counter)
    if doors:
        print()
        print(
            "shop doors mirrored, played backwards, both, slower, and with a second person (new sequences, known truth):"
        )
        print_table(door_ours, door_theirs, args.no_object_counter)
    if busy_ours:
        print()
        print("PETS twice as busy (everyone again 10 s later, pasted far to near; truth from both):")
        print_table(busy_ours, busy_theirs, args.no_object_counter)
    for name, size in sizes.items():
        print(f"{name:<30} detector input {'native' if size is None else f'{size[0]}x{size[1]}'}")
    for name, frames, ours_s, theirs_s in timing:
        print(
            f"{name:<30} {frames} frames: Footfall {ours_s:.1f} s, ObjectCounter ({len(cases[0].lines)} lines max) {theirs_s:.1f} s"
        )
    if unseen is not None:
        print_unseen(unseen, args)
    print_waiting(waiting)
    return 0


def print_table(ours: list[Row], theirs: list[Row], no_object_counter: bool) -> None:
    w = max([30, *(len(r.case) for r in ours)])
    header = (
        f"{'case':<{w}} {'line':<18} {'dir':<4} {'true':>4} | {'ours':>4} {'miss':>4} {'dbl':>4} {'acc':>7} |"
        f" {'OC':>4} {'miss':>4} {'dbl':>4} {'acc':>7}"
    )
    print(header)
    print("-" * len(header))
    for a, b in zip(ours, theirs, strict=True):
        print(
            f"{a.case:<{w}} {a.line_id:<18} {a.direction:<4} {a.true:>4} | {a.counted:>4} {_n(a.misses):>4}"
            f" {_n(a.doubles):>4} {_pct(a.accuracy):>7} | {b.counted:>4} {_n(b.misses):>4} {_n(b.doubles):>4}"
            f" {_pct(b.accuracy):>7}"
        )
    compared = [("Footfall", ours)] + ([] if no_object_counter else [("ObjectCounter", theirs)])
    for name, rows in compared:
        s = summarise(rows)
        misses = sum(r.misses or 0 for r in rows)
        doubles = sum(r.doubles or 0 for r in rows)
        print(
            f"{name:<14} in {_pct(s['in_accuracy'])}  out {_pct(s['out_accuracy'])}  worst row"
            f" {_pct(s['worst_row_accuracy'])}  misses {misses}  double counts {doubles}"
        )


def input_size_for(case: Case, mode: str, native: YoloDetector, native_long: int) -> tuple[int, int] | None:
    """The detector input (height, width) for a case under ``--imgsz`` (None: the export's own)."""
    if mode == "native":
        return None
    native.reset()
    head = list(itertools.islice(frames_of(case), PROBE_FRAMES))
    return choose(mode, head, native.detect, native_long=native_long)


def with_dark(case: Case, no_dark: bool) -> list[Case]:
    return [case] if no_dark else [case, case.darkened()]


def unseen_lines(
    folder: Path, args: argparse.Namespace, recorded: dict, mirrored: dict[bool, dict], busy: dict[bool, dict]
) -> dict[str, list[Row]]:
    """Footfall on the sampled lines (recorded tracks; also on the mirrored and the busier
    footage), and the counter on the annotated tracks."""
    out: dict[str, list[Row]] = {
        "Footfall": [],
        "Footfall, mirrored footage": [],
        "rules on annotated tracks": [],
        "Footfall, twice as busy": [],
        "rules, annotated, busy": [],
    }
    annotated = AnnotatedTracker(pets_tracks(folder))
    annotated_busy = AnnotatedTracker(
        with_delayed_copies(pets_tracks(folder), PETS_BUSIER_DELAY, frames=PETS_FRAMES)
    )
    for seed in range(args.seed, args.seed + args.seeds):
        case = pets_unseen_case(folder, args.unseen, seed=seed)
        variants = [case] if args.no_dark else [case, case.darkened()]
        for variant in variants:
            print(f"== {variant.name}: Footfall (recorded tracks) ...", file=sys.stderr, flush=True)
            tracks = recorded[(variant.source, variant.dark)]
            result = run_case(
                variant, lambda c, t=tracks: CountingPipeline(c.camera_id, c.lines, ReplayTracker(t))
            )
            out["Footfall"] += result.rows
            if variant.dark in mirrored:
                flipped = variant.mirrored(PETS_SIZE[0])
                tracks = mirrored[variant.dark]
                out["Footfall, mirrored footage"] += run_case(
                    flipped, lambda c, t=tracks: CountingPipeline(c.camera_id, c.lines, ReplayTracker(t))
                ).rows
        print(f"== {case.name}: counter on the annotated tracks ...", file=sys.stderr, flush=True)
        out["rules on annotated tracks"] += run_case(
            case, lambda c: CountingPipeline(c.camera_id, c.lines, annotated)
        ).rows
        if busy:
            crowded = pets_busier(folder, case)
            for variant in with_dark(crowded, args.no_dark):
                print(f"== {variant.name}: Footfall (recorded tracks) ...", file=sys.stderr, flush=True)
                tracks = busy[variant.dark]
                out["Footfall, twice as busy"] += run_case(
                    variant, lambda c, t=tracks: CountingPipeline(c.camera_id, c.lines, ReplayTracker(t))
                ).rows
            out["rules, annotated, busy"] += run_case(
                crowded, lambda c: CountingPipeline(c.camera_id, c.lines, annotated_busy)
            ).rows
    return {name: rows for name, rows in out.items() if rows}


def waiting_lines(folder: Path, args: argparse.Namespace, recorded: dict) -> dict[str, WaitingResult]:
    """False counts on lines beside people standing still (recorded tracks, and annotated ones)."""
    case, probes = pets_waiting_case(folder)

    def false_counts(variant: Case, tracker: object) -> WaitingResult:
        events = count_case(variant, lambda c: CountingPipeline(c.camera_id, c.lines, tracker)).events
        truth = case.true_frames or {}
        return score_waiting(probes, truth, events_by_line(events), margin_frames=round(PETS_FPS))

    out: dict[str, WaitingResult] = {}
    for variant in [case] if args.no_dark else [case, case.darkened()]:
        print(f"== {variant.name}: Footfall (recorded tracks) ...", file=sys.stderr, flush=True)
        tracks = recorded[(variant.source, variant.dark)]
        out["Footfall" + (" gray/dark" if variant.dark else "")] = false_counts(
            variant, ReplayTracker(tracks)
        )
    print(f"== {case.name}: counter on the annotated tracks ...", file=sys.stderr, flush=True)
    out["rules on annotated tracks"] = false_counts(case, AnnotatedTracker(pets_tracks(folder)))
    return out


def print_waiting(waiting: dict[str, WaitingResult]) -> None:
    print()
    any_result = next(iter(waiting.values()))
    print(
        f"lines beside people standing still (PETS, {any_result.lines} lines 2-8 px from the feet of"
        " everyone who stands 3 s or more; clean: nobody crossed during the wait):"
    )
    for name, result in waiting.items():
        print(
            f"{name:<26} false counts during waits {result.false_counts} on"
            f" {result.lines_with_false_counts} of {result.clean} clean lines"
        )


def print_unseen(unseen: dict[str, list[Row]], args: argparse.Namespace) -> None:
    print()
    seeds = f"seed {args.seed}" if args.seeds == 1 else f"seeds {args.seed}-{args.seed + args.seeds - 1}"
    print(
        f"unseen lines: {args.unseen} random PETS lines x {args.seeds} ({seeds}), normal and gray/dark footage"
    )
    for name, rows in unseen.items():
        s = summarise(rows)
        scored = [r for r in rows if r.accuracy is not None]
        below = sum(r.accuracy < 0.9 for r in scored)  # type: ignore[operator]
        print(
            f"{name:<26} in {_pct(s['in_accuracy'])}  out {_pct(s['out_accuracy'])}  worst row"
            f" {_pct(s['worst_row_accuracy'])}  rows below 90% {below}/{len(scored)}"
            f"  misses {sum(r.misses or 0 for r in rows)}  double counts {sum(r.doubles or 0 for r in rows)}"
        )
    worst = sorted((r for r in unseen["Footfall"] if r.accuracy is not None), key=lambda r: r.accuracy)[:10]
    print("worst Footfall rows (case, line, direction, true, counted, misses, doubles):")
    for r in worst:
        print(
            f"  {r.case:<44} {r.line_id:<10} {r.direction:<4} {r.true:>3} {r.counted:>3} {r.misses} {r.doubles}"
        )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


if __name__ == "__main__":
    raise SystemExit(main())
