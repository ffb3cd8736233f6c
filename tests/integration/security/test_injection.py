"""SQL-injection and path-traversal probes into every text input: path and query parameters,
JSON bodies and the cells and names of import files.

Every probe must be answered with a 4xx (or a 2xx that treats the payload as plain data),
never a 5xx, never an answer that names the database, and the database must be exactly as
before: same tables, same rows (sessions and the audit log excepted: signing in and failed
sign-ins are recorded on purpose).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from tests.integration.security.conftest import Orgs
from tests.integration.security.test_access_matrix import DEVICE_ONLY, HUMAN, PERIOD, app_routes

SQL = [
    "' OR '1'='1",
    "' OR 1=1--",
    "1; DROP TABLE stores;--",
    "'; DELETE FROM users; --",
    '" OR ""="',
    "1' UNION SELECT user_id, password_hash FROM users--",
    "x' AND pg_sleep(2)--",
    "$$; DROP TABLE customers; $$",
    "%' OR store_id LIKE '%",
    "\\'; TRUNCATE audit_log;--",
]
TRAVERSAL = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..\\..\\..\\windows\\win.ini",
    "/etc/passwd",
    "....//....//etc/passwd",
    "%00../../etc/passwd",
    "file:///etc/passwd",
]
ODD = ["", " ", "\u0000", "x" * 5000, "𝕊𝕥𝕠𝕣𝕖", "${jndi:ldap://x/a}", "{{7*7}}", "<script>alert(1)</script>"]
PAYLOADS = SQL + TRAVERSAL + ODD

#: Tables whose rows no probe may change (sessions and audit_log grow by design).
TABLES = [
    "organisations",
    "regions",
    "stores",
    "entrances",
    "devices",
    "enrolment_codes",
    "cameras",
    "lines",
    "crossing_events",
    "coverage_minutes",
    "traffic_15min",
    "coverage_15min",
    "snapshot_requests",
    "users",
    "user_regions",
    "user_stores",
    "imports",
    "sales_transactions",
    "sales_hourly",
    "sales_days",
    "customers",
    "customer_aliases",
    "staff_hours",
    "device_health_history",
]
LEAKY = re.compile(
    r"Traceback|psycopg|syntax error at|pg_catalog|violates|root:x:0|\[extensions\]", re.IGNORECASE
)


def fingerprint(dsn: str) -> dict[str, str]:
    """Per table: an md5 over all rows in a stable order (catches inserts, updates and deletes)."""
    with psycopg.connect(dsn) as conn:
        return {
            table: conn.execute(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                f"FROM {table} t"
            ).fetchone()[0]
            for table in TABLES
        }


@pytest.fixture
def unchanged_database(orgs: Orgs) -> Any:
    before = fingerprint(orgs.dsn)
    yield
    after = fingerprint(orgs.dsn)
    changed = {t for t in TABLES if before[t] != after[t]}
    assert changed == set(), f"probes changed {sorted(changed)}"


def check(answer: Any, what: str) -> None:
    assert answer.status_code < 500, (what, answer.status_code, answer.text[:300])
    assert not LEAKY.search(answer.text), (what, answer.text[:300])


def _route_params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


PATH_ROUTES = sorted(r for r in HUMAN | {r: None for r in DEVICE_ONLY} if _route_params(r[1]))


@pytest.mark.parametrize(("method", "path"), PATH_ROUTES)
def test_path_parameters(app_client, orgs: Orgs, unchanged_database: None, method: str, path: str) -> None:
    headers = (
        {"Authorization": f"Bearer {orgs.a.stores[0].device_token}"}
        if (method, path) in DEVICE_ONLY
        else orgs.headers["hq_admin"]
    )
    for payload in [p for p in PAYLOADS if p.strip()]:  # an empty segment is another route
        url = path
        for name in _route_params(path):
            url = url.replace("{" + name + "}", quote(payload, safe=""))
        for raw in (url, url.replace(quote(payload, safe=""), payload.replace("\u0000", "%00"))):
            answer = app_client.request(method, raw, params=PERIOD, headers=headers)
            check(answer, f"{method} {raw}")
            # Nothing is found through a payload: 404 (unknown), 405/422 (not a route/value), never 2xx data.
            assert answer.status_code in (401, 404, 405, 413, 422), (
                raw,
                answer.status_code,
                answer.text[:200],
            )


QUERY_PARAMS: list[tuple[str, str]] = [
    ("/api/v1/anomalies", "store_id"),
    ("/api/v1/anomalies", "region_id"),
    ("/api/v1/comparison", "region_id"),
    ("/api/v1/comparison", "kpi"),
    ("/api/v1/comparison", "normalise"),
    ("/api/v1/comparison", "compare_to"),
    ("/api/v1/stores/{store}/traffic", "granularity"),
    ("/api/v1/stores/{store}/traffic", "by"),
    ("/api/v1/stores/{store}/traffic", "person_class"),
    ("/api/v1/stores/{store}/traffic", "start"),
    ("/api/v1/stores/{store}/kpis", "end"),
    ("/api/v1/stores/{store}/kpis", "visitors"),
    ("/api/v1/audit-log", "limit"),
    ("/api/v1/devices/{device}/health-history", "since"),
]


def test_every_query_parameter_name_is_probed(app_client) -> None:
    """A new query parameter name must join QUERY_PARAMS (read from the app's OpenAPI schema)."""
    served = {
        parameter["name"]
        for item in app_client.app.openapi()["paths"].values()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    probed = {name for _, name in QUERY_PARAMS} | {"start", "end", "dry_run", "filename"}
    assert served - probed == set(), "probe the new query parameters too"


@pytest.mark.parametrize(("path", "name"), QUERY_PARAMS)
def test_query_parameters(app_client, orgs: Orgs, unchanged_database: None, path: str, name: str) -> None:
    url = path.replace("{store}", orgs.a.stores[0].store_id).replace("{device}", orgs.a.stores[0].device_id)
    for payload in PAYLOADS:
        answer = app_client.get(url, params={**PERIOD, name: payload}, headers=orgs.headers["hq_admin"])
        check(answer, f"{url}?{name}={payload[:40]}")
        if answer.status_code == 200:  # a filter that matched nothing: no store of anyone
            assert not any(s.store_id in answer.text for s in orgs.b.stores)
            if name in ("store_id", "region_id"):
                assert not any(s.store_id in answer.text for s in orgs.a.stores), (name, payload)


@pytest.mark.parametrize("dates", [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")])
def test_dates_at_the_ends_of_the_calendar(app_client, orgs: Orgs, dates: tuple[str, str]) -> None:
    store = orgs.a.stores[0].store_id
    params = {"start": dates[0], "end": dates[1]}
    for url in (
        f"/api/v1/stores/{store}/traffic",
        f"/api/v1/stores/{store}/kpis",
        f"/api/v1/stores/{store}/hour-of-week",
        f"/api/v1/stores/{store}/customers/summary",
        "/api/v1/comparison",
        "/api/v1/anomalies",
    ):
        answer = app_client.get(url, params=params, headers=orgs.headers["hq_admin"])
        check(answer, url)
        assert answer.status_code == 422, (url, answer.text)


def test_json_bodies(app_client, orgs: Orgs, unchanged_database: None) -> None:
    admin, store = orgs.headers["hq_admin"], orgs.a.stores[0]
    for payload in PAYLOADS:
        probes = [
            ("POST", "/api/v1/auth/login", {"email": payload, "password": payload}, {}),
            ("POST", "/api/v1/auth/login", {"email": orgs.a.users["hq_admin"], "password": payload}, {}),
            ("POST", "/api/v1/devices/enrol", {"code": payload, "hostname": payload}, {}),
            ("POST", f"/api/v1/stores/{store.store_id}/cameras", {"name": "x", "camera_id": payload}, admin),
            (
                "POST",
                f"/api/v1/stores/{store.store_id}/cameras",
                {"name": "x", "entrance_id": payload},
                admin,
            ),
            ("POST", f"/api/v1/stores/{store.store_id}/cameras", {"name": "x", "device_id": payload}, admin),
            (
                "PUT",
                f"/api/v1/cameras/{store.camera_id}/lines",
                {
                    "lines": [
                        {
                            "line_id": "door",
                            "name": "Door",
                            "entrance_id": payload,
                            "x1": 0.1,
                            "y1": 0.5,
                            "x2": 0.9,
                            "y2": 0.5,
                            "inside_x": 0.5,
                            "inside_y": 0.9,
                        }
                    ]
                },
                admin,
            ),
            (
                "POST",
                "/api/v1/users",
                {
                    "email": "a@b.test",
                    "name": "n",
                    "role": "analyst",
                    "password": "p" * 12,
                    "store_ids": [payload],
                },
                admin,
            ),
            (
                "POST",
                "/api/v1/users",
                {"email": payload, "name": payload, "role": payload, "password": payload},
                admin,
            ),
        ]
        for method, url, body, headers in probes:
            answer = app_client.request(method, url, json=body, headers=headers)
            check(answer, f"{method} {url} {body}")
            assert 400 <= answer.status_code < 500, (
                method,
                url,
                payload,
                answer.status_code,
                answer.text[:200],
            )


def test_ingest_bodies(app_client, orgs: Orgs, unchanged_database: None) -> None:
    device = {"Authorization": f"Bearer {orgs.a.stores[0].device_token}"}
    store = orgs.a.stores[0]
    for payload in PAYLOADS:
        row = {"seq": 1, "camera_id": store.camera_id, "line_id": "door", "direction": "in",
               "ts": "2026-06-01T10:00:00+00:00", "track_id": 1, "frame_index": 1}  # fmt: skip
        for field in ("camera_id", "line_id", "direction", "ts", "person_class"):
            body = {
                "crossings": [{**row, field: payload}],
                "coverage": [],
                "sent_at": "2026-06-01T12:00:00+00:00",
            }
            answer = app_client.post("/api/v1/ingest/crossings", json=body, headers=device)
            check(answer, f"ingest {field}={payload[:30]}")
            assert answer.status_code == 422, (field, payload, answer.text[:200])


# -- import files ---------------------------------------------------------------------------

IMPORT_HEADERS = {
    "sales": ["store", "timestamp", "transaction_id", "amount", "currency", "units"],
    "customers": ["customer_id", "joined_on", "segment", "home_store", "email", "phone", "name"],
    "staff": ["store", "hour_start", "staff_on_duty"],
}


def _good_row(kind: str, store_code: str) -> dict[str, str]:
    return {
        "sales": {"store": store_code, "timestamp": "2026-06-01T10:00:00", "transaction_id": "T-1",
                  "amount": "12.50", "currency": "EUR", "units": "1"},
        "customers": {"customer_id": "C-1", "joined_on": "2026-01-01", "segment": "gold", "home_store": store_code,
                      "email": "c1@example.test", "phone": "+4915112345678", "name": "Ann"},
        "staff": {"store": store_code, "hour_start": "2026-06-01T10:00:00", "staff_on_duty": "3"},
    }[kind]  # fmt: skip


def _csv(row: dict[str, str]) -> bytes:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    return (",".join(row) + "\n" + ",".join(cell(v) for v in row.values()) + "\n").encode()


@pytest.mark.parametrize("kind", sorted(IMPORT_HEADERS))
def test_import_file_cells(app_client, orgs: Orgs, unchanged_database: None, kind: str) -> None:
    """Payloads in every cell of CSV and JSON files (dry runs: validated in full, never written)."""
    admin = orgs.headers["hq_admin"]
    for column in IMPORT_HEADERS[kind]:
        for payload in PAYLOADS:
            row = {**_good_row(kind, "S1"), column: payload}
            for content, content_type in (
                (_csv(row), "text/csv"),
                (json.dumps([row]).encode(), "application/json"),
            ):
                answer = app_client.post(
                    f"/api/v1/imports/{kind}",
                    params={"dry_run": "true"},
                    content=content,
                    headers={**admin, "Content-Type": content_type},
                )
                check(answer, f"{kind}.{column}={payload[:30]} ({content_type})")
                # 200: a dry run that took the payload as text (a name, or an id like file:///x);
                # unchanged_database proves it was neither executed nor written.
                assert answer.status_code in (200, 413, 422), (kind, column, payload, answer.text[:300])
                if column in ("amount", "units", "staff_on_duty", "timestamp", "hour_start", "joined_on"):
                    assert answer.status_code == 422, (kind, column, payload)


def test_import_file_names_and_forms(app_client, orgs: Orgs, unchanged_database: None) -> None:
    admin = orgs.headers["hq_admin"]
    content = _csv(_good_row("staff", "S1"))
    for payload in PAYLOADS:
        answer = app_client.post(
            "/api/v1/imports/staff",
            params={"dry_run": "true", "filename": payload},
            content=content,
            headers={**admin, "Content-Type": "text/csv"},
        )
        check(answer, f"filename={payload[:30]}")
        answer = app_client.post(
            "/api/v1/imports/staff",
            params={"dry_run": "true"},
            files={"file": (payload or "x", content, "text/csv")},
            headers=admin,
        )
        check(answer, f"multipart filename={payload[:30]}")


def test_an_injection_stored_as_text_stays_text(app_client, orgs: Orgs) -> None:
    """A real import whose free-text cell is SQL: stored verbatim, every table still there."""
    customer_id = f"INJ-{uuid.uuid4().hex[:8]}"
    row = {**_good_row("customers", "S1"), "customer_id": customer_id, "email": f"{customer_id.lower()}@x.test",
           "name": "Robert'); DROP TABLE customers;--"}  # fmt: skip
    answer = app_client.post(
        "/api/v1/imports/customers",
        content=_csv(row),
        headers={**orgs.headers["hq_admin"], "Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    with psycopg.connect(orgs.dsn) as conn:
        name = conn.execute(
            "SELECT name FROM customers WHERE org_id = %s AND customer_id = %s", (orgs.a.org_id, customer_id)
        ).fetchone()[0]
    assert name == row["name"]
    fingerprint(orgs.dsn)  # every table is still there


def test_a_slow_query_payload_does_not_sleep(app_client, orgs: Orgs) -> None:
    """pg_sleep inside a parameter is data: the answer comes at once."""
    import time

    began = time.monotonic()
    answer = app_client.get(
        "/api/v1/anomalies",
        params={**PERIOD, "region_id": "x' OR pg_sleep(5) IS NULL--"},
        headers=orgs.headers["hq_admin"],
    )
    assert answer.status_code < 500 and time.monotonic() - began < 5


def test_no_route_serves_files(app_client) -> None:
    """The API has no static files, so no path reaches the file system."""
    served = {path for _, path in app_routes(app_client.app)}
    assert not any("{" in p and ":path}" in p for p in served)
    for url in (
        "/../../etc/passwd",
        "/static/../../etc/passwd",
        "/docs/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
    ):
        answer = app_client.get(url)
        assert answer.status_code == 404 and "root:" not in answer.text
