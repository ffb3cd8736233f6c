"""Device health history on the real database: stretches, silences, retention and the read route."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from footfall.server.device_health import SILENCE_S, health_history, record_health
from footfall.server.provisioning import World

from footfall.contracts import DeviceHealth
from tests.integration.server.conftest import device_headers, login

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def heartbeat(states: dict[str, str], *, backlog: int = 0, reason: str | None = None) -> DeviceHealth:
    return DeviceHealth(
        sent_at=T0,
        agent_version="1.2.3",
        uptime_s=60,
        cameras=[
            {"camera_id": camera, "state": state, "reason": None if state == "ok" else reason}
            for camera, state in states.items()
        ],
        outbox_backlog=backlog,
        disk_used_bytes=0,
        disk_budget_bytes=1,
    )


def test_unchanged_heartbeats_extend_one_stretch(db: Any, world: World) -> None:
    device = str(world.stores[0].device_id)
    for minute in range(5):
        beat = heartbeat({"door": "ok", "side": "ok"}, backlog=minute * 10)
        record_health(db, device, beat, at=T0 + timedelta(minutes=minute), keep_days=30)
    (stretch,) = health_history(db, device, since=T0)
    assert stretch["reports"] == 5
    assert (stretch["first_report_at"], stretch["last_report_at"]) == (T0, T0 + timedelta(minutes=4))
    assert stretch["max_outbox_backlog"] == 40


def test_a_camera_going_down_and_back_makes_three_stretches(db: Any, world: World) -> None:
    device = str(world.stores[0].device_id)
    plan = ["ok", "ok", "reconnecting", "reconnecting", "reconnecting", "ok"]
    for minute, state in enumerate(plan):
        # A changing reason ("no frame for N s") must not split the stretch.
        beat = heartbeat({"door": state, "side": "ok"}, reason=f"no frame for {minute * 60} s")
        started = record_health(db, device, beat, at=T0 + timedelta(minutes=minute), keep_days=30)
        assert started == (minute in (0, 2, 5))
    stretches = health_history(db, device, since=T0)  # newest first
    assert [s["reports"] for s in stretches] == [1, 3, 2]
    down = stretches[1]
    assert down["first_report_at"] == T0 + timedelta(minutes=2)
    assert down["cameras"] == [
        {"camera_id": "door", "state": "reconnecting", "reason": "no frame for 120 s"},
        {"camera_id": "side", "state": "ok", "reason": None},
    ]


def test_a_silent_device_starts_a_new_stretch_so_the_gap_shows(db: Any, world: World) -> None:
    device = str(world.stores[0].device_id)
    beat = heartbeat({"door": "ok"})
    record_health(db, device, beat, at=T0, keep_days=30)
    assert not record_health(db, device, beat, at=T0 + timedelta(seconds=SILENCE_S), keep_days=30)
    assert record_health(db, device, beat, at=T0 + timedelta(seconds=2 * SILENCE_S + 1), keep_days=30)
    assert len(health_history(db, device, since=T0)) == 2


def test_history_older_than_the_retention_is_pruned(db: Any, world: World) -> None:
    device = str(world.stores[0].device_id)
    record_health(db, device, heartbeat({"door": "failed"}), at=T0, keep_days=30)
    record_health(db, device, heartbeat({"door": "ok"}), at=T0 + timedelta(days=29), keep_days=30)
    assert len(health_history(db, device, since=T0 - timedelta(days=1))) == 2
    record_health(db, device, heartbeat({"door": "stale"}), at=T0 + timedelta(days=31), keep_days=30)
    states = [s["cameras"][0]["state"] for s in health_history(db, device, since=T0 - timedelta(days=1))]
    assert states == ["stale", "ok"]


def test_the_route_shows_what_devices_reported_to_installers_only(app_client: Any, world: World) -> None:
    store = world.stores[0]
    headers = device_headers(world, 0)
    body = heartbeat({store.camera_id: "ok"}).model_dump(mode="json")
    for state in ("ok", "ok", "stale"):
        body["cameras"][0]["state"] = state
        body["cameras"][0]["reason"] = None if state == "ok" else "no new frame"
        assert app_client.post("/api/v1/ingest/health", json=body, headers=headers).status_code == 204

    url = f"/api/v1/devices/{store.device_id}/health-history"
    installer = login(app_client, world, "installer")
    answer = app_client.get(url, headers=installer)
    assert answer.status_code == 200, answer.text
    history = answer.json()
    assert history["store_id"] == store.store_id and history["keep_days"] == 30
    assert [s["reports"] for s in history["stretches"]] == [1, 2]
    assert history["stretches"][0]["cameras"] == [
        {"camera_id": store.camera_id, "state": "stale", "reason": "no new frame"}
    ]

    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert app_client.get(url, params={"since": later}, headers=installer).json()["stretches"] == []
    naive = app_client.get(url, params={"since": "2026-06-01T00:00:00"}, headers=installer)
    assert naive.status_code == 422 and naive.json()["details"][0]["field"] == "since"
    manager = login(app_client, world, "store_manager")
    assert app_client.get(url, headers=manager).status_code == 403


def test_the_history_goes_with_its_device(pg_dsn: str, world: World) -> None:
    device = str(world.stores[1].device_id)
    with psycopg.connect(pg_dsn) as conn:
        record_health(conn, device, heartbeat({"door": "ok"}), at=T0, keep_days=30)
        conn.execute("DELETE FROM devices WHERE device_id = %s", (device,))
        left = conn.execute(
            "SELECT count(*) FROM device_health_history WHERE device_id = %s", (device,)
        ).fetchone()
        conn.rollback()
    assert left == (0,)
