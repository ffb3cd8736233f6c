"""The dashboard behind a production WSGI server (waitress), not Flask's development server.

Flask's own server warns it is not for production: it has no bound on concurrent requests,
no request-size or slow-client protection and no clean shutdown. Waitress is pure Python
(nothing to compile on a store chain's Debian hosts), multi-threaded, and bounds connections.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from footfall.dashboard.errors import DashboardError

if TYPE_CHECKING:
    import dash
    from waitress.server import BaseWSGIServer

#: Requests served at once. Callbacks mostly wait on the API, so threads are cheap; a few
#: dozen people on one dashboard process is the expected load per replica.
DEFAULT_THREADS = 16


def wsgi_server(app: dash.Dash, *, host: str, port: int, threads: int = DEFAULT_THREADS) -> BaseWSGIServer:
    """A bound, not yet running server for ``app`` (``.run()`` serves until interrupted).

    Binding here, before anything is printed, turns a busy port into a one-line error instead
    of a traceback. ``ident=""`` keeps the software out of the ``Server`` header.
    """
    from waitress import create_server

    try:
        return create_server(
            app.server,
            host=host,
            port=port,
            threads=threads,
            ident="",
            # The session cookie and API calls are small; a slow or huge upload is not a user.
            max_request_body_size=1024 * 1024,
            channel_timeout=60,
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise DashboardError(
                f"port {port} on {host} is in use; stop what runs there or pass --port"
            ) from error
        raise DashboardError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
