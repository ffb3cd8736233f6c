"""Customer aggregates per store, and erasure of one customer's personal data on request.

No endpoint here returns a personal field: the summary is counts, shares, lifetime values
and RFM segments, which analysts may see too.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter
from footfall.server.auth import Connection, CurrentPrincipal, scope
from footfall.server.db.queries import imports as q
from footfall.server.errors import NotFound
from footfall.server.kpis import service

router = APIRouter(prefix="/api/v1", tags=["customers"])


@router.get(
    "/stores/{store_id}/customers/summary",
    summary="Members, new vs returning, lifetime value and RFM segments of the store's buyers",
)
def customer_summary(
    store_id: str, principal: CurrentPrincipal, conn: Connection, start: date, end: date
) -> dict[str, Any]:
    scope.require_store(principal, store_id, "read_customer_aggregates")
    return service.customer_summary(conn, service.load_store(conn, store_id), start, end)


@router.delete(
    "/customers/{customer_id}/personal-data",
    summary="Erase a customer's e-mail, phone and name; anonymous purchase aggregates stay",
)
def erase_personal_data(customer_id: str, principal: CurrentPrincipal, conn: Connection) -> dict[str, Any]:
    scope.require(principal, "erase_personal_data")
    row = conn.execute(
        q.ERASE_PERSONAL_DATA, {"org_id": principal.org_id, "customer_id": customer_id}
    ).fetchone()
    if row is None:
        raise NotFound(f"no customer {customer_id!r}")
    conn.execute(
        q.AUDIT,
        {
            "org_id": principal.org_id,
            "actor_id": principal.user_id,
            "action": "erase_personal_data",
            "target": row["customer_id"],
            "details": json.dumps({"requested_id": customer_id}),
        },
    )
    return {
        "customer_id": row["customer_id"],
        "erased_at": row["erased_at"].isoformat(),
        "personal_fields": [],
    }
