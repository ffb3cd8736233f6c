"""Counting-line geometry: sides from the inside point, segment-only crossings, config scaling."""

from __future__ import annotations

import pytest
from footfall.edge.counting.lines import INSIDE, ON_LINE, OUTSIDE, CountingLine, parse_line
from footfall.edge.errors import EdgeConfigError

from footfall.contracts import LineConfig

# A horizontal door line from (100, 200) to (300, 200); the store is below (larger y).
DOOR = CountingLine("door", 100, 200, 300, 200, 200, 260)
# The same line with its end points clicked in the other order: the inside point decides.
DOOR_REVERSED = CountingLine("door", 300, 200, 100, 200, 200, 260)


@pytest.mark.parametrize("line", [DOOR, DOOR_REVERSED])
@pytest.mark.parametrize(
    ("point", "band", "expected"),
    [
        ((200, 250), 0, INSIDE),
        ((200, 150), 0, OUTSIDE),
        ((200, 203), 5, ON_LINE),  # within the dead band
        ((200, 197), 5, ON_LINE),
        ((200, 206), 5, INSIDE),
        ((200, 200), 0, ON_LINE),  # exactly on the line
        ((900, 250), 0, INSIDE),  # side is about the half-plane; the segment matters for crossings
    ],
)
def test_side_follows_inside_point_not_click_order(line, point, band, expected) -> None:
    assert line.side(point, band) == expected


@pytest.mark.parametrize(
    ("a", "b", "margin", "crosses"),
    [
        ((200, 150), (200, 250), 0, True),  # straight through the middle
        ((110, 150), (90, 250), 0, True),  # diagonally through the first end
        ((50, 150), (50, 250), 0, False),  # round the first end: only the segment counts
        ((350, 150), (350, 250), 0, False),  # round the second end
        ((95, 150), (95, 250), 10, True),  # ... unless within the end margin
        ((150, 150), (250, 150), 0, False),  # parallel, outside
        ((150, 150), (150, 190), 0, False),  # approaches but does not reach
        ((200, 250), (200, 150), 0, True),  # direction does not matter here
    ],
)
def test_crosses_only_through_the_segment(a, b, margin, crosses) -> None:
    assert DOOR.crosses(a, b, margin) is crosses


def test_signed_distance_and_along() -> None:
    assert DOOR.signed_distance((150, 230)) == pytest.approx(30)
    assert DOOR.signed_distance((150, 170)) == pytest.approx(-30)
    assert DOOR.along((100, 0)) == pytest.approx(0)
    assert DOOR.along((300, 999)) == pytest.approx(1)
    assert DOOR.along((200, 200)) == pytest.approx(0.5)


def test_diagonal_line_sides() -> None:
    line = CountingLine("diag", 0, 0, 100, 100, 0, 100)  # inside is below-left of y = x
    assert line.side((10, 90)) == INSIDE
    assert line.side((90, 10)) == OUTSIDE
    assert line.signed_distance((0, 100)) == pytest.approx(100 / 2**0.5)


def test_from_config_scales_fractions_to_pixels() -> None:
    config = LineConfig(
        line_id="l1", name="Main door", x1=0.25, y1=0.5, x2=0.75, y2=0.5, inside_x=0.5, inside_y=0.9
    )
    line = CountingLine.from_config(config, 640, 480)
    assert (line.x1, line.y1, line.x2, line.y2) == (160, 240, 480, 240)
    assert (line.inside_x, line.inside_y) == (320, 432)
    assert line.name == "Main door"
    assert line.side((320, 300)) == INSIDE


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        ((10, 10, 10.5, 10, 0, 50), "at least 1 pixel"),
        ((0, 0, 100, 0, 50, 0.5), "inside point lies on the line"),
    ],
)
def test_invalid_lines_say_what_is_wrong(coords, message) -> None:
    with pytest.raises(EdgeConfigError, match=message):
        CountingLine("bad", *coords)


def test_parse_line_from_cli_text() -> None:
    line = parse_line("212,145,328,145", "270,110")
    assert (line.x1, line.y1, line.x2, line.y2, line.inside_x, line.inside_y) == (
        212,
        145,
        328,
        145,
        270,
        110,
    )
    with pytest.raises(EdgeConfigError, match="--line must be"):
        parse_line("1,2,3", "4,5")
    with pytest.raises(EdgeConfigError, match="--inside must be"):
        parse_line("1,2,3,4", "x,5")
