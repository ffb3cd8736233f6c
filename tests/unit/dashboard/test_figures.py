"""Figure builders: titles, units and hover details present; the data drawn is the data given."""

from __future__ import annotations

import base64

import pytest
from footfall.dashboard import figures


def _bucket(hour: int, count: int, **extra: object) -> dict:
    return {
        "bucket_start": f"2026-03-10T{hour:02d}:00:00+01:00",
        "in": count,
        "out": 0,
        "coverage": 1.0,
        **extra,
    }


def test_hourly_sums_split_buckets_by_local_hour() -> None:
    buckets = [_bucket(9, 3, entrance_id="a"), _bucket(9, 4, entrance_id="b"), _bucket(10, 5)]
    assert figures.hourly_in(buckets) == {9: 7, 10: 5}


def test_hourly_against_last_week_draws_both_days_on_the_same_hours() -> None:
    figure = figures.hourly_against_last_week(
        [_bucket(9, 3), _bucket(11, 8)], [_bucket(10, 6)], weekday="Tuesday", locale="en_GB"
    )
    today, before = figure.data
    assert list(today.x) == ["09:00", "10:00", "11:00"]
    assert list(today.y) == [3, 0, 8]
    assert list(before.y) == [0, 6, 0]
    assert before.name == "Last Tuesday"
    assert "Tuesday" in figure.layout.title.text
    assert figure.layout.yaxis.title.text == "Visitors in (people)"
    assert "visitors today" in today.hovertemplate


def test_empty_figures_explain_what_to_do() -> None:
    figure = figures.hourly_against_last_week([], [], weekday="Monday")
    assert not figure.data
    assert "No counts yet today" in figure.layout.annotations[0].text
    assert figures.entrance_split({}).layout.annotations
    assert (
        "sales"
        in figures.conversion_vs_traffic([{"visitors": 5, "conversion": None}]).layout.annotations[0].text
    )


def test_entrance_split_orders_and_shares() -> None:
    figure = figures.entrance_split({"Main": 30, "Car park": 10}, locale="en_GB")
    bar = figure.data[0]
    assert list(bar.y) == ["Car park", "Main"]
    assert list(bar.x) == [10, 30]
    assert [c[1] for c in bar.customdata] == ["25.0%", "75.0%"]


def test_conversion_vs_traffic_one_point_per_store_in_percent() -> None:
    figure = figures.conversion_vs_traffic(
        [
            {"store_id": "s1", "name": "Berlin", "visitors": 1000, "conversion": 0.2},
            {"store_id": "s2", "name": "Paris", "visitors": 500, "conversion": 0.3},
            {"store_id": "s3", "name": "No sales", "visitors": 500, "conversion": None},
        ]
    )
    points = figure.data[0]
    assert list(points.text) == ["Berlin", "Paris"]
    assert list(points.y) == pytest.approx([20.0, 30.0])
    assert "Conversion" in figure.layout.yaxis.title.text


def test_hour_of_week_grid_is_weekday_by_hour() -> None:
    figure = figures.hour_of_week(
        [{"weekday": 0, "hour": 9, "value": 4}, {"weekday": 6, "hour": 10, "value": 2.5}], store_name="Berlin"
    )
    heat = figure.data[0]
    assert list(heat.y) == list(figures.WEEKDAYS)
    assert list(heat.x) == ["09:00", "10:00"]
    assert heat.z[0] == (4.0, None) or list(heat.z[0]) == [4.0, None]
    assert list(heat.z[6]) == [None, 2.5]


def test_lifetime_value_labels_in_currency() -> None:
    figure = figures.lifetime_value(
        [{"lower": 0, "upper": 100, "customers": 7}], currency="EUR", locale="de_DE"
    )
    assert list(figure.data[0].x) == ["0,00\xa0€–100,00\xa0€"]
    assert "EUR" in figure.layout.title.text


def test_snapshot_shows_the_picture_and_each_line_with_its_inside_point() -> None:
    jpeg = b"\xff\xd8fake-jpeg"
    line = {
        "line_id": "l1",
        "name": "Door",
        "x1": 0.1,
        "y1": 0.5,
        "x2": 0.9,
        "y2": 0.5,
        "inside_x": 0.5,
        "inside_y": 0.8,
    }
    figure = figures.snapshot_with_lines(jpeg, [line])
    assert figure.layout.images[0].source == "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
    drawn = [trace for trace in figure.data if trace.type == "scatter"]
    assert list(drawn[0].x) == [0.1, 0.9]
    assert (drawn[1].x[0], drawn[1].y[0]) == (0.5, 0.8)
    assert figure.layout.dragmode == "drawline"
    assert list(figure.layout.yaxis.range) == [1, 0]  # image rows run top-down


@pytest.mark.parametrize(
    ("relayout", "expected"),
    [
        (None, None),
        ({"autosize": True}, None),
        ({"shapes": [{"type": "line", "x0": 0.1, "y0": 0.2, "x1": 0.7, "y1": 0.25}]}, (0.1, 0.2, 0.7, 0.25)),
        (
            {"shapes[0].x0": -0.2, "shapes[0].y0": 0.5, "shapes[0].x1": 1.4, "shapes[0].y1": 0.5},
            (0.0, 0.5, 1.0, 0.5),
        ),
        ({"shapes[1].x0": 0.3}, None),
    ],
)
def test_drawn_line_reads_new_and_moved_shapes(relayout: dict | None, expected: tuple | None) -> None:
    assert figures.drawn_line(relayout) == expected


def test_jpeg_size_reads_the_frame_header() -> None:
    header = bytes.fromhex("ffd8ffe000104a46494600010100000100010000")
    sof = bytes.fromhex("ffc0001108") + (288).to_bytes(2, "big") + (384).to_bytes(2, "big") + bytes(12)
    assert figures.jpeg_size(header + sof) == (384, 288)
    assert figures.jpeg_size(b"\xff\xd8") is None


def test_lifetime_value_open_ended_last_bin() -> None:
    figure = figures.lifetime_value(
        [{"lower": 500, "upper": None, "customers": 3}], currency="GBP", locale="en_GB"
    )
    assert list(figure.data[0].x) == ["≥ £500.00"]
