"""The API client speaks for one person at a time; sign-in keeps the token out of scripts' reach."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest
from footfall.dashboard.app import create_dashboard
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import ApiRejected, ApiUnavailable, NotFound, NotSignedIn
from footfall.dashboard.session import _safe_next

USER = {"user_id": "u1", "email": "sm@example.com", "name": "Sam", "role": "store_manager", "org_id": "o1"}


def _server(request: httpx.Request) -> httpx.Response:
    auth = request.headers.get("Authorization")
    path = request.url.path
    if path == "/api/v1/auth/login":
        body = json.loads(request.content)
        if body["password"] != "right":
            return httpx.Response(
                401, json={"error": "unauthorised", "message": "wrong e-mail or password", "details": []}
            )
        return httpx.Response(
            200,
            json={
                "access_token": "tok-1",
                "token_type": "bearer",
                "expires_at": "2030-01-01T00:00:00Z",
                "user": USER,
            },
        )
    if auth != "Bearer tok-1":
        return httpx.Response(401, json={"error": "unauthorised", "message": "sign in", "details": []})
    if path == "/api/v1/auth/me":
        return httpx.Response(200, json={**USER, "store_ids": ["s1"], "expires_at": None})
    if path == "/api/v1/stores/s1/traffic":
        return httpx.Response(200, json={"store_id": "s1", "query": dict(request.url.params), "buckets": []})
    if path == "/api/v1/stores/other":
        return httpx.Response(404, json={"error": "not_found", "message": "no such store", "details": []})
    if path == "/api/v1/cameras/c1/lines":
        return httpx.Response(
            422,
            json={
                "error": "invalid_input",
                "message": "bad line",
                "details": [{"field": "lines.0.x1", "message": "too big"}],
            },
        )
    if path == "/api/v1/stores":
        return httpx.Response(200, json=[])
    return httpx.Response(500)


def _client(token: str | None = "tok-1") -> FootfallClient:
    return FootfallClient("http://api.test", transport=httpx.MockTransport(_server)).as_user(token)


def test_requests_carry_the_users_token_and_iso_dates() -> None:
    answer = _client().traffic("s1", date(2026, 3, 1), date(2026, 3, 7), granularity="hour", by="entrance")
    assert answer["query"] == {
        "start": "2026-03-01",
        "end": "2026-03-07",
        "granularity": "hour",
        "by": "entrance",
        "person_class": "adult",
    }


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.store("other"), NotFound),
        (lambda c: c.save_camera_lines("c1", []), ApiRejected),
        (lambda c: c.devices(), ApiUnavailable),
    ],
)
def test_errors_are_translated(call, error) -> None:
    with pytest.raises(error):
        call(_client())


def test_missing_token_is_not_signed_in_and_details_survive() -> None:
    with pytest.raises(NotSignedIn):
        _client(None).stores()
    with pytest.raises(ApiRejected) as rejected:
        _client().save_camera_lines("c1", [])
    assert rejected.value.details == [{"field": "lines.0.x1", "message": "too big"}]


def test_unreachable_server_is_api_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ApiUnavailable, match="cannot reach"):
        FootfallClient("http://api.test", transport=httpx.MockTransport(refuse)).stores()


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "/"),
        ("/live?store_id=1", "/live?store_id=1"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("live", "/"),
    ],
)
def test_next_is_same_site_only(target: str | None, expected: str) -> None:
    assert _safe_next(target) == expected


def test_sign_in_sets_an_httponly_session_and_sign_out_clears_it() -> None:
    app = create_dashboard(
        "http://api.test", client=FootfallClient("http://api.test", transport=httpx.MockTransport(_server))
    )
    browser = app.server.test_client()
    wrong = browser.post("/auth/login", data={"email": "sm@example.com", "password": "wrong"})
    assert wrong.status_code == 302 and wrong.headers["Location"].endswith("/login?error=rejected")
    right = browser.post(
        "/auth/login", data={"email": "sm@example.com", "password": "right", "next": "/customers"}
    )
    assert right.headers["Location"] == "/customers"
    assert (
        browser.post("/auth/login", data={"email": "a@b.c", "password": "right"}).headers["Location"]
        == "/live"
    )
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "tok-1" not in browser.get("/_dash-layout").get_data(as_text=True)  # never sent to scripts
    layout = browser.get("/_dash-layout").get_data(as_text=True)
    assert "Sam" in layout and "nav-live" in layout and "nav-installer" not in layout
    browser.get("/auth/logout")
    assert "Sam" not in browser.get("/_dash-layout").get_data(as_text=True)


def test_a_missing_route_is_not_offered_rather_than_not_found() -> None:
    from footfall.dashboard.errors import NotOffered

    def bare_404(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not Found"})

    with pytest.raises(NotOffered, match="does not offer /api/v1/anomalies"):
        FootfallClient("http://api.test", transport=httpx.MockTransport(bare_404)).anomalies(
            date(2026, 1, 1), date(2026, 1, 2)
        )


@pytest.mark.parametrize("status", [200, 502, 503])
def test_an_answer_without_json_is_api_unavailable_not_a_crash(status: int) -> None:
    def html_page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="<html>Bad gateway</html>", headers={"content-type": "text/html"})

    client = FootfallClient("http://api.test", transport=httpx.MockTransport(html_page))
    with pytest.raises(ApiUnavailable):
        client.health()
