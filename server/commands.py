"""Handlers behind ``footfall server`` and ``footfall db``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from footfall.server.settings import ServerSettings
from pydantic import ValidationError

from footfall.errors import ConfigError


def load_settings(**overrides: object) -> ServerSettings:
    """Read settings from the environment, with CLI flags on top; one line on error."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return ServerSettings(**clean)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid server setting {field}: {first['msg']}") from error


@contextmanager
def database(settings: ServerSettings) -> Iterator[str]:
    """Yield a DSN: ``DATABASE_URL`` if set, else a started embedded PostgreSQL (stopped on exit)."""
    if settings.database_url:
        yield settings.database_url
        return
    from footfall.server.db.embedded import start_embedded

    embedded = start_embedded(settings.data_dir)
    print(f"footfall: embedded PostgreSQL, data in {embedded.pgdata}", file=sys.stderr)
    try:
        yield embedded.dsn
    finally:
        embedded.stop()


def _settings_from(args: argparse.Namespace, **extra: object) -> ServerSettings:
    data_dir = Path(args.data_dir) if getattr(args, "data_dir", None) else None
    return load_settings(database_url=args.database_url, data_dir=data_dir, **extra)


def run_migrations(dsn: str) -> list[str]:
    from footfall.server.db.migrate import migrate
    from footfall.server.db.pool import check_dsn

    check_dsn(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        return [f"{m.version:04d}_{m.name}" for m in migrate(conn)]


def db_migrate(args: argparse.Namespace) -> int:
    settings = _settings_from(args, demo=True)  # migrating needs no secret
    with database(settings) as dsn:
        applied = run_migrations(dsn)
    print(
        f"applied {len(applied)} migration(s)"
        + (": " + ", ".join(applied) if applied else "; schema is current")
    )
    return 0


def db_status(args: argparse.Namespace) -> int:
    from footfall.server.db.migrate import available_migrations, pending
    from footfall.server.db.pool import check_dsn

    settings = _settings_from(args, demo=True)
    with database(settings) as dsn:
        check_dsn(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            waiting = pending(conn)
    latest = len(available_migrations())
    print(f"schema at {latest - len(waiting)} of {latest}; {len(waiting)} pending")
    return 0 if not waiting else 3


def ensure_schema_current(dsn: str) -> None:
    from footfall.server.db.migrate import pending
    from footfall.server.errors import MigrationError

    with psycopg.connect(dsn, autocommit=True) as conn:
        waiting = pending(conn)
    if waiting:
        raise MigrationError(f"{len(waiting)} migration(s) pending; run 'footfall db migrate' first")


def run_server(args: argparse.Namespace) -> int:
    import uvicorn
    from footfall.server.app import create_app
    from footfall.server.db.pool import check_dsn

    settings = _settings_from(args, host=args.host, port=args.port)
    with database(settings) as dsn:
        check_dsn(dsn)
        ensure_schema_current(dsn)
        app = create_app(settings, dsn=dsn)
        print(f"footfall: server on http://{settings.host}:{settings.port}", file=sys.stderr)
        # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1;
        # FOOTFALL_TRUSTED_PROXIES alone decides whom to believe (footfall.server.client_address).
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )
    return 0


def _password_from(env_name: str) -> str:
    """Passwords come from the environment or an interactive prompt, never from argv (shell history)."""
    import getpass
    import os

    from footfall.errors import ConfigError

    password = os.environ.get(env_name)
    if password is None:
        if not sys.stdin.isatty():
            raise ConfigError(f"set {env_name} or run interactively to type the password")
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("the passwords differ; try again")
    return password


def users_create_admin(args: argparse.Namespace) -> int:
    from footfall.server import provisioning
    from footfall.server.errors import ServerError

    from footfall.errors import ConfigError

    password = _password_from("FOOTFALL_ADMIN_PASSWORD")
    settings = _settings_from(args, demo=True)  # needs the database only, no secret
    with database(settings) as dsn:
        ensure_schema_current(dsn)
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT org_id FROM organisations WHERE name = %s", (args.org,)).fetchone()
            org_id = str(row[0]) if row else provisioning.create_org(conn, args.org)
            try:
                user_id = provisioning.create_user(
                    conn, org_id, email=args.email, name=args.name, role="hq_admin", password=password
                )
            except ServerError as error:
                raise ConfigError(error.message) from error
            provisioning.audit(
                conn,
                org_id=org_id,
                actor_kind="system",
                actor_id="cli",
                action="user.created",
                target=f"user:{user_id}",
                details={"role": "hq_admin", "email": args.email.lower()},
            )
    print(f"created hq_admin {args.email.lower()} in organisation {args.org!r} (org_id {org_id})")
    return 0


def users_reset_password(args: argparse.Namespace) -> int:
    from footfall.server import provisioning
    from footfall.server.errors import ServerError

    from footfall.errors import ConfigError

    password = _password_from("FOOTFALL_NEW_PASSWORD")
    settings = _settings_from(args, demo=True)
    with database(settings) as dsn:
        ensure_schema_current(dsn)
        with psycopg.connect(dsn) as conn:
            try:
                user_id, org_id = provisioning.reset_password(conn, args.email, password)
            except ServerError as error:
                raise ConfigError(error.message) from error
            provisioning.audit(
                conn,
                org_id=org_id,
                actor_kind="system",
                actor_id="cli",
                action="user.password_reset",
                target=f"user:{user_id}",
            )
    print(f"password of {args.email.lower()} reset; their sessions are ended")
    return 0
