"""``footfall edge ...`` sub-commands. Registration imports nothing heavy."""

from __future__ import annotations

import argparse

from footfall.cli import add_command, add_group, lazy


def register(subparsers: argparse._SubParsersAction) -> None:
    edge = add_group(subparsers, "edge", "the in-store agent: count people at the entrance, upload counts")

    models = add_command(edge, "models", _models, "list known detector models and where each resolves")
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")

    from footfall.edge.count_cli import register_count_commands

    register_count_commands(edge)

    from footfall.edge.calibrate_command import add_calibrate_arguments

    calibrate = add_command(
        edge,
        "calibrate",
        lazy("footfall.edge.calibrate_command", "calibrate"),
        "tell the agent how the floor maps to the image (for child/adult height and groups)",
    )
    add_calibrate_arguments(calibrate)

    simulate = add_command(
        edge,
        "simulate",
        lazy("footfall.edge.simulator", "simulate_command"),
        "simulated agents: plausible live counts for stores without a camera (demo, load tests)",
    )
    simulate.add_argument("--config", required=True, help="simulator YAML (footfall demo writes one)")
    simulate.add_argument("--speed", type=float, help="traffic multiplier over the model's real rate")

    run = add_command(
        edge,
        "run",
        lazy("footfall.edge.agent_command", "run_agent"),
        "run the store's agent (all cameras, upload)",
    )
    run.add_argument("--config", required=True, help="agent YAML (see deploy/edge/agent.example.yaml)")
    enroll = add_command(
        edge,
        "enroll",
        lazy("footfall.edge.agent_command", "enroll"),
        "exchange an installer's code for a device token",
    )
    enroll.add_argument("--server", required=True, help="server base URL, e.g. https://footfall.example.com")
    enroll.add_argument("--code", required=True, help="the one-time enrolment code from the installer")
    enroll.add_argument(
        "--token-file",
        default="/var/lib/footfall-edge/device-token.json",
        help="where to store the token (mode 0600)",
    )
    enroll.add_argument("--hostname", help="name shown to installers (default: this machine's hostname)")
    enroll.add_argument("--insecure", action="store_true", help="do not verify TLS (lab networks only)")
    outbox = add_command(
        edge, "outbox", lazy("footfall.edge.agent_command", "outbox_status"), "show counts waiting or refused"
    )
    outbox.add_argument("--config", required=True, help="agent YAML")
    outbox.add_argument("--limit", type=int, default=20, help="how many rejected rows to list")
    outbox.add_argument(
        "--requeue-rejected", action="store_true", help="send refused rows again (after a fix)"
    )


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
