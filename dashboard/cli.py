"""``footfall dashboard ...``."""

from __future__ import annotations

import argparse

from footfall.dashboard.serving import DEFAULT_THREADS

from footfall.cli import add_command, add_group, lazy


def register(subparsers: argparse._SubParsersAction) -> None:
    dashboard = add_group(subparsers, "dashboard", "the web dashboard (Plotly Dash)")
    run = add_command(
        dashboard,
        "run",
        lazy("footfall.dashboard.commands", "run_dashboard"),
        "serve the dashboard (waitress)",
    )
    run.add_argument("--server-url", default=None, help="the Footfall API (default http://127.0.0.1:8000)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8050)
    run.add_argument(
        "--threads",
        type=_positive,
        default=DEFAULT_THREADS,
        help=f"requests served at once by the WSGI server, waitress (default {DEFAULT_THREADS})",
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)
