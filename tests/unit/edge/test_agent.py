"""The agent's lifecycle on fake cameras and pipelines, injected through constructors."""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest
from footfall.edge.agent import Agent, RestartBudget
from footfall.edge.camera_worker import CoverageClock
from footfall.edge.config import AgentCamera, AgentConfig, load_agent_config, merge_cameras
from footfall.edge.device_client import DeviceClient
from footfall.edge.enrolment import (
    DeviceCredentials,
    enrol,
    load_credentials,
    pull_device_config,
    save_credentials,
)
from footfall.edge.errors import EdgeConfigError
from footfall.edge.health import build_health, problems
from footfall.edge.outbox import Outbox
from footfall.edge.snapshots import SnapshotResponder
from footfall.edge.tracks import Frame

from footfall.contracts import CameraConfig, CrossingEvent, DeviceConfig, IngestBatch, LineConfig

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINE = LineConfig(line_id="door", name="Door", x1=0.1, y1=0.5, x2=0.9, y2=0.5, inside_x=0.5, inside_y=0.9)


# -- fakes ---------------------------------------------------------------------------------


class FakeSource:
    """``frames`` frames 0.1 s apart; optionally dies after ``die_after`` or sleeps per frame."""

    def __init__(
        self, frames: int, *, die_after: int | None = None, delay_s: float = 0.0, frozen: bool = False
    ):
        self.frames, self.die_after, self.delay_s, self.frozen = frames, die_after, delay_s, frozen
        self.closed = False

    def __iter__(self) -> Iterator[Frame]:
        for i in range(self.frames):
            if self.die_after is not None and i == self.die_after:
                raise OSError("RTSP connection reset")
            if self.delay_s:
                time.sleep(self.delay_s)
            image = np.full((48, 64, 3), 0 if self.frozen else i % 256, dtype=np.uint8)
            yield Frame(index=i, t=i * 0.1, wall=T0 + timedelta(seconds=i * 0.1), image=image)

    def close(self) -> None:
        self.closed = True


class Cameras:
    """A source opener: per camera, a list of behaviours to play in order (the last one repeats)."""

    def __init__(self, plans: dict[str, list[object]]) -> None:
        self.plans = plans
        self.opened: dict[str, int] = {}

    def __call__(self, camera: AgentCamera) -> FakeSource:
        count = self.opened.get(camera.camera_id, 0)
        self.opened[camera.camera_id] = count + 1
        plan = self.plans[camera.camera_id]
        step = plan[min(count, len(plan) - 1)]
        if isinstance(step, Exception):
            raise step
        return step() if callable(step) else step


class EveryTenthFrameCounts:
    """A pipeline: one ``in`` crossing every 10th frame; one more held back until ``close()``."""

    def __init__(self, camera: AgentCamera, crash_at: int | None = None) -> None:
        self.camera, self.crash_at, self.seen = camera, crash_at, 0

    def process(self, frame: Frame) -> list[CrossingEvent]:
        self.seen += 1
        if self.crash_at is not None and frame.index == self.crash_at:
            raise RuntimeError("detector exploded")
        if frame.index % 10 != 9:
            return []
        return [self._event(frame.index, frame.wall)]

    def close(self) -> list[CrossingEvent]:
        return [self._event(10_000 + self.seen, T0)] if self.seen else []

    def _event(self, track: int, ts: datetime) -> CrossingEvent:
        return CrossingEvent(
            camera_id=self.camera.camera_id,
            line_id="door",
            direction="in",
            ts=ts,
            track_id=track,
            frame_index=0,
        )


class FakeServer:
    """Idempotent ingest plus health, config and snapshot endpoints."""

    def __init__(self) -> None:
        self.crossings: dict[int, dict] = {}
        self.coverage: dict[int, dict] = {}
        self.health: list[dict] = []
        self.snapshots: dict[str, bytes] = {}
        self.snapshot_requests: list[dict] = []
        self.config: DeviceConfig | None = None
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        path = request.url.path
        if path.endswith("/ingest/crossings"):
            batch = IngestBatch.model_validate_json(request.content)
            new = 0
            for row in batch.crossings:
                new += row.seq not in self.crossings
                self.crossings[row.seq] = row.model_dump()
            for row in batch.coverage:
                new += row.seq not in self.coverage
                self.coverage[row.seq] = row.model_dump()
            total = len(batch.crossings) + len(batch.coverage)
            return httpx.Response(200, json={"accepted": new, "duplicate": total - new})
        if path.endswith("/ingest/health"):
            self.health.append(request.read() and __import__("json").loads(request.content))
            return httpx.Response(204)
        if path.endswith("/devices/me/config"):
            if self.config is None:
                return httpx.Response(404, json={"error": "not_found", "message": "no config"})
            return httpx.Response(200, content=self.config.model_dump_json())
        if path.endswith("/devices/me/snapshot-requests"):
            pending, self.snapshot_requests = self.snapshot_requests, []
            return httpx.Response(200, json=pending)
        if "/devices/me/snapshots/" in path:
            self.snapshots[path.rsplit("/", 1)[1]] = request.content
            return httpx.Response(204)
        if path.endswith("/devices/enrol"):
            if request.read() and b"GOODCODE" not in request.content:
                return httpx.Response(404, json={"error": "not_found", "message": "unknown or used code"})
            return httpx.Response(200, json={"device_id": "dev-1", "token": "s3cret", "store_id": "store-9"})
        return httpx.Response(404)


def make_config(tmp_path: Path, cameras: list[AgentCamera], **supervision: float) -> AgentConfig:
    return AgentConfig.model_validate(
        {
            "server": {"url": "https://footfall.test", "token_file": str(tmp_path / "token.json")},
            "cameras": [c.model_dump() for c in cameras],
            "outbox": {"path": str(tmp_path / "outbox.sqlite3")},
            "uploader": {"idle_interval_s": 0.05, "backoff_initial_s": 0.05, "backoff_max_s": 0.2},
            "supervision": {
                "reconnect_initial_s": 0.02,
                "reconnect_max_s": 0.05,
                "stale_after_s": 0.5,
                "frozen_after_s": 30,
                "restart_budget": 2,
                "restart_window_s": 60,
                "restart_backoff_initial_s": 0.02,
                "restart_backoff_max_s": 0.05,
                **supervision,
            },
            "health_interval_s": 0.2,
            "snapshot_poll_s": 0.05,
        }
    )


def camera(camera_id: str, on_end: str = "stop") -> AgentCamera:
    return AgentCamera(camera_id=camera_id, source="fake", lines=[LINE], on_end=on_end)


def build_agent(
    tmp_path: Path,
    cameras: list[AgentCamera],
    opener: Cameras,
    server: FakeServer,
    pipelines=None,
    **supervision,
) -> Agent:
    config = make_config(tmp_path, cameras, **supervision)
    client = DeviceClient(config.server.url, "tok", transport=httpx.MockTransport(server))
    return Agent(
        config,
        config.cameras,
        outbox=Outbox(config.outbox.path, first_seq=1),
        client=client,
        open_source=opener,
        make_pipeline=pipelines or (lambda cam, w, h: EveryTenthFrameCounts(cam)),
        watch_interval_s=0.02,
        drain_s=2.0,
    )


def run_until(agent: Agent, condition, timeout_s: float = 10.0) -> threading.Thread:
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return thread


def stop(agent: Agent, thread: threading.Thread) -> None:
    agent.stop_event.set()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the agent must stop on its event"


# -- the agent -----------------------------------------------------------------------------


def test_every_count_of_every_camera_reaches_the_server_once(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: FakeSource(50)], "b": [lambda: FakeSource(30)]})
    agent = build_agent(tmp_path, [camera("a"), camera("b")], opener, server)
    expected = (5 + 1) + (3 + 1)  # every 10th frame, plus the crossing committed at stream end
    thread = run_until(agent, lambda: len(server.crossings) >= expected)
    states = {c.camera_id: c.state for c in agent.camera_health()}
    stop(agent, thread)
    assert len(server.crossings) == expected
    assert sorted(r["camera_id"] for r in server.crossings.values()).count("a") == 6
    assert states == {"a": "stopped", "b": "stopped"}
    assert server.coverage, "each camera reports the minutes it covered"
    assert sum(c["processed_s"] for c in server.coverage.values() if c["camera_id"] == "a") == pytest.approx(
        4.9
    )
    assert server.health and server.health[-1]["outbox_backlog"] == 0


def test_a_dead_camera_reconnects_without_stalling_the_others(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"dead": [OSError("no route to 10.0.0.7")], "live": [lambda: FakeSource(40)]})
    agent = build_agent(tmp_path, [camera("dead", on_end="reconnect"), camera("live")], opener, server)
    thread = run_until(agent, lambda: len(server.crossings) >= 5 and opener.opened.get("dead", 0) >= 3)
    health = {c.camera_id: c for c in agent.camera_health()}
    stop(agent, thread)
    assert health["dead"].state == "reconnecting"
    assert "no route to 10.0.0.7" in health["dead"].reason
    assert opener.opened["dead"] >= 3, "it keeps trying, with backoff"
    assert len(server.crossings) == 5


def test_a_dropped_stream_commits_pending_counts_and_reconnects(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: FakeSource(100, die_after=25), lambda: FakeSource(20)]})
    agent = build_agent(tmp_path, [camera("a")], opener, server)
    thread = run_until(agent, lambda: agent.camera_health() and agent.camera_health()[0].state == "stopped")
    stop(agent, thread)
    # first connection: frames 9, 19 + one pending at the drop; second: frames 9, 19 + one at its end
    assert len(server.crossings) == 6
    assert opener.opened["a"] == 2


def test_a_crashing_pipeline_is_restarted_within_its_budget_then_reported_failed(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"bad": [lambda: FakeSource(1000)], "good": [lambda: FakeSource(20)]})

    def pipelines(cam: AgentCamera, w: int, h: int) -> EveryTenthFrameCounts:
        return EveryTenthFrameCounts(cam, crash_at=15 if cam.camera_id == "bad" else None)

    agent = build_agent(tmp_path, [camera("bad"), camera("good")], opener, server, pipelines)

    def gave_up() -> bool:
        health = {c.camera_id: c for c in agent.camera_health()}
        return "bad" in health and "budget" in (health["bad"].reason or "")

    thread = run_until(agent, gave_up)
    health = {c.camera_id: c for c in agent.camera_health()}
    stop(agent, thread)
    assert health["bad"].state == "failed"
    assert "detector exploded" in health["bad"].reason and "restart budget spent" in health["bad"].reason
    assert health["bad"].restarts == 2
    assert opener.opened["bad"] == 3, "first run + two restarts"
    assert health["good"].state == "stopped"
    # each run of the bad camera counted frame 9 and held one more that close() committed: none lost
    assert sum(1 for r in server.crossings.values() if r["camera_id"] == "bad") == 6
    assert sum(1 for r in server.crossings.values() if r["camera_id"] == "good") == 3


def test_a_silent_camera_is_reported_stale(tmp_path: Path) -> None:
    server = FakeServer()
    slow = FakeSource(3, delay_s=1.2)
    opener = Cameras({"slow": [slow]})
    agent = build_agent(tmp_path, [camera("slow")], opener, server, stale_after_s=0.3)
    # Before its first frame it is already stale ("no first frame"); wait for the silence after frames.
    thread = run_until(
        agent,
        lambda: agent.camera_health() and "no frame for" in (agent.camera_health()[0].reason or ""),
        5,
    )
    health = agent.camera_health()[0]
    stop(agent, thread)
    assert health.state == "stale" and "no frame for" in health.reason


def test_a_frozen_image_is_stale_and_the_camera_is_reconnected(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"cam": [lambda: FakeSource(100, frozen=True, delay_s=0.01), lambda: FakeSource(5)]})
    agent = build_agent(tmp_path, [camera("cam")], opener, server, frozen_after_s=0.2)
    thread = run_until(
        agent, lambda: opener.opened.get("cam", 0) >= 2 and agent.camera_health()[0].state == "stopped"
    )
    stop(agent, thread)
    assert opener.opened["cam"] == 2


def test_counts_made_while_the_server_is_down_are_delivered_when_it_returns(tmp_path: Path) -> None:
    server = FakeServer()
    server.down = True
    opener = Cameras({"a": [lambda: FakeSource(50)]})
    agent = build_agent(tmp_path, [camera("a")], opener, server)
    thread = run_until(
        agent, lambda: agent.outbox.stats().backlog >= 6 and agent.uploader.status.state == "retrying"
    )
    assert agent.uploader.status.state == "retrying"
    assert server.crossings == {}
    server.down = False
    deadline = time.monotonic() + 10
    while len(server.crossings) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
    stop(agent, thread)
    assert len(server.crossings) == 6


def test_snapshots_are_sent_only_when_an_installer_asks(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: FakeSource(10_000, delay_s=0.005)]})
    agent = build_agent(tmp_path, [camera("a")], opener, server)
    worker_frame = lambda cid: agent.worker_for(cid).latest_frame if agent.worker_for(cid) else None  # noqa: E731
    agent.snapshots = SnapshotResponder(agent.client, worker_frame, lambda cid: [LINE], poll_s=0.05)
    thread = run_until(agent, lambda: agent.camera_health() and agent.camera_health()[0].state == "ok")
    time.sleep(0.3)
    assert server.snapshots == {}, "no image leaves the device unasked"
    server.snapshot_requests.append({"request_id": "req-1", "camera_id": "a"})
    deadline = time.monotonic() + 5
    while not server.snapshots and time.monotonic() < deadline:
        time.sleep(0.02)
    stop(agent, thread)
    assert list(server.snapshots) == ["req-1"]
    assert server.snapshots["req-1"][:2] == b"\xff\xd8", "a JPEG"


# -- pure parts ----------------------------------------------------------------------------


def test_restart_budget_allows_a_few_restarts_per_window_with_growing_delay() -> None:
    budget = RestartBudget(budget=2, window_s=100, initial_delay_s=1, max_delay_s=3)
    assert budget.allows(0) and budget.delay() == 1
    budget.spend(0)
    assert budget.allows(10) and budget.delay() == 2
    budget.spend(10)
    assert not budget.allows(50)
    assert budget.allows(101), "the window slides"
    assert budget.delay() == 2


@pytest.mark.parametrize(
    ("frame_seconds", "expected"),
    [
        ([0.0, 1.0, 2.0, 3.0], {0: 3.0}),
        ([0.0, 1.0, 20.0, 21.0], {0: 2.0}),  # a 19 s gap is not covered
        ([58.0, 59.0, 61.0, 62.0], {0: 2.0, 1: 2.0}),  # a frame interval split across the minute
        ([0.0, 65.0], {0: 0.0, 1: 0.0}),
    ],
)
def test_coverage_counts_only_seconds_with_frames(
    frame_seconds: list[float], expected: dict[int, float]
) -> None:
    clock = CoverageClock("cam", max_gap_s=5.0)
    drafts = []
    for s in frame_seconds:
        drafts += clock.observe(T0 + timedelta(seconds=s))
    drafts += clock.flush()
    got = {int((d.minute - T0).total_seconds() // 60): round(d.processed_s, 6) for d in drafts}
    assert got == expected


def test_config_refuses_unknown_keys_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("server: {url: https://x.test}\noutbox: {retension_days: 3}\n")
    with pytest.raises(EdgeConfigError) as error:
        load_agent_config(path)
    assert "outbox.retension_days" in str(error.value) and "\n" not in str(error.value)


def test_the_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "deploy" / "edge" / "agent.example.yaml"
    config = load_agent_config(example)
    assert config.cameras and config.server.url.startswith("https://")


def test_server_lines_win_local_sources_win() -> None:
    local = [AgentCamera(camera_id="c1", source="rtsp://10.0.0.7/stream", lines=[]), camera("local-only")]
    remote = DeviceConfig(
        device_id="d",
        store_id="s",
        store_timezone="Europe/Paris",
        cameras=[CameraConfig(camera_id="c1", name="Front", source=None, lines=[LINE])],
    )
    merged = {c.camera_id: c for c in merge_cameras(local, remote)}
    assert merged["c1"].source == "rtsp://10.0.0.7/stream" and merged["c1"].lines == [LINE]
    assert merged["c1"].name == "Front"
    assert "local-only" in merged


def test_health_reports_what_an_operator_must_act_on(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3", first_seq=1, disk_budget_bytes=1) as outbox:
        outbox.append([EveryTenthFrameCounts(camera("a"))._event(1, T0)])
        from footfall.contracts import CameraHealth

        health = build_health(
            cameras=[CameraHealth(camera_id="a", state="failed", reason="detector exploded")],
            outbox=outbox.stats(),
            uptime_s=12.0,
            clock_offset_s=-9.0,
        )
    assert health.outbox_backlog == 1 and health.oldest_unsent_at == T0
    assert health.disk_budget_exceeded
    lines = problems(health)
    assert any("detector exploded" in line for line in lines)
    assert any("over its budget" in line for line in lines)
    assert any("NTP" in line for line in lines)


# -- enrolment and config cache -----------------------------------------------------------


def test_enrolment_stores_the_token_readable_only_by_the_agent(tmp_path: Path) -> None:
    server = FakeServer()
    client = DeviceClient("https://footfall.test", None, transport=httpx.MockTransport(server))
    token_file = tmp_path / "state" / "device-token.json"
    credentials = enrol(client, "GOODCODE", "https://footfall.test", token_file)
    assert credentials == DeviceCredentials("dev-1", "s3cret", "store-9", "https://footfall.test")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert load_credentials(token_file) == credentials
    with pytest.raises(EdgeConfigError, match="new code"):
        enrol(client, "BADCODE1", "https://footfall.test", tmp_path / "other.json")


def test_a_token_readable_by_others_is_refused(tmp_path: Path) -> None:
    token_file = tmp_path / "token.json"
    save_credentials(DeviceCredentials("d", "t", "s", "https://x.test"), token_file)
    os.chmod(token_file, 0o644)
    with pytest.raises(EdgeConfigError, match="chmod 600"):
        load_credentials(token_file)
    with pytest.raises(EdgeConfigError, match="enroll"):
        load_credentials(tmp_path / "missing.json")


def test_config_is_cached_so_the_agent_starts_without_the_network(tmp_path: Path) -> None:
    server = FakeServer()
    server.config = DeviceConfig(
        device_id="d",
        store_id="s",
        store_timezone="UTC",
        cameras=[CameraConfig(camera_id="c1", name="Front", lines=[LINE])],
    )
    client = DeviceClient("https://footfall.test", "tok", transport=httpx.MockTransport(server))
    cache = tmp_path / "device-config.json"
    assert pull_device_config(client, cache) == server.config
    server.down = True
    assert pull_device_config(client, cache) == server.config, "the cached copy when offline"
    assert pull_device_config(client, tmp_path / "never-written.json") is None


def test_the_outbox_command_lists_refused_rows_and_requeues_them(tmp_path: Path, capsys) -> None:
    from footfall.cli import main

    config = make_config(tmp_path, [camera("a")])
    path = tmp_path / "agent.yaml"
    path.write_text(__import__("yaml").safe_dump(config.model_dump(mode="json")))
    with Outbox(config.outbox.path, first_seq=1) as outbox:
        outbox.append([EveryTenthFrameCounts(camera("a"))._event(n, T0) for n in (1, 2)])
        outbox.claim(max_rows=1, max_bytes=10**6)
        outbox.reject([1], "422 invalid_input: camera 'a' has no line 'door'")
    assert main(["edge", "outbox", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "pending 1" in out and "rejected 1" in out and "has no line 'door'" in out
    assert main(["edge", "outbox", "--config", str(path), "--requeue-rejected"]) == 0
    assert "pending 2" in capsys.readouterr().out


def test_a_realtime_replay_is_paced_at_the_files_frame_rate(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: FakeSource(10)]})  # 10 frames 0.1 s apart: 0.9 s of video
    paced = AgentCamera(camera_id="a", source="fake", lines=[LINE], on_end="stop", realtime=True)
    agent = build_agent(tmp_path, [paced], opener, server)
    started = time.monotonic()
    thread = run_until(agent, lambda: agent.camera_health() and agent.camera_health()[0].state == "stopped")
    elapsed = time.monotonic() - started
    stop(agent, thread)
    assert elapsed >= 0.85, "frames are not processed ahead of their own time"


class HangingSource(FakeSource):
    """One frame, then a read that blocks (a camera whose stream froze without an error)."""

    def __iter__(self) -> Iterator[Frame]:
        yield from super().__iter__()
        time.sleep(30)


def test_a_hung_camera_worker_is_replaced(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: HangingSource(1), lambda: FakeSource(30)]})
    agent = build_agent(tmp_path, [camera("a")], opener, server, stale_after_s=0.2, hung_after_s=0.6)
    thread = run_until(
        agent, lambda: opener.opened.get("a", 0) >= 2 and agent.camera_health()[0].state == "stopped"
    )
    health = agent.camera_health()[0]
    stop(agent, thread)
    assert opener.opened["a"] == 2 and health.restarts == 1
    assert len(server.crossings) == 4, (
        "the replacement counts on (3 + 1 at its end); the hung one adds nothing"
    )


class NoFirstFrameSource(FakeSource):
    """Opens, then blocks before the first frame (a model load or RTSP handshake that hangs)."""

    def __iter__(self) -> Iterator[Frame]:
        time.sleep(30)
        yield from super().__iter__()


def test_a_camera_that_never_delivers_its_first_frame_is_reported_and_replaced(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: NoFirstFrameSource(1), lambda: FakeSource(30)]})
    agent = build_agent(tmp_path, [camera("a")], opener, server, stale_after_s=0.2, hung_after_s=0.6)
    seen: set[str] = set()

    def replaced_and_done() -> bool:
        health = agent.camera_health()
        if health:
            seen.add(f"{health[0].state}: {health[0].reason}")
        return opener.opened.get("a", 0) >= 2 and bool(health) and health[0].state == "stopped"

    thread = run_until(agent, replaced_and_done)
    health = agent.camera_health()[0]
    stop(agent, thread)
    assert any(s.startswith("stale: no first frame") for s in seen), seen
    assert opener.opened["a"] == 2 and health.restarts == 1
    assert len(server.crossings) == 4, "the replacement counts (3 + 1 at its end)"


class CountsAtTheEnds(EveryTenthFrameCounts):
    """Like its parent, and its counter saw one side change at the line's end every 20th frame."""

    def __init__(self, camera: AgentCamera) -> None:
        super().__init__(camera)
        self.counter = type("Counter", (), {"end_traffic": {}})()

    def process(self, frame: Frame) -> list[CrossingEvent]:
        if frame.index % 20 == 19:
            self.counter.end_traffic["door"] = self.counter.end_traffic.get("door", 0) + 1
        return super().process(frame)


def test_line_health_adds_up_across_reconnects_and_reaches_the_server(tmp_path: Path) -> None:
    server = FakeServer()
    opener = Cameras({"a": [lambda: FakeSource(100, die_after=45), lambda: FakeSource(40)]})
    agent = build_agent(
        tmp_path, [camera("a")], opener, server, pipelines=lambda cam, w, h: CountsAtTheEnds(cam)
    )
    thread = run_until(agent, lambda: agent.camera_health() and agent.camera_health()[0].state == "stopped")
    stop(agent, thread)
    (line,) = agent.camera_health()[0].lines
    # first connection: 4 every-tenth + 1 held back, ends at frames 19 and 39; second: 4 + 1, ends 19 and 39
    assert (line.line_id, line.crossings, line.at_ends) == ("door", 10, 4)
    assert server.health[-1]["cameras"][0]["lines"] == [{"line_id": "door", "crossings": 10, "at_ends": 4}]
