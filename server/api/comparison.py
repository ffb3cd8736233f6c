"""``/api/v1/comparison`` and ``/api/v1/anomalies``: stores side by side over one period."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.kpis import service

router = APIRouter(prefix="/api/v1", tags=["comparison"])


@router.get(
    "/comparison", summary="Stores ranked by one KPI over a period, optionally normalised and like-for-like"
)
def compare_stores(
    principal: CurrentPrincipal,
    conn: Connection,
    start: date,
    end: date,
    kpi: Annotated[
        Literal[service.COMPARABLE],  # type: ignore[valid-type]
        Query(description="the KPI to rank by (formulas: GET /api/v1/kpis/definitions)"),
    ] = "conversion",
    normalise: Annotated[
        Literal["none", "per_m2", "per_open_hour"] | None,
        Query(description="per_m2 / per_open_hour for additive KPIs (visitors, transactions, net_sales)"),
    ] = None,
    compare_to: Annotated[
        Literal["last_week", "last_year"] | None,
        Query(description="like-for-like: the same weekdays a week earlier, or 52 weeks earlier"),
    ] = None,
    region_id: str | None = None,
) -> dict[str, Any]:
    scope.require(principal, "read_kpis")
    stores = service.load_stores(conn, scope.store_ids(principal), region_id)
    return service.comparison(
        conn, stores, kpi, start, end, normalise=normalise or "none", compare_to=compare_to
    )


@router.get(
    "/anomalies",
    summary="Hours with the camera down, or traffic far below its usual level for that weekday and hour",
)
def list_anomalies(
    principal: CurrentPrincipal,
    conn: Connection,
    start: date,
    end: date,
    store_id: str | None = None,
    region_id: str | None = None,
) -> dict[str, Any]:
    if store_id is not None:
        scope.require_store(principal, store_id, "read_traffic")
        ids = [store_id]
    else:
        scope.require(principal, "read_traffic")
        ids = scope.store_ids(principal)
    return service.anomalies(conn, service.load_stores(conn, ids, region_id), start, end)
