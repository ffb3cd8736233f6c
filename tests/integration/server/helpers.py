"""Small builders of wire payloads for the server tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from footfall.server.provisioning import World


def crossing(
    world: World, seq: int, ts: datetime, *, store: int = 0, direction: str = "in", **extra: Any
) -> dict:
    s = world.stores[store]
    return {
        "seq": seq,
        "camera_id": s.camera_id,
        "line_id": s.line_id,
        "direction": direction,
        "ts": ts.isoformat(),
        "track_id": seq,
        "frame_index": seq,
        **extra,
    }


def coverage(world: World, seq: int, minute: datetime, *, store: int = 0, processed_s: float = 60.0) -> dict:
    return {
        "seq": seq,
        "camera_id": world.stores[store].camera_id,
        "minute": minute.isoformat(),
        "processed_s": processed_s,
        "fps": 10.0,
    }


def batch(crossings: list[dict], coverage_minutes: list[dict] = (), sent_at: datetime | None = None) -> dict:  # type: ignore[assignment]
    sent = sent_at or datetime.fromisoformat("2026-06-01T12:00:00+00:00")
    return {"crossings": crossings, "coverage": list(coverage_minutes), "sent_at": sent.isoformat()}


def minutes(start: datetime, n: int) -> list[datetime]:
    return [start + timedelta(minutes=i) for i in range(n)]
