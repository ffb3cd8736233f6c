"""Pure readings behind the pages: alerts, rankings, like-for-like, line editing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from footfall.dashboard import lines_editing, ranking, store_status

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def _device(seen_s_ago: float, cameras: list[dict], **extra: object) -> dict:
    seen = (NOW - timedelta(seconds=seen_s_ago)).isoformat()
    return {
        "device_id": "d1",
        "hostname": "door-pi",
        "store_id": "s1",
        "last_seen_at": seen,
        "health": {"cameras": cameras},
        **extra,
    }


def test_no_alert_when_everything_counts() -> None:
    assert store_status.camera_alerts([_device(30, [{"camera_id": "c1", "state": "ok"}])], "s1", NOW) == []


def test_alert_for_a_failed_camera_names_it_and_the_reason() -> None:
    alerts = store_status.camera_alerts(
        [_device(30, [{"camera_id": "c1", "state": "failed", "reason": "RTSP timeout"}])], "s1", NOW
    )
    assert [a.message for a in alerts] == ["Camera c1 is failed (RTSP timeout)."]


def test_alert_for_an_offline_device_and_other_stores_ignored() -> None:
    devices = [_device(600, [{"camera_id": "c1", "state": "ok"}]), _device(600, [], store_id="s2")]
    alerts = store_status.camera_alerts(devices, "s1", NOW)
    assert len(alerts) == 1 and "offline" in alerts[0].message and alerts[0].level == "danger"


@pytest.mark.parametrize(("coverage", "alerted"), [(1.0, False), (0.99, False), (0.8, True), (None, True)])
def test_coverage_alert(coverage: float | None, alerted: bool) -> None:
    assert (store_status.coverage_alert(coverage) is not None) is alerted


def test_totals_by_entrance_and_line() -> None:
    buckets = [
        {"entrance_id": "e1", "entrance_name": "Main", "in": 3, "out": 1},
        {"entrance_id": "e1", "entrance_name": "Main", "in": 2, "out": 2},
        {"entrance_id": "e2", "in": 1, "out": 0},
    ]
    assert store_status.totals_by(buckets, "entrance_id") == {"Main": 5, "e2": 1}
    assert store_status.totals_by(buckets, "entrance_id", {"e2": "Car park"})["Car park"] == 1
    lines = [{"line_id": "l1", "in": 2, "out": 1}, {"line_id": "l1", "in": 1, "out": 0}]
    assert store_status.in_out_by(lines, "line_id") == {"l1": (3, 1)}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ([{"conversion": 0.2}], {"conversion": 0.2}),
        ({"rows": []}, None),
        ({"buckets": [{"a": 1}]}, {"a": 1}),
        ({"conversion": 0.3}, {"conversion": 0.3}),
    ],
)
def test_first_row(answer: object, expected: dict | None) -> None:
    assert store_status.first_row(answer) == expected


STORES = {
    "s1": {
        "store_id": "s1",
        "name": "Berlin",
        "region_id": "r1",
        "region_name": "DACH",
        "floor_area_m2": 400,
    },
    "s2": {
        "store_id": "s2",
        "name": "Paris",
        "region_id": "r2",
        "region_name": "France",
        "floor_area_m2": 1200,
    },
    "s3": {
        "store_id": "s3",
        "name": "Lyon",
        "region_id": "r2",
        "region_name": "France",
        "floor_area_m2": 2000,
    },
}


def test_rank_orders_best_first_with_change_and_attributes() -> None:
    rows = [
        {"store_id": "s1", "value": 100},
        {"store_id": "s2", "value": 300},
        {"store_id": "s3", "value": None},
    ]
    table = ranking.rank(rows, STORES, {"s1": 80, "s2": 300})
    assert [(r["rank"], r["store"]) for r in table] == [(1, "Paris"), (2, "Berlin"), (3, "Lyon")]
    assert table[1]["change"] == pytest.approx(0.25)
    assert table[0]["change"] == 0
    assert table[2]["change"] is None


@pytest.mark.parametrize(
    ("region", "size", "names"),
    [("r2", None, ["Paris", "Lyon"]), (None, "small", ["Berlin"]), ("r2", "large", ["Lyon"])],
)
def test_rank_filters_by_region_and_size(region: str | None, size: str | None, names: list[str]) -> None:
    rows = [{"store_id": s, "value": v} for s, v in (("s1", 1), ("s2", 3), ("s3", 2))]
    assert [r["store"] for r in ranking.rank(rows, STORES, {}, region_id=region, size=size)] == names


def test_like_for_like_counts_only_stores_in_both_periods() -> None:
    table = [{"value": 110, "previous": 100}, {"value": 50, "previous": None}, {"value": 90, "previous": 100}]
    change, stores = ranking.like_for_like("visitors", table)
    assert (change, stores) == (pytest.approx(0.0), 2)
    ratio_change, _ = ranking.like_for_like(
        "conversion", [{"value": 0.3, "previous": 0.2}, {"value": 0.1, "previous": 0.2}]
    )
    assert ratio_change == pytest.approx(0.0)
    assert ranking.like_for_like("visitors", []) == (None, 0)


def test_comparison_and_anomaly_rows_accept_wrapped_answers() -> None:
    assert ranking.comparison_rows({"stores": [{"store_id": "s1"}]}) == [{"store_id": "s1"}]
    assert ranking.comparison_rows([{"store_id": "s1"}]) == [{"store_id": "s1"}]
    rows = ranking.anomaly_rows({"anomalies": [{"date": "2026-01-01"}, {"date": "2026-02-01"}]})
    assert [r["date"] for r in rows] == ["2026-02-01", "2026-01-01"]


LINE = {
    "line_id": "c1-line-1",
    "name": "Door",
    "entrance_id": None,
    "x1": 0.1,
    "y1": 0.5,
    "x2": 0.9,
    "y2": 0.5,
    "inside_x": 0.5,
    "inside_y": 0.8,
}


def test_new_line_gets_a_free_id_and_is_valid() -> None:
    line = lines_editing.new_line([LINE], "c1")
    assert line["line_id"] == "c1-line-2"
    assert lines_editing.validation_problems([LINE, line]) == []


def test_replace_and_remove_line() -> None:
    moved = lines_editing.replace_line([LINE], "c1-line-1", {"x1": 0.2, "name": None})
    assert moved[0]["x1"] == 0.2 and moved[0]["name"] == "Door"
    assert lines_editing.remove_line(moved, "c1-line-1") == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"x2": 0.1, "y2": 0.5}, "too short"),
        ({"inside_x": 0.5, "inside_y": 0.5}, "inside point lies on the line"),
        ({"x1": 1.5}, "x1"),
    ],
)
def test_validation_problems(changes: dict, problem: str) -> None:
    problems = lines_editing.validation_problems([{**LINE, **changes}])
    assert len(problems) == 1 and problem in problems[0]


def test_lines_of_accepts_list_or_wrapped() -> None:
    assert lines_editing.lines_of({"lines": [LINE]}) == [LINE]
    assert lines_editing.lines_of([{**LINE, "camera_id": "c1"}]) == [LINE]


def test_kpi_of_reads_nested_and_flat_rows() -> None:
    assert (
        store_status.kpi_of({"kpis": {"conversion": {"value": 0.2, "complete": True}}}, "conversion") == 0.2
    )
    assert store_status.kpi_of({"conversion": 0.3}, "conversion") == 0.3
    assert store_status.kpi_of(None, "conversion") is None
    assert store_status.kpi_of({"kpis": {}}, "conversion") is None


def test_device_health_as_the_server_sends_it() -> None:
    device = {
        "device_id": "d1",
        "store_id": "s1",
        "last_seen_at": None,
        "last_health_at": NOW.isoformat(),
        "last_health": {"cameras": [{"camera_id": "c1", "state": "stale"}]},
    }
    assert store_status.device_online(device, NOW)
    assert [a.message for a in store_status.camera_alerts([device], "s1", NOW)] == ["Camera c1 is stale."]


def test_conversion_without_sales_is_unknown_not_zero() -> None:
    row = {
        "kpis": {
            "conversion": {
                "value": 0.0,
                "complete": False,
                "missing": ["sales: 1 of 1 open day(s) have no sales imported"],
            }
        }
    }
    assert store_status.lacks_sales(store_status.kpi_entry(row, "conversion"))
    traffic_gap = {"value": 0.2, "missing": ["traffic: 5 of 600 open minutes not counted"]}
    assert not store_status.lacks_sales(traffic_gap)
    assert not store_status.lacks_sales(None)


SELECT = "ins-line-select.value"
RESIZE = "ins-canvas.relayoutData"
CLICK = "ins-canvas.clickData"


@pytest.mark.parametrize(
    ("triggered", "drawn", "inside_click", "expected"),
    [
        ((), False, False, "line"),  # the page opens: the chosen line fills the fields
        ((SELECT,), False, False, "line"),
        ((SELECT, RESIZE), False, False, "line"),  # lines loaded while the picture resized (CI flake)
        ((RESIZE,), False, False, "none"),  # a zoom or resize alone changes nothing
        ((RESIZE,), True, False, "drawn"),
        ((SELECT, RESIZE), True, False, "drawn"),  # a line drawn wins over the chooser
        ((CLICK,), False, False, "none"),  # a click while not placing the inside point
        ((CLICK,), False, True, "inside"),
    ],
)
def test_line_editor_fields_follow_what_changed(triggered, drawn, inside_click, expected) -> None:
    event = lines_editing.editor_event(triggered, select=SELECT, drawn=drawn, inside_click=inside_click)
    assert event == expected
