"""Lines beside people who stand still: finding the waits, placing the lines, scoring false counts."""

from __future__ import annotations

import math

import pytest
from footfall.edge.counting.lines import INSIDE, OUTSIDE
from footfall.edge.ground_truth import TruePosition
from footfall.edge.waiting_lines import ProbeLine, Wait, find_waits, lines_beside, score_waiting


def at(frame: int, x: float, y: float, height: float = 50.0) -> TruePosition:
    return TruePosition(frame, (x - 10, y - height, x + 10, y))


def test_a_walk_a_wait_and_a_walk_give_one_wait() -> None:
    walk_in = [at(f, 100 + 10 * f, 200) for f in range(10)]  # 10 px a frame: walking
    stand = [at(10 + f, 200 + (f % 3), 200 + (f % 2)) for f in range(30)]  # within 3 px
    walk_on = [at(40 + f, 210 + 10 * f, 200) for f in range(10)]
    (wait,) = find_waits({7: walk_in + stand + walk_on}, min_frames=21, radius=0.15)
    assert (wait.track_id, wait.first_frame) == (7, 10)
    assert wait.last_frame == 39
    assert wait.foot == pytest.approx((200.5, 200.0), abs=1.5)
    assert wait.height == 50.0


@pytest.mark.parametrize(
    ("frames", "step", "expected"),
    [
        (20, 0.0, 0),  # standing, but not long enough
        (21, 0.0, 1),
        (60, 2.0, 0),  # a slow walk: 2 px a frame leaves the 7.5 px circle within 4 frames
    ],
)
def test_how_long_and_how_still(frames: int, step: float, expected: int) -> None:
    track = [at(f, 100 + step * f, 200) for f in range(frames)]
    assert len(find_waits({1: track}, min_frames=21, radius=0.15)) == expected


def test_a_gap_in_the_track_ends_the_wait() -> None:
    track = [at(f, 100, 200) for f in range(15)] + [at(f, 100, 200) for f in range(20, 35)]
    assert find_waits({1: track}, min_frames=21, radius=0.15) == []


def test_lines_sit_beside_the_feet_with_the_person_outside() -> None:
    wait = Wait(3, 10, 40, (200.0, 150.0), 40.0)
    lines = lines_beside(wait, offsets=(-4.0, 6.0), angles=(0.0, 90.0))
    assert [line.line_id for line in lines] == [
        "w3-10-a0-o-4",
        "w3-10-a0-o6",
        "w3-10-a90-o-4",
        "w3-10-a90-o6",
    ]
    for line, offset in zip(lines, (4.0, 6.0, 4.0, 6.0), strict=True):
        assert abs(line.signed_distance(wait.foot)) == pytest.approx(offset)
        assert line.side(wait.foot, 1.0) == OUTSIDE
        assert line.side((line.inside_x, line.inside_y), 1.0) == INSIDE
        assert math.hypot(line.x2 - line.x1, line.y2 - line.y1) == pytest.approx(3 * wait.height)


def test_false_counts_are_counts_during_a_wait_on_lines_nobody_crossed() -> None:
    wait = Wait(1, 100, 130, (0.0, 0.0), 40.0)
    probes = [ProbeLine(line, wait) for line in lines_beside(wait, offsets=(3.0,), angles=(0.0, 45.0, 90.0))]
    a, b, c = (p.line.line_id for p in probes)
    truth = {(b, "out"): [95]}  # someone crossed b just before the wait: b is not clean
    # on a: one before, two during (one each way); c: just after
    counted = {(a, "in"): [99, 110], (a, "out"): [120], (b, "in"): [110], (c, "out"): [131]}
    result = score_waiting(probes, truth, counted, margin_frames=7)
    assert (result.lines, result.clean, result.false_counts, result.lines_with_false_counts) == (3, 2, 2, 1)
