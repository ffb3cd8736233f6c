"""The agent's heartbeat: what the server (and an installer) needs to trust the counts.

The report answers: is every camera counting (state, reason, fps, restarts)? How much is
waiting to be uploaded and since when? Is the outbox over its disk budget (said loudly,
never solved by dropping counts)? Has the server rejected rows? How far is this device's
clock from the server's? Per-minute coverage rows travel with the counts themselves;
this report is the live view.

:func:`build_health` is pure; :class:`HealthReporter` sends it on a timer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from footfall.edge.errors import UploadError
from footfall.edge.outbox import OutboxStats

from footfall import __version__
from footfall.contracts import CameraHealth, DeviceHealth

log = logging.getLogger(__name__)


def build_health(
    *,
    cameras: Sequence[CameraHealth],
    outbox: OutboxStats,
    uptime_s: float,
    clock_offset_s: float | None,
    now: datetime | None = None,
    agent_version: str = __version__,
) -> DeviceHealth:
    return DeviceHealth(
        sent_at=now or datetime.now(UTC),
        agent_version=agent_version,
        uptime_s=max(0.0, uptime_s),
        cameras=list(cameras),
        outbox_backlog=outbox.backlog,
        oldest_unsent_at=outbox.oldest_unsent_at,
        rejected_rows=outbox.rejected,
        disk_used_bytes=outbox.disk_used_bytes,
        disk_budget_bytes=outbox.disk_budget_bytes,
        disk_budget_exceeded=outbox.disk_budget_exceeded,
        clock_offset_s=clock_offset_s,
    )


def problems(health: DeviceHealth) -> list[str]:
    """One line per thing an operator should act on (logged at every heartbeat)."""
    lines = [
        f"camera {c.camera_id} is {c.state}" + (f": {c.reason}" if c.reason else "")
        for c in health.cameras
        if c.state in ("failed", "stale", "reconnecting")
    ]
    if health.disk_budget_exceeded:
        lines.append(
            f"outbox uses {health.disk_used_bytes / 1e6:.1f} MB, over its budget of "
            f"{health.disk_budget_bytes / 1e6:.1f} MB, with {health.outbox_backlog} counts unsent"
        )
    if health.rejected_rows:
        lines.append(f"{health.rejected_rows} counts were rejected by the server and are kept aside")
    if health.clock_offset_s is not None and abs(health.clock_offset_s) > 5:
        lines.append(f"clock is {health.clock_offset_s:+.1f} s off the server's; check NTP")
    return lines


class HealthReporter:
    """Builds a report with ``collect`` and posts it every ``interval_s`` until stopped."""

    def __init__(
        self, collect: Callable[[], DeviceHealth], post: Callable[[DeviceHealth], None], interval_s: float
    ) -> None:
        self._collect = collect
        self._post = post
        self.interval_s = interval_s
        self.last: DeviceHealth | None = None
        self.last_error: str | None = None

    def report_once(self) -> DeviceHealth:
        health = self._collect()
        self.last = health
        for line in problems(health):
            log.error("health: %s", line)
        try:
            self._post(health)
            self.last_error = None
        except UploadError as error:
            self.last_error = str(error)
            log.warning("health: heartbeat not delivered: %s", error)
        return health

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.report_once()
            except Exception:  # a heartbeat must never take the agent down
                log.exception("health: building the report failed")
            stop.wait(self.interval_s)
