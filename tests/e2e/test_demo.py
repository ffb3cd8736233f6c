"""`footfall demo` comes up with the seeded chain, every demo login works, live counts move,
a second start resumes the same data, and Ctrl-C leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import psutil
import pytest
from footfall.server.seed import DEMO_PASSWORD, demo_chain

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


def _api(base: str, path: str, *, token: str | None = None, body: dict | None = None) -> tuple[int, object]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
        method="POST" if body is not None else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Demo:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.server_port, self.dashboard_port = _free_port(), _free_port()
        self.api = f"http://127.0.0.1:{self.server_port}"
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "footfall", "demo", "--data-dir", str(data_dir),
                "--server-port", str(self.server_port), "--dashboard-port", str(self.dashboard_port), *extra,
            ],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ},
        )  # fmt: skip
        self.descendants: list[psutil.Process] = []
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.append(line)

    def wait_ready(self) -> None:
        health = json.loads(_wait(f"{self.api}/health", 300))  # seeding 90 days first
        assert health["status"] == "ok"
        page = _wait(f"http://127.0.0.1:{self.dashboard_port}/", 90)
        assert b"Footfall" in page
        # Ready is when the demo says so: it may still be checking the dashboard it started,
        # and Ctrl-C before that is an interrupted start (exit 130), not a stop.
        deadline = time.monotonic() + 60
        while not any("Footfall demo is running" in line for line in self._lines):
            assert time.monotonic() < deadline, "".join(self._lines)
            time.sleep(0.2)
        self.descendants = psutil.Process(self.process.pid).children(recursive=True)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=90)
        self._reader.join(timeout=10)
        return "".join(self._lines)


def _login(api: str, email: str) -> str:
    status, answer = _api(api, "/api/v1/auth/login", body={"email": email, "password": DEMO_PASSWORD})
    assert status == 200, (email, answer)
    return answer["access_token"]


def _arrivals_today(api: str, token: str, stores: list[dict]) -> int:
    total = 0
    for store in stores:
        status, occupancy = _api(api, f"/api/v1/stores/{store['store_id']}/occupancy", token=token)
        assert status == 200, occupancy
        total += occupancy["in"]
    return total


def test_demo_seeds_serves_streams_resumes_and_stops_cleanly(tmp_path: Path) -> None:
    chain = demo_chain()
    data_dir = tmp_path / "demo"
    demo = Demo(data_dir, "--agent-speed", "60")
    try:
        demo.wait_ready()
        assert demo.descendants, "the demo should run its parts as child processes"
        names = " ".join(" ".join(p.cmdline()) for p in demo.descendants if p.is_running())
        assert "edge simulate" in names, "simulated agents should be running"

        tokens = {user.email: _login(demo.api, user.email) for user in chain.users}
        hq = tokens[next(u.email for u in chain.users if u.role == "hq_admin")]
        status, stores = _api(demo.api, "/api/v1/stores", token=hq)
        assert status == 200
        assert {s["code"] for s in stores} == {s.code for s in chain.stores}
        assert {s["timezone"] for s in stores} == {"Europe/London", "America/New_York"}

        # Every login sees the stores of its scope: its own store, its region, or all of them.
        for user in chain.users:
            status, visible = _api(demo.api, "/api/v1/stores", token=tokens[user.email])
            assert status == 200, (user.email, visible)
            expected = (
                {s.code for s in chain.stores if s.region.code == user.region_code}
                if user.region_code
                else set(user.store_codes) or {s.code for s in chain.stores}
            )
            assert {s["code"] for s in visible} == expected, user.email

        # 90 days of history are visible through the API.
        oxford = next(s for s in stores if s["code"] == "LON-01")
        end = date.today() - timedelta(days=1)
        status, traffic = _api(
            demo.api,
            f"/api/v1/stores/{oxford['store_id']}/traffic?start={end - timedelta(days=27)}&end={end}&granularity=day",
            token=hq,
        )
        assert status == 200, traffic
        days = [b for b in traffic["buckets"] if b["in"] > 0]
        assert len(days) >= 24, "four weeks of seeded traffic (a store may close on a holiday)"
        assert sum(b["in"] for b in days) > 28 * 0.4 * chain.store("LON-01").base_daily_visitors

        # Live counts move within a minute.
        before = _arrivals_today(demo.api, hq, stores)
        deadline = time.monotonic() + 60
        while _arrivals_today(demo.api, hq, stores) <= before:
            assert time.monotonic() < deadline, "no live arrival within a minute"
            time.sleep(3)
    finally:
        output = demo.stop()
    assert demo.process.returncode == 0, output
    assert "seeded the demo chain" in output
    for user in chain.users:
        assert user.email in output, "every demo login is printed"
    _assert_nothing_left(demo.descendants, tmp_path)

    # A second start resumes the same data without seeding again.
    again = Demo(data_dir, "--no-agents")
    try:
        again.wait_ready()
        token = _login(again.api, chain.users[0].email)
        status, stores_again = _api(again.api, "/api/v1/stores", token=token)
        assert status == 200
        assert {s["store_id"] for s in stores_again} == {s["store_id"] for s in stores}
    finally:
        output = again.stop()
    assert again.process.returncode == 0, output
    assert "resuming the demo chain" in output
    _assert_nothing_left(again.descendants, tmp_path)


def _assert_nothing_left(descendants: list[psutil.Process], tmp_path: Path) -> None:
    time.sleep(1)
    alive = [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"left behind: {alive}"
    postgres = [
        p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or [])
    ]
    assert postgres == [], "the embedded PostgreSQL must stop with the demo"
