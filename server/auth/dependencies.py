"""FastAPI dependencies: a pooled connection, the signed-in person, the calling device.

``CurrentPrincipal`` and ``CurrentDevice`` are the only ways an endpoint learns who calls;
both resolve the bearer token against its hash in the database (revocation and expiry are
therefore immediate).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import psycopg
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from footfall.server.auth import scope
from footfall.server.auth.principal import DevicePrincipal, Principal
from footfall.server.auth.secrets import hash_token
from footfall.server.db.queries import auth as q
from footfall.server.db.queries import devices as dq
from footfall.server.errors import DatabaseUnavailable, Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="OAuth2 bearer token from /api/v1/auth/login")
_device_bearer = HTTPBearer(
    auto_error=False, scheme_name="DeviceToken", description="Device token from enrolment"
)


def connection(request: Request) -> Iterator[psycopg.Connection]:
    """One pooled connection per request: committed on success, rolled back on any error."""
    try:
        with request.app.state.pool.connection() as conn:
            yield conn
    except psycopg.OperationalError as error:
        raise DatabaseUnavailable("the database is unavailable; retry shortly") from error


#: ``scope="function"``: commit BEFORE the response is sent. With FastAPI's default ("request")
#: the commit ran after the client had its answer, so an acknowledged upload could still be
#: lost, and a client reading right after a write might not see it.
Connection = Annotated[psycopg.Connection, Depends(connection, scope="function")]


def _token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <token>'")
    return credentials.credentials


def current_principal(
    conn: Connection, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    token_hash = hash_token(_token(credentials))
    row = conn.execute(q.SESSION_USER, {"token_hash": token_hash}).fetchone()
    if row is None:
        raise Unauthenticated("the token is unknown, expired or revoked; sign in again")
    user_id, org_id = str(row["user_id"]), str(row["org_id"])
    return Principal(
        user_id=user_id,
        org_id=org_id,
        role=row["role"],
        email=row["email"],
        name=row["name"],
        visible_store_ids=scope.visible_store_ids(conn, user_id=user_id, org_id=org_id, role=row["role"]),
        expires_at=row["expires_at"],
        token_hash=token_hash,
    )


def current_device(
    conn: Connection, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_device_bearer)]
) -> DevicePrincipal:
    row = conn.execute(dq.DEVICE_BY_TOKEN, {"token_hash": hash_token(_token(credentials))}).fetchone()
    if row is None:
        raise Unauthenticated("the device token is unknown or revoked; enrol the device again")
    return DevicePrincipal(
        device_id=row["device_id"],
        org_id=str(row["org_id"]),
        store_id=row["store_id"],
        camera_ids=frozenset(row["camera_ids"]),
        store_timezone=row["timezone"],
        config_version=row["config_version"],
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentDevice = Annotated[DevicePrincipal, Depends(current_device)]
