"""``/api/v1/stores/{store_id}/kpis`` and ``/hour-of-week``: one store's KPIs in its local time.

Every bucket carries each KPI's value *and* its completeness (traffic minutes missing, sales
days not imported), so a broken day is labelled instead of compared as if it were real.
Formulas: ``footfall.server.kpis.definitions`` (also listed by ``GET /api/v1/kpis/definitions``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.kpis import definitions as d
from footfall.server.kpis import service

router = APIRouter(prefix="/api/v1", tags=["kpis"])

Start = Annotated[date, Query(description="First local date (YYYY-MM-DD) of the period.")]
End = Annotated[date, Query(description="Last local date, inclusive.")]


@router.get("/kpis/definitions", summary="Every KPI: name, unit, sources it needs and its formula")
def kpi_definitions(principal: CurrentPrincipal) -> list[dict[str, Any]]:
    scope.require(principal, "read_kpis")
    return [
        {
            "name": k.name,
            "label": k.label,
            "unit": k.unit,
            "sources": list(k.sources),
            "additive": k.additive,
            "formula": k.doc,
        }
        for k in d.KPIS.values()
    ]


_FORMULAS = "\n".join(
    f"- **{k.name}** ({k.unit}; needs {', '.join(k.sources)}): {k.doc}" for k in d.KPIS.values()
)


@router.get(
    "/stores/{store_id}/kpis",
    summary="KPIs per local bucket (hour/day/week/month/period), each with its completeness",
    description=(
        "Buckets are cut in the store's own time zone (a DST day has 23 or 25 hours). Each bucket "
        "carries every KPI flat (`conversion: 0.15`) and under `kpis` with `complete`, `completeness` "
        "and the `missing` reasons (traffic minutes not counted, sales days not imported, staff hours "
        "without a figure). A ratio with a zero denominator is null.\n\n" + _FORMULAS
    ),
)
def store_kpis(
    store_id: str,
    principal: CurrentPrincipal,
    conn: Connection,
    start: Start,
    end: End,
    granularity: Literal["hour", "day", "week", "month", "period"] = "day",
    visitors: Annotated[
        Literal["adults_in", "buying_units"],
        Query(
            description="adults_in: every adult walking in; buying_units: a group arriving together counts once"
        ),
    ] = "adults_in",
    by: Annotated[
        Literal["store", "entrance"], Query(description="entrance: add visitors per entrance")
    ] = "store",
) -> dict[str, Any]:
    scope.require_store(principal, store_id, "read_kpis")
    store = service.load_store(conn, store_id)
    return service.store_kpis(
        conn,
        store,
        start,
        end,
        granularity,
        buying_units=visitors == "buying_units",
        by_entrance=by == "entrance",
    )


@router.get(
    "/stores/{store_id}/hour-of-week",
    summary="Mean visitors per weekday × local hour over open hours with the camera up",
)
def hour_of_week(
    store_id: str, principal: CurrentPrincipal, conn: Connection, start: Start, end: End
) -> dict[str, Any]:
    scope.require_store(principal, store_id, "read_traffic")
    return service.hour_of_week(conn, service.load_store(conn, store_id), start, end)
