"""The TimescaleDB path, checked where no TimescaleDB server can be installed.

``tests/timescale_harness`` runs TimescaleDB's WASM build (PGlite) behind a PostgreSQL socket;
``make test`` installs it with npm when npm is present (``.ci/run`` installs node and npm).
Every fixture here overrides ``pg_dsn``, so the server test modules imported into this folder
run unchanged against TimescaleDB, next to the same modules on plain PostgreSQL.

PGlite is one PostgreSQL session shared by all client connections (the harness keeps each
transaction's statements together, and nothing here auto-prepares statements, whose names
would collide), so a test that needs two transactions in flight at once is left out.

Set ``FOOTFALL_TEST_TIMESCALE_URL`` to use a real TimescaleDB server instead; when
``FOOTFALL_TEST_DATABASE_URL`` (the whole suite's database) has TimescaleDB, it is used
here too. ``.ci/run`` sets ``FOOTFALL_REQUIRE_TIMESCALE_TESTS=1`` so that a missing harness
fails the run instead of skipping these tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

# The server suite's fixtures, resolved here against the TimescaleDB ``pg_dsn`` below.
from tests.integration.kpis.conftest import chain  # noqa: F401
from tests.integration.server.conftest import app_client, world  # noqa: F401

HARNESS = Path(__file__).resolve().parents[2] / "timescale_harness"


def _database_with_timescale(dsn: str | None) -> str | None:
    """The whole suite's external database, when it is a TimescaleDB one."""
    if not dsn:
        return None
    import psycopg
    from footfall.server.db import timescale

    with psycopg.connect(dsn, autocommit=True) as conn:
        return dsn if timescale.extension_available(conn) else None


class _NeverPrepare:
    def __get__(self, instance: object, owner: type | None = None) -> None:
        return None

    def __set__(self, instance: object, value: object) -> None:
        pass


def _start_harness() -> tuple[subprocess.Popen[str], str]:
    node = shutil.which("node")
    if node is None or not (HARNESS / "node_modules" / "@unni-craftsman" / "pglite").is_dir():
        missing = (
            "TimescaleDB harness not installed: install node and npm, then run "
            "`npm ci --prefix tests/timescale_harness` (make test does this when npm is present)"
        )
        if os.environ.get("FOOTFALL_REQUIRE_TIMESCALE_TESTS") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    process = subprocess.Popen(
        [node, str(HARNESS / "server.mjs"), "0"],
        cwd=HARNESS,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first.startswith("listening "):
        process.kill()
        pytest.fail(f"TimescaleDB harness did not start: {first or process.stdout.read()[-500:]}")
    port = int(first.split()[1])
    return process, f"postgresql://postgres:harness@127.0.0.1:{port}/postgres?sslmode=disable"


@pytest.fixture(scope="package")
def timescale_dsn() -> Iterator[str]:
    """A migrated database WITH TimescaleDB, for the tests of this folder."""
    from footfall.server.commands import run_migrations
    from psycopg._preparing import PrepareManager

    # psycopg names its automatically prepared statements _pg3_0, _pg3_1… per connection;
    # connections sharing PGlite's single session would collide, so none prepare here
    # (a descriptor, because every connect() sets the threshold on its connection).
    default_threshold = PrepareManager.__dict__["prepare_threshold"]
    PrepareManager.prepare_threshold = _NeverPrepare()

    external = os.environ.get("FOOTFALL_TEST_TIMESCALE_URL") or _database_with_timescale(
        os.environ.get("FOOTFALL_TEST_DATABASE_URL")
    )
    if external:
        PrepareManager.prepare_threshold = default_threshold
        run_migrations(external)
        yield external
        return
    process, dsn = _start_harness()
    try:
        run_migrations(dsn)
        yield dsn
    finally:
        PrepareManager.prepare_threshold = default_threshold
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="package")
def pg_dsn(timescale_dsn: str) -> str:
    """Tests in this folder see the TimescaleDB database as *the* database."""
    return timescale_dsn
