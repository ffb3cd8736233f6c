"""Frame sources: files, image folders (sorted, with fps), grayscale frames, errors, looping."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from footfall.edge.errors import SourceError
from footfall.edge.sources import ImageFolderSource, VideoFileSource, _redact, as_bgr, open_source


def _write_video(path: Path, frames: int, fps: float = 20.0, size=(64, 48)) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    for i in range(frames):
        image = np.full((size[1], size[0], 3), i * 10 % 255, np.uint8)
        writer.write(image)
    writer.release()


def test_video_file_frames_are_timed_by_fps(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    _write_video(video, 6, fps=20.0)
    source = open_source(str(video))
    assert isinstance(source, VideoFileSource)
    assert source.frame_count == 6
    frames = list(source)
    source.close()
    assert [f.index for f in frames] == list(range(6))
    assert frames[3].t == pytest.approx(3 / 20.0)
    assert (frames[3].wall - frames[0].wall).total_seconds() == pytest.approx(3 / 20.0)
    assert frames[0].wall.tzinfo is not None
    assert frames[0].image.shape == (48, 64, 3)


def test_fps_overrides_the_container(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    _write_video(video, 4, fps=10.0)
    frames = list(open_source(str(video), fps=7.0))
    assert frames[1].t == pytest.approx(1 / 7.0)


def test_loop_replays_a_file(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    _write_video(video, 3)
    source = open_source(str(video), loop=True)
    frames = []
    for frame in source:
        frames.append(frame)
        if len(frames) == 8:
            break
    source.close()
    assert [f.index for f in frames] == list(range(8))
    assert frames[7].t > frames[2].t


def test_image_folder_sorted_by_name_with_grayscale(tmp_path: Path) -> None:
    for name, value in [("img_002.png", 20), ("img_001.png", 10), ("img_010.png", 30)]:
        cv2.imwrite(str(tmp_path / name), np.full((30, 40), value, np.uint8))  # grayscale (IR night mode)
    (tmp_path / "notes.txt").write_text("not an image")
    source = open_source(str(tmp_path), fps=5.0)
    assert isinstance(source, ImageFolderSource)
    frames = list(source)
    assert [int(f.image[0, 0, 0]) for f in frames] == [10, 20, 30]
    assert all(f.image.shape == (30, 40, 3) for f in frames)
    assert frames[2].t == pytest.approx(0.4)


def test_image_folder_without_images(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="holds no images"):
        open_source(str(tmp_path))


def test_unknown_source_says_what_it_accepts(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="neither a file, an image folder"):
        open_source(str(tmp_path / "missing.mp4"))


def test_unreadable_video_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"this is not a video")
    with pytest.raises(SourceError, match="cannot open video file"):
        open_source(str(bad))


def test_bad_fps_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="fps must be positive"):
        open_source(str(tmp_path), fps=0)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((5, 6), np.uint8),
        np.zeros((5, 6, 1), np.uint8),
        np.zeros((5, 6, 4), np.uint8),
        np.zeros((5, 6, 3), np.uint8),
    ],
)
def test_as_bgr_always_three_channels(image: np.ndarray) -> None:
    assert as_bgr(image).shape == (5, 6, 3)


def test_stream_credentials_never_logged() -> None:
    assert _redact("rtsp://admin:secret@10.0.0.5:554/stream1") == "rtsp://***@10.0.0.5:554/stream1"
    assert _redact("rtsp://10.0.0.5/stream") == "rtsp://10.0.0.5/stream"


def test_a_stream_that_goes_silent_is_lost_after_the_read_timeout() -> None:
    """A camera that stops sending (reboot, cable) must not block its worker for OpenCV's 30 s."""
    import http.server
    import socketserver
    import threading
    import time

    from footfall.edge.sources import LiveSource

    jpeg = cv2.imencode(".jpg", np.full((48, 64, 3), 128, np.uint8))[1].tobytes()
    stop = threading.Event()

    class Mjpeg(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            for _ in range(10):
                part = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpeg)
                self.wfile.write(part + jpeg + b"\r\n")
                self.wfile.flush()
                time.sleep(0.02)
            stop.wait(30)  # silent, the connection still open

        def log_message(self, *args: object) -> None:
            return None

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Mjpeg)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    outcome: dict[str, object] = {}

    def read_all() -> None:
        source = LiveSource(
            f"http://127.0.0.1:{server.server_address[1]}/x.mjpg", label="cam", read_timeout_s=1.0
        )
        try:
            for frame in source:
                outcome["frames"] = frame.index + 1
        except SourceError as error:
            outcome["error"] = str(error)
        finally:
            source.close()

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    reader.join(timeout=15)
    blocked = reader.is_alive()  # before the server lets go of the connection
    stop.set()
    server.shutdown()
    assert not blocked, "the read blocked past the timeout"
    assert outcome.get("frames", 0) >= 5 and "stopped delivering frames" in str(outcome.get("error"))
