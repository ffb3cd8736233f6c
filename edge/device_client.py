"""The device's side of the server API, with every httpx error translated at this boundary.

Callers see :class:`~footfall.edge.errors.UploadError` only, and its ``transient`` flag is
the one decision they need:

- **transient** (retry later, the same rows): the network is down, a timeout, 408, 425,
  429 and any 5xx; a 2xx whose body we cannot read (the insert is idempotent, so a retry is safe).
- **permanent, unauthorised** (401/403): the device token is revoked or wrong. The rows are
  fine; the device needs re-enrolling. ``status`` tells the two permanent kinds apart.
- **permanent, rejected** (any other 4xx): the server refuses this request for good; the
  uploader keeps the rows aside with the server's reason instead of retrying forever.

The transport is a constructor argument (as in httpx itself), so tests pass an
``httpx.MockTransport`` instead of patching.

Every response's ``Date`` header also gives a coarse clock offset to the server
(server minus device, ±0.5 s), reported in the heartbeat so clock skew is visible.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
from footfall.edge.errors import UploadError
from pydantic import BaseModel, ValidationError

from footfall import __version__
from footfall.contracts import API_VERSION, DeviceConfig, DeviceHealth, IngestBatch, IngestResult

_Model = TypeVar("_Model", bound=BaseModel)

TRANSIENT_STATUSES = frozenset({408, 425, 429})
UNAUTHORISED_STATUSES = frozenset({401, 403})


def is_transient_status(status: int) -> bool:
    return status in TRANSIENT_STATUSES or status >= 500


def is_unauthorised(error: UploadError) -> bool:
    return error.status in UNAUTHORISED_STATUSES


class ServerAnswered(UploadError):
    """The server answered with an error status; ``reason`` is its own words, one line."""

    def __init__(self, message: str, *, status: int, reason: str, retry_after_s: float | None) -> None:
        super().__init__(message, transient=is_transient_status(status), status=status)
        self.reason = reason
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class SnapshotRequest:
    request_id: str
    camera_id: str


class DeviceClient:
    """Talks to ``/api/v1`` with the device's bearer token."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout_s: float = 15.0,
        verify_tls: bool = True,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        headers = {"User-Agent": f"footfall-edge/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=f"{base_url.rstrip('/')}/api/{API_VERSION}",
            headers=headers,
            timeout=timeout_s,
            verify=verify_tls,
            transport=transport,
        )
        self._clock = clock
        self.clock_offset_s: float | None = None

    # -- endpoints ------------------------------------------------------------------------

    def post_batch(self, batch: IngestBatch) -> IngestResult:
        response = self._request("POST", "/ingest/crossings", content=batch.model_dump_json())
        return self._parse(response, IngestResult)

    def post_health(self, health: DeviceHealth) -> None:
        self._request("POST", "/ingest/health", content=health.model_dump_json())

    def fetch_config(self) -> DeviceConfig:
        return self._parse(self._request("GET", "/devices/me/config"), DeviceConfig)

    def snapshot_requests(self) -> list[SnapshotRequest]:
        body = self._json(self._request("GET", "/devices/me/snapshot-requests"))
        items = body.get("requests", []) if isinstance(body, dict) else body
        try:
            return [SnapshotRequest(str(i["request_id"]), str(i["camera_id"])) for i in items]
        except (KeyError, TypeError) as error:
            raise UploadError(
                f"snapshot requests have an unexpected shape: {error}", transient=True
            ) from error

    def put_snapshot(self, request_id: str, jpeg: bytes) -> None:
        self._request(
            "PUT",
            f"/devices/me/snapshots/{request_id}",
            content=jpeg,
            headers={"Content-Type": "image/jpeg"},
        )

    def enrol(self, code: str, hostname: str | None) -> dict:
        """Exchange a one-time code for a token (no token needed yet)."""
        payload = {"code": code, "hostname": hostname, "agent_version": __version__}
        return self._json(self._request("POST", "/devices/enrol", json=payload))

    # -- plumbing -------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = kwargs.pop("headers", None) or {}
        if "content" in kwargs and "Content-Type" not in headers:
            headers = {**headers, "Content-Type": "application/json"}
        sent = self._clock()
        try:
            response = self._http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as error:
            raise UploadError(
                f"{method} {path}: timed out ({type(error).__name__})", transient=True
            ) from error
        except httpx.TransportError as error:
            raise UploadError(f"{method} {path}: server unreachable ({error})", transient=True) from error
        self._note_clock(response, sent, self._clock())
        if response.is_success:
            return response
        reason = _describe(response)
        raise ServerAnswered(
            f"{method} {path}: {reason}",
            status=response.status_code,
            reason=reason,
            retry_after_s=_retry_after(response),
        )

    def _parse(self, response: httpx.Response, model: type[_Model]) -> _Model:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as error:
            raise UploadError(
                f"the server's answer is not a {model.__name__}: {error.errors()[0]['msg']}", transient=True
            ) from error

    @staticmethod
    def _json(response: httpx.Response) -> object:
        try:
            return response.json()
        except ValueError as error:
            raise UploadError(f"the server's answer is not JSON: {error}", transient=True) from error

    def _note_clock(self, response: httpx.Response, sent: float, received: float) -> None:
        date = response.headers.get("Date")
        if not date:
            return
        try:
            server = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return
        # The header is whole seconds: add half a second to centre the rounding.
        self.clock_offset_s = round(server + 0.5 - (sent + received) / 2.0, 3)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> DeviceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe(response: httpx.Response) -> str:
    """``422 invalid_input: the request is invalid (crossings.0.ts: ...)`` from an error body."""
    text = f"{response.status_code} {response.reason_phrase}".strip()
    try:
        body = response.json()
    except ValueError:
        snippet = response.text[:200].strip()
        return f"{text}: {snippet}" if snippet else text
    if isinstance(body, dict):
        code = body.get("error") or ""
        message = body.get("message") or body.get("detail") or ""
        details = body.get("details") or []
        fields = "; ".join(
            f"{d.get('field')}: {d.get('message')}" for d in details[:5] if isinstance(d, dict)
        )
        text = f"{response.status_code} {code}: {message}".strip()
        if fields:
            text += f" ({fields})"
    return text


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
