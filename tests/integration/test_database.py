"""The real PostgreSQL fixture, migrations and the health endpoint."""

from __future__ import annotations

import psycopg
import pytest
from footfall.server.db.migrate import Migration, _check_applied, available_migrations, migrate, pending
from footfall.server.errors import MigrationError


def test_fixture_is_a_real_postgresql(db: psycopg.Connection) -> None:
    version = db.execute("SHOW server_version_num").fetchone()["server_version_num"]
    assert int(version) >= 150000


def test_test_transactions_are_rolled_back(db: psycopg.Connection, pg_dsn: str) -> None:
    db.execute("INSERT INTO organisations (name) VALUES ('rollback-probe')")
    with psycopg.connect(pg_dsn) as other:
        assert (
            other.execute("SELECT count(*) FROM organisations WHERE name = 'rollback-probe'").fetchone()[0]
            == 0
        )


def test_migrations_are_current_and_rerun_is_a_no_op(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert pending(conn) == []
        assert migrate(conn) == []
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [m.version for m in available_migrations()]


def test_an_edited_migration_is_detected() -> None:
    first = available_migrations()[0]
    with pytest.raises(MigrationError, match="changed after it was applied"):
        _check_applied({first.version: "0" * 64}, available_migrations())


def test_a_migration_from_the_future_is_detected() -> None:
    with pytest.raises(MigrationError, match="does not know"):
        _check_applied({9999: "x"}, [Migration(1, "a", "SELECT 1")])


def test_health_reports_database_and_schema(pg_dsn: str) -> None:
    from fastapi.testclient import TestClient
    from footfall.server.app import create_app
    from footfall.server.settings import ServerSettings

    app = create_app(ServerSettings(demo=True, database_url=pg_dsn))
    with TestClient(app) as client:
        body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["migrations"]["status"] == "ok"
    assert body["timescaledb"]["available"] in (True, False)


def test_bad_dsn_fails_at_startup_with_one_line() -> None:
    from footfall.server.db.pool import open_pool
    from footfall.server.errors import DatabaseUnavailable

    with pytest.raises(DatabaseUnavailable) as error:
        open_pool("postgresql://nobody@127.0.0.1:1/none", timeout_s=2)
    assert "\n" not in str(error.value) and "DATABASE_URL" in str(error.value)
