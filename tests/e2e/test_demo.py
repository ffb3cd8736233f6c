"""`footfall demo` comes up, serves both URLs, and stops on Ctrl-C leaving no process behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, timeout_s: float) -> bytes:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_demo_starts_and_stops_cleanly(tmp_path: Path) -> None:
    server_port, dashboard_port = _free_port(), _free_port()
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "footfall",
            "demo",
            "--data-dir",
            str(tmp_path / "demo"),
            "--server-port",
            str(server_port),
            "--dashboard-port",
            str(dashboard_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ},
    )
    try:
        health = json.loads(_wait(f"http://127.0.0.1:{server_port}/health", 120))
        assert health["status"] == "ok"
        page = _wait(f"http://127.0.0.1:{dashboard_port}/", 60)
        assert b"Footfall" in page
        descendants = psutil.Process(demo.pid).children(recursive=True)
        assert descendants, "the demo should run its parts as child processes"
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=60)
    assert demo.returncode == 0, output
    time.sleep(1)
    alive = [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"left behind: {alive}"
    postgres = [
        p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])
    ]
    assert postgres == [], "the embedded PostgreSQL must stop with the demo"
