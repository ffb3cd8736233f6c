"""Simulated edge agents: plausible live counts for stores that have no camera in the demo.

Each simulated store is a real device as far as the server can tell: it enrols with a
one-time code, holds its own token, and posts :class:`~footfall.contracts.IngestBatch` and
:class:`~footfall.contracts.DeviceHealth` through the same HTTP API and the same
:class:`~footfall.edge.device_client.DeviceClient` as the real agent. Only the camera is
replaced: arrivals are Poisson draws from :mod:`footfall.demo_traffic` (the model the
server's demo seed used for the history), each visitor leaves again after a dwell time,
and every minute of "counting" is reported as coverage.

Identity of a simulated count: the sequence number starts at the current Unix time in
milliseconds when the simulator starts and increases by one per row, so it stays strictly
increasing across restarts (far fewer than 1,000 rows a second per store) without any
local state beyond the token. A batch that fails transiently is kept and sent again;
the server's insert is idempotent, so nothing doubles.
"""

from __future__ import annotations

import heapq
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from footfall.edge.device_client import DeviceClient, is_unauthorised
from footfall.edge.errors import EdgeConfigError, UploadError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from footfall import __version__
from footfall.contracts import (
    CameraHealth,
    CoverageMinute,
    CrossingRecord,
    DeviceConfig,
    DeviceHealth,
    IngestBatch,
    LineHealth,
)
from footfall.demo_traffic import (
    CHILD_SHARE,
    OpeningHours,
    TrafficProfile,
    dwell_minutes,
    poisson,
    visitors_per_hour,
)

log = logging.getLogger(__name__)

SIMULATED_FPS = 10.0
ENROL_ATTEMPTS = 10


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SimulatedDoor(_Strict):
    camera_id: str = Field(min_length=1, max_length=64)
    line_id: str = Field(min_length=1, max_length=64)
    share: float = Field(default=1.0, gt=0, le=1)


class SimulatedStore(_Strict):
    """One store to simulate: its traffic profile and how its device gets a token."""

    name: str
    timezone: str
    country: str = Field(pattern="^(GB|US)$")
    base_daily_visitors: float = Field(gt=0)
    opening_hours: list[tuple[int, int] | None] = Field(
        min_length=7, max_length=7, description="Local (open, close) hours per weekday, Monday first."
    )
    weather_seed: int = 0
    noise_seed: int = 0
    enrolment_code: str | None = Field(default=None, description="Used once, when token_file is absent.")
    token_file: Path
    doors: list[SimulatedDoor] = Field(
        default_factory=list, description="Fallback when the server's device config lists no cameras."
    )

    @property
    def profile(self) -> TrafficProfile:
        return TrafficProfile(
            country=self.country,
            base_daily_visitors=self.base_daily_visitors,
            opening=OpeningHours(tuple(self.opening_hours)),
            weather_seed=self.weather_seed,
            noise_seed=self.noise_seed,
        )


class SimulatorConfig(_Strict):
    server_url: str
    stores: list[SimulatedStore] = Field(min_length=1)
    upload_interval_s: float = Field(default=10.0, gt=0, le=600)
    health_interval_s: float = Field(default=60.0, gt=0)
    speed: float = Field(
        default=1.0, gt=0, le=100, description="Traffic multiplier (1 = the model's real rate)."
    )
    seed: int = 0


def load_simulator_config(path: Path) -> SimulatorConfig:
    import yaml

    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        return SimulatorConfig.model_validate(raw)
    except OSError as error:
        raise EdgeConfigError(f"cannot read simulator config {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise EdgeConfigError(f"simulator config {path} is not valid YAML") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise EdgeConfigError(f"simulator config {path}: {where}: {first['msg']}") from error


# -- the pure part: what happened at the door between two moments -----------------------------


@dataclass
class DoorTraffic:
    """Visitors of one simulated store: arrivals now, departures after their dwell time."""

    profile: TrafficProfile
    timezone: ZoneInfo
    doors: list[SimulatedDoor]
    rng: random.Random
    speed: float = 1.0
    next_seq: int = 1
    _leaving: list[tuple[datetime, int, str, str, str]] = field(default_factory=list)
    _counter: int = 0
    #: Crossings per (camera, line) so far, for the heartbeat's line tallies.
    line_crossings: dict[tuple[str, str], int] = field(default_factory=dict)

    def advance(self, start: datetime, end: datetime) -> list[CrossingRecord]:
        """Crossings committed in ``[start, end)``: new arrivals and earlier visitors leaving."""
        seconds = (end - start).total_seconds()
        rate = visitors_per_hour(self.profile, start.astimezone(self.timezone)) * self.speed
        happened: list[tuple[datetime, str, str, str, str]] = []
        weights = [d.share for d in self.doors]
        for _ in range(poisson(self.rng, rate * seconds / 3600.0)):
            arrived = start + timedelta(seconds=self.rng.uniform(0, seconds))
            person_class = "child" if self.rng.random() < CHILD_SHARE else "adult"
            door = self.rng.choices(self.doors, weights)[0]
            happened.append((arrived, door.camera_id, door.line_id, "in", person_class))
            leaves = arrived + timedelta(minutes=dwell_minutes(self.rng))
            out_door = self.rng.choices(self.doors, weights)[0]
            self._counter += 1
            heapq.heappush(
                self._leaving, (leaves, self._counter, out_door.camera_id, out_door.line_id, person_class)
            )
        while self._leaving and self._leaving[0][0] < end:
            leaves, _, camera_id, line_id, person_class = heapq.heappop(self._leaving)
            happened.append((max(leaves, start), camera_id, line_id, "out", person_class))
        happened.sort()
        records = []
        for ts, camera_id, line_id, direction, person_class in happened:
            self._counter += 1
            key = (camera_id, line_id)
            self.line_crossings[key] = self.line_crossings.get(key, 0) + 1
            records.append(
                CrossingRecord(
                    seq=self.next_seq,
                    camera_id=camera_id,
                    line_id=line_id,
                    direction=direction,
                    ts=ts,
                    track_id=self._counter,
                    person_class=person_class,
                    confidence=round(self.rng.uniform(0.6, 0.95), 3),
                    frame_index=int((ts.timestamp() % 86_400) * SIMULATED_FPS),
                )
            )
            self.next_seq += 1
        return records

    def coverage(self, minutes: list[datetime]) -> list[CoverageMinute]:
        """Every door's camera counted all of each whole minute."""
        rows = []
        for minute in minutes:
            for camera_id in sorted({d.camera_id for d in self.doors}):
                rows.append(
                    CoverageMinute(
                        seq=self.next_seq,
                        camera_id=camera_id,
                        minute=minute,
                        processed_s=60.0,
                        fps=SIMULATED_FPS,
                    )
                )
                self.next_seq += 1
        return rows


def whole_minutes(start: datetime, end: datetime) -> list[datetime]:
    """Starts of the UTC minutes that lie entirely inside ``[start, end)``."""
    first = start.replace(second=0, microsecond=0)
    if first < start:
        first += timedelta(minutes=1)
    minutes = []
    while first + timedelta(minutes=1) <= end:
        minutes.append(first)
        first += timedelta(minutes=1)
    return minutes


# -- the I/O part: one device per store ------------------------------------------------------


@dataclass
class SimulatedDevice:
    store: SimulatedStore
    client: DeviceClient
    traffic: DoorTraffic
    device_id: str
    started_monotonic: float
    pending: list[IngestBatch] = field(default_factory=list)
    covered_until: datetime | None = None
    sent_rows: int = 0
    last_error: str | None = None
    unauthorised: bool = False

    def tick(self, start: datetime, end: datetime) -> None:
        crossings = self.traffic.advance(start, end)
        covered_from = self.covered_until or start
        minutes = whole_minutes(covered_from, end)
        if minutes:
            self.covered_until = minutes[-1] + timedelta(minutes=1)
        coverage = self.traffic.coverage(minutes)
        if crossings or coverage:
            self.pending.append(IngestBatch(crossings=crossings, coverage=coverage, sent_at=end))
        self.flush()

    def flush(self) -> None:
        while self.pending and not self.unauthorised:
            batch = self.pending[0]
            try:
                self.client.post_batch(batch.model_copy(update={"sent_at": datetime.now(UTC)}))
            except UploadError as error:
                self.last_error = str(error)
                if is_unauthorised(error):
                    self.unauthorised = True
                    log.error("%s: device token refused (%s); re-enrol it", self.store.name, error)
                elif not error.transient:
                    log.error(
                        "%s: batch rejected for good, dropped from the simulation: %s", self.store.name, error
                    )
                    self.pending.pop(0)
                    continue
                else:
                    log.warning("%s: upload failed, will retry: %s", self.store.name, error)
                return
            self.pending.pop(0)
            self.sent_rows += len(batch.crossings)
            self.last_error = None

    def _line_health(self, camera_id: str) -> list[LineHealth]:
        """A well-drawn line: about 1 in 100 people change sides at one of its ends."""
        tallies = self.traffic.line_crossings
        return [
            LineHealth(line_id=line_id, crossings=count, at_ends=count // 100)
            for (camera, line_id), count in sorted(tallies.items())
            if camera == camera_id
        ]

    def send_health(self, now: datetime) -> None:
        backlog = sum(len(b.crossings) + len(b.coverage) for b in self.pending)
        cameras = sorted({d.camera_id for d in self.traffic.doors})
        health = DeviceHealth(
            sent_at=now,
            agent_version=f"{__version__}+simulated",
            uptime_s=time.monotonic() - self.started_monotonic,
            cameras=[
                CameraHealth(
                    camera_id=c, state="ok", fps=SIMULATED_FPS, last_frame_at=now, lines=self._line_health(c)
                )
                for c in cameras
            ],
            outbox_backlog=backlog,
            oldest_unsent_at=self.pending[0].crossings[0].ts
            if backlog and self.pending[0].crossings
            else None,
            disk_used_bytes=0,
            disk_budget_bytes=512 * 1024 * 1024,
            clock_offset_s=self.client.clock_offset_s,
        )
        try:
            self.client.post_health(health)
        except UploadError as error:
            log.warning("%s: health report failed: %s", self.store.name, error)


def connect_store(
    config: SimulatorConfig,
    store: SimulatedStore,
    *,
    index: int,
    client_factory: Callable[[str, str | None], DeviceClient] | None = None,
) -> SimulatedDevice:
    """Enrol (once) and read the device's cameras and lines from the server."""
    from footfall.edge.enrolment import enrol, load_credentials

    make_client = client_factory or (lambda url, token: DeviceClient(url, token))
    if not store.token_file.exists():
        if not store.enrolment_code:
            raise EdgeConfigError(
                f"{store.name}: no token in {store.token_file} and no enrolment_code to get one"
            )
        with make_client(config.server_url, None) as anonymous:
            for attempt in range(ENROL_ATTEMPTS):
                try:
                    enrol(
                        anonymous,
                        store.enrolment_code,
                        config.server_url,
                        store.token_file,
                        hostname=f"sim-{store.name}",
                    )
                    break
                except EdgeConfigError as error:
                    # Many simulated devices enrol from one address at once; the server's
                    # sign-in limit may ask some of them to come back a little later.
                    cause = error.__cause__
                    if (
                        not (isinstance(cause, UploadError) and cause.transient)
                        or attempt + 1 == ENROL_ATTEMPTS
                    ):
                        raise
                    wait = getattr(cause, "retry_after_s", None) or 2.0
                    log.warning("%s: enrolment deferred (%s); retrying in %.0f s", store.name, cause, wait)
                    time.sleep(min(wait, 30.0))
    credentials = load_credentials(store.token_file)
    client = make_client(config.server_url, credentials.token)
    doors = list(store.doors)
    try:
        device_config: DeviceConfig = client.fetch_config()
        from_server = [
            SimulatedDoor(camera_id=camera.camera_id, line_id=line.line_id, share=1.0)
            for camera in device_config.cameras
            for line in camera.lines[:1]
        ]
        if from_server:
            doors = from_server
    except UploadError as error:
        log.warning(
            "%s: could not read the device config (%s); using the configured doors", store.name, error
        )
    if not doors:
        raise EdgeConfigError(f"{store.name}: no cameras with lines on the server and no doors in the config")
    rng = random.Random(f"{config.seed}:{store.name}:{time.time_ns()}")
    traffic = DoorTraffic(
        profile=store.profile,
        timezone=ZoneInfo(store.timezone),
        doors=doors,
        rng=rng,
        speed=config.speed,
        next_seq=int(time.time() * 1000) + index,
    )
    return SimulatedDevice(store, client, traffic, credentials.device_id, time.monotonic())


def run_simulation(config: SimulatorConfig, stop: threading.Event) -> list[SimulatedDevice]:
    """Tick every store each ``upload_interval_s`` until ``stop`` is set; return the devices."""
    devices = [connect_store(config, store, index=i) for i, store in enumerate(config.stores)]
    log.info("simulating %d store(s) against %s", len(devices), config.server_url)
    last = datetime.now(UTC)
    last_health = 0.0
    try:
        while not stop.wait(config.upload_interval_s):
            now = datetime.now(UTC)
            for device in devices:
                device.tick(last, now)
            last = now
            if time.monotonic() - last_health >= config.health_interval_s:
                for device in devices:
                    device.send_health(now)
                last_health = time.monotonic()
    finally:
        for device in devices:
            device.client.close()
    return devices


def simulate_command(args: object) -> int:
    """``footfall edge simulate --config simulator.yaml``: run until SIGINT/SIGTERM."""
    import signal

    config = load_simulator_config(Path(args.config))  # type: ignore[attr-defined]
    if getattr(args, "speed", None):
        config = config.model_copy(update={"speed": args.speed})  # type: ignore[attr-defined]
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    devices = run_simulation(config, stop)
    sent = sum(d.sent_rows for d in devices)
    print(f"footfall: simulator stopped; {sent} crossing(s) uploaded from {len(devices)} store(s)")
    return 0
