"""Mark crossings that happen together with a shared group id ("buying units").

A family of four entering together is one buying unit but four visitors; analytics can
report both once crossings carry a group id. Crossings belong together when they are on the
same camera and line, in the same direction, within ``window_s`` of the previous member and
within ``distance`` of some member on the floor (single linkage, so a row of people walking
side by side forms one group). People alone keep ``group_id`` None.

A crossing cannot be marked after it has left the edge, so :class:`GroupAssigner` holds each
crossing back until its group can no longer grow (``window_s`` after its latest member):
counts are delayed by at most the window, never changed. Pure: time comes from the events.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime

from footfall.contracts import CrossingEvent

Position = tuple[float, float]


@dataclass(slots=True)
class _OpenGroup:
    key: tuple[str, str, str]
    members: list[tuple[CrossingEvent, Position | None]] = field(default_factory=list)

    @property
    def last_ts(self) -> datetime:
        return max(event.ts for event, _ in self.members)


def group_id_for(first: CrossingEvent) -> str:
    """Stable id from the group's first crossing, so a replay of the same footage gives the same ids."""
    seed = f"{first.camera_id}|{first.line_id}|{first.direction}|{first.ts.isoformat()}|{first.track_id}"
    return "g-" + hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest()[:16]


class GroupAssigner:
    """Feed crossings in commit order with :meth:`push`; each returned crossing is final.

    ``distance`` is in the units of the positions given (metres on a calibrated camera; pixels
    otherwise). A crossing without a position joins on time and direction alone.
    """

    def __init__(self, *, window_s: float = 1.5, distance: float = 1.5) -> None:
        if window_s <= 0 or distance <= 0:
            raise ValueError("window_s and distance must be positive")
        self.window_s = window_s
        self.distance = distance
        self._open: list[_OpenGroup] = []

    def push(self, event: CrossingEvent, position: Position | None = None) -> list[CrossingEvent]:
        """Take one crossing; return the crossings whose groups closed before it."""
        released = self.release_until(event.ts)
        key = (event.camera_id, event.line_id, event.direction)
        for group in self._open:
            if group.key == key and self._joins(group, event, position):
                group.members.append((event, position))
                return released
        self._open.append(_OpenGroup(key, [(event, position)]))
        return released

    def release_until(self, now: datetime) -> list[CrossingEvent]:
        """Crossings whose group can no longer grow at time ``now`` (call it on idle ticks too)."""
        closed = [g for g in self._open if (now - g.last_ts).total_seconds() > self.window_s]
        self._open = [g for g in self._open if g not in closed]
        return _finalise(closed)

    def flush(self) -> list[CrossingEvent]:
        """Everything still held (the stream ended)."""
        closed, self._open = self._open, []
        return _finalise(closed)

    @property
    def pending(self) -> int:
        return sum(len(g.members) for g in self._open)

    def _joins(self, group: _OpenGroup, event: CrossingEvent, position: Position | None) -> bool:
        if abs((event.ts - group.last_ts).total_seconds()) > self.window_s:
            return False
        if position is None:
            return True
        known = [p for _, p in group.members if p is not None]
        if not known:
            return True
        return any(math.dist(position, p) <= self.distance for p in known)


def _finalise(groups: list[_OpenGroup]) -> list[CrossingEvent]:
    out: list[CrossingEvent] = []
    for group in groups:
        events = [e for e, _ in group.members]
        if len(events) == 1:
            out.append(events[0])
            continue
        gid = group_id_for(events[0])
        out.extend(e.model_copy(update={"group_id": gid}) for e in events)
    out.sort(key=lambda e: (e.ts, e.frame_index, e.track_id))
    return out


class CrossingGrouper:
    """Group the crossings a pipeline emits, locating each through its classifier.

    The who-counts classifier knows where each classified person stood
    (``crossing_position(track_id)``: metres on the floor when calibrated, else frame pixels,
    where "close" becomes ``pixel_share`` of the frame width). Crossings it cannot locate
    (no such classifier) pass straight through without a group: time alone would merge
    strangers at a busy door.
    """

    def __init__(self, classifier: object, *, pixel_share: float = 0.15, frame_width: int = 640) -> None:
        settings = getattr(getattr(classifier, "settings", None), "groups", None)
        window_s = float(getattr(settings, "window_s", 1.5))
        self._locate = getattr(classifier, "crossing_position", None)
        self._metres = GroupAssigner(window_s=window_s, distance=float(getattr(settings, "distance_m", 1.5)))
        self._pixels = GroupAssigner(window_s=window_s, distance=pixel_share * frame_width)

    def push(self, events: list[CrossingEvent], now: datetime | None) -> list[CrossingEvent]:
        """Take a frame's crossings; return those that are final (``now`` None: no time passed)."""
        out: list[CrossingEvent] = []
        for event in events:
            where = self._locate(event.track_id) if callable(self._locate) else None
            if where is None:
                out.append(event)
            else:
                assigner = self._pixels if where[1] == "px" else self._metres
                out.extend(assigner.push(event, where[0]))
        if now is not None:
            out.extend(self._metres.release_until(now))
            out.extend(self._pixels.release_until(now))
        return out

    def flush(self) -> list[CrossingEvent]:
        return self._metres.flush() + self._pixels.flush()


def assign_groups(
    events: list[tuple[CrossingEvent, Position | None]], *, window_s: float = 1.5, distance: float = 1.5
) -> list[CrossingEvent]:
    """Group a whole list of crossings at once (replays, tests); same rules as the streaming form."""
    assigner = GroupAssigner(window_s=window_s, distance=distance)
    out: list[CrossingEvent] = []
    for event, position in sorted(events, key=lambda item: (item[0].ts, item[0].frame_index)):
        out.extend(assigner.push(event, position))
    out.extend(assigner.flush())
    return out
