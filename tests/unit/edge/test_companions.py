"""Pasting a second person into footage: where, behind whom, and only their pixels."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from footfall.edge.companions import Companion, with_companions, with_crowd
from footfall.edge.tracks import Frame

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_labelled_box_is_interpolated_between_labels_and_absent_outside() -> None:
    companion = Companion({10: (0, 0, 10, 20), 20: (10, 0, 20, 40)})
    assert companion.box_at(10) == (0, 0, 10, 20)
    assert companion.box_at(15) == (5.0, 0.0, 15.0, 30.0)
    assert companion.box_at(9) is None
    assert companion.box_at(21) is None


def _scene(person_x: dict[int, int]) -> list[Frame]:
    """A grey 40x60 scene; in frame k a white 4x10 'person' at column person_x[k], rows 20-29."""
    frames = []
    for k in range(9):
        image = np.full((40, 60, 3), 100, np.uint8)
        if k in person_x:
            image[20:30, person_x[k] : person_x[k] + 4] = 255
        frames.append(Frame(k, k / 10, T0, image))
    return frames


def test_the_companion_is_the_persons_own_pixels_shifted_and_nothing_else() -> None:
    frames = _scene({4: 10})
    out = list(with_companions(frames, [Companion({4: (10, 20, 14, 30)}, dx=20)]))
    image = out[4].image
    assert (image[20:30, 10:14] == 255).all()  # the person is still there
    assert (image[20:30, 30:34] == 255).all()  # and a copy 20 px to the right
    image[20:30, 10:14] = 100
    image[20:30, 30:34] = 100
    assert (image == 100).all()  # the background round the box is not copied
    assert all((f.image == g.image).all() for f, g in zip(frames, out, strict=True) if f.index != 4)


def test_a_delayed_companion_walks_where_the_person_was() -> None:
    frames = _scene({2: 10, 3: 20})
    labels = {2: (10, 20, 14, 30), 3: (20, 20, 24, 30)}
    out = list(with_companions(frames, [Companion(labels, delay=1)]))
    assert (out[3].image[20:30, 10:14] == 255).all()  # frame 3 shows frame 2's person too
    assert (out[3].image[20:30, 20:24] == 255).all()


def test_whoever_is_really_there_stays_in_front() -> None:
    frames = _scene({4: 10})
    frames[4].image[20:30, 14:18] = 0  # someone dark right beside the person
    out = list(with_companions(frames, [Companion({4: (10, 20, 14, 30)}, dx=4)]))
    assert (out[4].image[20:30, 14:18] == 0).all()


def test_a_copy_that_would_leave_the_frame_is_clipped() -> None:
    frames = _scene({4: 52})
    out = list(with_companions(frames, [Companion({4: (52, 20, 56, 30)}, dx=6)]))
    assert (out[4].image[20:30, 58:60] == 255).all()
    assert out[4].image.shape == (40, 60, 3)


def _two_people() -> tuple[list[Frame], Companion, Companion]:
    """24 frames of a grey scene: a black person (feet row 35) at x 30 in frames 0-3, a white one
    (feet row 29) at x 10 from frame 18 on. Mostly empty, so the median is the empty scene."""
    frames = []
    for k in range(24):
        image = np.full((40, 60, 3), 100, np.uint8)
        if k < 4:
            image[26:36, 30:34] = 0
        if k >= 18:
            image[20:30, 10:14] = 255
        frames.append(Frame(k, k / 10, T0, image))
    far = Companion({k: (10, 20, 14, 30) for k in range(18, 24)})
    near = Companion({k: (30, 26, 34, 36) for k in range(4)})
    return frames, far, near


def test_a_crowd_copy_nearer_the_camera_is_painted_in_front_of_a_real_person() -> None:
    frames, far, near = _two_people()
    later = Companion(near.boxes, dx=-20, delay=18)  # the black person again over the white one
    out = list(with_crowd(frames, [later, near, far]))  # listed far one last: order is by depth
    assert (out[19].image[26:36, 10:14] == 0).all()  # the copy's feet are lower: in front
    assert (out[19].image[20:25, 10:14] == 255).all()  # the real head shows above (a 1 px halo comes along)
    assert all((f.image == g.image).all() for f, g in zip(frames[:18], out[:18], strict=True))


def test_a_crowd_copy_further_away_stays_behind_a_real_person() -> None:
    frames, far, near = _two_people()
    behind = Companion(near.boxes, dx=-20, dy=-10, delay=18)  # feet at row 25: further than row 29
    out = list(with_crowd(frames, [far, near, behind]))
    assert (out[19].image[20:30, 10:14] == 255).all()  # the real person is whole
    assert (out[19].image[16:19, 10:14] == 0).all()  # the copy shows above them


def test_delayed_copies_of_tracks_are_cut_at_the_clip_end_and_keep_their_own_ids() -> None:
    from footfall.edge.evaluate import COPY_ID_OFFSET, with_delayed_copies
    from footfall.edge.ground_truth import TruePosition

    tracks = {7: [TruePosition(f, (0, 0, 1, 1)) for f in (1, 2, 3)], 8: [TruePosition(9, (0, 0, 1, 1))]}
    out = with_delayed_copies(tracks, 5, frames=10)
    assert [p.frame for p in out[COPY_ID_OFFSET + 7]] == [6, 7, 8]
    assert COPY_ID_OFFSET + 8 not in out  # frame 14 is past the end
    assert out[7] == tracks[7]


def test_every_door_case_has_a_camera_id_the_event_contract_accepts(tmp_path) -> None:
    from footfall.edge.evaluate import CAMERA_ID_MAX, door_variants

    cases = door_variants(tmp_path, combined=True)
    cases += [c.darkened() for c in cases]
    ids = [c.camera_id for c in cases]
    assert max(len(c.name) for c in cases) > CAMERA_ID_MAX  # the trap is real
    assert all(1 <= len(i) <= CAMERA_ID_MAX for i in ids)
    assert len(set(ids)) == len(ids)
