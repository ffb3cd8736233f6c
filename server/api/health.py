"""``GET /health``: is the database reachable, is the schema current, is TimescaleDB in use."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from footfall import __version__

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness and readiness of the server and its database")
def health(request: Request) -> JSONResponse:
    import psycopg
    from footfall.server.db import migrate, timescale

    report: dict = {"status": "ok", "version": __version__}
    try:
        with request.app.state.pool.connection() as conn:
            conn.execute("SELECT 1")
            pending = migrate.pending(conn)
            latest = max((m.version for m in migrate.available_migrations()), default=0)
            report["database"] = {"status": "ok"}
            report["migrations"] = {
                "current": latest - len(pending),
                "latest": latest,
                "status": "ok" if not pending else "pending",
            }
            report["timescaledb"] = {
                "available": timescale.extension_available(conn),
                "installed": timescale.extension_installed(conn),
                "hypertables": timescale.hypertables(conn),
                "continuous_aggregates": timescale.continuous_aggregates(conn),
            }
    except (psycopg.Error, Exception) as error:  # health must answer, whatever broke
        report["status"] = "degraded"
        report["database"] = {
            "status": "error",
            "reason": str(error).splitlines()[0] if str(error) else "error",
        }
        return JSONResponse(report, status_code=503)
    if pending:
        report["status"] = "degraded"
        return JSONResponse(report, status_code=503)
    return JSONResponse(report)
