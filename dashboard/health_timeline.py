"""A device's health history as per-camera stretches an installer reads: "door was reconnecting
from 09:02 to 09:40", plus "no heartbeat" gaps when the whole device was silent.

The server keeps stretches of unchanged heartbeats for the whole device (every camera's state
at once); here they are split per camera and neighbours with the same state are joined, so a
second camera's hiccup does not cut the first camera's "ok" into pieces. Pure functions over
the API's JSON, so the page and the tests agree on what a timeline is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

#: The camera column for a gap in which the device sent nothing at all.
WHOLE_DEVICE = "whole device"
SILENT = "no heartbeat"


@dataclass(frozen=True)
class Segment:
    camera_id: str
    state: str
    start: datetime
    end: datetime
    reason: str | None = None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def camera_segments(history: dict[str, Any]) -> list[Segment]:
    """Per-camera segments and device silences, oldest first."""
    stretches = sorted(history.get("stretches", []), key=lambda s: s["first_report_at"])
    silence = timedelta(seconds=float(history.get("silence_s", 300)))
    open_by_camera: dict[str, Segment] = {}
    done: list[Segment] = []
    previous_end: datetime | None = None
    for stretch in stretches:
        start, end = _moment(stretch["first_report_at"]), _moment(stretch["last_report_at"])
        if previous_end is not None and start - previous_end > silence:
            done.extend(open_by_camera.values())
            open_by_camera = {}
            done.append(Segment(WHOLE_DEVICE, SILENT, previous_end, start))
        seen = set()
        for camera in stretch.get("cameras", []):
            camera_id, state = camera["camera_id"], camera["state"]
            seen.add(camera_id)
            current = open_by_camera.get(camera_id)
            if current is not None and current.state == state:
                open_by_camera[camera_id] = Segment(camera_id, state, current.start, end, current.reason)
                continue
            if current is not None:
                # The state changed at this stretch's start: the old one lasted until then.
                done.append(Segment(camera_id, current.state, current.start, start, current.reason))
            open_by_camera[camera_id] = Segment(camera_id, state, start, end, camera.get("reason"))
        for camera_id in [c for c in open_by_camera if c not in seen]:  # camera removed
            done.append(open_by_camera.pop(camera_id))
        previous_end = end if previous_end is None else max(previous_end, end)
    done.extend(open_by_camera.values())
    return sorted(done, key=lambda s: (s.start, s.camera_id))


def duration_text(span: timedelta) -> str:
    """``"45 s"``, ``"12 min"``, ``"3 h 05 min"``, ``"2 d 4 h"``."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def trouble_by_camera(segments: list[Segment]) -> dict[str, timedelta]:
    """Time each camera spent not ``ok`` (and the device silent), for the summary line."""
    totals: dict[str, timedelta] = {}
    for segment in segments:
        if segment.state != "ok":
            totals[segment.camera_id] = totals.get(segment.camera_id, timedelta()) + segment.duration
    return totals
