"""The root of every exception Footfall raises on purpose.

Each part has its own tree under :class:`FootfallError` (``EdgeError`` in
``footfall.edge.errors``, ``ServerError`` in ``footfall.server.errors``,
``DashboardError`` in ``footfall.dashboard.errors``). Library errors (psycopg, httpx,
OpenCV, Ultralytics) are translated into these at the boundary of the part that calls
the library, so a caller never has to know which library sits underneath.

The CLI prints ``str(error)`` of a :class:`FootfallError` as one line and exits 1, so
messages must say what is wrong *and* how to fix it.
"""


class FootfallError(Exception):
    """Something the user or operator can act on; its message is one line."""


class ConfigError(FootfallError):
    """A configuration file or setting is invalid."""
