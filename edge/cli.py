"""``footfall edge ...`` sub-commands. Registration imports nothing heavy."""

from __future__ import annotations

import argparse

from footfall.cli import add_command, add_group


def register(subparsers: argparse._SubParsersAction) -> None:
    edge = add_group(subparsers, "edge", "the in-store agent: count people at the entrance, upload counts")

    models = add_command(edge, "models", _models, "list known detector models and where each resolves")
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _models(args: argparse.Namespace) -> int:
    import json

    from footfall.edge.errors import ModelNotFound
    from footfall.edge.models import resolve_model
    from footfall.models import load_manifest

    rows = []
    for name, entry in load_manifest().items():
        try:
            resolved = resolve_model(name, allow_download=False)
            where = resolved.location
        except ModelNotFound:
            where = f"not local (Ultralytics name: {entry.get('ultralytics_name')})"
        rows.append(
            {"name": name, "task": entry["task"], "default": bool(entry.get("default")), "location": where}
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            star = "*" if row["default"] else " "
            print(f"{star} {row['name']:<20} {row['task']:<7} {row['location']}")
    return 0
