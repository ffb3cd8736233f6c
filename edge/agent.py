"""One store's agent: every camera, the outbox, the uploader, health and snapshots in one process.

Lifecycle (explicit, as in Frigate):

1. **start** in dependency order: the outbox is already open (in-flight rows recovered),
   then the uploader, the heartbeat and the snapshot responder, then the cameras last,
   so nothing is counted before there is somewhere to put it.
2. **run**: the watchdog loop checks each camera every second: marks silent cameras
   ``stale``, restarts a failed pipeline after a growing delay while its restart budget
   lasts (``failed`` with the reason once it is spent), replaces a worker hung for a
   long time, and prunes sent rows past retention.
3. **stop** on one event (SIGTERM/SIGINT set it): cameras first (their pipelines commit
   pending crossings and coverage into the outbox), then the uploader gets a short
   drain, a last heartbeat is sent, and the outbox is checkpointed and closed.

Every adapter (outbox, server client, source opener, pipeline factory) is a constructor
argument, so tests run the real agent on fake cameras.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from footfall.edge.camera_worker import CameraWorker, PipelineFactory, SourceOpener
from footfall.edge.config import AgentCamera, AgentConfig, SupervisionSettings
from footfall.edge.device_client import DeviceClient
from footfall.edge.health import HealthReporter, build_health
from footfall.edge.outbox import Outbox
from footfall.edge.snapshots import SnapshotResponder
from footfall.edge.uploader import Uploader

from footfall.contracts import CameraHealth, DeviceHealth

log = logging.getLogger(__name__)


@dataclass
class RestartBudget:
    """At most ``budget`` restarts within any ``window_s``; each restart waits longer (pure logic)."""

    budget: int
    window_s: float
    initial_delay_s: float
    max_delay_s: float
    history: deque[float] = field(default_factory=deque)

    def allows(self, now: float) -> bool:
        while self.history and now - self.history[0] > self.window_s:
            self.history.popleft()
        return len(self.history) < self.budget

    def delay(self) -> float:
        return min(self.max_delay_s, self.initial_delay_s * (2.0 ** len(self.history)))

    def spend(self, now: float) -> None:
        self.history.append(now)

    @classmethod
    def from_settings(cls, settings: SupervisionSettings) -> RestartBudget:
        return cls(
            settings.restart_budget,
            settings.restart_window_s,
            settings.restart_backoff_initial_s,
            settings.restart_backoff_max_s,
        )


@dataclass
class _Slot:
    """One configured camera: its current worker and its restart bookkeeping."""

    camera: AgentCamera
    worker: CameraWorker
    budget: RestartBudget
    restarts: int = 0
    restart_at: float | None = None
    gave_up: str | None = None


class Agent:
    def __init__(
        self,
        config: AgentConfig,
        cameras: Sequence[AgentCamera],
        *,
        outbox: Outbox,
        client: DeviceClient,
        open_source: SourceOpener,
        make_pipeline: PipelineFactory,
        snapshots: SnapshotResponder | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        watch_interval_s: float = 1.0,
        drain_s: float = 5.0,
    ) -> None:
        self.config = config
        self.cameras = list(cameras)
        self.outbox = outbox
        self.client = client
        self._open_source = open_source
        self._make_pipeline = make_pipeline
        self._monotonic = monotonic
        self._watch_interval_s = watch_interval_s
        self._drain_s = drain_s
        self.stop_event = threading.Event()
        self.uploader = Uploader(outbox, client, config.uploader)
        self.reporter = HealthReporter(self.collect_health, client.post_health, config.health_interval_s)
        self.snapshots = snapshots
        self._slots: list[_Slot] = []
        self._threads: list[threading.Thread] = []
        self._started_at = monotonic()
        self._last_prune = float("-inf")

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._started_at = self._monotonic()
        self._spawn("uploader", self.uploader.run)
        self._spawn("health", self.reporter.run)
        if self.snapshots is not None:
            self._spawn("snapshots", self.snapshots.run)
        for camera in self.cameras:
            slot = _Slot(
                camera, self._new_worker(camera, 0), RestartBudget.from_settings(self.config.supervision)
            )
            self._slots.append(slot)
            slot.worker.start()
        log.info("agent: started %d cameras", len(self._slots))

    def _spawn(self, name: str, target: Callable[[threading.Event], None]) -> None:
        thread = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _new_worker(self, camera: AgentCamera, restarts: int) -> CameraWorker:
        return CameraWorker(
            camera,
            self._open_source,
            self._make_pipeline,
            self.outbox,
            self.config.supervision,
            restarts=restarts,
            monotonic=self._monotonic,
        )

    def run(self) -> None:
        """Start, watch until the stop event is set, then stop cleanly."""
        self.start()
        try:
            while not self.stop_event.wait(self._watch_interval_s):
                self.watch_once()
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop in reverse order within ~25 s (systemd's TimeoutStopSec is 30 s).

        Cameras first, so their last crossings reach the outbox; then a short drain by the
        uploader; rows still in flight if we are killed now are recovered at the next start.
        """
        self.stop_event.set()
        for slot in self._slots:
            slot.worker.stop()
        for slot in self._slots:
            if not slot.worker.join(timeout=10.0):
                log.error("agent: camera %s did not stop within 10 s", slot.camera.camera_id)
        for thread in self._threads:
            thread.join(timeout=5.0)
        if any(t.name == "uploader" and t.is_alive() for t in self._threads):
            log.warning("agent: an upload is still in progress; its rows are resent at the next start")
        else:
            delivered = self.uploader.drain(deadline_s=self._drain_s)
            log.info("agent: delivered %d counts while stopping", delivered)
        if self.uploader.status.state in ("ok", "idle"):  # a server that is down would only delay the stop
            try:
                self.reporter.report_once()
            except Exception as error:  # the last heartbeat is a courtesy
                log.warning("agent: last heartbeat failed: %s", error)
        self.outbox.close()
        self.client.close()
        log.info("agent: stopped")

    # -- the watchdog ---------------------------------------------------------------------

    def watch_once(self) -> None:
        now = self._monotonic()
        supervision = self.config.supervision
        hung_after = max(supervision.hung_after_s, supervision.stale_after_s)
        for slot in self._slots:
            worker = slot.worker
            silent = worker.check_stale() if worker.alive else None
            if worker.alive and silent is not None and silent > hung_after and worker.state == "stale":
                log.error(
                    "agent: camera %s hung for %.0f s; replacing its worker", slot.camera.camera_id, silent
                )
                worker.abandoned = True
                worker.stop()
                self._schedule_restart(slot, now, f"hung for {silent:.0f} s")
            elif (
                worker.finished and worker.state == "failed" and slot.restart_at is None and not slot.gave_up
            ):
                self._schedule_restart(slot, now, worker.reason or "failed")
            if slot.restart_at is not None and now >= slot.restart_at:
                slot.restart_at = None
                slot.restarts += 1
                slot.worker = self._new_worker(slot.camera, slot.restarts)
                slot.worker.start()
                log.warning("agent: restarted camera %s (restart %d)", slot.camera.camera_id, slot.restarts)
        if now - self._last_prune >= self.config.retention_check_s:
            self._last_prune = now
            self.outbox.prune_sent(older_than_days=self.config.outbox.retention_days)

    def _schedule_restart(self, slot: _Slot, now: float, reason: str) -> None:
        if not slot.budget.allows(now):
            slot.gave_up = (
                f"{reason}; restart budget spent ({slot.budget.budget} in {slot.budget.window_s:.0f} s)"
            )
            slot.worker.state, slot.worker.reason = "failed", slot.gave_up
            log.error("agent: camera %s gives up: %s", slot.camera.camera_id, slot.gave_up)
            return
        delay = slot.budget.delay()
        slot.budget.spend(now)
        slot.restart_at = now + delay
        log.warning(
            "agent: camera %s failed (%s); restarting in %.1f s", slot.camera.camera_id, reason, delay
        )

    # -- reporting ------------------------------------------------------------------------

    def camera_health(self) -> list[CameraHealth]:
        return [slot.worker.health() for slot in self._slots]

    def collect_health(self) -> DeviceHealth:
        return build_health(
            cameras=self.camera_health(),
            outbox=self.outbox.stats(),
            uptime_s=self._monotonic() - self._started_at,
            clock_offset_s=self.client.clock_offset_s,
        )

    def worker_for(self, camera_id: str) -> CameraWorker | None:
        return next((s.worker for s in self._slots if s.camera.camera_id == camera_id), None)
