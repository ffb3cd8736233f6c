"""``/customers``: member share, new vs returning, RFM segments and lifetime value, per store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from footfall.dashboard import figures, formatting, ids, periods
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import DashboardError
from footfall.dashboard.navigation import CUSTOMERS
from footfall.dashboard.pages.common import (
    choose_store,
    empty_state,
    error_state,
    guarded,
    page_header,
    store_options,
)
from footfall.dashboard.session import SignedInUser, current_user

GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def register(app: dash.Dash, api: FootfallClient) -> None:
    def build(user: SignedInUser, store_id: str | None = None, **_: Any) -> Any:
        choice = choose_store(
            api.as_user(user.token).stores,
            store_id,
            default=lambda stores: min(stores, key=lambda s: s["name"]),
        )
        if not isinstance(choice, tuple):
            return choice
        stores, chosen = choice
        controls = [
            dcc.Dropdown(
                id=ids.CUS_STORE,
                options=store_options(stores),
                value=chosen,
                clearable=False,
                style={"minWidth": "240px"},
            ),
            dcc.Dropdown(
                id=ids.CUS_PERIOD,
                options=[{"label": v, "value": k} for k, v in periods.PERIODS.items()],
                value="last_90",
                clearable=False,
                style={"minWidth": "180px"},
            ),
        ]
        return html.Div(
            [
                page_header("Customers", "Loyalty members and their buying, per store", *controls),
                dcc.Loading(
                    html.Div(
                        [
                            html.Div(id=ids.CUS_MESSAGE),
                            dbc.Row(id=ids.CUS_TILES),
                            dbc.Row(
                                [
                                    dbc.Col(
                                        dbc.Card(dcc.Graph(id=ids.CUS_MEMBERS, config=GRAPH_CONFIG)),
                                        md=6,
                                        lg=3,
                                        className="mb-3",
                                    ),
                                    dbc.Col(
                                        dbc.Card(dcc.Graph(id=ids.CUS_NEW_RETURNING, config=GRAPH_CONFIG)),
                                        md=6,
                                        lg=3,
                                        className="mb-3",
                                    ),
                                    dbc.Col(
                                        dbc.Card(dcc.Graph(id=ids.CUS_SEGMENTS, config=GRAPH_CONFIG)),
                                        lg=6,
                                        className="mb-3",
                                    ),
                                ]
                            ),
                            dbc.Row(
                                dbc.Col(
                                    dbc.Card(dcc.Graph(id=ids.CUS_LTV, config=GRAPH_CONFIG)), className="mb-3"
                                )
                            ),
                        ]
                    ),
                    type="dot",
                ),
            ]
        )

    dash.register_page(
        "footfall.dashboard.pages.customers",
        path=CUSTOMERS.path,
        title="Customers · Footfall",
        name=CUSTOMERS.title,
        layout=guarded(CUSTOMERS, build),
    )

    @app.callback(
        Output(ids.CUS_MESSAGE, "children"),
        Output(ids.CUS_TILES, "children"),
        Output(ids.CUS_MEMBERS, "figure"),
        Output(ids.CUS_NEW_RETURNING, "figure"),
        Output(ids.CUS_SEGMENTS, "figure"),
        Output(ids.CUS_LTV, "figure"),
        Input(ids.CUS_STORE, "value"),
        Input(ids.CUS_PERIOD, "value"),
    )
    def _summary(store_id: str | None, period: str) -> Any:
        user = current_user()
        if user is None or store_id is None:
            return (dash.no_update,) * 6
        client = api.as_user(user.token)
        try:
            store = client.store(store_id)
            # The store's own calendar: just after midnight in Berlin, "yesterday" is still
            # today on a server clock running on UTC.
            start, end = periods.period_dates(period, store_today(store))
            summary = client.customer_summary(store_id, start, end)
        except DashboardError as error:
            blank = figures.empty("", "Not available.")
            return error_state(error), [], blank, blank, blank, blank
        return _summary_view(store, summary)


def store_today(store: Mapping) -> date:
    """Today's date where the store is (the machine's date when its time zone is unknown)."""
    try:
        return datetime.now(ZoneInfo(str(store.get("timezone")))).date()
    except (ZoneInfoNotFoundError, ValueError):
        return date.today()


def _summary_view(store: Mapping, summary: Mapping) -> tuple:
    locale, currency = store.get("locale"), store.get("currency")
    view = customer_view(summary)
    tiles = [
        _tile(
            "Customers",
            formatting.count(view["customers"], locale),
            f"{ids.CUS_TILES}-customers",
            "who bought in the period",
        ),
        _tile(
            "Member share",
            formatting.percent(view["member_share"], locale),
            f"{ids.CUS_TILES}-member-share",
            "of transactions by loyalty members",
        ),
        _tile(
            "Returning",
            formatting.percent(view["returning_share"], locale),
            f"{ids.CUS_TILES}-returning",
            "customers who bought before",
        ),
        _tile(
            "Average lifetime value",
            formatting.money(view["average_ltv"], currency, locale),
            f"{ids.CUS_TILES}-ltv",
            "per member",
        ),
    ]
    message = None
    if not view["customers"]:
        message = empty_state(
            "No customer data yet",
            "Import the CRM's customers and the POS sales (Imports) to see loyalty figures for this store.",
        )
    return (
        message,
        tiles,
        figures.split_pie(
            {"Members": view["members"] or 0, "Non-members": view["non_members"] or 0},
            title="Members vs non-members",
            locale=locale,
        ),
        figures.split_pie(
            {"New": view["new"] or 0, "Returning": view["returning"] or 0},
            title="New vs returning customers",
            locale=locale,
        ),
        figures.segment_bars(view["segments"], locale=locale),
        figures.lifetime_value(view["ltv_bins"], currency=currency, locale=locale),
    )


def customer_view(summary: Mapping) -> dict[str, Any]:
    """Read a customer summary into the few numbers the page shows (tolerant of key names)."""

    def pick(*keys: str) -> Any:
        for key in keys:
            if summary.get(key) is not None:
                return summary[key]
        return None

    segments_raw = pick("rfm_segments", "segments", "rfm") or {}
    if isinstance(segments_raw, list):
        segments = {
            str(s.get("segment") or s.get("name")): float(s.get("customers") or s.get("count") or 0)
            for s in segments_raw
        }
    else:
        segments = {str(k): float(v) for k, v in segments_raw.items()}
    bins = pick("ltv_histogram", "lifetime_value_histogram", "ltv_distribution", "ltv_bins") or []
    bins = [
        {
            "lower": b.get("lower", b.get("from", 0)),
            "upper": b.get("upper", b.get("to", 0)),
            "customers": b.get("customers", b.get("count", 0)),
        }
        for b in bins
    ]
    members = pick("member_transactions", "members", "member_customers")
    non_members = pick("non_member_transactions", "non_members", "anonymous_transactions")
    new, returning = pick("new_customers", "new"), pick("returning_customers", "returning")
    customers = pick("customers", "active_customers")
    if customers is None and new is not None and returning is not None:
        customers = new + returning
    member_share = pick("member_share")
    if member_share is None and members is not None and non_members is not None and (members + non_members):
        member_share = members / (members + non_members)
    returning_share = returning / customers if returning is not None and customers else None
    return {
        "customers": customers,
        "members": members,
        "non_members": non_members,
        "member_share": member_share,
        "new": new,
        "returning": returning,
        "returning_share": returning_share,
        "average_ltv": pick("average_ltv", "avg_ltv", "mean_ltv", "average_lifetime_value"),
        "segments": segments,
        "ltv_bins": bins,
    }


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
