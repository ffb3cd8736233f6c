"""Who counts: table-driven rules for objects, riders, fragments, staff zones and child height."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from footfall.edge.calibration import StaffSettings, StaffZone, WhoCountsSettings, solve
from footfall.edge.counting.filters import (
    WhoCountsClassifier,
    containment,
    estimate_height,
    fragment_of,
    is_person,
    riding_in,
)
from footfall.edge.tracks import Detection, Frame, TrackObservation

from .synthetic_camera import SyntheticCamera

CAMERA = SyntheticCamera()
CALIBRATION = solve(CAMERA.calibration())
IMAGE = np.zeros((480, 640, 3), dtype=np.uint8)


def frame(index: int) -> Frame:
    return Frame(index=index, t=index / 10, wall=datetime(2026, 1, 1, tzinfo=UTC), image=IMAGE)


def walk(height_m: float, *, x: float = 0.0, frames: int = 12, start: int = 0):
    """Boxes of a person walking towards the camera from y=6 m to y=3 m."""
    ys = np.linspace(6.0, 3.0, frames)
    return [(start + i, CAMERA.person_box(x, float(y), height_m)) for i, y in enumerate(ys)]


def run(classifier: WhoCountsClassifier, tracks: dict[int, list], objects=None, classes=None):
    """Feed every frame's detections, then return each track's history."""
    objects = objects or {}
    classes = classes or {}
    frames = sorted({f for boxes in tracks.values() for f, _ in boxes} | set(objects))
    history: dict[int, list[TrackObservation]] = {t: [] for t in tracks}
    for index in frames:
        detections = []
        for track_id, boxes in tracks.items():
            for f, box in boxes:
                if f == index:
                    name = classes.get(track_id, "person")
                    detections.append(Detection(box, 0.9, 0, name, track_id))
                    history[track_id].append(TrackObservation(index, index / 10, box, 0.9))
        for name, box in objects.get(index, []):
            detections.append(Detection(box, 0.8, 99, name, 1000))
        classifier.observe(frame(index), detections)
    return history


@pytest.mark.parametrize(
    ("name", "counts"),
    [
        ("person", True),
        ("Person", True),
        ("backpack", False),
        ("handbag", False),
        ("suitcase", False),
        ("shopping_cart", False),
        ("stroller", False),
        ("wheelchair", False),
        ("dog", False),
    ],
)
def test_only_people_can_cross(name: str, counts: bool) -> None:
    assert is_person(Detection((0, 0, 10, 30), 0.9, 0, name, 1)) is counts


@pytest.mark.parametrize(
    ("person", "carriers", "expected"),
    [
        (
            (110, 110, 150, 160),
            [("shopping cart", (100, 100, 200, 200))],
            "shopping cart",
        ),  # child sits in it
        ((210, 40, 260, 200), [("shopping cart", (100, 100, 200, 200))], None),  # walks beside it
        ((120, 20, 180, 160), [("shopping cart", (100, 100, 200, 200))], None),  # pushes it: body above
        ((105, 95, 160, 190), [("wheelchair", (100, 100, 200, 200))], "wheelchair"),
        ((110, 110, 150, 160), [], None),
    ],
)
def test_riding_rule(person, carriers, expected) -> None:
    assert riding_in(person, carriers) == expected


@pytest.mark.parametrize(
    ("box", "others", "expected"),
    [
        ((120, 100, 150, 140), [(7, (100, 0, 180, 200))], 7),  # a backpack seen as a "person" on someone
        ((100, 0, 180, 200), [(7, (100, 0, 180, 200))], None),  # same size: two people overlapping
        ((160, 60, 200, 200), [(7, (100, 0, 180, 200))], None),  # a child next to a parent
        ((120, 100, 150, 140), [(1, (100, 0, 180, 200))], None),  # itself
    ],
)
def test_fragment_rule(box, others, expected) -> None:
    assert fragment_of(box, 1, others) == expected


def test_containment_table() -> None:
    assert containment((0, 0, 10, 10), (0, 0, 20, 20)) == 1.0
    assert containment((0, 0, 10, 10), (5, 0, 20, 20)) == 0.5
    assert containment((0, 0, 10, 10), (50, 50, 60, 60)) == 0.0
    assert containment((0, 0, 0, 10), (0, 0, 20, 20)) == 0.0


@pytest.mark.parametrize(
    ("height_m", "expected"),
    [
        (0.9, "child"),
        (1.05, "child"),
        (1.14, "child"),
        (1.18, "adult"),
        (1.24, "adult"),
        (1.55, "adult"),
        (1.95, "adult"),
    ],
)
def test_child_threshold_with_margin(height_m: float, expected: str) -> None:
    classifier = WhoCountsClassifier(CALIBRATION)
    history = run(classifier, {1: walk(height_m)})
    result = classifier.classify(1, history[1])
    assert result.person_class == expected
    assert result.height_m == pytest.approx(height_m, abs=0.04)
    assert result.counts
    if 1.15 <= height_m < 1.25:
        assert any("too close" in r for r in result.reasons)


def test_threshold_is_configurable() -> None:
    settings = WhoCountsSettings(child_height_m=1.4, margin_m=0.0)
    classifier = WhoCountsClassifier(CALIBRATION, settings)
    assert classifier.classify(1, run(classifier, {1: walk(1.3)})[1]).person_class == "child"


def test_feet_hidden_for_a_few_frames_do_not_shrink_an_adult() -> None:
    """Bottom of the box cut 45 % higher for 4 of 12 frames (someone walks in front)."""
    boxes = walk(1.7)
    hidden = []
    for i, (f, (x1, y1, x2, y2)) in enumerate(boxes):
        if 4 <= i < 8:
            y2 = y2 - 0.45 * (y2 - y1)
        hidden.append((f, (x1, y1, x2, y2)))
    classifier = WhoCountsClassifier(CALIBRATION)
    history = run(classifier, {1: hidden})
    single = classifier._meter.height_from_box(hidden[5][1])
    assert single < 1.2  # one frame alone would call this adult a child
    result = classifier.classify(1, history[1])
    assert result.person_class == "adult"
    assert result.height_m == pytest.approx(1.7, abs=0.05)


def test_boxes_cut_by_the_frame_edge_are_not_measured() -> None:
    history = [TrackObservation(i, i / 10, (300, 0, 340, 120), 0.9) for i in range(5)]
    assert estimate_height(classifier_meter(), history, (640, 480)) is None


def classifier_meter():
    from footfall.edge.calibration import HeightMeter

    return HeightMeter(CALIBRATION, (640, 480))


def test_pose_keypoints_are_preferred_over_a_loose_box() -> None:
    meter = classifier_meter()
    box = CAMERA.person_box(0.0, 4.0, 1.7)
    loose = (box[0] - 5, box[1] - 25, box[2] + 5, box[3])  # a hat, or a sloppy detector
    kp = CAMERA.keypoints(0.0, 4.0, 1.7)
    history = [TrackObservation(i, i / 10, loose, 0.9, kp) for i in range(5)]
    estimate = estimate_height(meter, history, (640, 480))
    assert estimate is not None and estimate.height_m == pytest.approx(1.7, abs=0.03)
    no_pose = [TrackObservation(i, i / 10, loose, 0.9) for i in range(5)]
    assert estimate_height(meter, no_pose, (640, 480)).height_m > 1.8


def test_child_riding_in_a_cart_is_a_child_and_the_pusher_an_adult() -> None:
    pusher = walk(1.75, x=0.0)
    cart_boxes = {
        f: [("shopping_cart", CAMERA.person_box(0.0, 6.0 - 3.0 * i / 11 - 0.8, 1.0, 0.7))]
        for i, (f, _) in enumerate(pusher)
    }
    rider = []
    for f, [(_name, (x1, y1, x2, y2))] in cart_boxes.items():
        rider.append(
            (f, (x1 + 0.2 * (x2 - x1), y1 + 0.05 * (y2 - y1), x2 - 0.2 * (x2 - x1), y2 - 0.2 * (y2 - y1)))
        )
    classifier = WhoCountsClassifier(CALIBRATION)
    history = run(classifier, {1: pusher, 2: rider}, objects=cart_boxes)
    assert classifier.classify(1, history[1]).person_class == "adult"
    child = classifier.classify(2, history[2])
    assert child.person_class == "child"
    assert "rides in a shopping cart" in child.reasons[0]


def test_person_in_a_wheelchair_is_an_adult_whatever_the_seated_height() -> None:
    seated = walk(1.25)
    chairs = {f: [("wheelchair", (x1 - 10, y1 - 5, x2 + 10, y2 + 5))] for f, (x1, y1, x2, y2) in seated}
    classifier = WhoCountsClassifier(CALIBRATION)
    history = run(classifier, {1: seated}, objects=chairs)
    result = classifier.classify(1, history[1])
    assert result.person_class == "adult" and "wheelchair" in result.reasons[0]


def test_a_bag_detected_as_a_person_inside_someone_does_not_count() -> None:
    adult = walk(1.75)
    bag = [
        (f, (x1 + 0.3 * (x2 - x1), y1 + 0.3 * (y2 - y1), x2 - 0.1 * (x2 - x1), y1 + 0.6 * (y2 - y1)))
        for f, (x1, y1, x2, y2) in adult
    ]
    classifier = WhoCountsClassifier(CALIBRATION)
    history = run(classifier, {1: adult, 2: bag})
    assert classifier.classify(1, history[1]).counts is True
    fragment = classifier.classify(2, history[2])
    assert fragment.counts is False and "part of person 1" in fragment.reasons[0]


def test_parent_and_child_walking_side_by_side_are_both_people() -> None:
    classifier = WhoCountsClassifier(CALIBRATION)
    history = run(classifier, {1: walk(1.8, x=-0.3), 2: walk(1.0, x=0.3)})
    assert [classifier.classify(t, history[t]).person_class for t in (1, 2)] == ["adult", "child"]
    assert classifier.classify(2, history[2]).counts


def test_staff_zone_marks_staff_only_after_a_few_frames_inside() -> None:
    zone = StaffZone(polygon=[(0.0, 0.0), (0.3, 0.0), (0.3, 1.0), (0.0, 1.0)], min_frames=3)
    settings = WhoCountsSettings(staff=StaffSettings(zone=zone))
    classifier = WhoCountsClassifier(CALIBRATION, settings)
    behind_counter = [(i, (60.0, 100.0, 100.0, 300.0)) for i in range(4)] + walk(1.7, start=4)
    # a visitor at the counter: foot point inside the zone (x < 0.3 of 640 px) for 2 frames only
    leaning_over = [(0, (140.0, 100.0, 180.0, 300.0)), (1, (140.0, 100.0, 180.0, 300.0))]
    leaning_over += [(i, (200.0, 100.0, 240.0, 300.0)) for i in range(2, 8)]
    history = run(classifier, {1: behind_counter, 2: walk(1.7, x=1.0), 3: leaning_over})
    staff = classifier.classify(1, history[1])
    assert staff.person_class == "staff" and "staff zone" in staff.reasons[0]
    assert classifier.classify(2, history[2]).person_class == "adult"
    assert classifier.classify(3, history[3]).person_class != "staff"


def test_without_calibration_everyone_left_is_an_adult() -> None:
    classifier = WhoCountsClassifier(None)
    history = run(classifier, {1: walk(1.0)})
    result = classifier.classify(1, history[1])
    assert (result.person_class, result.height_m) == ("adult", None)


def test_context_memory_stays_flat_on_a_long_stream() -> None:
    classifier = WhoCountsClassifier(CALIBRATION)
    for index in range(3000):
        track = index // 50
        detections = [
            Detection((100, 100, 140, 220), 0.9, 0, "person", track),
            Detection((110, 150, 130, 200), 0.9, 0, "person", 10_000 + track),
            Detection((90, 150, 160, 230), 0.8, 99, "stroller", None),
        ]
        classifier.observe(frame(index), detections)
    assert len(classifier._carriers) <= 601 and len(classifier._people) <= 601
    assert len(classifier._last_seen) < 50
    assert classifier.floor_position(59) is not None


class _ReplayDetector:
    """Stands in for the YOLO tracker: returns prepared detections frame by frame."""

    def __init__(self, by_frame: dict[int, list[Detection]]) -> None:
        self.by_frame = by_frame

    def track(self, frame: Frame, roi=None) -> list[Detection]:
        return self.by_frame.get(frame.index, [])

    def reset(self) -> None:
        return None


def test_through_the_pipeline_children_are_children_and_fragments_emit_nothing() -> None:
    from footfall.edge.counting.lines import CountingLine
    from footfall.edge.pipeline import CountingPipeline

    adult = walk(1.75, x=-0.8, frames=20)
    child = walk(1.0, x=0.8, frames=20)
    bag = [
        (f, (x1 + 0.3 * (x2 - x1), y1 + 0.3 * (y2 - y1), x2 - 0.1 * (x2 - x1), y1 + 0.6 * (y2 - y1)))
        for f, (x1, y1, x2, y2) in adult
    ]
    by_frame: dict[int, list[Detection]] = {}
    for track_id, boxes in ((1, adult), (2, child), (3, bag)):
        for f, box in boxes:
            by_frame.setdefault(f, []).append(Detection(box, 0.9, 0, "person", track_id))
    middle = CAMERA.project(0.0, 4.5)[1]
    line = CountingLine("door", 0.0, middle, 640.0, middle, 320.0, 470.0)
    pipeline = CountingPipeline("cam", [line], _ReplayDetector(by_frame), WhoCountsClassifier(CALIBRATION))
    events = []
    for index in range(25):
        events += pipeline.process(frame(index))
    events += pipeline.close()
    assert sorted((e.track_id, e.direction, e.person_class) for e in events) == [
        (1, "in", "adult"),
        (2, "in", "child"),
    ]
    assert pipeline.stats.not_counted == 1


def test_pose_keypoints_of_small_people_are_not_trusted() -> None:
    """Below MIN_POSE_BOX_PX the box decides: small people's keypoints ran 10 % short on PETS."""
    from footfall.edge.calibration import HeightMeter
    from footfall.edge.counting.filters import MIN_POSE_BOX_PX

    far = SyntheticCamera(focal_px=250.0)
    meter = HeightMeter(solve(far.calibration()), (640, 480))
    box = far.person_box(0.0, 5.0, 1.7)
    assert box[3] - box[1] < MIN_POSE_BOX_PX
    short_keypoints = far.keypoints(0.0, 5.0, 1.4)  # what a weak pose model might report
    history = [TrackObservation(i, i / 10, box, 0.9, short_keypoints) for i in range(5)]
    estimate = estimate_height(meter, history, (640, 480))
    assert estimate is not None and estimate.height_m == pytest.approx(1.7, abs=0.04)
