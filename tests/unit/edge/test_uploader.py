"""The uploader's error handling, against a fake server behind ``httpx.MockTransport`` (no patches)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from footfall.edge.config import UploaderSettings
from footfall.edge.device_client import DeviceClient
from footfall.edge.outbox import CoverageDraft, Outbox
from footfall.edge.uploader import Backoff, Uploader

from footfall.contracts import CrossingEvent, IngestBatch

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SETTINGS = UploaderSettings(batch_max_rows=100, backoff_initial_s=1.0, backoff_max_s=60.0)


def crossing(i: int) -> CrossingEvent:
    return CrossingEvent(
        camera_id="cam-1",
        line_id="door",
        direction="in",
        ts=T0 + timedelta(seconds=i),
        track_id=i,
        frame_index=i,
    )


class FakeIngest:
    """An idempotent server: remembers seqs; ``script`` holds canned responses to play first."""

    def __init__(self) -> None:
        self.held: set[int] = set()
        self.requests: list[httpx.Request] = []
        self.script: list[httpx.Response | Exception] = []
        self.refuse_track_ids: set[int] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        batch = IngestBatch.model_validate_json(request.content)
        bad = [r for r in batch.crossings if r.track_id in self.refuse_track_ids]
        if bad:
            return httpx.Response(
                422,
                json={
                    "error": "invalid_input",
                    "message": "the batch is invalid",
                    "details": [
                        {"field": "crossings.0.line_id", "message": f"unknown line (track {bad[0].track_id})"}
                    ],
                },
            )
        seqs = [r.seq for r in batch.crossings] + [c.seq for c in batch.coverage]
        fresh = [s for s in seqs if s not in self.held]
        self.held.update(seqs)
        headers = {"Date": format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)}
        body = {"accepted": len(fresh), "duplicate": len(seqs) - len(fresh), "max_seq": max(self.held)}
        return httpx.Response(200, json=body, headers=headers)


@pytest.fixture
def server() -> FakeIngest:
    return FakeIngest()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    box = Outbox(tmp_path / "o.sqlite3", first_seq=1)
    yield box
    box.close()


@pytest.fixture
def uploader(outbox: Outbox, server: FakeIngest) -> Uploader:
    client = DeviceClient("https://footfall.test", "tok-123", transport=httpx.MockTransport(server))
    return Uploader(outbox, client, SETTINGS, rng=lambda: 0.5)


def test_a_delivered_batch_marks_rows_sent(uploader: Uploader, outbox: Outbox, server: FakeIngest) -> None:
    outbox.append([crossing(1), crossing(2)], [CoverageDraft("cam-1", T0, 60.0, 10.0)])
    outcome = uploader.send_once()
    assert (outcome.accepted, outcome.duplicate, outcome.error) == (3, 0, None)
    assert outbox.stats().sent == 3 and outbox.stats().backlog == 0
    [request] = server.requests
    assert request.url.path == "/api/v1/ingest/crossings"
    assert request.headers["Authorization"] == "Bearer tok-123"
    sent = json.loads(request.content)
    assert [r["seq"] for r in sent["crossings"]] == [1, 2]
    assert sent["coverage"][0]["seq"] == 3
    assert uploader.status.state == "ok"


def test_the_same_batch_delivered_twice_is_acknowledged_as_duplicate(
    uploader: Uploader, outbox: Outbox, server: FakeIngest
) -> None:
    outbox.append([crossing(1), crossing(2)])
    server.held.update({1, 2})  # a first delivery whose answer was lost
    outcome = uploader.send_once()
    assert (outcome.accepted, outcome.duplicate) == (0, 2)
    assert outbox.stats().sent == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("timed out"),
        httpx.Response(503, json={"error": "unavailable", "message": "database restarting"}),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(429, json={"error": "rate_limited", "message": "slow down"}),
        httpx.Response(408),
        httpx.Response(200, text="not json"),
    ],
    ids=["connect", "timeout", "503", "502-html", "429", "408", "garbled-2xx"],
)
def test_transient_failures_put_rows_back_to_pending(
    uploader: Uploader, outbox: Outbox, server: FakeIngest, failure: object
) -> None:
    outbox.append([crossing(1), crossing(2)])
    server.script.append(failure)
    outcome = uploader.send_once()
    assert outcome.error is not None and outcome.error.transient
    assert outbox.stats().pending == 2 and outbox.stats().in_flight == 0
    assert uploader.status.state == "retrying"
    retry = uploader.send_once()
    assert retry.error is None and retry.accepted == 2


def test_backoff_grows_with_jitter_and_resets_after_success(
    uploader: Uploader, outbox: Outbox, server: FakeIngest
) -> None:
    outbox.append([crossing(1)])
    delays = []
    for _ in range(4):
        server.script.append(httpx.Response(503))
        delays.append(uploader.delay_after(uploader.send_once()))
    assert delays == [0.75, 1.5, 3.0, 6.0]  # half fixed + rng 0.5 of the other half
    ok = uploader.send_once()
    assert ok.error is None
    assert uploader.delay_after(ok) == 0.0, "more may be pending: go on at once"
    assert uploader.delay_after(uploader.send_once()) == SETTINGS.idle_interval_s
    server.script.append(httpx.Response(503))
    outbox.append([crossing(2)])
    assert uploader.delay_after(uploader.send_once()) == 0.75, "the backoff starts over after a success"


def test_backoff_is_capped() -> None:
    backoff = Backoff(1.0, 10.0, rng=lambda: 1.0)
    assert [backoff.next_delay() for _ in range(6)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    low = Backoff(1.0, 10.0, rng=lambda: 0.0)
    assert [low.next_delay() for _ in range(3)] == [0.5, 1.0, 2.0]


def test_retry_after_is_honoured(uploader: Uploader, outbox: Outbox, server: FakeIngest) -> None:
    outbox.append([crossing(1)])
    server.script.append(httpx.Response(429, headers={"Retry-After": "42"}))
    assert uploader.delay_after(uploader.send_once()) == 42.0


def test_an_unauthorised_device_keeps_its_rows_and_waits_long(
    uploader: Uploader, outbox: Outbox, server: FakeIngest
) -> None:
    outbox.append([crossing(1)])
    server.script.append(httpx.Response(401, json={"error": "unauthorised", "message": "device revoked"}))
    outcome = uploader.send_once()
    assert outcome.error is not None and not outcome.error.transient
    assert outbox.stats().pending == 1 and outbox.stats().rejected == 0
    assert uploader.status.state == "unauthorised"
    assert "device revoked" in uploader.status.last_error
    assert uploader.delay_after(outcome) == SETTINGS.backoff_max_s


def test_a_rejected_row_is_isolated_and_kept_aside_with_the_servers_reason(
    uploader: Uploader, outbox: Outbox, server: FakeIngest
) -> None:
    outbox.append([crossing(i) for i in range(1, 8)])
    server.refuse_track_ids = {5}
    outcome = uploader.send_once()
    assert outcome.error is None
    assert outcome.rejected == 1 and outcome.accepted == 6
    stats = outbox.stats()
    assert (stats.sent, stats.rejected, stats.backlog) == (6, 1, 0)
    [kept] = outbox.rejected_rows()
    assert kept.body["track_id"] == 5
    assert "422 invalid_input" in kept.reason and "unknown line" in kept.reason
    assert server.held == {1, 2, 3, 4, 6, 7}
    assert uploader.send_once().claimed == 0, "a rejected row is not retried forever"


def test_a_transient_failure_while_isolating_keeps_the_rest_pending(
    uploader: Uploader, outbox: Outbox, server: FakeIngest
) -> None:
    outbox.append([crossing(i) for i in range(1, 5)])
    server.script = [httpx.Response(400, json={"error": "bad", "message": "no"}), httpx.Response(503)]
    outcome = uploader.send_once()
    assert outcome.error is not None and outcome.error.transient
    assert outbox.stats().pending == 4 and outbox.stats().rejected == 0


def test_batches_are_limited_by_rows(outbox: Outbox, server: FakeIngest) -> None:
    client = DeviceClient("https://footfall.test", "t", transport=httpx.MockTransport(server))
    small = Uploader(outbox, client, UploaderSettings(batch_max_rows=2), rng=lambda: 0.5)
    outbox.append([crossing(i) for i in range(5)])
    assert small.drain(deadline_s=5) == 5
    assert [len(json.loads(r.content)["crossings"]) for r in server.requests] == [2, 2, 1]


def test_a_server_ahead_of_the_outbox_moves_its_numbering_up(
    uploader: Uploader, outbox: Outbox, server: FakeIngest
) -> None:
    server.held.add(10_000)  # this device's old, lost outbox had reached 10000
    outbox.append([crossing(1)])
    uploader.send_once()
    records, _ = outbox.append([crossing(2)])
    assert records[0].seq == 10_001


def test_clock_offset_comes_from_the_date_header(uploader: Uploader, outbox: Outbox) -> None:
    outbox.append([crossing(1)])
    uploader.send_once()
    offset = uploader._client.clock_offset_s
    assert offset is not None and 29 <= offset <= 31.5
