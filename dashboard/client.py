"""A small typed client for the server's HTTP API; the dashboard's only way to data."""

from __future__ import annotations

from typing import Any

import httpx
from footfall.dashboard.errors import ApiRejected, ApiUnavailable


class FootfallClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, transport=transport, timeout=timeout_s)

    def _get(self, path: str, **params: Any) -> Any:
        try:
            response = self._http.get(path, params={k: v for k, v in params.items() if v is not None})
        except httpx.HTTPError as error:
            raise ApiUnavailable(
                f"cannot reach the Footfall server at {self._http.base_url} ({error})"
            ) from error
        if response.status_code >= 400 and response.status_code != 503:
            message = (
                response.json().get("message", response.text) if response.content else response.reason_phrase
            )
            raise ApiRejected(message, status=response.status_code)
        return response.json()

    def health(self) -> dict[str, Any]:
        return self._get("/health")
