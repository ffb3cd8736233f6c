"""Who is calling: a signed-in person (:class:`Principal`) or an enrolled device (:class:`DevicePrincipal`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Role = Literal["hq_admin", "regional_manager", "store_manager", "installer", "analyst"]
ROLES: tuple[Role, ...] = ("hq_admin", "regional_manager", "store_manager", "installer", "analyst")


@dataclass(frozen=True)
class Principal:
    """A signed-in person. ``visible_store_ids`` is computed once, by :mod:`footfall.server.auth.scope`."""

    user_id: str
    org_id: str
    role: Role
    email: str
    name: str
    visible_store_ids: frozenset[str] = field(default_factory=frozenset)
    expires_at: datetime | None = None
    token_hash: str | None = None

    def as_user(self) -> dict[str, str]:
        return {
            "user_id": self.user_id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "org_id": self.org_id,
        }


@dataclass(frozen=True)
class DevicePrincipal:
    """An enrolled edge device; it may write events only for ``camera_ids``."""

    device_id: str
    org_id: str
    store_id: str
    camera_ids: frozenset[str]
    store_timezone: str
    config_version: int
