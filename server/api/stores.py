"""``/api/v1/regions`` and ``/api/v1/stores``: what the caller may see, nothing more."""

from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import APIRouter
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.db.queries import stores as q
from footfall.server.errors import NotFound
from pydantic import BaseModel

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
