"""A real server and a real agent on real footage, through an outage, a SIGKILL and a duplicate delivery.

The story, in order:

1. The server runs (subprocess, real PostgreSQL); an installer signs in, makes an enrolment
   code; ``footfall edge enroll`` turns it into a device token; the cameras' lines are
   drawn on the server and pulled by the agent.
2. ``footfall edge run`` counts two CAVIAR clips (looped) with YOLO and uploads.
3. The server is stopped (SIGTERM) in the middle of the run; counts pile up in the outbox.
4. A new server process starts; the backlog drains. An installer asks for a snapshot.
5. The server is frozen (SIGSTOP) so an upload hangs in flight; the agent is SIGKILLed
   right then, and the server resumes (it may still commit that batch: the agent never
   hears the acknowledgement).
6. The agent restarts (clips no longer looped), recovers its in-flight rows, re-sends them,
   counts to the end of the clips and stops on SIGTERM (drain, flush, close).

Then the server must hold exactly the crossings and coverage minutes in the agent's
outbox, field by field: none lost, none doubled; and a batch posted a second time is
acknowledged as duplicate without changing anything.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.e2e, pytest.mark.vision, pytest.mark.timeout(300)]

FRONT = "caviar/EnterExitCrossingPaths1front.mpg"
WALKWAY = "pets09_s2l1/vtest.avi"  # 19 pedestrians crossing a campus walkway
W, H = 384.0, 288.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(what: str, condition: Callable[[], object], timeout_s: float, step_s: float = 0.25) -> object:
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(step_s)


class Server:
    """``footfall server run`` as a child process in its own process group."""

    def __init__(self, dsn: str, port: int, log: Path) -> None:
        self.dsn, self.port, self.log = dsn, port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": self.dsn, "FOOTFALL_DEMO": "1"}
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "footfall", "server", "run", "--port", str(self.port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for("the server to answer /health", self._healthy, 60)

    def _healthy(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()[-2000:]
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2):
                return True
        except OSError:
            return False

    def signal(self, signum: int) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signum)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.signal(signal.SIGCONT)
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(timeout=10)


def _call(
    method: str, url: str, token: str | None = None, body: object = None, raw: bytes | None = None
) -> tuple[int, bytes]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _line(
    line_id: str, x1: float, y1: float, x2: float, y2: float, ix: float, iy: float, entrance: str
) -> dict:
    return {
        "line_id": line_id,
        "name": line_id,
        "entrance_id": entrance,
        "x1": x1 / W,
        "y1": y1 / H,
        "x2": x2 / W,
        "y2": y2 / H,
        "inside_x": ix / W,
        "inside_y": iy / H,
    }


@pytest.fixture
def store(pg_dsn: str) -> Iterator[dict]:
    """A store with two cameras (lines drawn) and an installer, straight through provisioning."""
    import psycopg
    from footfall.server import provisioning
    from psycopg.rows import dict_row

    from footfall.contracts import LineConfig

    suffix = uuid.uuid4().hex[:8]
    with psycopg.connect(pg_dsn, row_factory=dict_row, autocommit=False) as conn:
        org = provisioning.create_org(conn, f"Outage org {suffix}")
        store_id = provisioning.create_store(
            conn, org, code=f"E2E{suffix}", name="Mall", timezone="Europe/Lisbon"
        )
        entrance = provisioning.create_entrance(conn, store_id, name="Promod door")
        front = provisioning.create_camera(
            conn, store_id, name="Front", camera_id=f"front-{suffix}", entrance_id=entrance
        )
        walkway = provisioning.create_camera(
            conn, store_id, name="Walkway", camera_id=f"walkway-{suffix}", entrance_id=entrance
        )
        provisioning.set_lines(
            conn,
            front,
            [
                LineConfig(**_line("door", 212, 145, 328, 145, 270, 110, entrance)),
                LineConfig(**_line("walkway", 190, 150, 190, 287, 300, 220, entrance)),
            ],
        )
        provisioning.set_lines(
            conn,
            walkway,
            [  # fractions of the PETS frame, written in the helper's CAVIAR pixels
                LineConfig(
                    **_line("across", 0.5 * W, 0.2 * H, 0.5 * W, 0.99 * H, 0.7 * W, 0.6 * H, entrance)
                ),
                LineConfig(**_line("along", 0.0, 0.6 * H, 0.99 * W, 0.6 * H, 0.5 * W, 0.9 * H, entrance)),
            ],
        )
        email = f"installer-{suffix}@outage.test"
        provisioning.create_user(
            conn,
            org,
            email=email,
            name="Ines Installer",
            role="installer",
            password="pw-" + suffix,
            store_ids=[store_id],
        )
        conn.commit()
    yield {"store_id": store_id, "cameras": [front, walkway], "email": email, "password": "pw-" + suffix}


def _agent_config(
    path: Path, server_url: str, tmp: Path, footage: Path, cameras: list[str], *, loop: bool
) -> None:
    config = {
        "server": {"url": server_url, "token_file": str(tmp / "device-token.json"), "timeout_s": 30},
        "pull_config": True,
        "cameras": [
            {"camera_id": cameras[0], "source": str(footage / FRONT), "loop": loop, "on_end": "stop"},
            {"camera_id": cameras[1], "source": str(footage / WALKWAY), "loop": loop, "on_end": "stop"},
        ],
        "outbox": {"path": str(tmp / "outbox.sqlite3"), "retention_days": 7},
        "uploader": {
            "batch_max_rows": 50,
            "idle_interval_s": 0.3,
            "backoff_initial_s": 0.3,
            "backoff_max_s": 2,
        },
        "supervision": {"stale_after_s": 15, "frozen_after_s": 60, "hung_after_s": 30},
        "detector": {"confidence": 0.35},
        "health_interval_s": 2,
        "snapshot_poll_s": 1,
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")


def _start_agent(config: Path, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "footfall", "-v", "edge", "run", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _outbox_counts(path: Path) -> dict[tuple[str, str], int]:
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return {
            (k, s): n
            for k, s, n in db.execute("SELECT kind, state, count(*) FROM outbox GROUP BY kind, state")
        }
    except sqlite3.OperationalError:
        return {}
    finally:
        db.close()


def _in_flight_seqs(path: Path) -> list[int]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return [seq for (seq,) in db.execute("SELECT seq FROM outbox WHERE state = 'in_flight'")]
    finally:
        db.close()


def _all_sent(path: Path, seqs: list[int]) -> bool:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        marks = ",".join("?" * len(seqs))
        states = {s for (s,) in db.execute(f"SELECT state FROM outbox WHERE seq IN ({marks})", seqs)}
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()
    return states == {"sent"}


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:]


def _server_rows(pg_dsn: str, device_id: str) -> tuple[dict[int, tuple], dict[int, tuple]]:
    import psycopg

    with psycopg.connect(pg_dsn) as conn:
        crossings = {
            seq: rest
            for seq, *rest in conn.execute(
                "SELECT seq, camera_id, line_id, direction, event_time, track_id FROM crossing_events "
                "WHERE device_id = %s",
                (device_id,),
            )
        }
        coverage = {
            seq: rest
            for seq, *rest in conn.execute(
                "SELECT seq, camera_id, minute, processed_s FROM coverage_minutes WHERE device_id = %s",
                (device_id,),
            )
        }
        duplicates = conn.execute(
            "SELECT count(*) - count(DISTINCT seq) FROM crossing_events WHERE device_id = %s", (device_id,)
        ).fetchone()[0]
    assert duplicates == 0
    return {k: tuple(v) for k, v in crossings.items()}, {k: tuple(v) for k, v in coverage.items()}


def test_nothing_lost_nothing_doubled_through_outage_kill_and_redelivery(
    pg_dsn: str, store: dict, footage_dir: Path, tmp_path: Path
) -> None:
    server = Server(pg_dsn, _free_port(), tmp_path / "server.log")
    agent: subprocess.Popen | None = None
    outbox = tmp_path / "outbox.sqlite3"
    config = tmp_path / "agent.yaml"
    agent_log = tmp_path / "agent.log"
    try:
        server.start()
        # -- enrolment through the API, as an installer would do it --------------------------
        status, body = _call(
            "POST",
            f"{server.url}/api/v1/auth/login",
            body={"email": store["email"], "password": store["password"]},
        )
        assert status == 200, body
        installer = json.loads(body)["access_token"]
        status, body = _call(
            "POST", f"{server.url}/api/v1/stores/{store['store_id']}/enrolment-codes", installer
        )
        assert status == 201, body
        code = json.loads(body)["code"]
        token_file = tmp_path / "device-token.json"
        enrolled = subprocess.run(
            [sys.executable, "-m", "footfall", "edge", "enroll", "--server", server.url, "--code", code,
             "--token-file", str(token_file)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert enrolled.returncode == 0, enrolled.stderr
        assert oct(token_file.stat().st_mode & 0o777) == "0o600"
        credentials = json.loads(token_file.read_text())
        device_id, device_token = credentials["device_id"], credentials["token"]

        # -- 2. counting with the server up ------------------------------------------------
        _agent_config(config, server.url, tmp_path, footage_dir, store["cameras"], loop=True)
        agent = _start_agent(config, agent_log)
        _wait_for("the first crossing on the server", lambda: _server_rows(pg_dsn, device_id)[0], 120)

        # -- 3. the server goes away in the middle of the run --------------------------------
        server.stop()
        _wait_for(
            "crossings counted while the server is down",
            lambda: _outbox_counts(outbox).get(("crossing", "pending"), 0) >= 1,
            90,
        )
        assert agent.poll() is None, _tail(agent_log)

        # -- 4. a new server; the backlog drains; an installer asks for a snapshot ----------
        server.start()
        _wait_for(
            "the backlog to drain",
            lambda: not any(_outbox_counts(outbox).get((k, "pending"), 0) for k in ("crossing", "coverage")),
            60,
        )
        status, body = _call(
            "POST", f"{server.url}/api/v1/cameras/{store['cameras'][0]}/snapshot-requests", installer
        )
        assert status == 201, body
        snapshot = _wait_for(
            "the snapshot",
            lambda: (lambda r: r[1] if r[0] == 200 else None)(
                _call("GET", f"{server.url}/api/v1/cameras/{store['cameras'][0]}/snapshot", installer)
            ),
            30,
        )
        assert snapshot[:2] == b"\xff\xd8", "a JPEG with the lines drawn"

        # -- 5. an upload hangs in flight; the agent is SIGKILLed then ---------------------
        server.signal(signal.SIGSTOP)
        _wait_for(
            "an upload in flight",
            lambda: sum(n for (k, s), n in _outbox_counts(outbox).items() if s == "in_flight"),
            60,
        )
        agent.send_signal(signal.SIGKILL)
        agent.wait(timeout=10)
        server.signal(signal.SIGCONT)

        # -- 6. restart: recover and re-send, count on, then stop cleanly on SIGTERM ------------
        recovered = _in_flight_seqs(outbox)
        assert recovered
        agent_log = tmp_path / "agent-restarted.log"
        agent = _start_agent(config, agent_log)
        _wait_for("the recovered rows re-sent", lambda: _all_sent(outbox, recovered), 120)
        _wait_for("counting again", lambda: "camera " + store["cameras"][0] + ": ok" in _tail(agent_log), 120)
        time.sleep(3)
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=40) == 0, _tail(agent_log)
        assert f"({len(recovered)} rows recovered)" in agent_log.read_text()

        # -- the server holds exactly what the agent counted ---------------------------------
        counts = _outbox_counts(outbox)
        assert set(s for _, s in counts) == {"sent"}, counts
        crossings, coverage = _server_rows(pg_dsn, device_id)
        db = sqlite3.connect(outbox)
        local_crossings = {}
        local_coverage = {}
        for seq, kind, body in db.execute("SELECT seq, kind, body FROM outbox"):
            row = json.loads(body)
            if kind == "crossing":
                local_crossings[seq] = (
                    row["camera_id"], row["line_id"], row["direction"],
                    datetime.fromisoformat(row["ts"].replace("Z", "+00:00")), row["track_id"],
                )  # fmt: skip
            else:
                local_coverage[seq] = (
                    row["camera_id"], datetime.fromisoformat(row["minute"]), pytest.approx(row["processed_s"], abs=1e-3)
                )  # fmt: skip
        db.close()
        # at least one crossing delivered before the outage and one counted during it
        assert len(local_crossings) >= 2 and local_coverage
        print(f"outage e2e: {len(local_crossings)} crossings, {len(local_coverage)} coverage minutes, "
              f"{len(recovered)} rows recovered after SIGKILL")  # fmt: skip
        assert crossings.keys() == local_crossings.keys(), "none lost, none extra"
        for seq, local in local_crossings.items():
            camera, line, direction, ts, track = crossings[seq]
            assert (camera, line, direction, track) == (*local[:3], local[4])
            assert abs(ts.astimezone(UTC) - local[3]).total_seconds() < 1e-3
        assert coverage.keys() == local_coverage.keys()
        for seq, (camera, minute, processed) in coverage.items():
            assert (camera, minute, processed) == local_coverage[seq]

        # -- the same batch delivered twice counts once -------------------------------------
        from footfall.contracts import CrossingRecord, IngestBatch

        db = sqlite3.connect(outbox)
        again = [
            CrossingRecord(**json.loads(body), seq=seq)
            for seq, body in db.execute(
                "SELECT seq, body FROM outbox WHERE kind = 'crossing' ORDER BY seq LIMIT 200"
            )
        ]
        db.close()
        batch = IngestBatch(crossings=again, sent_at=datetime.now(UTC)).model_dump_json().encode()
        for _ in range(2):
            status, body = _call("POST", f"{server.url}/api/v1/ingest/crossings", device_token, raw=batch)
            assert status == 200, body
            assert json.loads(body)["accepted"] == 0 and json.loads(body)["duplicate"] == len(again)
        assert _server_rows(pg_dsn, device_id)[0] == crossings
    finally:
        if agent is not None and agent.poll() is None:
            agent.kill()
            agent.wait(timeout=10)
        server.stop()
