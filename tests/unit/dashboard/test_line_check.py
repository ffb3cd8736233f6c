"""The installer table's line check, from the lines a device reports in its heartbeat."""

from __future__ import annotations

import pytest
from footfall.dashboard.pages.installer import line_check


@pytest.mark.parametrize(
    ("lines", "shown"),
    [
        (None, "–"),
        ([], "–"),
        ([{"line_id": "door", "crossings": 400, "at_ends": 2}], "ok"),
        ([{"line_id": "door", "crossings": 40, "at_ends": 6}], "door: 6 of 40 at its ends, extend it"),
        (
            [
                {"line_id": "a", "crossings": 100, "at_ends": 1},
                {"line_id": "b", "crossings": 10, "at_ends": 3},
            ],
            "b: 3 of 10 at its ends, extend it",
        ),
        ([{"line_id": "door"}], "ok"),  # an agent of the previous version sends no tallies
    ],
)
def test_line_check(lines: object, shown: str) -> None:
    assert line_check(lines) == shown
