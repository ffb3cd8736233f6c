"""The demo seed's sales as the branch comparison reads them: the day and month totals.

The comparison reads sales per store-local day (and whole months) rather than transactions;
the seed once marked the days without their totals, so `make demo` showed every store with
no sales and 0 % conversion. Here the seed is committed (the API runs on its own pool) under a
unique organisation, read through ``/api/v1/comparison`` and deleted again.

Not in the server suite that tests/integration/timescale runs again: the seed loads by COPY
FROM STDIN, which the TimescaleDB WASM harness (PGlite) cannot take (a real TimescaleDB can).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
from footfall.server.seed import DEMO_PASSWORD, demo_chain, seed_chain

API = "/api/v1"
#: Three days of history (small enough for the TimescaleDB WASM harness too); the two whole
#: local days compared lie on both sides of a month's end, in London and New York.
SEEDED_AT = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
FIRST, LAST = date(2026, 10, 31), date(2026, 11, 1)


@pytest.fixture(scope="module")
def app_client(pg_dsn: str) -> Iterator[object]:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    settings = ServerSettings(demo=True, database_url=pg_dsn, pool_min_size=1, pool_max_size=2)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def demo_org_seeded(pg_dsn: str):
    tag = uuid.uuid4().hex[:8]
    chain = demo_chain()
    stores = tuple(s for s in chain.stores if s.code in {"LON-01", "NYC-03"})
    hq = next(u for u in chain.users if u.role == "hq_admin")
    chain = replace(
        chain,
        org_name=f"Seed sales {tag}",
        stores=stores,
        users=(replace(hq, email=f"hq-{tag}@seed-sales.example"),),
        customers=50,
    )
    with psycopg.connect(pg_dsn) as conn:
        report = seed_chain(conn, now=SEEDED_AT, chain=chain, days=3)
    try:
        yield report, chain.users[0].email
    finally:
        with psycopg.connect(pg_dsn) as conn:
            conn.execute("DELETE FROM organisations WHERE org_id = %s", (report.org_id,))


def _sales_by_hand(pg_dsn: str, store_id: str, zone: str) -> tuple[int, Decimal]:
    """Sales (refunds aside) and net sales of the store's local days FIRST..LAST, from its transactions."""
    tz = ZoneInfo(zone)
    start = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=tz)
    end = datetime(LAST.year, LAST.month, LAST.day, tzinfo=tz) + timedelta(days=1)
    with psycopg.connect(pg_dsn) as conn:
        n, amount = conn.execute(
            "SELECT count(*) FILTER (WHERE amount >= 0), sum(amount) FROM sales_transactions"
            " WHERE store_id = %s AND occurred_at >= %s AND occurred_at < %s",
            (store_id, start, end),
        ).fetchone()
    return n, amount


def _compare(app_client, headers: dict, kpi: str) -> dict[str, dict]:
    answer = app_client.get(
        f"{API}/comparison",
        params={"start": FIRST.isoformat(), "end": LAST.isoformat(), "kpi": kpi},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return {row["code"]: row for row in answer.json()["stores"]}


def test_the_comparison_of_seeded_stores_counts_their_transactions(
    app_client, pg_dsn: str, demo_org_seeded
) -> None:
    report, email = demo_org_seeded
    answer = app_client.post(f"{API}/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    transactions = _compare(app_client, headers, "transactions")
    net_sales = _compare(app_client, headers, "net_sales")
    visitors = _compare(app_client, headers, "visitors")
    conversion = _compare(app_client, headers, "conversion")
    assert set(transactions) == {"LON-01", "NYC-03"}

    for code, zone in (("LON-01", "Europe/London"), ("NYC-03", "America/New_York")):
        n, amount = _sales_by_hand(pg_dsn, report.stores[code], zone)
        assert n > 100, "two days of a demo store's sales"
        assert transactions[code]["value"] == n
        assert net_sales[code]["value"] == pytest.approx(float(amount), abs=0.01)
        assert visitors[code]["value"] > n
        assert conversion[code]["value"] == pytest.approx(n / visitors[code]["value"], abs=1e-4)
        assert "sales" not in " ".join(conversion[code]["missing"]), conversion[code]["missing"]
        # the month rows the comparison reads for whole months hold the same sales as the days
        assert _months(pg_dsn, report.stores[code]) == _months_by_hand(pg_dsn, report.stores[code], zone)


def _months(pg_dsn: str, store_id: str) -> list[tuple]:
    with psycopg.connect(pg_dsn) as conn:
        return conn.execute(
            "SELECT month, days_imported, transactions, net_sales FROM sales_store_months"
            " WHERE store_id = %s ORDER BY month",
            (store_id,),
        ).fetchall()


def _months_by_hand(pg_dsn: str, store_id: str, zone: str) -> list[tuple]:
    with psycopg.connect(pg_dsn) as conn:
        return conn.execute(
            "SELECT date_trunc('month', local_day)::date, count(DISTINCT local_day)::int,"
            " count(*) FILTER (WHERE amount >= 0), sum(amount)"
            " FROM (SELECT (occurred_at AT TIME ZONE %s)::date AS local_day, amount FROM sales_transactions"
            "       WHERE store_id = %s) t GROUP BY 1 ORDER BY 1",
            (zone, store_id),
        ).fetchall()
