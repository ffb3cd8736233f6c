"""Errors of the dashboard part.

- :class:`DashboardError` — root (a :class:`~footfall.errors.FootfallError`).
  - :class:`ApiUnavailable` — the server cannot be reached (network, timeout, 5xx).
  - :class:`ApiRejected` — the server answered 4xx; carries status, message and field details.
    - :class:`NotSignedIn` — 401: the session's token is missing, expired or revoked; sign in again.
    - :class:`NotFound` — 404: the thing does not exist *or is outside the user's scope* (the
      server never tells which), so pages show one "not available" message for both.
    - :class:`NotOffered` — the server has no such endpoint (an older server): the page says
      which feature is missing instead of blaming the store.

httpx errors are translated in :mod:`footfall.dashboard.client` and never leak to pages.
"""

from footfall.errors import FootfallError


class DashboardError(FootfallError):
    pass


class ApiUnavailable(DashboardError):
    pass


class ApiRejected(DashboardError):
    def __init__(self, message: str, *, status: int, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.details = details or []


class NotSignedIn(ApiRejected):
    pass


class NotFound(ApiRejected):
    pass


class NotOffered(ApiRejected):
    pass
