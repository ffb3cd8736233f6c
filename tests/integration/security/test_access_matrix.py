"""Every API route × every caller: who gets in, what they see, and that a 404 tells nothing.

The routes are read from the app itself, so a new route without a row in the policy tables
below fails :func:`test_every_route_has_a_declared_policy` until someone decides who may call it.

Callers: each of the five roles of organisation A, anonymous, an enrolled device, and (as the
owner of the probed ids) organisation B. A store-level role (regional manager, store manager,
installer) sees only A's store 0; hq_admin and analyst see both of A's stores.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from footfall.server.auth.principal import ROLES
from footfall.server.provisioning import (
    DEFAULT_LINE,
    create_enrolment_code,
    create_user,
    enrol_device,
)

from tests.integration.security.conftest import Orgs, import_customer
from tests.integration.server.conftest import device_headers, login
from tests.integration.server.helpers import batch, crossing

ALL = frozenset(ROLES)
KPI_READERS = frozenset({"hq_admin", "regional_manager", "store_manager", "analyst"})
DEVICE_MANAGERS = frozenset({"hq_admin", "installer"})
HQ = frozenset({"hq_admin"})


@dataclass(frozen=True)
class Policy:
    """Who may call a human route, and which path parameter (if any) names a scoped object."""

    roles: frozenset[str]
    target: str | None = None  # "store" | "camera" | "device" | "user" | "customer"


#: Callable without any token (they check their own secret: a password or an enrolment code).
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/devices/enrol"),
}

#: Only an enrolled device's token opens these; a person's token is a 401.
DEVICE_ONLY = {
    ("GET", "/api/v1/devices/me/config"),
    ("GET", "/api/v1/devices/me/snapshot-requests"),
    ("PUT", "/api/v1/devices/me/snapshots/{request_id}"),
    ("POST", "/api/v1/ingest/crossings"),
    ("POST", "/api/v1/ingest/health"),
}

HUMAN: dict[tuple[str, str], Policy] = {
    ("POST", "/api/v1/auth/logout"): Policy(ALL),
    ("GET", "/api/v1/auth/me"): Policy(ALL),
    ("GET", "/api/v1/regions"): Policy(ALL),
    ("GET", "/api/v1/stores"): Policy(ALL),
    ("GET", "/api/v1/stores/{store_id}"): Policy(ALL, "store"),
    ("GET", "/api/v1/stores/{store_id}/traffic"): Policy(ALL, "store"),
    ("GET", "/api/v1/stores/{store_id}/occupancy"): Policy(ALL, "store"),
    ("GET", "/api/v1/stores/{store_id}/entrances"): Policy(ALL, "store"),
    ("GET", "/api/v1/stores/{store_id}/hour-of-week"): Policy(ALL, "store"),
    ("GET", "/api/v1/stores/{store_id}/kpis"): Policy(KPI_READERS, "store"),
    ("GET", "/api/v1/stores/{store_id}/customers/summary"): Policy(KPI_READERS, "store"),
    ("GET", "/api/v1/kpis/definitions"): Policy(KPI_READERS),
    ("GET", "/api/v1/comparison"): Policy(KPI_READERS),
    ("GET", "/api/v1/anomalies"): Policy(ALL),
    ("POST", "/api/v1/stores/{store_id}/enrolment-codes"): Policy(DEVICE_MANAGERS, "store"),
    ("GET", "/api/v1/stores/{store_id}/cameras"): Policy(DEVICE_MANAGERS, "store"),
    ("POST", "/api/v1/stores/{store_id}/cameras"): Policy(DEVICE_MANAGERS, "store"),
    ("GET", "/api/v1/devices"): Policy(DEVICE_MANAGERS),
    ("POST", "/api/v1/devices/{device_id}/revoke"): Policy(DEVICE_MANAGERS, "device"),
    ("GET", "/api/v1/devices/{device_id}/health-history"): Policy(DEVICE_MANAGERS, "device"),
    ("GET", "/api/v1/cameras/{camera_id}/lines"): Policy(DEVICE_MANAGERS, "camera"),
    ("PUT", "/api/v1/cameras/{camera_id}/lines"): Policy(DEVICE_MANAGERS, "camera"),
    ("POST", "/api/v1/cameras/{camera_id}/snapshot-requests"): Policy(DEVICE_MANAGERS, "camera"),
    ("GET", "/api/v1/cameras/{camera_id}/snapshot"): Policy(DEVICE_MANAGERS, "camera"),
    ("GET", "/api/v1/users"): Policy(HQ),
    ("POST", "/api/v1/users"): Policy(HQ),
    ("POST", "/api/v1/users/{user_id}/password"): Policy(HQ, "user"),
    ("GET", "/api/v1/audit-log"): Policy(HQ),
    ("POST", "/api/v1/imports/{kind}"): Policy(HQ),
    ("DELETE", "/api/v1/customers/{customer_id}/personal-data"): Policy(HQ, "customer"),
}

PERIOD = {"start": "2026-06-01", "end": "2026-06-07"}
QUERY: dict[str, dict[str, str]] = {
    "/api/v1/stores/{store_id}/traffic": PERIOD,
    "/api/v1/stores/{store_id}/hour-of-week": PERIOD,
    "/api/v1/stores/{store_id}/kpis": PERIOD,
    "/api/v1/stores/{store_id}/customers/summary": PERIOD,
    "/api/v1/comparison": PERIOD,
    "/api/v1/anomalies": PERIOD,
    "/api/v1/imports/{kind}": {"dry_run": "true"},
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, through included routers (FastAPI ≥ 0.16x)."""

    def walk(routes: list, prefix: str) -> Any:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router, resolved lazily
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif hasattr(route, "routes") and not hasattr(route, "methods"):  # a mounted sub-app
                yield from walk(route.routes, prefix + route.path)
            else:
                for method in getattr(route, "methods", None) or {"WS"}:
                    if method != "HEAD":
                        yield method, prefix + route.path

    return set(walk(app.routes, ""))


def test_every_route_has_a_declared_policy(app_client) -> None:
    declared = PUBLIC | DEVICE_ONLY | set(HUMAN)
    served = app_routes(app_client.app)
    assert served - declared == set(), "routes without an access policy: declare who may call them"
    assert declared - served == set(), "policies for routes that no longer exist"
    assert not (PUBLIC & DEVICE_ONLY) and not (PUBLIC & set(HUMAN)) and not (DEVICE_ONLY & set(HUMAN))


# -- building a request for a route ------------------------------------------------------


def _user_id(dsn: str, email: str) -> str:
    with psycopg.connect(dsn) as conn:
        return str(conn.execute("SELECT user_id FROM users WHERE email = %s", (email,)).fetchone()[0])


def in_scope_target(client: Any, orgs: Orgs, kind: str) -> str:
    """An object of ``kind`` that every role of A can see; mutated objects are made fresh."""
    store = orgs.a.stores[0]
    if kind == "store":
        return store.store_id
    if kind == "camera":
        return store.camera_id
    with psycopg.connect(orgs.dsn) as conn:
        if kind == "device":  # revoking must not take the world's own device down
            return enrol_device(conn, create_enrolment_code(conn, store.store_id).code).device_id
        if kind == "user":  # resetting a password ends that user's sessions
            return create_user(
                conn,
                orgs.a.org_id,
                email=f"probe-{uuid.uuid4().hex[:8]}@a.test",
                name="Probe",
                role="analyst",
                password="probe-password-123",
            )
    customer_id = f"A-CUST-{uuid.uuid4().hex[:8]}"
    import_customer(client, orgs.headers["hq_admin"], customer_id)
    return customer_id


def foreign_targets(orgs: Orgs, kind: str, role: str) -> dict[str, str]:
    """Ids a role must not see, by why: other organisation, outside the role's stores, nonexistent."""
    b_store, a_other = orgs.b.stores[0], orgs.a.stores[1]
    targets = {"missing-uuid": str(uuid.uuid4()), "missing-text": "no-such-thing-42"}
    by_kind = {
        "store": (b_store.store_id, a_other.store_id),
        "camera": (b_store.camera_id, a_other.camera_id),
        "device": (b_store.device_id, a_other.device_id),
        "user": (_user_id(orgs.dsn, orgs.b.users["analyst"]), None),
        "customer": (orgs.b_customer_id, None),
    }
    other_org, out_of_scope = by_kind[kind]
    targets["other-org"] = other_org
    if out_of_scope is not None and a_other.store_id not in orgs.visible(role):
        targets["out-of-scope"] = out_of_scope
    return targets


def build(client: Any, orgs: Orgs, method: str, path: str, target: str | None) -> dict[str, Any]:
    """Keyword arguments for ``client.request`` that a permitted caller would get a 2xx for."""
    url = path
    for name in ("store_id", "camera_id", "device_id", "user_id", "customer_id"):
        url = url.replace("{" + name + "}", target or "")
    url = url.replace("{kind}", "customers")
    request: dict[str, Any] = {"method": method, "url": url, "params": QUERY.get(path, {})}
    store = orgs.a.stores[0]
    if path.endswith("/cameras") and method == "POST":
        request["json"] = {"name": "Probe camera"}
    elif path.endswith("/lines") and method == "PUT":  # the same line again: harmless to the world
        line = {"line_id": "door", "name": "Door", "entrance_id": store.entrance_id, **DEFAULT_LINE}
        request["json"] = {"lines": [line]}
    elif path == "/api/v1/users" and method == "POST":
        email = f"new-{uuid.uuid4().hex[:8]}@a.test"
        request["json"] = {"email": email, "name": "New", "role": "analyst", "password": "new-password-123"}
    elif path.endswith("/password"):
        request["json"] = {"password": "another-password-123"}
    elif path == "/api/v1/imports/{kind}":
        request["content"] = b"customer_id,joined_on\nA-DRY-1,2026-01-01\n"
        request["headers"] = {"Content-Type": "text/csv"}
    return request


def call(client: Any, request: dict[str, Any], headers: dict[str, str] | None) -> Any:
    merged = {**request.get("headers", {}), **(headers or {})}
    return client.request(**{**request, "headers": merged})


def _fresh_header(client: Any, orgs: Orgs, role: str, path: str) -> dict[str, str]:
    """Logout revokes the token it is sent with, so it gets its own."""
    return login(client, orgs.a, role) if path.endswith("/logout") else orgs.headers[role]


def assert_no_foreign_ids(text: str, orgs: Orgs, role: str) -> None:
    """A response may name only stores (and their cameras/devices) the role can see."""
    hidden = [s for s in orgs.b.stores] + [s for s in orgs.a.stores if s.store_id not in orgs.visible(role)]
    for store in hidden:
        for value in (store.store_id, store.camera_id, store.device_id):
            assert value not in text, f"{value} leaked to {role}"
    assert orgs.b.org_id not in text


# -- the matrix ---------------------------------------------------------------------------

HUMAN_ROUTES = sorted(HUMAN)
TARGETED = [r for r in HUMAN_ROUTES if HUMAN[r].target]


@pytest.mark.parametrize(("method", "path"), sorted(HUMAN_ROUTES + sorted(DEVICE_ONLY)))
def test_anonymous_is_401_everywhere_but_public_routes(
    app_client, orgs: Orgs, method: str, path: str
) -> None:
    policy = HUMAN.get((method, path))
    target = in_scope_target(app_client, orgs, policy.target) if policy and policy.target else "x"
    request = build(app_client, orgs, method, path.replace("{request_id}", str(uuid.uuid4())), target)
    for headers in (None, {"Authorization": "Bearer not-a-real-token"}, {"Authorization": "Basic YTpi"}):
        answer = call(app_client, request, headers)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.json()["error"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path"), HUMAN_ROUTES)
def test_a_device_token_opens_no_human_route(app_client, orgs: Orgs, method: str, path: str) -> None:
    policy = HUMAN[(method, path)]
    target = in_scope_target(app_client, orgs, policy.target) if policy.target else None
    answer = call(app_client, build(app_client, orgs, method, path, target), device_headers(orgs.a))
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize(("method", "path"), sorted(DEVICE_ONLY))
def test_a_person_token_opens_no_device_route(app_client, orgs: Orgs, method: str, path: str) -> None:
    request = build(app_client, orgs, method, path.replace("{request_id}", str(uuid.uuid4())), None)
    for role in ROLES:
        assert call(app_client, request, orgs.headers[role]).status_code == 401, role


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), HUMAN_ROUTES)
def test_role_matrix_on_objects_in_scope(app_client, orgs: Orgs, method: str, path: str, role: str) -> None:
    """A permitted role gets a 2xx naming only what it may see; any other role a 403."""
    policy = HUMAN[(method, path)]
    target = in_scope_target(app_client, orgs, policy.target) if policy.target else None
    answer = call(
        app_client, build(app_client, orgs, method, path, target), _fresh_header(app_client, orgs, role, path)
    )
    if role in policy.roles:
        assert 200 <= answer.status_code < 300, answer.text
        if answer.headers.get("content-type", "").startswith("application/json"):
            assert_no_foreign_ids(answer.text, orgs, role)
    else:
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == "forbidden"


def _normalised(answer: Any, probe: str) -> tuple[int, str]:
    return answer.status_code, answer.text.replace(probe, "<ID>")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path"), TARGETED)
def test_foreign_ids_look_exactly_like_missing_ones(
    app_client, orgs: Orgs, method: str, path: str, role: str
) -> None:
    """Another organisation's object, or one outside the role's stores, answers as if it did not exist."""
    policy = HUMAN[(method, path)]
    answers = {}
    for why, probe in foreign_targets(orgs, policy.target or "", role).items():
        answer = call(app_client, build(app_client, orgs, method, path, probe), orgs.headers[role])
        answers[why] = _normalised(answer, probe)
    statuses = {status for status, _ in answers.values()}
    assert len(set(answers.values())) == 1, answers
    assert statuses <= {403, 404}, answers
    if role in policy.roles:
        assert statuses == {404}, answers


# -- what lists hold, and what stays untouched --------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_exactly_the_visible_stores(app_client, orgs: Orgs, role: str) -> None:
    headers = orgs.headers[role]
    stores = app_client.get("/api/v1/stores", headers=headers).json()
    assert {s["store_id"] for s in stores} == orgs.visible(role)
    me = app_client.get("/api/v1/auth/me", headers=headers).json()
    assert set(me["store_ids"]) == orgs.visible(role)
    regions = app_client.get("/api/v1/regions", headers=headers).json()
    expected_regions = {
        orgs.a.region_ids[i] for i, s in enumerate(orgs.a.stores) if s.store_id in orgs.visible(role)
    }
    assert {r["region_id"] for r in regions} == expected_regions
    if role in DEVICE_MANAGERS:
        devices = app_client.get("/api/v1/devices", headers=headers).json()
        assert {d["store_id"] for d in devices} == orgs.visible(role)
    # Naming a foreign region narrows to nothing rather than answering for it.
    foreign_region = {**PERIOD, "region_id": orgs.b.region_ids[0]}
    anomalies = app_client.get("/api/v1/anomalies", params=foreign_region, headers=headers)
    assert anomalies.status_code == 200
    assert_no_foreign_ids(anomalies.text, orgs, role)
    if role in KPI_READERS:
        comparison = app_client.get("/api/v1/comparison", params=foreign_region, headers=headers)
        assert comparison.status_code == 200
        assert_no_foreign_ids(comparison.text, orgs, role)


def test_probing_foreign_devices_revoked_nothing(app_client, orgs: Orgs) -> None:
    """The revoke probes above hit B's device and A's out-of-scope device: both still work."""
    for world, index in ((orgs.a, 1), (orgs.b, 0)):
        answer = app_client.get("/api/v1/devices/me/config", headers=device_headers(world, index))
        assert answer.status_code == 200


def test_another_organisation_cannot_reset_a_password_or_erase_a_customer(app_client, orgs: Orgs) -> None:
    victim = _user_id(orgs.dsn, orgs.a.users["analyst"])
    answer = app_client.post(
        f"/api/v1/users/{victim}/password", json={"password": "stolen-password-1"}, headers=orgs.b_admin
    )
    assert answer.status_code == 404
    assert login(app_client, orgs.a, "analyst")  # the old password still works
    customer = f"A-KEEP-{uuid.uuid4().hex[:8]}"
    import_customer(app_client, orgs.headers["hq_admin"], customer)
    answer = app_client.delete(f"/api/v1/customers/{customer}/personal-data", headers=orgs.b_admin)
    assert answer.status_code == 404
    with psycopg.connect(orgs.dsn) as conn:
        email, erased = conn.execute(
            "SELECT email, erased_at FROM customers WHERE org_id = %s AND customer_id = %s",
            (orgs.a.org_id, customer),
        ).fetchone()
    assert email is not None and erased is None


# -- devices -----------------------------------------------------------------------------


def _stored_crossings(dsn: str, camera_id: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT count(*) FROM crossing_events WHERE camera_id = %s", (camera_id,)
        ).fetchone()[0]


@pytest.mark.parametrize("owner", ["same-org", "other-org"])
def test_a_device_cannot_write_for_another_devices_camera(app_client, orgs: Orgs, owner: str) -> None:
    world, index = (orgs.a, 1) if owner == "same-org" else (orgs.b, 0)
    victim = world.stores[index]
    before = _stored_crossings(orgs.dsn, victim.camera_id)
    row = crossing(world, 1, datetime(2026, 6, 1, 10, tzinfo=UTC), store=index)
    answer = app_client.post("/api/v1/ingest/crossings", json=batch([row]), headers=device_headers(orgs.a, 0))
    assert answer.status_code == 422
    assert answer.json()["details"][0]["field"] == "crossings.0.camera_id"
    missing = app_client.post(
        "/api/v1/ingest/crossings",
        json=batch([{**row, "camera_id": "cam-does-not-exist"}]),
        headers=device_headers(orgs.a, 0),
    )
    assert _normalised(answer, victim.camera_id)[0] == _normalised(missing, "cam-does-not-exist")[0]
    assert answer.json()["message"] == missing.json()["message"]
    assert _stored_crossings(orgs.dsn, victim.camera_id) == before


def test_a_device_reads_only_its_own_config_and_snapshot_requests(app_client, orgs: Orgs) -> None:
    own, other = orgs.a.stores[0], orgs.a.stores[1]
    config = app_client.get("/api/v1/devices/me/config", headers=device_headers(orgs.a, 0)).json()
    assert config["device_id"] == own.device_id
    assert [c["camera_id"] for c in config["cameras"]] == [own.camera_id]
    # An installer asks the OTHER store's camera for a picture; this device neither sees nor answers it.
    requested = app_client.post(
        f"/api/v1/cameras/{other.camera_id}/snapshot-requests", headers=orgs.headers["hq_admin"]
    )
    assert requested.status_code == 201
    request_id = requested.json()["request_id"]
    listed = app_client.get("/api/v1/devices/me/snapshot-requests", headers=device_headers(orgs.a, 0)).json()
    assert request_id not in {r["request_id"] for r in listed["requests"]}
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    answer = app_client.put(
        f"/api/v1/devices/me/snapshots/{request_id}", content=jpeg, headers=device_headers(orgs.a, 0)
    )
    assert answer.status_code == 404
    assert (
        app_client.get(
            f"/api/v1/cameras/{other.camera_id}/snapshot", headers=orgs.headers["hq_admin"]
        ).status_code
        == 204
    )


def test_a_revoked_device_token_is_refused_at_once(app_client, orgs: Orgs) -> None:
    with psycopg.connect(orgs.dsn) as conn:
        device = enrol_device(conn, create_enrolment_code(conn, orgs.a.stores[0].store_id).code)
    headers = {"Authorization": f"Bearer {device.token}"}
    assert app_client.get("/api/v1/devices/me/config", headers=headers).status_code == 200
    revoke = app_client.post(f"/api/v1/devices/{device.device_id}/revoke", headers=orgs.headers["installer"])
    assert revoke.status_code == 200
    assert app_client.get("/api/v1/devices/me/config", headers=headers).status_code == 401


# -- hygiene of every answer ------------------------------------------------------------


def test_errors_never_carry_a_traceback_or_sql(app_client, orgs: Orgs) -> None:
    for url in (
        "/api/v1/stores/'%20OR%201=1--",
        "/api/v1/devices/%00/revoke",
        "/api/v1/cameras/..%2F..%2Fetc/lines",
    ):
        for method in ("GET", "POST", "PUT"):
            answer = app_client.request(method, url, headers=orgs.headers["hq_admin"])
            assert answer.status_code < 500, (method, url, answer.text)
            assert not re.search(r"Traceback|psycopg|SELECT|syntax error", answer.text), answer.text
