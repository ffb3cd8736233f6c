"""Enrolment, device tokens, device config, cameras and lines, snapshots."""

from __future__ import annotations

import psycopg
from footfall.server.provisioning import World

from footfall.contracts import DeviceConfig
from tests.integration.server.conftest import device_headers, login

LINE = {
    "line_id": "L1",
    "name": "Door",
    "x1": 0.1,
    "y1": 0.4,
    "x2": 0.9,
    "y2": 0.4,
    "inside_x": 0.5,
    "inside_y": 0.8,
}


def test_enrolment_code_is_one_time_and_gives_a_hashed_token(app_client, world: World, pg_dsn: str) -> None:
    installer = login(app_client, world, "installer")
    store_id = world.stores[0].store_id
    code = app_client.post(f"/api/v1/stores/{store_id}/enrolment-codes", headers=installer)
    assert code.status_code == 201
    typed = code.json()["code"].lower()  # codes are case-insensitive
    first = app_client.post("/api/v1/devices/enrol", json={"code": typed, "hostname": "pi-1"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["store_id"] == store_id
    again = app_client.post("/api/v1/devices/enrol", json={"code": typed, "hostname": "pi-2"})
    assert again.status_code == 422 and again.json()["details"][0]["field"] == "code"
    config = app_client.get("/api/v1/devices/me/config", headers={"Authorization": f"Bearer {body['token']}"})
    assert config.status_code == 200
    with psycopg.connect(pg_dsn) as conn:
        stored = conn.execute(
            "SELECT token_hash FROM devices WHERE device_id = %s", (body["device_id"],)
        ).fetchone()[0]
        audited = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'device.enrolled' AND actor_id = %s",
            (body["device_id"],),
        ).fetchone()[0]
    assert stored != body["token"] and audited == 1


def test_enrolment_codes_are_scoped_and_role_checked(app_client, world: World) -> None:
    other_store = world.stores[1].store_id
    installer = login(app_client, world, "installer")
    assert (
        app_client.post(f"/api/v1/stores/{other_store}/enrolment-codes", headers=installer).status_code == 404
    )
    analyst = login(app_client, world, "analyst")
    assert (
        app_client.post(f"/api/v1/stores/{other_store}/enrolment-codes", headers=analyst).status_code == 403
    )


def test_device_config_lists_its_cameras_and_lines(app_client, world: World) -> None:
    answer = app_client.get("/api/v1/devices/me/config", headers=device_headers(world, 1))
    config = DeviceConfig.model_validate(answer.json())
    assert config.store_id == world.stores[1].store_id and config.store_timezone == "America/New_York"
    assert [c.camera_id for c in config.cameras] == [world.stores[1].camera_id]
    assert [line.line_id for line in config.cameras[0].lines] == ["door"]


def test_changing_lines_bumps_the_device_config(app_client, world: World) -> None:
    installer = login(app_client, world, "installer")
    camera_id = world.stores[0].camera_id
    before = app_client.get("/api/v1/devices/me/config", headers=device_headers(world)).json()[
        "config_version"
    ]
    answer = app_client.put(f"/api/v1/cameras/{camera_id}/lines", json={"lines": [LINE]}, headers=installer)
    assert answer.status_code == 200, answer.text
    assert [line["line_id"] for line in answer.json()["lines"]] == ["L1"]
    after = app_client.get("/api/v1/devices/me/config", headers=device_headers(world)).json()
    assert after["config_version"] == before + 1
    assert after["cameras"][0]["lines"][0]["line_id"] == "L1"
    bad = app_client.put(
        f"/api/v1/cameras/{camera_id}/lines", json={"lines": [{**LINE, "x1": 1.5}]}, headers=installer
    )
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "body.lines.0.x1"
    foreign = world.stores[1].camera_id
    assert app_client.get(f"/api/v1/cameras/{foreign}/lines", headers=installer).status_code == 404


def test_installer_adds_a_camera_that_a_new_device_takes_over(app_client, world: World) -> None:
    installer = login(app_client, world, "installer")
    store_id = world.stores[0].store_id
    made = app_client.post(
        f"/api/v1/stores/{store_id}/cameras", json={"name": "Back door"}, headers=installer
    )
    assert made.status_code == 201, made.text
    camera_id = made.json()["camera_id"]
    assert made.json()["device_id"] is None
    code = app_client.post(f"/api/v1/stores/{store_id}/enrolment-codes", headers=installer).json()["code"]
    token = app_client.post("/api/v1/devices/enrol", json={"code": code}).json()["token"]
    config = app_client.get("/api/v1/devices/me/config", headers={"Authorization": f"Bearer {token}"}).json()
    assert [c["camera_id"] for c in config["cameras"]] == [camera_id]
    listed = app_client.get(f"/api/v1/stores/{store_id}/cameras", headers=installer).json()
    assert camera_id in {c["camera_id"] for c in listed}


def test_snapshot_round_trip(app_client, world: World) -> None:
    installer = login(app_client, world, "installer")
    camera_id = world.stores[0].camera_id
    assert app_client.get(f"/api/v1/cameras/{camera_id}/snapshot", headers=installer).status_code == 204
    request = app_client.post(f"/api/v1/cameras/{camera_id}/snapshot-requests", headers=installer).json()
    pending = app_client.get("/api/v1/devices/me/snapshot-requests", headers=device_headers(world)).json()[
        "requests"
    ]
    assert [p["request_id"] for p in pending] == [request["request_id"]]
    jpeg = b"\xff\xd8\xff\xe0fake-jpeg-body\xff\xd9"
    other_device = device_headers(world, 1)
    url = f"/api/v1/devices/me/snapshots/{request['request_id']}"
    assert (
        app_client.put(url, content=jpeg, headers={**other_device, "content-type": "image/jpeg"}).status_code
        == 404
    )
    assert (
        app_client.put(
            url, content=jpeg, headers={**device_headers(world), "content-type": "image/jpeg"}
        ).status_code
        == 204
    )
    got = app_client.get(f"/api/v1/cameras/{camera_id}/snapshot", headers=installer)
    assert got.status_code == 200 and got.content == jpeg and got.headers["content-type"] == "image/jpeg"


def test_a_line_cannot_point_at_another_stores_entrance(app_client, world: World) -> None:
    installer = login(app_client, world, "installer")
    foreign_entrance = world.stores[1].entrance_id
    answer = app_client.put(
        f"/api/v1/cameras/{world.stores[0].camera_id}/lines",
        json={"lines": [{**LINE, "entrance_id": foreign_entrance}]},
        headers=installer,
    )
    assert answer.status_code == 422 and answer.json()["details"][0]["field"] == "lines.0.entrance_id"
