"""Argument parsers of ``footfall edge count`` and ``footfall edge evaluate`` (argparse only).

Kept apart from the handlers so ``footfall --help`` imports nothing heavy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from footfall.edge.tracks import DEFAULT_TRACKER, TRACKERS

from footfall.cli import add_command, lazy


def register_count_commands(edge: argparse._SubParsersAction) -> None:
    count = add_command(
        edge,
        "count",
        lazy("footfall.edge.count_command", "count"),
        "count people crossing lines in a video or camera",
    )
    add_count_arguments(count)
    evaluate = add_command(
        edge,
        "evaluate",
        lazy("footfall.edge.evaluate", "run_evaluate_command"),
        "measure counting accuracy against ground truth (MOT tracks or known counts)",
    )
    add_evaluate_arguments(evaluate)


def add_count_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``footfall edge count`` (shared with ``evaluate`` where they mean the same)."""
    parser.add_argument("source", metavar="SOURCE", help="video file, image folder, rtsp:// URL or USB index")
    parser.add_argument(
        "--line", action="append", default=[], metavar="X1,Y1,X2,Y2", help="line in pixels (repeatable)"
    )
    parser.add_argument(
        "--inside",
        action="append",
        default=[],
        metavar="X,Y",
        help="a point inside the store, one per --line",
    )
    parser.add_argument("--config", type=Path, help="lines.yaml with several named lines (pixels)")
    parser.add_argument(
        "--calibration",
        type=Path,
        metavar="FILE",
        help="who counts: calibration from 'footfall edge calibrate' (children, staff, groups)",
    )
    add_detector_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def add_detector_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="weights path or manifest name (default: the manifest default)")
    parser.add_argument(
        "--fps", type=float, help="frame rate of the footage (image folders; overrides the container)"
    )
    parser.add_argument("--confidence", type=float, default=0.25, help="detection confidence (default 0.25)")
    parser.add_argument(
        "--imgsz",
        type=input_size_arg,
        help="detector input: N (square), HxW, fit (the model's scale, shaped like the frame or crop), "
        "auto (sized by the people seen in the first frames), native (default)",
    )
    parser.add_argument(
        "--tracker",
        choices=TRACKERS,
        default=DEFAULT_TRACKER,
        help=f"Ultralytics tracker (default {DEFAULT_TRACKER}: keeps people half hidden by others; bytetrack is "
        "10-15%% faster and misses more in groups)",
    )
    parser.add_argument(
        "--motion-gate", action="store_true", help="skip inference while nothing moves near the lines"
    )
    parser.add_argument("--crop", action="store_true", help="detect only in the region around the lines")


def input_size_arg(text: str) -> int | tuple[int, int] | str:
    """``--imgsz``: a side, HEIGHTxWIDTH (multiples of 32), or native/fit/auto."""
    if text in ("native", "fit", "auto"):
        return text
    try:
        sides = [int(v) for v in text.lower().split("x")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N, HxW, native, fit or auto, got '{text}'") from None
    if len(sides) not in (1, 2) or any(v < 64 or v % 32 for v in sides):
        raise argparse.ArgumentTypeError(f"sides must be multiples of 32 from 64, got '{text}'")
    return sides[0] if len(sides) == 1 else (sides[0], sides[1])


def add_evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source", metavar="SOURCE", nargs="?", help="footage; omit with --suite to run the standard suite"
    )
    parser.add_argument("--gt", type=Path, help="MOT ground truth (frame,id,x,y,w,h,flag,...) of SOURCE")
    parser.add_argument(
        "--gt-scale", type=float, default=1.0, help="multiply ground-truth boxes by this (PETS: 0.625)"
    )
    parser.add_argument(
        "--gt-frame-offset", type=int, default=-1, help="decoded frame = GT frame + this (default -1)"
    )
    parser.add_argument(
        "--line", action="append", default=[], metavar="X1,Y1,X2,Y2", help="line in pixels (repeatable)"
    )
    parser.add_argument(
        "--inside", action="append", default=[], metavar="X,Y", help="a point inside, one per --line"
    )
    parser.add_argument("--config", type=Path, help="lines.yaml with several named lines (pixels)")
    parser.add_argument(
        "--expect-in", type=int, help="known true in count (footage without track ground truth)"
    )
    parser.add_argument("--expect-out", type=int, help="known true out count")
    parser.add_argument(
        "--suite",
        choices=["standard", "doors", "busy"],
        help="standard: PETS 2009 (7 lines), the CAVIAR door and corridor (2 lines); doors: the CAVIAR"
        " door and corridor mirrored, played backwards, both, and at 12.5/8.3/6.25 frames/s; busy: PETS"
        " with everyone walking through again 10 s later (from --footage)",
    )
    parser.add_argument(
        "--footage", type=Path, help="folder of the shared footage (default $FOOTFALL_FOOTAGE_DIR)"
    )
    parser.add_argument(
        "--dark", action="store_true", help="also run on grayscale, darkened (gamma 2.2) frames"
    )
    add_detector_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
