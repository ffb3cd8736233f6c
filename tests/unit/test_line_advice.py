"""The installer's hint for lines people cross at their very ends."""

from __future__ import annotations

import pytest

from footfall.line_advice import end_traffic_advice


@pytest.mark.parametrize(
    ("at_ends", "crossings", "advised"),
    [(0, 100, False), (2, 10, False), (3, 100, False), (5, 100, True), (3, 7, True), (4, 0, True)],
)
def test_advice_only_when_ends_matter(at_ends: int, crossings: int, advised: bool) -> None:
    advice = end_traffic_advice("door", at_ends, crossings)
    assert (advice is not None) == advised
    if advice:
        assert advice.startswith("door: ") and "wall to wall" in advice
