"""``/live``: one store today — visitors in/out, occupancy, conversion so far, hourly chart
against the same weekday last week, entrances, and a banner when a camera is down.

Refreshes every few seconds through a ``dcc.Interval`` (no page reload). The store comes
from ``?store_id=``; a store outside the user's scope is a 404 from the server and is shown
as "not available", exactly like a store that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from footfall.dashboard import figures, formatting, ids
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import ApiRejected, DashboardError
from footfall.dashboard.navigation import LIVE
from footfall.dashboard.pages.common import (
    choose_store,
    error_state,
    guarded,
    page_header,
    store_options,
)
from footfall.dashboard.session import SignedInUser, current_user
from footfall.dashboard.store_status import (
    camera_alerts,
    coverage_alert,
    first_row,
    kpi_entry,
    kpi_of,
    lacks_sales,
    totals_by,
)

GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def register(app: dash.Dash, api: FootfallClient) -> None:
    from footfall.dashboard.app import live_interval_ms

    def build(user: SignedInUser, store_id: str | None = None, **_: Any) -> Any:
        choice = choose_store(api.as_user(user.token).stores, store_id)
        if not isinstance(choice, tuple):
            return choice
        stores, chosen = choice
        selector = dcc.Dropdown(
            id=ids.LIVE_STORE,
            options=store_options(stores),
            value=chosen,
            clearable=False,
            style={"minWidth": "260px"},
            className="" if len(stores) > 1 else "d-none",
        )
        return html.Div(
            [
                page_header("Live store", "Today so far, in the store's own time", selector),
                dcc.Interval(id=ids.LIVE_INTERVAL, interval=live_interval_ms()),
                dcc.Loading(html.Div(id=ids.LIVE_BODY, children=_skeleton()), type="dot", delay_show=600),
            ]
        )

    dash.register_page(
        "footfall.dashboard.pages.live",
        path=LIVE.path,
        title="Live store · Footfall",
        name=LIVE.title,
        layout=guarded(LIVE, build),
    )

    @app.callback(
        Output(ids.LIVE_BODY, "children"),
        Input(ids.LIVE_INTERVAL, "n_intervals"),
        Input(ids.LIVE_STORE, "value"),
        State(ids.LIVE_BODY, "children"),
    )
    def _refresh(_: int | None, store_id: str | None, __: Any) -> Any:
        user = current_user()
        if user is None or store_id is None:
            return dash.no_update
        try:
            return _live_body(api.as_user(user.token), store_id)
        except DashboardError as error:
            return error_state(error)


def _skeleton() -> Any:
    return html.Div("Loading today's counts…", className="text-muted py-5 text-center")


def _live_body(api: FootfallClient, store_id: str) -> Any:
    store = api.store(store_id)
    locale, currency = store.get("locale"), store.get("currency")
    zone = ZoneInfo(store.get("timezone") or "UTC")
    now = datetime.now(UTC)
    today = now.astimezone(zone).date()
    last_week = today - timedelta(days=7)

    # Visitors are adults (the retail definition, as in every KPI); occupancy counts everyone
    # inside, children included, because that is what fire safety and staffing need.
    occupancy = api.occupancy(store_id)
    hourly_today = api.traffic(store_id, today, today, granularity="hour")["buckets"]
    hourly_before = api.traffic(store_id, last_week, last_week, granularity="hour")["buckets"]
    entrances = api.traffic(store_id, today, today, granularity="day", by="entrance")["buckets"]

    conversion = None
    try:
        row = first_row(api.kpis(store_id, today, today, granularity="day"))
        conversion = None if lacks_sales(kpi_entry(row, "conversion")) else kpi_of(row, "conversion")
    except ApiRejected:
        conversion = None  # KPIs unavailable for this role or no sales imported

    alerts = []
    try:
        alerts = camera_alerts(api.devices(), store_id, now)
    except ApiRejected:
        alerts = []  # some roles may not list devices; coverage still tells of gaps
    coverage = coverage_alert(occupancy.get("coverage"))
    if coverage:
        alerts.append(coverage)

    weekday = last_week.strftime("%A")
    banner = html.Div(
        [dbc.Alert(a.message, color=a.level, className="mb-2 live-alert") for a in alerts], id=ids.LIVE_BANNER
    )
    tiles = dbc.Row(
        [
            _tile(
                "Visitors in today",
                formatting.count(sum(b["in"] for b in hourly_today), locale),
                ids.LIVE_IN,
                "adults entering since opening",
            ),
            _tile(
                "Visitors out today",
                formatting.count(sum(b["out"] for b in hourly_today), locale),
                ids.LIVE_OUT,
                "adults leaving",
            ),
            _tile(
                "In the store now",
                formatting.count(occupancy.get("occupancy"), locale),
                ids.LIVE_OCCUPANCY,
                "current occupancy",
            ),
            _tile(
                "Conversion so far",
                formatting.percent(conversion, locale),
                ids.LIVE_CONVERSION,
                "buyers ÷ visitors" if conversion is not None else "needs today's sales (POS import)",
            ),
        ]
    )
    entrance_totals = totals_by(entrances, "entrance_id", _entrance_names(api, store_id, entrances))
    as_of = formatting.parse_local_time(occupancy.get("as_of"), zone)
    return html.Div(
        [
            banner,
            tiles,
            dbc.Row(
                [
                    dbc.Col(
                        dbc.Card(
                            dcc.Graph(
                                id=ids.LIVE_HOURLY,
                                figure=figures.hourly_against_last_week(
                                    hourly_today, hourly_before, weekday=weekday, locale=locale
                                ),
                                config=GRAPH_CONFIG,
                            )
                        ),
                        lg=8,
                        className="mb-3",
                    ),
                    dbc.Col(
                        dbc.Card(
                            dcc.Graph(
                                id=ids.LIVE_ENTRANCES,
                                figure=figures.entrance_split(entrance_totals, locale=locale),
                                config=GRAPH_CONFIG,
                            )
                        ),
                        lg=4,
                        className="mb-3",
                    ),
                ]
            ),
            html.Div(
                f"{store['name']} · {store.get('timezone', '')} · {currency or ''} · updated {as_of}",
                id=ids.LIVE_UPDATED,
                className="text-muted small",
            ),
        ]
    )


def _tile(label: str, value: str, tile_id: str, hint: str) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(label, className="kpi-label"),
                    html.Div(value, id=tile_id, className="kpi-value"),
                    html.Div(hint, className="kpi-hint"),
                ]
            ),
            className="kpi-card h-100",
        ),
        xs=6,
        lg=3,
        className="mb-3",
    )


def _entrance_names(api: FootfallClient, store_id: str, buckets: list[dict]) -> dict[str, str]:
    """Entrances by the names the store gave them; numbered if the server has none to offer."""
    names: dict[str, str] = {}
    try:
        for entrance in api.entrances(store_id):
            names[str(entrance["entrance_id"])] = entrance["name"]
    except ApiRejected:
        pass  # an older server without the entrances list: number them instead
    unnamed = sorted({str(b.get("entrance_id")) for b in buckets} - set(names))
    for number, entrance_id in enumerate(unnamed, start=len(names) + 1):
        names[entrance_id] = f"Entrance {number}" if entrance_id != "None" else "Unassigned"
    return names
