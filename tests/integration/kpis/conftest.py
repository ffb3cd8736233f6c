"""A seeded chain for the KPI tests: a fresh organisation per test, London (GBP) and New York (USD).

Traffic and coverage are written straight into the 15-minute rollups the ingest maintains,
so every expected figure below can be counted by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from footfall.server.provisioning import World, create_demo_world

OPEN_HOURS = {d: [["09:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(scope="module")
def app_client(pg_dsn: str) -> Iterator[object]:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    settings = ServerSettings(
        demo=True, database_url=pg_dsn, pool_min_size=1, pool_max_size=3, login_attempts_per_minute=1000
    )
    with TestClient(create_app(settings)) as client:
        yield client


@dataclass
class Chain:
    world: World
    dsn: str

    @property
    def london(self) -> str:
        return self.world.stores[0].store_id

    @property
    def new_york(self) -> str:
        return self.world.stores[1].store_id

    def traffic(self, store_index: int, start: datetime, quarters: int, per_quarter: int, *, covered: bool = True,
                out_per_quarter: int = 0) -> None:  # fmt: skip
        """``quarters`` consecutive UTC quarter hours from ``start`` with ``per_quarter`` adults in."""
        store = self.world.stores[store_index]
        with psycopg.connect(self.dsn) as conn:
            for k in range(quarters):
                t = start + timedelta(minutes=15 * k)
                conn.execute(
                    "INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id,"
                    " in_count, out_count) VALUES (%s, %s, 'door', 'adult', %s, %s, %s, %s)"
                    " ON CONFLICT (store_id, bucket_start, camera_id, line_id, person_class)"
                    " DO UPDATE SET in_count = excluded.in_count, out_count = excluded.out_count",
                    (store.store_id, store.camera_id, t, store.entrance_id, per_quarter, out_per_quarter),
                )
                if covered:
                    self.coverage(store_index, t, 1, 900.0, conn=conn)

    def coverage(self, store_index: int, start: datetime, quarters: int, seconds: float, conn=None) -> None:
        store = self.world.stores[store_index]
        own = conn is None
        conn = conn or psycopg.connect(self.dsn)
        try:
            for k in range(quarters):
                conn.execute(
                    "INSERT INTO coverage_15min (store_id, camera_id, bucket_start, covered_s) VALUES (%s, %s, %s, %s)"
                    " ON CONFLICT (store_id, bucket_start, camera_id) DO UPDATE SET covered_s = excluded.covered_s",
                    (store.store_id, store.camera_id, start + timedelta(minutes=15 * k), seconds),
                )
            if own:
                conn.commit()
        finally:
            if own:
                conn.close()

    def count(self, table: str) -> int:
        with psycopg.connect(self.dsn) as conn:
            store_ids = [s.store_id for s in self.world.stores]
            if table in ("customers", "customer_aliases", "imports"):
                sql = f"SELECT count(*) FROM {table} WHERE org_id = %s"
                return conn.execute(sql, (self.world.org_id,)).fetchone()[0]
            sql = f"SELECT count(*) FROM {table} WHERE store_id = ANY(%s)"
            return conn.execute(sql, (store_ids,)).fetchone()[0]


@pytest.fixture
def chain(pg_dsn: str) -> Chain:
    with psycopg.connect(pg_dsn) as conn:
        world = create_demo_world(conn, timezones=("Europe/London", "America/New_York"))
        for store, currency, locale in zip(world.stores, ("GBP", "USD"), ("en_GB", "en_US"), strict=True):
            conn.execute(
                "UPDATE stores SET currency = %s, locale = %s, opening_hours = %s WHERE store_id = %s",
                (currency, locale, json.dumps(OPEN_HOURS), store.store_id),
            )
    return Chain(world, pg_dsn)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
