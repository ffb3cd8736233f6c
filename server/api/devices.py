"""Devices, cameras, lines and snapshots: installers set them up, devices read their own config.

Installer endpoints take a signed-in person (``manage_devices``); ``/devices/enrol`` takes a
one-time code; ``/devices/me/...`` take the device's own token and see only its cameras.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from footfall.server import provisioning
from footfall.server.auth import Connection, CurrentDevice, CurrentPrincipal, Principal, scope
from footfall.server.client_address import client_address
from footfall.server.db.queries import devices as dq
from footfall.server.db.queries import provisioning as pq
from footfall.server.errors import InvalidInput, NotFound
from pydantic import BaseModel, ConfigDict, Field

from footfall.contracts import CameraConfig, DeviceConfig, EnrolmentRequest, EnrolmentResponse, LineConfig

router = APIRouter(prefix="/api/v1", tags=["devices"])

MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024


class EnrolmentCodeOut(BaseModel):
    code: str
    expires_at: datetime
    store_id: str


class DeviceOut(BaseModel):
    device_id: str
    store_id: str
    hostname: str | None
    agent_version: str | None
    enrolled_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None
    last_health: dict[str, Any] | None
    last_health_at: datetime | None
    config_version: int
    camera_ids: list[str]


class CameraIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    camera_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    name: str = Field(min_length=1, max_length=200)
    entrance_id: str | None = None
    device_id: str | None = None
    source: str | None = Field(default=None, max_length=1000)
    calibration: dict | None = None


class CameraOut(BaseModel):
    camera_id: str
    store_id: str
    device_id: str | None
    entrance_id: str | None
    name: str
    source: str | None
    calibration: dict | None


class LinesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[LineConfig] = Field(max_length=32)


class LinesOut(BaseModel):
    camera_id: str
    lines: list[LineConfig]


class SnapshotRequestOut(BaseModel):
    request_id: str
    camera_id: str
    requested_at: datetime


def _camera_in_scope(conn: Connection, principal: Principal, camera_id: str) -> dict:
    """The camera, or 404 when it does not exist or is outside the caller's stores."""
    camera = conn.execute(pq.CAMERA, {"camera_id": camera_id}).fetchone()
    if camera is None or camera["store_id"] not in principal.visible_store_ids:
        raise NotFound(f"no camera {camera_id!r}")
    scope.require(principal, "manage_devices")
    return camera


# -- installers -----------------------------------------------------------------------------


@router.post(
    "/stores/{store_id}/enrolment-codes", status_code=201, summary="A one-time code to enrol a device"
)
def create_enrolment_code(store_id: str, principal: CurrentPrincipal, conn: Connection) -> EnrolmentCodeOut:
    scope.require_store(principal, store_id, "manage_devices")
    code = provisioning.create_enrolment_code(conn, store_id, created_by=principal.user_id)
    provisioning.audit_by(conn, principal, action="device.enrolment_code_created", target=f"store:{store_id}")
    return EnrolmentCodeOut(code=code.code, expires_at=code.expires_at, store_id=store_id)


@router.get("/devices", summary="Devices of the caller's stores, with their latest health")
def list_devices(principal: CurrentPrincipal, conn: Connection) -> list[DeviceOut]:
    scope.require(principal, "manage_devices")
    rows = conn.execute(dq.DEVICES_IN_STORES, {"store_ids": scope.store_ids(principal)}).fetchall()
    return [DeviceOut(**r) for r in rows]


@router.post("/devices/{device_id}/revoke", summary="Revoke a device's token at once")
def revoke_device(device_id: str, principal: CurrentPrincipal, conn: Connection) -> DeviceOut:
    device = conn.execute(dq.DEVICE, {"device_id": device_id}).fetchone()
    if device is None or device["store_id"] not in principal.visible_store_ids:
        raise NotFound(f"no device {device_id!r}")
    scope.require(principal, "manage_devices")
    conn.execute(dq.REVOKE_DEVICE, {"device_id": device_id})
    provisioning.audit_by(conn, principal, action="device.revoked", target=f"device:{device_id}")
    rows = conn.execute(dq.DEVICES_IN_STORES, {"store_ids": [device["store_id"]]}).fetchall()
    return DeviceOut(**next(r for r in rows if r["device_id"] == device_id))


@router.get("/stores/{store_id}/cameras", summary="Cameras of a store")
def list_cameras(store_id: str, principal: CurrentPrincipal, conn: Connection) -> list[CameraOut]:
    scope.require_store(principal, store_id, "manage_devices")
    return [CameraOut(**r) for r in conn.execute(pq.STORE_CAMERAS, {"store_id": store_id}).fetchall()]


@router.post("/stores/{store_id}/cameras", status_code=201, summary="Add a camera to a store")
def create_camera(store_id: str, body: CameraIn, principal: CurrentPrincipal, conn: Connection) -> CameraOut:
    scope.require_store(principal, store_id, "manage_devices")
    if body.device_id is not None:
        device = conn.execute(dq.DEVICE, {"device_id": body.device_id}).fetchone()
        if device is None or device["store_id"] != store_id:
            raise InvalidInput(
                "no such device in this store",
                details=[{"field": "device_id", "message": "not a device of this store"}],
            )
    camera_id = provisioning.create_camera(conn, store_id, **body.model_dump())
    provisioning.audit_by(
        conn,
        principal,
        action="camera.created",
        target=f"camera:{camera_id}",
        details=body.model_dump(exclude={"calibration"}),
    )
    return CameraOut(**conn.execute(pq.CAMERA, {"camera_id": camera_id}).fetchone())


@router.get("/cameras/{camera_id}/lines", summary="A camera's counting lines")
def get_lines(camera_id: str, principal: CurrentPrincipal, conn: Connection) -> LinesOut:
    _camera_in_scope(conn, principal, camera_id)
    return LinesOut(camera_id=camera_id, lines=provisioning.camera_lines(conn, camera_id))


@router.put(
    "/cameras/{camera_id}/lines", summary="Replace a camera's counting lines (the device picks them up)"
)
def put_lines(camera_id: str, body: LinesIn, principal: CurrentPrincipal, conn: Connection) -> LinesOut:
    _camera_in_scope(conn, principal, camera_id)
    provisioning.set_lines(conn, camera_id, body.lines)
    provisioning.audit_by(
        conn,
        principal,
        action="camera.lines_changed",
        target=f"camera:{camera_id}",
        details={"lines": [line.model_dump() for line in body.lines]},
    )
    return LinesOut(camera_id=camera_id, lines=provisioning.camera_lines(conn, camera_id))


@router.post(
    "/cameras/{camera_id}/snapshot-requests", status_code=201, summary="Ask the device for a picture"
)
def request_snapshot(camera_id: str, principal: CurrentPrincipal, conn: Connection) -> SnapshotRequestOut:
    _camera_in_scope(conn, principal, camera_id)
    row = conn.execute(
        dq.INSERT_SNAPSHOT_REQUEST, {"camera_id": camera_id, "requested_by": principal.user_id}
    ).fetchone()
    # A picture of the shop floor shows people: who asked for one is worth a record.
    provisioning.audit_by(conn, principal, action="camera.snapshot_requested", target=f"camera:{camera_id}")
    return SnapshotRequestOut(
        request_id=str(row["request_id"]), camera_id=camera_id, requested_at=row["requested_at"]
    )


@router.get(
    "/cameras/{camera_id}/snapshot",
    summary="The latest picture the device sent (204 while none has arrived)",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def get_snapshot(camera_id: str, principal: CurrentPrincipal, conn: Connection) -> Response:
    _camera_in_scope(conn, principal, camera_id)
    row = conn.execute(dq.LATEST_SNAPSHOT, {"camera_id": camera_id}).fetchone()
    if row is None:
        return Response(status_code=204)
    return Response(
        content=bytes(row["jpeg"]),
        media_type="image/jpeg",
        # The bytes come from a device: never let a browser sniff them into HTML or script.
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


# -- devices --------------------------------------------------------------------------------


@router.post("/devices/enrol", status_code=201, summary="Exchange a one-time code for a device token")
def enrol(body: EnrolmentRequest, conn: Connection, request: Request) -> EnrolmentResponse:
    client = client_address(request)
    request.app.state.address_limiter.hit(f"enrol:{client}")
    device = provisioning.enrol_device(
        conn, body.code, hostname=body.hostname, agent_version=body.agent_version
    )
    return EnrolmentResponse(device_id=device.device_id, token=device.token, store_id=device.store_id)


@router.get("/devices/me/config", summary="The cameras and lines this device runs")
def device_config(device: CurrentDevice, conn: Connection) -> DeviceConfig:
    lines: dict[str, list[LineConfig]] = {}
    for row in conn.execute(dq.DEVICE_LINES, {"device_id": device.device_id}).fetchall():
        camera_id = row.pop("camera_id")
        lines.setdefault(camera_id, []).append(LineConfig(**row))
    cameras = [
        CameraConfig(
            camera_id=r["camera_id"],
            name=r["name"],
            source=r["source"],
            lines=lines.get(r["camera_id"], []),
            calibration=r["calibration"],
        )
        for r in conn.execute(dq.DEVICE_CAMERAS, {"device_id": device.device_id}).fetchall()
    ]
    return DeviceConfig(
        device_id=device.device_id,
        store_id=device.store_id,
        store_timezone=device.store_timezone,
        cameras=cameras,
        config_version=device.config_version,
    )


@router.get("/devices/me/snapshot-requests", summary="Pictures installers asked this device for")
def open_snapshot_requests(device: CurrentDevice, conn: Connection) -> dict[str, list[SnapshotRequestOut]]:
    rows = conn.execute(dq.OPEN_SNAPSHOT_REQUESTS, {"device_id": device.device_id}).fetchall()
    return {
        "requests": [
            SnapshotRequestOut(
                request_id=str(r["request_id"]), camera_id=r["camera_id"], requested_at=r["requested_at"]
            )
            for r in rows
        ]
    }


@router.put(
    "/devices/me/snapshots/{request_id}", status_code=204, summary="Deliver a requested picture (JPEG body)"
)
async def put_snapshot(
    request_id: str, request: Request, device: CurrentDevice, conn: Connection
) -> Response:
    jpeg = await request.body()
    if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_SNAPSHOT_BYTES:
        raise InvalidInput(
            "send one JPEG image of at most 4 MiB",
            details=[{"field": "body", "message": "not a JPEG or too large"}],
        )
    try:
        import uuid

        uuid.UUID(request_id)
    except ValueError as error:
        raise NotFound(f"no snapshot request {request_id!r}") from error
    row = conn.execute(
        dq.FULFIL_SNAPSHOT, {"jpeg": jpeg, "request_id": request_id, "device_id": device.device_id}
    ).fetchone()
    if row is None:
        raise NotFound(f"no snapshot request {request_id!r} for this device")
    return Response(status_code=204)
