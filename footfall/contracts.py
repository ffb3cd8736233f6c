"""Wire contracts shared by the edge agent and the server.

These pydantic models are the only shapes that cross the network. Both sides validate
strictly (unknown keys are rejected) so a version mismatch fails loudly instead of
silently dropping fields. Times are timezone-aware UTC; a naive datetime is refused.

Identity of a count: ``(device_id, seq)``. The device id comes from the device's token,
``seq`` from the edge outbox, a strictly increasing integer that survives restarts. The
server's insert is a no-op for an identity it already holds, so a batch may be sent any
number of times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

API_VERSION = "v1"
#: Version of the wire contracts in this module; bumped on any incompatible change.
CONTRACT_VERSION = 1

Direction = Literal["in", "out"]
PersonClass = Literal["adult", "child", "staff"]
CameraState = Literal["starting", "ok", "reconnecting", "stale", "failed", "stopped"]


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a time zone (UTC), e.g. 2026-01-31T09:00:00Z")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class Contract(BaseModel):
    """Base for every wire model: strict about unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CrossingEvent(Contract):
    """One person crossing one line, as the counting engine decides it."""

    camera_id: str = Field(min_length=1, max_length=64)
    line_id: str = Field(min_length=1, max_length=64)
    direction: Direction
    ts: UtcDatetime = Field(description="When the crossing was committed, UTC.")
    track_id: int = Field(ge=0)
    person_class: PersonClass = "adult"
    confidence: Fraction = 1.0
    frame_index: int = Field(ge=0)
    group_id: str | None = Field(
        default=None, max_length=64, description="Shared by people crossing together."
    )
    height_m: float | None = Field(default=None, ge=0.0, le=3.0, description="Estimated standing height.")


class CrossingRecord(CrossingEvent):
    """A crossing as stored in the edge outbox and uploaded: with its device sequence number."""

    seq: int = Field(ge=1, description="Device-wide, strictly increasing; (device, seq) is the identity.")


class CoverageMinute(Contract):
    """Whether a camera was counting during one UTC minute.

    Lets the server tell "nobody came" (covered, zero crossings) from "no data".
    """

    seq: int = Field(ge=1)
    camera_id: str = Field(min_length=1, max_length=64)
    minute: UtcDatetime = Field(description="Start of the minute, UTC, seconds zero.")
    processed_s: float = Field(
        ge=0.0, le=60.0, description="Seconds of that minute the pipeline processed frames."
    )
    fps: float = Field(ge=0.0, le=1000.0)


class IngestBatch(Contract):
    """One upload from a device. All-or-nothing on the server."""

    crossings: list[CrossingRecord] = Field(default_factory=list, max_length=10_000)
    coverage: list[CoverageMinute] = Field(default_factory=list, max_length=10_000)
    sent_at: UtcDatetime


class IngestResult(Contract):
    accepted: int
    duplicate: int
    #: Highest sequence number the server now holds for this device (for the agent's records).
    max_seq: int | None = None


class LineHealth(Contract):
    """How one counting line is used, since the agent started."""

    line_id: str
    crossings: int = Field(default=0, ge=0)
    #: Side changes within a step of the segment's ends, counted or not (the line may be too short).
    at_ends: int = Field(default=0, ge=0)


class CameraHealth(Contract):
    camera_id: str
    state: CameraState
    reason: str | None = None
    fps: float = 0.0
    last_frame_at: UtcDatetime | None = None
    restarts: int = 0
    lines: list[LineHealth] = Field(default_factory=list)


class DeviceHealth(Contract):
    """The heartbeat an agent sends every minute or so."""

    sent_at: UtcDatetime
    agent_version: str
    uptime_s: float = Field(ge=0)
    cameras: list[CameraHealth] = Field(default_factory=list)
    outbox_backlog: int = Field(ge=0)
    oldest_unsent_at: UtcDatetime | None = None
    rejected_rows: int = Field(default=0, ge=0)
    disk_used_bytes: int = Field(ge=0)
    disk_budget_bytes: int = Field(ge=0)
    disk_budget_exceeded: bool = False
    clock_offset_s: float | None = None


class LineConfig(Contract):
    """A counting line in 0–1 fractions of the frame, so a resolution change keeps it valid."""

    line_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=120)
    entrance_id: str | None = None
    x1: Fraction
    y1: Fraction
    x2: Fraction
    y2: Fraction
    inside_x: Fraction
    inside_y: Fraction


class CameraConfig(Contract):
    camera_id: str = Field(min_length=1, max_length=64)
    name: str
    source: str | None = Field(
        default=None, description="RTSP URL, USB index or file; set on the device if absent."
    )
    lines: list[LineConfig] = Field(default_factory=list)
    calibration: dict | None = None


class DeviceConfig(Contract):
    """What the server tells a device to run."""

    device_id: str
    store_id: str
    store_timezone: str
    cameras: list[CameraConfig]
    config_version: int = 1


class EnrolmentRequest(Contract):
    code: str = Field(min_length=6, max_length=64)
    hostname: str | None = Field(default=None, max_length=255)
    agent_version: str | None = Field(default=None, max_length=64)


class EnrolmentResponse(Contract):
    device_id: str
    token: str
    store_id: str
