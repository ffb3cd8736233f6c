"""Handlers of ``footfall edge run`` and ``footfall edge enroll`` (imported only when they run).

This is where the real adapters are chosen: the camera sources of
:mod:`footfall.edge.sources`, the YOLO detector and the counting pipeline. Everything below
this module takes them as arguments.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from footfall.edge.camera_worker import FrameSource, Pipeline, PipelineFactory
from footfall.edge.config import AgentCamera, DetectorSettings, load_agent_config, merge_cameras
from footfall.edge.errors import EdgeConfigError

if TYPE_CHECKING:
    from footfall.edge.tracks import Frame

    from footfall.contracts import CrossingEvent

log = logging.getLogger(__name__)


def open_camera(camera: AgentCamera) -> FrameSource:
    from footfall.edge.sources import open_source

    return open_source(camera.source, fps=camera.fps, loop=camera.loop)


def counting_pipelines(settings: DetectorSettings) -> PipelineFactory:
    """A factory of real pipelines; resolves the model once so a missing model fails at start.

    A camera with a calibration gets the who-counts filters (children, staff, objects) and
    group ids, exactly as ``footfall edge count --calibration`` does; without one every
    person counts as an adult.
    """
    from footfall.edge.calibration import calibration_from_dict
    from footfall.edge.counting.filters import WhoCountsClassifier
    from footfall.edge.counting.lines import CountingLine
    from footfall.edge.detector import YoloDetector
    from footfall.edge.models import resolve_model
    from footfall.edge.pipeline import CountingPipeline

    model = resolve_model(settings.model)
    calibrations = {}  # solved once per camera, reused when the watchdog restarts its pipeline

    def make(camera: AgentCamera, width: int, height: int) -> Pipeline:
        options: dict[str, Any] = {"confidence": settings.confidence, "tracker": settings.tracker}
        if settings.imgsz or model.imgsz:
            options["imgsz"] = settings.imgsz or model.imgsz
        detector = YoloDetector(model, **options)
        lines = [CountingLine.from_config(line, width, height) for line in camera.lines]
        classifier = None
        if camera.calibration is not None:
            if camera.camera_id not in calibrations:
                calibrations[camera.camera_id] = calibration_from_dict(
                    camera.calibration, where=f"camera {camera.camera_id} calibration"
                )
            classifier = WhoCountsClassifier(calibrations[camera.camera_id])
        pipeline = CountingPipeline(camera.camera_id, lines, detector, classifier)
        return GroupedPipeline(pipeline, frame_width=width) if classifier is not None else pipeline

    return make


def check_calibrations(cameras: list[AgentCamera]) -> None:
    """Refuse to start on a camera whose calibration is implausible, with the reason in one line."""
    from footfall.edge.calibration import calibration_from_dict

    for camera in cameras:
        if camera.calibration is not None:
            calibration_from_dict(camera.calibration, where=f"camera {camera.camera_id} calibration")


class GroupedPipeline:
    """A counting pipeline whose crossings leave with group ids (people crossing together).

    Crossings are held back at most one grouping window, so an id is final before the
    outbox sees the event; ``close`` releases everything still held.
    """

    def __init__(self, pipeline: Pipeline, *, frame_width: int) -> None:
        from footfall.edge.counting.groups import CrossingGrouper

        self._pipeline = pipeline
        self._grouping = CrossingGrouper(pipeline.classifier, frame_width=frame_width)  # type: ignore[attr-defined]

    @property
    def counter(self) -> object:
        """The counting state machine (its line tallies go into the camera's health)."""
        return getattr(self._pipeline, "counter", None)

    def process(self, frame: Frame) -> list[CrossingEvent]:
        return self._grouping.push(self._pipeline.process(frame), frame.wall)

    def close(self) -> list[CrossingEvent]:
        return self._grouping.push(self._pipeline.close(), None) + self._grouping.flush()


def run_agent(args: argparse.Namespace) -> int:
    from footfall.edge.agent import Agent
    from footfall.edge.device_client import DeviceClient
    from footfall.edge.enrolment import load_credentials, pull_device_config
    from footfall.edge.outbox import Outbox
    from footfall.edge.snapshots import SnapshotResponder

    config = load_agent_config(Path(args.config))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the agent's own
    credentials = load_credentials(config.server.token_file)
    client = DeviceClient(
        config.server.url,
        credentials.token,
        timeout_s=config.server.timeout_s,
        verify_tls=config.server.verify_tls,
    )
    server_config = pull_device_config(client, config.config_cache_path) if config.pull_config else None
    cameras = merge_cameras(config.cameras, server_config)
    if not cameras:
        raise EdgeConfigError(
            f"no cameras to run: list them under 'cameras:' in {args.config} or configure them on the server"
        )
    missing = [c.camera_id for c in cameras if not c.source]
    if missing:
        raise EdgeConfigError(
            f"cameras {', '.join(missing)} have no source; set 'source:' for them in {args.config}"
        )
    check_calibrations(cameras)
    make_pipeline = counting_pipelines(config.detector)
    outbox = Outbox(config.outbox.path, disk_budget_bytes=int(config.outbox.disk_budget_mb * 1024 * 1024))
    agent: Agent | None = None

    def latest_frame(camera_id: str):
        worker = agent.worker_for(camera_id) if agent else None
        return worker.latest_frame if worker else None

    lines = {c.camera_id: c.lines for c in cameras}
    snapshots = SnapshotResponder(
        client, latest_frame, lambda camera_id: lines.get(camera_id, []), poll_s=config.snapshot_poll_s
    )
    agent = Agent(
        config,
        cameras,
        outbox=outbox,
        client=client,
        open_source=open_camera,
        make_pipeline=make_pipeline,
        snapshots=snapshots,
    )
    _stop_on_signals(agent.stop_event)
    print(
        f"footfall edge: device {credentials.device_id}, {len(cameras)} camera(s), "
        f"outbox {config.outbox.path} ({outbox.recovered} rows recovered)",
        flush=True,
    )
    agent.run()
    return 0


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, frame: object) -> None:
        log.warning("agent: %s received; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def enroll(args: argparse.Namespace) -> int:
    from footfall.edge.device_client import DeviceClient
    from footfall.edge.enrolment import enrol

    token_file = Path(args.token_file)
    with DeviceClient(args.server, None, verify_tls=not args.insecure) as client:
        credentials = enrol(client, args.code, args.server, token_file, hostname=args.hostname)
    print(
        f"enrolled as device {credentials.device_id} of store {credentials.store_id}; token in {token_file}"
    )
    return 0


def outbox_status(args: argparse.Namespace) -> int:
    """What is waiting, what was refused and why; optionally send the refused rows again."""
    from footfall.edge.outbox import Outbox

    config = load_agent_config(Path(args.config))
    if not config.outbox.path.exists():
        raise EdgeConfigError(f"no outbox at {config.outbox.path}; has the agent run with this config?")
    with Outbox(
        config.outbox.path, disk_budget_bytes=int(config.outbox.disk_budget_mb * 1024 * 1024)
    ) as outbox:
        if args.requeue_rejected:
            print(f"{outbox.requeue_rejected()} rejected rows will be sent again")
        stats = outbox.stats()
        oldest = stats.oldest_unsent_at.isoformat() if stats.oldest_unsent_at else "-"
        print(
            f"pending {stats.pending}, in flight {stats.in_flight}, sent {stats.sent}, rejected {stats.rejected}; "
            f"oldest unsent {oldest}; {stats.disk_used_bytes / 1e6:.1f} of {stats.disk_budget_bytes / 1e6:.0f} MB"
            + (" (OVER BUDGET)" if stats.disk_budget_exceeded else "")
        )
        for row in outbox.rejected_rows(limit=args.limit):
            print(f"rejected seq {row.seq} ({row.kind}): {row.reason}")
    return 0
