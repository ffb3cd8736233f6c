"""The dashboard passes the person's address chain on when it signs them in at the server."""

from __future__ import annotations

import httpx
from footfall.dashboard.app import create_dashboard
from footfall.dashboard.client import FootfallClient

USER = {"user_id": "u1", "email": "a@b.c", "name": "A", "role": "analyst", "org_id": "o1"}


def _sign_in(headers: dict[str, str], remote_addr: str) -> httpx.Request:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            seen.append(request)
            return httpx.Response(
                200, json={"access_token": "t", "expires_at": "2030-01-01T00:00:00Z", "user": USER}
            )
        return httpx.Response(200, json={**USER, "store_ids": [], "expires_at": None})

    app = create_dashboard(
        "http://api.test", client=FootfallClient("http://api.test", transport=httpx.MockTransport(server))
    )
    browser = app.server.test_client()
    answer = browser.post(
        "/auth/login",
        data={"email": "a@b.c", "password": "x"},
        headers=headers,
        environ_base={"REMOTE_ADDR": remote_addr},
    )
    assert answer.status_code == 302
    (request,) = seen
    return request


def test_the_proxy_chain_is_passed_on_with_the_dashboards_own_peer_appended() -> None:
    request = _sign_in({"X-Forwarded-For": "1.1.1.1, 203.0.113.9"}, remote_addr="172.31.240.2")
    # The server, trusting Caddy and the dashboard, walks this from the right to 203.0.113.9.
    assert request.headers["X-Forwarded-For"] == "1.1.1.1, 203.0.113.9, 172.31.240.2"


def test_a_direct_visitor_is_named_by_its_own_address_whatever_it_claims() -> None:
    request = _sign_in({}, remote_addr="127.0.0.1")
    assert request.headers["X-Forwarded-For"] == "127.0.0.1"
    spoofed = _sign_in({"X-Forwarded-For": "10.0.0.1"}, remote_addr="198.51.100.7")
    assert spoofed.headers["X-Forwarded-For"].endswith(", 198.51.100.7")
