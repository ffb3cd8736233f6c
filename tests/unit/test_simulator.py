"""Simulated agents: plausible arrivals, strictly increasing identities, retried uploads."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from footfall.edge.device_client import DeviceClient
from footfall.edge.simulator import (
    DoorTraffic,
    SimulatedDevice,
    SimulatedDoor,
    SimulatedStore,
    SimulatorConfig,
    connect_store,
    whole_minutes,
)

from footfall.contracts import IngestBatch
from footfall.demo_traffic import OpeningHours, TrafficProfile

ALWAYS = OpeningHours(((0, 24),) * 7, closed_on_holidays=frozenset())
DOORS = [
    SimulatedDoor(camera_id="cam-1", line_id="line-1", share=0.7),
    SimulatedDoor(camera_id="cam-2", line_id="line-2", share=0.3),
]


def _traffic(visitors_per_day: float = 24_000, seed: int = 1) -> DoorTraffic:
    profile = TrafficProfile("GB", visitors_per_day, ALWAYS, weather_seed=1, noise_seed=1)
    return DoorTraffic(profile, ZoneInfo("Europe/London"), DOORS, random.Random(seed), next_seq=1000)


def test_arrivals_follow_the_rate_and_everyone_leaves() -> None:
    traffic = _traffic()
    start = datetime(2026, 9, 8, 11, tzinfo=UTC)
    records = []
    for k in range(12 * 6):  # six hours in 5-minute ticks
        records += traffic.advance(start + timedelta(minutes=5 * k), start + timedelta(minutes=5 * (k + 1)))
    ins = sum(r.direction == "in" for r in records)
    outs = sum(r.direction == "out" for r in records)
    assert 3000 < ins < 12000  # ~1000/h at 24,000 a day, shaped by the hour profile
    assert outs > 0.9 * ins
    seqs = [r.seq for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs[0] == 1000
    assert {r.camera_id for r in records} == {"cam-1", "cam-2"}
    assert all(start <= r.ts < start + timedelta(hours=6) for r in records)
    tallied = {(r.camera_id, r.line_id) for r in records}
    assert {key: traffic.line_crossings[key] for key in tallied} == {
        key: sum((r.camera_id, r.line_id) == key for r in records) for key in tallied
    }  # the heartbeat's line tallies


def test_a_closed_store_stays_quiet() -> None:
    profile = TrafficProfile("GB", 5000, OpeningHours(((9, 17),) * 7), 1, 1)
    traffic = DoorTraffic(profile, ZoneInfo("Europe/London"), DOORS, random.Random(2))
    night = datetime(2026, 9, 8, 23, tzinfo=UTC)
    assert traffic.advance(night, night + timedelta(hours=1)) == []


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("10:00:00", "10:03:00", 3),
        ("10:00:30", "10:03:00", 2),
        ("10:00:30", "10:00:59", 0),
        ("10:00:00", "10:00:59", 0),
    ],
)
def test_whole_minutes(start: str, end: str, count: int) -> None:
    day = "2026-09-08T"
    minutes = whole_minutes(
        datetime.fromisoformat(day + start + "+00:00"), datetime.fromisoformat(day + end + "+00:00")
    )
    assert len(minutes) == count
    assert all(m.second == 0 for m in minutes)


def test_a_failed_upload_is_sent_again_with_the_same_identities() -> None:
    received: list[IngestBatch] = []
    answers = iter([503, 200, 200, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status != 200:
            return httpx.Response(status, json={"error": "unavailable", "message": "down"})
        batch = IngestBatch.model_validate_json(request.content)
        received.append(batch)
        return httpx.Response(200, json={"accepted": len(batch.crossings), "duplicate": 0, "max_seq": None})

    client = DeviceClient("http://server", "token", transport=httpx.MockTransport(handler))
    store = SimulatedStore(
        name="s", timezone="Europe/London", country="GB", base_daily_visitors=24_000,
        opening_hours=[(0, 24)] * 7, token_file=Path("/nonexistent"),
    )  # fmt: skip
    device = SimulatedDevice(store, client, _traffic(), "dev-1", time.monotonic())
    start = datetime(2026, 9, 8, 12, tzinfo=UTC)
    device.tick(start, start + timedelta(minutes=2))
    assert received == [] and len(device.pending) == 1 and device.last_error
    first = device.pending[0]
    device.tick(start + timedelta(minutes=2), start + timedelta(minutes=4))
    assert device.pending == []
    assert [r.seq for r in received[0].crossings] == [r.seq for r in first.crossings]
    assert len(received[0].coverage) == 2 * 2  # two minutes, two cameras
    assert received[1].crossings[0].seq > received[0].coverage[-1].seq


def test_connect_enrols_once_and_takes_doors_from_the_server(tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/devices/enrol"):
            assert json.loads(request.content)["code"] == "CODE-123456"
            return httpx.Response(200, json={"device_id": "dev-9", "token": "tok", "store_id": "st-1"})
        assert request.headers["Authorization"] == "Bearer tok"
        return httpx.Response(
            200,
            json={
                "device_id": "dev-9", "store_id": "st-1", "store_timezone": "Europe/London",
                "cameras": [{"camera_id": "srv-cam", "name": "Door", "lines": [
                    {"line_id": "srv-line", "name": "L", "x1": 0.1, "y1": 0.5, "x2": 0.9, "y2": 0.5,
                     "inside_x": 0.5, "inside_y": 0.8}]}],
            },
        )  # fmt: skip

    transport = httpx.MockTransport(handler)
    store = SimulatedStore(
        name="s", timezone="Europe/London", country="GB", base_daily_visitors=100,
        opening_hours=[(9, 17)] * 7, enrolment_code="CODE-123456", token_file=tmp_path / "token.json",
    )  # fmt: skip
    config = SimulatorConfig(server_url="http://server", stores=[store])

    def factory(url: str, token: str | None) -> DeviceClient:
        return DeviceClient(url, token, transport=transport)

    device = connect_store(config, store, index=0, client_factory=factory)
    assert device.device_id == "dev-9"
    assert [(d.camera_id, d.line_id) for d in device.traffic.doors] == [("srv-cam", "srv-line")]
    assert device.traffic.next_seq > int(time.time() * 1000) - 60_000
    connect_store(config, store, index=0, client_factory=factory)
    assert sum(path.endswith("/devices/enrol") for path in calls) == 1


def test_enrolment_waits_when_the_server_asks_to_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([429, 200])
    sleeps: list[float] = []
    monkeypatch.setattr("footfall.edge.simulator.time.sleep", sleeps.append)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/devices/enrol"):
            if next(answers) == 429:
                return httpx.Response(
                    429, headers={"Retry-After": "3"}, json={"error": "rate_limited", "message": "later"}
                )
            return httpx.Response(200, json={"device_id": "dev-1", "token": "tok", "store_id": "st-1"})
        return httpx.Response(503, json={"error": "unavailable", "message": "down"})

    transport = httpx.MockTransport(handler)
    store = SimulatedStore(
        name="s", timezone="Europe/London", country="GB", base_daily_visitors=100,
        opening_hours=[(9, 17)] * 7, enrolment_code="CODE-123456", token_file=tmp_path / "token.json",
        doors=[SimulatedDoor(camera_id="cam", line_id="line")],
    )  # fmt: skip
    config = SimulatorConfig(server_url="http://server", stores=[store])
    device = connect_store(
        config,
        store,
        index=0,
        client_factory=lambda url, token: DeviceClient(url, token, transport=transport),
    )
    assert sleeps == [3.0]
    assert device.device_id == "dev-1"
    # The server's config was unavailable: the configured doors are used.
    assert [d.camera_id for d in device.traffic.doors] == ["cam"]
