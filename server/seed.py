"""The demo chain: who the retailer is, and 90 days of what happened in its stores.

Two halves, kept apart on purpose:

- **The plan and the history are pure.** :func:`demo_chain` describes the organisation,
  regions, stores, cameras, lines and demo logins; :func:`store_history` turns one store and
  a time window into crossings, coverage, POS transactions and staff shifts, and
  :func:`crm_customers` invents the CRM. Both are seeded, so the same seed gives the same
  chain to the row, and tests check the shape of the traffic without a database.
- **The loader** (:func:`seed_demo`) writes it with ``COPY`` (a million rows in seconds) and
  only when the chain is missing, so a second ``footfall demo`` resumes with the same data.

Traffic itself comes from :mod:`footfall.demo_traffic`, which the edge simulator also uses
for live counts, so the live curve continues the seeded one.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from footfall.server.settings import DEMO_PASSWORD  # re-exported: the demo prints it

from footfall.demo_traffic import (
    CHILD_SHARE,
    OpeningHours,
    TrafficProfile,
    day_factor,
    dwell_minutes,
    hour_share,
    poisson,
)

log = logging.getLogger(__name__)

ORG_NAME = "Northwind Outfitters (demo)"
#: The one password every demo login uses; accepted only when the server runs with FOOTFALL_DEMO=1.
DEMO_EMAIL_DOMAIN = "demo.footfall.example"
HISTORY_DAYS = 90
#: Raw crossings and coverage minutes are loaded for the most recent days only; older days exist as 15-minute rollups,
#: exactly what a retention policy leaves behind (deploy/SCALING.md). Keeps the seed fast.
RAW_DAYS = 14


@dataclass(frozen=True)
class RegionPlan:
    code: str
    name: str
    country: str
    timezone: str
    currency: str
    locale: str
    weather_seed: int


@dataclass(frozen=True)
class EntrancePlan:
    """One door: one camera above it and one counting line across it."""

    entrance_id: str
    name: str
    camera_id: str
    line_id: str
    share: float  # of the store's visitors using this door


@dataclass(frozen=True)
class StorePlan:
    code: str
    name: str
    region: RegionPlan
    address: str
    floor_area_m2: float
    base_daily_visitors: float
    conversion: float  # share of adult visitors who buy
    average_basket: float  # in the store's currency
    opening: OpeningHours
    entrances: tuple[EntrancePlan, ...]
    simulated: bool = True  # False: counted live from real footage when FOOTFALL_DEMO_VIDEO is set
    noise_seed: int = 0

    @property
    def traffic(self) -> TrafficProfile:
        return TrafficProfile(
            country=self.region.country,
            base_daily_visitors=self.base_daily_visitors,
            opening=self.opening,
            weather_seed=self.region.weather_seed,
            noise_seed=self.noise_seed,
        )

    @property
    def timezone(self) -> str:
        return self.region.timezone


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str
    region_code: str | None = None
    store_codes: tuple[str, ...] = ()
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoChain:
    org_name: str
    regions: tuple[RegionPlan, ...]
    stores: tuple[StorePlan, ...]
    users: tuple[DemoUser, ...]
    customers: int = 3_000

    def store(self, code: str) -> StorePlan:
        return next(s for s in self.stores if s.code == code)


_UK_HOURS = OpeningHours(((8, 20),) * 5 + ((8, 19), (10, 16)))
_NY_HOURS = OpeningHours(((9, 21),) * 5 + ((9, 22), (11, 19)))
_ALWAYS = OpeningHours(((0, 24),) * 7, closed_on_holidays=frozenset())

# code, name, address, m², visitors/day, conversion, basket, hours, doors
_STORES = {
    "LON": [
        ("LON-01", "London Oxford Street", "401 Oxford St, London W1C", 850, 900, 0.18, 46.0, _UK_HOURS, 2),
        ("LON-02", "London Covent Garden", "12 Long Acre, London WC2E", 420, 520, 0.22, 52.0, _UK_HOURS, 1),
        ("LON-03", "London King's Cross", "Station Concourse, London N1C", 180, 750, 0.31, 14.5, _ALWAYS, 1),
        ("LON-04", "London Canary Wharf", "Cabot Place, London E14", 300, 320, 0.27, 61.0, _UK_HOURS, 1),
    ],
    "SOU": [
        (
            "SOU-01",
            "Brighton Churchill Square",
            "Churchill Sq, Brighton BN1",
            520,
            380,
            0.21,
            39.0,
            _UK_HOURS,
            1,
        ),
        ("SOU-02", "Southampton WestQuay", "WestQuay, Southampton SO15", 610, 430, 0.19, 41.0, _UK_HOURS, 2),
        ("SOU-03", "Bristol Cabot Circus", "Glass House, Bristol BS1", 480, 340, 0.23, 43.5, _UK_HOURS, 1),
        ("SOU-04", "Bath Southgate", "Southgate St, Bath BA1", 260, 230, 0.26, 48.0, _UK_HOURS, 1),
    ],
    "NYC": [
        (
            "NYC-01",
            "New York Fifth Avenue",
            "720 5th Ave, New York, NY 10019",
            900,
            950,
            0.16,
            68.0,
            _NY_HOURS,
            2,
        ),
        ("NYC-02", "New York SoHo", "110 Prince St, New York, NY 10012", 380, 480, 0.2, 74.0, _NY_HOURS, 1),
        (
            "NYC-03",
            "New York Penn Station",
            "Penn Station, New York, NY 10001",
            150,
            650,
            0.33,
            12.0,
            _ALWAYS,
            1,
        ),
        (
            "NYC-04",
            "Brooklyn Williamsburg",
            "150 N 6th St, Brooklyn, NY 11249",
            330,
            280,
            0.24,
            57.0,
            _NY_HOURS,
            1,
        ),
    ],
}


def demo_chain() -> DemoChain:
    """The demo retailer: 3 regions, 12 stores in two time zones, a login for every role."""
    regions = (
        RegionPlan("LON", "Greater London", "GB", "Europe/London", "GBP", "en_GB", 11),
        RegionPlan("SOU", "South of England", "GB", "Europe/London", "GBP", "en_GB", 23),
        RegionPlan("NYC", "New York", "US", "America/New_York", "USD", "en_US", 37),
    )
    stores = []
    for region in regions:
        for n, (code, name, address, area, visitors, conversion, basket, hours, doors) in enumerate(
            _STORES[region.code]
        ):
            entrances = tuple(
                EntrancePlan(
                    entrance_id=f"{code.lower()}-door-{d + 1}",
                    name="Main entrance" if d == 0 else "Side entrance",
                    camera_id=f"{code.lower()}-cam-{d + 1}",
                    line_id=f"{code.lower()}-line-{d + 1}",
                    share=(0.7 if d == 0 else 0.3) if doors == 2 else 1.0,
                )
                for d in range(doors)
            )
            stores.append(
                StorePlan(
                    code=code,
                    name=name,
                    region=region,
                    address=address,
                    floor_area_m2=float(area),
                    base_daily_visitors=float(visitors),
                    conversion=conversion,
                    average_basket=basket,
                    opening=hours,
                    entrances=entrances,
                    simulated=code != "LON-02",
                    noise_seed=region.weather_seed * 100 + n,
                )
            )
    users = (
        DemoUser(f"hq@{DEMO_EMAIL_DOMAIN}", "Harriet Quinn", "hq_admin"),
        DemoUser(f"analyst@{DEMO_EMAIL_DOMAIN}", "Ana Lytic", "analyst"),
        DemoUser(f"london.region@{DEMO_EMAIL_DOMAIN}", "Rhys Morgan", "regional_manager", region_code="LON"),
        DemoUser(f"ny.region@{DEMO_EMAIL_DOMAIN}", "Dana Brooks", "regional_manager", region_code="NYC"),
        DemoUser(
            f"oxford.manager@{DEMO_EMAIL_DOMAIN}", "Sam Patel", "store_manager", store_codes=("LON-01",)
        ),
        DemoUser(
            f"covent.manager@{DEMO_EMAIL_DOMAIN}", "Maya Clarke", "store_manager", store_codes=("LON-02",)
        ),
        # Installers see only the stores assigned to them; the demo's installs the whole chain.
        DemoUser(
            f"installer@{DEMO_EMAIL_DOMAIN}",
            "Ivan Stall",
            "installer",
            store_codes=tuple(s.code for s in stores),
        ),
    )
    return DemoChain(ORG_NAME, regions, tuple(stores), users)


# -- history (pure) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Crossing:
    ts: datetime  # UTC
    camera_id: str
    line_id: str
    direction: str
    person_class: str


@dataclass(frozen=True)
class Transaction:
    transaction_id: str
    ts: datetime  # UTC
    amount: float
    items: int
    customer_ref: str | None


@dataclass(frozen=True)
class Shift:
    day: date  # local
    staff_ref: str
    starts: datetime  # UTC
    ends: datetime  # UTC


@dataclass
class StoreHistory:
    store: StorePlan
    crossings: list[Crossing] = field(default_factory=list)
    #: seconds each camera was counting, per (camera_id, UTC quarter hour)
    coverage: dict[tuple[str, datetime], float] = field(default_factory=dict)
    transactions: list[Transaction] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)


def history_window(now: datetime, days: int = HISTORY_DAYS) -> tuple[datetime, datetime]:
    """``days`` whole days back from midnight UTC, up to ``now`` (the minute it was seeded)."""
    now = now.astimezone(UTC).replace(second=0, microsecond=0)
    start = (now - timedelta(days=days)).replace(hour=0, minute=0)
    return start, now


def store_history(
    store: StorePlan, start: datetime, end: datetime, *, seed: int, customer_refs: list[str]
) -> StoreHistory:
    """Everything that happened in ``store`` between ``start`` and ``end`` (UTC), deterministically."""
    rng = random.Random(f"{seed}:{store.code}")
    zone = ZoneInfo(store.timezone)
    history = StoreHistory(store)
    profile = store.traffic
    doors = list(store.entrances)
    local_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    shift_counter = 0
    while local_day <= last_day:
        factor = day_factor(profile, local_day)
        day_visitors = 0
        for hour in range(24):
            share = hour_share(profile, local_day, hour)
            if share == 0.0 or factor == 0.0:
                continue
            hour_start = _local_hour_utc(local_day, hour, zone)
            if hour_start is None or hour_start >= end or hour_start + timedelta(hours=1) <= start:
                continue
            _cover(history.coverage, doors, hour_start, start, end)
            arrivals = poisson(rng, store.base_daily_visitors * factor * share)
            day_visitors += arrivals
            for _ in range(arrivals):
                arrived = hour_start + timedelta(seconds=rng.uniform(0, 3600))
                _visit(history, rng, store, doors, arrived, end, customer_refs)
        if day_visitors:
            shift_counter = _shifts(history, rng, store, local_day, zone, day_visitors, end, shift_counter)
        local_day += timedelta(days=1)
    history.crossings.sort(key=lambda c: c.ts)
    history.transactions.sort(key=lambda t: t.ts)
    return history


def _visit(
    history: StoreHistory,
    rng: random.Random,
    store: StorePlan,
    doors: list[EntrancePlan],
    arrived: datetime,
    end: datetime,
    customer_refs: list[str],
) -> None:
    person_class = "child" if rng.random() < CHILD_SHARE else "adult"
    door_in = _door(rng, doors)
    if arrived < end:
        history.crossings.append(Crossing(arrived, door_in.camera_id, door_in.line_id, "in", person_class))
    left = arrived + timedelta(minutes=dwell_minutes(rng))
    door_out = _door(rng, doors)
    if left < end:
        history.crossings.append(Crossing(left, door_out.camera_id, door_out.line_id, "out", person_class))
    if person_class == "adult" and rng.random() < store.conversion:
        paid = arrived + (left - arrived) * rng.uniform(0.7, 0.95)
        if paid < end:
            items = 1 + min(11, int(rng.expovariate(0.7)))
            amount = round(store.average_basket * rng.lognormvariate(0, 0.45) * (0.75 + 0.1 * items), 2)
            customer = rng.choice(customer_refs) if customer_refs and rng.random() < 0.42 else None
            history.transactions.append(
                Transaction(
                    f"{store.code}-{uuid.UUID(int=rng.getrandbits(128))}", paid, amount, items, customer
                )
            )


def _door(rng: random.Random, doors: list[EntrancePlan]) -> EntrancePlan:
    """Which door a visitor uses, by the doors' shares (a plain loop: this runs a million times)."""
    if len(doors) == 1:
        return doors[0]
    pick = rng.random()
    for door in doors:
        pick -= door.share
        if pick < 0:
            return door
    return doors[-1]


def _cover(
    coverage: dict[tuple[str, datetime], float],
    doors: list[EntrancePlan],
    hour_start: datetime,
    start: datetime,
    end: datetime,
) -> None:
    """Every camera counted the whole open hour, clipped to the window; by UTC quarter hour."""
    for quarter in range(4):
        bucket = hour_start + timedelta(minutes=15 * quarter)
        seconds = (min(end, bucket + timedelta(minutes=15)) - max(start, bucket)).total_seconds()
        if seconds <= 0:
            continue
        for door in doors:
            key = (door.camera_id, bucket)
            coverage[key] = coverage.get(key, 0.0) + seconds


def _shifts(
    history: StoreHistory,
    rng: random.Random,
    store: StorePlan,
    day: date,
    zone: ZoneInfo,
    visitors: int,
    end: datetime,
    counter: int,
) -> int:
    span = store.opening.hours(day) or (0, 24)
    opens = datetime(day.year, day.month, day.day, span[0] % 24, tzinfo=zone).astimezone(UTC)
    length = timedelta(hours=span[1] - span[0])
    staff = max(2, round(visitors / 70))
    for k in range(staff):
        starts = opens - timedelta(minutes=30) + (length / 2 if k % 2 else timedelta(0))
        ends = min(starts + length / 2 + timedelta(hours=1), opens + length + timedelta(minutes=30))
        if starts >= end:
            continue
        history.shifts.append(Shift(day, f"{store.code}-S{(k % 9) + 1:02d}", starts, min(ends, end)))
        door = store.entrances[0]
        # Staff walk through the door too; the counter marks them and analytics hide them.
        for moment, direction in ((starts, "in"), (ends, "out")):
            if moment < end:
                history.crossings.append(Crossing(moment, door.camera_id, door.line_id, direction, "staff"))
        counter += 1
    return counter


def _local_hour_utc(day: date, hour: int, zone: ZoneInfo) -> datetime | None:
    """UTC start of a local hour; ``None`` for the hour a spring-forward skips."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


# -- CRM (pure) ------------------------------------------------------------------------------

_FIRST = ("Olivia", "Noah", "Amelia", "Liam", "Isla", "Ethan", "Ava", "Lucas", "Mia", "Leo", "Zara",
          "Omar", "Priya", "Chen", "Sofia", "Mateo", "Grace", "Arjun", "Chloe", "Kai")  # fmt: skip
_LAST = ("Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Garcia", "Khan", "Nguyen", "Murphy",
         "Wilson", "Evans", "Lopez", "Cohen", "Okafor", "Rossi", "Kim", "Singh", "Walker", "Hughes")  # fmt: skip
_TIERS = (("bronze", 0.62), ("silver", 0.27), ("gold", 0.11))


@dataclass(frozen=True)
class Customer:
    customer_ref: str
    first_name: str
    last_name: str
    email: str
    home_store_code: str
    tier: str
    joined_on: date
    marketing_consent: bool


def crm_customers(chain: DemoChain, *, seed: int, today: date) -> list[Customer]:
    """A CRM of ``chain.customers`` loyalty members; bigger stores have more members."""
    rng = random.Random(f"{seed}:crm")
    stores = list(chain.stores)
    weights = [s.base_daily_visitors for s in stores]
    tiers, tier_weights = zip(*_TIERS, strict=True)
    customers = []
    for n in range(1, chain.customers + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        customers.append(
            Customer(
                customer_ref=f"CRM-{n:06d}",
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{n}@example.com".lower(),
                home_store_code=rng.choices(stores, weights)[0].code,
                tier=rng.choices(tiers, tier_weights)[0],
                joined_on=today - timedelta(days=int(rng.expovariate(1 / 500))),
                marketing_consent=rng.random() < 0.58,
            )
        )
    return customers


def customer_refs_by_store(chain: DemoChain, customers: list[Customer]) -> dict[str, list[str]]:
    """Which members shop where: mostly their home store, some anywhere in the chain."""
    everyone = [c.customer_ref for c in customers]
    by_store: dict[str, list[str]] = {s.code: [] for s in chain.stores}
    for c in customers:
        by_store[c.home_store_code].append(c.customer_ref)
    # 4 of 5 sales to members go to the store's own members; the rest to anyone.
    return {code: refs * 4 + everyone[: max(1, len(refs))] for code, refs in by_store.items()}


def iter_history(chain: DemoChain, start: datetime, end: datetime, *, seed: int) -> Iterator[StoreHistory]:
    customers = crm_customers(chain, seed=seed, today=end.date())
    refs = customer_refs_by_store(chain, customers)
    for store in chain.stores:
        yield store_history(store, start, end, seed=seed, customer_refs=refs[store.code])


# -- the loader (I/O) ------------------------------------------------------------------------

SEED = 7
_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class SeedReport:
    created: bool
    org_id: str
    stores: dict[str, str]  # code -> store_id
    seconds: float = 0.0
    crossings: int = 0
    raw_crossings: int = 0
    transactions: int = 0
    customers: int = 0


def seed_demo(
    dsn: str,
    *,
    now: datetime | None = None,
    seed: int = SEED,
    chain: DemoChain | None = None,
    real_camera_line: tuple[float, ...] | None = None,
) -> SeedReport:
    """Create the demo chain with its history unless it exists; either way say what is there.

    One transaction: a seed interrupted half-way leaves nothing, and the next start seeds again.
    """
    import psycopg
    from footfall.server.db.queries import seed as q

    with psycopg.connect(dsn) as conn:
        report = seed_chain(conn, now=now, seed=seed, chain=chain, real_camera_line=real_camera_line)
        if report.created:
            conn.execute(q.ANALYZE)
    log.info("seed: committed after %.1f s", report.seconds)
    return report


def seed_chain(
    conn: object,
    *,
    now: datetime | None = None,
    seed: int = SEED,
    chain: DemoChain | None = None,
    real_camera_line: tuple[float, ...] | None = None,
    days: int = HISTORY_DAYS,
    bulk_rollups: bool = True,
) -> SeedReport:
    """:func:`seed_demo` in the caller's transaction (tests roll it back).

    ``bulk_rollups=False`` keeps the rollup row triggers on for every copied row, as ingest and
    imports do: the same rows, several times slower (the tests' reference for the rebuild).
    """
    from footfall.server.db.queries import seed as q

    chain = chain or demo_chain()
    started = time.perf_counter()
    row = conn.execute(q.ORG_BY_NAME, {"name": chain.org_name}).fetchone()  # type: ignore[attr-defined]
    if row is not None:
        org_id = _first(row)
        stores = {r["code"] if isinstance(r, dict) else r[1]: r["store_id"] if isinstance(r, dict) else r[0]
                  for r in conn.execute(q.STORES_OF_ORG, {"org_id": org_id})}  # type: ignore[attr-defined]  # fmt: skip
        return SeedReport(created=False, org_id=str(org_id), stores=stores)
    org_id, store_ids = _create_world(conn, chain, real_camera_line)
    log.info("seed: organisation, stores and users in %.1f s", time.perf_counter() - started)
    start, end = history_window(now or datetime.now(UTC), days)
    customers = crm_customers(chain, seed=seed, today=end.date())
    totals = _load_history(
        conn, chain, org_id, store_ids, customers, start, end, seed, bulk_rollups=bulk_rollups
    )
    log.info("seed: history loaded after %.1f s", time.perf_counter() - started)
    return SeedReport(
        created=True,
        org_id=org_id,
        stores=store_ids,
        seconds=time.perf_counter() - started,
        crossings=totals["crossings"],
        raw_crossings=totals["raw_crossings"],
        transactions=totals["transactions"],
        customers=len(customers),
    )


def _first(row: object) -> object:
    """The first column of a row, whatever row factory the connection uses."""
    return next(iter(row.values())) if isinstance(row, dict) else row[0]  # type: ignore[index,union-attr]


def _create_world(
    conn: object, chain: DemoChain, real_camera_line: tuple[float, ...] | None
) -> tuple[str, dict[str, str]]:
    from footfall.server import provisioning as p

    from footfall.contracts import LineConfig

    org_id = p.create_org(conn, chain.org_name)
    regions = {r.code: p.create_region(conn, org_id, code=r.code, name=r.name) for r in chain.regions}
    store_ids: dict[str, str] = {}
    for store in chain.stores:
        store_id = p.create_store(
            conn,
            org_id,
            code=store.code,
            name=store.name,
            timezone=store.timezone,
            region_id=regions[store.region.code],
            currency=store.region.currency,
            locale=store.region.locale,
            floor_area_m2=store.floor_area_m2,
            address=store.address,
            opening_hours=_opening_hours_json(store.opening),
        )
        store_ids[store.code] = store_id
        for door in store.entrances:
            p.create_entrance(conn, store_id, name=door.name, entrance_id=door.entrance_id)
            p.create_camera(
                conn,
                store_id,
                name=f"{door.name} camera",
                camera_id=door.camera_id,
                entrance_id=door.entrance_id,
            )
            x1, y1, x2, y2, ix, iy = (
                real_camera_line
                if real_camera_line and not store.simulated and door is store.entrances[0]
                else (0.1, 0.55, 0.9, 0.55, 0.5, 0.25)
            )
            line = LineConfig(
                line_id=door.line_id, name=door.name, entrance_id=door.entrance_id,
                x1=x1, y1=y1, x2=x2, y2=y2, inside_x=ix, inside_y=iy,
            )  # fmt: skip
            p.set_lines(conn, door.camera_id, [line])
    for user in chain.users:
        p.create_user(
            conn,
            org_id,
            email=user.email,
            name=user.name,
            role=user.role,
            password=user.password,
            region_ids=[regions[user.region_code]] if user.region_code else [],
            store_ids=[store_ids[c] for c in user.store_codes],
        )
    return org_id, store_ids


def _opening_hours_json(opening: OpeningHours) -> dict[str, list[list[str]]]:
    spans = {}
    for name, span in zip(_WEEKDAY_NAMES, opening.by_weekday, strict=True):
        spans[name] = (
            [] if span is None else [[f"{span[0]:02d}:00", "24:00" if span[1] >= 24 else f"{span[1]:02d}:00"]]
        )
    return spans


def _load_history(
    conn: object,
    chain: DemoChain,
    org_id: str,
    store_ids: dict[str, str],
    customers: list[Customer],
    start: datetime,
    end: datetime,
    seed: int,
    *,
    bulk_rollups: bool = True,
) -> dict[str, int]:
    """COPY every row, and the rollups counted from exactly those rows (as ingest would hold them).

    The trigger-kept rollups (days, months, local hours, customer months) are rebuilt once at the
    end with the row triggers off (``bulk_rollups``); False lets every row go through the triggers.
    """
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    from footfall.server.db.queries import seed as q

    refs = customer_refs_by_store(chain, customers)
    digest = hashlib.sha256(f"footfall demo seed {seed} {start:%Y-%m-%d}".encode()).hexdigest()
    imports = {
        kind: str(
            _first(
                conn.execute(  # type: ignore[attr-defined]
                    q.INSERT_IMPORT,
                    {
                        "org_id": org_id,
                        "kind": kind,
                        "filename": f"demo-{kind}.csv",
                        "content_sha256": digest,
                        "rows_total": 0,
                    },
                ).fetchone()
            )
        )
        for kind in ("customers", "sales", "staff")
    }
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        with cur.copy(q.COPY_CUSTOMERS) as copy:
            for c in customers:
                copy.write_row(
                    (org_id, c.customer_ref, c.joined_on, c.tier, store_ids[c.home_store_code], c.email,
                     f"{c.first_name} {c.last_name}", imports["customers"])
                )  # fmt: skip
        totals = {"crossings": 0, "raw_crossings": 0, "transactions": 0}
        raw_from = end - timedelta(days=RAW_DAYS)
        if bulk_rollups:
            cur.execute(q.ROLLUPS_BULK_ON)
        # The next store's history is generated while PostgreSQL takes in this one's rows.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed") as pool:
            histories = [
                pool.submit(store_history, store, start, end, seed=seed, customer_refs=refs[store.code])
                for store in chain.stores
            ]
            for future in histories:
                _copy_store(cur, future.result(), org_id, store_ids, imports, seed, totals, raw_from)
        if bulk_rollups:
            for statement in q.REBUILD_ROLLUPS:
                cur.execute(statement, {"store_ids": list(store_ids.values()), "org_id": org_id})
            cur.execute(q.ROLLUPS_BULK_OFF)
    return totals


def _copy_store(
    cur: object,
    history: StoreHistory,
    org_id: str,
    store_ids: dict[str, str],
    imports: dict[str, str],
    seed: int,
    totals: dict[str, int],
    raw_from: datetime,
) -> None:
    from collections import defaultdict
    from decimal import Decimal

    from footfall.server.db.queries import seed as q

    store = history.store
    store_id = store_ids[store.code]
    device_id = f"seed-{store.code.lower()}"  # the history's (retired) device
    entrance_of = {e.camera_id: e.entrance_id for e in store.entrances}
    rng = random.Random(f"{seed}:{store.code}:lag")
    # The 15-minute rollup of exactly these rows (UTC quarter hours), as ingest keeps it.
    quarters: dict[tuple[str, str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    with cur.copy(q.COPY_CROSSINGS) as copy:
        copy.set_types(q.CROSSING_TYPES)
        for seq, c in enumerate(history.crossings, start=1):
            quarters[(c.camera_id, c.line_id, c.person_class, int(c.ts.timestamp()) // 900)][
                c.direction == "out"
            ] += 1
            if c.ts < raw_from:
                continue
            totals["raw_crossings"] += 1
            copy.write_row(
                (device_id, seq, c.ts, c.ts + timedelta(seconds=rng.uniform(5, 90)), store_id, c.camera_id,
                 c.line_id, entrance_of[c.camera_id], c.direction, c.person_class, seq,
                 round(rng.uniform(0.55, 0.97), 3))
            )  # fmt: skip
    with cur.copy(q.COPY_TRAFFIC_15MIN) as copy:
        for (camera_id, line_id, person_class, quarter), (ins, outs) in quarters.items():
            bucket = datetime.fromtimestamp(quarter * 900, UTC)
            copy.write_row(
                (store_id, camera_id, line_id, person_class, bucket, entrance_of[camera_id], ins, outs)
            )
    with cur.copy(q.COPY_COVERAGE_15MIN) as copy:
        for (camera_id, bucket), seconds in sorted(history.coverage.items()):
            copy.write_row((store_id, camera_id, bucket, seconds))
    with cur.copy(q.COPY_COVERAGE_MINUTES) as copy:
        copy.set_types(q.COVERAGE_TYPES)
        seq = 0
        for (camera_id, bucket), seconds in sorted(history.coverage.items(), key=lambda item: item[0][1]):
            if bucket < raw_from:
                continue
            # Quarters are whole open minutes clipped to the window, so this lists them exactly.
            for k in range(int(seconds // 60)):
                seq += 1
                minute = bucket + timedelta(minutes=k)
                copy.write_row(
                    (device_id, seq, minute, minute + timedelta(seconds=75), store_id, camera_id, 60.0, 10.0)
                )
    # Sales per store-local hour and business day, counted as the sales import counts them
    # (imports/apply.py): the store comparison reads the day totals (and, through migration
    # 0010's trigger, the month totals), so a day marked without them would read as no sales.
    zone = ZoneInfo(store.timezone)
    hours: dict[datetime, list] = defaultdict(lambda: [0, 0, Decimal(0), 0, 0])
    days: dict[date, list] = defaultdict(lambda: [0, 0, Decimal(0), 0, 0])
    with cur.copy(q.COPY_SALES) as copy:
        for t in history.transactions:
            amount = Decimal(f"{t.amount:.2f}")
            copy.write_row(
                (store_id, t.transaction_id, org_id, t.ts, amount, store.region.currency, t.items,
                 t.customer_ref, imports["sales"])
            )  # fmt: skip
            local = t.ts.astimezone(zone)
            refund = amount < 0
            for totals_of in (hours[local.replace(minute=0, second=0, microsecond=0)], days[local.date()]):
                totals_of[1 if refund else 0] += 1
                totals_of[2] += amount
                totals_of[3] += t.items
                totals_of[4] += 1 if (t.customer_ref and not refund) else 0
    with cur.copy(q.COPY_SALES_HOURLY) as copy:
        for hour_start, t in sorted(hours.items()):
            copy.write_row((store_id, hour_start, *t))
    with cur.copy(q.COPY_SALES_DAYS) as copy:
        for day, t in sorted(days.items()):
            copy.write_row((store_id, day, imports["sales"], *t))
    with cur.copy(q.COPY_STAFF_HOURS) as copy:
        for hour_start, on_duty in sorted(_staff_on_duty(history.shifts).items()):
            copy.write_row((store_id, hour_start, on_duty, imports["staff"]))
    totals["crossings"] += len(history.crossings)
    totals["transactions"] += len(history.transactions)


def _staff_on_duty(shifts: list[Shift]) -> dict[datetime, float]:
    """People on the floor per hour (a shift covering half an hour counts 0.5)."""
    on_duty: dict[datetime, float] = {}
    for shift in shifts:
        hour = shift.starts.replace(minute=0, second=0, microsecond=0)
        while hour < shift.ends:
            overlap = min(shift.ends, hour + timedelta(hours=1)) - max(shift.starts, hour)
            on_duty[hour] = round(on_duty.get(hour, 0.0) + overlap.total_seconds() / 3600, 2)
            hour += timedelta(hours=1)
    return on_duty


def issue_enrolment_codes(
    dsn: str, store_codes: list[str], *, chain: DemoChain | None = None
) -> dict[str, str]:
    """A fresh one-time enrolment code for each demo store that needs a (new) device."""
    import psycopg
    from footfall.server import provisioning as p
    from footfall.server.db.queries import seed as q

    chain = chain or demo_chain()
    with psycopg.connect(dsn) as conn:
        row = conn.execute(q.ORG_BY_NAME, {"name": chain.org_name}).fetchone()
        if row is None:
            raise LookupError("the demo chain is not seeded")
        stores = {code: sid for sid, code in conn.execute(q.STORES_OF_ORG, {"org_id": row[0]})}
        return {code: p.create_enrolment_code(conn, stores[code]).code for code in store_codes}


@dataclass(frozen=True)
class LoadTestDevice:
    store_id: str
    camera_id: str
    line_id: str
    token: str


def provision_load_test(dsn: str, *, stores: int) -> list[LoadTestDevice]:
    """An organisation with ``stores`` stores, each with one camera, one line and an enrolled device."""
    import psycopg
    from footfall.server import provisioning as p

    from footfall.contracts import LineConfig

    devices = []
    with psycopg.connect(dsn) as conn:
        org_id = p.create_org(conn, f"Load test {uuid.uuid4().hex[:8]}")
        region_id = p.create_region(conn, org_id, code="ALL", name="All stores")
        for n in range(stores):
            code = f"L{n:05d}"
            store_id = p.create_store(
                conn, org_id, code=code, name=f"Load store {n}", timezone="Europe/London", region_id=region_id
            )
            camera_id = p.create_camera(conn, store_id, name="Door", camera_id=f"load-{n:05d}-cam")
            p.set_lines(
                conn,
                camera_id,
                [
                    LineConfig(
                        line_id="door",
                        name="Door",
                        x1=0.1,
                        y1=0.5,
                        x2=0.9,
                        y2=0.5,
                        inside_x=0.5,
                        inside_y=0.9,
                    )
                ],
            )
            device = p.enrol_device(conn, p.create_enrolment_code(conn, store_id).code, hostname=code)
            devices.append(LoadTestDevice(store_id, camera_id, "door", device.token))
    return devices


def count_crossings(dsn: str) -> int:
    import psycopg
    from footfall.server.db.queries import seed as q

    with psycopg.connect(dsn) as conn:
        return int(conn.execute(q.COUNT_CROSSINGS).fetchone()[0])


def measure_copy_rate(dsn: str, device: LoadTestDevice, *, rows: int) -> float:
    """Crossings per second the database takes by COPY alone (same table, same indexes as ingest).

    The load test compares it with what comes through the API, to show which tier limits first.
    Rolled back afterwards, so it leaves nothing behind.
    """
    import psycopg
    from footfall.server.db.queries import seed as q

    base = datetime.now(UTC) - timedelta(days=1)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        with cur.copy(q.COPY_CROSSINGS) as copy:
            copy.set_types(q.CROSSING_TYPES)
            for seq in range(1, rows + 1):
                ts = base + timedelta(milliseconds=seq)
                copy.write_row(
                    ("copy-rate-probe", seq, ts, ts, device.store_id, device.camera_id, device.line_id, None,
                     "in" if seq % 2 else "out", "adult", seq, 0.9)
                )  # fmt: skip
        elapsed = time.perf_counter() - started
        conn.rollback()
    return rows / elapsed
