"""``/api/v1/devices/{device_id}/health-history``: when a device's cameras were up, down or silent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.db.queries import devices as dq
from footfall.server.device_health import MAX_ENTRIES, SILENCE_S, health_history
from footfall.server.errors import InvalidInput, NotFound
from pydantic import BaseModel

router = APIRouter(prefix="/api/v1", tags=["devices"])

#: What an installer looks at without asking: the last week.
DEFAULT_DAYS = 7


class CameraStateOut(BaseModel):
    camera_id: str
    state: str
    reason: str | None


class HealthStretchOut(BaseModel):
    """Heartbeats from ``first_report_at`` to ``last_report_at`` with these camera states."""

    first_report_at: datetime
    last_report_at: datetime
    reports: int
    cameras: list[CameraStateOut]
    agent_version: str | None
    max_outbox_backlog: int
    disk_budget_exceeded: bool


class HealthHistoryOut(BaseModel):
    device_id: str
    store_id: str
    since: datetime
    #: Longer than this between two stretches means the device was silent (off or offline).
    silence_s: int
    #: How far back the server keeps history.
    keep_days: int
    #: Newest first; at most ``MAX_ENTRIES``.
    stretches: list[HealthStretchOut]


@router.get(
    "/devices/{device_id}/health-history",
    summary="A device's camera states over time (stretches of unchanged heartbeats), newest first",
)
def get_health_history(
    device_id: str,
    principal: CurrentPrincipal,
    conn: Connection,
    request: Request,
    since: Annotated[
        datetime | None,
        Query(description=f"ISO 8601 with a UTC offset; default {DEFAULT_DAYS} days ago"),
    ] = None,
) -> HealthHistoryOut:
    device = conn.execute(dq.DEVICE, {"device_id": device_id}).fetchone()
    if device is None or device["store_id"] not in principal.visible_store_ids:
        raise NotFound(f"no device {device_id!r}")
    scope.require(principal, "manage_devices")
    if since is None:
        since = datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)
    elif since.tzinfo is None:
        raise InvalidInput(
            "since needs a UTC offset",
            details=[{"field": "since", "message": "write e.g. 2026-06-01T00:00:00Z (with Z or +hh:mm)"}],
        )
    rows = health_history(conn, device_id, since=since)
    return HealthHistoryOut(
        device_id=device_id,
        store_id=device["store_id"],
        since=since,
        silence_s=SILENCE_S,
        keep_days=request.app.state.settings.device_health_history_days,
        stretches=[HealthStretchOut(**row) for row in rows[:MAX_ENTRIES]],
    )
