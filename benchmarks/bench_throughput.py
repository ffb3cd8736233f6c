"""Throughput of the whole count pipeline (decode, detect, track, count) on this machine's CPU.

For each model in ../shared/models: frames per second of Footfall's pipeline and of
Ultralytics' ``solutions.ObjectCounter`` with the same model, on PETS 2009 (one line).
ObjectCounter runs with Footfall's tracker and settings (``--tracker``, default TrackTrack),
with ByteTrack when that is another one, and with its own default tracker (in Ultralytics
8.4: TrackTrack with optical-flow motion compensation, the slowest of them).
For the default model also what each speed option costs or gains, with the accuracy it
then reaches on the same footage:

- ``motion gate``: skip inference while nothing moves near the lines (run at least 1/s);
- ``crop``: detect only in the region around the lines;
- both together.

Footfall runs OpenVINO detection exports directly (``footfall.edge.openvino_runner``; the
same boxes and ids as through Ultralytics' predictor). Two more lone runs of the default
model show what that and pipelining are worth:

- ``through Ultralytics' predictor``: Footfall plain with ``FOOTFALL_DIRECT_OPENVINO=0``;
- ``inference ahead``: the way ``footfall edge count`` and ``evaluate`` run: the next frames'
  inference in worker threads (OpenVINO compiled for throughput) while one frame is tracked and
  counted. Timed as a whole loop, decoding included, since the work overlaps.

"Empty entrance" is the first CAVIAR frame repeated with sensor noise (a store at night
or between customers), where the motion gate does its real work.

The machine is shared with other jobs, so Footfall's variants are timed *paired*: every
frame is decoded once and handed to each variant in turn (order alternating), each call
timed on its own. Load that comes and goes then hits all of them alike. ObjectCounter is
timed alone (see the note in ``main``), bracketed by a second lone run of Footfall plain. frames/s = frames / (decode
time + the contender's processing time); CPU ms per frame counts all threads of this
process during the contender's calls.

Input size (default model): the shipped OpenVINO exports have a fixed input size, which
the detector now rebuilds for another shape (see ``footfall.edge.detector.openvino_at_size``):

- ``fit``: the export's own scale, input shaped like the frame (or the crop): less padding;
- ``auto size``: long side from the median person height in the first frames
  (``footfall.edge.input_size``; people about 40 px tall in the model's input);
- each also with the crop, where the input is shaped and sized for the crop.

Run:  YOLO_OFFLINE=1 FOOTFALL_MODEL_DIR=../shared/models .venv/bin/python benchmarks/bench_throughput.py
      [--frames N] [--models yolo11n-int8,...] [--tracker tracktrack]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "False")

import numpy as np
from footfall.edge.detector import DIRECT_ENV, YoloDetector, tracker_config
from footfall.edge.evaluate import Case, events_by_line, footage_dir, pets_case, score, summarise
from footfall.edge.input_size import PROBE_FRAMES, choose
from footfall.edge.models import ResolvedModel, resolve_model
from footfall.edge.motion import region_around
from footfall.edge.pipeline import CountingPipeline, SpeedOptions
from footfall.edge.sources import open_source
from footfall.edge.tracks import DEFAULT_TRACKER, TRACKERS, Frame
from footfall.models import load_manifest

VARIANTS = {
    "plain": SpeedOptions(),
    "motion gate": SpeedOptions(motion_gate=True),
    "crop": SpeedOptions(crop=True),
    "motion gate + crop": SpeedOptions(motion_gate=True, crop=True),
}
#: Input-size variants of the default model: label -> (speed variant, input size mode).
SIZED = {
    "fit": ("plain", "fit"),
    "auto size": ("plain", "auto"),
    "crop + fit": ("crop", "fit"),
    "crop + auto size": ("crop", "auto"),
}


@dataclass
class Contender:
    name: str
    run: Callable[[Frame], object]
    finish: Callable[[], object] = lambda: None
    wall_s: float = 0.0
    cpu_s: float = 0.0
    events: list = field(default_factory=list)
    pipeline: CountingPipeline | None = None


def frames_from(source: str, fps: float | None, limit: int | None) -> Iterator[Frame]:
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


def footfall(
    case: Case,
    model: ResolvedModel,
    label: str,
    warm: Frame,
    size: tuple[int, int] | None = None,
    tracker: str = DEFAULT_TRACKER,
) -> Contender:
    detector = YoloDetector(model, imgsz=size, tracker=tracker)
    detector.track(warm)  # model compile outside the timing
    detector.reset()
    pipeline = CountingPipeline(case.name, case.lines, detector, speed=VARIANTS[label])
    name = label if size is None else f"{label}, input {size[0]}x{size[1]}"
    contender = Contender(f"Footfall {name}", lambda f: None, pipeline=pipeline)
    contender.run = lambda frame: contender.events.extend(pipeline.process(frame))
    contender.finish = lambda: contender.events.extend(pipeline.close())
    return contender


def footfall_ahead(
    case: Case,
    model: ResolvedModel,
    warm: Frame,
    tracker: str,
    label: str = "plain",
    size: tuple[int, int] | None = None,
) -> Contender:
    contender = footfall(case, model, label, warm, size, tracker)
    assert contender.pipeline is not None
    contender.pipeline.warm_up(warm, ahead=True)
    contender.name = f"{contender.name}, inference ahead"
    return contender


def footfall_via_predictor(case: Case, model: ResolvedModel, warm: Frame, tracker: str) -> Contender:
    previous = os.environ.get(DIRECT_ENV)
    os.environ[DIRECT_ENV] = "0"
    try:
        contender = footfall(case, model, "plain", warm, tracker=tracker)
    finally:
        if previous is None:
            del os.environ[DIRECT_ENV]
        else:
            os.environ[DIRECT_ENV] = previous
    contender.name = "Footfall plain, through Ultralytics' predictor"
    return contender


def streamed(frames: Iterator[Frame], contender: Contender) -> int:
    """Time a contender's whole loop, decoding included: with inference ahead the work overlaps."""
    assert contender.pipeline is not None
    wall, cpu = time.perf_counter(), time.process_time()
    n = 0
    for frame in contender.pipeline.ahead(frames):
        contender.run(frame)
        n += 1
    contender.finish()
    contender.wall_s, contender.cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    return n


def object_counter(
    case: Case, model: ResolvedModel, warm: Frame, tracker: str | None, label: str
) -> Contender:
    """Ultralytics' ObjectCounter; ``tracker`` None: its own default (TrackTrack with motion compensation)."""
    from ultralytics import solutions

    line = case.lines[0]
    options = {} if tracker is None else {"tracker": tracker}
    counter = solutions.ObjectCounter(
        model=model.location,
        region=[(line.x1, line.y1), (line.x2, line.y2)],
        classes=[0],
        show=False,
        verbose=False,
        imgsz=model.imgsz or 640,
        **options,
    )
    counter.process(warm.image)  # model compile outside the timing (one extra frame of tracking)
    return Contender(f"ObjectCounter, {label}", lambda frame: counter.process(frame.image))


def object_counters(case: Case, model: ResolvedModel, warm: Frame, tracker: str) -> list[Contender]:
    """ObjectCounter with our tracker and its settings, with ByteTrack (its fastest), and as shipped."""
    ours = tracker_config(f"{tracker}.yaml", YoloDetector.__init__.__kwdefaults__["confidence"])
    contenders = [object_counter(case, model, warm, ours, f"our tracker ({tracker})")]
    if tracker != "bytetrack":
        contenders.append(object_counter(case, model, warm, "bytetrack.yaml", "ByteTrack"))
    contenders.append(object_counter(case, model, warm, None, "its default tracker"))
    return contenders


def sized(case: Case, model: ResolvedModel, warm: Frame, limit: int | None, tracker: str) -> list[Contender]:
    """Footfall with the input shaped to the frame or crop, and sized by the people in it."""
    probe = YoloDetector(model)
    head = list(frames_from(case.source, case.fps, min(PROBE_FRAMES, limit or PROBE_FRAMES)))
    contenders = []
    for label, (variant, mode) in SIZED.items():
        size = sized_input(case, model, warm, variant, mode, head, probe)
        contender = footfall(case, model, variant, warm, size, tracker)
        contender.name = f"Footfall {label} ({size[0]}x{size[1]})" if size else f"Footfall {label}"
        contenders.append(contender)
    return contenders


def sized_input(
    case: Case,
    model: ResolvedModel,
    warm: Frame,
    variant: str,
    mode: str,
    head: list[Frame],
    probe: YoloDetector,
) -> tuple[int, int] | None:
    """The input size ``footfall edge count --imgsz MODE`` (with ``--crop`` for a crop variant) picks."""
    height, width = warm.image.shape[:2]
    options = VARIANTS[variant]
    region = region_around(case.lines, width, height, options.crop_margin) if options.crop else None
    return choose(mode, head, probe.detect, native_long=model.imgsz or 640, region=region)


def paired(frames: Iterator[Frame], contenders: list[Contender]) -> tuple[int, float]:
    """Feed every frame to every contender, timing each call; returns (frames, decode seconds)."""
    decode = 0.0
    n = 0
    iterator = iter(frames)
    while True:
        started = time.perf_counter()
        frame = next(iterator, None)
        decode += time.perf_counter() - started
        if frame is None:
            break
        order = contenders if n % 2 == 0 else contenders[::-1]
        for contender in order:
            wall, cpu = time.perf_counter(), time.process_time()
            contender.run(frame)
            contender.wall_s += time.perf_counter() - wall
            contender.cpu_s += time.process_time() - cpu
        n += 1
    for contender in contenders:
        contender.finish()
    return n, decode


def report(model_name: str, case: Case | None, contenders: list[Contender], n: int, decode: float) -> None:
    for c in contenders:
        fps = n / (decode + c.wall_s)
        line = f"{model_name:<20} {c.name:<56} {fps:>9.1f} {1000 * c.cpu_s / max(n, 1):>9.1f}"
        if c.pipeline is not None:
            stats = c.pipeline.stats
            line += f" {stats.detected / max(stats.frames, 1):>8.0%}"
            if case is not None:
                s = summarise(score(case, events_by_line(c.events), fps=case.fps or 25.0))
                line += f" {_pct(s['in_accuracy']):>7} {_pct(s['out_accuracy']):>8}"
        else:
            line += f" {'100%':>8}"
        print(line)
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=None, help="only the first N frames of PETS")
    parser.add_argument("--models", default=None, help="comma-separated manifest names (default: all local)")
    parser.add_argument("--tracker", choices=TRACKERS, default=DEFAULT_TRACKER, help="Footfall's tracker")
    args = parser.parse_args()

    folder = footage_dir(
        Path(os.environ["FOOTFALL_FOOTAGE_DIR"]) if "FOOTFALL_FOOTAGE_DIR" in os.environ else None
    )
    case = pets_case(folder, ["centre-vertical"])
    if args.frames is not None and case.true_frames is not None:  # score only the frames that were run
        truth = {key: [f for f in frames if f < args.frames] for key, frames in case.true_frames.items()}
        case = Case(case.name, case.source, case.lines, case.fps, truth)
    warm = next(frames_from(case.source, case.fps, 1))
    names = args.models.split(",") if args.models else list(load_manifest())
    default = resolve_model(None).manifest_name
    print(
        f"cpu cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}; PETS 2009 S2L1 480x360, one line;"
        f" Footfall's tracker: {args.tracker}"
    )
    print(
        f"{'model':<20} {'pipeline':<56} {'frames/s':>9} {'cpu ms/f':>9} {'inferred':>8} {'in acc':>7} {'out acc':>8}"
    )
    for name in names:
        try:
            model = resolve_model(name, allow_download=False)
        except Exception as error:
            print(f"{name:<20} skipped: {error}")
            continue
        labels = list(VARIANTS) if name == default else ["plain"]
        contenders = [footfall(case, model, label, warm, tracker=args.tracker) for label in labels]
        if name == default:
            contenders += sized(case, model, warm, args.frames, args.tracker)
        n, decode = paired(frames_from(case.source, case.fps, args.frames), contenders)
        report(name, case, contenders, n, decode)
        # ObjectCounter runs on its own, then Footfall plain again to bracket any change in load:
        # interleaved frame by frame with our detector in one process, Ultralytics' tracking state
        # gets mixed up between the two (our counts collapse), so it is never paired with ours.
        ours = footfall(case, model, "plain", warm, tracker=args.tracker)
        alone = [*object_counters(case, model, warm, args.tracker), ours]
        assert ours.pipeline is not None
        if getattr(ours.pipeline.detector, "direct", False):  # the detector built above, not another
            alone.append(footfall_via_predictor(case, model, warm, args.tracker))
        for contender in alone:
            n, decode = paired(frames_from(case.source, case.fps, args.frames), [contender])
            contender.name += " (alone)"
            report(name, case, [contender], n, decode)
        streams = [footfall_ahead(case, model, warm, args.tracker)]
        if name == default:  # the fastest options together: crop, input sized by the people, ahead
            head = list(frames_from(case.source, case.fps, min(PROBE_FRAMES, args.frames or PROBE_FRAMES)))
            size = sized_input(case, model, warm, "crop", "auto", head, YoloDetector(model))
            streams.append(footfall_ahead(case, model, warm, args.tracker, "crop", size))
        for contender in streams:
            n = streamed(frames_from(case.source, case.fps, args.frames), contender)
            report(name, case, [contender], n, 0.0)
        if name == default:
            idle = [
                footfall(case, model, label, warm, tracker=args.tracker) for label in ("plain", "motion gate")
            ]
            for contender in idle:
                contender.name = f"empty entrance, {contender.name}"
            n, decode = paired(empty_entrance(folder, 250), idle)
            report(name, None, idle, n, decode)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


if __name__ == "__main__":
    raise SystemExit(main())
