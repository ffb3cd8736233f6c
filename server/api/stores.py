"""``/api/v1/regions`` and ``/api/v1/stores``: what the caller may see, nothing more."""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from footfall.server import traffic
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.db.queries import stores as q
from footfall.server.errors import NotFound
from pydantic import BaseModel, Field

router = APIRouter(prefix="/api/v1", tags=["stores"])


class RegionOut(BaseModel):
    region_id: str
    code: str
    name: str
    store_count: int


class StoreOut(BaseModel):
    store_id: str
    name: str
    code: str
    region_id: str | None
    region_name: str | None
    timezone: str
    currency: str
    locale: str
    floor_area_m2: float | None
    opening_hours: dict[str, Any]
    address: str | None
    day_starts_at: time


@router.get("/regions", summary="Regions that hold at least one store the caller can see")
def list_regions(principal: CurrentPrincipal, conn: Connection) -> list[RegionOut]:
    rows = conn.execute(q.REGIONS, {"store_ids": scope.store_ids(principal)}).fetchall()
    return [RegionOut(**r) for r in rows]


@router.get("/stores", summary="Stores the caller can see")
def list_stores(principal: CurrentPrincipal, conn: Connection) -> list[StoreOut]:
    rows = conn.execute(q.STORES, {"store_ids": scope.store_ids(principal)}).fetchall()
    return [StoreOut(**r) for r in rows]


@router.get("/stores/{store_id}", summary="One store (404 when outside the caller's scope)")
def get_store(store_id: str, principal: CurrentPrincipal, conn: Connection) -> StoreOut:
    scope.require_store(principal, store_id, "read_traffic")
    rows = conn.execute(q.STORES, {"store_ids": [store_id]}).fetchall()
    if not rows:
        raise NotFound(f"no store {store_id!r}")
    return StoreOut(**rows[0])


class EntranceOut(BaseModel):
    entrance_id: str
    name: str


@router.get(
    "/stores/{store_id}/entrances",
    summary="The store's entrances, so per-entrance traffic can be shown by name",
)
def list_entrances(store_id: str, principal: CurrentPrincipal, conn: Connection) -> list[EntranceOut]:
    scope.require_store(principal, store_id, "read_traffic")
    rows = conn.execute(q.ENTRANCES, {"store_id": store_id}).fetchall()
    return [EntranceOut(entrance_id=str(r["entrance_id"]), name=r["name"]) for r in rows]


class TrafficBucket(BaseModel):
    bucket_start: str = Field(description="Local start of the bucket, ISO 8601 with the UTC offset.")
    in_: int = Field(alias="in")
    out: int
    coverage: float = Field(ge=0, le=1, description="Share of camera-seconds watched (1 = complete).")
    entrance_id: str | None = None
    camera_id: str | None = None
    line_id: str | None = None


class TrafficOut(BaseModel):
    store_id: str
    timezone: str
    granularity: str
    by: str
    buckets: list[TrafficBucket]


class OccupancyOut(BaseModel):
    store_id: str
    as_of: str
    day_start: str
    in_: int = Field(alias="in")
    out: int
    occupancy: int
    coverage: float


@router.get(
    "/stores/{store_id}/traffic",
    summary="Footfall per local bucket (15 min, hour, day, week) by store, entrance or line",
    response_model=TrafficOut,
)
def get_traffic(
    store_id: str,
    principal: CurrentPrincipal,
    conn: Connection,
    start: date,
    end: date,
    granularity: Literal["15min", "hour", "day", "week"] = "hour",
    by: Literal["store", "entrance", "line"] = "store",
    person_class: Literal["adult", "child", "staff", "all"] = "adult",
) -> JSONResponse:
    """``start`` and ``end`` are local dates, both included; buckets are in the store's time zone."""
    scope.require_store(principal, store_id, "read_traffic")
    body = traffic.read_traffic(
        conn,
        store_id,
        start,
        end,
        granularity=granularity,
        by=by,
        person_class=None if person_class == "all" else person_class,
    )
    return JSONResponse(body)  # built already; skipping re-validation keeps a year of 15-min bins fast


@router.get(
    "/stores/{store_id}/occupancy",
    summary="People in the store now (in − out since the day started)",
    response_model=OccupancyOut,
)
def get_occupancy(store_id: str, principal: CurrentPrincipal, conn: Connection) -> JSONResponse:
    scope.require_store(principal, store_id, "read_traffic")
    return JSONResponse(traffic.read_occupancy(conn, store_id))
