"""``footfall server ...`` and ``footfall db ...``. Registration imports nothing heavy."""

from __future__ import annotations

import argparse

from footfall.cli import add_command, add_group, lazy


def register(subparsers: argparse._SubParsersAction) -> None:
    server = add_group(subparsers, "server", "the ingest and analytics API")
    run = add_command(
        server, "run", lazy("footfall.server.commands", "run_server"), "serve the API (uvicorn)"
    )
    run.add_argument("--host", help="interface to listen on (default 127.0.0.1, FOOTFALL_HOST)")
    run.add_argument("--port", type=int, help="port (default 8000, FOOTFALL_PORT)")
    _add_database_args(run)

    importing = add_command(
        subparsers,
        "import",
        lazy("footfall.server.import_command", "run"),
        "import POS sales, CRM customers or staff hours (CSV/JSON), all or nothing",
    )
    importing.add_argument("kind", choices=("sales", "customers", "staff"), help="what the file holds")
    importing.add_argument("file", help="CSV or JSON file")
    importing.add_argument("--org", required=True, help="organisation name or id")
    importing.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    _add_database_args(importing)

    db = add_group(subparsers, "db", "database schema")
    migrate = add_command(
        db, "migrate", lazy("footfall.server.commands", "db_migrate"), "apply pending migrations"
    )
    _add_database_args(migrate)
    status = add_command(db, "status", lazy("footfall.server.commands", "db_status"), "show schema version")
    _add_database_args(status)

    users = add_group(subparsers, "users", "people who sign in")
    admin = add_command(
        users,
        "create-admin",
        lazy("footfall.server.commands", "users_create_admin"),
        "create an organisation's first hq_admin (password from FOOTFALL_ADMIN_PASSWORD or a prompt)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--org", required=True, help="organisation name; created when it does not exist")
    _add_database_args(admin)
    reset = add_command(
        users,
        "reset-password",
        lazy("footfall.server.commands", "users_reset_password"),
        "set a new password and end the person's sessions (password from FOOTFALL_NEW_PASSWORD or a prompt)",
    )
    reset.add_argument("--email", required=True)
    _add_database_args(reset)


def _add_database_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="PostgreSQL DSN (default: DATABASE_URL, else embedded)")
    parser.add_argument(
        "--data-dir", help="embedded PostgreSQL data folder (default .footfall, FOOTFALL_DATA_DIR)"
    )
