"""A small seeded chain for the browser tests, made with the server's own provisioning helpers.

Only tests import server code; the dashboard under test reaches it through HTTP alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeededStore:
    store_id: str
    timezone: str
    camera_id: str
    line_id: str
    device_token: str


@dataclass(frozen=True)
class Seeded:
    users: dict[str, str]  # role -> e-mail
    password: str
    stores: list[SeededStore]  # stores[0] is the store manager's and installer's; stores[1] is not


def seed_chain(dsn: str) -> Seeded:
    """Two stores in two time zones, one device each, and a login for every role (committed)."""
    import psycopg
    from footfall.server.provisioning import create_demo_world

    with psycopg.connect(dsn) as conn:
        world = create_demo_world(conn, timezones=("Europe/Berlin", "America/New_York"))
        conn.commit()
    return Seeded(
        users=dict(world.users),
        password=world.password,
        stores=[
            SeededStore(s.store_id, s.timezone, s.camera_id, s.line_id, s.device_token) for s in world.stores
        ],
    )
