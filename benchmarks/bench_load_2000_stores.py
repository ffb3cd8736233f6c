"""Load test: 2,000 stores' agents uploading at once to one server on loopback.

What it does, all on this machine and bounded in count and time:

1. starts an embedded PostgreSQL in a temporary folder and migrates it;
2. provisions one organisation with N stores (default 2,000), each with one camera, one
   line and one enrolled device token (through the server's own provisioning code);
3. starts ``footfall server run`` (one uvicorn process, as in deploy/compose.yaml);
4. for R rounds (default 3), every store uploads one minute's batch (``--crossings``
   crossings + coverage) at the same moment, through at most ``--connections`` concurrent
   HTTP connections, as agents coming back after a network outage would;
5. re-sends the first round once (duplicate delivery must be acknowledged, not stored),
   then counts the rows in the database to check nothing was lost or doubled.

It prints, and with ``--write`` stores in benchmarks/results/load_2000_stores.md: sustained
ingest rate (batches/s, crossings/s), latency p50/p95/p99/max, errors by kind, and the
command that produced the numbers.

    .venv/bin/python benchmarks/bench_load_2000_stores.py            # full run (~1–2 min)
    .venv/bin/python benchmarks/bench_load_2000_stores.py --stores 200 --rounds 1   # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from footfall.contracts import CoverageMinute, CrossingRecord, IngestBatch

REPO = Path(__file__).resolve().parents[1]
RESULT = REPO / "benchmarks" / "results" / "load_2000_stores.md"


@dataclass
class Device:
    store_id: str
    camera_id: str
    line_id: str
    token: str
    next_seq: int = 1


@dataclass
class RoundResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    accepted: int = 0
    duplicate: int = 0
    wall_s: float = 0.0
    batches: int = 0
    crossings: int = 0


def build_batch(device: Device, minute: datetime, crossings: int) -> IngestBatch:
    """One minute of one door: ``crossings`` people, half in, half out, and its coverage."""
    records = []
    for k in range(crossings):
        records.append(
            CrossingRecord(
                seq=device.next_seq,
                camera_id=device.camera_id,
                line_id=device.line_id,
                direction="in" if k % 2 == 0 else "out",
                ts=minute + timedelta(seconds=60 * k / max(1, crossings)),
                track_id=k,
                frame_index=k * 10,
            )
        )
        device.next_seq += 1
    coverage = [
        CoverageMinute(
            seq=device.next_seq, camera_id=device.camera_id, minute=minute, processed_s=60.0, fps=10.0
        )
    ]
    device.next_seq += 1
    return IngestBatch(crossings=records, coverage=coverage, sent_at=datetime.now(UTC))


async def upload_round(
    client: BalancedClient, payloads: list[tuple[Device, bytes, int]], connections: int
) -> RoundResult:
    """Every device posts its batch now; a semaphore models the proxy's connection limit."""
    result = RoundResult(batches=len(payloads))
    gate = asyncio.Semaphore(connections)

    async def one(device: Device, body: bytes, crossings: int) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                response = await client.post(
                    "/api/v1/ingest/crossings",
                    content=body,
                    headers={"Authorization": f"Bearer {device.token}", "Content-Type": "application/json"},
                )
            except httpx.HTTPError as error:
                result.errors[type(error).__name__] += 1
                return
            result.latencies_s.append(time.perf_counter() - started)
            if response.status_code != 200:
                result.errors[f"HTTP {response.status_code}"] += 1
                return
            answer = response.json()
            result.accepted += answer["accepted"]
            result.duplicate += answer["duplicate"]
            result.crossings += crossings

    started = time.perf_counter()
    await asyncio.gather(*(one(d, b, c) for d, b, c in payloads))
    result.wall_s = time.perf_counter() - started
    return result


class BalancedClient:
    """Round-robin over several API processes (what Caddy's ``lb_policy round_robin`` does)."""

    def __init__(self, base_urls: list[str], limits: httpx.Limits, timeout: httpx.Timeout) -> None:
        self._clients = [httpx.AsyncClient(base_url=u, limits=limits, timeout=timeout) for u in base_urls]
        self._next = 0

    def _pick(self) -> httpx.AsyncClient:
        self._next = (self._next + 1) % len(self._clients)
        return self._clients[self._next]

    async def get(self, path: str, **kwargs: object) -> httpx.Response:
        return await self._pick().get(path, **kwargs)

    async def post(self, path: str, **kwargs: object) -> httpx.Response:
        return await self._pick().post(path, **kwargs)

    async def __aenter__(self) -> BalancedClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self._clients:
            await client.aclose()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"server did not answer on {url}")


async def run_load(base_urls: list[str], devices: list[Device], args: argparse.Namespace) -> dict:
    """Devices are spread over the API processes round-robin, as a load balancer would."""
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    timeout = httpx.Timeout(args.timeout)
    minute0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=args.rounds + 2)
    rounds: list[RoundResult] = []
    first_round: list[tuple[Device, bytes, int]] = []
    async with BalancedClient(base_urls, limits, timeout) as client:
        # Warm-up: one small request per connection, so connection set-up is not measured.
        await asyncio.gather(*(client.get("/health") for _ in range(min(args.connections, 50))))
        deadline = time.monotonic() + args.max_seconds
        for r in range(args.rounds):
            minute = minute0 + timedelta(minutes=r)
            payloads = [
                (d, build_batch(d, minute, args.crossings).model_dump_json().encode(), args.crossings)
                for d in devices
            ]
            if r == 0:
                first_round = payloads
            rounds.append(await upload_round(client, payloads, args.connections))
            print(_round_line(r + 1, rounds[-1]), flush=True)
            if time.monotonic() > deadline:
                print(f"stopping after {r + 1} round(s): --max-seconds {args.max_seconds} reached")
                break
        replay = await upload_round(client, first_round, args.connections)
        print("replay of round 1 (must be all duplicates): " + _round_line(0, replay), flush=True)
    return {"rounds": rounds, "replay": replay}


def _round_line(number: int, result: RoundResult) -> str:
    rate = result.batches / result.wall_s if result.wall_s else 0
    return (
        f"round {number}: {result.batches} batches in {result.wall_s:.1f} s = {rate:.0f} batches/s, "
        f"{result.crossings / result.wall_s if result.wall_s else 0:.0f} crossings/s, "
        f"p95 {percentile(result.latencies_s, 0.95) * 1000:.0f} ms, errors {dict(result.errors) or 0}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="uploads per store (one minute of data each)")
    parser.add_argument("--crossings", type=int, default=20, help="crossings per batch (a busy minute)")
    parser.add_argument("--connections", type=int, default=200, help="concurrent HTTP connections")
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, seconds")
    parser.add_argument("--max-seconds", type=float, default=240.0, help="stop starting rounds after this")
    parser.add_argument(
        "--servers", type=int, default=1, help="API processes behind the (client-side) balancer"
    )
    parser.add_argument("--copy-rows", type=int, default=200_000, help="rows for the database-alone probe")
    parser.add_argument("--pool-max-size", type=int, default=20, help="server's FOOTFALL_POOL_MAX_SIZE")
    parser.add_argument(
        "--write", action="store_true", help=f"write the report to {RESULT.relative_to(REPO)}"
    )
    parser.add_argument("--append", action="store_true", help="add the report to that file instead")
    args = parser.parse_args()

    from footfall.server.commands import run_migrations
    from footfall.server.db.embedded import start_embedded
    from footfall.server.seed import provision_load_test

    work = Path(tempfile.mkdtemp(prefix="footfall-load-"))
    embedded = start_embedded(work)
    servers: list[subprocess.Popen] = []
    try:
        run_migrations(embedded.dsn)
        started = time.perf_counter()
        rows = provision_load_test(embedded.dsn, stores=args.stores)
        provision_s = time.perf_counter() - started
        devices = [Device(r.store_id, r.camera_id, r.line_id, r.token) for r in rows]
        print(f"provisioned {len(devices)} stores/devices in {provision_s:.1f} s", flush=True)
        env = {
            **os.environ,
            "DATABASE_URL": embedded.dsn,
            "FOOTFALL_DEMO": "1",
            "FOOTFALL_POOL_MAX_SIZE": str(args.pool_max_size),
        }
        base_urls = []
        for _ in range(args.servers):
            port = _free_port()
            servers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "footfall", "server", "run", "--port", str(port)],
                    env=env,
                    start_new_session=True,
                )
            )
            base_urls.append(f"http://127.0.0.1:{port}")
            _wait_http(f"{base_urls[-1]}/health", servers[-1])
        outcome = asyncio.run(run_load(base_urls, devices, args))
        from footfall.server.seed import measure_copy_rate

        outcome["copy_rate"] = measure_copy_rate(embedded.dsn, rows[0], rows=args.copy_rows)
        print(f"database alone (COPY, same table and indexes): {outcome['copy_rate']:.0f} crossings/s")
        stored = count_rows(embedded.dsn)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        embedded.stop()
        shutil.rmtree(work, ignore_errors=True)
    report = render_report(args, outcome, stored, provision_s)
    print(report)
    if args.write or args.append:
        RESULT.parent.mkdir(parents=True, exist_ok=True)
        if args.append and RESULT.exists():
            report = (
                RESULT.read_text(encoding="utf-8").rstrip()
                + "\n\n"
                + report.replace("# Load test", "## Load test", 1)
            )
        RESULT.write_text(report, encoding="utf-8")
        print(f"written to {RESULT.relative_to(REPO)}")
    return 0


def count_rows(dsn: str) -> int:
    from footfall.server.seed import count_crossings

    return count_crossings(dsn)


def render_report(args: argparse.Namespace, outcome: dict, stored: int, provision_s: float) -> str:
    rounds: list[RoundResult] = outcome["rounds"]
    replay: RoundResult = outcome["replay"]
    latencies = [x for r in rounds for x in r.latencies_s]
    wall = sum(r.wall_s for r in rounds)
    batches = sum(r.batches for r in rounds)
    crossings = sum(r.crossings for r in rounds)
    errors = sum((r.errors for r in rounds), Counter())
    sent = batches * args.crossings
    accepted = sum(r.accepted for r in rounds)
    command = "python benchmarks/bench_load_2000_stores.py " + shlex.join(
        a for a in sys.argv[1:] if a not in ("--write", "--append")
    )
    cpu = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Load test: 2,000 stores uploading at once",
        "",
        f"Command: `{command.strip()}` (add `--write` to update this file)",
        "",
        f"Machine: {platform.machine()}, {cpu} CPU cores, shared with other work while measured "
        f"(load average {load} at the end of the run, so these are floors, not ceilings), "
        f"Python {platform.python_version()}, embedded PostgreSQL (plain, no TimescaleDB), "
        f"{args.servers} `footfall server run` process(es) (uvicorn, 1 worker each) balanced round-robin, "
        f"pool max {args.pool_max_size} each; "
        f"client and server on the same machine over loopback. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Load: {args.stores} devices, each posting {len(rounds)} batch(es) of {args.crossings} crossings + "
        f"1 coverage minute, all devices at once per round, through at most {args.connections} "
        "concurrent connections.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| batches | {batches} in {wall:.1f} s |",
        f"| sustained ingest | **{batches / wall:.0f} batches/s, {crossings / wall:.0f} crossings/s** |",
        f"| latency p50 / p95 / p99 / max | {percentile(latencies, 0.5) * 1000:.0f} / "
        f"**{percentile(latencies, 0.95) * 1000:.0f}** / {percentile(latencies, 0.99) * 1000:.0f} / "
        f"{max(latencies, default=float('nan')) * 1000:.0f} ms |",
        f"| errors | {sum(errors.values())} {dict(errors) if errors else ''} |",
        f"| crossings sent / stored in the database | {sent} / {stored} |",
        f"| rows acknowledged as new (crossings + coverage minutes) | {accepted} of {sent + batches} |",
        f"| replay of round 1 | {replay.duplicate} duplicates, {replay.accepted} accepted, "
        f"{sum(replay.errors.values())} errors, {replay.batches / replay.wall_s:.0f} batches/s |",
        f"| provisioning {args.stores} stores + devices | {provision_s:.1f} s |",
        f"| the database alone (COPY of {args.copy_rows} crossings into the same table) | "
        f"{outcome['copy_rate']:.0f} crossings/s, {outcome['copy_rate'] / max(1, crossings / wall):.0f}x the API's rate |",
        "",
        "Per round:",
        "",
        *[f"- {_round_line(i + 1, r)}" for i, r in enumerate(rounds)],
        "",
        "What it means for sizing (see deploy/SCALING.md): a real agent uploads about once a minute,",
        f"so {args.stores} stores need ~{args.stores / 60:.0f} batches/s on average; {args.servers} API process(es) "
        f"sustained {batches / wall:.0f} batches/s here, i.e. {batches / wall * 60:.0f} stores "
        "at one upload a minute, with the burst after an outage drained in "
        f"{rounds[0].wall_s:.0f} s.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
