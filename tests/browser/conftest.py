"""Browser tests: a seeded server and the dashboard as real processes, driven by headless Chromium.

One session-wide setup (seeding, two processes, one browser) keeps the suite within a few
minutes on two cores. The system Chromium is used (never a downloaded one). Screenshots of
every page land in ``FOOTFALL_TEST_ARTEFACTS`` (default: a temp folder printed at the end).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.seeding import Seeded, seed_chain

CHROMIUM = os.environ.get("FOOTFALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LIVE_MS = 1500


@dataclass(frozen=True)
class Stack:
    api_url: str
    dashboard_url: str
    seeded: Seeded
    artefacts: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} process exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout_s} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    folder = Path(os.environ.get("FOOTFALL_TEST_ARTEFACTS") or tempfile.mkdtemp(prefix="footfall-browser-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def stack(pg_dsn: str, artefacts: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    seeded = seed_chain(pg_dsn)
    logs = tmp_path_factory.mktemp("logs")
    api_port, dash_port = _free_port(), _free_port()
    api_url, dashboard_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{dash_port}"
    env = {
        **os.environ,
        "DATABASE_URL": pg_dsn,
        "FOOTFALL_SECRET_KEY": secrets.token_urlsafe(48),
        "FOOTFALL_DASHBOARD_LIVE_MS": str(LIVE_MS),
        "FOOTFALL_SERVER_URL": api_url,
        # Every sign-in comes from 127.0.0.1 here (tests and the dashboard), unlike real users.
        "FOOTFALL_LOGIN_ATTEMPTS_PER_MINUTE": "1000",
    }
    env.pop("FOOTFALL_DEMO", None)
    api_log, dash_log = logs / "server.log", logs / "dashboard.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "footfall", "server", "run", "--port", str(api_port)],
        env=env,
        stdout=api_log.open("w"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    dashboard = None
    try:
        _wait(f"{api_url}/health", server, api_log)
        dashboard = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "footfall",
                "dashboard",
                "run",
                "--port",
                str(dash_port),
                "--server-url",
                api_url,
            ],
            env=env,
            stdout=dash_log.open("w"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        _wait(f"{dashboard_url}/login", dashboard, dash_log)
        yield Stack(api_url, dashboard_url, seeded, artefacts)
    finally:
        if dashboard is not None:
            _stop(dashboard)
        _stop(server)
        print(f"\nbrowser artefacts (screenshots): {artefacts}", file=sys.stderr)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install the 'chromium' Debian package")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[object]:
    """Each call opens a fresh browser context (own cookies) at a laptop viewport."""
    contexts = []

    def open_page(*, width: int = 1366, height: int = 900) -> object:
        context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
        context.set_default_timeout(30_000)  # generous: the suite shares two cores with others
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
