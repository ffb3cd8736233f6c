"""Device health history: each heartbeat folded into stretches of unchanged camera states.

Installers want to see when a camera was down, frozen or reconnecting over the last days,
not only the latest heartbeat that ``devices.last_health`` keeps. Every heartbeat is
recorded, but one that changes nothing only extends the current stretch (see migration
0008 for the sizes), and a device silent for longer than :data:`SILENCE_S` starts a new
stretch, so the gap shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import psycopg
from footfall.server.db.queries import device_health as q
from psycopg.types.json import Jsonb

from footfall.contracts import DeviceHealth

#: Agents report every minute (edge ``health_interval_s``); a few missed beats mean silence.
SILENCE_S = 300
#: Stretches returned at most by one read (about a month of a flapping camera).
MAX_ENTRIES = 2000


def camera_states(health: DeviceHealth) -> list[dict[str, Any]]:
    """What the history keeps of each camera: its state and, when it is not running, why."""
    return [
        {"camera_id": c.camera_id, "state": c.state, "reason": c.reason}
        for c in sorted(health.cameras, key=lambda c: c.camera_id)
    ]


def state_key(health: DeviceHealth) -> str:
    """Equal for two heartbeats that an installer would see as "nothing changed".

    Reasons are left out: they carry counters ("no frame for 14 s") that change every beat.
    """
    cameras = ";".join(f"{c.camera_id}={c.state}" for c in sorted(health.cameras, key=lambda c: c.camera_id))
    return f"{cameras}|disk={'full' if health.disk_budget_exceeded else 'ok'}"


def record_health(
    conn: psycopg.Connection, device_id: str, health: DeviceHealth, *, at: datetime, keep_days: int
) -> bool:
    """Fold a heartbeat received ``at`` into the history; True when it started a new stretch."""
    started = conn.execute(
        q.RECORD_HEALTH,
        {
            "device_id": device_id,
            "at": at,
            "state_key": state_key(health),
            "cameras": Jsonb(camera_states(health)),
            "agent_version": health.agent_version,
            "outbox_backlog": health.outbox_backlog,
            "disk_budget_exceeded": health.disk_budget_exceeded,
            "silence_s": SILENCE_S,
        },
    ).fetchone()
    if started is None:
        return False
    conn.execute(q.PRUNE_HEALTH, {"before": at - timedelta(days=keep_days)})
    return True


def health_history(conn: psycopg.Connection, device_id: str, *, since: datetime) -> list[dict[str, Any]]:
    """Stretches that reach ``since`` or later, newest first."""
    return conn.execute(
        q.HEALTH_HISTORY, {"device_id": device_id, "since": since, "limit": MAX_ENTRIES}
    ).fetchall()
