"""Advice for an installer whose counting line people cross at (or walk round) its very ends.

Whether a person who changes sides a step from a line's end counts is decided by a few pixels
of foot-point error; on random lines through PETS 2009 most miscounts were exactly such
crossings (benchmarks/results/counting_hidden_feet_and_warm_up.md). The edge counts them per
line ("at ends"); the count command and the installer's dashboard say the same thing with it.
Pure, shared by edge and dashboard.
"""

from __future__ import annotations

MIN_AT_ENDS = 3
SHARE = 0.05  # of the line's crossings


def needs_extension(at_ends: int, crossings: int) -> bool:
    """Whether enough people change sides at a line's ends for it to matter."""
    return at_ends >= MIN_AT_ENDS and at_ends >= SHARE * max(crossings, 1)


def end_traffic_advice(line: str, at_ends: int, crossings: int) -> str | None:
    """One sentence when enough people cross at ``line``'s ends to matter, else None."""
    if not needs_extension(at_ends, crossings):
        return None
    return (
        f"{line}: {at_ends} people changed sides within a step of the line's ends "
        f"({crossings} counted); draw it from wall to wall of the entrance so nobody passes its ends"
    )
