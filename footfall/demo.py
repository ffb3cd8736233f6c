"""The demo: embedded PostgreSQL, migrations, server and dashboard, stopped cleanly on Ctrl-C.

Requires ``footfall[all]``. Everything runs on 127.0.0.1; nothing needs the network.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from pathlib import Path

from footfall.processes import Supervisor


def run_demo(args: argparse.Namespace) -> int:
    from footfall.server.commands import run_migrations
    from footfall.server.db.embedded import start_embedded

    data_dir = Path(args.data_dir).resolve()
    if args.reset and data_dir.exists():
        _reset(data_dir)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    embedded = start_embedded(data_dir)
    supervisor = Supervisor()
    try:
        print(f"footfall demo: database in {embedded.pgdata}", file=sys.stderr)
        applied = run_migrations(embedded.dsn)
        if applied:
            print(f"footfall demo: applied {len(applied)} migration(s)", file=sys.stderr)
        server_url = f"http://127.0.0.1:{args.server_port}"
        env = {"DATABASE_URL": embedded.dsn, "FOOTFALL_DEMO": "1"}
        server = supervisor.start(
            "server",
            [sys.executable, "-m", "footfall", "server", "run", "--port", str(args.server_port)],
            env=env,
        )
        supervisor.wait_http(server, f"{server_url}/health")
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
            f"\n  Footfall demo is running\n"
            f"    dashboard  http://127.0.0.1:{args.dashboard_port}\n"
            f"    API        {server_url}/docs\n"
            f"  Ctrl-C stops everything.\n",
            file=sys.stderr,
        )
        while not stop.wait(0.5):
            exited = supervisor.first_exited()
            if exited:
                print(f"footfall demo: {exited.name} stopped unexpectedly; shutting down", file=sys.stderr)
                return 1
        print("footfall demo: stopping…", file=sys.stderr)
        return 0
    finally:
        supervisor.stop_all()
        embedded.stop()


def _reset(data_dir: Path) -> None:
    from footfall.server.db.embedded import start_embedded

    # Stop a server that may still run on this data before deleting it.
    start_embedded(data_dir).stop()
    shutil.rmtree(data_dir)
    print(f"footfall demo: removed {data_dir}", file=sys.stderr)
