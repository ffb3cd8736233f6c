"""KPI formulas, completeness, occupancy, RFM/CLV and anomaly rules, by table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from footfall.server.kpis import definitions as d

BASE = d.KpiInputs(
    visitors=1000, transactions=150, refunds=1, net_sales=Decimal("4500.00"), units=300, member_transactions=60,
    staff_hours=Decimal(40), open_minutes=600, covered_minutes=600.0, open_days=1, sales_days=1, open_hours=10,
    staffed_hours=10, new_customers=5, returning_customers=15, floor_area_m2=250.0,
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("visitors", 1000.0),
        ("transactions", 150.0),
        ("net_sales", 4500.0),
        ("conversion", 0.15),
        ("atv", 30.0),
        ("sales_per_visitor", 4.5),
        ("upt", 2.0),
        ("staff_to_shopper", 25.0),
        ("member_share", 0.4),
        ("new_customer_share", 0.25),
        ("new_customers", 5.0),
        ("returning_customers", 15.0),
    ],
)
def test_formulas(name: str, expected: float) -> None:
    value = d.evaluate(name, BASE)
    assert value.value == pytest.approx(expected) and value.complete and value.missing == ()


@pytest.mark.parametrize(
    "name", ["conversion", "sales_per_visitor", "atv", "upt", "member_share", "staff_to_shopper"]
)
def test_a_zero_denominator_is_none_not_zero(name: str) -> None:
    empty = d.KpiInputs(open_minutes=60, covered_minutes=60, open_days=1, sales_days=1)
    assert d.evaluate(name, empty).value is None


def test_every_kpi_has_a_documented_formula() -> None:
    for definition in d.KPIS.values():
        assert "=" in definition.doc, definition.name


def test_a_camera_outage_makes_traffic_kpis_incomplete_but_not_atv() -> None:
    outage = d.KpiInputs(
        visitors=700, transactions=150, net_sales=Decimal(4500), units=300, open_minutes=600,
        covered_minutes=480.0, open_days=1, sales_days=1,
    )  # fmt: skip
    values = d.evaluate_all(outage)
    assert not values["conversion"].complete and values["conversion"].completeness == pytest.approx(0.8)
    assert values["conversion"].missing == (
        "traffic: 120 of 600 open minutes not counted (camera down or not reporting)",
    )
    assert not values["visitors"].complete and values["atv"].complete


def test_missing_sales_days_make_sales_kpis_incomplete() -> None:
    partial = d.KpiInputs(
        visitors=100, transactions=10, open_minutes=60, covered_minutes=60, open_days=7, sales_days=6
    )
    value = d.evaluate("conversion", partial)
    assert not value.complete and "1 of 7 open day(s) have no sales imported" in value.missing[0]
    assert d.evaluate("visitors", partial).complete


@pytest.mark.parametrize(("how", "expected"), [("none", 1000.0), ("per_m2", 4.0), ("per_open_hour", 100.0)])
def test_normalisation(how: d.Normalise, expected: float) -> None:
    assert d.normalised(1000.0, BASE, how) == pytest.approx(expected)


def test_running_occupancy_restarts_each_day_and_never_goes_negative() -> None:
    day1, day2 = date(2026, 3, 28), date(2026, 3, 29)
    flows = [(day1, 5, 0), (day1, 3, 4), (day1, 0, 9), (day1, 2, 0), (day2, 1, 0)]
    assert d.running_occupancy(flows) == [5, 4, 0, 2, 1]


@pytest.mark.parametrize(
    ("values", "higher", "scores"),
    [
        ([1, 2, 3, 4, 5], True, [1, 2, 3, 4, 5]),
        ([1, 1, 1, 1, 5], True, [1, 1, 1, 1, 5]),
        ([10, 200, 30, 400, 5], False, [4, 2, 3, 1, 5]),
        ([], True, []),
    ],
)
def test_quintile_scores(values: list[float], higher: bool, scores: list[int]) -> None:
    assert d.quintile_scores(values, higher_is_better=higher) == scores


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [(5, 5, 1, "champions"), (2, 4, 3, "loyal"), (5, 1, 1, "new"), (4, 2, 2, "promising"), (3, 2, 5, "big_spenders"),
     (2, 3, 3, "at_risk"), (1, 1, 1, "lost"), (2, 2, 2, "hibernating"), (3, 3, 3, "needs_attention")],
)  # fmt: skip
def test_rfm_segments(r: int, f: int, m: int, segment: str) -> None:
    assert d.rfm_segment(r, f, m) == segment


def test_clv_and_rfm_over_a_small_base() -> None:
    as_of = date(2026, 3, 31)
    histories = [
        d.CustomerHistory("A", date(2025, 3, 31), date(2026, 3, 30), 20, Decimal(2000)),
        d.CustomerHistory("B", date(2026, 3, 25), date(2026, 3, 25), 1, Decimal(50)),
        d.CustomerHistory("C", date(2024, 1, 1), date(2024, 6, 1), 3, Decimal(90)),
    ]
    # A: ATV 100 × 20 purchases a year (365 days ≈ 0.9993 years) × 3 years
    assert d.predicted_clv(histories[0], as_of) == pytest.approx(100 * 20 / (365 / 365.25) * 3)
    # B: a 6-day-old customer is extrapolated over 30 days, not 6
    assert d.predicted_clv(histories[1], as_of) == pytest.approx(50 * (1 / (30 / 365.25)) * 3)
    assert d.historical_clv(histories[2]) == 90.0
    scores = d.rfm(histories, as_of)
    assert scores["A"].recency_days == 1 and scores["A"].segment == "champions"
    assert scores["C"].recency == 1 and scores["C"].segment in {"lost", "at_risk", "hibernating"}


@pytest.mark.parametrize(
    ("hour", "expected", "flag"),
    [
        (d.HourObservation(visitors=3, coverage=1.0, open=True), 40.0, "low_traffic"),
        (d.HourObservation(visitors=30, coverage=1.0, open=True), 40.0, None),
        (d.HourObservation(visitors=3, coverage=0.8, open=True), 40.0, None),  # partly blind: no claim
        (d.HourObservation(visitors=0, coverage=0.2, open=True), 40.0, "camera_down"),
        (d.HourObservation(visitors=0, coverage=0.0, open=False), 40.0, None),
        (d.HourObservation(visitors=1, coverage=1.0, open=True), 6.0, None),  # too quiet to judge
        (d.HourObservation(visitors=1, coverage=1.0, open=True), None, None),
    ],
)
def test_anomaly_rules(hour: d.HourObservation, expected: float | None, flag: str | None) -> None:
    assert d.classify_hour(hour, expected) == flag


def test_expected_level_is_the_median_of_covered_open_weeks() -> None:
    history = [
        d.HourObservation(v, c, True) for v, c in [(40, 1.0), (50, 1.0), (0, 0.1), (45, 1.0), (300, 1.0)]
    ]
    assert d.expected_visitors(history) == 47.5
    assert d.expected_visitors(history[:2]) is None
