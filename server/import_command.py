"""``footfall import sales|customers|staff FILE --org ORG``: the same all-or-nothing import as the API.

Runs as the operator (database access), for every store of one organisation. Prints the
per-row report; a rejected file exits 1 with one summary line and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from footfall.errors import FootfallError


class ImportFailed(FootfallError):
    """The file was rejected; the rows and reasons were printed above the summary."""


def run(args: argparse.Namespace) -> int:
    import psycopg
    from footfall.server.commands import _settings_from, database
    from footfall.server.db.pool import check_dsn
    from footfall.server.imports.apply import Importer, run_import
    from footfall.server.imports.report import ImportRejected
    from psycopg.rows import dict_row

    path = Path(args.file)
    if not path.is_file():
        raise FootfallError(f"no file {path}; give the path of a CSV or JSON export")
    content = path.read_bytes()
    settings = _settings_from(args, demo=True)
    with database(settings) as dsn:
        check_dsn(dsn)
        with psycopg.connect(dsn, row_factory=dict_row) as conn:
            org = conn.execute(
                "SELECT org_id FROM organisations WHERE org_id::text = %(org)s OR name = %(org)s",
                {"org": args.org},
            ).fetchone()
            if org is None:
                raise FootfallError(f"no organisation {args.org!r}; give its name or id")
            org_id = str(org["org_id"])
            store_ids = [
                r["store_id"]
                for r in conn.execute(
                    "SELECT store_id FROM stores WHERE org_id = %(org_id)s", {"org_id": org_id}
                )
            ]
            try:
                report = run_import(
                    conn,
                    args.kind,
                    content,
                    Importer(org_id, store_ids),
                    filename=path.name,
                    dry_run=args.dry_run,
                )
            except ImportRejected as error:
                for issue in error.report.issues:
                    where = f"row {issue.row}" + (f" {issue.field}" if issue.field else "")
                    print(f"{issue.severity}: {where}: {issue.reason}", file=sys.stderr)
                raise ImportFailed(error.report.summary()) from None
    for issue in report.issues:
        print(f"{issue.severity}: row {issue.row}: {issue.reason}", file=sys.stderr)
    print(report.summary())
    return 0
