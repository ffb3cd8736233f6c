"""Snapshots for installers: one frame with the lines drawn, only when explicitly asked for.

Privacy by default: no image ever leaves the device on its own. An installer asks the
server for a snapshot of one camera (``POST /api/v1/cameras/{id}/snapshot-requests``); the
agent polls for such requests, draws the configured lines on the camera's latest frame
and uploads exactly one JPEG per request. That lets lines be placed remotely without a
video stream.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from footfall.edge.device_client import DeviceClient
from footfall.edge.errors import UploadError
from footfall.edge.tracks import Frame

from footfall.contracts import LineConfig

log = logging.getLogger(__name__)

_LINE_COLOUR = (0, 200, 255)  # BGR amber: visible on most floors
_INSIDE_COLOUR = (80, 220, 80)


def render_snapshot(image: object, lines: Sequence[LineConfig], *, quality: int = 85) -> bytes:
    """JPEG of ``image`` (BGR) with each line, its name and its inside point drawn."""
    import cv2

    canvas = image.copy()
    height, width = canvas.shape[:2]
    thickness = max(2, round(min(width, height) / 200))
    for line in lines:
        a = (round(line.x1 * width), round(line.y1 * height))
        b = (round(line.x2 * width), round(line.y2 * height))
        inside = (round(line.inside_x * width), round(line.inside_y * height))
        middle = ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2)
        cv2.line(canvas, a, b, _LINE_COLOUR, thickness, cv2.LINE_AA)
        cv2.arrowedLine(
            canvas, middle, inside, _INSIDE_COLOUR, max(1, thickness - 1), cv2.LINE_AA, tipLength=0.15
        )
        cv2.putText(
            canvas,
            line.name,
            (a[0], max(12, a[1] - 6)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            _LINE_COLOUR,
            1,
            cv2.LINE_AA,
        )
    ok, encoded = cv2.imencode(".jpg", canvas, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return encoded.tobytes()


class SnapshotResponder:
    """Polls the server for snapshot requests and answers each with one annotated frame."""

    def __init__(
        self,
        client: DeviceClient,
        latest_frame: Callable[[str], Frame | None],
        lines_for: Callable[[str], Sequence[LineConfig]],
        *,
        poll_s: float,
        render: Callable[[object, Sequence[LineConfig]], bytes] = render_snapshot,
    ) -> None:
        self._client = client
        self._latest_frame = latest_frame
        self._lines_for = lines_for
        self._render = render
        self.poll_s = poll_s
        self.answered = 0

    def answer_pending(self) -> int:
        """Answer every open request for which a frame exists; returns how many were sent."""
        sent = 0
        for request in self._client.snapshot_requests():
            frame = self._latest_frame(request.camera_id)
            if frame is None:
                log.info("snapshot %s: camera %s has no frame yet", request.request_id, request.camera_id)
                continue
            jpeg = self._render(frame.image, self._lines_for(request.camera_id))
            self._client.put_snapshot(request.request_id, jpeg)
            sent += 1
            log.info("snapshot %s: sent one frame of camera %s", request.request_id, request.camera_id)
        self.answered += sent
        return sent

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.poll_s):
            try:
                self.answer_pending()
            except UploadError as error:
                log.debug("snapshots: %s", error)
            except Exception:  # never let an installer's request take the agent down
                log.exception("snapshots: answering a request failed")
