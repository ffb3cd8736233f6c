"""Every retail KPI Footfall reports, defined once, with its formula (pure, no I/O).

The API, the comparison ranking and the dashboard all read these definitions, so
"conversion" means the same thing on every screen. Inputs are totals over one store (or
entrance) and one period, already cut in the store's local time: :class:`KpiInputs`.

Vocabulary
    visitors      adults walking *in* (children and staff excluded; see DESIGN.md §4). With
                  ``buying_units`` a group arriving together counts once.
    transaction   a POS sale with amount ≥ 0. A refund (amount < 0) is not a transaction:
                  it lowers net sales and units but not the transaction count.
    net sales     Σ amount over sales and refunds, in the store's currency.
    units         Σ units over sales and refunds (refund units are negative).

Completeness
    Every KPI names the sources it needs (traffic, sales, staff, crm). Traffic completeness
    is covered open minutes ÷ open minutes; sales completeness is days with imported sales ÷
    open days; staff completeness is open hours with a rota figure ÷ open hours. A KPI is
    ``complete`` only when every source it needs is at least :data:`COMPLETE_AT` — so a day
    with a camera outage or without a sales import is labelled, not compared as if real.

A KPI whose denominator is zero is ``None`` (not 0): "no visitors" is not "0 % conversion".
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Source = Literal["traffic", "sales", "staff", "crm"]
#: A source counts as complete from this fraction on (one missing minute in a long day is noise).
COMPLETE_AT = 0.98


@dataclass(frozen=True, slots=True)
class KpiInputs:
    """Totals for one store (or entrance) over one period."""

    visitors: int = 0
    visitors_out: int = 0
    transactions: int = 0
    refunds: int = 0
    net_sales: Decimal = Decimal(0)
    units: int = 0
    member_transactions: int = 0
    staff_hours: Decimal = Decimal(0)
    peak_occupancy: int | None = None
    average_occupancy: float | None = None
    new_customers: int = 0
    returning_customers: int = 0
    # completeness counters
    open_minutes: int = 0
    covered_minutes: float = 0.0
    open_days: int = 0
    sales_days: int = 0
    open_hours: float = 0.0
    staffed_hours: int = 0
    # for normalisation
    floor_area_m2: float | None = None


# --- the formulas -----------------------------------------------------------------------------


def _ratio(numerator: float | Decimal, denominator: float | Decimal) -> float | None:
    return None if not denominator else float(numerator) / float(denominator)


def visitors(i: KpiInputs) -> float | None:
    """visitors = Σ adult in-crossings over every entrance line (or buying units, see module doc)."""
    return float(i.visitors)


def transactions(i: KpiInputs) -> float | None:
    """transactions = number of POS sales with amount ≥ 0 (refunds excluded)."""
    return float(i.transactions)


def net_sales(i: KpiInputs) -> float | None:
    """net sales = Σ amount of sales and refunds (store currency)."""
    return float(i.net_sales)


def conversion(i: KpiInputs) -> float | None:
    """conversion = transactions ÷ visitors (a fraction; 150 ÷ 1,000 = 0.15 = 15 %)."""
    return _ratio(i.transactions, i.visitors)


def atv(i: KpiInputs) -> float | None:
    """ATV (average transaction value) = net sales ÷ transactions."""
    return _ratio(i.net_sales, i.transactions)


def sales_per_visitor(i: KpiInputs) -> float | None:
    """sales per visitor = net sales ÷ visitors (= conversion × ATV)."""
    return _ratio(i.net_sales, i.visitors)


def upt(i: KpiInputs) -> float | None:
    """UPT (units per transaction) = net units ÷ transactions."""
    return _ratio(i.units, i.transactions)


def staff_to_shopper(i: KpiInputs) -> float | None:
    """staff-to-shopper ratio = visitors ÷ staff hours (shoppers served per staff hour; higher = busier floor)."""
    return _ratio(i.visitors, i.staff_hours)


def peak_occupancy(i: KpiInputs) -> float | None:
    """peak occupancy = max over the period's 15-minute marks of Σ(in − out) since the store's business
    day began (local ``day_starts_at``, midnight by default, as in the live view), floored at 0."""
    return None if i.peak_occupancy is None else float(i.peak_occupancy)


def average_occupancy(i: KpiInputs) -> float | None:
    """average occupancy = mean of the same running Σ(in − out) over the open 15-minute marks."""
    return i.average_occupancy


def member_share(i: KpiInputs) -> float | None:
    """member share = transactions carrying a customer/loyalty id ÷ transactions."""
    return _ratio(i.member_transactions, i.transactions)


def new_customer_share(i: KpiInputs) -> float | None:
    """new customer share = new ÷ (new + returning) customers who bought in the period. A customer
    is *new* when their first purchase anywhere in the chain falls in the period, *returning*
    when they had bought before it began."""
    return _ratio(i.new_customers, i.new_customers + i.returning_customers)


def new_customers(i: KpiInputs) -> float | None:
    """new customers = distinct customers whose first purchase in the chain is in the period."""
    return float(i.new_customers)


def returning_customers(i: KpiInputs) -> float | None:
    """returning customers = distinct customers buying in the period who had bought before it."""
    return float(i.returning_customers)


@dataclass(frozen=True, slots=True)
class KpiDefinition:
    name: str
    label: str
    unit: Literal["count", "fraction", "currency", "ratio", "people"]
    sources: tuple[Source, ...]
    formula: Callable[[KpiInputs], float | None]
    #: Sums over stores and days (so per m² / per open hour make sense); ratios do not.
    additive: bool = False
    higher_is_better: bool = True

    @property
    def doc(self) -> str:
        return " ".join((self.formula.__doc__ or "").split())


KPIS: dict[str, KpiDefinition] = {
    d.name: d
    for d in (
        KpiDefinition("visitors", "Visitors", "count", ("traffic",), visitors, additive=True),
        KpiDefinition("transactions", "Transactions", "count", ("sales",), transactions, additive=True),
        KpiDefinition("net_sales", "Net sales", "currency", ("sales",), net_sales, additive=True),
        KpiDefinition("conversion", "Conversion", "fraction", ("traffic", "sales"), conversion),
        KpiDefinition("atv", "Average transaction value", "currency", ("sales",), atv),
        KpiDefinition(
            "sales_per_visitor", "Sales per visitor", "currency", ("traffic", "sales"), sales_per_visitor
        ),
        KpiDefinition("upt", "Units per transaction", "ratio", ("sales",), upt),
        KpiDefinition(
            "staff_to_shopper", "Shoppers per staff hour", "ratio", ("traffic", "staff"), staff_to_shopper
        ),
        KpiDefinition("peak_occupancy", "Peak occupancy", "people", ("traffic",), peak_occupancy),
        KpiDefinition("average_occupancy", "Average occupancy", "people", ("traffic",), average_occupancy),
        KpiDefinition("member_share", "Member share of transactions", "fraction", ("sales",), member_share),
        KpiDefinition(
            "new_customers", "New customers", "count", ("sales", "crm"), new_customers, additive=True
        ),
        KpiDefinition(
            "returning_customers",
            "Returning customers",
            "count",
            ("sales", "crm"),
            returning_customers,
            additive=True,
        ),
        KpiDefinition(
            "new_customer_share", "New customer share", "fraction", ("sales", "crm"), new_customer_share
        ),
    )
}


# --- completeness -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceCompleteness:
    fraction: float | None  # None = nothing was expected (store closed the whole period)
    missing: str | None  # human sentence, None when complete


def source_completeness(i: KpiInputs) -> dict[Source, SourceCompleteness]:
    """How much of each source the period actually has; see the module doc for the fractions."""
    result: dict[Source, SourceCompleteness] = {}
    traffic = None if i.open_minutes <= 0 else min(1.0, i.covered_minutes / i.open_minutes)
    missing_minutes = max(0, round(i.open_minutes - i.covered_minutes))
    result["traffic"] = SourceCompleteness(
        traffic,
        None
        if traffic is None or traffic >= COMPLETE_AT
        else f"traffic: {missing_minutes} of {i.open_minutes} open minutes not counted (camera down or not reporting)",
    )
    sales = None if i.open_days <= 0 else min(1.0, i.sales_days / i.open_days)
    result["sales"] = SourceCompleteness(
        sales,
        None
        if sales is None or sales >= COMPLETE_AT
        else f"sales: {i.open_days - i.sales_days} of {i.open_days} open day(s) have no sales imported",
    )
    whole_open_hours = math.ceil(i.open_hours)
    staff = None if whole_open_hours <= 0 else min(1.0, i.staffed_hours / whole_open_hours)
    result["staff"] = SourceCompleteness(
        staff,
        None
        if staff is None or staff >= COMPLETE_AT
        else f"staff: {max(0, whole_open_hours - i.staffed_hours)} of {whole_open_hours} open hour(s) have no staff figure",
    )
    result["crm"] = result["sales"]  # customers are known through their purchases
    return result


@dataclass(frozen=True, slots=True)
class KpiValue:
    name: str
    value: float | None
    complete: bool
    completeness: float | None
    missing: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "complete": self.complete,
            "completeness": self.completeness,
            "missing": list(self.missing),
        }


def evaluate(name: str, i: KpiInputs, sources: dict[Source, SourceCompleteness] | None = None) -> KpiValue:
    """One KPI with its completeness: the lowest completeness of the sources it needs."""
    definition = KPIS[name]
    sources = sources if sources is not None else source_completeness(i)
    fraction, missing = _combined(definition.sources, sources)
    value = definition.formula(i)
    if value is not None and not math.isfinite(value):
        value = None
    return KpiValue(name, value, not missing, fraction, missing)


def _combined(
    needed: tuple[Source, ...], sources: dict[Source, SourceCompleteness]
) -> tuple[float | None, tuple[str, ...]]:
    fractions = [sources[s].fraction for s in needed if sources[s].fraction is not None]
    missing = tuple(dict.fromkeys(sources[s].missing for s in needed if sources[s].missing))
    return (min(fractions) if fractions else None), missing


def evaluate_all(i: KpiInputs, names: Iterable[str] | None = None) -> dict[str, KpiValue]:
    """Every KPI (or ``names``) for one set of inputs, sharing the completeness work."""
    sources = source_completeness(i)
    combined: dict[tuple[Source, ...], tuple[float | None, tuple[str, ...]]] = {}
    result = {}
    for name in names or KPIS:
        definition = KPIS[name]
        if definition.sources not in combined:
            combined[definition.sources] = _combined(definition.sources, sources)
        fraction, missing = combined[definition.sources]
        value = definition.formula(i)
        if value is not None and not math.isfinite(value):
            value = None
        result[name] = KpiValue(name, value, not missing, fraction, missing)
    return result


# --- normalisation for comparing stores --------------------------------------------------------

Normalise = Literal["none", "per_m2", "per_open_hour"]


def normalised(value: float | None, i: KpiInputs, how: Normalise) -> float | None:
    """per m² = value ÷ floor area; per open hour = value ÷ open hours in the period. Only for
    additive KPIs (visitors, sales…): "conversion per m²" has no meaning and is refused upstream."""
    if value is None or how == "none":
        return value
    if how == "per_m2":
        return None if not i.floor_area_m2 else value / i.floor_area_m2
    return None if not i.open_hours else value / i.open_hours


# --- occupancy --------------------------------------------------------------------------------


def running_occupancy(flows: Sequence[tuple[Hashable, int, int]]) -> list[int]:
    """Occupancy after each interval: Σ(in − out) since the interval's business day began, floored at 0.

    ``flows`` are ``(local_day, in, out)`` in time order (the day as any value that differs
    between business days: the store's local ``day_starts_at``). The running total restarts each
    business day (nobody stays overnight; a missed exit must not haunt the next day) and never
    goes below zero (people already inside when counting started leave without entering).
    """
    result: list[int] = []
    current_day: Hashable = None
    inside = 0
    for day, entered, left in flows:
        if day != current_day:
            current_day, inside = day, 0
        inside = max(0, inside + entered - left)
        result.append(inside)
    return result


# --- customers: lifetime value and RFM --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """One (canonical) customer's purchases, from the CRM join."""

    customer_id: str
    first_purchase: date
    last_purchase: date
    purchases: int  # transactions, refunds excluded
    net_spend: Decimal


def historical_clv(h: CustomerHistory) -> float:
    """historical CLV = Σ net spend of the customer to date (refunds deducted)."""
    return float(h.net_spend)


def predicted_clv(h: CustomerHistory, as_of: date, *, lifetime_years: float = 3.0) -> float:
    """predicted CLV = ATV × purchases per year × expected lifetime in years, where
    ATV = net spend ÷ purchases and purchases per year = purchases ÷ tenure, tenure = years
    from first purchase to ``as_of`` but at least 30 days (so a first-week customer is not
    extrapolated to hundreds of visits a year)."""
    if h.purchases <= 0:
        return 0.0
    tenure_years = max((as_of - h.first_purchase).days, 30) / 365.25
    atv_ = float(h.net_spend) / h.purchases
    return atv_ * (h.purchases / tenure_years) * lifetime_years


@dataclass(frozen=True, slots=True)
class RfmScore:
    recency_days: int
    recency: int  # 1..5, 5 = bought most recently
    frequency: int  # 1..5, 5 = buys most often
    monetary: int  # 1..5, 5 = spends most
    segment: str


def quintile_scores(values: Sequence[float], *, higher_is_better: bool = True) -> list[int]:
    """Score each value 1–5 by its quintile among ``values`` (ties share the lower score's rank).

    score = 1 + ⌊5 × (number of values strictly better-ranked below it) ÷ n⌋, clipped to 5,
    where "below" means worse. Equal values always get equal scores, so a base where most
    people bought once does not spread them over 1–5 at random.
    """
    n = len(values)
    if n == 0:
        return []
    ordered = sorted(values) if higher_is_better else sorted(values, reverse=True)
    scores = []
    for v in values:
        below = bisect.bisect_left(ordered, v) if higher_is_better else _count_worse_desc(ordered, v)
        scores.append(min(5, 1 + (5 * below) // n))
    return scores


def _count_worse_desc(ordered_desc: Sequence[float], v: float) -> int:
    return sum(1 for x in ordered_desc if x > v)


def rfm_segment(recency: int, frequency: int, monetary: int) -> str:
    """Named segment from the R, F, M scores (first rule that matches):

    champions       R ≥ 4 and F ≥ 4
    loyal           F ≥ 4
    new             R ≥ 4 and F = 1
    promising       R ≥ 4
    big_spenders    M = 5
    at_risk         R ≤ 2 and F ≥ 3
    lost            R = 1
    hibernating     R ≤ 2
    needs_attention otherwise
    """
    if recency >= 4 and frequency >= 4:
        return "champions"
    if frequency >= 4:
        return "loyal"
    if recency >= 4 and frequency == 1:
        return "new"
    if recency >= 4:
        return "promising"
    if monetary == 5:
        return "big_spenders"
    if recency <= 2 and frequency >= 3:
        return "at_risk"
    if recency == 1:
        return "lost"
    if recency <= 2:
        return "hibernating"
    return "needs_attention"


def rfm(histories: Sequence[CustomerHistory], as_of: date) -> dict[str, RfmScore]:
    """RFM over a customer base: recency = days since last purchase (fewer = better),
    frequency = purchases, monetary = net spend; each scored 1–5 by quintile within the base."""
    recency_days = [(as_of - h.last_purchase).days for h in histories]
    r = quintile_scores([float(d) for d in recency_days], higher_is_better=False)
    f = quintile_scores([float(h.purchases) for h in histories])
    m = quintile_scores([float(h.net_spend) for h in histories])
    return {
        h.customer_id: RfmScore(recency_days[k], r[k], f[k], m[k], rfm_segment(r[k], f[k], m[k]))
        for k, h in enumerate(histories)
    }


# --- anomalies ---------------------------------------------------------------------------------

#: Below this share of its expected level, covered traffic is flagged as anomalous.
LOW_TRAFFIC_RATIO = 0.5
#: An hour needs at least this many expected visitors before "far below" means anything.
MIN_EXPECTED_VISITORS = 10.0
#: Camera coverage below this during an open hour = camera down.
CAMERA_DOWN_BELOW = 0.5
#: Coverage needed to trust a low count as real (not a partly blind camera).
CAMERA_UP_FROM = 0.95


@dataclass(frozen=True, slots=True)
class HourObservation:
    visitors: int
    coverage: float  # 0..1 of the hour's minutes a camera was counting
    open: bool


AnomalyKind = Literal["camera_down", "low_traffic"]


def expected_visitors(history: Iterable[HourObservation]) -> float | None:
    """expected level for an hour of the week = median visitors of the same weekday and hour over
    previous weeks, using only hours that were open and fully covered (min. 3 such weeks)."""
    usable = [h.visitors for h in history if h.open and h.coverage >= CAMERA_UP_FROM]
    return float(statistics.median(usable)) if len(usable) >= 3 else None


def classify_hour(now: HourObservation, expected: float | None) -> AnomalyKind | None:
    """camera_down: open and coverage < 50 %. low_traffic: camera up (coverage ≥ 95 %), expected
    ≥ 10 visitors, and visitors < 50 % of expected. Otherwise no flag."""
    if not now.open:
        return None
    if now.coverage < CAMERA_DOWN_BELOW:
        return "camera_down"
    if (
        expected is not None
        and now.coverage >= CAMERA_UP_FROM
        and expected >= MIN_EXPECTED_VISITORS
        and now.visitors < LOW_TRAFFIC_RATIO * expected
    ):
        return "low_traffic"
    return None


@dataclass(slots=True)
class HourOfWeekProfile:
    """Mean visitors per (weekday 0=Mon, local hour) over covered open hours."""

    cells: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def add(self, weekday: int, hour: int, visitors: int) -> None:
        self.cells.setdefault((weekday, hour), []).append(visitors)

    def mean(self, weekday: int, hour: int) -> float | None:
        values = self.cells.get((weekday, hour))
        return sum(values) / len(values) if values else None
