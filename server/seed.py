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

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from footfall.demo_traffic import (
    CHILD_SHARE,
    OpeningHours,
    TrafficProfile,
    day_factor,
    dwell_minutes,
    hour_share,
    poisson,
)

ORG_NAME = "Northwind Outfitters (demo)"
#: The one password every demo login uses; accepted only when the server runs with FOOTFALL_DEMO=1.
DEMO_PASSWORD = "footfall-demo"
DEMO_EMAIL_DOMAIN = "demo.footfall.example"
HISTORY_DAYS = 90


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
        DemoUser(f"installer@{DEMO_EMAIL_DOMAIN}", "Ivan Stall", "installer"),
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
    #: (camera_id, minute UTC) for every minute the camera was counting
    coverage: list[tuple[str, datetime]] = field(default_factory=list)
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
    doors = [e for e in store.entrances]
    door_weights = [e.share for e in doors]
    local_day = start.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    shift_counter = 0
    while local_day <= last_day:
        factor = day_factor(profile, local_day)
        open_minutes: list[datetime] = []
        day_visitors = 0
        for hour in range(24):
            share = hour_share(profile, local_day, hour)
            if share == 0.0 or factor == 0.0:
                continue
            hour_start = _local_hour_utc(local_day, hour, zone)
            if hour_start is None or hour_start >= end or hour_start + timedelta(hours=1) <= start:
                continue
            open_minutes.extend(hour_start + timedelta(minutes=m) for m in range(60))
            arrivals = poisson(rng, store.base_daily_visitors * factor * share)
            day_visitors += arrivals
            for _ in range(arrivals):
                arrived = hour_start + timedelta(seconds=rng.uniform(0, 3600))
                _visit(history, rng, store, doors, door_weights, arrived, end, customer_refs)
        history.coverage.extend(
            (door.camera_id, minute) for minute in open_minutes if start <= minute < end for door in doors
        )
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
    weights: list[float],
    arrived: datetime,
    end: datetime,
    customer_refs: list[str],
) -> None:
    person_class = "child" if rng.random() < CHILD_SHARE else "adult"
    door_in = rng.choices(doors, weights)[0]
    if arrived < end:
        history.crossings.append(Crossing(arrived, door_in.camera_id, door_in.line_id, "in", person_class))
    left = arrived + timedelta(minutes=dwell_minutes(rng))
    door_out = rng.choices(doors, weights)[0]
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
