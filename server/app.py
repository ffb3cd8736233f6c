"""``create_app(settings)``: the FastAPI application, built explicitly, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from footfall.server.errors import ServerError
from footfall.server.settings import ServerSettings

from footfall import __version__
from footfall.contracts import API_VERSION


def create_app(settings: ServerSettings, *, dsn: str | None = None) -> FastAPI:
    """Build the app. ``dsn`` overrides ``settings.database_url`` (the embedded database passes it)."""
    from footfall.server.db.pool import open_pool

    database_dsn = dsn or settings.database_url
    if not database_dsn:
        raise ServerError("no database: set DATABASE_URL, or start through 'footfall server run' (embedded)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = open_pool(
            database_dsn,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            timeout_s=settings.pool_timeout_s,
        )
        app.state.pool = pool
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="Footfall API",
        version=__version__,
        description="Ingest from edge devices, retail traffic and KPIs per store.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    _install_error_handlers(app)
    _install_limits(app, settings)

    from footfall.server.api import auth, device_health, devices, health, ingest, stores, users

    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(stores.router)
    app.include_router(devices.router)
    app.include_router(device_health.router)
    app.include_router(ingest.router)
    app.include_router(users.router)
    from footfall.server.api import comparison, customers, imports, kpis

    for kpi_router in (kpis.router, comparison.router, customers.router, imports.router):
        app.include_router(kpi_router)
    app.state.api_prefix = f"/api/{API_VERSION}"
    return app


def _install_limits(app: FastAPI, settings: ServerSettings) -> None:
    """Rate limits (login, ingest) and a request size cap, so one client cannot starve the rest."""
    from footfall.server.auth.ratelimit import RateLimiter

    per_minute = settings.login_attempts_per_minute
    app.state.login_limiter = RateLimiter(
        capacity=per_minute, per_second=per_minute / 60, what="sign-in attempts"
    )
    per_address = settings.login_attempts_per_address_per_minute
    app.state.address_limiter = RateLimiter(
        capacity=per_address, per_second=per_address / 60, what="sign-in attempts from this address"
    )
    per_second = settings.ingest_batches_per_second
    app.state.ingest_limiter = RateLimiter(capacity=per_second * 5, per_second=per_second, what="uploads")

    app.add_middleware(_BodySizeLimit, max_bytes=settings.max_request_bytes)


class _BodySizeLimit:
    """413 for a body above ``max_bytes``: by Content-Length up front, or while a chunked body streams in."""

    def __init__(self, app: object, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        message = f"the request body exceeds {self.max_bytes} bytes; send smaller batches"
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            response = JSONResponse(
                status_code=413, content={"error": "too_large", "message": message, "details": []}
            )
            await response(scope, receive, send)  # type: ignore[arg-type]
            return
        received = 0

        async def limited() -> dict:
            nonlocal received
            event = await receive()  # type: ignore[operator]
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > self.max_bytes:
                    from starlette.exceptions import HTTPException

                    raise HTTPException(status_code=413, detail=message)
            return event

        await self.app(scope, limited, send)  # type: ignore[operator]


def _install_error_handlers(app: FastAPI) -> None:
    import psycopg
    from footfall.server.errors import TooManyRequests

    @app.exception_handler(ServerError)
    async def _server_error(request: Request, error: ServerError) -> JSONResponse:
        return JSONResponse(
            status_code=error.status_code,
            content={"error": error.code, "message": error.message, "details": error.details},
        )

    @app.exception_handler(psycopg.OperationalError)
    async def _database_down(request: Request, error: psycopg.OperationalError) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            content={
                "error": "database_unavailable",
                "message": "the database is unavailable; retry shortly",
                "details": [],
            },
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(psycopg.DataError)
    async def _unstorable_value(request: Request, error: psycopg.DataError) -> JSONResponse:
        # A value PostgreSQL refuses (a NUL character, a number out of range) is the caller's
        # input, not a server fault: 422 without echoing the database's message.
        return JSONResponse(
            status_code=422,
            content={
                "error": "invalid_input",
                "message": "the request holds a value that cannot be stored (e.g. a NUL character)",
                "details": [],
            },
        )

    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, error: OverflowError) -> JSONResponse:
        # Dates near year 1 or 9999 overflow when turned into local periods: the caller's input.
        return JSONResponse(
            status_code=422,
            content={
                "error": "invalid_input",
                "message": "a date or number is outside the supported range",
                "details": [],
            },
        )

    @app.exception_handler(TooManyRequests)
    async def _rate_limited(request: Request, error: TooManyRequests) -> JSONResponse:
        return JSONResponse(
            status_code=429,
            content={"error": error.code, "message": error.message, "details": error.details},
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", ""),
                "type": e.get("type"),
            }
            for e in error.errors()
        ]
        return JSONResponse(
            status_code=422,
            content={"error": "invalid_input", "message": "the request is invalid", "details": details},
        )
