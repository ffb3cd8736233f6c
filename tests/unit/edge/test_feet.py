"""Where the feet are when a box is cut at one end (pure rules, box by box)."""

from __future__ import annotations

import pytest
from footfall.edge.counting.feet import FeetSettings, FeetState, locate_feet

SETTINGS = FeetSettings()


def box(top: float, bottom: float, x: float = 100.0) -> tuple[float, float, float, float]:
    return (x - 20, top, x + 20, bottom)


def settled(top: float = 100.0, bottom: float = 200.0) -> FeetState:
    state = FeetState()
    for step in range(5):
        locate_feet(state, box(top, bottom), step * 0.1, 0.0, SETTINGS)
    return state


def test_the_first_box_is_taken_as_it_is() -> None:
    state = FeetState()
    assert locate_feet(state, box(100, 160), 0.0, 0.0, SETTINGS) == ((100.0, 160.0), 60.0)


@pytest.mark.parametrize(
    ("top", "bottom", "velocity", "expected_foot", "why"),
    [
        (100, 196, 0.0, 196, "a box of about the person's height: its bottom"),
        (100, 150, 0.0, 200, "cut at the bottom, top in place: feet hidden, a body height below the top"),
        (150, 200, 0.0, 200, "cut at the top, bottom in place: the bottom holds"),
        (108, 160, 50.0, 208, "cut at the bottom while walking down: the top moved with the person"),
        (100, 186, 0.0, 186, "a little short (0.86): within the tolerance, the bottom"),
    ],
)
def test_a_short_box_keeps_the_end_that_is_where_it_should_be(
    top: float, bottom: float, velocity: float, expected_foot: float, why: str
) -> None:
    state = settled()
    (x, y), height = locate_feet(state, box(top, bottom), 0.6, velocity, SETTINGS)
    assert (x, round(y)) == (100.0, expected_foot), why
    assert 95 <= height <= 100


def test_unclear_ends_fall_back_to_the_bottom() -> None:
    state = settled()
    # Shorter by 40 px, top off by 18 and bottom off by 22: no end clearly fits, trust the box.
    (_, y), _ = locate_feet(state, box(118, 178), 0.6, 0.0, SETTINGS)
    assert y == 178


def test_a_taller_box_becomes_the_reference() -> None:
    state = FeetState()
    for step in range(3):  # legs hidden at first
        locate_feet(state, box(100, 150), step * 0.1, 0.0, SETTINGS)
    (_, y), height = locate_feet(state, box(100, 200), 0.3, 0.0, SETTINGS)
    assert (y, height) == (200, 100)


def test_a_persistent_misfit_refits_the_reference() -> None:
    state = settled()
    for step in range(25):  # 2.4 s of boxes half as tall, top in place
        (_, y), height = locate_feet(state, box(100, 150), 0.6 + step * 0.1, 0.0, SETTINGS)
    assert (y, height) == (150, 50)


def test_the_reference_follows_slow_changes_of_size() -> None:
    state = settled()
    for step in range(40):  # walking away from the camera: 1 px shorter per frame
        bottom = 200 - step
        locate_feet(state, box(100, bottom), 0.5 + step * 0.1, -10.0, SETTINGS)
    assert state.height == pytest.approx(61, abs=5)  # the average lags a few pixels behind


@pytest.mark.parametrize(
    ("top", "bottom", "occluded", "expected_foot", "why"),
    [
        (100, 188, True, 200, "ankles hidden by someone in front (0.88), head in place: feet below the head"),
        (100, 188, False, 188, "the same box in the open: within the tolerance, the bottom"),
        (112, 200, True, 200, "behind someone but the bottom is in place: the bottom"),
        (100, 205, True, 200, "behind someone, stretched into them, head in place: feet below the head"),
        (100, 215, True, 215, "behind someone but clearly taller (1.15): the box's bottom, as in the open"),
    ],
)
def test_behind_someone_a_slightly_short_box_is_checked_end_by_end(
    top: float, bottom: float, occluded: bool, expected_foot: float, why: str
) -> None:
    state = settled()
    (_, y), _ = locate_feet(state, box(top, bottom), 0.6, 0.0, SETTINGS, occluded=occluded)
    assert round(y) == expected_foot, why


def test_boxes_cut_behind_someone_do_not_shrink_the_reference() -> None:
    state = settled()
    for step in range(10):
        (_, y), height = locate_feet(state, box(100, 188), 0.6 + step * 0.1, 0.0, SETTINGS, occluded=True)
        assert (round(y), round(height)) == (200, 100)
    (_, y), _ = locate_feet(state, box(100, 188), 1.6, 0.0, SETTINGS, occluded=False)
    assert y == 188  # in the open again: the box is within tolerance and its bottom holds


def test_the_rule_can_be_switched_off() -> None:
    state = settled()
    off = FeetSettings(behind_someone=None)
    (_, y), _ = locate_feet(state, box(100, 188), 0.6, 0.0, off, occluded=True)
    assert y == 188


def test_a_refit_is_flagged_for_the_counter() -> None:
    state = settled()
    locate_feet(state, box(100, 150), 0.6, 0.0, SETTINGS)
    assert not state.refitted
    locate_feet(state, box(100, 150), 2.7, 0.0, SETTINGS)  # misfit for 2.1 s: the reference goes
    assert state.refitted and state.height == 50
