"""One camera, one worker thread: read frames, count, store; reconnect and report on the way.

Why a worker per camera: a camera whose stream hangs or whose decoder chokes must not
stall the other entrances. Each worker owns its source and its counting pipeline and
writes straight into the (thread-safe) outbox, so no queue between cameras can back up.

Two kinds of trouble, handled differently:

- **The camera** (cannot open, stream drops, stream ends, frozen image): the worker itself
  reconnects with exponential backoff, forever; its state says ``reconnecting`` or
  ``stale`` with the reason. Pending crossings are committed before the pipeline is
  rebuilt, since the tracker's identities do not survive a reconnect.
- **The pipeline** (the detector or counter raises): the worker stops in state ``failed``
  with the reason; the agent's watchdog decides whether to restart it (backoff, budget).

Coverage: for every UTC minute the worker records how many seconds it actually processed
frames (gaps longer than the stale limit and frozen images do not count), so the server
can tell "nobody came" from "the camera was down".
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from footfall.edge.config import AgentCamera, SupervisionSettings
from footfall.edge.outbox import CoverageDraft
from footfall.edge.tracks import Frame
from footfall.edge.uploader import Backoff

from footfall.contracts import (
    CameraHealth,
    CameraState,
    CoverageMinute,
    CrossingEvent,
    CrossingRecord,
    LineHealth,
)

log = logging.getLogger(__name__)


class FrameSource(Protocol):
    """What :func:`footfall.edge.sources.open_source` returns: frames, then ``close()``."""

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


class Pipeline(Protocol):
    """What :class:`footfall.edge.pipeline.CountingPipeline` offers the agent."""

    def process(self, frame: Frame) -> list[CrossingEvent]: ...

    def close(self) -> list[CrossingEvent]: ...


class CountSink(Protocol):
    """Where a worker's counts go: the outbox (commits before it returns)."""

    def append(
        self, crossings: Sequence[CrossingEvent] = (), coverage: Sequence[CoverageDraft] = ()
    ) -> tuple[list[CrossingRecord], list[CoverageMinute]]: ...


SourceOpener = Callable[[AgentCamera], FrameSource]
#: Builds a pipeline for a camera once the frame size is known (lines are 0–1 fractions).
PipelineFactory = Callable[[AgentCamera, int, int], Pipeline]


class CoverageClock:
    """Accumulates processed seconds per UTC minute from frame times (pure logic).

    A gap between two frames longer than ``max_gap_s`` is not counted: the camera was not
    being watched then. A frame in a later minute closes the earlier minutes.
    """

    def __init__(self, camera_id: str, *, max_gap_s: float) -> None:
        self.camera_id = camera_id
        self.max_gap_s = max_gap_s
        self._last: datetime | None = None
        self._minutes: dict[datetime, list[float]] = {}  # minute -> [seconds, frames]

    def observe(self, wall: datetime, *, counted: bool = True) -> list[CoverageDraft]:
        wall = wall.astimezone(UTC)
        last, self._last = self._last, wall
        minute = wall.replace(second=0, microsecond=0)
        bucket = self._minutes.setdefault(minute, [0.0, 0])
        if counted:
            bucket[1] += 1
            if last is not None:
                gap = (wall - last).total_seconds()
                if 0.0 < gap <= self.max_gap_s:
                    self._spread(last, wall)
        return self._close_before(minute)

    def _spread(self, start: datetime, end: datetime) -> None:
        cursor = start
        while cursor < end:
            minute = cursor.replace(second=0, microsecond=0)
            boundary = min(end, minute + timedelta(minutes=1))
            self._minutes.setdefault(minute, [0.0, 0])[0] += (boundary - cursor).total_seconds()
            cursor = boundary

    def _close_before(self, minute: datetime) -> list[CoverageDraft]:
        done = sorted(m for m in self._minutes if m < minute)
        return [self._draft(m, *self._minutes.pop(m)) for m in done]

    def flush(self) -> list[CoverageDraft]:
        """Close every open minute (at stop or reconnect); partial minutes say how partial."""
        drafts = [self._draft(m, *self._minutes.pop(m)) for m in sorted(self._minutes)]
        self._last = None
        return drafts

    def _draft(self, minute: datetime, seconds: float, frames: int) -> CoverageDraft:
        seconds = min(seconds, 60.0)
        fps = frames / seconds if seconds > 0 else 0.0
        return CoverageDraft(self.camera_id, minute, seconds, min(fps, 1000.0))


class FrozenImage:
    """Notices a camera that keeps sending the very same picture (a hung encoder)."""

    def __init__(self, frozen_after_s: float) -> None:
        self.frozen_after_s = frozen_after_s
        self._signature: bytes | None = None
        self._since: float = 0.0

    def check(self, frame: Frame, now: float) -> bool:
        image = frame.image
        sample = image[:: max(1, image.shape[0] // 32), :: max(1, image.shape[1] // 32)]
        signature = hashlib.blake2b(sample.tobytes(), digest_size=16).digest()
        if signature != self._signature:
            self._signature, self._since = signature, now
            return False
        return now - self._since >= self.frozen_after_s


class _Reconnect(Exception):
    """Internal: leave the frame loop and reconnect (frozen image)."""


@dataclass
class _Stats:
    fps: float = 0.0
    frames: int = 0
    crossings: int = 0
    last_frame_at: datetime | None = None
    last_frame_mono: float | None = None


class CameraWorker:
    """Runs one camera in its own thread until stopped, the stream ends (``on_end: stop``) or the pipeline fails."""

    def __init__(
        self,
        camera: AgentCamera,
        open_source: SourceOpener,
        make_pipeline: PipelineFactory,
        sink: CountSink,
        supervision: SupervisionSettings,
        *,
        restarts: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.camera = camera
        self._open_source = open_source
        self._make_pipeline = make_pipeline
        self._sink = sink
        self._supervision = supervision
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.restarts = restarts
        self.state: CameraState = "starting"
        self.reason: str | None = None
        self.error: BaseException | None = None
        self.stats = _Stats()
        self.latest_frame: Frame | None = None
        self.abandoned = False
        self._started_mono: float | None = None
        # Per line since start: crossings, and side changes at the segment's ends (see LineHealth);
        # the running pipeline's own tally is added until it closes.
        self._line_crossings: dict[str, int] = {}
        self._line_ends: dict[str, int] = {}
        self._live_ends: dict[str, int] | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._started_mono = self._monotonic()
        self._thread = threading.Thread(target=self._run, name=f"camera-{self.camera.camera_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def finished(self) -> bool:
        """Ended on its own: failed, or a file that reached its end with ``on_end: stop``."""
        return self._thread is not None and not self._thread.is_alive() and not self._stop.is_set()

    def _set_state(self, state: CameraState, reason: str | None = None) -> None:
        if (state, reason) != (self.state, self.reason):
            level = logging.INFO if state in ("ok", "starting", "stopped") else logging.WARNING
            log.log(level, "camera %s: %s%s", self.camera.camera_id, state, f" ({reason})" if reason else "")
        self.state, self.reason = state, reason

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        backoff = Backoff(self._supervision.reconnect_initial_s, self._supervision.reconnect_max_s)
        coverage = CoverageClock(self.camera.camera_id, max_gap_s=self._supervision.stale_after_s)
        try:
            while not self._stop.is_set():
                ended = self._one_connection(backoff, coverage)
                if ended and self.camera.on_end == "stop":
                    break
                if self._stop.is_set():
                    break
                delay = backoff.next_delay()
                self._stop.wait(delay)
            self._store((), coverage.flush())
            if not self.abandoned:
                self._set_state("stopped", None if self._stop.is_set() else "stream ended")
        except Exception as error:  # the pipeline or the outbox failed: the watchdog decides
            self.error = error
            self._store_quietly(coverage.flush())
            self._set_state("failed", f"{type(error).__name__}: {error}")
            log.exception("camera %s: pipeline failed", self.camera.camera_id)

    def _one_connection(self, backoff: Backoff, coverage: CoverageClock) -> bool:
        """Open the source and count until it ends (True) or fails (False). Pipeline errors propagate."""
        if self.state not in ("starting", "reconnecting", "stale"):
            self._set_state("reconnecting", self.reason)
        try:
            source = self._open_source(self.camera)
        except Exception as error:  # any library error opening a camera means: try again later
            self._set_state("reconnecting", f"cannot open source: {error}")
            return False
        pipeline: Pipeline | None = None
        frozen = FrozenImage(self._supervision.frozen_after_s)
        ended = False
        paced_from: tuple[float, float] | None = None  # (monotonic, frame t) of the first frame
        try:
            frames = iter(source)
            while not self._stop.is_set():
                try:
                    frame = next(frames)
                except StopIteration:
                    ended = True
                    if self.camera.on_end == "reconnect":
                        self._set_state("reconnecting", "stream ended")
                    break
                except Exception as error:  # the camera dropped the stream
                    self._set_state("reconnecting", f"stream lost: {error}")
                    break
                if self.camera.realtime:
                    if paced_from is None:
                        paced_from = (self._monotonic(), frame.t)
                    ahead = (frame.t - paced_from[1]) - (self._monotonic() - paced_from[0])
                    if ahead > 0 and self._stop.wait(ahead):
                        break
                if pipeline is None:
                    height, width = frame.image.shape[:2]
                    pipeline = self._make_pipeline(self.camera, width, height)
                    self._live_ends = getattr(getattr(pipeline, "counter", None), "end_traffic", None)
                self._handle(frame, pipeline, frozen, coverage, backoff)
        except _Reconnect:
            pass
        finally:
            if pipeline is not None:
                # Commit crossings the counter still held: the tracker does not survive a reconnect.
                self._close_pipeline(pipeline, coverage)
            try:
                source.close()
            except Exception as error:  # closing a broken camera may fail too; it is gone either way
                log.debug("camera %s: close failed: %s", self.camera.camera_id, error)
        return ended

    def _close_pipeline(self, pipeline: Pipeline, coverage: CoverageClock) -> None:
        try:
            pending = pipeline.close()
        except Exception as error:  # a pipeline that just failed may fail to close too; keep the first error
            log.warning("camera %s: closing the pipeline failed: %s", self.camera.camera_id, error)
            pending = []
        self._tally(pending)
        for line_id, count in (self._live_ends or {}).items():
            self._line_ends[line_id] = self._line_ends.get(line_id, 0) + count
        self._live_ends = None
        self._store(pending, coverage.flush())

    def _handle(
        self, frame: Frame, pipeline: Pipeline, frozen: FrozenImage, coverage: CoverageClock, backoff: Backoff
    ) -> None:
        now = self._monotonic()
        if frozen.check(frame, now):
            self._set_state("stale", f"frozen image for {self._supervision.frozen_after_s:.0f} s")
            raise _Reconnect
        events = pipeline.process(frame)
        self._tally(events)
        drafts = coverage.observe(frame.wall)
        if events or drafts:
            self._store(events, drafts)
        self._note_frame(
            frame, self._monotonic(), len(events)
        )  # after the work: a slow first frame is not silence
        if self.state != "ok":
            self._set_state("ok")
            backoff.reset()

    def _tally(self, events: Sequence[CrossingEvent]) -> None:
        for event in events:
            self._line_crossings[event.line_id] = self._line_crossings.get(event.line_id, 0) + 1

    def _store(self, events: Sequence[CrossingEvent], drafts: Sequence[CoverageDraft]) -> None:
        if self.abandoned or (not events and not drafts):
            return
        self._sink.append(list(events), list(drafts))

    def _store_quietly(self, drafts: Sequence[CoverageDraft]) -> None:
        try:
            self._store((), drafts)
        except Exception as error:  # already failing; the coverage gap is the honest record
            log.warning("camera %s: could not store coverage: %s", self.camera.camera_id, error)

    def _note_frame(self, frame: Frame, now: float, crossings: int) -> None:
        stats = self.stats
        if stats.last_frame_mono is not None:
            dt = now - stats.last_frame_mono
            if dt > 0:
                instant = 1.0 / dt
                stats.fps = instant if stats.fps == 0 else 0.9 * stats.fps + 0.1 * instant
        stats.frames += 1
        stats.crossings += crossings
        stats.last_frame_mono = now
        stats.last_frame_at = datetime.now(UTC)
        self.latest_frame = frame

    # -- supervision from outside ----------------------------------------------------------

    def check_stale(self) -> float | None:
        """Called by the watchdog: marks the camera stale when frames stopped; returns seconds since the last frame."""
        last = self.stats.last_frame_mono
        if last is None:
            return self._check_first_frame()
        if self.state != "ok":
            return self._monotonic() - last
        silent = self._monotonic() - last
        if silent > self._supervision.stale_after_s:
            self._set_state("stale", f"no frame for {silent:.0f} s")
        return silent

    def _check_first_frame(self) -> float | None:
        """A camera that never delivers its first frame (a source open or model load that hangs)
        is as dead as one that stopped: report it stale, so the watchdog can replace it."""
        if self._started_mono is None or self.state not in ("starting", "stale"):
            return None
        waiting = self._monotonic() - self._started_mono
        if waiting > self._supervision.stale_after_s:
            self._set_state("stale", f"no first frame {waiting:.1f} s after start")
        return waiting

    def health(self) -> CameraHealth:
        return CameraHealth(
            camera_id=self.camera.camera_id,
            state=self.state,
            reason=self.reason,
            fps=round(self.stats.fps, 2) if self.state == "ok" else 0.0,
            last_frame_at=self.stats.last_frame_at,
            restarts=self.restarts,
            lines=self._line_health(),
        )

    def _line_health(self) -> list[LineHealth]:
        live = dict(self._live_ends or {})  # the camera thread may add to it while we read
        ids = [line.line_id for line in self.camera.lines]
        ids += sorted((set(self._line_crossings) | set(self._line_ends) | set(live)) - set(ids))
        return [
            LineHealth(
                line_id=line_id,
                crossings=self._line_crossings.get(line_id, 0),
                at_ends=self._line_ends.get(line_id, 0) + live.get(line_id, 0),
            )
            for line_id in ids
        ]
