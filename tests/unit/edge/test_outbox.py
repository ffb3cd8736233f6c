"""The outbox's state machine: pending → in_flight → sent, rejected kept, nothing lost or renumbered."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from footfall.edge.outbox import CoverageDraft, Outbox

from footfall.contracts import CrossingEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def crossing(i: int, direction: str = "in") -> CrossingEvent:
    return CrossingEvent(
        camera_id="cam-1",
        line_id="door",
        direction=direction,
        ts=T0 + timedelta(seconds=i),
        track_id=i,
        frame_index=i * 5,
    )


def coverage(minute: int) -> CoverageDraft:
    return CoverageDraft("cam-1", T0 + timedelta(minutes=minute), 59.5, 9.8)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox(tmp_path: Path, clock: Clock) -> Outbox:
    box = Outbox(tmp_path / "outbox.sqlite3", first_seq=1, clock=clock)
    yield box
    box.close()


def test_append_numbers_crossings_and_coverage_in_one_device_sequence(outbox: Outbox) -> None:
    records, minutes = outbox.append([crossing(1), crossing(2)], [coverage(0)])
    assert [r.seq for r in records] == [1, 2]
    assert [m.seq for m in minutes] == [3]
    assert records[0].model_dump(exclude={"seq"}) == crossing(1).model_dump()
    assert minutes[0].processed_s == 59.5
    assert outbox.stats().pending == 3


def test_sequence_survives_restart_and_pruning_of_the_newest_rows(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "o.sqlite3"
    with Outbox(path, first_seq=1, clock=clock) as box:
        records, _ = box.append([crossing(i) for i in range(3)])
        claim = box.claim(max_rows=10, max_bytes=10**6)
        box.mark_sent(claim.seqs)
        clock.now += 40 * 86400
        assert box.prune_sent(older_than_days=30) == 3
    with Outbox(path, first_seq=1, clock=clock) as box:
        again, _ = box.append([crossing(9)])
    assert again[0].seq == records[-1].seq + 1, "a seq is never reused, even after its row is pruned"


def test_a_new_outbox_starts_numbering_at_the_current_time(tmp_path: Path, clock: Clock) -> None:
    with Outbox(tmp_path / "fresh.sqlite3", clock=clock) as box:
        records, _ = box.append([crossing(1)])
    assert records[0].seq == int(clock.now * 1_000_000)


def test_claim_moves_oldest_pending_rows_in_flight_by_count(outbox: Outbox) -> None:
    outbox.append([crossing(i) for i in range(5)])
    claim = outbox.claim(max_rows=3, max_bytes=10**6)
    assert claim.seqs == [1, 2, 3]
    assert [outbox.state_of(s) for s in range(1, 6)] == ["in_flight"] * 3 + ["pending"] * 2
    second = outbox.claim(max_rows=3, max_bytes=10**6)
    assert second.seqs == [4, 5], "rows in flight are not claimed twice"
    assert len(outbox.claim(max_rows=3, max_bytes=10**6)) == 0


def test_claim_respects_the_byte_budget_but_always_takes_one_row(outbox: Outbox) -> None:
    outbox.append([crossing(i) for i in range(10, 20)])  # equally long rows
    one_row = outbox.claim(max_rows=100, max_bytes=1).bytes
    outbox.release([1])
    claim = outbox.claim(max_rows=100, max_bytes=one_row * 4)
    assert len(claim) == 4
    assert claim.bytes <= one_row * 4


def test_claim_returns_crossings_and_coverage_separately(outbox: Outbox) -> None:
    outbox.append([crossing(1)], [coverage(0), coverage(1)])
    claim = outbox.claim(max_rows=10, max_bytes=10**6)
    assert [r.seq for r in claim.crossings] == [1]
    assert [c.seq for c in claim.coverage] == [2, 3]
    assert claim.coverage[1].minute == T0 + timedelta(minutes=1)


def test_ack_release_and_reject_move_only_in_flight_rows(outbox: Outbox) -> None:
    outbox.append([crossing(i) for i in range(4)])
    outbox.claim(max_rows=4, max_bytes=10**6)
    assert outbox.mark_sent([1]) == 1
    assert outbox.release([2]) == 1
    assert outbox.reject([3], "422 invalid_input: ts in the future") == 1
    assert outbox.release([1, 3]) == 0, "sent and rejected rows cannot go back to pending"
    assert [outbox.state_of(s) for s in range(1, 5)] == ["sent", "pending", "rejected", "in_flight"]
    stats = outbox.stats()
    assert (stats.pending, stats.in_flight, stats.sent, stats.rejected) == (1, 1, 1, 1)
    assert stats.backlog == 2
    [kept] = outbox.rejected_rows()
    assert kept.seq == 3 and "ts in the future" in kept.reason and kept.body["track_id"] == 2


def test_requeue_rejected_after_an_operator_fix(outbox: Outbox) -> None:
    outbox.append([crossing(1)])
    outbox.claim(max_rows=1, max_bytes=10**6)
    outbox.reject([1], "bad")
    assert outbox.requeue_rejected() == 1
    assert outbox.state_of(1) == "pending"


def test_in_flight_rows_are_recovered_at_start_up(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "o.sqlite3"
    box = Outbox(path, first_seq=1, clock=clock)
    box.append([crossing(i) for i in range(3)])
    box.claim(max_rows=2, max_bytes=10**6)
    box._db.close()  # as if the process was killed mid-upload: no orderly close
    reopened = Outbox(path, first_seq=1, clock=clock)
    assert reopened.recovered == 2
    assert [reopened.state_of(s) for s in (1, 2, 3)] == ["pending"] * 3
    assert reopened.claim(max_rows=10, max_bytes=10**6).seqs == [1, 2, 3]
    reopened.close()


def test_retention_prunes_only_old_sent_rows(outbox: Outbox, clock: Clock) -> None:
    outbox.append([crossing(i) for i in range(4)])
    outbox.claim(max_rows=4, max_bytes=10**6)
    outbox.mark_sent([1, 2])
    outbox.reject([3], "refused")
    outbox.release([4])
    clock.now += 5 * 86400
    assert outbox.prune_sent(older_than_days=7) == 0, "too young"
    clock.now += 30 * 86400
    assert outbox.prune_sent(older_than_days=7) == 2
    assert outbox.state_of(1) is None
    assert outbox.state_of(3) == "rejected", "rejected rows are never pruned silently"
    assert outbox.state_of(4) == "pending", "unsent rows are never pruned"


def test_stats_report_oldest_unsent_event_and_disk_budget(tmp_path: Path, clock: Clock) -> None:
    with Outbox(tmp_path / "o.sqlite3", first_seq=1, clock=clock, disk_budget_bytes=10**9) as roomy:
        roomy.append([crossing(5), crossing(2)])
        stats = roomy.stats()
        assert stats.oldest_unsent_at == T0 + timedelta(seconds=2)
        assert stats.disk_used_bytes > 0 and not stats.disk_budget_exceeded
    with Outbox(tmp_path / "small.sqlite3", first_seq=1, clock=clock, disk_budget_bytes=1024) as small:
        small.append([crossing(i) for i in range(50)])
        stats = small.stats()
        assert stats.disk_budget_exceeded
        assert stats.pending == 50, "over budget, the outbox still keeps every count"


def test_durability_settings_are_wal_with_full_sync(outbox: Outbox) -> None:
    assert outbox._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_appended_rows_are_visible_to_another_connection_at_once(outbox: Outbox) -> None:
    outbox.append([crossing(1)])
    other = sqlite3.connect(outbox.path)
    try:
        assert other.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
    finally:
        other.close()


def test_concurrent_appends_from_camera_threads_get_unique_seqs(outbox: Outbox) -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def camera(offset: int) -> None:
        for i in range(50):
            records, _ = outbox.append([crossing(offset + i)])
            with lock:
                seen.extend(r.seq for r in records)

    threads = [threading.Thread(target=camera, args=(k * 1000,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(1, 201))


def test_advance_sequence_jumps_above_numbers_the_server_already_holds(outbox: Outbox) -> None:
    outbox.append([crossing(1)])
    outbox.advance_sequence(500)
    records, _ = outbox.append([crossing(2)])
    assert records[0].seq == 501
    outbox.advance_sequence(10)
    assert outbox.append([crossing(3)])[0][0].seq == 502, "never goes backwards"
