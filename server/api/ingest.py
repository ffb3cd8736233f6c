"""``/api/v1/ingest``: what devices send — crossing batches and heartbeats (device token)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from footfall.server.auth import Connection, CurrentDevice
from footfall.server.db.queries import devices as dq
from footfall.server.device_health import record_health
from footfall.server.ingest import ingest_batch
from psycopg.types.json import Jsonb

from footfall.contracts import DeviceHealth, IngestBatch, IngestResult

router = APIRouter(prefix="/api/v1/ingest", tags=["ingest"])


@router.post(
    "/crossings",
    summary="Store a batch of crossings and coverage minutes, all or nothing",
    description=(
        "Idempotent: an identity (device, seq) the server holds already is counted as a duplicate, "
        "not an error, so a batch may be re-sent after any failure. A batch with any invalid row is "
        "refused as a whole with a 422 naming each bad field; nothing of it is stored."
    ),
)
def post_crossings(
    batch: IngestBatch, device: CurrentDevice, conn: Connection, request: Request
) -> IngestResult:
    request.app.state.ingest_limiter.hit(device.device_id)
    result = ingest_batch(conn, device, batch)
    conn.execute(dq.TOUCH_DEVICE, {"device_id": device.device_id})
    return result


@router.post("/health", status_code=204, summary="A device's heartbeat (cameras, backlog, clock offset)")
def post_health(health: DeviceHealth, device: CurrentDevice, conn: Connection, request: Request) -> Response:
    request.app.state.ingest_limiter.hit(device.device_id)
    conn.execute(
        dq.SAVE_HEALTH,
        {
            "device_id": device.device_id,
            "health": Jsonb(health.model_dump(mode="json")),
            "agent_version": health.agent_version,
        },
    )
    record_health(
        conn,
        device.device_id,
        health,
        at=datetime.now(UTC),
        keep_days=request.app.state.settings.device_health_history_days,
    )
    return Response(status_code=204)
