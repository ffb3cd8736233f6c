"""Cost of the who-counts filters, in frames per second, on real PETS 2009 detections.

The detector and tracker run once (their cost is the counting benchmark's business); the
recorded detections are then replayed through the classifier's ``observe`` (every frame)
and ``classify`` (once per track, as at a crossing), with and without a staff uniform
(the only filter that reads pixels). Prints one line per configuration.

    YOLO_OFFLINE=1 .venv/bin/python benchmarks/bench_filters.py
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FOOTAGE = Path(os.environ.get("FOOTFALL_FOOTAGE_DIR", REPO.parent / "shared" / "data")) / "pets09_s2l1"
os.environ.setdefault("FOOTFALL_MODEL_DIR", str(REPO.parent / "shared" / "models"))
os.environ.setdefault("YOLO_OFFLINE", "1")
SCALE = 0.625


def main() -> None:
    import cv2
    from footfall.edge.calibration import (
        CameraCalibration,
        FloorPoint,
        StaffSettings,
        WhoCountsSettings,
        solve,
    )
    from footfall.edge.counting.filters import WhoCountsClassifier
    from footfall.edge.counting.staff import sample_uniform, torso_box
    from footfall.edge.detector import YoloDetector
    from footfall.edge.models import resolve_model
    from footfall.edge.tracks import Frame, TrackObservation

    gt = np.loadtxt(FOOTAGE / "gt" / "gt.txt", delimiter=",")
    gt = gt[gt[:, 6] == 1]
    rows = gt[np.random.default_rng(0).choice(len(gt), 40, replace=False)]
    calibration = solve(
        CameraCalibration(
            image_width=480,
            image_height=360,
            allowed_mounting_m=(2.0, 10.0),
            floor_points=[
                FloorPoint(image=((r[2] + r[4] / 2) * SCALE, (r[3] + r[5]) * SCALE), floor=(r[7], r[8]))
                for r in rows
            ],
        )
    )

    capture = cv2.VideoCapture(str(FOOTAGE / "vtest.avi"))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    detector = YoloDetector(resolve_model(None), confidence=0.25)
    recorded = []
    for index, image in enumerate(frames):
        frame = Frame(index, index / 7.0, start + timedelta(seconds=index / 7.0), image)
        recorded.append((frame, detector.track(frame)))

    row = gt[(gt[:, 0] == 76) & (gt[:, 1] == 11)][0]
    box = (row[2] * SCALE, row[3] * SCALE, (row[2] + row[4]) * SCALE, (row[3] + row[5]) * SCALE)
    uniform = sample_uniform([(frames[75], torso_box(box))])

    configurations = {
        "height + objects": WhoCountsSettings(),
        "height + objects + staff uniform": WhoCountsSettings(staff=StaffSettings(uniform=uniform)),
    }
    detections = sum(len(d) for _, d in recorded)
    print(f"PETS S2.L1: {len(recorded)} frames, {detections} tracked detections (480×360)")
    for name, settings in configurations.items():
        timings = []
        for _ in range(3):  # best of three: the machine is shared
            classifier = WhoCountsClassifier(calibration, settings)
            histories: dict[int, list[TrackObservation]] = {}
            classified = 0
            started = time.perf_counter()
            for frame, found in recorded:
                classifier.observe(frame, found)
                for det in found:
                    if det.track_id is not None:
                        histories.setdefault(det.track_id, []).append(
                            TrackObservation(frame.index, frame.t, det.box, det.confidence)
                        )
            for track_id, history in histories.items():
                classifier.classify(track_id, history[-64:])
                classified += 1
            timings.append(time.perf_counter() - started)
        elapsed = min(timings)
        print(
            f"who-counts filters, {name:<34} {len(recorded) / elapsed:8.0f} frames/s "
            f"({1000 * elapsed / len(recorded):.2f} ms/frame, {classified} classifications)"
        )


if __name__ == "__main__":
    main()
