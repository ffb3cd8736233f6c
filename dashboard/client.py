"""A small typed client for the server's HTTP API; the dashboard's only way to data.

One :class:`FootfallClient` per dashboard process holds the connection pool; each request
made for a person goes through :meth:`FootfallClient.as_user`, which carries *their* bearer
token, so the server's scoping (what a role may see) is the only scoping there is. The
transport is a constructor argument so tests hand in ``httpx.MockTransport`` instead of
patching.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from footfall.dashboard.errors import ApiRejected, ApiUnavailable, NotFound, NotOffered, NotSignedIn

from footfall.contracts import API_VERSION

Json = dict[str, Any]
API = f"/api/{API_VERSION}"


class FootfallClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 10.0,
        http: httpx.Client | None = None,
    ) -> None:
        self._http = http or httpx.Client(base_url=base_url, transport=transport, timeout=timeout_s)
        self._token = token

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    def as_user(self, token: str | None) -> FootfallClient:
        """The same connection pool, speaking for the person holding ``token``."""
        return FootfallClient(self.base_url, token=token, http=self._http)

    # -- plumbing -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        extra_headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        headers.update(extra_headers or {})
        clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        try:
            response = self._http.request(method, path, params=clean, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise ApiUnavailable(
                f"cannot reach the Footfall server at {self._http.base_url} ({error.__class__.__name__})"
            ) from error
        if response.status_code >= 500:
            raise ApiUnavailable(f"the Footfall server failed ({response.status_code}); try again shortly")
        if response.status_code >= 400:
            raise _rejected(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return _body(self._request(method, path, **kwargs))

    # -- server ---------------------------------------------------------------------------

    def health(self) -> Json:
        """``/health``; a 503 (database down) is still an answer worth showing."""
        try:
            response = self._http.get("/health")
        except httpx.HTTPError as error:
            raise ApiUnavailable(f"cannot reach the Footfall server at {self._http.base_url}") from error
        return _body(response)

    # -- auth -----------------------------------------------------------------------------

    def login(self, email: str, password: str, *, forwarded_for: str | None = None) -> Json:
        """``{"access_token", "expires_at", "user": {"user_id","email","name","role","org_id"}}``.

        ``forwarded_for`` is the person's browser chain (``X-Forwarded-For``), so the server's
        sign-in limits and audit log name the person, not the dashboard, when it trusts us.
        """
        extra = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
        return self._json(
            "POST", f"{API}/auth/login", json={"email": email, "password": password}, extra_headers=extra
        )

    def logout(self) -> None:
        self._request("POST", f"{API}/auth/logout")

    def me(self) -> Json:
        return self._json("GET", f"{API}/auth/me")

    # -- stores and traffic ---------------------------------------------------------------

    def regions(self) -> list[Json]:
        return self._json("GET", f"{API}/regions")

    def stores(self) -> list[Json]:
        return self._json("GET", f"{API}/stores")

    def store(self, store_id: str) -> Json:
        return self._json("GET", f"{API}/stores/{store_id}")

    def traffic(
        self,
        store_id: str,
        start: date,
        end: date,
        *,
        granularity: str = "hour",
        by: str = "store",
        person_class: str | None = "adult",
    ) -> Json:
        """Buckets ``{"bucket_start","in","out","coverage", "entrance_id"?, "line_id"?}``; end inclusive."""
        params = {
            "start": start,
            "end": end,
            "granularity": granularity,
            "by": by,
            "person_class": person_class,
        }
        return self._json("GET", f"{API}/stores/{store_id}/traffic", params=params)

    def occupancy(self, store_id: str) -> Json:
        return self._json("GET", f"{API}/stores/{store_id}/occupancy")

    # -- KPIs -----------------------------------------------------------------------------

    def kpis(self, store_id: str, start: date, end: date, *, granularity: str = "day") -> Json:
        params = {"start": start, "end": end, "granularity": granularity}
        return self._json("GET", f"{API}/stores/{store_id}/kpis", params=params)

    def comparison(
        self,
        kpi: str,
        start: date,
        end: date,
        *,
        normalise: str | None = None,
        region_id: str | None = None,
        compare_to: str | None = None,
    ) -> Json:
        """Stores ranked by ``kpi``; ``compare_to="last_year"`` adds each store's like-for-like base."""
        params = {
            "kpi": kpi,
            "start": start,
            "end": end,
            "normalise": normalise,
            "region_id": region_id,
            "compare_to": compare_to,
        }
        return self._json("GET", f"{API}/comparison", params=params)

    def hour_of_week(self, store_id: str, start: date, end: date) -> Json:
        return self._json("GET", f"{API}/stores/{store_id}/hour-of-week", params={"start": start, "end": end})

    def anomalies(self, start: date, end: date, *, store_id: str | None = None) -> Any:
        params = {"start": start, "end": end, "store_id": store_id}
        return self._json("GET", f"{API}/anomalies", params=params)

    def customer_summary(self, store_id: str, start: date, end: date) -> Json:
        params = {"start": start, "end": end}
        return self._json("GET", f"{API}/stores/{store_id}/customers/summary", params=params)

    # -- installers -----------------------------------------------------------------------

    def devices(self) -> list[Json]:
        return self._json("GET", f"{API}/devices")

    def device_health_history(self, device_id: str) -> Json:
        """The device's camera states over the last week, stretch by stretch (newest first)."""
        return self._json("GET", f"{API}/devices/{device_id}/health-history")

    def entrances(self, store_id: str) -> list[Json]:
        return self._json("GET", f"{API}/stores/{store_id}/entrances")

    def cameras(self, store_id: str) -> list[Json]:
        return self._json("GET", f"{API}/stores/{store_id}/cameras")

    def create_enrolment_code(self, store_id: str) -> Json:
        return self._json("POST", f"{API}/stores/{store_id}/enrolment-codes")

    def camera_lines(self, camera_id: str) -> Any:
        return self._json("GET", f"{API}/cameras/{camera_id}/lines")

    def save_camera_lines(self, camera_id: str, lines: list[Json]) -> Any:
        return self._json("PUT", f"{API}/cameras/{camera_id}/lines", json={"lines": lines})

    def request_snapshot(self, camera_id: str) -> Json:
        return self._json("POST", f"{API}/cameras/{camera_id}/snapshot-requests")

    def snapshot(self, camera_id: str) -> bytes | None:
        """The latest JPEG the device uploaded, or ``None`` while none has arrived."""
        try:
            response = self._request("GET", f"{API}/cameras/{camera_id}/snapshot")
        except NotFound:
            return None
        if response.status_code == 204 or not response.content:
            return None
        return response.content


def _param(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _body(response: httpx.Response) -> Any:
    """The JSON of an answer; anything else (a proxy's HTML error page) means the API is not there."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as error:
        raise ApiUnavailable(
            f"the Footfall server answered {response.status_code} without JSON; is a proxy in the way?"
        ) from error


def _rejected(response: httpx.Response) -> ApiRejected:
    message, details = response.reason_phrase, []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("detail") or message)
        details = body.get("details") or []
    if response.status_code == 401:
        return NotSignedIn(message, status=401, details=details)
    if response.status_code == 405 or (response.status_code == 404 and not _is_api_error(body)):
        # No route at all (the framework's bare 404/405), not a store outside the caller's scope.
        return NotOffered(f"the server does not offer {response.request.url.path} yet", status=404)
    if response.status_code == 404:
        return NotFound(message, status=404, details=details)
    return ApiRejected(message, status=response.status_code, details=details)


def _is_api_error(body: object) -> bool:
    """Footfall's own error bodies carry ``error``; a framework's "no such route" does not."""
    return isinstance(body, dict) and "error" in body
