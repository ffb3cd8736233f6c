"""People management by an hq_admin, the audit log, and the users CLI."""

from __future__ import annotations

import uuid

import psycopg
from footfall.server.provisioning import World

from footfall.cli import main as footfall_main
from tests.integration.server.conftest import login


def test_admin_creates_a_scoped_user_who_can_sign_in(app_client, world: World) -> None:
    admin = login(app_client, world, "hq_admin")
    email = f"new-{uuid.uuid4().hex[:8]}@example.test"
    body = {
        "email": email,
        "name": "New Manager",
        "role": "store_manager",
        "password": "a-long-password",
        "store_ids": [world.stores[1].store_id],
    }
    made = app_client.post("/api/v1/users", json=body, headers=admin)
    assert made.status_code == 201, made.text
    assert made.json()["store_ids"] == [world.stores[1].store_id]
    token = app_client.post("/api/v1/auth/login", json={"email": email, "password": "a-long-password"}).json()
    seen = app_client.get(
        "/api/v1/stores", headers={"Authorization": f"Bearer {token['access_token']}"}
    ).json()
    assert [s["store_id"] for s in seen] == [world.stores[1].store_id]


def test_users_cannot_be_scoped_to_another_organisations_store(app_client, world: World, pg_dsn: str) -> None:
    from footfall.server.provisioning import create_demo_world

    with psycopg.connect(pg_dsn) as conn:
        other = create_demo_world(conn)
    admin = login(app_client, world, "hq_admin")
    body = {
        "email": f"x-{uuid.uuid4().hex[:8]}@example.test",
        "name": "X",
        "role": "installer",
        "password": "a-long-password",
        "store_ids": [other.stores[0].store_id],
    }
    answer = app_client.post("/api/v1/users", json=body, headers=admin)
    assert answer.status_code == 422 and answer.json()["details"][0]["field"] == "body.store_ids"


def test_only_hq_admin_manages_users(app_client, world: World) -> None:
    for role in ("regional_manager", "store_manager", "installer", "analyst"):
        assert app_client.get("/api/v1/users", headers=login(app_client, world, role)).status_code == 403


def test_password_reset_by_admin_ends_sessions_and_is_audited(app_client, world: World) -> None:
    admin = login(app_client, world, "hq_admin")
    analyst = login(app_client, world, "analyst")
    users = app_client.get("/api/v1/users", headers=admin).json()
    analyst_id = next(u["user_id"] for u in users if u["role"] == "analyst")
    answer = app_client.post(
        f"/api/v1/users/{analyst_id}/password", json={"password": "brand-new-password"}, headers=admin
    )
    assert answer.status_code == 204
    assert app_client.get("/api/v1/auth/me", headers=analyst).status_code == 401
    relogin = app_client.post(
        "/api/v1/auth/login", json={"email": world.users["analyst"], "password": "brand-new-password"}
    )
    assert relogin.status_code == 200
    actions = [e["action"] for e in app_client.get("/api/v1/audit-log", headers=admin).json()]
    assert "user.password_reset" in actions and "auth.login" in actions and "device.enrolled" in actions


def test_cli_creates_the_first_admin_and_resets_a_password(pg_dsn: str, monkeypatch, capsys) -> None:
    org = f"CLI org {uuid.uuid4().hex[:8]}"
    email = f"admin-{uuid.uuid4().hex[:8]}@example.test"
    monkeypatch.setenv("FOOTFALL_ADMIN_PASSWORD", "first-admin-password")
    assert (
        footfall_main(["users", "create-admin", "--email", email, "--org", org, "--database-url", pg_dsn])
        == 0
    )
    assert "created hq_admin" in capsys.readouterr().out
    monkeypatch.setenv("FOOTFALL_NEW_PASSWORD", "second-admin-password")
    assert footfall_main(["users", "reset-password", "--email", email, "--database-url", pg_dsn]) == 0
    from footfall.server.auth.secrets import verify_password

    with psycopg.connect(pg_dsn) as conn:
        stored = conn.execute("SELECT password_hash FROM users WHERE email = %s", (email,)).fetchone()[0]
    assert verify_password(stored, "second-admin-password")
    assert (
        footfall_main(["users", "create-admin", "--email", email, "--org", org, "--database-url", pg_dsn])
        == 1
    )
