"""Move counts from the outbox to the server: batched, acknowledged, never dropped.

One cycle (:meth:`Uploader.send_once`): claim the oldest pending rows (by count and by
bytes), POST them as one :class:`~footfall.contracts.IngestBatch`, then

- **acknowledged** → the rows become ``sent`` (accepted or already held: the server's insert
  is idempotent, so a batch delivered twice can never double-count);
- **transient failure** (network, timeout, 408/425/429, 5xx) → the rows go back to
  ``pending``; the next try waits an exponential backoff with jitter (or the server's
  ``Retry-After``), so a fleet of agents coming back after an outage does not stampede;
- **unauthorised** (401/403) → rows go back to ``pending``, the uploader waits the maximum
  backoff and the health report says the device needs re-enrolling;
- **rejected** (another 4xx) → the batch is split in halves until the refused rows are
  isolated; each refused row is kept aside (``rejected``) with the server's reason, the
  others are delivered. Nothing is dropped and nothing is retried forever.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from footfall.edge.config import UploaderSettings
from footfall.edge.device_client import DeviceClient, ServerAnswered, is_unauthorised
from footfall.edge.errors import OutboxError, UploadError
from footfall.edge.outbox import Outbox

from footfall.contracts import CoverageMinute, CrossingRecord, IngestBatch

log = logging.getLogger(__name__)

UploaderState = Literal["idle", "ok", "retrying", "unauthorised"]


class Backoff:
    """Exponential backoff with "equal jitter": half the step fixed, half random.

    Why not full jitter: a delay of almost zero right after a failure would hammer a server
    that just fell over; half the step is the floor.
    """

    def __init__(self, initial_s: float, maximum_s: float, rng: Callable[[], float] = random.random) -> None:
        self.initial_s = initial_s
        self.maximum_s = maximum_s
        self._rng = rng
        self.failures = 0

    def next_delay(self) -> float:
        step = min(self.maximum_s, self.initial_s * (2.0**self.failures))
        self.failures += 1
        return step / 2.0 + self._rng() * step / 2.0

    def reset(self) -> None:
        self.failures = 0


@dataclass
class UploadOutcome:
    """What one cycle did; ``error`` is set when rows went back to pending."""

    claimed: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    error: UploadError | None = None
    requests: int = 0

    @property
    def delivered(self) -> int:
        return self.accepted + self.duplicate


@dataclass
class UploaderStatus:
    state: UploaderState = "idle"
    last_error: str | None = None
    last_success_at: datetime | None = None
    consecutive_failures: int = 0
    delivered_total: int = 0
    rejected_total: int = 0
    next_attempt_in_s: float = 0.0
    events: list[str] = field(default_factory=list)


class Uploader:
    def __init__(
        self,
        outbox: Outbox,
        client: DeviceClient,
        settings: UploaderSettings,
        *,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._outbox = outbox
        self._client = client
        self._settings = settings
        self._backoff = Backoff(settings.backoff_initial_s, settings.backoff_max_s, rng)
        self.status = UploaderStatus()

    # -- one cycle ------------------------------------------------------------------------

    def send_once(self) -> UploadOutcome:
        """Claim one batch and deliver it. Never raises for network or server errors."""
        claim = self._outbox.claim(
            max_rows=self._settings.batch_max_rows, max_bytes=self._settings.batch_max_bytes
        )
        outcome = UploadOutcome(claimed=len(claim))
        if not claim:
            self.status.state = "idle" if self.status.state != "unauthorised" else "unauthorised"
            return outcome
        try:
            self._deliver(list(claim.crossings), list(claim.coverage), outcome)
        except UploadError as error:
            outcome.error = error
        finally:
            # Whatever was neither acknowledged nor rejected goes back to pending.
            self._outbox.release(claim.seqs)
        self._record(outcome)
        return outcome

    def _deliver(
        self, crossings: list[CrossingRecord], coverage: list[CoverageMinute], outcome: UploadOutcome
    ) -> None:
        batch = IngestBatch(crossings=crossings, coverage=coverage, sent_at=datetime.now(UTC))
        seqs = [r.seq for r in crossings] + [c.seq for c in coverage]
        outcome.requests += 1
        try:
            result = self._client.post_batch(batch)
        except ServerAnswered as error:
            if error.transient or is_unauthorised(error):
                raise
            if len(seqs) == 1:
                self._outbox.reject(seqs, error.reason)
                outcome.rejected += 1
                return
            # Isolate the refused rows: one bad count must not hold back its neighbours.
            rows: list[CrossingRecord | CoverageMinute] = [*crossings, *coverage]
            half = len(rows) // 2
            for part in (rows[:half], rows[half:]):
                self._deliver(
                    [r for r in part if isinstance(r, CrossingRecord)],
                    [r for r in part if isinstance(r, CoverageMinute)],
                    outcome,
                )
            return
        if result.accepted + result.duplicate != len(seqs):
            log.warning(
                "uploader: server acknowledged %d+%d rows of a batch of %d",
                result.accepted,
                result.duplicate,
                len(seqs),
            )
        self._outbox.mark_sent(seqs)
        outcome.accepted += result.accepted
        outcome.duplicate += result.duplicate
        if result.max_seq is not None and result.max_seq > self._outbox.last_seq():
            log.error(
                "uploader: the server holds seq %d but this outbox only reached %d; "
                "numbering continues above the server's",
                result.max_seq,
                self._outbox.last_seq(),
            )
            self._outbox.advance_sequence(result.max_seq)

    def _record(self, outcome: UploadOutcome) -> None:
        status = self.status
        status.delivered_total += outcome.delivered
        status.rejected_total += outcome.rejected
        if outcome.error is None:
            status.state = "ok"
            status.last_error = None
            status.consecutive_failures = 0
            status.last_success_at = datetime.now(UTC)
            self._backoff.reset()
            return
        status.consecutive_failures += 1
        status.last_error = str(outcome.error)
        if is_unauthorised(outcome.error):
            status.state = "unauthorised"
            log.error(
                "uploader: the server refuses this device's token (%s); re-enrol the device", outcome.error
            )
        else:
            status.state = "retrying"
            log.warning("uploader: %s; will retry", outcome.error)

    # -- the loop -------------------------------------------------------------------------

    def delay_after(self, outcome: UploadOutcome) -> float:
        """How long to wait before the next cycle."""
        if outcome.error is not None:
            if is_unauthorised(outcome.error):
                return self._settings.backoff_max_s
            delay = self._backoff.next_delay()
            retry_after = getattr(outcome.error, "retry_after_s", None)
            if retry_after is not None:
                delay = max(delay, min(retry_after, self._settings.backoff_max_s))
            return delay
        if outcome.claimed == 0:
            return self._settings.idle_interval_s
        return 0.0

    def run(self, stop: threading.Event) -> None:
        """Upload until ``stop`` is set. Outbox errors are logged and retried, never fatal."""
        while not stop.is_set():
            try:
                outcome = self.send_once()
            except OutboxError as error:
                log.error("uploader: %s", error)
                stop.wait(self._settings.backoff_max_s / 10.0)
                continue
            delay = self.delay_after(outcome)
            self.status.next_attempt_in_s = delay
            if delay:
                stop.wait(delay)

    def drain(self, *, deadline_s: float) -> int:
        """At shutdown: deliver what is pending until done, the first failure, or the deadline."""
        end = time.monotonic() + deadline_s
        delivered = 0
        while time.monotonic() < end:
            outcome = self.send_once()
            delivered += outcome.delivered
            if outcome.error is not None or outcome.claimed == 0:
                break
        return delivered
