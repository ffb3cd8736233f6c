"""The psycopg connection pool, opened and waited on so a bad DSN fails at start-up."""

from __future__ import annotations

import psycopg
from footfall.server.errors import DatabaseUnavailable
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout


def check_dsn(dsn: str, *, timeout_s: float = 5.0) -> None:
    """Connect once so the operator sees the real reason (bad password, no such host) in one line."""
    try:
        with psycopg.connect(dsn, connect_timeout=max(1, int(timeout_s))):
            pass
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnavailable(
            f"cannot connect to the database ({reason}); check DATABASE_URL or unset it for the embedded database"
        ) from error


def open_pool(dsn: str, *, min_size: int = 2, max_size: int = 10, timeout_s: float = 10.0) -> ConnectionPool:
    check_dsn(dsn, timeout_s=timeout_s)
    pool = ConnectionPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        timeout=timeout_s,
        kwargs={"row_factory": dict_row},
        open=False,
        name="footfall",
    )
    try:
        pool.open(wait=True, timeout=timeout_s)
    except PoolTimeout as error:
        pool.close()
        raise DatabaseUnavailable(
            f"the database did not accept {min_size} connections within {timeout_s:.0f} s; check DATABASE_URL"
        ) from error
    return pool
