"""The real model on real footage: counts must match the ground truth.

One PETS 2009 pass (seven lines at once, yolo11n INT8) is shared by several assertions;
the CAVIAR shop door runs through the real ``footfall edge count`` command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.vision


@pytest.fixture(scope="module")
def pets_result(footage_dir: Path, model_dir: Path):
    from footfall.edge.detector import YoloDetector
    from footfall.edge.evaluate import pets_case, run_case
    from footfall.edge.models import resolve_model
    from footfall.edge.pipeline import CountingPipeline

    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")))
    case = pets_case(footage_dir)
    return run_case(case, lambda c: CountingPipeline(c.camera_id, c.lines, detector))


def test_pets_overall_accuracy_per_direction(pets_result) -> None:
    from footfall.edge.evaluate import summarise

    summary = summarise(pets_result.rows)
    assert pets_result.frames == 795
    assert summary["in_accuracy"] >= 0.95, summary
    assert summary["out_accuracy"] >= 0.95, summary


@pytest.mark.parametrize(
    "line_id", ["centre-vertical", "middle-horizontal", "upper-horizontal", "right-vertical"]
)
def test_pets_busy_lines_are_within_two_crossings(pets_result, line_id: str) -> None:
    rows = [r for r in pets_result.rows if r.line_id == line_id]
    assert sum(r.true for r in rows) >= 20  # these lines are busy: the check means something
    for row in rows:
        assert abs(row.counted - row.true) <= 2, row
        assert row.misses <= 2 and row.doubles <= 2, row


def test_pets_edge_and_short_lines(pets_result) -> None:
    for row in pets_result.rows:
        if row.line_id in {"left-edge", "short-left", "diagonal"}:
            assert abs(row.counted - row.true) <= 1, row


def test_caviar_door_counts_one_in_one_out_not_the_passer_by(footage_dir: Path, model_dir: Path) -> None:
    video = footage_dir / "caviar" / "EnterExitCrossingPaths1front.mpg"
    env = {**os.environ, "YOLO_OFFLINE": "1", "FOOTFALL_MODEL_DIR": str(model_dir)}
    command = [sys.executable, "-m", "footfall", "edge", "count", str(video)]
    command += ["--line", "212,145,328,145", "--inside", "270,110", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["in"], result["out"]) == (1, 1)
    assert result["lines"]["line-1"] == {"name": "line-1", "in": 1, "out": 1, "at_ends": 0}
    assert "wall to wall" not in done.stderr  # both cross the door well inside its ends
    assert result["frames"] == 383
    assert {c["direction"] for c in result["crossings"]} == {"in", "out"}
    for crossing in result["crossings"]:
        assert set(crossing) >= {"frame", "t", "direction", "track", "class"}
        assert crossing["class"] == "adult"
        assert crossing["t"] == pytest.approx(crossing["frame"] / 25.0, abs=0.01)
    # the one who walks out does so before the other walks in
    assert [c["direction"] for c in result["crossings"]] == ["out", "in"]


def test_caviar_door_in_the_dark_counts_the_man_leaving_once(footage_dir: Path, model_dir: Path) -> None:
    """Gray and dark, TrackTrack keeps two ids on the man leaving; the one dropped as his twin
    goes on alone after the other is lost and must not count his exit again (``twin_iou``)."""
    from footfall.edge.detector import YoloDetector
    from footfall.edge.evaluate import caviar_door_case, run_case
    from footfall.edge.models import resolve_model
    from footfall.edge.pipeline import CountingPipeline

    case = caviar_door_case(footage_dir).darkened()
    detector = YoloDetector(
        resolve_model(str(model_dir / "yolo11n_int8_openvino_model")), tracker="tracktrack"
    )
    rows = run_case(case, lambda c: CountingPipeline(c.camera_id, c.lines, detector)).rows
    assert [(r.direction, r.counted) for r in rows] == [("in", 1), ("out", 1)]


def test_caviar_corridor_shop_front_and_walkway(footage_dir: Path, model_dir: Path) -> None:
    """The CAVIAR corridor camera, our own lines (``CAVIAR_CORRIDOR_LINES``, counted by eye).

    Along the shop front: a man walks into the shop and is gone a few frames after the line;
    0.6 s later another comes out there. The tracker loses the first and the counter's gap
    bridging joins the second to him; both crossings count only because a gap that long ends
    the first one's hold (before, neither counted). Across the walkway only the second man
    passes, towards the camera; the two walking away at the back never reach it.
    """
    from footfall.edge.evaluate import CAVIAR_CORRIDOR_LINES

    video = footage_dir / "caviar" / "EnterExitCrossingPaths1cor.mpg"
    env = {**os.environ, "YOLO_OFFLINE": "1", "FOOTFALL_MODEL_DIR": str(model_dir)}
    command = [sys.executable, "-m", "footfall", "edge", "count", str(video), "--json"]
    for (x1, y1, x2, y2, ix, iy), _, _ in CAVIAR_CORRIDOR_LINES.values():
        command += ["--line", f"{x1},{y1},{x2},{y2}", "--inside", f"{ix},{iy}"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    lines = json.loads(done.stdout)["lines"]
    for number, (_, true_in, true_out) in enumerate(CAVIAR_CORRIDOR_LINES.values(), start=1):
        assert (lines[f"line-{number}"]["in"], lines[f"line-{number}"]["out"]) == (true_in, true_out)


def _door_variant_names() -> list[str]:
    names = []
    for clip in ("CAVIAR front door", "CAVIAR corridor"):
        names += [f"{clip} (mirrored)", f"{clip} (backwards)", f"{clip} (backwards, mirrored)"]
        names += [
            f"{clip} ({how}{rate} frames/s)"
            for how in ("", "backwards, ")
            for rate in ("12.5", "8.33", "6.25")
        ]
    return names


#: Known wrong with the default tracker (TrackTrack): the man walking into the shop is last
#: boxed inside the dead band, and the one coming out first boxed inside it 0.8 s later, so
#: nothing shows him inside (ByteTrack happens to box him there once, at confidence 0.14).
#: benchmarks/results/counting_busier_and_tracktrack.md.
TRACKTRACK_MISSES = {"CAVIAR corridor (backwards, 12.5 frames/s)"}


@pytest.mark.parametrize(
    ("name", "dark"),
    [
        pytest.param(
            name,
            False,
            marks=[pytest.mark.xfail(strict=True, reason="lost in the dead band both ways")]
            if name in TRACKTRACK_MISSES
            else [],
        )
        for name in _door_variant_names()
    ]
    + [("CAVIAR corridor (backwards)", True), ("CAVIAR corridor (backwards, mirrored)", True)],
)
def test_shop_doors_mirrored_backwards_and_slower(
    footage_dir: Path, model_dir: Path, name: str, dark: bool
) -> None:
    """The CAVIAR door and corridor flipped, backwards, and at lower frame rates: known truth.

    Every row must be exact (one crossing off on a shop door is a clip below 90%). These found
    four counter faults: backwards in the dark or at 6 frames/s the man walking into the shop
    is last boxed on the threshold (``resume_commits``); at 8 and 12.5 frames/s shoppers
    swapped identities with the mannequins in the window (``glimpse_gap_s``,
    ``bridge_width_ratio``).
    """
    from footfall.edge.detector import YoloDetector
    from footfall.edge.evaluate import door_variants, run_case
    from footfall.edge.models import resolve_model
    from footfall.edge.pipeline import CountingPipeline

    (case,) = [c for c in door_variants(footage_dir) if c.name == name]
    case = case.darkened() if dark else case
    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")))
    result = run_case(case, lambda c: CountingPipeline(c.camera_id, c.lines, detector))
    assert result.frames == -(-383 // case.every)
    assert sum(r.true for r in result.rows) >= 2, case.name
    for row in result.rows:
        assert row.counted == row.true, (case.name, row)


@pytest.mark.parametrize(
    ("name", "dark"),
    [
        ("CAVIAR front door (two leaving side by side)", False),
        ("CAVIAR front door (two arriving side by side)", False),
        ("CAVIAR front door (two arriving one after the other)", False),
        ("CAVIAR front door (two leaving side by side)", True),
    ],
)
def test_two_people_together_through_the_shop_door(
    footage_dir: Path, model_dir: Path, name: str, dark: bool
) -> None:
    """The CAVIAR door with a second person made from the first one's pixels (:mod:`.companions`).

    These found two counter faults: a window figure the detector boxed for half a second was
    joined, 1.7 s after it was lost, to a box on someone walking past outside, 80 px away (an
    "out" and, when the figure was boxed again, an "in": ``bridge_growth_unmoved``); and a
    partial box on someone leaving, its feet 0.11 body heights from theirs, stayed a person of
    its own (``duplicate_foot``). "Two leaving one after the other" is left out: the second,
    6 px to the side and 0.3 s behind, is hidden by the first and counts 1 for 2
    (``bench_accuracy.py`` reports it).
    """
    from footfall.edge.detector import YoloDetector
    from footfall.edge.evaluate import door_variants, run_case
    from footfall.edge.models import resolve_model
    from footfall.edge.pipeline import CountingPipeline

    (case,) = [c for c in door_variants(footage_dir) if c.name == name]
    case = case.darkened() if dark else case
    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")))
    result = run_case(case, lambda c: CountingPipeline(c.camera_id, c.lines, detector))
    assert sum(r.true for r in result.rows) == 3, case.name
    for row in result.rows:
        assert row.counted == row.true, (case.name, row)


def _pets_window_truth(footage_dir: Path, lines, first: int, last: int) -> dict[str, list]:
    """True crossings of ``lines`` by the annotated PETS tracks within frames ``first``-``last``."""
    from footfall.edge.evaluate import pets_tracks
    from footfall.edge.ground_truth import true_crossings

    window = {
        track: [p for p in positions if first <= p.frame <= last]
        for track, positions in pets_tracks(footage_dir).items()
    }
    return {line.line_id: true_crossings(window, line) for line in lines}


def _count_pets_window(
    footage_dir: Path, model_dir: Path, lines, first: int, last: int, **detector_options
) -> list:
    """The real yolo11n on PETS frames ``first``-``last`` only, from a fresh tracker: the events."""
    from footfall.edge.detector import YoloDetector
    from footfall.edge.evaluate import PETS_FPS
    from footfall.edge.models import resolve_model
    from footfall.edge.pipeline import CountingPipeline
    from footfall.edge.sources import open_source

    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")), **detector_options)
    pipeline = CountingPipeline("pets", lines, detector)
    events = []
    source = open_source(str(footage_dir / "pets09_s2l1" / "vtest.avi"), fps=PETS_FPS)
    try:
        for frame in source:
            if frame.index > last:
                break
            if frame.index >= first:
                events += pipeline.process(frame)
    finally:
        source.close()
    return events + pipeline.close()


def test_pets_feet_hidden_behind_a_passer_by_do_not_cross(footage_dir: Path, model_dir: Path) -> None:
    """PETS frames 530-600: a walker stands while another passes in front and hides their legs.

    Their box shrinks to the upper body for five frames: its bottom jumps 38 px up the path,
    over ``trap``, and back (an in and an out from the box bottom). The feet stay put, and so
    must the count. ``busy`` checks that the counter does count in this stretch of footage.
    """
    from footfall.edge.counting.lines import CountingLine

    first, last = 530, 600
    trap = CountingLine("trap", 90, 285, 150, 285, 120, 250)
    busy = CountingLine("busy", 150, 300, 150, 359, 180, 330)
    truth = _pets_window_truth(footage_dir, [trap, busy], first, last)
    assert truth["trap"] == [] and sum(c.direction == "out" for c in truth["busy"]) == 2

    events = _count_pets_window(footage_dir, model_dir, [trap, busy], first, last)
    assert [e for e in events if e.line_id == "trap"] == []
    assert sum(e.line_id == "busy" and e.direction == "out" for e in events) == 2


def test_tracktrack_counts_both_walkers_passing_each_other(footage_dir: Path, model_dir: Path) -> None:
    """PETS frames 600-650: two walkers pass each other on the right, one hidden behind the other.

    While they overlap, the detector's NMS keeps one box for the two; ``--tracker
    tracktrack`` also matches the suppressed box and keeps the hidden walker's track, so
    both lines count an in *and* an out. (ByteTrack, the default until session 9, loses the hidden walker
    here: measured with the same model and frames, it counts the in only, on both lines.)
    """
    from footfall.edge.counting.lines import CountingLine

    first, last = 600, 650
    lines = [
        CountingLine("steep", 387, 0, 385, 296, 300, 150),
        CountingLine("slanted", 370, 79, 402, 359, 300, 150),
    ]
    truth = _pets_window_truth(footage_dir, lines, first, last)
    for line in lines:
        assert sorted(c.direction for c in truth[line.line_id]) == ["in", "out"], line.line_id

    events = _count_pets_window(footage_dir, model_dir, lines, first, last, tracker="tracktrack")
    for line in lines:
        assert sorted(e.direction for e in events if e.line_id == line.line_id) == ["in", "out"], line.line_id
