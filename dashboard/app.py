"""``create_dashboard(server_url)``: the Dash application, built explicitly.

Pages are registered one by one from :mod:`footfall.dashboard.pages` (no folder scanning:
the package is installed as ``footfall.dashboard``), each with its callbacks bound to one
shared API client. The shell (navbar, footer) is rebuilt on every page load from the
signed-in user's role, so a role never sees a link it cannot open.
"""

from __future__ import annotations

import os
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from footfall.dashboard import ids, security_headers, session
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import DashboardError
from footfall.dashboard.navigation import ROLE_LABELS, visible_pages


def create_dashboard(server_url: str, *, client: FootfallClient | None = None) -> dash.Dash:
    """Build the app; ``client`` lets tests hand in one with a mock transport."""
    app = dash.Dash(
        __name__,
        title="Footfall",
        use_pages=True,
        pages_folder="",
        # Bootswatch FLATLY (MIT) is vendored in assets/ so the dashboard works offline.
        external_stylesheets=[],
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    api = client or FootfallClient(server_url)
    session.install(app.server, api)
    security_headers.install(app.server)

    from footfall.dashboard.pages import comparison, customers, home, installer, live, login

    for page in (login, home, live, comparison, customers, installer):
        page.register(app, api)

    app.layout = _shell
    _register_status(app, api)
    return app


def live_interval_ms() -> int:
    """How often live views refresh; tests shorten it with ``FOOTFALL_DASHBOARD_LIVE_MS``."""
    return int(os.environ.get("FOOTFALL_DASHBOARD_LIVE_MS", "5000"))


def _shell() -> Any:
    user = session.current_user()
    links = [
        dbc.NavItem(
            dbc.NavLink(page.title, href=page.path, active="partial", id=f"nav-{page.path.strip('/')}")
        )
        for page in visible_pages(user.role if user else None)
    ]
    right: list[Any] = []
    if user is not None:
        right = [
            html.Span(
                [
                    html.Span(user.display_name, className="me-2"),
                    dbc.Badge(ROLE_LABELS.get(user.role, user.role), color="light", text_color="primary"),
                ],
                className="navbar-text text-white me-3",
                id=ids.NAV_USER,
            ),
            dbc.Button(
                "Sign out",
                href="/auth/logout",
                external_link=True,
                color="light",
                outline=True,
                size="sm",
                id=ids.NAV_LOGOUT,
            ),
        ]
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand([html.Span("●", className="brand-dot me-2"), "Footfall"], href="/"),
                dbc.NavbarToggler(id=ids.NAV_TOGGLER),
                dbc.Collapse(
                    [
                        dbc.Nav(links, navbar=True, className="me-auto"),
                        html.Div(right, className="d-flex align-items-center"),
                    ],
                    id=ids.NAV_COLLAPSE,
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        expand="lg",  # collapses behind a menu button on tablets in portrait
        className="mb-4 shadow-sm",
    )
    return html.Div(
        [
            navbar,
            dbc.Container(dash.page_container, fluid=True, className="page-body"),
            html.Footer(
                dbc.Container(
                    [
                        html.Span("Footfall · server ", className="text-muted"),
                        html.Span(id=ids.SERVER_STATUS),
                    ],
                    fluid=True,
                ),
                className="footer py-2 mt-4",
            ),
            dcc.Interval(id=ids.STATUS_INTERVAL, interval=30_000),
        ]
    )


def _register_status(app: dash.Dash, api: FootfallClient) -> None:
    @app.callback(Output(ids.SERVER_STATUS, "children"), Input(ids.STATUS_INTERVAL, "n_intervals"))
    def _server_status(_: int | None) -> Any:
        try:
            health = api.health()
        except DashboardError:
            return dbc.Badge("unreachable", color="danger")
        ok = health.get("status") == "ok"
        return [
            dbc.Badge(health.get("status", "?"), color="success" if ok else "warning"),
            html.Span(f" version {health.get('version', '?')}", className="text-muted ms-1"),
        ]

    @app.callback(
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        dash.State(ids.NAV_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    def _toggle(_: int | None, is_open: bool) -> bool:
        return not is_open
