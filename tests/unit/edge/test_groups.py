"""Group ids for crossings that happen together: table-driven rules over a stream of crossings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from footfall.edge.counting.groups import GroupAssigner, assign_groups, group_id_for

from footfall.contracts import CrossingEvent

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def crossing(
    track: int, at_s: float, *, direction: str = "in", line: str = "door", camera: str = "cam"
) -> CrossingEvent:
    return CrossingEvent(
        camera_id=camera,
        line_id=line,
        direction=direction,
        ts=T0 + timedelta(seconds=at_s),
        track_id=track,
        frame_index=int(at_s * 10),
    )


# (description, [(track, seconds, direction, line, position)], expected groups as sets of tracks)
CASES = [
    ("alone", [(1, 0.0, "in", "door", (0.0, 0.0))], []),
    (
        "a couple side by side",
        [(1, 0.0, "in", "door", (0.0, 0.0)), (2, 0.3, "in", "door", (0.6, 0.0))],
        [{1, 2}],
    ),
    (
        "same moment, far apart on the floor",
        [(1, 0.0, "in", "door", (0.0, 0.0)), (2, 0.2, "in", "door", (4.0, 0.0))],
        [],
    ),
    (
        "same place, opposite directions",
        [(1, 0.0, "in", "door", (0.0, 0.0)), (2, 0.2, "out", "door", (0.5, 0.0))],
        [],
    ),
    (
        "one after the other, 3 s apart",
        [(1, 0.0, "in", "door", (0.0, 0.0)), (2, 3.0, "in", "door", (0.0, 0.0))],
        [],
    ),
    ("different lines", [(1, 0.0, "in", "door", (0.0, 0.0)), (2, 0.2, "in", "side", (0.3, 0.0))], []),
    (
        "a family of four in a row (single linkage)",
        [
            (1, 0.0, "in", "door", (0.0, 0.0)),
            (2, 0.4, "in", "door", (1.2, 0.0)),
            (3, 0.8, "in", "door", (2.4, 0.0)),
            (4, 1.2, "in", "door", (3.6, 0.0)),
        ],
        [{1, 2, 3, 4}],
    ),
    (
        "two groups interleaved in time",
        [
            (1, 0.0, "in", "door", (0.0, 0.0)),
            (5, 0.1, "out", "door", (0.0, 0.5)),
            (2, 0.5, "in", "door", (0.7, 0.0)),
            (6, 0.6, "out", "door", (0.5, 0.5)),
        ],
        [{1, 2}, {5, 6}],
    ),
    (
        "no positions: time and direction decide",
        [(1, 0.0, "in", "door", None), (2, 1.0, "in", "door", None)],
        [{1, 2}],
    ),
]


@pytest.mark.parametrize(("description", "rows", "expected"), CASES, ids=[c[0] for c in CASES])
def test_group_rules(description: str, rows, expected) -> None:
    events = [(crossing(t, s, direction=d, line=line), pos) for t, s, d, line, pos in rows]
    out = assign_groups(events, window_s=1.5, distance=1.5)
    assert sorted(e.track_id for e in out) == sorted(r[0] for r in rows)  # nothing lost or doubled
    groups: dict[str, set[int]] = {}
    for event in out:
        if event.group_id is not None:
            groups.setdefault(event.group_id, set()).add(event.track_id)
    assert sorted(groups.values(), key=min) == sorted(expected, key=min)


def test_streaming_holds_crossings_until_their_group_can_no_longer_grow() -> None:
    assigner = GroupAssigner(window_s=1.5, distance=1.5)
    assert assigner.push(crossing(1, 0.0), (0.0, 0.0)) == []
    assert assigner.push(crossing(2, 1.0), (0.5, 0.0)) == []
    assert assigner.pending == 2
    assert assigner.release_until(T0 + timedelta(seconds=2.0)) == []  # 1.0 s after the last member
    released = assigner.push(crossing(3, 5.0), (0.0, 0.0))
    assert [e.track_id for e in released] == [1, 2]
    assert released[0].group_id == released[1].group_id == group_id_for(crossing(1, 0.0))
    final = assigner.flush()
    assert [(e.track_id, e.group_id) for e in final] == [(3, None)]
    assert assigner.pending == 0


def test_group_ids_are_stable_and_short() -> None:
    gid = group_id_for(crossing(1, 0.0))
    assert gid == group_id_for(crossing(1, 0.0)) and gid != group_id_for(crossing(2, 0.0))
    assert len(gid) <= 64
    # fits the wire contract
    CrossingEvent.model_validate({**crossing(1, 0.0).model_dump(), "group_id": gid})


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        GroupAssigner(window_s=0)
