"""Handlers of ``footfall edge count`` and ``footfall edge evaluate``.

The parser is built in :mod:`footfall.edge.cli` (cheap); everything heavy is imported
here, when a command runs. :func:`build_pipeline` is the one place where command-line
options become a pipeline, so further options (``--calibration FILE`` for the who-counts
classifier) plug in there.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import time
from pathlib import Path

from footfall.edge.counting.lines import CountingLine, parse_line
from footfall.edge.errors import EdgeConfigError
from footfall.edge.tracks import CrossingClassifier
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from footfall.line_advice import end_traffic_advice

log = logging.getLogger(__name__)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineFileEntry(_Strict):
    """One line of a ``--config lines.yaml`` file, in pixels of the source frame."""

    line_id: str = Field(min_length=1, max_length=64)
    name: str = ""
    entrance_id: str | None = None
    line: tuple[float, float, float, float]
    inside: tuple[float, float]


class LineFile(_Strict):
    camera_id: str = "camera-1"
    lines: list[LineFileEntry] = Field(min_length=1)


def lines_from_args(args: argparse.Namespace) -> tuple[str, list[CountingLine]]:
    """Camera id and lines from ``--config`` and/or ``--line``/``--inside`` pairs."""
    camera_id = "camera-1"
    lines: list[CountingLine] = []
    if args.config is not None:
        camera_id, lines = load_line_file(args.config)
    if len(args.line) != len(args.inside):
        raise EdgeConfigError("give one --inside X,Y for every --line X1,Y1,X2,Y2")
    for number, (line, inside) in enumerate(zip(args.line, args.inside, strict=True), start=1):
        lines.append(parse_line(line, inside, line_id=f"line-{number}"))
    if not lines:
        raise EdgeConfigError("no counting line: give --line X1,Y1,X2,Y2 --inside X,Y or --config lines.yaml")
    return camera_id, lines


def load_line_file(path: Path) -> tuple[str, list[CountingLine]]:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        parsed = LineFile.model_validate(raw)
    except OSError as error:
        raise EdgeConfigError(f"cannot read {path}: {error.strerror}") from error
    except (yaml.YAMLError, ValidationError) as error:
        first = str(error).splitlines()[:3]
        raise EdgeConfigError(f"{path} is not a valid lines file: {' '.join(first)}") from error
    lines = [
        CountingLine(e.line_id, *e.line, *e.inside, name=e.name or e.line_id, entrance_id=e.entrance_id)
        for e in parsed.lines
    ]
    if len({line.line_id for line in lines}) != len(lines):
        raise EdgeConfigError(f"{path}: line ids must be unique")
    return parsed.camera_id, lines


def build_detector(args: argparse.Namespace, classes: list[int] | None = None) -> object:
    from footfall.edge.detector import PERSON, YoloDetector
    from footfall.edge.models import resolve_model

    resolved = resolve_model(args.model)
    return YoloDetector(
        resolved,
        confidence=args.confidence,
        imgsz=args.imgsz,
        tracker=args.tracker,
        classes=classes if classes is not None else [PERSON],
    )


def resolve_input_size(
    args: argparse.Namespace, lines: list[CountingLine], head: list
) -> int | tuple[int, int] | None:
    """``--imgsz native|fit|auto`` as a size, from the first frames (``auto`` probes them for people)."""
    from footfall.edge.input_size import choose
    from footfall.edge.models import resolve_model
    from footfall.edge.motion import region_around
    from footfall.edge.pipeline import SpeedOptions

    if args.imgsz == "native" or not head:
        return None
    native_long = resolve_model(args.model).imgsz or 640
    height, width = head[0].image.shape[:2]
    region = region_around(lines, width, height, SpeedOptions().crop_margin) if args.crop else None
    probe = (
        build_detector(argparse.Namespace(**{**vars(args), "imgsz": None})) if args.imgsz == "auto" else None
    )
    size = choose(
        args.imgsz, head, probe.detect if probe else (lambda f: []), native_long=native_long, region=region
    )  # type: ignore[attr-defined]
    log.info("detector input %s (%s)", size, args.imgsz)
    return size


def build_classifier(args: argparse.Namespace) -> CrossingClassifier | None:
    """The who-counts filters from ``--calibration FILE``; None means everyone is an adult."""
    path = getattr(args, "calibration", None)
    if path is None:
        return None
    from footfall.edge.calibration import load_calibration
    from footfall.edge.counting.filters import WhoCountsClassifier

    return WhoCountsClassifier(load_calibration(path))


def build_pipeline(args: argparse.Namespace, camera_id: str, lines: list[CountingLine]) -> object:
    from footfall.edge.pipeline import CountingPipeline, SpeedOptions

    classifier = build_classifier(args)
    classes = getattr(classifier, "detector_classes", None)
    detector = build_detector(args, classes)
    speed = SpeedOptions(motion_gate=args.motion_gate, crop=args.crop)
    return CountingPipeline(camera_id, lines, detector, classifier, speed=speed)  # type: ignore[arg-type]


def count(args: argparse.Namespace) -> int:
    """``footfall edge count``: count crossings in a source, print totals (or JSON)."""
    from footfall.edge.counting.bins import bin_events
    from footfall.edge.counting.groups import CrossingGrouper
    from footfall.edge.input_size import PROBE_FRAMES
    from footfall.edge.sources import open_source, reading_ahead

    camera_id, lines = lines_from_args(args)
    source = reading_ahead(
        open_source(args.source, fps=args.fps)
    )  # before the model: a wrong path fails fast
    frames = iter(source)
    head: list = []
    try:
        if isinstance(args.imgsz, str):  # native, fit or auto: decided on the first frames
            head = list(itertools.islice(frames, PROBE_FRAMES))
            args.imgsz = resolve_input_size(args, lines, head)
        pipeline = build_pipeline(args, camera_id, lines)
        head = head or list(itertools.islice(frames, 1))
        if head:  # the model's first run is start-up, like loading it: not in elapsed_s
            pipeline.warm_up(head[0], ahead=True)  # type: ignore[attr-defined]
    except BaseException:
        source.close()
        raise
    grouping = CrossingGrouper(pipeline.classifier)  # type: ignore[attr-defined]
    started = time.perf_counter()
    events = []
    first = None
    progress = Progress(source.frame_count)
    counted_frames = 0
    try:
        for frame in pipeline.ahead(itertools.chain(head, frames)):  # type: ignore[attr-defined]
            if first is None:
                first = frame
            events.extend(grouping.push(pipeline.process(frame), frame.wall))  # type: ignore[attr-defined]
            counted_frames += 1
            progress.update(counted_frames)
        events.extend(grouping.push(pipeline.close(), None))  # type: ignore[attr-defined]
        events.extend(grouping.flush())
    finally:
        source.close()
        progress.done(counted_frames)
    elapsed = time.perf_counter() - started
    events.sort(key=lambda e: (e.frame_index, e.line_id))
    totals = totals_classes(pipeline.classifier)  # type: ignore[attr-defined]
    counted = [e for e in events if e.person_class in totals]
    result = {
        "in": sum(e.direction == "in" for e in counted),
        "out": sum(e.direction == "out" for e in counted),
        **class_counts(events),
        "groups": len({e.group_id for e in events if e.group_id is not None}),
        "crossings": [
            {
                "frame": e.frame_index,
                "t": round(first.t + (e.ts - first.wall).total_seconds(), 3) if first else 0.0,
                "direction": e.direction,
                "track": e.track_id,
                "class": e.person_class,
                "height_m": e.height_m,
                "group": e.group_id,
                "line": e.line_id,
                "confidence": round(e.confidence, 3),
                "ts": e.ts.isoformat(),
            }
            for e in events
        ],
        "lines": {
            line.line_id: {
                "name": line.name,
                "in": sum(e.direction == "in" and e.line_id == line.line_id for e in counted),
                "out": sum(e.direction == "out" and e.line_id == line.line_id for e in counted),
                "at_ends": pipeline.counter.end_traffic.get(line.line_id, 0),  # type: ignore[attr-defined]
            }
            for line in lines
        },
        "minutes": [
            {"minute": b.minute.isoformat(), "line": b.line_id, "direction": b.direction, "count": b.count}
            for b in bin_events(events)
        ],
        "frames": counted_frames,
        "elapsed_s": round(elapsed, 3),
    }
    for line_id, totals in result["lines"].items():
        advice = end_traffic_advice(line_id, totals["at_ends"], totals["in"] + totals["out"])
        if advice:
            log.warning(advice)
    if args.json:
        print(json.dumps(result))
    else:
        for line_id, totals in result["lines"].items():
            print(f"{line_id:<16} in {totals['in']:>5}  out {totals['out']:>5}")
        print(
            f"{counted_frames} frames in {elapsed:.1f} s ({counted_frames / max(elapsed, 1e-9):.1f} frames/s)"
        )
    return 0


def totals_classes(classifier: object) -> tuple[str, ...]:
    """Classes that make up in/out: adults only, unless the calibration says otherwise."""
    settings = getattr(classifier, "settings", None)
    return tuple(getattr(settings, "totals", ("adult",)))


def class_counts(events: list) -> dict[str, int]:
    """``adult_in``, ``adult_out``, ``child_in``, … for every class, zeros included."""
    return {
        f"{person_class}_{direction}": sum(
            e.person_class == person_class and e.direction == direction for e in events
        )
        for person_class in ("adult", "child", "staff")
        for direction in ("in", "out")
    }


class Progress:
    """A progress bar on stderr for long files; silent for short ones and live cameras."""

    def __init__(self, total: int | None, *, min_total: int = 300) -> None:
        self.total = total if total and total >= min_total else None
        self.tty = sys.stderr.isatty()
        self._last = 0.0
        self._started = time.perf_counter()

    def update(self, done: int) -> None:
        if self.total is None:
            return
        now = time.perf_counter()
        if now - self._last < (0.5 if self.tty else 10.0):
            return
        self._last = now
        fraction = min(1.0, done / self.total)
        bar = "#" * int(fraction * 30)
        rate = done / max(now - self._started, 1e-9)
        end = "\r" if self.tty else "\n"
        print(
            f"[{bar:<30}] {done}/{self.total} frames, {rate:.1f} frames/s",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    def done(self, frames: int) -> None:
        if self.total is not None and self.tty:
            print(file=sys.stderr)
