"""Decode the next frames while the current one is being counted.

Decoding a recorded video (H.264 at 1080p: ~3 ms a frame here) and reading image files
release the GIL, as does the detector's inference. Reading ahead in a thread therefore takes
decoding off the counting loop's critical path instead of adding it to every frame. Only for
recorded footage: a live camera's newest frame is the one to count, not a queued one.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Any

from footfall.edge.tracks import Frame

_END = object()


class ReadAhead:
    """Wraps a frame source: same frames, same order, same errors; up to ``depth`` decoded early."""

    def __init__(self, source: Any, depth: int = 4) -> None:
        if depth < 1:
            raise ValueError("read ahead at least one frame")
        self._source = source
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __getattr__(self, name: str) -> Any:  # frame_count, fps, path, ... of the wrapped source
        return getattr(self._source, name)

    def __iter__(self) -> Iterator[Frame]:
        if self._thread is not None:
            raise RuntimeError("a read-ahead source is iterated once")
        self._thread = threading.Thread(target=self._read, name="read-ahead", daemon=True)
        self._thread.start()
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop reading (the reader may be waiting for room in the queue), then close the source."""
        self._stop.set()
        thread = self._thread
        while thread is not None and thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get_nowait()
            thread.join(timeout=0.05)
        self._source.close()

    def _read(self) -> None:
        try:
            for frame in self._source:
                if not self._put(frame):
                    return
            self._put(_END)
        except BaseException as error:  # handed to the consumer, raised where the frame would be
            self._put(error)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False
