"""Every error the edge agent raises on purpose.

- :class:`EdgeError` — root for the edge part (a :class:`~footfall.errors.FootfallError`).
  - :class:`ModelNotFound` — weights could not be located; says where it looked.
  - :class:`SourceError` — a camera, stream, file or image folder cannot be opened or read.
  - :class:`CalibrationError` — a calibration is implausible; says why in plain words.
  - :class:`OutboxError` — the local store cannot persist (disk full, corrupt file).
  - :class:`UploadError` — uploading failed; ``transient`` says whether a retry can help.

OpenCV, Ultralytics, SQLite and httpx errors are translated into these where those
libraries are called.
"""

from footfall.errors import ConfigError, FootfallError


class EdgeError(FootfallError):
    """Root of the edge part's errors."""


class ModelNotFound(EdgeError):
    pass


class SourceError(EdgeError):
    pass


class CalibrationError(EdgeError):
    pass


class OutboxError(EdgeError):
    pass


class UploadError(EdgeError):
    def __init__(self, message: str, *, transient: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.status = status


class EdgeConfigError(EdgeError, ConfigError):
    pass
