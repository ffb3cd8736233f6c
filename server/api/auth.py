"""``/api/v1/auth``: sign in with e-mail and password for a bearer token, sign out, who am I."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from footfall.server.auth import Connection, CurrentPrincipal
from footfall.server.auth.secrets import DUMMY_HASH, hash_token, new_token, verify_password
from footfall.server.client_address import client_address
from footfall.server.db.queries import auth as q
from footfall.server.errors import Unauthenticated
from footfall.server.provisioning import audit, audit_by
from footfall.server.settings import DEMO_PASSWORD
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: str
    org_id: str


class LoginResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    user: UserOut


class MeResponse(UserOut):
    store_ids: list[str]
    expires_at: datetime | None


@router.post("/login", summary="Exchange e-mail and password for a bearer token")
def login(body: LoginRequest, request: Request, conn: Connection) -> LoginResponse:
    email = body.email.strip().lower()
    client = client_address(request)
    request.app.state.login_limiter.hit(f"email:{email}")
    request.app.state.address_limiter.hit(f"ip:{client}")
    row = conn.execute(q.USER_BY_EMAIL, {"email": email}).fetchone()
    # Verify even for an unknown e-mail, so timing does not tell which e-mails exist.
    ok = verify_password(row["password_hash"] if row else DUMMY_HASH, body.password)
    if body.password == DEMO_PASSWORD and not request.app.state.settings.demo:
        ok = False  # the demo's published password opens nothing outside the demo
    if row is None or not ok or row["disabled_at"] is not None:
        with conn.transaction():
            audit(
                conn,
                org_id=str(row["org_id"]) if row else None,
                actor_kind="anonymous",
                actor_id=None,
                action="auth.login_failed",
                target=f"email:{email}",
                details={"ip": client},
            )
        conn.commit()
        raise Unauthenticated("wrong e-mail or password")
    token = new_token()
    expires_at = datetime.now(UTC) + timedelta(seconds=request.app.state.settings.session_ttl_s)
    conn.execute(
        q.INSERT_SESSION,
        {"token_hash": hash_token(token), "user_id": row["user_id"], "expires_at": expires_at},
    )
    audit(
        conn,
        org_id=str(row["org_id"]),
        actor_kind="user",
        actor_id=str(row["user_id"]),
        action="auth.login",
        details={"ip": client},
    )
    user = UserOut(
        user_id=str(row["user_id"]),
        email=row["email"],
        name=row["name"],
        role=row["role"],
        org_id=str(row["org_id"]),
    )
    return LoginResponse(access_token=token, expires_at=expires_at, user=user)


@router.post("/logout", status_code=204, summary="Revoke the bearer token used for this request")
def logout(principal: CurrentPrincipal, conn: Connection) -> None:
    conn.execute(q.REVOKE_SESSION, {"token_hash": principal.token_hash})
    audit_by(conn, principal, action="auth.logout")


@router.get("/me", summary="The signed-in person, their role and the stores they can see")
def me(principal: CurrentPrincipal) -> MeResponse:
    return MeResponse(
        **principal.as_user(), store_ids=sorted(principal.visible_store_ids), expires_at=principal.expires_at
    )
