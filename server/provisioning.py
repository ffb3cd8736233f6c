"""Creating an organisation's world: regions, stores, entrances, cameras, lines, users, devices.

The API, the CLI (``footfall users create-admin``), the demo seeder and tests all go through
these functions, so a store made by a test is the same as one made by an installer. Every
function takes an open connection and leaves committing to the caller.

Typical test set-up (see :func:`create_demo_world` for one call that does it all)::

    org_id = create_org(conn, "Acme")
    store_id = create_store(conn, org_id, code="B1", name="Berlin", timezone="Europe/Berlin")
    code = create_enrolment_code(conn, store_id)
    device = enrol_device(conn, code.code)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from footfall.server.auth.principal import ROLES, Principal
from footfall.server.auth.secrets import (
    hash_password,
    hash_token,
    new_enrolment_code,
    new_token,
    normalise_code,
)
from footfall.server.db.queries import auth as aq
from footfall.server.db.queries import provisioning as q
from footfall.server.errors import Conflict, InvalidInput, NotFound
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from footfall.contracts import LineConfig

ENROLMENT_CODE_TTL = timedelta(hours=24)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(
            f"unknown time zone {name!r}",
            details=[{"field": "timezone", "message": "use an IANA name like Europe/Berlin"}],
        ) from error
    return name


def audit(
    conn: psycopg.Connection,
    *,
    org_id: str | None,
    actor_kind: str,
    actor_id: str | None,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record who did what (logins, imports, erasures, enrolments, configuration changes)."""
    _cur(conn).execute(
        aq.INSERT_AUDIT,
        {
            "org_id": org_id,
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "action": action,
            "target": target,
            "details": Jsonb(details or {}),
        },
    )


def audit_by(
    conn: psycopg.Connection,
    principal: Principal,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record an action of a signed-in person (the common case of :func:`audit`)."""
    audit(
        conn,
        org_id=principal.org_id,
        actor_kind="user",
        actor_id=principal.user_id,
        action=action,
        target=target,
        details=details,
    )


def create_org(conn: psycopg.Connection, name: str) -> str:
    try:
        with conn.transaction():
            row = _cur(conn).execute(q.INSERT_ORG, {"name": name}).fetchone()
    except psycopg.errors.UniqueViolation as error:
        raise Conflict(f"an organisation named {name!r} exists already") from error
    return str(_col(row, "org_id"))


def create_region(
    conn: psycopg.Connection, org_id: str, *, code: str, name: str, region_id: str | None = None
) -> str:
    row = (
        _cur(conn)
        .execute(q.INSERT_REGION, {"region_id": region_id, "org_id": org_id, "code": code, "name": name})
        .fetchone()
    )
    return str(_col(row, "region_id"))


def create_store(
    conn: psycopg.Connection,
    org_id: str,
    *,
    code: str,
    name: str,
    timezone: str,
    region_id: str | None = None,
    store_id: str | None = None,
    currency: str = "EUR",
    locale: str = "en_GB",
    floor_area_m2: float | None = None,
    address: str | None = None,
    opening_hours: dict[str, list[list[str]]] | None = None,
    day_starts_at: time = time(0, 0),
) -> str:
    """Create a store; ``opening_hours`` maps ``mon``..``sun`` to ``[["08:00", "20:00"], ...]`` local spans."""
    check_timezone(timezone)
    hours = opening_hours or {}
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise InvalidInput(
            "opening hours use mon..sun",
            details=[{"field": "opening_hours", "message": f"unknown days {sorted(unknown)}"}],
        )
    row = (
        _cur(conn)
        .execute(
            q.INSERT_STORE,
            {
                "store_id": store_id,
                "org_id": org_id,
                "region_id": region_id,
                "code": code,
                "name": name,
                "timezone": timezone,
                "currency": currency,
                "locale": locale,
                "floor_area_m2": floor_area_m2,
                "address": address,
                "opening_hours": Jsonb(hours),
                "day_starts_at": day_starts_at,
            },
        )
        .fetchone()
    )
    return str(_col(row, "store_id"))


def create_entrance(
    conn: psycopg.Connection, store_id: str, *, name: str, entrance_id: str | None = None
) -> str:
    row = (
        _cur(conn)
        .execute(q.INSERT_ENTRANCE, {"entrance_id": entrance_id, "store_id": store_id, "name": name})
        .fetchone()
    )
    return str(_col(row, "entrance_id"))


def create_camera(
    conn: psycopg.Connection,
    store_id: str,
    *,
    name: str,
    camera_id: str | None = None,
    device_id: str | None = None,
    entrance_id: str | None = None,
    source: str | None = None,
    calibration: dict | None = None,
) -> str:
    if entrance_id is not None and entrance_id not in _store_entrances(conn, store_id):
        raise InvalidInput(
            "the entrance is not in this store",
            details=[{"field": "entrance_id", "message": f"no entrance {entrance_id!r} in this store"}],
        )
    try:
        with conn.transaction():
            row = (
                _cur(conn)
                .execute(
                    q.INSERT_CAMERA,
                    {
                        "camera_id": camera_id,
                        "store_id": store_id,
                        "device_id": device_id,
                        "entrance_id": entrance_id,
                        "name": name,
                        "source": source,
                        "calibration": Jsonb(calibration) if calibration is not None else None,
                    },
                )
                .fetchone()
            )
    except psycopg.errors.UniqueViolation as error:
        raise Conflict(f"a camera {camera_id!r} exists already") from error
    except psycopg.errors.ForeignKeyViolation as error:
        raise InvalidInput(
            "the entrance or device is not in this store",
            details=[{"field": "entrance_id", "message": "unknown entrance or device"}],
        ) from error
    return str(_col(row, "camera_id"))


def set_lines(conn: psycopg.Connection, camera_id: str, lines: list[LineConfig]) -> int:
    """Replace a camera's counting lines and bump its device's config version; return how many."""
    ids = [line.line_id for line in lines]
    camera = _cur(conn).execute(q.CAMERA, {"camera_id": camera_id}).fetchone()
    if camera is None:
        raise NotFound(f"no camera {camera_id!r}")
    entrances = _store_entrances(conn, camera["store_id"])
    for n, line in enumerate(lines):
        if line.entrance_id is not None and line.entrance_id not in entrances:
            raise InvalidInput(
                "a line's entrance must be one of the camera's store",
                details=[
                    {
                        "field": f"lines.{n}.entrance_id",
                        "message": f"no entrance {line.entrance_id!r} in this store",
                    }
                ],
            )
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            "line ids must be unique per camera", details=[{"field": "lines", "message": "duplicate line_id"}]
        )
    _cur(conn).execute(q.DELETE_LINES, {"camera_id": camera_id})
    for line in lines:
        _cur(conn).execute(q.INSERT_LINE, {"camera_id": camera_id, **line.model_dump(include=_LINE_FIELDS)})
    _cur(conn).execute(q.BUMP_DEVICE_CONFIG, {"camera_id": camera_id})
    return len(lines)


_LINE_FIELDS = {"line_id", "name", "entrance_id", "x1", "y1", "x2", "y2", "inside_x", "inside_y"}


def camera_lines(conn: psycopg.Connection, camera_id: str) -> list[LineConfig]:
    rows = _cur(conn).execute(q.CAMERA_LINES, {"camera_id": camera_id}).fetchall()
    return [LineConfig(**dict(r)) for r in rows]


def create_user(
    conn: psycopg.Connection,
    org_id: str,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    region_ids: list[str] = (),  # type: ignore[assignment]
    store_ids: list[str] = (),  # type: ignore[assignment]
    password_hash: str | None = None,
) -> str:
    """Create a person with a role; regional managers get ``region_ids``, store roles ``store_ids``.

    Give ``password``, or ``password_hash`` from :func:`~footfall.server.auth.secrets.hash_password`
    when seeding many users with one password (argon2 is slow on purpose; hash it once).
    """
    if role not in ROLES:
        raise InvalidInput(
            f"unknown role {role!r}", details=[{"field": "role", "message": f"one of {', '.join(ROLES)}"}]
        )
    if password_hash is None:
        try:
            password_hash = hash_password(password or "")
        except ValueError as error:
            raise InvalidInput(str(error), details=[{"field": "password", "message": str(error)}]) from error
    try:
        with conn.transaction():
            row = (
                _cur(conn)
                .execute(
                    q.INSERT_USER,
                    {
                        "org_id": org_id,
                        "email": email.strip().lower(),
                        "name": name,
                        "role": role,
                        "password_hash": password_hash,
                    },
                )
                .fetchone()
            )
            user_id = str(_col(row, "user_id"))
            for region_id in region_ids:
                _cur(conn).execute(q.ASSIGN_REGION, {"user_id": user_id, "region_id": region_id})
            for store_id in store_ids:
                _cur(conn).execute(q.ASSIGN_STORE, {"user_id": user_id, "store_id": store_id})
    except psycopg.errors.UniqueViolation as error:
        raise Conflict(f"a user with e-mail {email!r} exists already") from error
    except psycopg.errors.CheckViolation as error:
        raise InvalidInput(
            "invalid e-mail", details=[{"field": "email", "message": "not an e-mail address"}]
        ) from error
    return user_id


def reset_password(conn: psycopg.Connection, email: str, password: str) -> tuple[str, str]:
    """Set a new password and end every session of that person; return (user id, org id)."""
    row = _cur(conn).execute(aq.USER_BY_EMAIL, {"email": email.strip().lower()}).fetchone()
    if row is None:
        raise NotFound(f"no user with e-mail {email!r}")
    try:
        password_hash = hash_password(password)
    except ValueError as error:
        raise InvalidInput(str(error), details=[{"field": "password", "message": str(error)}]) from error
    user_id = str(_col(row, "user_id"))
    _cur(conn).execute(aq.SET_PASSWORD, {"user_id": user_id, "password_hash": password_hash})
    _cur(conn).execute(aq.REVOKE_USER_SESSIONS, {"user_id": user_id})
    return user_id, str(_col(row, "org_id"))


@dataclass(frozen=True)
class EnrolmentCode:
    code: str
    expires_at: datetime


def create_enrolment_code(
    conn: psycopg.Connection,
    store_id: str,
    *,
    created_by: str | None = None,
    ttl: timedelta = ENROLMENT_CODE_TTL,
) -> EnrolmentCode:
    """A one-time code an installer types into a new device; only its hash is stored."""
    row = _cur(conn).execute(q.STORE_ORG, {"store_id": store_id}).fetchone()
    if row is None:
        raise NotFound(f"no store {store_id!r}")
    code = new_enrolment_code()
    expires_at = datetime.now(UTC) + ttl
    _cur(conn).execute(
        q.INSERT_ENROLMENT_CODE,
        {
            "code_hash": hash_token(code),
            "org_id": _col(row, "org_id"),
            "store_id": store_id,
            "created_by": created_by,
            "expires_at": expires_at,
        },
    )
    return EnrolmentCode(code=code, expires_at=expires_at)


@dataclass(frozen=True)
class EnrolledDevice:
    device_id: str
    token: str
    store_id: str
    org_id: str


def enrol_device(
    conn: psycopg.Connection, code: str, *, hostname: str | None = None, agent_version: str | None = None
) -> EnrolledDevice:
    """Exchange a one-time code for a device token; the device takes over the store's unassigned cameras."""
    code_hash = hash_token(normalise_code(code))
    claimed = _cur(conn).execute(q.CLAIM_ENROLMENT_CODE, {"code_hash": code_hash}).fetchone()
    if claimed is None:
        raise InvalidInput(
            "the enrolment code is unknown, used or expired; ask the installer for a new one",
            details=[{"field": "code", "message": "unknown, used or expired"}],
        )
    token = new_token()
    org_id, store_id = str(_col(claimed, "org_id")), str(_col(claimed, "store_id"))
    row = (
        _cur(conn)
        .execute(
            q.INSERT_DEVICE,
            {
                "org_id": org_id,
                "store_id": store_id,
                "hostname": hostname,
                "agent_version": agent_version,
                "token_hash": hash_token(token),
            },
        )
        .fetchone()
    )
    device_id = str(_col(row, "device_id"))
    _cur(conn).execute(q.SET_CODE_DEVICE, {"device_id": device_id, "code_hash": code_hash})
    _cur(conn).execute(q.CLAIM_UNASSIGNED_CAMERAS, {"device_id": device_id, "store_id": store_id})
    audit(
        conn,
        org_id=org_id,
        actor_kind="device",
        actor_id=device_id,
        action="device.enrolled",
        target=f"store:{store_id}",
        details={"hostname": hostname, "agent_version": agent_version},
    )
    return EnrolledDevice(device_id=device_id, token=token, store_id=store_id, org_id=org_id)


# -- one call for tests and demos ---------------------------------------------------------

TEST_PASSWORD = "correct-horse-battery"
DEFAULT_LINE = dict(x1=0.1, y1=0.5, x2=0.9, y2=0.5, inside_x=0.5, inside_y=0.9)


@dataclass
class StoreWorld:
    store_id: str
    timezone: str
    entrance_id: str
    camera_id: str
    line_id: str
    device_id: str
    device_token: str


@dataclass
class World:
    """What :func:`create_demo_world` made: ids, and the e-mail of one user per role (password ``password``)."""

    org_id: str
    region_ids: list[str]
    stores: list[StoreWorld]
    users: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    password: str = TEST_PASSWORD


def create_demo_world(
    conn: psycopg.Connection,
    *,
    name: str | None = None,
    timezones: tuple[str, ...] = ("Europe/Berlin", "America/New_York"),
    password: str = TEST_PASSWORD,
) -> World:
    """An organisation with one region per store, one store per time zone (each with an entrance,
    a camera, a line and an enrolled device) and one user of every role.

    Names are unique (a random suffix), so tests sharing a database never collide; the
    regional manager and store manager/installer are scoped to the FIRST store/region only,
    which lets tests check scoping. Users' e-mails are ``<role>@<suffix>.test``.
    """
    suffix = uuid.uuid4().hex[:10]
    org_id = create_org(conn, name or f"Test org {suffix}")
    region_ids, stores = [], []
    for n, tz in enumerate(timezones, start=1):
        region_id = create_region(conn, org_id, code=f"R{n}", name=f"Region {n}")
        region_ids.append(region_id)
        store_id = create_store(
            conn,
            org_id,
            code=f"S{n}",
            name=f"Store {n} ({tz})",
            timezone=tz,
            region_id=region_id,
            floor_area_m2=250.0 * n,
            address=f"{n} High Street",
            opening_hours={d: [["09:00", "20:00"]] for d in WEEKDAYS[:6]},
        )
        entrance_id = create_entrance(conn, store_id, name="Main entrance")
        camera_id = create_camera(
            conn, store_id, name="Door camera", camera_id=f"cam-{suffix}-{n}", entrance_id=entrance_id
        )
        line = LineConfig(line_id="door", name="Door", entrance_id=entrance_id, **DEFAULT_LINE)
        set_lines(conn, camera_id, [line])
        device = enrol_device(conn, create_enrolment_code(conn, store_id).code, hostname=f"edge-{n}")
        stores.append(
            StoreWorld(store_id, tz, entrance_id, camera_id, "door", device.device_id, device.token)
        )
    users = {}
    password_hash = hash_password(password)
    for role in ROLES:
        email = f"{role}@{suffix}.test"
        create_user(
            conn,
            org_id,
            email=email,
            name=role.replace("_", " ").title(),
            role=role,
            password_hash=password_hash,
            region_ids=[region_ids[0]] if role == "regional_manager" else [],
            store_ids=[stores[0].store_id] if role in ("store_manager", "installer") else [],
        )
        users[role] = email
    return World(org_id=org_id, region_ids=region_ids, stores=stores, users=users, password=password)


def _store_entrances(conn: psycopg.Connection, store_id: str) -> set[str]:
    return {
        r["entrance_id"] for r in _cur(conn).execute(q.STORE_ENTRANCES, {"store_id": store_id}).fetchall()
    }


def _cur(conn: psycopg.Connection) -> psycopg.Cursor:
    """A dict-row cursor, whatever row factory the caller's connection uses."""
    return conn.cursor(row_factory=dict_row)


def _col(row: object, key: str) -> object:
    return row[key]  # type: ignore[index]
