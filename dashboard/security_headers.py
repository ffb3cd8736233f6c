"""Browser-side hardening for every dashboard response: CSP, no framing, no sniffing, no referrer.

Why these values: Dash renders its config and renderer bootstrap as inline scripts and
Plotly builds some functions at run time, so ``script-src`` keeps ``'unsafe-inline'`` and
``'unsafe-eval'``; everything else is locked to the dashboard's own origin, which still stops
a page from loading scripts, styles or frames from anywhere else and stops clickjacking.
The API's bearer token never reaches the browser (it lives in an HttpOnly session cookie).
"""

from __future__ import annotations

import flask

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def install(server: flask.Flask) -> None:
    """Add :data:`SECURITY_HEADERS` to every response (pages, callbacks, assets, redirects)."""

    @server.after_request
    def _harden(response: flask.Response) -> flask.Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
