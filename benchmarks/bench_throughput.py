"""Throughput of the whole count pipeline (decode, detect, track, count) on this machine's CPU.

For each model in ../shared/models: frames per second of Footfall's pipeline and of
Ultralytics' ``solutions.ObjectCounter`` with the same model, on PETS 2009 (one line).
For the default model also what each speed option costs or gains, with the accuracy it
then reaches on the same footage:

- ``motion gate``: skip inference while nothing moves near the lines (run at least 1/s);
- ``crop``: detect only in the region around the lines;
- both together.

"Empty entrance" is the first CAVIAR frame repeated with sensor noise (a store at night
or between customers), where the motion gate does its real work.

The machine is shared: besides wall-clock frames/s the table gives CPU milliseconds per
frame (all threads of this process), which stays meaningful when other jobs compete for
the cores; the load average at start and end is printed too.

Input size by person size: the shipped OpenVINO exports have a fixed input size, so
``--imgsz`` only applies to PyTorch weights; the crop is the equivalent lever here (people
appear larger at the same input size).

Run:  YOLO_OFFLINE=1 FOOTFALL_MODEL_DIR=../shared/models .venv/bin/python benchmarks/bench_throughput.py
      [--frames N] [--models yolo11n-int8,...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "False")

import numpy as np
from footfall.edge.detector import YoloDetector
from footfall.edge.evaluate import (
    Case,
    events_by_line,
    footage_dir,
    pets_case,
    score,
    summarise,
)
from footfall.edge.models import resolve_model
from footfall.edge.pipeline import CountingPipeline, SpeedOptions
from footfall.edge.sources import open_source
from footfall.edge.tracks import Frame
from footfall.models import load_manifest

VARIANTS = {
    "plain": SpeedOptions(),
    "motion gate": SpeedOptions(motion_gate=True),
    "crop": SpeedOptions(crop=True),
    "motion gate + crop": SpeedOptions(motion_gate=True, crop=True),
}


def frames_from(source: str, fps: float | None, limit: int | None) -> Iterator[Frame]:
    """Decoding is part of the pipeline, so it is inside the timed loop."""
    opened = open_source(source, fps=fps)
    try:
        for frame in opened:
            if limit is not None and frame.index >= limit:
                return
            yield frame
    finally:
        opened.close()


def empty_entrance(folder: Path, count: int) -> Iterator[Frame]:
    first = next(frames_from(str(folder / "caviar" / "EnterExitCrossingPaths1front.mpg"), 25.0, 1))
    rng = np.random.default_rng(1)
    start = datetime.now(UTC)
    for i in range(count):
        noise = rng.normal(0, 2.0, first.image.shape)
        image = np.clip(first.image.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        yield Frame(i, i / 25.0, start + timedelta(seconds=i / 25.0), image)


def time_footfall(case: Case, detector: YoloDetector, speed: SpeedOptions, frames: Iterator[Frame]):
    pipeline = CountingPipeline(case.name, case.lines, detector, speed=speed)
    events = []
    n = 0
    started, cpu = time.perf_counter(), time.process_time()
    for frame in frames:
        events += pipeline.process(frame)
        n += 1
    events += pipeline.close()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = score(case, events_by_line(events), fps=case.fps or 25.0)
    return n / elapsed, 1000 * cpu / max(n, 1), pipeline.stats, rows


def time_object_counter(
    case: Case, model_location: str, imgsz: int, frames: Iterator[Frame]
) -> tuple[float, float]:
    from ultralytics import solutions

    line = case.lines[0]
    counter = solutions.ObjectCounter(
        model=model_location,
        region=[(line.x1, line.y1), (line.x2, line.y2)],
        classes=[0],
        show=False,
        verbose=False,
        tracker="bytetrack.yaml",
        imgsz=imgsz,
    )
    frames = iter(frames)
    first = next(frames)
    counter.process(first.image)  # warm-up (model compile) outside the timing, as for Footfall
    n = 0
    started, cpu = time.perf_counter(), time.process_time()
    for frame in frames:
        counter.process(frame.image)
        n += 1
    return n / (time.perf_counter() - started), 1000 * (time.process_time() - cpu) / max(n, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=None, help="only the first N frames of each clip")
    parser.add_argument("--models", default=None, help="comma-separated manifest names (default: all local)")
    args = parser.parse_args()

    folder = footage_dir(
        Path(os.environ["FOOTFALL_FOOTAGE_DIR"]) if "FOOTFALL_FOOTAGE_DIR" in os.environ else None
    )
    case = pets_case(folder, ["centre-vertical"])
    if args.frames is not None and case.true_frames is not None:  # score only the frames that were run
        truth = {key: [f for f in frames if f < args.frames] for key, frames in case.true_frames.items()}
        case = Case(case.name, case.source, case.lines, case.fps, truth)
    names = args.models.split(",") if args.models else list(load_manifest())
    default = resolve_model(None).manifest_name
    print(
        f"cpu cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}; PETS 2009 S2L1 480x360, one line"
    )
    print(
        f"{'model':<20} {'pipeline':<28} {'frames/s':>9} {'cpu ms/f':>9} {'inferred':>9} {'in acc':>7} {'out acc':>8}"
    )
    for name in names:
        try:
            model = resolve_model(name, allow_download=False)
        except Exception as error:
            print(f"{name:<20} skipped: {error}")
            continue
        detector = YoloDetector(model)
        warm = next(frames_from(case.source, case.fps, 1))
        detector.track(warm)  # model compile outside the timing
        detector.reset()
        variants = VARIANTS if name == default else {"plain": VARIANTS["plain"]}
        for label, speed in variants.items():
            fps, cpu_ms, stats, rows = time_footfall(
                case, detector, speed, frames_from(case.source, case.fps, args.frames)
            )
            s = summarise(rows)
            print(
                f"{name:<20} {'Footfall ' + label:<28} {fps:>9.1f} {cpu_ms:>9.1f}"
                f" {stats.detected / max(stats.frames, 1):>8.0%} {_pct(s['in_accuracy']):>7} {_pct(s['out_accuracy']):>8}"
            )
            sys.stdout.flush()
        fps, cpu_ms = time_object_counter(
            case, model.location, model.imgsz or 640, frames_from(case.source, case.fps, args.frames)
        )
        print(f"{name:<20} {'ObjectCounter':<28} {fps:>9.1f} {cpu_ms:>9.1f} {'100%':>9}")
        if name == default:
            for label in ("plain", "motion gate"):
                fps, cpu_ms, stats, _ = time_footfall(
                    case, detector, VARIANTS[label], empty_entrance(folder, 250)
                )
                print(
                    f"{name:<20} {'empty entrance, ' + label:<28} {fps:>9.1f} {cpu_ms:>9.1f}"
                    f" {stats.detected / max(stats.frames, 1):>8.0%}"
                )
        sys.stdout.flush()
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


if __name__ == "__main__":
    raise SystemExit(main())
