"""Every dashboard response carries the browser hardening headers, and the CSP fits the page."""

from __future__ import annotations

import re

import httpx
import pytest
from footfall.dashboard.app import create_dashboard
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.security_headers import SECURITY_HEADERS


@pytest.fixture(scope="module")
def browser():
    offline = httpx.MockTransport(lambda request: httpx.Response(503))
    app = create_dashboard("http://api.test", client=FootfallClient("http://api.test", transport=offline))
    return app.server.test_client()


@pytest.mark.parametrize(
    "path", ["/", "/login", "/live", "/_dash-layout", "/_dash-dependencies", "/auth/logout", "/no-such-page"]
)
def test_every_response_carries_the_headers(browser, path: str) -> None:
    answer = browser.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers.get(name) == value, (path, name)
    csp = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "default-src 'self'" in csp


def test_the_page_loads_nothing_from_another_origin(browser) -> None:
    """The CSP allows only 'self', so every script and stylesheet the page names must be local."""
    page = browser.get("/login").get_data(as_text=True)
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert sources, "the page should name its scripts"
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources


def test_a_posted_sign_in_redirect_is_hardened_too(browser) -> None:
    answer = browser.post("/auth/login", data={"email": "a@b.c", "password": "x"})
    assert answer.status_code == 302
    assert answer.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2fetc%2fpasswd",
        "/_dash-component-suites/../../etc/passwd",
    ],
)
def test_static_routes_do_not_traverse(browser, path: str) -> None:
    answer = browser.get(path)
    assert "root:x:0" not in answer.get_data(as_text=True)
