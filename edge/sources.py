"""Where frames come from: a video file, a folder of images, an RTSP stream or a USB camera.

Every source yields :class:`~footfall.edge.tracks.Frame` objects with the same meaning, so
the counting pipeline never knows what kind of camera it is watching:

- ``index`` counts delivered frames from 0 (a live camera's capped frames are not counted);
- ``t`` is seconds since the source started: from the frame rate for recorded footage
  (so a file processes identically however fast the machine is), from the monotonic
  clock for live cameras;
- ``wall`` is the UTC capture time (start + ``t`` for recordings);
- ``image`` is always 3-channel BGR: grayscale (IR night mode) frames are expanded.

``fps`` means the *timebase* for recordings (containers often lie: PETS 2009 says 10 fps
but was filmed at about 7) and a *processing cap* for live cameras (frames beyond it are
read and dropped, so the stream's buffer never lags behind real time).

OpenCV errors are translated into :class:`~footfall.edge.errors.SourceError` here.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
from footfall.edge.errors import SourceError
from footfall.edge.tracks import Frame

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm"})
#: Timebase for an image folder when no ``fps`` is given.
DEFAULT_FOLDER_FPS = 10.0


class FrameSource(Protocol):
    """An iterable of frames that must be closed to release the camera or file."""

    #: Frames in the source when known (recordings), else None.
    frame_count: int | None

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Expand grayscale (HxW or HxWx1) to 3-channel BGR; drop an alpha channel."""
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def open_source(spec: str, *, fps: float | None = None, loop: bool = False) -> FrameSource:
    """Open ``spec``: a file path, an image folder, ``rtsp://``/``http://`` URL, or a USB index.

    Raises :class:`SourceError` when it cannot be opened, with a hint how to fix it.
    """
    if fps is not None and fps <= 0:
        raise SourceError(f"fps must be positive, got {fps}")
    spec = str(spec).strip()
    if spec.isdigit():
        return LiveSource(int(spec), label=f"USB camera {spec}", max_fps=fps)
    if "://" in spec:
        return LiveSource(spec, label=_redact(spec), max_fps=fps)
    path = Path(spec).expanduser()
    if path.is_dir():
        return ImageFolderSource(path, fps=fps, loop=loop)
    if path.is_file():
        return VideoFileSource(path, fps=fps, loop=loop)
    raise SourceError(
        f"source '{spec}' is neither a file, an image folder, a stream URL (rtsp://...) nor a "
        "USB camera index; check the path"
    )


def reading_ahead(source: FrameSource, depth: int = 4) -> FrameSource:
    """``source`` decoding up to ``depth`` frames ahead in a thread, if it is recorded footage.

    Live sources are returned as they are: their newest frame is the one to count.
    """
    if isinstance(source, VideoFileSource | ImageFolderSource):
        from footfall.edge.read_ahead import ReadAhead

        return ReadAhead(source, depth)  # type: ignore[return-value]
    return source


def _redact(url: str) -> str:
    """Hide credentials in a stream URL before it reaches a log line or an error."""
    scheme, _, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}"


class VideoFileSource:
    """A recorded video; ``t`` follows the frame rate (container's, unless ``fps`` overrides it)."""

    def __init__(
        self, path: Path, *, fps: float | None = None, loop: bool = False, start: datetime | None = None
    ) -> None:
        self.path = path
        self.loop = loop
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise SourceError(f"cannot open video file {path}; is it a video OpenCV can decode?")
        container_fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps or (container_fps if 0 < container_fps < 1000 else 25.0)
        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.frame_count: int | None = count if count > 0 and not loop else None
        self.start = start or datetime.now(UTC)

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            ok, image = self._capture.read()
            if not ok:
                if self.loop and index > 0:
                    self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    ok, image = self._capture.read()
                if not ok:
                    return
            t = index / self.fps
            yield Frame(index, t, self.start + timedelta(seconds=t), as_bgr(image))
            index += 1

    def close(self) -> None:
        self._capture.release()


class ImageFolderSource:
    """A folder of still images, in name order, at ``fps`` (default 10)."""

    def __init__(
        self, folder: Path, *, fps: float | None = None, loop: bool = False, start: datetime | None = None
    ) -> None:
        self.files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"image folder {folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        if fps is None:
            log.warning("no --fps for image folder %s; assuming %.0f frames/s", folder, DEFAULT_FOLDER_FPS)
        self.fps = fps or DEFAULT_FOLDER_FPS
        self.loop = loop
        self.frame_count: int | None = None if loop else len(self.files)
        self.start = start or datetime.now(UTC)

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            for path in self.files:
                image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
                if image is None:
                    raise SourceError(f"cannot read image {path}; is the file complete?")
                if image.dtype != np.uint8:
                    image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
                t = index / self.fps
                yield Frame(index, t, self.start + timedelta(seconds=t), as_bgr(image))
                index += 1
            if not self.loop:
                return

    def close(self) -> None:
        return None


#: A stream that sends nothing for this long is lost (OpenCV's own default: 30 s). A rebooting
#: camera then shows as a gap of seconds, and the worker reconnects instead of waiting.
STREAM_READ_TIMEOUT_S = 5.0
STREAM_OPEN_TIMEOUT_S = 10.0
#: RTSP over TCP unless the operator set FFmpeg's options: over UDP a lost packet smears the
#: frame (grey blocks the detector misreads); TCP resends it.
RTSP_DEFAULT_OPTIONS = "rtsp_transport;tcp"


class LiveSource:
    """A live camera (RTSP/HTTP URL or USB index); ``t`` from the monotonic clock.

    A read failure raises :class:`SourceError`: the camera worker owns reconnecting. Streams
    (URLs) give up on a silent camera after ``read_timeout_s`` instead of blocking the worker.
    """

    frame_count: int | None = None

    def __init__(
        self,
        target: str | int,
        *,
        label: str,
        max_fps: float | None = None,
        open_timeout_s: float = STREAM_OPEN_TIMEOUT_S,
        read_timeout_s: float = STREAM_READ_TIMEOUT_S,
    ) -> None:
        self.label = label
        self.max_fps = max_fps
        if isinstance(target, str):
            if target.lower().startswith("rtsp") and "OPENCV_FFMPEG_CAPTURE_OPTIONS" not in os.environ:
                os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = RTSP_DEFAULT_OPTIONS
            timeouts = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                int(open_timeout_s * 1000),
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                int(read_timeout_s * 1000),
            ]
            self._capture = cv2.VideoCapture(target, cv2.CAP_FFMPEG, timeouts)
        else:
            self._capture = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            raise SourceError(f"cannot open {label}; check the address, credentials and network")
        self._capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def __iter__(self) -> Iterator[Frame]:
        start_mono = time.monotonic()
        start_wall = datetime.now(UTC)
        index = 0
        last_kept = -1.0e9
        min_gap = 1.0 / self.max_fps if self.max_fps else 0.0
        while True:
            ok, image = self._capture.read()
            if not ok or image is None:
                raise SourceError(f"{self.label} stopped delivering frames")
            t = time.monotonic() - start_mono
            if t - last_kept < min_gap:
                continue
            last_kept = t
            yield Frame(index, t, start_wall + timedelta(seconds=t), as_bgr(image))
            index += 1

    def close(self) -> None:
        self._capture.release()
