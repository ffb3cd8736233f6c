"""The demo seed against a real PostgreSQL: rows, rollups and logins agree, and it runs once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from footfall.server.seed import DEMO_PASSWORD, seed_chain

from tests.integration.demo_chains import three_store_chain


@pytest.fixture
def small_chain():
    return three_store_chain("Seed test chain")


def _one(db, sql: str, params: dict) -> tuple:
    row = db.execute(sql, params).fetchone()
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def test_seed_loads_consistent_history_once(db, small_chain) -> None:
    now = datetime(2026, 11, 24, 15, 7, tzinfo=UTC)
    report = seed_chain(db, now=now, chain=small_chain, days=3)
    assert report.created and set(report.stores) == {"LON-01", "LON-02", "NYC-03"}
    assert report.raw_crossings == report.crossings > 0  # 3 days < the raw window
    ids = {"ids": list(report.stores.values())}

    (raw,) = _one(db, "SELECT count(*) FROM crossing_events WHERE store_id = ANY(%(ids)s)", ids)
    (rolled,) = _one(
        db, "SELECT sum(in_count + out_count) FROM traffic_15min WHERE store_id = ANY(%(ids)s)", ids
    )
    assert raw == rolled == report.crossings
    (late,) = _one(
        db,
        "SELECT count(*) FROM crossing_events WHERE store_id = ANY(%(ids)s) AND event_time >= %(now)s",
        {**ids, "now": now},
    )
    assert late == 0, "nothing is seeded after the moment of seeding"

    (minutes,) = _one(db, "SELECT count(*) FROM coverage_minutes WHERE store_id = ANY(%(ids)s)", ids)
    (covered,) = _one(db, "SELECT sum(covered_s) FROM coverage_15min WHERE store_id = ANY(%(ids)s)", ids)
    assert minutes > 0 and covered == pytest.approx(60.0 * minutes, rel=0.02)

    sales = _one(
        db,
        "SELECT count(*) AS n, sum(amount) AS amount FROM sales_transactions WHERE store_id = ANY(%(ids)s)",
        ids,
    )
    hourly = _one(
        db,
        "SELECT sum(transactions) AS n, sum(net_sales) AS amount FROM sales_hourly WHERE store_id = ANY(%(ids)s)",
        ids,
    )
    assert sales == hourly and sales[0] == report.transactions

    (customers,) = _one(db, "SELECT count(*) FROM customers WHERE org_id = %(org)s", {"org": report.org_id})
    assert customers == 200

    again = seed_chain(db, now=now, chain=small_chain, days=3)
    assert not again.created and again.stores == report.stores


def test_every_demo_login_exists_with_its_scope(db, small_chain) -> None:
    from footfall.server.auth.secrets import verify_password

    report = seed_chain(db, now=datetime(2026, 11, 24, 15, tzinfo=UTC), chain=small_chain, days=1)
    for user in small_chain.users:
        row = db.execute(
            "SELECT user_id, role, password_hash FROM users WHERE email = %(email)s AND org_id = %(org)s",
            {"email": user.email, "org": report.org_id},
        ).fetchone()
        user_id, role, password_hash = tuple(row.values()) if isinstance(row, dict) else row
        assert role == user.role
        assert verify_password(password_hash, DEMO_PASSWORD)
        stores = db.execute(
            "SELECT store_id FROM user_stores WHERE user_id = %(u)s", {"u": user_id}
        ).fetchall()
        assert len(stores) == len(user.store_codes)
        regions = db.execute(
            "SELECT region_id FROM user_regions WHERE user_id = %(u)s", {"u": user_id}
        ).fetchall()
        assert len(regions) == (1 if user.region_code else 0)
