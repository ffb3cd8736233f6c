"""Enrolment (one-time code → device token) and the locally cached device configuration.

The token is the device's only secret: it is written once, atomically, with file mode
0600 (created that way, never chmod-ed after the fact, so it is never readable by others
even for an instant). The server's camera and line configuration is cached next to the
outbox so a restart during a network outage still runs the last known lines.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
from dataclasses import dataclass
from pathlib import Path

from footfall.edge.device_client import DeviceClient
from footfall.edge.errors import EdgeConfigError, UploadError
from pydantic import ValidationError

from footfall.contracts import DeviceConfig, EnrolmentResponse

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceCredentials:
    device_id: str
    token: str
    store_id: str
    server_url: str


def enrol(
    client: DeviceClient, code: str, server_url: str, token_file: Path, *, hostname: str | None = None
) -> DeviceCredentials:
    """Exchange ``code`` for a token and store it in ``token_file`` (mode 0600)."""
    try:
        answer = client.enrol(code.strip(), hostname or socket.gethostname())
    except UploadError as error:
        if error.status in (400, 401, 403, 404, 409, 410, 422):
            raise EdgeConfigError(f"enrolment refused ({error}); ask the installer for a new code") from error
        raise EdgeConfigError(f"enrolment failed: {error}; check --server and the network") from error
    try:
        response = EnrolmentResponse.model_validate(answer)
    except ValidationError as error:
        raise EdgeConfigError(
            f"the server's enrolment answer is not understood: {error.errors()[0]['msg']}"
        ) from error
    credentials = DeviceCredentials(
        response.device_id, response.token, response.store_id, server_url.rstrip("/")
    )
    save_credentials(credentials, token_file)
    return credentials


def save_credentials(credentials: DeviceCredentials, token_file: Path) -> None:
    token_file = Path(token_file)
    token_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = token_file.with_name(f".{token_file.name}.{os.getpid()}.tmp")
    payload = json.dumps(
        {
            "device_id": credentials.device_id,
            "token": credentials.token,
            "store_id": credentials.store_id,
            "server_url": credentials.server_url,
        }
    ).encode()
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, payload)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, token_file)


def load_credentials(token_file: Path) -> DeviceCredentials:
    token_file = Path(token_file)
    try:
        mode = token_file.stat().st_mode
        raw = json.loads(token_file.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise EdgeConfigError(
            f"no device token at {token_file}; run 'footfall edge enroll --server URL --code CODE' first"
        ) from error
    except (OSError, ValueError) as error:
        raise EdgeConfigError(f"cannot read the device token {token_file}: {error}") from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise EdgeConfigError(f"device token {token_file} is readable by others; run: chmod 600 {token_file}")
    try:
        return DeviceCredentials(raw["device_id"], raw["token"], raw["store_id"], raw["server_url"])
    except (KeyError, TypeError) as error:
        raise EdgeConfigError(f"device token {token_file} is incomplete ({error}); enrol again") from error


def pull_device_config(client: DeviceClient, cache: Path) -> DeviceConfig | None:
    """The server's config for this device, cached; the cached copy when the server is unreachable."""
    try:
        config = client.fetch_config()
    except UploadError as error:
        cached = load_cached_config(cache)
        if error.status in (401, 403):
            log.error("config: the server refuses this device (%s); using the cached config", error)
        else:
            log.warning("config: server unreachable (%s); using the cached config from %s", error, cache)
        return cached
    _write_atomically(cache, config.model_dump_json(indent=2).encode())
    return config


def load_cached_config(cache: Path) -> DeviceConfig | None:
    try:
        return DeviceConfig.model_validate_json(Path(cache).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError) as error:
        log.error("config: cached config %s is unreadable (%s); ignoring it", cache, error)
        return None


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
