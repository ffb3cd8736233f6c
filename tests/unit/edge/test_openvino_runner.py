"""The OpenVINO runner's first inference runs alone (the binding's first use deadlocks in parallel)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from footfall.edge import openvino_runner
from footfall.edge.openvino_runner import OpenVinoRunner


def _tiny_model(folder: Path) -> Path:
    import openvino as ov

    image = ov.opset13.parameter([1, 3, 8, 8], ov.Type.f32, name="images")
    ov.save_model(ov.Model([ov.opset13.relu(image)], [image], "tiny"), folder / "tiny.xml")
    return folder


def test_the_first_inference_of_the_process_runs_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = OpenVinoRunner(_tiny_model(tmp_path))
    monkeypatch.setattr(openvino_runner, "_first_inference_done", threading.Event())  # a fresh process
    second_waiting = threading.Event()
    order: list[str] = []
    real_run, real_letterbox = openvino_runner._run, openvino_runner.letterbox

    def letterbox(image: np.ndarray, height: int, width: int) -> np.ndarray:
        if threading.current_thread().name == "second":
            second_waiting.set()  # past everything before the first-use guard
        return real_letterbox(image, height, width)

    def run(request: object, blob: np.ndarray) -> np.ndarray:
        name = threading.current_thread().name
        order.append(f"{name} starts")
        if name == "first":
            assert second_waiting.wait(5.0)
            threading.Event().wait(0.2)  # time enough for the second to start, were it let in
        output = real_run(request, blob)
        order.append(f"{name} ends")
        return output

    monkeypatch.setattr(openvino_runner, "letterbox", letterbox)
    monkeypatch.setattr(openvino_runner, "_run", run)
    frame = np.full((8, 8, 3), 200, np.uint8)
    outputs: dict[str, np.ndarray] = {}
    first = threading.Thread(
        target=lambda: outputs.update(first=runner.infer(frame, "THROUGHPUT")), name="first"
    )
    first.start()
    while not order:  # the first is inside before the second asks
        threading.Event().wait(0.01)
    second = threading.Thread(
        target=lambda: outputs.update(second=runner.infer(frame, "THROUGHPUT")), name="second"
    )
    second.start()
    first.join(10.0)
    second.join(10.0)

    assert order == ["first starts", "first ends", "second starts", "second ends"]
    np.testing.assert_allclose(outputs["first"], outputs["second"])
    np.testing.assert_allclose(outputs["first"], np.full((1, 3, 8, 8), 200 / 255, np.float32), rtol=1e-6)


def test_after_the_first_inference_threads_infer_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = OpenVinoRunner(_tiny_model(tmp_path))
    done = threading.Event()
    done.set()
    monkeypatch.setattr(openvino_runner, "_first_inference_done", done)
    inside = threading.Barrier(2, timeout=5.0)
    real_run = openvino_runner._run

    def run(request: object, blob: np.ndarray) -> np.ndarray:
        inside.wait()  # both threads in at once, or the barrier breaks
        return real_run(request, blob)

    monkeypatch.setattr(openvino_runner, "_run", run)
    frame = np.zeros((8, 8, 3), np.uint8)
    errors: list[BaseException] = []

    def infer() -> None:
        try:
            runner.infer(frame, "THROUGHPUT")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=infer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10.0)
    assert errors == []
