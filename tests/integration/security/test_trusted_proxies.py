"""Behind a trusted proxy, rate limits and the audit log name the real client; a spoofed header does not."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from footfall.server.settings import ServerSettings

PROXY = ("172.18.0.5", 40000)
STRANGER = ("198.51.100.7", 40000)


@contextmanager
def client_from(pg_dsn: str, peer: tuple[str, int], **overrides: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app

    settings = ServerSettings(demo=True, database_url=pg_dsn, pool_min_size=1, pool_max_size=2, **overrides)
    with TestClient(create_app(settings), client=peer) as client:
        yield client


def _failed_login_ip(pg_dsn: str, email: str) -> str:
    with psycopg.connect(pg_dsn) as conn:
        row = conn.execute(
            "SELECT details->>'ip' FROM audit_log WHERE action = 'auth.login_failed' AND target = %s",
            (f"email:{email}",),
        ).fetchone()
    assert row is not None
    return row[0]


def _fail_login(client: Any, forwarded_for: str | None) -> tuple[int, str]:
    email = f"nobody-{uuid.uuid4().hex[:8]}@x.test"
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": "x"}, headers=headers)
    return answer.status_code, email


def test_the_audit_log_names_the_client_behind_a_trusted_proxy(pg_dsn: str) -> None:
    with client_from(pg_dsn, PROXY, trusted_proxies="172.18.0.0/16") as client:
        status, email = _fail_login(client, "6.6.6.6, 203.0.113.9")
    assert status == 401
    assert _failed_login_ip(pg_dsn, email) == "203.0.113.9"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(pg_dsn: str) -> None:
    with client_from(pg_dsn, STRANGER, trusted_proxies="172.18.0.0/16") as client:
        status, email = _fail_login(client, "203.0.113.9")
    assert status == 401
    assert _failed_login_ip(pg_dsn, email) == STRANGER[0]


def test_without_trusted_proxies_the_peer_is_the_client(pg_dsn: str) -> None:
    with client_from(pg_dsn, PROXY) as client:
        status, email = _fail_login(client, "203.0.113.9")
    assert status == 401
    assert _failed_login_ip(pg_dsn, email) == PROXY[0]


def test_the_rate_limit_is_per_client_behind_the_proxy(pg_dsn: str) -> None:
    """Two people behind one proxy have a budget each; rotating a spoofed header buys nothing."""
    with client_from(
        pg_dsn, PROXY, trusted_proxies="172.18.0.0/16", login_attempts_per_address_per_minute=2
    ) as client:
        first = [_fail_login(client, "203.0.113.9")[0] for _ in range(3)]
        second = [_fail_login(client, "203.0.113.10")[0] for _ in range(2)]
        # The client writes a new address each time; Caddy appends the real one, which counts.
        rotating = [_fail_login(client, f"10.0.0.{n}, 203.0.113.9")[0] for n in range(2)]
        enrol = client.post(
            "/api/v1/devices/enrol", json={"code": "GUESSXXXXXXX"}, headers={"X-Forwarded-For": "203.0.113.9"}
        )
    assert first == [401, 401, 429]
    assert second == [401, 401]
    assert rotating == [429, 429]
    assert enrol.status_code in (404, 422)  # enrolment has its own key, and the same client address
