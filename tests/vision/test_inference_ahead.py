"""The direct OpenVINO path and inference ahead give exactly the boxes and ids of ``model.track()``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.vision

FRAMES = 40


@pytest.fixture(scope="module")
def pets_frames(footage_dir: Path) -> list:
    from footfall.edge.sources import open_source

    frames = []
    for frame in open_source(str(footage_dir / "pets09_s2l1" / "vtest.avi"), fps=7):
        frames.append(frame)
        if len(frames) == FRAMES:
            break
    return frames


def _detector(model_dir: Path, monkeypatch: pytest.MonkeyPatch, *, direct: bool, **options: object):
    from footfall.edge.detector import DIRECT_ENV, YoloDetector
    from footfall.edge.models import resolve_model

    monkeypatch.setenv(DIRECT_ENV, "1" if direct else "0")
    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")), **options)
    assert detector.direct is direct
    return detector


def _key(detections: list) -> list[tuple]:
    return sorted(
        (d.track_id, tuple(round(v, 2) for v in d.box), round(d.confidence, 4), d.class_id, d.class_name)
        for d in detections
    )


def _tracked(detector, frames: list, *, ahead: bool = False, roi=None, skip: frozenset[int] = frozenset()):
    stream = detector.ahead(frames, roi=roi) if ahead else frames
    return [_key(detector.track(f, roi=roi)) for f in stream if f.index not in skip]


@pytest.mark.parametrize("tracker", ["bytetrack", "botsort", "tracktrack"])
def test_direct_path_tracks_exactly_as_ultralytics(
    pets_frames: list, model_dir: Path, monkeypatch: pytest.MonkeyPatch, tracker: str
) -> None:
    ultralytics = _tracked(_detector(model_dir, monkeypatch, direct=False, tracker=tracker), pets_frames)
    direct = _tracked(_detector(model_dir, monkeypatch, direct=True, tracker=tracker), pets_frames)
    assert sum(len(found) for found in ultralytics) >= 100  # people are tracked in these frames
    assert direct == ultralytics


def test_inference_ahead_tracks_exactly_as_frame_by_frame(
    pets_frames: list, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_by_one = _tracked(_detector(model_dir, monkeypatch, direct=True), pets_frames)
    ahead = _tracked(_detector(model_dir, monkeypatch, direct=True), pets_frames, ahead=True)
    assert ahead == one_by_one


def test_inference_ahead_on_a_crop_with_frames_left_out(
    pets_frames: list, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crop shifts boxes back to the frame; a frame the caller does not track is simply dropped."""
    roi = (100, 60, 420, 330)
    skip = frozenset(range(5, FRAMES, 4))
    one_by_one = _tracked(_detector(model_dir, monkeypatch, direct=True), pets_frames, roi=roi, skip=skip)
    ahead = _tracked(
        _detector(model_dir, monkeypatch, direct=True), pets_frames, ahead=True, roi=roi, skip=skip
    )
    assert ahead == one_by_one
    boxes = [box for found in ahead for _, box, *_ in found]
    assert boxes and all(
        roi[0] <= x1 and x2 <= roi[2] and roi[1] <= y1 and y2 <= roi[3] for x1, y1, x2, y2 in boxes
    )


def test_the_frame_handed_over_is_the_one_tracked(
    pets_frames: list, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tracking a frame other than the one just handed over runs its own inference, not the neighbour's."""
    detector = _detector(model_dir, monkeypatch, direct=True)
    reference = _detector(model_dir, monkeypatch, direct=True)
    stream = detector.ahead(pets_frames[:10])
    next(stream)
    other = pets_frames[20]
    assert _key(detector.track(other)) == _key(reference.track(other))
    stream.close()


def test_a_reid_tracker_keeps_ultralytics_own_path(
    model_dir: Path, pets_frames: list, tmp_path: Path
) -> None:
    """Appearance features come from the predictor's feature maps: that tracker stays on its path."""
    import yaml
    from footfall.edge.detector import YoloDetector
    from footfall.edge.models import resolve_model
    from ultralytics.utils.checks import check_yaml

    config = yaml.safe_load(Path(check_yaml("botsort.yaml")).read_text(encoding="utf-8"))
    reid = tmp_path / "botsort-reid.yaml"
    reid.write_text(yaml.safe_dump({**config, "with_reid": True}), encoding="utf-8")
    detector = YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model")), tracker=str(reid))
    assert not detector.direct
    assert list(detector.ahead(pets_frames[:3])) == pets_frames[:3]


def test_pose_model_direct_and_ahead_give_ultralytics_boxes_and_keypoints(
    footage_dir: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from footfall.edge.detector import DIRECT_ENV, YoloDetector
    from footfall.edge.models import resolve_model
    from footfall.edge.sources import open_source

    frames = []
    for frame in open_source(str(footage_dir / "caviar" / "EnterExitCrossingPaths1cor.mpg")):
        frames.append(frame)  # the corridor camera: people near enough for the pose model
        if len(frames) == 30:
            break

    def run(direct: bool, ahead: bool) -> list[list[tuple]]:
        monkeypatch.setenv(DIRECT_ENV, "1" if direct else "0")
        detector = YoloDetector(resolve_model(str(model_dir / "yolov8n-pose_int8_openvino_model")))
        assert detector.direct is direct
        stream = detector.ahead(frames) if ahead else frames
        return [_with_keypoints(detector.track(f)) for f in stream]

    reference = run(direct=False, ahead=False)
    assert sum(len(found) for found in reference) >= 20  # people with keypoints in these frames
    assert run(direct=True, ahead=False) == reference
    assert run(direct=True, ahead=True) == reference


def _with_keypoints(detections: list) -> list[tuple]:
    return sorted(
        (
            d.track_id,
            tuple(round(v, 2) for v in d.box),
            round(d.confidence, 4),
            tuple(np.round(d.keypoints, 1).ravel()),
        )
        for d in detections
    )


def test_letterbox_matches_ultralytics_pixel_for_pixel() -> None:
    from footfall.edge.openvino_runner import letterbox, to_blob
    from ultralytics.data.augment import LetterBox

    rng = np.random.default_rng(7)
    for height, width, target in [(360, 480, (448, 448)), (288, 384, (352, 448)), (577, 311, (640, 640))]:
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        theirs = LetterBox(new_shape=target, auto=False, stride=32)(image=image)
        ours = letterbox(image, *target)
        assert np.array_equal(ours, theirs)
        expected = theirs[..., ::-1].transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255)
        assert np.array_equal(to_blob(ours), expected)


def test_exports_the_direct_path_cannot_read_go_through_ultralytics(model_dir: Path, tmp_path: Path) -> None:
    """NMS built into the export (YOLOv10/YOLO26 style): its output is final boxes, not raw anchors."""
    import shutil

    import yaml
    from footfall.edge.detector import YoloDetector
    from footfall.edge.models import resolve_model

    folder = tmp_path / "yolo11n_int8_openvino_model"
    shutil.copytree(model_dir / "yolo11n_int8_openvino_model", folder)
    metadata = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
    (folder / "metadata.yaml").write_text(yaml.safe_dump({**metadata, "end2end": True}), encoding="utf-8")
    assert YoloDetector(resolve_model(str(model_dir / "yolo11n_int8_openvino_model"))).direct
    assert not YoloDetector(resolve_model(str(folder))).direct


def test_a_dynamic_input_is_refused_by_the_runner(tmp_path: Path) -> None:
    import openvino as ov
    from footfall.edge.errors import EdgeError
    from footfall.edge.openvino_runner import OpenVinoRunner

    image = ov.opset13.parameter([1, 3, -1, -1], ov.Type.f32, name="images")
    model = ov.Model([ov.opset13.relu(image)], [image], "dynamic")
    ov.save_model(model, tmp_path / "dynamic.xml")
    with pytest.raises(EdgeError, match="fixed 1x3xHxW"):
        OpenVinoRunner(tmp_path)
