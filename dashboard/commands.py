"""Handlers behind ``footfall dashboard``."""

from __future__ import annotations

import argparse
import os
import sys


def run_dashboard(args: argparse.Namespace) -> int:
    from footfall.dashboard.app import create_dashboard
    from footfall.dashboard.serving import wsgi_server

    server_url = args.server_url or os.environ.get("FOOTFALL_SERVER_URL", "http://127.0.0.1:8000")
    app = create_dashboard(server_url)
    server = wsgi_server(app, host=args.host, port=args.port, threads=args.threads)
    print(f"footfall: dashboard on http://{args.host}:{args.port} (API {server_url})", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
