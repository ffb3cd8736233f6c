"""Rate limits (sign-in, enrolment, ingest), request size limits and secrets from the environment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from footfall.server.settings import PLACEHOLDER_SECRETS, ServerSettings
from pydantic import ValidationError

from tests.integration.security.conftest import Orgs
from tests.integration.server.conftest import device_headers

HEALTH = {
    "sent_at": "2026-06-01T12:00:00+00:00",
    "agent_version": "test",
    "uptime_s": 1,
    "outbox_backlog": 0,
    "disk_used_bytes": 0,
    "disk_budget_bytes": 1,
}


@contextmanager
def client_with(pg_dsn: str, **overrides: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app

    settings = ServerSettings(demo=True, database_url=pg_dsn, pool_min_size=1, pool_max_size=2, **overrides)
    with TestClient(create_app(settings)) as client:
        yield client


def test_ingest_is_limited_per_device(pg_dsn: str, orgs: Orgs) -> None:
    with client_with(pg_dsn, ingest_batches_per_second=0.2) as client:  # a burst of 1 (5 s worth)
        codes = [
            client.post("/api/v1/ingest/health", json=HEALTH, headers=device_headers(orgs.a, 0)).status_code
            for _ in range(3)
        ]
        assert codes[0] == 204 and codes[-1] == 429
        limited = client.post("/api/v1/ingest/health", json=HEALTH, headers=device_headers(orgs.a, 0))
        assert limited.headers.get("Retry-After") and limited.json()["error"] == "rate_limited"
        other = client.post("/api/v1/ingest/health", json=HEALTH, headers=device_headers(orgs.a, 1))
        assert other.status_code == 204  # one runaway device does not stop the others


def test_sign_in_and_enrolment_guessing_is_limited_per_client(pg_dsn: str) -> None:
    with client_with(pg_dsn, login_attempts_per_address_per_minute=3) as client:
        logins = [
            client.post("/api/v1/auth/login", json={"email": f"guess{n}@x.test", "password": "x"}).status_code
            for n in range(5)
        ]
        assert logins[:3] == [401, 401, 401] and logins[-1] == 429  # different e-mails, same address
        enrols = [
            client.post("/api/v1/devices/enrol", json={"code": f"GUESS{n}XXXX"}).status_code for n in range(5)
        ]
        assert 422 in enrols and enrols[-1] == 429


@pytest.mark.parametrize(
    ("path", "content_type", "device"),
    [
        ("/api/v1/imports/sales", "text/csv", False),
        ("/api/v1/ingest/crossings", "application/json", True),
        ("/api/v1/auth/login", "application/json", False),
        ("/api/v1/devices/me/snapshots/00000000-0000-0000-0000-000000000000", "image/jpeg", True),
    ],
)
def test_bodies_over_the_limit_are_refused_before_reading(
    pg_dsn: str, orgs: Orgs, path: str, content_type: str, device: bool
) -> None:
    headers = device_headers(orgs.a) if device else orgs.headers["hq_admin"]
    with client_with(pg_dsn, max_request_bytes=4096) as client:
        method = "PUT" if "snapshots" in path else "POST"
        answer = client.request(
            method, path, content=b"x" * 5000, headers={**headers, "Content-Type": content_type}
        )
        assert answer.status_code == 413
        chunked = client.request(
            method,
            path,
            content=iter([b"x" * 3000, b"x" * 3000]),
            headers={**headers, "Content-Type": content_type},
        )
        assert chunked.status_code == 413


@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDER_SECRETS))
def test_placeholder_secrets_are_refused_outside_the_demo(
    monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    monkeypatch.delenv("FOOTFALL_DEMO", raising=False)
    monkeypatch.setenv("FOOTFALL_SECRET_KEY", placeholder)
    with pytest.raises(ValidationError, match="FOOTFALL_SECRET_KEY"):
        ServerSettings()
    monkeypatch.setenv("FOOTFALL_DEMO", "1")
    assert ServerSettings().demo  # make demo may use them


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOOTFALL_DEMO", raising=False)
    monkeypatch.delenv("FOOTFALL_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError):
        ServerSettings()  # no built-in default
    monkeypatch.setenv("FOOTFALL_SECRET_KEY", "a-long-random-value-" + "k" * 32)
    settings = ServerSettings()
    assert settings.secret_key.get_secret_value().startswith("a-long-random-value-")
    assert "a-long-random-value" not in repr(settings)  # never printed in logs


def test_the_example_env_file_does_not_start_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """deploy/.env.example ships a placeholder: copying it unchanged must fail at start-up."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[3] / "deploy" / ".env.example"
    values = dict(
        line.split("=", 1)
        for line in example.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    monkeypatch.delenv("FOOTFALL_DEMO", raising=False)
    monkeypatch.setenv("FOOTFALL_SECRET_KEY", values["FOOTFALL_SECRET_KEY"].strip())
    with pytest.raises(ValidationError):
        ServerSettings()


def test_a_device_picture_is_never_sniffed_into_a_page(app_client, orgs: Orgs) -> None:
    """A device could upload a JPEG/HTML polyglot; the browser must treat it as an image only."""
    store, installer = orgs.a.stores[0], orgs.headers["installer"]
    request_id = app_client.post(
        f"/api/v1/cameras/{store.camera_id}/snapshot-requests", headers=installer
    ).json()["request_id"]
    polyglot = b"\xff\xd8\xff\xe0<html><script>alert(document.cookie)</script></html>"
    put = app_client.put(
        f"/api/v1/devices/me/snapshots/{request_id}", content=polyglot, headers=device_headers(orgs.a)
    )
    assert put.status_code == 204
    picture = app_client.get(f"/api/v1/cameras/{store.camera_id}/snapshot", headers=installer)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in picture.headers["Content-Security-Policy"]


def test_one_address_may_sign_in_many_people(pg_dsn: str) -> None:
    """The dashboard signs everybody in from its own address: the per-e-mail limit must bite
    first, so 15 people signing in at opening time are not locked out by each other."""
    with client_with(pg_dsn, login_attempts_per_minute=3) as client:
        codes = [
            client.post(
                "/api/v1/auth/login", json={"email": f"person{n}@x.test", "password": "x"}
            ).status_code
            for n in range(15)
        ]
        assert codes == [401] * 15
        same = [
            client.post("/api/v1/auth/login", json={"email": "one@x.test", "password": "x"}).status_code
            for _ in range(4)
        ]
        assert same[-1] == 429
