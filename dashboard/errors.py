"""Errors of the dashboard part.

- :class:`DashboardError` — root (a :class:`~footfall.errors.FootfallError`).
  - :class:`ApiUnavailable` — the server cannot be reached.
  - :class:`ApiRejected` — the server answered 4xx; carries status and message.
"""

from footfall.errors import FootfallError


class DashboardError(FootfallError):
    pass


class ApiUnavailable(DashboardError):
    pass


class ApiRejected(DashboardError):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
