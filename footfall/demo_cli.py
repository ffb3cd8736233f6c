"""``footfall demo``: everything on one machine with an embedded database."""

from __future__ import annotations

import argparse

from footfall.cli import add_command, lazy


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = add_command(
        subparsers,
        "demo",
        lazy("footfall.demo", "run_demo"),
        "run the whole product locally: embedded PostgreSQL, server, dashboard",
    )
    demo.add_argument("--data-dir", default=".footfall/demo", help="where the demo keeps its database")
    demo.add_argument("--server-port", type=int, default=8000)
    demo.add_argument("--dashboard-port", type=int, default=8050)
    demo.add_argument("--reset", action="store_true", help="delete the demo's data first and start over")
    demo.add_argument(
        "--agent-speed",
        type=float,
        default=1.0,
        help="simulated traffic multiplier (1 = the model's real rate; tests use more to see counts move)",
    )
    demo.add_argument(
        "--no-agents",
        action="store_true",
        help="serve the seeded chain without live (simulated or real) agents",
    )
