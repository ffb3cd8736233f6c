"""The counting state machine: tracked foot points in, committed line crossings out (pure logic).

Semantics (DESIGN.md §4), and why each rule is there:

- **Foot point, dead band.** A person's side of a line is decided by the bottom centre of
  their box, ignoring positions within a dead band around the line. The band scales with
  the person's box height, because a detector's foot point jitters by a fraction of the
  person's size, not by a fixed number of pixels.
- **Hidden feet.** When someone walks in front of a person, the box ends at the passer's
  head and its bottom jumps up across any line in between. A box much shorter than the
  person has been, whose top is where the person's motion puts it, has its feet at
  ``top + height`` (:mod:`.feet`); when the feet are inside a nearer person's box, even a
  slightly short box is checked that way.
- **A corrected estimate is not a step.** When the reference height behind the hidden-feet
  estimate turns out wrong (taken from a box merged with someone) and is dropped, the foot
  point jumps; for someone standing still (``reanchor_on_refit`` body heights per second or
  slower) their sides start afresh instead of counting the jump (seen with yolov8n on a
  figure in the CAVIAR shop window, first boxed together with a passer-by).
- **Nobody leaps from a stand.** Someone who has stood still for ``still_s`` and is, at the
  next sighting, ``leap_from_still`` body heights away did not walk there: the tracker put
  their id on someone else's box (a figure in a shop window boxed together with a shopper
  arriving in front of it). Their sides start afresh; the leap itself never counts (seen on
  the CAVIAR door at 6 frames/s with the input sized by the people: the figure "came out").
- **Late count with hysteresis.** A crossing is committed only after the new side has held
  for ``hold_frames`` observations, or when the track ends on the new side. Someone who
  hovers on the threshold or steps over and straight back never counts (back-and-forth
  cancels); someone who leaves, lingers outside and comes back in counts out *and* in.
- **Only the segment.** The path from the last position on the old side to the first on
  the new side must pass through the segment; walking round its end does not count.
- **Gap bridging.** A track that vanishes (occlusion, a missed detection, an id switch in
  the tracker) and a new track that appears near where it vanished within ``gap_s`` are
  the same person, so the crossing is counted once. A "person" the tracker held for only a
  frame or two (a partial box, a reflection) is a weak identity: a reappearing track joins
  it only when no properly seen person is within reach, otherwise that glimpse steals the
  identity of the person who really walked on (seen on PETS: a walker lost in a crowd at
  the line came back joined to a two-frame ghost, and their crossing was never counted),
  and only within ``glimpse_gap_s`` of it; a box less than half as wide as the lost
  person's last one (or twice as wide) is someone else, since a box cut by an occluder keeps
  its width. Both keep the figures in a shop window (mannequins the detector boxes now and
  then, a step inside the door) from swapping identities with shoppers walking past (seen on
  the CAVIAR door at 8 and 12.5 frames/s).
- **A gap ends the hold.** A person unseen for longer than a detector's blink
  (``commit_after_gap_s``) has, for the line, ended their track: a pending crossing commits
  before a reappearing track is joined to them. Otherwise someone who vanishes through a shop
  door just after stepping over, followed by someone else coming out there, is one "person"
  stepping over and back, and both crossings cancel (seen on the CAVIAR corridor camera).
  For the same reason a person back after such a gap on the other side of a line, joined by
  bridging or kept by the tracker, has crossed it while unseen: that crossing needs no hold
  (``resume_commits``; seen on the same clip played backwards, in the dark and at 6 frames/s,
  where the one walking in is last boxed on the threshold).
- **Segment ends are exact.** A tolerance at the ends (in pixels or box heights) was
  measured on 60+ lines: it turns as many misses into double counts as it fixes, because
  the foot point's error along the line is unbiased (median 1.3 px against the annotation).
- **Eviction.** State of a person unseen for ``gap_s`` is closed (pending crossings
  committed) and dropped, so memory stays flat on a camera that runs for months.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from footfall.edge.counting.feet import FeetSettings, FeetState, locate_feet
from footfall.edge.counting.lines import INSIDE, ON_LINE, CountingLine, Point
from footfall.edge.tracks import Box

from footfall.contracts import Direction


@dataclass(frozen=True, slots=True)
class CounterSettings:
    """Tunable rules of the counter; defaults measured on PETS 2009 and CAVIAR."""

    band_fraction: float = 0.04  # dead band half-width, as a fraction of the person's box height
    min_band_px: float = 1.5
    max_band_px: float = 30.0
    hold_frames: int = 2  # observations on the new side before a crossing is committed ...
    hold_s: float = 0.25  # ... and for at least this long (so the rule means the same at 7 and 25 fps)
    duplicate_overlap: float = 0.75  # a box this much inside another one, same feet: one person, two boxes
    duplicate_foot: float = 0.13  # feet closer than this (in box heights) for a duplicate
    #: A dropped duplicate this close to the kept box (IoU) is a twin track on one body: its own
    #: person forgets their sides, so that track, going on alone later, does not count again.
    twin_iou: float | None = 0.85
    gap_s: float = 2.0  # a vanished track may reappear (bridged) this long; then its state is closed
    commit_after_gap_s: float = 0.3  # unseen this long: pending crossings commit as at a track's end
    bridge_radius: float = 0.5  # how far (in box heights) a reappearing track may be from where the lost one
    bridge_growth: float = 0.6  # ... was heading, plus this many box heights per second of gap
    #: ... or, for someone who never moved (their feet within ``unmoved_radius`` body heights of
    #: where first seen), their own height, not a bigger box's that comes along, and this growth:
    #: a figure in a shop window does not walk off (None: as for everyone).
    bridge_growth_unmoved: float | None = 0.0
    unmoved_radius: float = 0.25
    end_margin_px: float = 0.0  # extra length at each end of the segment that still counts
    settled_observations: int = 3  # a lost "person" seen fewer times is bridged only when no one else fits
    glimpse_gap_s: float = 1.0  # ... and only within this long of their last sighting
    bridge_width_ratio: float = 0.5  # a box this much narrower (or wider) than the lost one's: not them
    end_zone: float = 0.1  # side changes this close to a segment end (in body heights) are "at the end"
    reanchor_on_refit: float = 0.2  # standing (body heights/s) when the feet refit: sides afresh
    resume_commits: bool = True  # back after such a gap on the other side: that crossing needs no hold
    #: Standing still (``still_s`` or longer), then the foot point this many body heights away at
    #: the next sighting: not a step but someone else's box (None: off). Sides start afresh.
    leap_from_still: float | None = 0.5
    still_s: float = 1.0
    feet: FeetSettings | None = field(default_factory=FeetSettings)  # None: the foot is always the box bottom

    def __post_init__(self) -> None:
        if self.hold_frames < 1 or self.gap_s <= 0 or self.band_fraction < 0 or self.commit_after_gap_s <= 0:
            raise ValueError(
                "hold_frames must be >= 1, gap_s > 0, commit_after_gap_s > 0 and band_fraction >= 0"
            )


@dataclass(frozen=True, slots=True)
class Observation:
    """One tracked person in one frame."""

    track_id: int
    box: Box
    confidence: float = 1.0

    @property
    def foot(self) -> Point:
        x1, _, x2, y2 = self.box
        return ((x1 + x2) / 2.0, y2)

    @property
    def height(self) -> float:
        return max(1.0, self.box[3] - self.box[1])

    @property
    def width(self) -> float:
        return max(1.0, self.box[2] - self.box[0])


@dataclass(frozen=True, slots=True)
class Crossing:
    """A committed crossing. ``person_id`` is stable across bridged track gaps."""

    line_id: str
    direction: Direction
    person_id: int
    frame_index: int  # the first frame the person stood on the new side
    t: float
    wall: datetime
    confidence: float


@dataclass(slots=True)
class _Pending:
    side: int
    count: int
    origin: Point  # last foot point on the old side
    first: Point  # first foot point on the new side
    frame_index: int
    t: float
    wall: datetime


@dataclass(slots=True)
class _LineState:
    stable: int | None = None
    anchor: Point | None = None
    pending: _Pending | None = None


@dataclass(slots=True)
class _Person:
    person_id: int
    track_id: int
    last_frame: int
    last_t: float
    last_foot: Point
    last_height: float
    first_foot: Point | None = None
    moved: bool = False  # ever more than ``unmoved_radius`` body heights from ``first_foot``
    last_width: float = 0.0
    velocity: Point = (0.0, 0.0)  # foot point, pixels per second (smoothed)
    confidence_sum: float = 0.0
    observations: int = 0
    lines: dict[str, _LineState] = field(default_factory=dict)
    feet: FeetState = field(default_factory=FeetState)
    resumed: bool = False  # this observation ends a gap of at least ``commit_after_gap_s``
    still_since: float | None = None  # when the person last started standing still (None: moving)

    @property
    def confidence(self) -> float:
        return self.confidence_sum / self.observations if self.observations else 0.0


class LineCounter:
    """Counts crossings of several lines by the people of one camera."""

    def __init__(self, lines: Sequence[CountingLine], settings: CounterSettings | None = None) -> None:
        ids = [line.line_id for line in lines]
        if len(ids) != len(set(ids)):
            raise ValueError(f"line ids must be unique, got {ids}")
        self.lines = list(lines)
        self.settings = settings or CounterSettings()
        self._people: dict[int, _Person] = {}
        self._by_track: dict[int, int] = {}  # tracker id -> person id
        self._next_person = 1_000_000_000  # only used when a tracker id is already taken
        #: Per line: side changes at a segment end (counted or not), see :meth:`_note_end_traffic`.
        self.end_traffic: dict[str, int] = {}

    @property
    def active_people(self) -> int:
        """People whose state is held (for memory checks)."""
        return len(self._people)

    def has_person(self, person_id: int) -> bool:
        return person_id in self._people

    def person_id(self, track_id: int) -> int | None:
        """Which person a tracker id currently belongs to (after gap bridging)."""
        return self._by_track.get(track_id)

    def update(
        self, frame_index: int, t: float, wall: datetime, observations: Iterable[Observation]
    ) -> list[Crossing]:
        """Advance by one processed frame; returns the crossings committed in it."""
        crossings: list[Crossing] = []
        seen: set[int] = set()
        everyone = list(observations)
        kept = self._without_duplicates(everyone)
        if self.settings.twin_iou is not None and len(kept) < len(everyone):
            self._forget_twins([obs for obs in everyone if obs not in kept], kept)
        for obs in kept:
            person = self._person_for(obs, frame_index, t, seen, crossings)
            if person.person_id in seen:
                continue  # two boxes for one person in one frame: keep the first
            seen.add(person.person_id)
            foot, height = self._feet(person, obs, t, _behind_someone(obs, kept))
            if self._leapt_from_still(person, foot, t):
                _start_afresh(person)
            dt = t - person.last_t
            if person.observations and dt > 0:
                vx, vy = (foot[0] - person.last_foot[0]) / dt, (foot[1] - person.last_foot[1]) / dt
                person.velocity = (0.6 * person.velocity[0] + 0.4 * vx, 0.6 * person.velocity[1] + 0.4 * vy)
            if math.hypot(*person.velocity) >= self.settings.reanchor_on_refit * height:
                person.still_since = None
            elif person.still_since is None:
                person.still_since = t
            if person.first_foot is None:
                person.first_foot = foot
            elif not person.moved:
                person.moved = math.dist(foot, person.first_foot) > self.settings.unmoved_radius * height
            person.last_frame, person.last_t = frame_index, t
            person.last_foot, person.last_height = foot, height
            person.last_width = obs.width
            person.confidence_sum += obs.confidence
            person.observations += 1
            for line in self.lines:
                crossing = self._step(person, line, foot, height, frame_index, t, wall)
                if crossing is not None:
                    crossings.append(crossing)
            person.resumed = False
        crossings.extend(self._evict(t))
        return crossings

    def finish(self) -> list[Crossing]:
        """The stream ended: commit what is pending and forget everyone."""
        crossings = [c for person in self._people.values() for c in self._close(person)]
        self._people.clear()
        self._by_track.clear()
        return crossings

    # -- internals -------------------------------------------------------------------------

    def _person_for(
        self, obs: Observation, frame_index: int, t: float, seen: set[int], crossings: list[Crossing]
    ) -> _Person:
        """The person ``obs`` belongs to: by tracker id, else a lost person it continues, else new.

        Crossings committed because a lost person was unseen too long go to ``crossings``.
        """
        person_id = self._by_track.get(obs.track_id)
        if person_id is not None and person_id in self._people:
            person = self._people[person_id]
            if person.last_frame < frame_index and t - person.last_t >= self.settings.commit_after_gap_s:
                person.resumed = self.settings.resume_commits  # the tracker kept the id over the gap
            return person
        lost = self._nearest_lost(obs, frame_index, t, seen)
        if lost is not None:
            if t - lost.last_t >= self.settings.commit_after_gap_s:
                crossings.extend(self._close(lost))
                lost.resumed = self.settings.resume_commits
            self._by_track.pop(lost.track_id, None)
            lost.track_id = obs.track_id
            self._by_track[obs.track_id] = lost.person_id
            return lost
        person_id = obs.track_id
        if person_id in self._people:
            person_id, self._next_person = self._next_person, self._next_person + 1
        person = _Person(person_id, obs.track_id, frame_index, t, obs.foot, obs.height)
        self._people[person_id] = person
        self._by_track[obs.track_id] = person_id
        return person

    def _without_duplicates(self, observations: list[Observation]) -> list[Observation]:
        """Drop a second box on the same person (a partial box inside a full one, feet together).

        The detector sometimes reports a person twice and the tracker then keeps two tracks;
        both would count. Keep the track the counter has known longest.
        """
        if len(observations) < 2:
            return observations
        ranked = sorted(observations, key=self._seniority)
        kept: list[Observation] = []
        for obs in ranked:
            if not any(self._same_person(obs, other) for other in kept):
                kept.append(obs)
        return kept

    def _forget_twins(self, dropped: list[Observation], kept: list[Observation]) -> None:
        """A dropped box that is nearly the kept one (``twin_iou``) is the same body: its track's
        person starts their sides afresh.

        Seen with TrackTrack on the CAVIAR door in the dark: two ids on the man leaving, one
        dropped as his duplicate for a second, then going on alone once the other was lost,
        still "inside" from before, and counting his exit again.
        """
        threshold = self.settings.twin_iou
        assert threshold is not None
        for obs in dropped:
            person_id = self._by_track.get(obs.track_id)
            twin = self._people.get(person_id) if person_id is not None else None
            if twin is None:
                continue
            for other in kept:
                if self._by_track.get(other.track_id) != person_id and _iou(obs.box, other.box) >= threshold:
                    _start_afresh(twin)
                    break

    def _seniority(self, obs: Observation) -> tuple[int, int]:
        person_id = self._by_track.get(obs.track_id)
        person = self._people.get(person_id) if person_id is not None else None
        return (0, -person.observations) if person is not None else (1, obs.track_id)

    def _same_person(self, a: Observation, b: Observation) -> bool:
        ax1, ay1, ax2, ay2 = a.box
        bx1, by1, bx2, by2 = b.box
        iw = min(ax2, bx2) - max(ax1, bx1)
        ih = min(ay2, by2) - max(ay1, by1)
        if iw <= 0 or ih <= 0:
            return False
        smaller = min((ax2 - ax1) * (ay2 - ay1), (bx2 - bx1) * (by2 - by1))
        if iw * ih < self.settings.duplicate_overlap * smaller:
            return False
        return math.dist(a.foot, b.foot) <= self.settings.duplicate_foot * max(a.height, b.height)

    def _nearest_lost(self, obs: Observation, frame_index: int, t: float, seen: set[int]) -> _Person | None:
        best: _Person | None = None
        best_distance = math.inf
        foot = obs.foot
        for person in self._people.values():
            if (
                person.person_id in seen
                or person.last_frame >= frame_index
                or t - person.last_t > self.settings.gap_s
            ):
                continue
            dt = t - person.last_t
            unmoved_growth = self.settings.bridge_growth_unmoved
            if person.moved or unmoved_growth is None:
                height, growth = max(person.last_height, obs.height), self.settings.bridge_growth
            else:
                height, growth = person.last_height, unmoved_growth
            radius = height * (self.settings.bridge_radius + growth * dt)
            expected = (
                person.last_foot[0] + person.velocity[0] * dt,
                person.last_foot[1] + person.velocity[1] * dt,
            )
            distance = math.dist(expected, foot)
            if distance > radius:
                continue
            narrow, wide = sorted((obs.width, person.last_width))
            if narrow < self.settings.bridge_width_ratio * wide:
                continue  # an occluder cuts a box's height, not its width: someone (or something) else
            if person.observations < self.settings.settled_observations:
                if dt >= self.settings.glimpse_gap_s:
                    continue
                distance += radius  # a glimpse: only when no settled person is within reach
            if distance < best_distance:
                best, best_distance = person, distance
        return best

    def _feet(self, person: _Person, obs: Observation, t: float, occluded: bool) -> tuple[Point, float]:
        """Foot point and full height: the box's, unless the box is cut or merged at one end."""
        if self.settings.feet is None:
            return obs.foot, obs.height
        located = locate_feet(person.feet, obs.box, t, person.velocity[1], self.settings.feet, occluded)
        if person.feet.refitted:
            person.feet.refitted = False
            speed = math.hypot(*person.velocity)
            if speed < self.settings.reanchor_on_refit * located[1]:
                _start_afresh(person)  # a corrected estimate is not a step
        return located

    def _leapt_from_still(self, person: _Person, foot: Point, t: float) -> bool:
        """Someone standing still is, one sighting later, far away: that box is not their step."""
        leap = self.settings.leap_from_still
        if leap is None or not person.observations or person.resumed:
            return False
        if t - person.last_t >= self.settings.commit_after_gap_s:
            return False
        still = person.still_since is not None and person.last_t - person.still_since >= self.settings.still_s
        return still and math.dist(foot, person.last_foot) > leap * person.last_height

    def _band(self, height: float) -> float:
        s = self.settings
        return min(s.max_band_px, max(s.min_band_px, s.band_fraction * height))

    def _step(
        self,
        person: _Person,
        line: CountingLine,
        foot: Point,
        height: float,
        frame_index: int,
        t: float,
        wall: datetime,
    ) -> Crossing | None:
        state = person.lines.get(line.line_id)
        if state is None:
            state = person.lines[line.line_id] = _LineState()
        side = line.side(foot, self._band(height))
        if side == ON_LINE:
            return None
        if state.stable is None or side == state.stable:
            state.stable, state.anchor, state.pending = side, foot, None  # back-and-forth cancels here
            return None
        pending = state.pending
        if pending is None or pending.side != side:
            pending = state.pending = _Pending(side, 0, state.anchor or foot, foot, frame_index, t, wall)
        pending.count += 1
        if not person.resumed and (
            pending.count < self.settings.hold_frames or t - pending.t < self.settings.hold_s
        ):
            return None
        state.stable, state.anchor, state.pending = side, foot, None
        return self._crossing(person, line, pending)

    def _crossing(self, person: _Person, line: CountingLine, pending: _Pending) -> Crossing | None:
        self._note_end_traffic(person, line, pending)
        if not line.crosses(pending.origin, pending.first, self.settings.end_margin_px):
            return None  # changed half-plane round the end of the segment
        return Crossing(
            line_id=line.line_id,
            direction="in" if pending.side == INSIDE else "out",
            person_id=person.person_id,
            frame_index=pending.frame_index,
            t=pending.t,
            wall=pending.wall,
            confidence=min(1.0, max(0.0, person.confidence)),
        )

    def _note_end_traffic(self, person: _Person, line: CountingLine, pending: _Pending) -> None:
        """Count side changes that pass within ``end_zone`` body heights of an end, inside or out.

        Whether such a person counts is decided by a few pixels of foot-point error, so a line
        whose ends are in the flow of people counts noisily: the installer should extend it.
        """
        where = line.crossing_point(pending.origin, pending.first)
        if where is None:
            return
        zone = self.settings.end_zone * person.last_height / max(line.length, 1.0)
        if -zone <= where <= zone or 1.0 - zone <= where <= 1.0 + zone:
            self.end_traffic[line.line_id] = self.end_traffic.get(line.line_id, 0) + 1

    def _close(self, person: _Person) -> list[Crossing]:
        """Commit the person's pending crossings, as when their track ends on the new side."""
        crossings = []
        for line in self.lines:
            state = person.lines.get(line.line_id)
            if state is not None and state.pending is not None:
                pending = state.pending
                state.stable, state.anchor, state.pending = pending.side, pending.first, None
                crossing = self._crossing(person, line, pending)
                if crossing is not None:
                    crossings.append(crossing)
        return crossings

    def _evict(self, t: float) -> list[Crossing]:
        stale = [p for p in self._people.values() if t - p.last_t > self.settings.gap_s]
        crossings: list[Crossing] = []
        for person in stale:
            crossings.extend(self._close(person))
            del self._people[person.person_id]
            if self._by_track.get(person.track_id) == person.person_id:
                del self._by_track[person.track_id]
        return crossings


def _behind_someone(obs: Observation, others: Sequence[Observation]) -> bool:
    """Whether ``obs``'s foot point lies inside the box of someone nearer the camera (lower feet)."""
    fx, fy = obs.foot
    return any(
        other is not obs and other.box[0] < fx < other.box[2] and other.box[1] < fy < other.box[3]
        for other in others
    )


def _iou(a: Box, b: Box) -> float:
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _start_afresh(person: _Person) -> None:
    """Forget which side of each line the person was on: the next positions set it anew."""
    for state in person.lines.values():
        state.stable, state.anchor, state.pending = None, None, None
