"""The audit log records who did what and when for every sensitive action, per organisation only,
and never holds a secret (passwords, tokens, enrolment codes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from footfall.server.provisioning import DEFAULT_LINE

from tests.integration.security.conftest import Orgs, import_customer
from tests.integration.server.conftest import login


def _user_id(dsn: str, email: str) -> str:
    with psycopg.connect(dsn) as conn:
        return str(conn.execute("SELECT user_id FROM users WHERE email = %s", (email,)).fetchone()[0])


def test_every_sensitive_action_is_recorded_with_who_and_when(app_client, orgs: Orgs) -> None:
    began = datetime.now(UTC) - timedelta(seconds=5)
    a, admin = orgs.a, orgs.headers["hq_admin"]
    installer = orgs.headers["installer"]
    admin_id, installer_id = _user_id(orgs.dsn, a.users["hq_admin"]), _user_id(orgs.dsn, a.users["installer"])
    store, secrets_used = a.stores[0], []

    # sign-in (good and bad) and sign-out
    session = login(app_client, a, "analyst")
    secrets_used.append(session["Authorization"].split()[1])
    bad = app_client.post(
        "/api/v1/auth/login", json={"email": a.users["analyst"], "password": "Wrong-password-1"}
    )
    assert bad.status_code == 401
    assert app_client.post("/api/v1/auth/logout", headers=session).status_code == 204
    # device enrolment (code and device) and revocation
    code = app_client.post(f"/api/v1/stores/{store.store_id}/enrolment-codes", headers=installer).json()[
        "code"
    ]
    enrolled = app_client.post("/api/v1/devices/enrol", json={"code": code, "hostname": "audit-pi"}).json()
    secrets_used += [code, enrolled["token"]]
    assert (
        app_client.post(f"/api/v1/devices/{enrolled['device_id']}/revoke", headers=installer).status_code
        == 200
    )
    # configuration: a camera, its lines, a picture request
    camera = app_client.post(
        f"/api/v1/stores/{store.store_id}/cameras", json={"name": "Audit cam"}, headers=installer
    )
    camera_id = camera.json()["camera_id"]
    line = {"line_id": "l1", "name": "Door", **DEFAULT_LINE}
    assert app_client.put(
        f"/api/v1/cameras/{camera_id}/lines", json={"lines": [line]}, headers=installer
    ).is_success
    assert (
        app_client.post(f"/api/v1/cameras/{camera_id}/snapshot-requests", headers=installer).status_code
        == 201
    )
    # people: a new user and a password reset
    password = f"Pw-{uuid.uuid4().hex}"
    user = app_client.post(
        "/api/v1/users",
        json={
            "email": f"audit-{uuid.uuid4().hex[:6]}@a.test",
            "name": "Audited",
            "role": "analyst",
            "password": password,
        },
        headers=admin,
    ).json()
    new_password = f"Pw-{uuid.uuid4().hex}"
    reset = app_client.post(
        f"/api/v1/users/{user['user_id']}/password", json={"password": new_password}, headers=admin
    )
    assert reset.status_code == 204
    secrets_used += [password, new_password, "Wrong-password-1"]
    # business data: an import and an erasure
    customer = f"AUD-{uuid.uuid4().hex[:8]}"
    import_customer(app_client, admin, customer)
    assert app_client.delete(f"/api/v1/customers/{customer}/personal-data", headers=admin).status_code == 200

    log = app_client.get("/api/v1/audit-log", params={"limit": 5000}, headers=admin)
    assert log.status_code == 200
    entries = [e for e in log.json() if datetime.fromisoformat(e["at"]) >= began]
    by_action: dict[str, list[dict]] = {}
    for entry in entries:
        by_action.setdefault(entry["action"], []).append(entry)

    def recorded(action: str, actor_id: str | None, target: str | None = None) -> None:
        found = [e for e in by_action.get(action, []) if e["actor_id"] == actor_id]
        if target is not None:
            found = [e for e in found if target in (e["target"] or "")]
        assert found, f"no audit entry {action} by {actor_id} on {target}: {sorted(by_action)}"

    analyst_id = _user_id(orgs.dsn, a.users["analyst"])
    recorded("auth.login", analyst_id)
    recorded("auth.login_failed", None, a.users["analyst"])
    recorded("auth.logout", analyst_id)
    recorded("device.enrolment_code_created", installer_id, store.store_id)
    recorded("device.enrolled", enrolled["device_id"], store.store_id)
    recorded("device.revoked", installer_id, enrolled["device_id"])
    recorded("camera.created", installer_id, camera_id)
    recorded("camera.lines_changed", installer_id, camera_id)
    recorded("camera.snapshot_requested", installer_id, camera_id)
    recorded("user.created", admin_id, user["user_id"])
    recorded("user.password_reset", admin_id, user["user_id"])
    recorded("import_customers", admin_id)
    recorded("erase_personal_data", admin_id, customer)

    text = log.text
    for secret in secrets_used:
        assert secret not in text, "a secret reached the audit log"
    with psycopg.connect(orgs.dsn) as conn:
        raw = conn.execute(
            "SELECT string_agg(details::text || coalesce(target, ''), '|') FROM audit_log"
        ).fetchone()[0]
    assert not any(secret in raw for secret in secrets_used)


def test_the_audit_log_is_per_organisation_and_hq_only(app_client, orgs: Orgs) -> None:
    mine = app_client.get(
        "/api/v1/audit-log", params={"limit": 5000}, headers=orgs.headers["hq_admin"]
    ).json()
    theirs = app_client.get("/api/v1/audit-log", params={"limit": 5000}, headers=orgs.b_admin).json()
    assert mine and theirs
    assert not {e["audit_id"] for e in mine} & {e["audit_id"] for e in theirs}
    for store in orgs.a.stores:
        assert store.store_id not in str(theirs)
    for role in ("regional_manager", "store_manager", "installer", "analyst"):
        assert app_client.get("/api/v1/audit-log", headers=orgs.headers[role]).status_code == 403
