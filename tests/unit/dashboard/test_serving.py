"""``footfall dashboard run`` serves through waitress: real process, real socket, clean stop."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dashboard(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "footfall",
            "dashboard",
            "run",
            "--port",
            str(port),
            "--threads",
            "4",
            "--server-url",
            "http://127.0.0.1:9",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_dashboard_runs_on_waitress_and_stops_cleanly() -> None:
    port = _free_port()
    process = _dashboard(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the dashboard did not start"
                time.sleep(0.3)
        assert answer.status_code == 200 and "Footfall" in answer.text
        # Flask's development server names itself "Werkzeug"; waitress with ident="" says nothing.
        assert "server" not in answer.headers

        busy = _dashboard(port)
        _, error = busy.communicate(timeout=60)
        assert busy.returncode == 1
        assert f"port {port} on 127.0.0.1 is in use" in error and "Traceback" not in error
    finally:
        process.send_signal(signal.SIGINT)
        _, log = process.communicate(timeout=20)
    assert process.returncode == 0, log
    assert "development server" not in log and "Traceback" not in log
