"""Input size from the picture's shape and the people's size (pure arithmetic)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from footfall.edge.input_size import fitted, for_people, median_person_height, probe_people
from footfall.edge.tracks import Detection, Frame


@pytest.mark.parametrize(
    ("width", "height", "long_side", "expected"),
    [
        (480, 360, 448, (352, 448)),  # PETS: same scale as a 448 square, a quarter less padding
        (360, 480, 448, (448, 352)),  # portrait camera
        (384, 288, 448, (352, 448)),  # CAVIAR
        (1920, 1080, 640, (384, 640)),
        (480, 360, 256, (192, 256)),
        (500, 500, 320, (320, 320)),
        (2000, 100, 320, (32, 320)),  # a very thin crop still gets one stride
    ],
)
def test_fitted_keeps_the_shape_in_multiples_of_32(width, height, long_side, expected) -> None:
    assert fitted(width, height, long_side) == expected


@pytest.mark.parametrize(
    ("median", "width", "height", "native", "expected"),
    [
        (None, 480, 360, 448, (352, 448)),  # nobody seen: the model's own size, fitted
        (50.0, 480, 360, 448, (352, 448)),  # PETS people (50 px): already small, keep the size
        (100.0, 480, 360, 448, (224, 288)),  # twice as tall: 269 px wanted -> long side 288
        (25.0, 480, 360, 448, (352, 448)),  # small people: never above the model's size
        (150.0, 480, 360, 448, (160, 192)),  # big people: down to the floor, not below
        (96.0, 1920, 1080, 640, (384, 640)),  # 1080p, 96 px people: 800 wanted, capped at 640
        (300.0, 1920, 1080, 640, (224, 384)),  # an entrance camera with people 300 px tall
    ],
)
def test_for_people(median, width, height, native, expected) -> None:
    assert for_people(median, width, height, native_long=native) == expected


def _person(x: float, height: float, confidence: float = 0.9, class_id: int = 0) -> Detection:
    return Detection((x - 10, 300 - height, x + 10, 300), confidence, class_id, "person")


def test_median_counts_confident_people_only() -> None:
    frames = [
        [_person(100, 40), _person(200, 60), _person(300, 500, confidence=0.2)],
        [_person(100, 50), _person(150, 90, class_id=24)],  # a backpack is not a person
        [],
    ]
    assert median_person_height(frames) == 50
    assert median_person_height([[], []]) is None


def test_probe_looks_only_inside_the_region() -> None:
    frame = Frame(0, 0.0, datetime(2026, 1, 1, tzinfo=UTC), np.zeros((360, 480, 3), np.uint8))
    people = [_person(100, 40), _person(400, 80)]
    assert probe_people(lambda f: people, [frame, frame]) == 60
    assert probe_people(lambda f: people, [frame], region=(300, 0, 480, 360)) == 80


@pytest.mark.parametrize(
    ("mode", "region", "expected"),
    [
        ("native", None, None),
        ("fit", None, (352, 448)),
        ("320", None, (256, 320)),
        ("auto", None, (224, 288)),  # people 100 px tall
        ("fit", (100, 0, 388, 360), (448, 384)),  # a 288x360 crop round the lines
        ("auto", (100, 0, 388, 360), (224, 192)),  # 360 * 56 / 100 = 202 -> 224 on the long side
    ],
)
def test_choose(mode, region, expected) -> None:
    from footfall.edge.input_size import choose

    frame = Frame(0, 0.0, datetime(2026, 1, 1, tzinfo=UTC), np.zeros((360, 480, 3), np.uint8))
    people = [_person(200, 100), _person(250, 100)]
    assert choose(mode, [frame] * 6, lambda f: people, native_long=448, region=region) == expected


def test_choose_refuses_nonsense() -> None:
    from footfall.edge.input_size import choose

    frame = Frame(0, 0.0, datetime(2026, 1, 1, tzinfo=UTC), np.zeros((360, 480, 3), np.uint8))
    with pytest.raises(ValueError, match="native, fit, auto"):
        choose("big", [frame], lambda f: [], native_long=448)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("448", 448), ("352x448", (352, 448)), ("384X640", (384, 640)), ("auto", "auto"), ("fit", "fit")],
)
def test_imgsz_argument(text: str, parsed) -> None:
    from footfall.edge.count_cli import input_size_arg

    assert input_size_arg(text) == parsed


@pytest.mark.parametrize("text", ["300", "32", "448x", "big", "1x2x3", "352x450"])
def test_bad_imgsz_argument(text: str) -> None:
    import argparse

    from footfall.edge.count_cli import input_size_arg

    with pytest.raises(argparse.ArgumentTypeError):
        input_size_arg(text)
