"""``/``: sends each person to their role's first page (or to sign-in)."""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.navigation import home_for
from footfall.dashboard.session import LOGIN_PATH, current_user


def layout(**_: Any) -> Any:
    user = current_user()
    target = home_for(user.role) if user else LOGIN_PATH
    return html.Div([html.H2("Footfall"), dcc.Location(id="redirect-start", href=target, refresh=True)])


def register(app: dash.Dash, api: FootfallClient) -> None:
    dash.register_page(
        "footfall.dashboard.pages.home", path="/", title="Footfall", name="Home", layout=layout
    )
