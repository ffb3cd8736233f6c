"""``/login``: a plain HTML form posting to ``/auth/login`` (see :mod:`footfall.dashboard.session`)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from footfall.dashboard import ids
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.navigation import home_for
from footfall.dashboard.session import current_user

ERRORS = {
    "missing": "Enter your e-mail address and password.",
    "rejected": "E-mail address or password is not right. Check them and try again.",
    "unavailable": "The Footfall server is not answering. Try again in a minute.",
}


def layout(error: str | None = None, next: str | None = None, **_: Any) -> Any:
    user = current_user()
    if user is not None:
        return dcc.Location(id="redirect-home", href=home_for(user.role), refresh=True)
    message = ERRORS.get(error or "")
    return dbc.Row(
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.H3("Sign in to Footfall", className="mb-1"),
                        html.P("Store traffic, conversion and installations.", className="text-muted"),
                        dbc.Alert(message, color="danger", id=ids.LOGIN_ERROR) if message else None,
                        html.Form(
                            [
                                dbc.Label("E-mail", html_for=ids.LOGIN_EMAIL),
                                dbc.Input(
                                    id=ids.LOGIN_EMAIL,
                                    name="email",
                                    type="email",
                                    required=True,
                                    autoComplete="username",
                                    className="mb-3",
                                ),
                                dbc.Label("Password", html_for=ids.LOGIN_PASSWORD),
                                dbc.Input(
                                    id=ids.LOGIN_PASSWORD,
                                    name="password",
                                    type="password",
                                    required=True,
                                    autoComplete="current-password",
                                    className="mb-3",
                                ),
                                dcc.Input(type="hidden", name="next", value=next or ""),
                                dbc.Button(
                                    "Sign in",
                                    id=ids.LOGIN_SUBMIT,
                                    type="submit",
                                    color="primary",
                                    className="w-100",
                                ),
                            ],
                            action="/auth/login",
                            method="POST",
                        ),
                    ]
                ),
                className="shadow-sm login-card",
            ),
            xs=12,
            sm=10,
            md=6,
            lg=4,
        ),
        justify="center",
        className="mt-5",
    )


def register(app: dash.Dash, api: FootfallClient) -> None:
    dash.register_page(
        "footfall.dashboard.pages.login",
        path="/login",
        title="Sign in · Footfall",
        name="Sign in",
        layout=layout,
    )
