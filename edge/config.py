"""The agent's configuration: one YAML file per store, validated strictly at start-up.

Why strict: an agent runs unattended for months, so a typo (``retension_days``) must fail
the start with one clear line instead of silently running on a default. Every model
forbids unknown keys; cross-field rules live in named validators.

Line coordinates are 0–1 fractions of the frame (:class:`~footfall.contracts.LineConfig`),
so a camera that changes resolution keeps its lines. Cameras may be listed here, or pulled
from the server (``GET /api/v1/devices/me/config``) and cached next to the outbox, so an
agent restarts with its last known configuration even when the network is down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from footfall.edge.errors import EdgeConfigError
from footfall.edge.tracks import DEFAULT_TRACKER, TrackerName
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from footfall.contracts import CameraConfig, DeviceConfig, LineConfig


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerLink(_Strict):
    """Where the server is and how this device proves who it is."""

    url: str = Field(description="Base URL of the Footfall server, e.g. https://footfall.example.com")
    token_file: Path = Field(
        default=Path("/var/lib/footfall-edge/device-token.json"),
        description="Written by 'footfall edge enroll' (mode 0600); holds device id and token.",
    )
    timeout_s: float = Field(default=15.0, gt=0, le=300)
    verify_tls: bool = Field(default=True, description="Only turn off on a lab network.")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// on a lab network)")
        return value.rstrip("/")


class AgentCamera(_Strict):
    """One camera this agent runs: where its frames come from and where its lines are."""

    camera_id: str = Field(min_length=1, max_length=64)
    name: str = ""
    source: str | None = Field(
        default=None,
        description="rtsp://..., a USB index such as '0', a video file or image folder. "
        "May be omitted when the server's camera config carries it.",
    )
    lines: list[LineConfig] = Field(default_factory=list)
    calibration: dict | None = Field(
        default=None,
        description="Who-counts calibration (footfall edge calibrate); without it every person counts as an adult.",
    )
    fps: float | None = Field(default=None, gt=0, le=120, description="Process at most this many frames/s.")
    loop: bool = Field(default=False, description="Replay a file forever (demos and soak runs).")
    realtime: bool = Field(
        default=False,
        description="Pace a recorded file at its own frame rate (demos, replays), so event times "
        "never run ahead of the clock; live cameras pace themselves.",
    )
    on_end: Literal["reconnect", "stop"] = Field(
        default="reconnect",
        description="What to do when the stream ends: live cameras reconnect; a file may just stop.",
    )

    @model_validator(mode="after")
    def _line_ids_unique(self) -> AgentCamera:
        ids = [line.line_id for line in self.lines]
        if len(ids) != len(set(ids)):
            raise ValueError(f"camera {self.camera_id}: line ids must be unique, got {ids}")
        return self


class OutboxSettings(_Strict):
    """The durable local queue of counts (SQLite in WAL mode)."""

    path: Path = Field(default=Path("/var/lib/footfall-edge/outbox.sqlite3"))
    retention_days: float = Field(
        default=14.0, gt=0, description="Sent rows older than this are pruned; unsent rows never are."
    )
    disk_budget_mb: float = Field(
        default=512.0,
        gt=0,
        description="Above this the agent reports loudly in its health; it keeps every unsent row.",
    )


class UploaderSettings(_Strict):
    batch_max_rows: int = Field(default=1000, ge=1, le=10_000)
    batch_max_bytes: int = Field(default=1_000_000, ge=1024, le=8_000_000)
    idle_interval_s: float = Field(
        default=2.0, gt=0, description="Pause between polls when nothing is pending."
    )
    backoff_initial_s: float = Field(default=1.0, gt=0)
    backoff_max_s: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _backoff_order(self) -> UploaderSettings:
        if self.backoff_max_s < self.backoff_initial_s:
            raise ValueError("uploader.backoff_max_s must be >= uploader.backoff_initial_s")
        return self


class SupervisionSettings(_Strict):
    """How cameras are watched and restarted."""

    reconnect_initial_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=60.0, gt=0)
    stale_after_s: float = Field(default=10.0, gt=0, description="No new frame for this long = stale.")
    frozen_after_s: float = Field(
        default=30.0, gt=0, description="Identical frames for this long = frozen image (treated as stale)."
    )
    hung_after_s: float = Field(
        default=120.0,
        gt=0,
        description="A worker silent this long is abandoned and replaced (counts against the budget).",
    )
    restart_budget: int = Field(default=5, ge=0, description="Pipeline restarts allowed per window.")
    restart_window_s: float = Field(default=3600.0, gt=0)
    restart_backoff_initial_s: float = Field(default=2.0, gt=0)
    restart_backoff_max_s: float = Field(default=120.0, gt=0)


class DetectorSettings(_Strict):
    model: str | None = Field(default=None, description="Path or manifest name; None = the default model.")
    confidence: float = Field(default=0.25, gt=0, lt=1)
    tracker: TrackerName = Field(
        default=DEFAULT_TRACKER,
        description="Ultralytics tracker: tracktrack (fewer misses in groups), or bytetrack (10-15% faster).",
    )
    imgsz: int | None = Field(
        default=None,
        ge=32,
        le=2048,
        description="Input side in pixels, a multiple of 32; None = the model's own.",
    )

    @field_validator("imgsz")
    @classmethod
    def _multiple_of_32(cls, value: int | None) -> int | None:
        # The detector's strides are 8, 16 and 32: any other side is refused when the model loads,
        # long after the agent started; say so while the config is read instead.
        if value is not None and value % 32:
            raise ValueError(
                f"must be a multiple of 32 (e.g. {max(32, value // 32 * 32)} or {value // 32 * 32 + 32})"
            )
        return value


class AgentConfig(_Strict):
    """Everything one store's agent needs; see ``deploy/edge/agent.example.yaml``."""

    server: ServerLink
    cameras: list[AgentCamera] = Field(default_factory=list)
    pull_config: bool = Field(
        default=True, description="Fetch cameras and lines from the server at start (cached locally)."
    )
    config_cache: Path | None = Field(
        default=None, description="Where the server's config is cached; default next to the outbox."
    )
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    uploader: UploaderSettings = Field(default_factory=UploaderSettings)
    supervision: SupervisionSettings = Field(default_factory=SupervisionSettings)
    detector: DetectorSettings = Field(default_factory=DetectorSettings)
    health_interval_s: float = Field(default=60.0, gt=0)
    snapshot_poll_s: float = Field(default=15.0, gt=0)
    retention_check_s: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _camera_ids_unique(self) -> AgentConfig:
        ids = [camera.camera_id for camera in self.cameras]
        if len(ids) != len(set(ids)):
            raise ValueError(f"camera ids must be unique, got {ids}")
        return self

    @property
    def config_cache_path(self) -> Path:
        return self.config_cache or self.outbox.path.with_name("device-config.json")


def load_agent_config(path: Path) -> AgentConfig:
    """Read and validate ``path``; any problem becomes one :class:`EdgeConfigError` line."""
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EdgeConfigError(f"cannot read agent config {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise EdgeConfigError(f"agent config {path} is not valid YAML: {error}".splitlines()[0]) from error
    if not isinstance(raw, dict):
        raise EdgeConfigError(f"agent config {path} must be a mapping of settings")
    try:
        return AgentConfig.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (+{error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise EdgeConfigError(f"agent config {path}: {where}: {first['msg']}{more}") from error


def merge_cameras(local: list[AgentCamera], server: DeviceConfig | None) -> list[AgentCamera]:
    """The cameras to run: the server's cameras and lines, with sources and options set locally.

    Why this precedence: installers draw lines on the server (so they can be placed remotely),
    while the camera's address is a property of the store's network and may only be known
    on the device. A camera listed only locally still runs (an offline install).
    """
    if server is None:
        return list(local)
    by_id = {camera.camera_id: camera for camera in local}
    merged: list[AgentCamera] = []
    for remote in server.cameras:
        mine = by_id.pop(remote.camera_id, None)
        merged.append(_merge_one(remote, mine))
    merged.extend(by_id.values())
    return merged


def _merge_one(remote: CameraConfig, mine: AgentCamera | None) -> AgentCamera:
    if mine is None:
        return AgentCamera(
            camera_id=remote.camera_id,
            name=remote.name,
            source=remote.source,
            lines=list(remote.lines),
            calibration=remote.calibration,
        )
    return mine.model_copy(
        update={
            "name": mine.name or remote.name,
            "source": mine.source or remote.source,
            "lines": list(remote.lines) if remote.lines else list(mine.lines),
            "calibration": remote.calibration if remote.calibration is not None else mine.calibration,
        }
    )
