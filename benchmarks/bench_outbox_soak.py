"""Edge outbox and agent soak: 30 days of a busy store's counts, drained; memory and files over a long run.

1. **Capacity**: how fast the outbox takes counts one by one (each a fsynced commit, as a
   camera does), then a 30-day backlog of a busy store (default 6,000 crossings a day over
   2 cameras, plus one coverage minute per camera per minute) and its size on disk.
2. **Drain**: the real :class:`~footfall.edge.uploader.Uploader` sends that backlog after the
   "outage" to a real ``footfall server run`` on a real PostgreSQL (embedded unless
   ``--database-url``), default batches (1,000 rows); events/s, and the server's row count
   checked against the outbox. ``--fake-server`` drains into an in-process idempotent fake
   instead (the agent's own cost, no database).
3. **Soak**: the real :class:`~footfall.edge.agent.Agent` with fake cameras (small frames,
   each frame one simulated second, so an hour of a camera passes in seconds), fake
   pipelines (a crossing every 20 frames), a fake server that goes down for 5 s every 30 s,
   and an outbox clock accelerated 3,600× so retention pruning runs. RSS and open file
   descriptors are sampled throughout: both must stay flat.

Run:  .venv/bin/python benchmarks/bench_outbox_soak.py [--days 30] [--crossings-per-day 6000]
      [--cameras 2] [--soak-seconds 300] [--fake-server] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import psutil
from footfall.edge.agent import Agent
from footfall.edge.config import AgentCamera, AgentConfig, UploaderSettings
from footfall.edge.device_client import DeviceClient
from footfall.edge.outbox import CoverageDraft, Outbox
from footfall.edge.tracks import Frame
from footfall.edge.uploader import Uploader

from footfall.contracts import CrossingEvent, IngestBatch, LineConfig

REPO = Path(__file__).resolve().parents[1]
LINE = LineConfig(line_id="door", name="Door", x1=0.1, y1=0.5, x2=0.9, y2=0.5, inside_x=0.5, inside_y=0.9)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--crossings-per-day", type=int, default=6000)
    parser.add_argument("--cameras", type=int, default=2)
    parser.add_argument("--single-appends", type=int, default=2000)
    parser.add_argument("--soak-seconds", type=float, default=300.0)
    parser.add_argument("--fake-server", action="store_true", help="drain into an in-process fake server")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)  # the outages below are on purpose; keep the figures readable

    work = Path(tempfile.mkdtemp(prefix="footfall-soak-"))
    print(f"{os.cpu_count()} CPU(s); work folder {work}")
    if args.fake_server:
        target = _FakeTarget()
        _capacity_and_drain(args, work, target.camera_ids, target.client(), target.count)
    else:
        with _RealTarget(args.database_url, args.cameras) as target:
            _capacity_and_drain(args, work, target.camera_ids, target.client(), target.count)
    _soak(args, work)
    return 0


# -- 1 and 2: capacity and drain -------------------------------------------------------------


def _capacity_and_drain(
    args: argparse.Namespace, work: Path, cameras: list[str], client: DeviceClient, count
) -> None:
    outbox = Outbox(work / "backlog.sqlite3", disk_budget_bytes=512 * 1024 * 1024)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=args.days)

    t = time.perf_counter()
    for i in range(args.single_appends):
        outbox.append([_crossing(cameras[i % len(cameras)], start + timedelta(seconds=i), i)])
    single = args.single_appends / (time.perf_counter() - t)
    print(
        f"\n1. Capacity\n   one crossing per fsynced commit (as a camera writes): {single:,.0f} crossings/s"
    )

    per_minute = args.crossings_per_day / 1440.0
    t = time.perf_counter()
    crossings = coverage = 0
    owed = 0.0
    for hour in range(args.days * 24):
        events: list[CrossingEvent] = []
        drafts: list[CoverageDraft] = []
        for minute in range(60):
            at = start + timedelta(hours=hour, minutes=minute)
            owed += per_minute
            due = int(owed)
            owed -= due
            events += [
                _crossing(cameras[k % len(cameras)], at + timedelta(seconds=k % 60), k) for k in range(due)
            ]
            drafts += [CoverageDraft(camera, at, 60.0, 10.0) for camera in cameras]
        outbox.append(events, drafts)
        crossings += len(events)
        coverage += len(drafts)
    fill_s = time.perf_counter() - t
    stats = outbox.stats()
    rows = stats.backlog
    mb = stats.disk_used_bytes / 1e6
    print(
        f"   {args.days} days of a busy store: {crossings:,} crossings + {coverage:,} coverage minutes "
        f"= {rows:,} rows in {fill_s:.1f} s (one commit per hour of counts)"
    )
    print(
        f"   outbox on disk: {mb:.1f} MB ({stats.disk_used_bytes / rows:.0f} bytes/row); the default "
        f"512 MB budget holds ~{512 / mb * args.days:.0f} such days"
    )

    uploader = Uploader(outbox, client, UploaderSettings())
    before = count()
    t = time.perf_counter()
    delivered = 0
    requests = 0
    while True:
        outcome = uploader.send_once()
        requests += outcome.requests
        if outcome.error is not None:
            print(f"   upload error: {outcome.error}; retrying")
            time.sleep(uploader.delay_after(outcome))
            continue
        if outcome.claimed == 0:
            break
        delivered += outcome.delivered
    drain_s = time.perf_counter() - t
    after = count()
    print(
        f"\n2. Drain after the outage ({'fake server' if args.fake_server else 'real server + PostgreSQL'})\n"
        f"   {delivered:,} rows in {requests} batches in {drain_s:.1f} s = {delivered / drain_s:,.0f} events/s"
    )
    print(
        f"   server now holds {after - before:,} new rows for {rows:,} in the outbox; backlog {outbox.stats().backlog}"
    )
    outbox.close()


def _crossing(camera: str, ts: datetime, i: int) -> CrossingEvent:
    return CrossingEvent(
        camera_id=camera,
        line_id="door",
        direction="in" if i % 2 else "out",
        ts=ts,
        track_id=i,
        frame_index=i,
        confidence=0.8,
    )


class _FakeTarget:
    """An idempotent in-process server behind httpx.MockTransport.

    It remembers the seqs of a recent window only (a re-sent batch is always recent), so its
    own memory stays flat and the soak's RSS figures are the agent's.
    """

    WINDOW = 5_000

    def __init__(self, cameras: int = 2) -> None:
        self.camera_ids = [f"cam-{n}" for n in range(cameras)]
        self.recent: set[int] = set()
        self.accepted = 0
        self.top = 0
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        if request.url.path.endswith("/ingest/crossings"):
            batch = IngestBatch.model_validate_json(request.content)
            seqs = {r.seq for r in batch.crossings} | {c.seq for c in batch.coverage}
            fresh = seqs - self.recent
            self.recent |= fresh
            self.accepted += len(fresh)
            self.top = max(self.top, *seqs)
            if len(self.recent) > 2 * self.WINDOW:
                self.recent = {s for s in self.recent if s > self.top - self.WINDOW}
            return httpx.Response(200, json={"accepted": len(fresh), "duplicate": len(seqs) - len(fresh)})
        return httpx.Response(204)

    def client(self) -> DeviceClient:
        return DeviceClient("http://fake.test", "token", transport=httpx.MockTransport(self.handler))

    def count(self) -> int:
        return self.accepted


class _RealTarget:
    """``footfall server run`` on a free port, a demo world with one device and its cameras."""

    def __init__(self, dsn: str | None, cameras: int) -> None:
        self.dsn = dsn
        self.cameras = cameras
        self.embedded = None

    def __enter__(self) -> _RealTarget:
        import psycopg
        from footfall.server import provisioning
        from footfall.server.commands import run_migrations

        if not self.dsn:
            from footfall.server.db.embedded import start_embedded

            self.embedded = start_embedded(Path(tempfile.mkdtemp(prefix="footfall-soak-pg-")))
            self.dsn = self.embedded.dsn
        run_migrations(self.dsn)
        with psycopg.connect(self.dsn) as conn:
            world = provisioning.create_demo_world(conn, timezones=("Europe/Berlin",))
            store = world.stores[0]
            self.camera_ids = [store.camera_id]
            for n in range(1, self.cameras):
                camera_id = provisioning.create_camera(
                    conn,
                    store.store_id,
                    name=f"Camera {n}",
                    camera_id=f"{store.camera_id}-x{n}",
                    device_id=store.device_id,
                )
                provisioning.set_lines(conn, camera_id, [LINE])
                self.camera_ids.append(camera_id)
        self.device_id, self.token = store.device_id, store.device_token
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "DATABASE_URL": self.dsn, "FOOTFALL_SECRET_KEY": secrets.token_urlsafe(32)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "footfall", "server", "run", "--port", str(self.port)], env=env, cwd=REPO
        )
        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def client(self) -> DeviceClient:
        return DeviceClient(f"http://127.0.0.1:{self.port}", self.token, timeout_s=60)

    def count(self) -> int:
        import psycopg

        with psycopg.connect(self.dsn) as conn:
            crossings = conn.execute(
                "SELECT count(*) FROM crossing_events WHERE device_id = %s", (self.device_id,)
            ).fetchone()[0]
            coverage = conn.execute(
                "SELECT count(*) FROM coverage_minutes WHERE device_id = %s", (self.device_id,)
            ).fetchone()[0]
        return crossings + coverage

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        if self.embedded is not None:
            self.embedded.stop()


# -- 3: soak -----------------------------------------------------------------------------------


class _SimulatedCamera:
    """Endless small frames; each frame is one simulated second of a 24/7 camera."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.start = datetime(2026, 1, 1, tzinfo=UTC)

    def __iter__(self):
        i = 0
        while True:
            image = self.rng.integers(0, 255, (36, 48, 3), dtype=np.uint8)
            yield Frame(index=i, t=float(i), wall=self.start + timedelta(seconds=i), image=image)
            i += 1
            if i % 200 == 0:
                time.sleep(0.01)  # let the other threads breathe, as a real camera's frame rate does

    def close(self) -> None:
        return None


class _EveryTwentiethFrame:
    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id

    def process(self, frame: Frame) -> list[CrossingEvent]:
        if frame.index % 20:
            return []
        return [_crossing(self.camera_id, frame.wall, frame.index)]

    def close(self) -> list[CrossingEvent]:
        return []


def _soak(args: argparse.Namespace, work: Path) -> None:
    target = _FakeTarget(args.cameras)
    cameras = [AgentCamera(camera_id=c, source="sim", lines=[LINE]) for c in target.camera_ids]
    config = AgentConfig.model_validate(
        {
            "server": {"url": "http://fake.test", "token_file": str(work / "token.json")},
            "cameras": [c.model_dump() for c in cameras],
            "outbox": {"path": str(work / "soak.sqlite3"), "retention_days": 1},
            "uploader": {"idle_interval_s": 0.2, "backoff_initial_s": 0.2, "backoff_max_s": 2.0},
            "health_interval_s": 1.0,
            "retention_check_s": 2.0,
            "supervision": {"stale_after_s": 5.0, "frozen_after_s": 60.0},
        }
    )
    real_start = time.time()
    accelerated = lambda: real_start + (time.time() - real_start) * 3600.0  # noqa: E731 - 1 s = 1 h
    outbox = Outbox(config.outbox.path, clock=accelerated)
    agent = Agent(
        config,
        config.cameras,
        outbox=outbox,
        client=target.client(),
        open_source=lambda camera: _SimulatedCamera(hash(camera.camera_id) % 1000),
        make_pipeline=lambda camera, w, h: _EveryTwentiethFrame(camera.camera_id),
    )
    process = psutil.Process()
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    samples: list[tuple[float, float, int, int, int]] = []
    t0 = time.monotonic()
    print(
        f"\n3. Soak: {args.cameras} simulated cameras for {args.soak_seconds:.0f} s (server down 5 s of every 30 s)"
    )
    print("   elapsed  sim-h/cam  RSS MB  open fds  backlog  delivered")
    ticks = 0
    while (elapsed := time.monotonic() - t0) < args.soak_seconds:
        target.down = (elapsed % 30.0) >= 25.0
        time.sleep(1.0)
        ticks += 1
        if ticks % 10 == 1:
            gc.collect()
            frames = sum(s.worker.stats.frames for s in agent._slots)
            rss = process.memory_info().rss / 1e6
            fds = process.num_fds()
            backlog = agent.outbox.stats().backlog
            samples.append((elapsed, rss, fds, backlog, frames))
            print(
                f"   {elapsed:6.0f} s  {frames / len(cameras) / 3600:8.1f}  {rss:6.1f}  {fds:8d}  {backlog:7d}  {target.count():9,d}"
            )
    target.down = False
    time.sleep(3)
    agent.stop_event.set()
    thread.join(timeout=60)
    quarter = max(1, len(samples) // 4)
    first = samples[:quarter]
    last = samples[-quarter:]
    rss_first = sum(s[1] for s in first) / len(first)
    rss_last = sum(s[1] for s in last) / len(last)
    frames = samples[-1][4]
    print(
        f"   simulated {frames / len(cameras) / 3600:.1f} h per camera; RSS first quarter {rss_first:.1f} MB, "
        f"last quarter {rss_last:.1f} MB ({rss_last - rss_first:+.1f} MB); open fds {first[0][2]} → {last[-1][2]} "
        f"(max {max(s[2] for s in samples)})"
    )
    print(
        f"   server holds {target.count():,} rows; outbox size {Outbox(config.outbox.path).disk_used_bytes() / 1e6:.1f} MB after retention pruning"
    )


if __name__ == "__main__":
    raise SystemExit(main())
