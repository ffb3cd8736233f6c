"""Pure readings of API answers for the live and installer views (no Dash, no HTTP).

Turns device health and traffic buckets into what a person needs to know: which camera is
down, whether today's numbers are complete, how many came through each entrance or line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

#: A device that has not reported for this long is shown as offline.
OFFLINE_AFTER_S = 180
#: Below this share of covered minutes today, the live view warns that data is incomplete.
COMPLETE_COVERAGE = 0.98


@dataclass(frozen=True)
class Alert:
    level: str  # "danger" | "warning"
    message: str


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def device_cameras(device: Mapping) -> list[Mapping]:
    """Camera health of a device, wherever the server nests it (``health.cameras`` or ``cameras``)."""
    health = device_health(device)
    cameras = health.get("cameras") if isinstance(health, Mapping) else None
    return list(cameras or device.get("cameras") or [])


def device_health(device: Mapping) -> Mapping:
    """The device's latest heartbeat (:class:`footfall.contracts.DeviceHealth` as a dict) or ``{}``."""
    health = device.get("last_health") or device.get("health") or device.get("latest_health") or {}
    return health if isinstance(health, Mapping) else {}


def device_last_seen(device: Mapping) -> datetime | None:
    health = device_health(device)
    return parse_time(
        device.get("last_seen_at")
        or device.get("last_seen")
        or device.get("last_health_at")
        or (health.get("received_at") if isinstance(health, Mapping) else None)
        or (health.get("sent_at") if isinstance(health, Mapping) else None)
    )


def device_online(device: Mapping, now: datetime) -> bool:
    if device.get("revoked_at") or device.get("status") == "revoked":
        return False
    seen = device_last_seen(device)
    return seen is not None and (now - seen).total_seconds() <= OFFLINE_AFTER_S


def camera_alerts(devices: Iterable[Mapping], store_id: str, now: datetime) -> list[Alert]:
    """One alert per offline device and per camera that is not counting, for one store."""
    alerts: list[Alert] = []
    for device in devices:
        if str(device.get("store_id")) != str(store_id) or device.get("revoked_at"):
            continue
        name = device.get("hostname") or device.get("name") or device.get("device_id")
        if not device_online(device, now):
            seen = device_last_seen(device)
            since = f" since {seen:%H:%M} UTC" if seen else ""
            alerts.append(
                Alert("danger", f"Counting device {name} is offline{since}: counts are not arriving.")
            )
            continue
        for camera in device_cameras(device):
            state = camera.get("state", "ok")
            if state not in ("ok", "starting"):
                reason = f" ({camera['reason']})" if camera.get("reason") else ""
                alerts.append(
                    Alert(
                        "danger",
                        f"Camera {camera.get('name') or camera.get('camera_id')} is {state}{reason}.",
                    )
                )
    return alerts


def coverage_alert(coverage: float | None) -> Alert | None:
    """Warn when the cameras did not watch every minute of the day so far."""
    if coverage is None:
        return Alert("warning", "No camera data yet today: figures below may be incomplete.")
    if coverage < COMPLETE_COVERAGE:
        return Alert(
            "warning",
            f"Data incomplete: cameras covered {coverage:.0%} of today so far; real visitors are higher than shown.",
        )
    return None


def totals_by(buckets: Iterable[Mapping], key: str, names: Mapping[str, str] | None = None) -> dict[str, int]:
    """Visitors in per entrance or line (``key`` = ``entrance_id`` / ``line_id``), named when known."""
    totals: dict[str, int] = {}
    for bucket in buckets:
        raw = bucket.get(key)
        label = (
            (names or {}).get(str(raw)) or bucket.get(key.replace("_id", "_name")) or str(raw or "unassigned")
        )
        totals[label] = totals.get(label, 0) + int(bucket.get("in", 0))
    return totals


def in_out_by(buckets: Iterable[Mapping], key: str) -> dict[str, tuple[int, int]]:
    """``{id: (in, out)}`` summed over buckets, for the installer's walk-through check."""
    totals: dict[str, tuple[int, int]] = {}
    for bucket in buckets:
        ident = str(bucket.get(key))
        seen_in, seen_out = totals.get(ident, (0, 0))
        totals[ident] = (seen_in + int(bucket.get("in", 0)), seen_out + int(bucket.get("out", 0)))
    return totals


def first_row(answer: object) -> Mapping | None:
    """The first KPI row of an answer, whether the server wraps rows in a list or sends a dict."""
    if isinstance(answer, list):
        return answer[0] if answer else None
    if isinstance(answer, Mapping):
        for key in ("rows", "buckets", "kpis", "periods", "items"):
            rows = answer.get(key)
            if isinstance(rows, list):
                return rows[0] if rows else None
            if isinstance(rows, Mapping):
                return rows
        return answer
    return None


def kpi_of(row: Mapping | None, name: str) -> float | None:
    """A KPI's value from a KPI row, nested (``{"kpis": {name: {"value": ...}}}``) or flat."""
    if not row:
        return None
    nested = row.get("kpis")
    if isinstance(nested, Mapping):
        entry = nested.get(name)
        return entry.get("value") if isinstance(entry, Mapping) else entry
    value = row.get(name)
    return value.get("value") if isinstance(value, Mapping) else value


def lacks_sales(entry: Mapping | None) -> bool:
    """Whether a KPI entry or comparison row says sales were not imported for (part of) its period.

    A conversion computed without sales is 0 % on paper but means "unknown", so pages show
    it as missing and say which import is needed.
    """
    if not entry:
        return False
    return any(str(m).startswith(("sales", "crm")) for m in entry.get("missing") or [])


def kpi_entry(row: Mapping | None, name: str) -> Mapping | None:
    nested = row.get("kpis") if row else None
    entry = nested.get(name) if isinstance(nested, Mapping) else None
    return entry if isinstance(entry, Mapping) else None
