"""Ground truth from MOT tracks, matching counted to true crossings, the count command's line input."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest
from footfall.edge.count_command import lines_from_args
from footfall.edge.counting.lines import CountingLine
from footfall.edge.errors import EdgeConfigError
from footfall.edge.evaluate import Case, Row, darken, match, score, summarise
from footfall.edge.ground_truth import load_mot, true_crossings

DOOR = CountingLine("door", 100, 200, 300, 200, 200, 260)


def _mot(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "gt.txt"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_mot_rows_scaled_shifted_and_flag_zero_ignored(tmp_path: Path) -> None:
    path = _mot(tmp_path, ["1,5,100,100,20,40,1,0,0,0", "2,5,100,110,20,40,1,0,0,0", "2,6,0,0,10,10,0,0,0,0"])
    tracks = load_mot(path, scale=0.5, frame_offset=-1)
    assert set(tracks) == {5}
    first, second = tracks[5]
    assert first.frame == 0 and second.frame == 1
    assert first.box == (50, 50, 60, 70)
    assert first.foot == (55, 70)


def test_bad_mot_row_names_the_line(tmp_path: Path) -> None:
    path = _mot(tmp_path, ["1,5,100,100,20,40,1", "oops"])
    with pytest.raises(EdgeConfigError, match=r"gt\.txt:2"):
        load_mot(path)


def _track_rows(track: int, feet: list[tuple[float, float]], first_frame: int = 1) -> list[str]:
    return [f"{first_frame + i},{track},{x - 10},{y - 50},20,50,1,0,0,0" for i, (x, y) in enumerate(feet)]


def test_true_crossings_through_the_segment_only(tmp_path: Path) -> None:
    rows = _track_rows(1, [(200, 150), (200, 190), (200, 210), (200, 250)])  # in
    rows += _track_rows(2, [(200, 250), (200, 180), (200, 230), (200, 150)])  # out, in, out: all real
    rows += _track_rows(3, [(50, 150), (50, 250)])  # round the end
    rows += _track_rows(4, [(200, 150), (200, 200), (200, 150)])  # touches the line, never crosses
    tracks = load_mot(_mot(tmp_path, rows), frame_offset=-1)
    found = [(c.track_id, c.direction, c.frame) for c in true_crossings(tracks, DOOR)]
    assert sorted(found) == [(1, "in", 2), (2, "in", 2), (2, "out", 1), (2, "out", 3)]


@pytest.mark.parametrize(
    ("true", "counted", "expected"),
    [
        ([10, 50], [11, 52], (2, 0, 0)),
        ([10, 50], [11], (1, 1, 0)),
        ([10], [9, 12], (1, 0, 1)),  # a double count beside a right one
        ([10], [40], (0, 1, 1)),  # too far apart: a miss and a false count, though totals agree
        ([], [], (0, 0, 0)),
    ],
)
def test_match_reports_misses_and_doubles_separately(true, counted, expected) -> None:
    assert match(true, counted, tolerance=5) == expected


def test_score_and_summary() -> None:
    case = Case("c", "x", [DOOR], 10.0, {("door", "in"): [10, 20, 30, 40], ("door", "out"): [15]})
    rows = score(case, {("door", "in"): [11, 21, 31], ("door", "out"): [16, 80]}, tolerance_s=1.0, fps=10.0)
    assert rows == [Row("c", "door", "in", 4, 3, 1, 0), Row("c", "door", "out", 1, 2, 0, 1)]
    assert rows[0].accuracy == pytest.approx(0.75)
    assert rows[1].accuracy == pytest.approx(0.0)
    summary = summarise(rows)
    assert summary["in_accuracy"] == pytest.approx(0.75)
    assert summary["worst_row_accuracy"] == pytest.approx(0.0)


def test_known_counts_without_tracks() -> None:
    case = Case("door", "x", [DOOR], None, None, {("door", "in"): 1, ("door", "out"): 1})
    rows = score(case, {("door", "in"): [5]})
    assert [(r.true, r.counted, r.misses) for r in rows] == [(1, 1, None), (1, 0, None)]


def test_darken_is_gray_and_darker() -> None:
    image = np.dstack([np.full((4, 4), v, np.uint8) for v in (50, 128, 200)])
    dark = darken(image)
    assert dark.shape == image.shape
    assert (dark[..., 0] == dark[..., 1]).all() and (dark[..., 1] == dark[..., 2]).all()
    assert dark.mean() < image.mean()


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(**{"config": None, "line": [], "inside": [], **kw})


def test_lines_from_cli_pairs() -> None:
    camera, lines = lines_from_args(_args(line=["1,2,100,2", "0,50,0,150"], inside=["50,40", "20,100"]))
    assert camera == "camera-1"
    assert [line.line_id for line in lines] == ["line-1", "line-2"]


def test_lines_from_yaml_config(tmp_path: Path) -> None:
    config = tmp_path / "lines.yaml"
    config.write_text(
        "camera_id: entrance-cam\n"
        "lines:\n"
        "  - {line_id: main, name: Main door, entrance_id: e1, line: [10, 100, 200, 100], inside: [100, 150]}\n"
        "  - {line_id: side, line: [300, 50, 300, 200], inside: [350, 100]}\n"
    )
    camera, lines = lines_from_args(_args(config=config))
    assert camera == "entrance-cam"
    assert [(line.line_id, line.name, line.entrance_id) for line in lines] == [
        ("main", "Main door", "e1"),
        ("side", "side", None),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({}, "no counting line"),
        ({"line": ["1,2,3,4"], "inside": []}, "one --inside"),
    ],
)
def test_line_arguments_errors(kw, message) -> None:
    with pytest.raises(EdgeConfigError, match=message):
        lines_from_args(_args(**kw))


def test_yaml_config_with_a_typo_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "lines.yaml"
    config.write_text("lines:\n  - {line_id: a, line: [0, 0, 10, 0], inside: [5, 5], nmae: x}\n")
    with pytest.raises(EdgeConfigError, match="not a valid lines file"):
        lines_from_args(_args(config=config))


def _count_case() -> Case:
    return Case("door", "clip.mpg", [DOOR], 25.0, None, {("door", "in"): 2, ("door", "out"): 1})


def test_a_mirrored_case_flips_lines_and_inside_points_and_keeps_the_truth() -> None:
    mirrored = _count_case().mirrored(400)
    (line,) = mirrored.lines
    assert (line.x1, line.y1, line.x2, line.y2, line.inside_x, line.inside_y) == (
        300,
        200,
        100,
        200,
        200,
        260,
    )
    assert mirrored.mirror_width == 400 and mirrored.name == "door (mirrored)"
    assert (mirrored.truth("door", "in"), mirrored.truth("door", "out")) == (2, 1)
    # A point and its mirror image are on the same side of the line and its mirror image.
    assert DOOR.signed_distance((130, 240)) == pytest.approx(line.signed_distance((270, 240)))


def test_a_case_played_backwards_swaps_in_and_out() -> None:
    backwards = _count_case().reversed()
    assert backwards.backwards and backwards.lines == [DOOR]
    assert (backwards.truth("door", "in"), backwards.truth("door", "out")) == (1, 2)
    assert backwards.darkened().name == "door (backwards, gray, dark)"


def test_only_count_truth_can_be_played_backwards() -> None:
    case = Case("pets", "clip.avi", [DOOR], 7.0, {("door", "in"): [5]})
    with pytest.raises(ValueError, match="only cases with true counts"):
        case.reversed()


def test_frames_of_a_mirrored_backwards_case(tmp_path: Path) -> None:
    import cv2
    from footfall.edge.evaluate import frames_of

    for i in range(3):
        image = np.zeros((8, 10, 3), np.uint8)
        image[:, 0] = 50 * (i + 1)  # the left column says which frame this is
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), image)
    case = Case("clip", str(tmp_path), [DOOR], 5.0, None, {}).reversed().mirrored(10)
    frames = list(frames_of(case))
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.t for f in frames] == pytest.approx([0.0, 0.2, 0.4])
    assert [int(f.image[0, -1, 0]) for f in frames] == [150, 100, 50]  # last first, left column now right
    assert all(int(f.image[0, 0, 0]) == 0 for f in frames)


def test_a_thinned_case_keeps_every_nth_frame_at_its_own_time(tmp_path: Path) -> None:
    import cv2
    from footfall.edge.evaluate import frames_of

    for i in range(5):
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), np.full((8, 10, 3), 40 * i, np.uint8))
    case = Case("clip", str(tmp_path), [DOOR], 10.0, None, {("door", "in"): 1}).thinned(2)
    assert case.name == "clip (5 frames/s)" and case.every == 2
    frames = list(frames_of(case))
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.t for f in frames] == pytest.approx([0.0, 0.2, 0.4])
    assert [int(f.image[0, 0, 0]) for f in frames] == [0, 80, 160]
    with pytest.raises(ValueError, match="only cases with true counts"):
        Case("pets", "clip.avi", [DOOR], 7.0, {("door", "in"): [5]}).thinned(2)


def test_transformed_cases_say_so() -> None:
    case = _count_case()
    assert not case.transformed and not case.darkened().transformed
    assert case.mirrored(400).transformed and case.reversed().transformed
    assert Case("c", "clip.mpg", [DOOR], 25.0, None, {}).thinned(2).transformed
