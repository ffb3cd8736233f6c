"""Versioned, forward-only migrations: ``migrations/NNNN_name.sql``, each in its own transaction.

``footfall db migrate`` applies what is missing; the server refuses to start on a schema
that is behind (or ahead of) the code. Applied files are checksummed, so editing a
migration that already ran is caught instead of silently diverging.

After the plain-SQL migrations, :func:`footfall.server.db.timescale.apply` adds the
TimescaleDB-only objects when the extension is available.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import psycopg
from footfall.server.errors import MigrationError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
#: Serialises concurrent ``migrate`` runs (e.g. two server replicas starting at once).
_LOCK_KEY = 0x466F6F74  # "Foot"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    folder = resources.files("footfall.server.db.migrations")
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migration files must be numbered 0001, 0002, … without gaps; found {versions}")
    return found


def applied_versions(conn: psycopg.Connection) -> dict[int, str]:
    exists = conn.execute("SELECT to_regclass('public.schema_migrations') IS NOT NULL AS e").fetchone()
    if not _first(exists):
        return {}
    rows = conn.execute("SELECT version, checksum FROM schema_migrations ORDER BY version").fetchall()
    return {_get(r, "version", 0): _get(r, "checksum", 1) for r in rows}


def migrate(conn: psycopg.Connection) -> list[Migration]:
    """Apply pending migrations; return the ones applied. ``conn`` must be in autocommit mode."""
    from footfall.server.db import timescale

    if not conn.autocommit:
        raise MigrationError(
            "migrate() needs an autocommit connection (each migration opens its own transaction)"
        )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())"
    )
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        done = applied_versions(conn)
        migrations = available_migrations()
        _check_applied(done, migrations)
        applied = []
        for migration in migrations:
            if migration.version in done:
                continue
            try:
                with conn.transaction():
                    conn.execute(migration.sql.encode())
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (migration.version, migration.name, migration.checksum),
                    )
            except psycopg.Error as error:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed: {str(error).strip().splitlines()[0]}"
                ) from error
            applied.append(migration)
        timescale.apply(conn)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def pending(conn: psycopg.Connection) -> list[Migration]:
    done = applied_versions(conn)
    migrations = available_migrations()
    _check_applied(done, migrations)
    return [m for m in migrations if m.version not in done]


def _check_applied(done: dict[int, str], migrations: list[Migration]) -> None:
    known = {m.version: m for m in migrations}
    for version, checksum in done.items():
        if version not in known:
            raise MigrationError(
                f"the database has migration {version:04d}, which this code does not know; upgrade footfall"
            )
        if known[version].checksum != checksum:
            raise MigrationError(
                f"migration {version:04d}_{known[version].name} changed after it was applied; "
                "add a new migration instead of editing an applied one"
            )


def _first(row: object) -> object:
    return _get(row, None, 0)


def _get(row: object, key: str | None, index: int) -> object:
    if isinstance(row, dict):
        return row[key] if key else next(iter(row.values()))
    return row[index]  # type: ignore[index]
