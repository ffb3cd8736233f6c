"""The demo: the whole product on one machine, from an empty folder to live counts.

Order: embedded PostgreSQL → migrations → the demo chain (seeded only when missing, so a
second run resumes with the same data) → server → live agents → dashboard. The live agents
are real devices: each enrols with a one-time code and uploads over HTTP. Simulated agents
stream plausible counts for the stores without a camera; with ``FOOTFALL_DEMO_VIDEO=path``
one store (London Covent Garden) is counted by the real edge agent from that footage,
looped. Footage is not shipped (the research clips we test with may not be redistributed).

Ctrl-C stops everything in reverse order and leaves no process behind. Requires
``footfall[all]``; everything runs on 127.0.0.1 and nothing needs the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from footfall.errors import ConfigError, FootfallError
from footfall.processes import Supervisor

if TYPE_CHECKING:
    from footfall.server.seed import SeedReport, StorePlan

REAL_AGENT_STORE = "LON-02"
#: x1,y1,x2,y2,inside_x,inside_y in 0–1 fractions of the frame.
DEFAULT_VIDEO_LINE = (0.1, 0.55, 0.9, 0.55, 0.5, 0.25)


def run_demo(args: argparse.Namespace) -> int:
    from footfall.server.commands import run_migrations
    from footfall.server.db.embedded import start_embedded

    data_dir = Path(args.data_dir).resolve()
    if args.reset and data_dir.exists():
        _reset(data_dir)
    video = _demo_video()
    # Until everything runs, Ctrl-C or SIGTERM abort at once (the seed is one transaction, so an
    # interrupted seed leaves nothing and the next start seeds again); then they stop the loop.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    stop = threading.Event()

    started = time.monotonic()
    embedded = start_embedded(data_dir)
    supervisor = Supervisor()
    try:
        _say(f"database in {embedded.pgdata}")
        applied = run_migrations(embedded.dsn)
        if applied:
            _say(f"applied {len(applied)} migration(s)")
        chain = _ensure_chain(embedded.dsn, video_line=_video_line() if video else None)
        server_url = f"http://127.0.0.1:{args.server_port}"
        # Every demo agent enrols and every demo login comes from 127.0.0.1: one client address.
        env = {
            "DATABASE_URL": embedded.dsn,
            "FOOTFALL_DEMO": "1",
            "FOOTFALL_LOGIN_ATTEMPTS_PER_MINUTE": "600",
        }
        server = supervisor.start(
            "server",
            [sys.executable, "-m", "footfall", "server", "run", "--port", str(args.server_port)],
            env=env,
        )
        supervisor.wait_http(server, f"{server_url}/health")
        if not args.no_agents:
            _start_agents(supervisor, embedded.dsn, data_dir, server_url, video, speed=args.agent_speed)
        dashboard = supervisor.start(
            "dashboard",
            [
                sys.executable,
                "-m",
                "footfall",
                "dashboard",
                "run",
                "--port",
                str(args.dashboard_port),
                "--server-url",
                server_url,
            ],
            env=env,
        )
        supervisor.wait_http(dashboard, f"http://127.0.0.1:{args.dashboard_port}/")
        print(
            _banner(args, server_url, chain, video, time.monotonic() - started), file=sys.stderr, flush=True
        )
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        while not stop.wait(0.5):
            exited = supervisor.first_exited()
            if exited:
                _say(f"{exited.name} stopped unexpectedly; shutting down")
                return 1
        _say("stopping…")
        return 0
    finally:
        supervisor.stop_all()
        embedded.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _ensure_chain(dsn: str, *, video_line: tuple[float, ...] | None) -> SeedReport:
    from footfall.server.seed import seed_demo

    report = seed_demo(dsn, real_camera_line=video_line)
    if report.created:
        _say(
            f"seeded the demo chain in {report.seconds:.1f} s: {len(report.stores)} stores, "
            f"{report.crossings:,} crossings ({report.raw_crossings:,} raw, older days as rollups), "
            f"{report.transactions:,} sales, {report.customers:,} customers"
        )
    else:
        _say(f"resuming the demo chain ({len(report.stores)} stores) from the existing database")
    return report


def _start_agents(
    supervisor: Supervisor, dsn: str, data_dir: Path, server_url: str, video: Path | None, *, speed: float
) -> None:
    """Write the agents' configs (enrolment codes only for devices without a token) and start them."""
    import yaml

    from footfall.server.seed import demo_chain, issue_enrolment_codes

    plan = demo_chain()
    agents_dir = data_dir / "agents"
    agents_dir.mkdir(parents=True, exist_ok=True)
    simulated = [s for s in plan.stores if not (video and s.code == REAL_AGENT_STORE)]
    needs_code = [s.code for s in plan.stores if not (agents_dir / f"{s.code}.token.json").exists()]
    codes = issue_enrolment_codes(dsn, needs_code) if needs_code else {}

    simulator = simulator_config(server_url, agents_dir, simulated, codes, speed=speed)
    config_path = agents_dir / "simulator.yaml"
    config_path.write_text(yaml.safe_dump(simulator, sort_keys=False), encoding="utf-8")
    supervisor.start(
        "simulated agents",
        [sys.executable, "-m", "footfall", "edge", "simulate", "--config", str(config_path)],
    )
    if video:
        _start_real_agent(supervisor, agents_dir, server_url, plan.store(REAL_AGENT_STORE), video, codes)


def _start_real_agent(
    supervisor: Supervisor,
    agents_dir: Path,
    server_url: str,
    store: StorePlan,
    video: Path,
    codes: dict[str, str],
) -> None:
    import subprocess

    import yaml

    token_file = agents_dir / f"{store.code}.token.json"
    if not token_file.exists():
        enrolled = subprocess.run(
            [
                sys.executable, "-m", "footfall", "edge", "enroll", "--server", server_url,
                "--code", codes[store.code], "--token-file", str(token_file),
                "--hostname", "demo-real-agent",
            ],
            check=False,
        )  # fmt: skip
        if enrolled.returncode != 0:
            raise FootfallError(
                f"the real agent for {store.code} could not enrol (see above); run make demo-reset"
            )
    config = real_agent_config(
        server_url, token_file, agents_dir / "real-agent-outbox.sqlite3", store, video, _video_line()
    )
    path = agents_dir / "real-agent.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    supervisor.start(
        "real agent",
        [sys.executable, "-m", "footfall", "edge", "run", "--config", str(path)],
        env={"YOLO_OFFLINE": "1"},
    )


def simulator_config(
    server_url: str, agents_dir: Path, stores: list[StorePlan], codes: dict[str, str], *, speed: float
) -> dict:
    """``footfall edge simulate``'s config: each store's traffic profile, token file and (first run) code."""
    return {
        "server_url": server_url,
        "upload_interval_s": 5.0,
        "speed": speed,
        "health_interval_s": 30.0,
        "stores": [
            {
                "name": store.code,
                "timezone": store.timezone,
                "country": store.region.country,
                "base_daily_visitors": store.base_daily_visitors,
                "opening_hours": [list(span) if span else None for span in store.opening.by_weekday],
                "weather_seed": store.region.weather_seed,
                "noise_seed": store.noise_seed,
                "enrolment_code": codes.get(store.code),
                "token_file": str(agents_dir / f"{store.code}.token.json"),
                "doors": [
                    {"camera_id": e.camera_id, "line_id": e.line_id, "share": e.share}
                    for e in store.entrances
                ],
            }
            for store in stores
        ],
    }


def real_agent_config(
    server_url: str, token_file: Path, outbox: Path, store: StorePlan, video: Path, line: tuple[float, ...]
) -> dict:
    """The real edge agent's config: the store's main door camera reads ``video`` in a loop.

    Lines are set here (``pull_config: false``) because they belong to the footage, not to
    the seeded store; the ids are the seeded camera's and line's, so the server accepts them.
    """
    door = store.entrances[0]
    x1, y1, x2, y2, ix, iy = line
    return {
        "server": {"url": server_url, "token_file": str(token_file)},
        "pull_config": False,
        "cameras": [
            {
                "camera_id": door.camera_id,
                "name": f"{door.name} (demo footage)",
                "source": str(video),
                "loop": True,
                "fps": 10.0,  # what a door camera needs; keeps the demo light on a laptop
                "lines": [
                    {
                        "line_id": door.line_id, "name": door.name, "entrance_id": door.entrance_id,
                        "x1": x1, "y1": y1, "x2": x2, "y2": y2, "inside_x": ix, "inside_y": iy,
                    }
                ],
            }
        ],
        "outbox": {"path": str(outbox)},
        "uploader": {"idle_interval_s": 2.0},
        "health_interval_s": 30.0,
    }  # fmt: skip


def _demo_video() -> Path | None:
    value = os.environ.get("FOOTFALL_DEMO_VIDEO")
    if not value:
        return None
    path = Path(value).expanduser().resolve()
    if not path.exists():
        raise ConfigError(f"FOOTFALL_DEMO_VIDEO={value} does not exist; point it at a video file or unset it")
    # Fail before anything starts if the real agent could not load its detector.
    from footfall.edge.errors import ModelNotFound
    from footfall.edge.models import resolve_model

    try:
        resolve_model(None, allow_download=False)
    except ModelNotFound as error:
        raise ConfigError(f"FOOTFALL_DEMO_VIDEO is set but the detector is missing: {error}") from error
    return path


def _video_line() -> tuple[float, ...]:
    value = os.environ.get("FOOTFALL_DEMO_VIDEO_LINE")
    if not value:
        return DEFAULT_VIDEO_LINE
    try:
        numbers = tuple(float(part) for part in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != 6 or not all(0.0 <= n <= 1.0 for n in numbers):
        raise ConfigError("FOOTFALL_DEMO_VIDEO_LINE must be six fractions 0–1: x1,y1,x2,y2,inside_x,inside_y")
    return numbers


def _banner(
    args: argparse.Namespace, server_url: str, chain: SeedReport, video: Path | None, seconds: float
) -> str:
    from footfall.server.seed import demo_chain

    plan = demo_chain()
    lines = [
        "",
        f"  Footfall demo is running (ready in {seconds:.0f} s)",
        f"    dashboard  http://127.0.0.1:{args.dashboard_port}",
        f"    API        {server_url}/docs",
        "",
        "  Demo logins (demo mode only; every password is the same):",
    ]
    for user in plan.users:
        if user.region_code:
            scope = f"region {user.region_code}"
        elif user.store_codes and len(user.store_codes) < len(plan.stores):
            scope = ", ".join(user.store_codes)
        else:
            scope = "every store"
        lines.append(f"    {user.role:<17} {user.email:<40} {user.password}   ({scope})")
    if args.no_agents:
        live = "no live agents (--no-agents)"
    elif video:
        live = (
            f"real agent counting {video.name} for {REAL_AGENT_STORE}; simulated agents for the other stores"
        )
    else:
        live = (
            "simulated agents for every store (set FOOTFALL_DEMO_VIDEO=path/to/video "
            f"to count real footage for {REAL_AGENT_STORE})"
        )
    lines += ["", f"  Live: {live}", "  Ctrl-C stops everything; `make demo-reset` starts over.", ""]
    return "\n".join(lines)


def _say(message: str) -> None:
    print(f"footfall demo: {message}", file=sys.stderr, flush=True)


def _reset(data_dir: Path) -> None:
    from footfall.server.db.embedded import start_embedded

    # Stop a server that may still run on this data before deleting it.
    start_embedded(data_dir).stop()
    shutil.rmtree(data_dir)
    print(f"footfall demo: removed {data_dir}", file=sys.stderr)
