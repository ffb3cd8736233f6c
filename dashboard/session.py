"""Who is signed in: the user's API token kept in a signed, HttpOnly Flask session cookie.

Why a Flask session and not a ``dcc.Store``: a store lives in the browser's JavaScript
memory/storage, where any injected script could read the bearer token; an HttpOnly cookie
is never visible to scripts, is signed with the dashboard's secret (so it cannot be forged
or edited) and is sent with every Dash callback, so each callback knows who asks. The
dashboard holds no other state about people: every figure is fetched with *their* token and
the server alone decides what they may see.

Sign-in and sign-out are plain form POST / GET routes (not Dash callbacks) so the browser
does a full page load afterwards and the role-aware layout is rebuilt.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlparse

import flask
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import ApiRejected, ApiUnavailable, DashboardError, NotSignedIn
from footfall.dashboard.navigation import home_for

SESSION_KEY = "footfall_user"
LOGIN_PATH = "/login"


@dataclass(frozen=True)
class SignedInUser:
    user_id: str
    email: str
    name: str
    role: str
    org_id: str
    token: str

    @property
    def display_name(self) -> str:
        return self.name or self.email


def current_user() -> SignedInUser | None:
    """The person behind the current request, or ``None`` outside a request or when signed out."""
    if not flask.has_request_context():
        return None
    stored = flask.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        return SignedInUser(**stored)
    except TypeError:
        return None


def secret_key() -> str:
    """``FOOTFALL_DASHBOARD_SECRET`` if set (several workers, restarts keep sessions), else random.

    A random key means a restart signs everybody out, which is the safe default.
    """
    return os.environ.get("FOOTFALL_DASHBOARD_SECRET") or secrets.token_urlsafe(48)


def install(server: flask.Flask, client: FootfallClient) -> None:
    """Configure the session cookie and add the ``/auth/login`` and ``/auth/logout`` routes."""
    server.secret_key = secret_key()
    server.config.update(
        SESSION_COOKIE_NAME="footfall_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("FOOTFALL_DASHBOARD_SECURE_COOKIE", "") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )

    @server.post("/auth/login")
    def _login() -> flask.Response:
        email = (flask.request.form.get("email") or "").strip()
        password = flask.request.form.get("password") or ""
        target = _safe_next(flask.request.form.get("next"))
        if not email or not password:
            return flask.redirect(f"{LOGIN_PATH}?error=missing")
        try:
            answer = client.login(email, password, forwarded_for=forwarded_for(flask.request))
        except ApiUnavailable:
            return flask.redirect(f"{LOGIN_PATH}?error=unavailable")
        except ApiRejected:
            return flask.redirect(f"{LOGIN_PATH}?error=rejected")
        user = answer["user"]
        _wait_until_usable(client.as_user(answer["access_token"]))
        flask.session.clear()
        flask.session.permanent = True
        flask.session[SESSION_KEY] = {
            "user_id": str(user["user_id"]),
            "email": user.get("email", email),
            "name": user.get("name") or "",
            "role": user["role"],
            "org_id": str(user.get("org_id", "")),
            "token": answer["access_token"],
        }
        return flask.redirect(target if target != "/" else home_for(user["role"]))

    @server.get("/auth/logout")
    def _logout() -> flask.Response:
        user = current_user()
        if user is not None:
            # The token may already be expired; signing out locally is what matters.
            with contextlib.suppress(DashboardError):
                client.as_user(user.token).logout()
        flask.session.clear()
        return flask.redirect(LOGIN_PATH)


def forwarded_for(request: flask.Request) -> str | None:
    """The ``X-Forwarded-For`` to send on: what reached us, plus who connected to us.

    Appending our own peer is what makes passing the header on safe: the server believes hops
    only up to the first address it does not trust, and that is at the latest this peer, so a
    browser that writes its own header (or bypasses the proxy) cannot pose as someone else.
    """
    hops = [hop.strip() for value in request.headers.getlist("X-Forwarded-For") for hop in value.split(",")]
    hops = [hop for hop in hops if hop]
    if request.remote_addr:
        hops.append(request.remote_addr)
    return ", ".join(hops) or None


def _wait_until_usable(client: FootfallClient, *, attempts: int = 20, pause_s: float = 0.05) -> None:
    """Wait (≤ 1 s) until the new token is accepted.

    The server may answer the sign-in before its session row is committed; without this
    the first page after signing in could say "your session has ended".
    """
    for _ in range(attempts):
        try:
            client.me()
            return
        except NotSignedIn:
            time.sleep(pause_s)
        except DashboardError:
            return


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot be used as an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
