"""Ingest throughput through the real HTTP API, and traffic-query latency on a chain-sized database.

1. **Ingest**: ``footfall server run`` in its own process (uvicorn, the real app and pool)
   against a real PostgreSQL; client threads POST pre-built ``IngestBatch`` bodies to
   ``/api/v1/ingest/crossings`` for batch sizes 100 … 5,000. Events/s = events accepted
   (stored and binned into the 15-minute rollups) per wall-clock second. Re-posting the same
   batches then measures the duplicate path.
2. **Query**: a year of 15-minute traffic and coverage for N stores (default 1,000; bins while
   the stores are open, default 12 h a day) is bulk-generated straight into the rollup tables;
   then ``GET /stores/{id}/traffic`` for a whole year at 15-min and at day granularity, for
   random stores, through the same HTTP server: p50/p95 latency. Plain PostgreSQL path
   unless ``--database-url`` points at a TimescaleDB.

Run:  .venv/bin/python benchmarks/bench_ingest.py [--stores 1000] [--days 365] [--open-hours 12]
      [--events 100000] [--clients 2] [--queries 40] [--database-url postgresql://...]
Targets (2-core machine): >= 20,000 events/s; p95 <= 150 ms for the 1,000-store year query.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from footfall.server import provisioning
from footfall.server.commands import run_migrations

REPO = Path(__file__).resolve().parent.parent

# Benchmark-only bulk generator (not server code): one row per store, bin and adult class.
_GENERATE_TRAFFIC = """
INSERT INTO traffic_15min (store_id, camera_id, line_id, person_class, bucket_start, entrance_id, in_count, out_count)
SELECT c.store_id, c.camera_id, 'door', 'adult', b, c.entrance_id,
       (abs(hashtext(c.store_id || b::text)) %% 40), (abs(hashtext(b::text || c.store_id)) %% 40)
FROM cameras c JOIN stores s USING (store_id)
CROSS JOIN generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval '15 minutes', interval '15 minutes') b
WHERE s.org_id = %(org_id)s AND extract(hour FROM b) >= 8 AND extract(hour FROM b) < 8 + %(open_hours)s
"""
_GENERATE_COVERAGE = """
INSERT INTO coverage_15min (store_id, camera_id, bucket_start, covered_s)
SELECT store_id, camera_id, bucket_start, 900 FROM traffic_15min t
WHERE t.store_id IN (SELECT store_id FROM stores WHERE org_id = %(org_id)s)
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--stores", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--open-hours", type=int, default=12)
    parser.add_argument("--events", type=int, default=100_000, help="events per batch size")
    parser.add_argument("--batch-sizes", default="100,1000,5000")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--skip-query", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument(
        "--data-dir",
        help="keep the embedded database here; a later run reuses the generated year (no regeneration)",
    )
    args = parser.parse_args()

    embedded = None
    dsn = args.database_url
    if not dsn:
        from footfall.server.db.embedded import start_embedded

        embedded = start_embedded(Path(args.data_dir or tempfile.mkdtemp(prefix="footfall-bench-")))
        dsn = embedded.dsn
    try:
        run_migrations(dsn)
        with psycopg.connect(dsn) as conn:
            timescale = conn.execute(
                "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'"
            ).fetchone()[0]
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version}, TimescaleDB {'on' if timescale else 'off'}; {os.cpu_count()} CPU(s)")
        server = _server(dsn)
        with server as base_url:
            if not args.skip_ingest:
                _bench_ingest(dsn, base_url, args, server.process.pid)
            if not args.skip_query:
                _bench_query(dsn, base_url, args)
    finally:
        if embedded is not None:
            embedded.stop()
            if not args.data_dir:
                shutil.rmtree(embedded.pgdata.parent, ignore_errors=True)
    return 0


class _server:
    """``footfall server run`` in a child process on a free port."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def __enter__(self) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": self.dsn,
            "FOOTFALL_SECRET_KEY": secrets.token_urlsafe(32),
            "FOOTFALL_INGEST_BATCHES_PER_SECOND": "100000",
            "FOOTFALL_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
            "FOOTFALL_POOL_MAX_SIZE": "8",
        }
        cmd = [sys.executable, "-m", "footfall.cli", "server", "run", "--port", str(port)]
        self.process = subprocess.Popen(cmd, env=env, cwd=REPO)
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("the server did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _bench_ingest(dsn: str, base: str, args: argparse.Namespace, server_pid: int) -> None:
    with psycopg.connect(dsn) as conn:
        world = provisioning.create_demo_world(conn, timezones=("Europe/Berlin",) * max(1, args.clients))
    print(
        f"\nIngest: POST /api/v1/ingest/crossings, {args.clients} client thread(s), {args.events:,} events per size"
    )
    print(
        f"{'batch':>6} {'events/s':>10} {'batches/s':>10} {'p50 ms':>8} {'p95 ms':>8}  {'duplicates/s':>12} "
        f"{'events/CPU-s':>14}"
    )
    seq = 0
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    for size in [int(s) for s in args.batch_sizes.split(",")]:
        per_client = max(1, args.events // size // args.clients)
        bodies: list[list[bytes]] = []
        for c in range(args.clients):
            store = world.stores[c]
            mine = []
            for _ in range(per_client):
                crossings = []
                for _ in range(size):
                    seq += 1
                    ts = start + timedelta(milliseconds=seq * 37 % (86_400_000 * 30))
                    crossings.append(
                        {
                            "seq": seq,
                            "camera_id": store.camera_id,
                            "line_id": store.line_id,
                            "direction": "in" if seq % 2 else "out",
                            "ts": ts.isoformat(),
                            "track_id": seq,
                            "frame_index": seq,
                        }
                    )
                mine.append(json.dumps({"crossings": crossings, "sent_at": start.isoformat()}).encode())
            bodies.append(mine)
        tokens = [world.stores[c].device_token for c in range(args.clients)]
        cpu0 = _cpu_seconds(dsn, server_pid)
        rate, batches_s, p50, p95, accepted = _post_all(base, bodies, tokens)
        cpu = _cpu_seconds(dsn, server_pid) - cpu0
        expected = per_client * size * args.clients
        assert accepted == expected, f"accepted {accepted} of {expected}"
        dup_rate, *_, dup_accepted = _post_all(base, bodies, tokens)
        assert dup_accepted == 0
        per_cpu = expected / cpu if cpu > 0 else float("nan")
        print(
            f"{size:>6} {rate:>10,.0f} {batches_s:>10,.1f} {p50:>8.1f} {p95:>8.1f}  {dup_rate:>12,.0f} {per_cpu:>14,.0f}"
        )


def _cpu_seconds(dsn: str, server_pid: int) -> float:
    """CPU seconds used so far by the API process and the PostgreSQL server's processes (same machine only)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks

    with psycopg.connect(dsn) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    try:
        postmaster = int(Path(data_dir, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return cpu(server_pid)
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return cpu(server_pid) + cpu(postmaster) + sum(cpu(p) for p in children)


def _post_all(
    base: str, bodies: list[list[bytes]], tokens: list[str]
) -> tuple[float, float, float, float, int]:
    latencies: list[float] = []

    def client(c: int) -> int:
        n = 0
        headers = {"Authorization": f"Bearer {tokens[c]}", "Content-Type": "application/json"}
        with httpx.Client(base_url=base, timeout=120) as http:
            for body in bodies[c]:
                t = time.perf_counter()
                answer = http.post("/api/v1/ingest/crossings", content=body, headers=headers)
                latencies.append((time.perf_counter() - t) * 1000)
                answer.raise_for_status()
                n += answer.json()["accepted"]
        return n

    events = sum(len(json.loads(b)["crossings"]) for bs in bodies for b in bs)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(bodies)) as pool:
        accepted = sum(pool.map(client, range(len(bodies))))
    elapsed = time.perf_counter() - t0
    p = statistics.quantiles(latencies, n=20, method="inclusive") if len(latencies) > 1 else latencies * 19
    return events / elapsed, len(latencies) / elapsed, statistics.median(latencies), p[18], accepted


def _bench_query(dsn: str, base: str, args: argparse.Namespace) -> None:
    print(
        f"\nQuery: {args.stores:,} stores x {args.days} days of 15-min bins ({args.open_hours} h open a day)"
    )
    end = datetime(2026, 1, 1, tzinfo=UTC)
    begin = end - timedelta(days=args.days)
    with psycopg.connect(dsn) as conn:
        found = conn.execute(
            "SELECT s.org_id, u.email FROM stores s JOIN users u ON u.org_id = s.org_id AND u.role = 'hq_admin' "
            "WHERE s.code = %s LIMIT 1",
            (f"B{args.stores - 2}",),
        ).fetchone()
    if found:
        print("reusing the year generated by an earlier run")
        org_id, email = str(found[0]), found[1]
    else:
        org_id, email = _generate_year(dsn, args, begin, end)
    _time_queries(base, dsn, args, org_id, email, begin, end)


def _generate_year(dsn: str, args: argparse.Namespace, begin: datetime, end: datetime) -> tuple[str, str]:
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        world = provisioning.create_demo_world(conn, timezones=("Europe/Berlin",))
        for n in range(args.stores - 1):
            tz = "Europe/Berlin" if n % 2 else "America/New_York"
            store_id = provisioning.create_store(
                conn, world.org_id, code=f"B{n}", name=f"Bench {n}", timezone=tz
            )
            entrance = provisioning.create_entrance(conn, store_id, name="Main")
            provisioning.create_camera(conn, store_id, name="Door", entrance_id=entrance)
        conn.commit()
        params = {"org_id": world.org_id, "start": begin, "end": end, "open_hours": args.open_hours}
        # Bulk load only: skip row triggers (the KPI day totals of migration 0005, which traffic
        # reads do not use); needs a superuser, as the embedded database has.
        conn.execute("SET session_replication_role = replica")
        rows = conn.execute(_GENERATE_TRAFFIC, params).rowcount
        conn.execute(_GENERATE_COVERAGE, params)
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE traffic_15min")
        conn.execute("VACUUM ANALYZE coverage_15min")
        total = conn.execute("SELECT count(*) FROM traffic_15min").fetchone()[0]
    print(
        f"generated {rows:,} traffic bins (+ as many coverage bins) in {time.perf_counter() - t0:.0f} s; "
        f"traffic_15min holds {total:,} rows"
    )
    return world.org_id, world.users["hq_admin"]


def _time_queries(
    base: str, dsn: str, args: argparse.Namespace, org_id: str, email: str, begin: datetime, end: datetime
) -> None:
    import random

    with psycopg.connect(dsn) as conn:
        store_ids = [r[0] for r in conn.execute("SELECT store_id FROM stores WHERE org_id = %s", (org_id,))]
    with httpx.Client(base_url=base, timeout=60) as http:
        token = http.post("/api/v1/auth/login", json={"email": email, "password": provisioning.TEST_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        first, last = begin.date(), (end - timedelta(days=1)).date()
        rng = random.Random(7)
        print(
            f"{'granularity':>12} {'buckets':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu ms/query':>14}"
        )
        for granularity in ("15min", "hour", "day", "week"):
            timings, buckets = [], 0
            for _ in range(args.queries):
                store_id = rng.choice(store_ids)
                t = time.perf_counter()
                answer = http.get(
                    f"/api/v1/stores/{store_id}/traffic",
                    params={"start": first.isoformat(), "end": last.isoformat(), "granularity": granularity},
                    headers=headers,
                )
                timings.append((time.perf_counter() - t) * 1000)
                answer.raise_for_status()
                buckets = len(answer.json()["buckets"])
            p = statistics.quantiles(timings, n=20, method="inclusive")
            cpu = _cpu_per_query(dsn, store_ids, first, last, granularity, rng, max(5, args.queries // 4))
            print(
                f"{granularity:>12} {buckets:>8,} {statistics.median(timings):>8.1f} {p[18]:>8.1f} "
                f"{max(timings):>8.1f} {cpu:>14.1f}"
            )


def _cpu_per_query(dsn: str, store_ids: list[str], first, last, granularity: str, rng, n: int) -> float:  # type: ignore[no-untyped-def]
    """Median CPU ms of one read (Python assembly + its PostgreSQL backend), in-process.

    On a shared machine wall-clock latency mostly measures the queue for a core; CPU time
    says what the query itself costs on an idle core.
    """
    from footfall.server.traffic import read_traffic

    ticks = os.sysconf("SC_CLK_TCK")
    samples = []
    with psycopg.connect(dsn) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        stat = Path(f"/proc/{backend}/stat")
        if not stat.exists():
            return float("nan")

        def backend_cpu() -> float:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks

        for _ in range(n):
            store_id = rng.choice(store_ids)
            c0, b0 = time.process_time(), backend_cpu()
            body = read_traffic(conn, store_id, first, last, granularity=granularity)
            json.dumps(body)
            samples.append((time.process_time() - c0 + backend_cpu() - b0) * 1000)
            conn.rollback()
    return statistics.median(samples)


if __name__ == "__main__":
    raise SystemExit(main())
