"""Sign-in, sessions, roles and the one place scoping happens."""

from __future__ import annotations

import psycopg
import pytest
from footfall.server.provisioning import World, create_demo_world

from tests.integration.server.conftest import login


def test_login_returns_a_bearer_token_and_the_user(app_client, world: World) -> None:
    answer = app_client.post(
        "/api/v1/auth/login", json={"email": world.users["hq_admin"].upper(), "password": world.password}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) > 30
    assert body["user"]["role"] == "hq_admin" and body["user"]["org_id"] == world.org_id
    me = app_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert set(me.json()["store_ids"]) == {s.store_id for s in world.stores}


@pytest.mark.parametrize("email_ok", [True, False])
def test_wrong_credentials_are_401_and_audited(app_client, world: World, pg_dsn: str, email_ok: bool) -> None:
    email = world.users["analyst"] if email_ok else "nobody@nowhere.test"
    answer = app_client.post("/api/v1/auth/login", json={"email": email, "password": "wrong-password"})
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthenticated"
    with psycopg.connect(pg_dsn) as conn:
        n = conn.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed' AND target = %s",
            (f"email:{email}",),
        ).fetchone()[0]
    assert n >= 1


def test_tokens_are_stored_hashed(app_client, world: World, pg_dsn: str) -> None:
    token = login(app_client, world, "analyst")["Authorization"].split()[1]
    with psycopg.connect(pg_dsn) as conn:
        assert (
            conn.execute("SELECT count(*) FROM sessions WHERE token_hash = %s", (token,)).fetchone()[0] == 0
        )
        hashes = conn.execute("SELECT password_hash FROM users WHERE org_id = %s", (world.org_id,)).fetchall()
    assert all(h[0].startswith("$argon2id$") for h in hashes)


def test_logout_revokes_the_token(app_client, world: World) -> None:
    headers = login(app_client, world, "store_manager")
    assert app_client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert app_client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_an_expired_session_is_refused(app_client, world: World, pg_dsn: str) -> None:
    headers = login(app_client, world, "analyst")
    with psycopg.connect(pg_dsn) as conn:
        conn.execute(
            "UPDATE sessions SET expires_at = now() - interval '1 second' FROM users u "
            "WHERE u.user_id = sessions.user_id AND u.email = %s",
            (world.users["analyst"],),
        )
    assert app_client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_missing_or_garbage_token_is_401(app_client) -> None:
    assert app_client.get("/api/v1/stores").status_code == 401
    assert app_client.get("/api/v1/stores", headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize(
    ("role", "sees_both"),
    [
        ("hq_admin", True),
        ("analyst", True),
        ("regional_manager", False),
        ("store_manager", False),
        ("installer", False),
    ],
)
def test_each_role_sees_its_stores_only(app_client, world: World, role: str, sees_both: bool) -> None:
    headers = login(app_client, world, role)
    seen = {s["store_id"] for s in app_client.get("/api/v1/stores", headers=headers).json()}
    expected = {s.store_id for s in world.stores} if sees_both else {world.stores[0].store_id}
    assert seen == expected
    hidden = world.stores[1].store_id
    assert app_client.get(f"/api/v1/stores/{hidden}", headers=headers).status_code == (
        200 if sees_both else 404
    )


def test_organisations_are_isolated(app_client, world: World, pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        other = create_demo_world(conn)
    headers = login(app_client, world, "hq_admin")
    foreign = other.stores[0].store_id
    assert app_client.get(f"/api/v1/stores/{foreign}", headers=headers).status_code == 404
    assert foreign not in {s["store_id"] for s in app_client.get("/api/v1/stores", headers=headers).json()}
    regions = {r["region_id"] for r in app_client.get("/api/v1/regions", headers=headers).json()}
    assert regions == set(world.region_ids)


def test_login_is_rate_limited(pg_dsn: str, world: World) -> None:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    settings = ServerSettings(demo=True, database_url=pg_dsn, pool_min_size=1, login_attempts_per_minute=3)
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post(
                "/api/v1/auth/login", json={"email": world.users["analyst"], "password": "bad-password"}
            ).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]


def test_oversized_requests_are_refused(app_client) -> None:
    answer = app_client.post(
        "/api/v1/auth/login", content=b"x" * (9 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413


def test_openapi_documents_the_planned_api(app_client) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/stores/{store_id}/traffic",
        "/api/v1/stores/{store_id}/occupancy",
        "/api/v1/ingest/crossings",
        "/api/v1/ingest/health",
        "/api/v1/devices/enrol",
        "/api/v1/devices/me/config",
        "/api/v1/cameras/{camera_id}/lines",
    ):
        assert path in paths, path
    traffic = paths["/api/v1/stores/{store_id}/traffic"]["get"]
    assert "TrafficOut" in str(traffic["responses"]["200"])


def test_oversized_chunked_requests_are_refused(app_client) -> None:
    def chunks():
        for _ in range(10):
            yield b"x" * (1024 * 1024)

    answer = app_client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413


@pytest.mark.parametrize(("demo", "status"), [(True, 200), (False, 401)])
def test_the_demo_password_opens_nothing_outside_the_demo(pg_dsn: str, demo: bool, status: int) -> None:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import DEMO_PASSWORD, ServerSettings

    with psycopg.connect(pg_dsn) as conn:
        world = create_demo_world(conn, password=DEMO_PASSWORD)
        conn.commit()
    secret = {} if demo else {"secret_key": "a-real-secret-of-enough-length-for-production-use"}
    settings = ServerSettings(demo=demo, database_url=pg_dsn, pool_min_size=1, pool_max_size=2, **secret)
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/api/v1/auth/login", json={"email": world.users["hq_admin"], "password": DEMO_PASSWORD}
        )
    assert answer.status_code == status
