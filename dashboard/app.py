"""``create_dashboard(server_url)``: the Dash application, built explicitly."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from footfall.dashboard import ids
from footfall.dashboard.client import FootfallClient


def create_dashboard(server_url: str) -> dash.Dash:
    app = dash.Dash(
        __name__,
        title="Footfall",
        external_stylesheets=[dbc.themes.FLATLY],
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    client = FootfallClient(server_url)
    app.layout = dbc.Container(
        [
            dbc.NavbarSimple(brand="Footfall", color="primary", dark=True, className="mb-4"),
            dbc.Card(
                dbc.CardBody([html.H5("Server", className="card-title"), html.Div(id=ids.SERVER_STATUS)]),
                className="mb-3",
            ),
            dcc.Interval(id=ids.STATUS_INTERVAL, interval=5_000),
        ],
        fluid=True,
    )

    @app.callback(Output(ids.SERVER_STATUS, "children"), Input(ids.STATUS_INTERVAL, "n_intervals"))
    def _server_status(_: int | None) -> html.Div:
        from footfall.dashboard.errors import DashboardError

        try:
            health = client.health()
        except DashboardError as error:
            return dbc.Alert(str(error), color="danger")
        return html.Div(
            [
                dbc.Badge(
                    health.get("status", "?"), color="success" if health.get("status") == "ok" else "warning"
                ),
                html.Span(f" version {health.get('version', '?')}", className="ms-2 text-muted"),
            ]
        )

    return app
