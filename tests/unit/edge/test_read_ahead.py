"""Reading recorded footage ahead: the same frames, in order, errors where they happened."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from footfall.edge.read_ahead import ReadAhead
from footfall.edge.sources import LiveSource, VideoFileSource, open_source, reading_ahead
from footfall.edge.tracks import Frame

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Counting:
    """A source of ``n`` frames that may fail at ``fail_at``; records who read and whether it closed."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at, self.closed, self.produced = n, fail_at, False, 0
        self.frame_count = n
        self.readers: set[str] = set()

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.n):
            if i == self.fail_at:
                raise OSError("corrupt packet")
            self.readers.add(threading.current_thread().name)
            self.produced += 1
            yield Frame(i, i / 10, T0 + timedelta(seconds=i / 10), np.full((2, 2, 3), i % 256, np.uint8))

    def close(self) -> None:
        self.closed = True


def test_same_frames_in_order_read_in_another_thread() -> None:
    inner = Counting(50)
    source = ReadAhead(inner, depth=3)
    frames = list(source)
    source.close()
    assert [f.index for f in frames] == list(range(50))
    assert [int(f.image[0, 0, 0]) for f in frames] == list(range(50))
    assert inner.readers == {"read-ahead"} and inner.closed
    assert source.frame_count == 50  # the wrapped source's attributes show through


def test_an_error_arrives_after_the_frames_before_it() -> None:
    source = ReadAhead(Counting(20, fail_at=7))
    seen = []
    with pytest.raises(OSError, match="corrupt packet"):
        for frame in source:
            seen.append(frame.index)
    source.close()
    assert seen == list(range(7))


def test_closing_midway_stops_the_reader_and_reads_at_most_depth_ahead() -> None:
    inner = Counting(10_000)
    source = ReadAhead(inner, depth=4)
    for frame in source:
        if frame.index == 5:
            break
    time.sleep(0.2)
    assert inner.produced <= 5 + 1 + 4 + 1  # the consumed, the queue and the one waiting for room
    source.close()
    assert inner.closed
    assert not any(t.name == "read-ahead" and t.is_alive() for t in threading.enumerate())


def test_only_recorded_footage_reads_ahead(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (32, 24))
    for i in range(5):
        writer.write(np.full((24, 32, 3), i * 40, np.uint8))
    writer.release()
    opened = open_source(str(video))
    assert isinstance(opened, VideoFileSource)
    wrapped = reading_ahead(opened)
    assert isinstance(wrapped, ReadAhead) and len(list(wrapped)) == 5
    wrapped.close()
    live = object.__new__(LiveSource)  # not opened: only its type matters here
    assert reading_ahead(live) is live
