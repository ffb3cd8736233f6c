"""Two organisations through the real app and database, and a token for every caller kind.

Organisation A is the one under test (store 0 is in every role's scope, store 1 only in
hq_admin's and analyst's); organisation B exists so that its ids can be probed from A.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
import pytest
from footfall.server.auth.principal import ROLES
from footfall.server.provisioning import World, create_demo_world

from tests.integration.server.conftest import login


@pytest.fixture(scope="module")
def app_client(pg_dsn: str) -> Iterator[object]:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    settings = ServerSettings(
        demo=True,
        database_url=pg_dsn,
        pool_min_size=1,
        pool_max_size=3,
        login_attempts_per_minute=100_000,
        login_attempts_per_address_per_minute=100_000,
        ingest_batches_per_second=100_000,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@dataclass
class Orgs:
    """Organisation ``a`` (probed) and ``b`` (foreign), with a signed-in header per role of each."""

    dsn: str
    a: World
    b: World
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> A's header
    b_admin: dict[str, str] = field(default_factory=dict)
    b_customer_id: str = ""

    def visible(self, role: str) -> set[str]:
        """Store ids of A a role may see (the demo world scopes store-level roles to store 0)."""
        if role in ("hq_admin", "analyst"):
            return {s.store_id for s in self.a.stores}
        return {self.a.stores[0].store_id}


def import_customer(client: object, headers: dict[str, str], customer_id: str) -> None:
    answer = client.post(  # type: ignore[attr-defined]
        "/api/v1/imports/customers",
        content=f"customer_id,joined_on,email\n{customer_id},2026-01-05,{customer_id.lower()}@example.test\n".encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def orgs(app_client: object, pg_dsn: str) -> Orgs:
    with psycopg.connect(pg_dsn) as conn:
        a = create_demo_world(conn)
        b = create_demo_world(conn)
    found = Orgs(dsn=pg_dsn, a=a, b=b)
    found.headers = {role: login(app_client, a, role) for role in ROLES}
    found.b_admin = login(app_client, b, "hq_admin")
    found.b_customer_id = f"B-CUST-{uuid.uuid4().hex[:8]}"
    import_customer(app_client, found.b_admin, found.b_customer_id)
    return found
