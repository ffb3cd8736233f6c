"""Ingest through the real HTTP API into the real database: idempotent, all-or-nothing, strict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from footfall.server.provisioning import World

from tests.integration.server.conftest import device_headers
from tests.integration.server.helpers import batch, coverage, crossing

T0 = datetime(2026, 3, 10, 9, 7, tzinfo=UTC)
URL = "/api/v1/ingest/crossings"


def _events(pg_dsn: str, device_id: str) -> int:
    with psycopg.connect(pg_dsn) as conn:
        return conn.execute(
            "SELECT count(*) FROM crossing_events WHERE device_id = %s", (device_id,)
        ).fetchone()[0]


def _rollup(pg_dsn: str, store_id: str) -> list[tuple]:
    with psycopg.connect(pg_dsn) as conn:
        return conn.execute(
            "SELECT bucket_start, person_class, in_count, out_count FROM traffic_15min WHERE store_id = %s "
            "ORDER BY bucket_start, person_class",
            (store_id,),
        ).fetchall()


def test_a_batch_is_stored_and_binned(app_client, world: World, pg_dsn: str) -> None:
    events = [
        crossing(world, 1, T0),
        crossing(world, 2, T0 + timedelta(minutes=1), direction="out"),
        crossing(world, 3, T0 + timedelta(minutes=10), person_class="child"),
    ]
    answer = app_client.post(
        URL, json=batch(events, [coverage(world, 4, T0.replace(minute=0))]), headers=device_headers(world)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"accepted": 4, "duplicate": 0, "max_seq": 4}
    q = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    q2 = q + timedelta(minutes=15)  # 09:17 falls in the 09:15 bin
    assert _rollup(pg_dsn, world.stores[0].store_id) == [(q, "adult", 1, 1), (q2, "child", 1, 0)]


def test_redelivery_is_a_no_op_reported_as_duplicates(app_client, world: World, pg_dsn: str) -> None:
    body = batch(
        [crossing(world, n, T0 + timedelta(seconds=n)) for n in range(1, 6)],
        [coverage(world, 6, T0.replace(minute=0))],
    )
    first = app_client.post(URL, json=body, headers=device_headers(world)).json()
    again = app_client.post(URL, json=body, headers=device_headers(world)).json()
    assert first == {"accepted": 6, "duplicate": 0, "max_seq": 6}
    assert again == {"accepted": 0, "duplicate": 6, "max_seq": 6}
    assert _events(pg_dsn, world.stores[0].device_id) == 5
    assert [r[2] for r in _rollup(pg_dsn, world.stores[0].store_id)] == [5]
    # A partly new batch: old ones are duplicates, new ones count, within-batch repeats too.
    mixed = batch([crossing(world, 5, T0), crossing(world, 7, T0), crossing(world, 7, T0)])
    assert app_client.post(URL, json=mixed, headers=device_headers(world)).json() == {
        "accepted": 1,
        "duplicate": 2,
        "max_seq": 7,
    }
    assert [r[2] for r in _rollup(pg_dsn, world.stores[0].store_id)] == [6]


def test_a_batch_with_one_bad_row_stores_nothing(app_client, world: World, pg_dsn: str) -> None:
    good = [crossing(world, n, T0) for n in range(1, 4)]
    foreign = crossing(world, 4, T0, store=1)  # the other store's camera: not this device's
    answer = app_client.post(URL, json=batch([*good, foreign]), headers=device_headers(world))
    assert answer.status_code == 422
    assert answer.json()["details"][0]["field"] == "crossings.3.camera_id"
    assert _events(pg_dsn, world.stores[0].device_id) == 0
    assert _rollup(pg_dsn, world.stores[0].store_id) == []


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.update(direction="sideways"), "body.crossings.0.direction"),
        (lambda e: e.update(person_class="dog"), "body.crossings.0.person_class"),
        (lambda e: e.update(ts="2026-03-10T09:00:00"), "body.crossings.0.ts"),
        (lambda e: e.update(seq=0), "body.crossings.0.seq"),
        (lambda e: e.pop("line_id"), "body.crossings.0.line_id"),
        (lambda e: e.update(colour="red"), "body.crossings.0.colour"),
        (lambda e: e.update(line_id="no-such-line"), "crossings.0.line_id"),
        (lambda e: e.update(ts=(datetime.now(UTC) + timedelta(days=2)).isoformat()), "crossings.0.ts"),
    ],
)
def test_malformed_rows_get_a_4xx_naming_the_field(app_client, world: World, mutate, field: str) -> None:
    event = crossing(world, 1, T0)
    mutate(event)
    answer = app_client.post(URL, json=batch([event]), headers=device_headers(world))
    assert 400 <= answer.status_code < 500
    assert field in [d["field"] for d in answer.json()["details"]]


def test_not_json_is_a_4xx(app_client, world: World) -> None:
    answer = app_client.post(
        URL, content=b"{not json", headers={**device_headers(world), "content-type": "application/json"}
    )
    assert answer.status_code == 422


def test_late_events_land_in_their_bins(app_client, world: World, pg_dsn: str) -> None:
    today = [crossing(world, n, T0 + timedelta(days=3, seconds=n)) for n in range(10, 13)]
    assert app_client.post(URL, json=batch(today), headers=device_headers(world)).json()["accepted"] == 3
    # Buffered on the device for three days, sent later with lower sequence numbers.
    late = [crossing(world, n, T0 + timedelta(seconds=n)) for n in range(1, 5)]
    assert app_client.post(URL, json=batch(late), headers=device_headers(world)).json()["accepted"] == 4
    rows = _rollup(pg_dsn, world.stores[0].store_id)
    assert [(r[0], r[2]) for r in rows] == [
        (datetime(2026, 3, 10, 9, 0, tzinfo=UTC), 4),
        (datetime(2026, 3, 13, 9, 0, tzinfo=UTC), 3),
    ]
    with psycopg.connect(pg_dsn) as conn:
        lateness = conn.execute(
            "SELECT min(received_at - event_time) FROM crossing_events WHERE device_id = %s AND seq < 5",
            (world.stores[0].device_id,),
        ).fetchone()[0]
    assert lateness > timedelta(days=200)  # received time is kept next to event time


def test_revoked_device_is_refused(app_client, world: World) -> None:
    from tests.integration.server.conftest import login

    admin = login(app_client, world, "hq_admin")
    device_id = world.stores[0].device_id
    assert (
        app_client.post(URL, json=batch([crossing(world, 1, T0)]), headers=device_headers(world)).status_code
        == 200
    )
    assert app_client.post(f"/api/v1/devices/{device_id}/revoke", headers=admin).json()["revoked_at"]
    refused = app_client.post(URL, json=batch([crossing(world, 2, T0)]), headers=device_headers(world))
    assert refused.status_code == 401
    assert app_client.get("/api/v1/devices/me/config", headers=device_headers(world)).status_code == 401


def test_a_person_token_cannot_ingest(app_client, world: World) -> None:
    from tests.integration.server.conftest import login

    answer = app_client.post(
        URL, json=batch([crossing(world, 1, T0)]), headers=login(app_client, world, "hq_admin")
    )
    assert answer.status_code == 401


def test_health_is_stored_for_the_device_list(app_client, world: World) -> None:
    from tests.integration.server.conftest import login

    health = {
        "sent_at": T0.isoformat(),
        "agent_version": "9.9.9",
        "uptime_s": 12.5,
        "cameras": [
            {
                "camera_id": world.stores[0].camera_id,
                "state": "ok",
                "fps": 9.5,
                "lines": [{"line_id": "L1", "crossings": 40, "at_ends": 6}],
            }
        ],
        "outbox_backlog": 3,
        "disk_used_bytes": 1,
        "disk_budget_bytes": 10,
    }
    assert (
        app_client.post("/api/v1/ingest/health", json=health, headers=device_headers(world)).status_code
        == 204
    )
    devices = app_client.get("/api/v1/devices", headers=login(app_client, world, "installer")).json()
    assert [d["device_id"] for d in devices] == [world.stores[0].device_id]  # installer: first store only
    assert devices[0]["last_health"]["outbox_backlog"] == 3 and devices[0]["agent_version"] == "9.9.9"
    # the installer's page tells from these whether a line is too short
    assert devices[0]["last_health"]["cameras"][0]["lines"] == [
        {"line_id": "L1", "crossings": 40, "at_ends": 6}
    ]


def test_concurrent_redelivery_counts_each_event_once(app_client, world: World, pg_dsn: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = batch([crossing(world, n, T0 + timedelta(seconds=n)) for n in range(1, 301)])
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(lambda _: app_client.post(URL, json=body, headers=device_headers(world)), range(4))
        )
    assert all(a.status_code == 200 for a in answers)
    assert sum(a.json()["accepted"] for a in answers) == 300
    assert sum(a.json()["duplicate"] for a in answers) == 900
    assert sum(r[2] for r in _rollup(pg_dsn, world.stores[0].store_id)) == 300
