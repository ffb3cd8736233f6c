"""``/api/v1/users`` and ``/api/v1/audit-log``: an hq_admin manages the organisation's people.

Everything is confined to the admin's own organisation; a user id from another one is a 404.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from footfall.server import provisioning
from footfall.server.auth import Connection, CurrentPrincipal, Role, scope
from footfall.server.db.queries import auth as aq
from footfall.server.db.queries import users as q
from footfall.server.errors import InvalidInput, NotFound
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1", tags=["users"])


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str = Field(min_length=10, max_length=1024)
    region_ids: list[str] = Field(default_factory=list)
    store_ids: list[str] = Field(default_factory=list)


class UserOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    region_ids: list[str]
    store_ids: list[str]


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=10, max_length=1024)


class AuditEntry(BaseModel):
    audit_id: int
    at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    target: str | None
    details: dict[str, Any]


def _users(conn: Connection, org_id: str) -> list[UserOut]:
    rows = conn.execute(q.USERS_OF_ORG, {"org_id": org_id}).fetchall()
    return [UserOut(**{**r, "user_id": str(r["user_id"])}) for r in rows]


@router.get("/users", summary="People of the organisation")
def list_users(principal: CurrentPrincipal, conn: Connection) -> list[UserOut]:
    scope.require(principal, "manage_users")
    return _users(conn, principal.org_id)


@router.post("/users", status_code=201, summary="Add a person with a role and scope")
def create_user(body: UserIn, principal: CurrentPrincipal, conn: Connection) -> UserOut:
    scope.require(principal, "manage_users")
    for field, sql, ids in (
        ("region_ids", q.REGIONS_IN_ORG, body.region_ids),
        ("store_ids", q.STORES_IN_ORG, body.store_ids),
    ):
        found = {
            next(iter(r.values()))
            for r in conn.execute(sql, {"org_id": principal.org_id, "ids": ids}).fetchall()
        }
        if set(ids) - found:
            raise InvalidInput(
                f"unknown {field}",
                details=[
                    {
                        "field": f"body.{field}",
                        "message": f"not in your organisation: {sorted(set(ids) - found)}",
                    }
                ],
            )
    user_id = provisioning.create_user(
        conn,
        principal.org_id,
        email=body.email,
        name=body.name,
        role=body.role,
        password=body.password,
        region_ids=body.region_ids,
        store_ids=body.store_ids,
    )
    provisioning.audit_by(
        conn,
        principal,
        action="user.created",
        target=f"user:{user_id}",
        details={"email": body.email.lower(), "role": body.role},
    )
    return next(u for u in _users(conn, principal.org_id) if u.user_id == user_id)


@router.post(
    "/users/{user_id}/password", status_code=204, summary="Reset a person's password (ends their sessions)"
)
def reset_password(user_id: str, body: PasswordIn, principal: CurrentPrincipal, conn: Connection) -> None:
    scope.require(principal, "manage_users")
    try:
        uuid.UUID(user_id)
    except ValueError as error:
        raise NotFound(f"no user {user_id!r}") from error
    row = conn.execute(q.USER_IN_ORG, {"user_id": user_id, "org_id": principal.org_id}).fetchone()
    if row is None:
        raise NotFound(f"no user {user_id!r}")
    provisioning.reset_password(conn, row["email"], body.password)
    provisioning.audit_by(conn, principal, action="user.password_reset", target=f"user:{user_id}")


@router.get("/audit-log", summary="Who did what, when (newest first)")
def audit_log(
    principal: CurrentPrincipal, conn: Connection, limit: int = Query(200, ge=1, le=5000)
) -> list[AuditEntry]:
    scope.require(principal, "read_audit_log")
    rows = conn.execute(aq.AUDIT_FOR_ORG, {"org_id": principal.org_id, "limit": limit}).fetchall()
    return [AuditEntry(**r) for r in rows]
