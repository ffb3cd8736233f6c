"""Sampled lines for the unseen-line accuracy estimate, and the trackers that replay tracks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from footfall.edge.counting.lines import CountingLine
from footfall.edge.errors import EdgeConfigError
from footfall.edge.ground_truth import TruePosition, load_ignored, where_tracks_begin_or_end
from footfall.edge.pipeline import CountingPipeline
from footfall.edge.replay import AnnotatedTracker, RecordingTracker, ReplayTracker
from footfall.edge.tracks import Detection, Frame
from footfall.edge.unseen_lines import KINDS, passes_near, sample_lines

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_the_same_seed_gives_the_same_lines_another_seed_others() -> None:
    first = sample_lines(20, 480, 360, seed=3)
    assert first == sample_lines(20, 480, 360, seed=3)
    assert first != sample_lines(20, 480, 360, seed=4)


@pytest.mark.parametrize(("width", "height"), [(480, 360), (1920, 1080), (384, 288)])
def test_sampled_lines_lie_in_the_frame_with_every_kind(width: int, height: int) -> None:
    lines = sample_lines(80, width, height, seed=1)
    assert len(lines) == 80
    assert {line.line_id.split("-")[1] for line in lines} == set(KINDS)
    for line in lines:
        for x, y in ((line.x1, line.y1), (line.x2, line.y2)):
            assert 0 <= x <= width - 1 and 0 <= y <= height - 1
        assert line.length >= 30 * width / 480
        assert abs(line.signed_distance((line.inside_x, line.inside_y))) >= 1.0


def test_edge_lines_hug_a_frame_edge() -> None:
    for line in sample_lines(60, 480, 360, seed=2):
        if line.line_id.endswith("-edge"):
            mid_x, mid_y = (line.x1 + line.x2) / 2, (line.y1 + line.y2) / 2
            assert min(mid_x, 479 - mid_x, 359 - mid_y) <= 41 or mid_y <= 0.33 * 360 + 1


def test_avoided_regions_are_avoided() -> None:
    avoid = [(100.0, 100.0, 300.0, 250.0)]
    lines = sample_lines(40, 480, 360, seed=5, avoid=avoid)
    assert not any(passes_near(line, avoid[0], 10.0) for line in lines)


@pytest.mark.parametrize(
    ("line", "box", "margin", "near"),
    [
        (CountingLine("a", 0, 50, 100, 50, 50, 80), (40, 40, 60, 60), 0.0, True),  # through it
        (CountingLine("a", 0, 50, 100, 50, 50, 80), (40, 60, 60, 80), 0.0, False),  # 10 px below
        (CountingLine("a", 0, 50, 100, 50, 50, 80), (40, 60, 60, 80), 12.0, True),  # ... within 12
        (CountingLine("a", 0, 50, 30, 50, 15, 80), (40, 40, 60, 60), 5.0, False),  # stops short
    ],
)
def test_passes_near(line: CountingLine, box, margin: float, near: bool) -> None:
    assert passes_near(line, box, margin) is near


def test_a_frame_covered_by_avoided_regions_is_refused() -> None:
    with pytest.raises(EdgeConfigError, match="avoided regions"):
        sample_lines(3, 480, 360, avoid=[(-10.0, -10.0, 500.0, 400.0)])


def test_ignored_rows_become_regions(tmp_path: Path) -> None:
    path = tmp_path / "gt.txt"
    path.write_text("1,5,100,100,20,40,1,0,0,0\n1,6,400,80,20,40,0,0,0,0\n")
    assert load_ignored(path, scale=0.5) == [(200.0, 40.0, 210.0, 60.0)]


def test_where_tracks_begin_or_end_skips_the_clip_cuts() -> None:
    def at(frame: int, x: float) -> TruePosition:
        return TruePosition(frame, (x - 5, 50, x + 5, 100))

    tracks = {1: [at(0, 10), at(5, 60)], 2: [at(3, 200), at(9, 300)]}  # clip: frames 0..9
    boxes = where_tracks_begin_or_end(tracks, radius=4, first_frame=0, last_frame=9)
    assert boxes == [(56, 96, 64, 104), (196, 96, 204, 104)]  # track 1's end, track 2's start


def _frame(index: int) -> Frame:
    return Frame(index, index / 10, T0, np.zeros((360, 480, 3), np.uint8))


class _Scripted:
    """A tracker that walks one person down through y = 200."""

    def track(self, frame: Frame, *, roi=None) -> list[Detection]:
        y = 120 + 10 * frame.index
        return [Detection((190, y - 60, 210, y), 0.9, 0, "person", track_id=7)]


def test_recorded_tracks_replay_to_the_same_count() -> None:
    line = CountingLine("door", 100, 200, 300, 200, 200, 260)
    recording = RecordingTracker(_Scripted())
    live = CountingPipeline("c", [line], recording)
    live_events = [e for i in range(16) for e in live.process(_frame(i))] + live.close()
    replayed = CountingPipeline("c", [line], ReplayTracker(recording.recorded))
    replay_events = [e for i in range(16) for e in replayed.process(_frame(i))] + replayed.close()
    assert [(e.direction, e.frame_index) for e in live_events] == [("in", 9)]
    assert [(e.direction, e.frame_index) for e in replay_events] == [("in", 9)]
    with pytest.raises(ValueError, match="full-frame"):
        ReplayTracker({}).track(_frame(0), roi=(0, 0, 10, 10))


def test_annotated_tracks_count_like_their_truth() -> None:
    line = CountingLine("door", 100, 200, 300, 200, 200, 260)
    tracks = {3: [TruePosition(i, (190, 60 + 10 * i, 210, 120 + 10 * i)) for i in range(16)]}
    pipeline = CountingPipeline("c", [line], AnnotatedTracker(tracks))
    events = [e for i in range(16) for e in pipeline.process(_frame(i))] + pipeline.close()
    assert [(e.direction, e.track_id) for e in events] == [("in", 3)]
