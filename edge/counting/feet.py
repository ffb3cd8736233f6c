"""Where a person's feet are when the box does not show them (pure logic).

The counter decides sides by the foot point, the bottom centre of the box. When someone
walks behind another person (or a pillar, a shelf), the detector boxes only what it sees:
the box ends at the occluder's top edge and its "foot point" jumps up by half a body,
across any line in between, and back down when the person reappears. Seen on PETS 2009: a
walker hidden for five frames by someone closer to the camera came back as a half-height
box 38 px "up the path", and six random lines counted an in and an out for it.

A person's height in the image changes slowly (perspective), so a box much shorter than the
person's recent height is cut at one end. The end that is where the person's motion predicts
it is the true one: when that is the top, the feet are at ``top + reference height``;
otherwise the bottom is trusted as usual. The reference height follows boxes of the expected
height; a much taller box shows more of the person than before (their first boxes were cut)
and becomes the reference; misfits that last ``refit_s`` mean the reference itself was wrong
(taken from a box merged with someone) and it is taken again from the box. Trusting the top
of a *taller* box (merged with someone in front) was measured too, and lost more than it
fixed (benchmarks/results/counting_hidden_feet_and_warm_up.md).

When the box's bottom lies inside the box of someone nearer the camera, the bottom is weaker
evidence still: a person standing still by a door whose ankles a passer-by hides loses only
10-20% of their height, too little for the rule above, yet enough to put their "feet" across a
line drawn next to them (PETS, lines 2-8 px from everyone who stands still: 19 false counts
on 13 of 117 clean lines without this rule, 11 on 9 with it). Behind someone, whichever end
fits the motion better is trusted without a margin, and the cut box does not shrink the
reference (benchmarks/results/counting_varied_doors_and_waiting.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from footfall.edge.tracks import Box

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class FeetSettings:
    shorter: float = 0.8  # a box below this fraction of the reference height is cut at one end
    taller: float = 1.25  # a box above this fraction shows more of the person: the new reference
    clear_margin: float = 0.15  # the ends' prediction errors must differ by this many reference heights
    adapt: float = 0.2  # weight of a fitting box in the reference height
    refit_s: float = 2.0  # misfits this long mean the reference was wrong: start again from the box
    #: Feet inside the box of someone nearer the camera: below this fraction of the reference
    #: height the end that fits the motion better is trusted, without ``clear_margin`` (None: off).
    behind_someone: float | None = 1.1


@dataclass(slots=True)
class FeetState:
    """What one person's recent boxes say about their full height and where their ends are."""

    height: float = 0.0  # reference full-body height in pixels; 0 before the first box
    top: float = 0.0
    bottom: float = 0.0  # the estimated foot y of the last box
    t: float = 0.0
    misfit_since: float | None = None
    refitted: bool = False  # the last call dropped a wrong reference: the foot jumped, the person did not


def locate_feet(
    state: FeetState,
    box: Box,
    t: float,
    foot_velocity_y: float,
    settings: FeetSettings,
    occluded: bool = False,
) -> tuple[Point, float]:
    """The foot point to count with and the person's full height, updating ``state``.

    ``occluded``: the box's bottom lies inside the box of someone nearer the camera, so it may
    be that person's outline rather than this one's feet.
    """
    x1, y1, x2, y2 = box
    x = (x1 + x2) / 2.0
    height = max(1.0, y2 - y1)
    if state.height <= 0.0:
        _settle(state, y1, y2, height, t)
        return (x, y2), height
    ratio = height / state.height
    if occluded and settings.behind_someone is not None and ratio < settings.behind_someone:
        # Even a box a little short of the person's height is suspect here: someone standing
        # at a line while a passer-by hides their ankles would otherwise step across it, and
        # the cut box must not shrink the reference either.
        top_error, bottom_error = _end_errors(state, y1, y2, t, foot_velocity_y)
        return _place(state, x, y1 + state.height if top_error < bottom_error else y2, t)
    if ratio > settings.taller:  # more of the person in view than before (or merged: the bottom still holds)
        _settle(state, y1, y2, height, t)
        return (x, y2), height
    if ratio >= settings.shorter:
        state.height += settings.adapt * (height - state.height)
        _settle(state, y1, y2, state.height, t)
        return (x, y2), state.height
    if state.misfit_since is None:
        state.misfit_since = t
    elif t - state.misfit_since >= settings.refit_s:
        _settle(state, y1, y2, height, t)
        state.refitted = True
        return (x, y2), height
    top_error, bottom_error = _end_errors(state, y1, y2, t, foot_velocity_y)
    feet_hidden = (
        top_error + settings.clear_margin * state.height < bottom_error
    )  # the top fits, not the bottom
    return _place(state, x, y1 + state.height if feet_hidden else y2, t)


def _end_errors(state: FeetState, top: float, bottom: float, t: float, foot_velocity_y: float) -> Point:
    """How far the box's top and bottom are from where the person's motion puts them."""
    shift = foot_velocity_y * max(0.0, t - state.t)
    return abs(top - (state.top + shift)), abs(bottom - (state.bottom + shift))


def _place(state: FeetState, x: float, foot_y: float, t: float) -> tuple[Point, float]:
    state.top, state.bottom, state.t = foot_y - state.height, foot_y, t
    return (x, foot_y), state.height


def _settle(state: FeetState, top: float, bottom: float, height: float, t: float) -> None:
    state.height, state.top, state.bottom, state.t, state.misfit_since = height, top, bottom, t, None
