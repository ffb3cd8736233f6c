"""Fixtures for server tests through the real HTTP app and the real database.

HTTP requests run on the app's own pool, so they cannot share the rolled-back ``db``
transaction; each test instead gets a fresh organisation with unique names (``world``),
which isolates it from every other test without truncating anything.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from footfall.server.provisioning import World, create_demo_world


@pytest.fixture(scope="module")
def app_client(pg_dsn: str) -> Iterator[object]:
    """A TestClient on ``create_app`` against the session database (one pool per test module)."""
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    settings = ServerSettings(
        demo=True, database_url=pg_dsn, pool_min_size=1, pool_max_size=4, login_attempts_per_minute=1000
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def world(pg_dsn: str) -> World:
    """A committed organisation: a Berlin and a New York store with devices, and a user per role."""
    with psycopg.connect(pg_dsn) as conn:
        return create_demo_world(conn)


def login(client: object, world: World, role: str) -> dict[str, str]:
    """Sign in as ``role`` in ``world``; return the Authorization header."""
    answer = client.post(  # type: ignore[attr-defined]
        "/api/v1/auth/login", json={"email": world.users[role], "password": world.password}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def device_headers(world: World, index: int = 0) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.stores[index].device_token}"}
