"""Every error the server raises on purpose, and how each maps to HTTP.

- :class:`ServerError` — root (a :class:`~footfall.errors.FootfallError`); HTTP 500.
  - :class:`DatabaseUnavailable` — cannot connect or the DSN is wrong; 503.
  - :class:`MigrationError` — a migration failed or the schema is ahead of the code.
  - :class:`NotFound` — 404. Also used for things that exist but the caller may not see,
    so a 404 never reveals another organisation's store.
  - :class:`Forbidden` — 403, the caller is known but lacks the role.
  - :class:`Unauthenticated` — 401.
  - :class:`Conflict` — 409.
  - :class:`InvalidInput` — 422 with field-level ``details``.

psycopg errors are translated in ``footfall.server.db``; they never reach an endpoint.
"""

from __future__ import annotations

from typing import Any

from footfall.errors import FootfallError


class ServerError(FootfallError):
    status_code = 500
    code = "server_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class DatabaseUnavailable(ServerError):
    status_code = 503
    code = "database_unavailable"


class MigrationError(ServerError):
    code = "migration_error"


class NotFound(ServerError):
    status_code = 404
    code = "not_found"


class Forbidden(ServerError):
    status_code = 403
    code = "forbidden"


class Unauthenticated(ServerError):
    status_code = 401
    code = "unauthenticated"


class Conflict(ServerError):
    status_code = 409
    code = "conflict"


class InvalidInput(ServerError):
    status_code = 422
    code = "invalid_input"


class TooManyRequests(ServerError):
    status_code = 429
    code = "rate_limited"
