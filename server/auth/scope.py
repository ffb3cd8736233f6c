"""The ONE place that decides what a caller may see and do.

Endpoints never hand-roll scoping: they call :func:`require_store` (404 for a store out of
scope, so existence never leaks across organisations or regions), :func:`require` for a role
capability (403), and pass :attr:`Principal.visible_store_ids` to queries as a list.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from footfall.server.auth.principal import Principal, Role
from footfall.server.db.queries import auth as q
from footfall.server.errors import Forbidden, NotFound

#: What each role may do. Names are the product's, checked with :func:`require`.
CAPABILITIES: dict[str, frozenset[Role]] = {
    # footfall counts and occupancy
    "read_traffic": frozenset({"hq_admin", "regional_manager", "store_manager", "analyst", "installer"}),
    # sales, conversion and other KPIs built on business data
    "read_kpis": frozenset({"hq_admin", "regional_manager", "store_manager", "analyst"}),
    # customer records with personal fields (names, e-mails); analysts get aggregates only
    "read_customer_personal": frozenset({"hq_admin", "regional_manager", "store_manager"}),
    "read_customer_aggregates": frozenset({"hq_admin", "regional_manager", "store_manager", "analyst"}),
    "import_data": frozenset({"hq_admin"}),
    "erase_personal_data": frozenset({"hq_admin"}),
    # devices, enrolment codes, cameras, lines, snapshots
    "manage_devices": frozenset({"hq_admin", "installer"}),
    "manage_users": frozenset({"hq_admin"}),
    "read_audit_log": frozenset({"hq_admin"}),
}


def visible_store_ids(conn: psycopg.Connection, *, user_id: str, org_id: str, role: Role) -> frozenset[str]:
    """Stores a person may see: all of the organisation, their regions' or their assigned ones."""
    params = {"user_id": user_id, "org_id": org_id}
    if role in ("hq_admin", "analyst"):
        sql = q.ALL_ORG_STORES
    elif role == "regional_manager":
        sql = q.REGION_STORES
    else:  # store_manager, installer
        sql = q.ASSIGNED_STORES
    return frozenset(_first_column(conn.execute(sql, params).fetchall()))


def can(principal: Principal, capability: str) -> bool:
    return principal.role in CAPABILITIES[capability]


def require(principal: Principal, capability: str) -> None:
    """403 unless the principal's role carries ``capability``."""
    if not can(principal, capability):
        raise Forbidden(f"the {principal.role} role may not {capability.replace('_', ' ')}")


def require_store(principal: Principal, store_id: str, capability: str = "read_traffic") -> str:
    """404 for a store outside the caller's scope, 403 when in scope but the role lacks ``capability``."""
    if store_id not in principal.visible_store_ids:
        raise NotFound(f"no store {store_id!r}")
    require(principal, capability)
    return store_id


def store_ids(principal: Principal, wanted: Iterable[str] | None = None) -> list[str]:
    """The caller's stores as a sorted list for ``= ANY(%s)``; ``wanted`` narrows (silently) to the visible ones."""
    if wanted is None:
        return sorted(principal.visible_store_ids)
    return sorted(set(wanted) & principal.visible_store_ids)


def _first_column(rows: list) -> list[str]:
    return [str(next(iter(r.values())) if isinstance(r, dict) else r[0]) for r in rows]
