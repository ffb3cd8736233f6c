"""``/comparison``: stores side by side for HQ — ranking by any KPI and period (sortable, CSV
export), conversion vs traffic, hour-of-week heatmap, like-for-like change and anomalies,
filtered by region, period and floor-area band.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dash_table, dcc, html
from dash.dash_table.Format import Format, Scheme
from footfall.dashboard import figures, formatting, ids, periods, ranking
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import ApiRejected, DashboardError
from footfall.dashboard.navigation import COMPARISON
from footfall.dashboard.pages.common import empty_state, error_state, guarded, page_header, store_options
from footfall.dashboard.session import SignedInUser, current_user
from footfall.dashboard.store_status import lacks_sales

#: The KPIs the server can compare across stores; only additive ones can be normalised.
KPIS = (
    "visitors",
    "transactions",
    "net_sales",
    "conversion",
    "atv",
    "sales_per_visitor",
    "upt",
    "staff_to_shopper",
    "member_share",
)
ADDITIVE = frozenset({"visitors", "transactions", "net_sales"})
NORMALISE = {"none": "Totals", "per_m2": "per m² of floor", "per_open_hour": "per opening hour"}
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def register(app: dash.Dash, api: FootfallClient) -> None:
    def build(user: SignedInUser, **_: Any) -> Any:
        try:
            client = api.as_user(user.token)
            regions, stores = client.regions(), client.stores()
        except DashboardError as error:
            return error_state(error)
        if not stores:
            return empty_state("No stores to compare", "Stores appear here once HQ has created them.")
        filters = dbc.Card(
            dbc.CardBody(
                dbc.Row(
                    [
                        _field(
                            "KPI",
                            dcc.Dropdown(
                                id=ids.CMP_KPI,
                                options=[{"label": formatting.kpi_label(k), "value": k} for k in KPIS],
                                value="visitors",
                                clearable=False,
                            ),
                        ),
                        _field(
                            "Period",
                            dcc.Dropdown(
                                id=ids.CMP_PERIOD,
                                options=[{"label": v, "value": k} for k, v in periods.PERIODS.items()],
                                value="last_28",
                                clearable=False,
                            ),
                        ),
                        _field(
                            "Region",
                            dcc.Dropdown(
                                id=ids.CMP_REGION,
                                options=[{"label": r["name"], "value": r["region_id"]} for r in regions],
                                placeholder="All regions",
                            ),
                        ),
                        _field(
                            "Store size",
                            dcc.Dropdown(
                                id=ids.CMP_SIZE,
                                options=[{"label": v, "value": k} for k, v in ranking.SIZE_LABELS.items()],
                                placeholder="All sizes",
                            ),
                        ),
                        _field(
                            "Show",
                            dcc.Dropdown(
                                id=ids.CMP_NORMALISE,
                                options=[{"label": v, "value": k} for k, v in NORMALISE.items()],
                                value="none",
                                clearable=False,
                            ),
                        ),
                    ],
                    className="g-3",
                )
            ),
            className="mb-3 filters",
        )
        return html.Div(
            [
                page_header("Branch comparison", "Every store you can see, side by side"),
                filters,
                html.Div(id=ids.CMP_MESSAGE),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        html.H5("Ranking", className="card-title"),
                                        dcc.Loading(html.Div(id=ids.CMP_TABLE), type="dot"),
                                    ]
                                )
                            ),
                            lg=7,
                            className="mb-3",
                        ),
                        dbc.Col(
                            [
                                dbc.Card(
                                    dbc.CardBody(dcc.Loading(html.Div(id=ids.CMP_LFL), type="dot")),
                                    className="mb-3",
                                ),
                                dbc.Card(
                                    dcc.Loading(
                                        dcc.Graph(id=ids.CMP_SCATTER, config=GRAPH_CONFIG), type="dot"
                                    )
                                ),
                            ],
                            lg=5,
                            className="mb-3",
                        ),
                    ]
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        dcc.Dropdown(
                                            id=ids.CMP_HEATMAP_STORE,
                                            options=store_options(stores),
                                            value=sorted(stores, key=lambda s: s["name"])[0]["store_id"],
                                            clearable=False,
                                            className="mb-2",
                                        ),
                                        dcc.Loading(
                                            dcc.Graph(id=ids.CMP_HEATMAP, config=GRAPH_CONFIG), type="dot"
                                        ),
                                    ]
                                )
                            ),
                            lg=7,
                            className="mb-3",
                        ),
                        dbc.Col(
                            dbc.Card(
                                dbc.CardBody(
                                    [
                                        html.H5("Anomalies", className="card-title"),
                                        dcc.Loading(html.Div(id=ids.CMP_ANOMALIES), type="dot"),
                                    ]
                                )
                            ),
                            lg=5,
                            className="mb-3",
                        ),
                    ]
                ),
            ]
        )

    dash.register_page(
        "footfall.dashboard.pages.comparison",
        path=COMPARISON.path,
        title="Branch comparison · Footfall",
        name=COMPARISON.title,
        layout=guarded(COMPARISON, build),
    )

    @app.callback(
        Output(ids.CMP_TABLE, "children"),
        Output(ids.CMP_LFL, "children"),
        Output(ids.CMP_SCATTER, "figure"),
        Output(ids.CMP_MESSAGE, "children"),
        Input(ids.CMP_KPI, "value"),
        Input(ids.CMP_PERIOD, "value"),
        Input(ids.CMP_REGION, "value"),
        Input(ids.CMP_SIZE, "value"),
        Input(ids.CMP_NORMALISE, "value"),
    )
    def _ranking(kpi: str, period: str, region_id: str | None, size: str | None, normalise: str) -> Any:
        user = current_user()
        if user is None:
            return (
                dash.no_update,
                dash.no_update,
                dash.no_update,
                error_state(ApiRejected("signed out", status=401)),
            )
        client = api.as_user(user.token)
        start, end = periods.period_dates(period, date.today())
        try:
            return _ranking_view(client, kpi, start, end, region_id, size, normalise)
        except DashboardError as error:
            title = "Conversion vs traffic — each point is a store"
            return None, None, figures.empty(title, "Not available."), error_state(error)

    @app.callback(
        Output(ids.CMP_HEATMAP, "figure"),
        Input(ids.CMP_HEATMAP_STORE, "value"),
        Input(ids.CMP_PERIOD, "value"),
    )
    def _heatmap(store_id: str | None, period: str) -> Any:
        user = current_user()
        if user is None or store_id is None:
            return dash.no_update
        client = api.as_user(user.token)
        start, end = periods.period_dates(period, date.today())
        try:
            store = client.store(store_id)
            answer = client.hour_of_week(store_id, start, end)
        except DashboardError as error:
            return figures.empty("Hour of week", f"Not available: {error}")
        cells = answer.get("cells") if isinstance(answer, dict) else answer
        cells = [
            {**c, "value": c.get("value", c.get("visitors", c.get("avg_visitors")))} for c in cells or []
        ]
        return figures.hour_of_week(cells, store_name=store["name"], value_label="Visitors")

    @app.callback(
        Output(ids.CMP_ANOMALIES, "children"), Input(ids.CMP_PERIOD, "value"), Input(ids.CMP_REGION, "value")
    )
    def _anomalies(period: str, region_id: str | None) -> Any:
        user = current_user()
        if user is None:
            return dash.no_update
        client = api.as_user(user.token)
        start, end = periods.period_dates(period, date.today())
        try:
            rows = ranking.anomaly_rows(client.anomalies(start, end))
        except DashboardError as error:
            return error_state(error)
        if region_id:
            in_region = {s["store_id"] for s in client.stores() if str(s.get("region_id")) == str(region_id)}
            rows = [r for r in rows if str(r.get("store_id")) in in_region]
        if not rows:
            return empty_state(
                "No anomalies",
                "Traffic in this period stayed within the expected range for every store.",
                icon="✓",
            )
        return dbc.ListGroup([_anomaly_item(r) for r in rows[:30]], flush=True, className="anomaly-list")


def _field(label: str, control: Any) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small text-muted mb-1"), control], xs=12, sm=6, lg=True)


def _ranking_view(
    client: FootfallClient,
    kpi: str,
    start: date,
    end: date,
    region_id: str | None,
    size: str | None,
    normalise: str | None = None,
) -> Any:
    stores = {s["store_id"]: s for s in client.stores()}
    normalise = normalise if kpi in ADDITIVE and normalise != "none" else None
    # The server ranks (respecting whether higher is better) and adds the like-for-like base:
    # the same weekdays 52 weeks earlier.
    answer = client.comparison(
        kpi, start, end, normalise=normalise, region_id=region_id, compare_to="last_year"
    )
    current = ranking.comparison_rows(answer)
    previous = {str(r.get("store_id")): r.get("previous") for r in current}
    table = ranking.rank(current, stores, previous, region_id=region_id, size=size)
    label = formatting.kpi_label(kpi) + (f" {NORMALISE[normalise]}" if normalise else "")
    if not table:
        empty = empty_state("No store matches", "Widen the filters: choose all regions or all sizes.")
        return (
            empty,
            None,
            figures.empty("Conversion vs traffic — each point is a store", "No store matches the filters."),
            None,
        )

    # Scatter: each store's visitors and conversion in the period (two KPIs from the server).
    visitors = {
        str(r.get("store_id")): r.get("value")
        for r in ranking.comparison_rows(client.comparison("visitors", start, end, region_id=region_id))
    }
    conversion = {
        str(r.get("store_id")): None if lacks_sales(r) else r.get("value")
        for r in ranking.comparison_rows(client.comparison("conversion", start, end, region_id=region_id))
    }
    points = [
        {
            "store_id": row["store_id"],
            "name": row["store"],
            "region_name": row["region"],
            "visitors": visitors.get(row["store_id"]),
            "conversion": conversion.get(row["store_id"]),
        }
        for row in table
    ]
    # One locale for chain-wide figures only when every store shares it; else the default.
    locales = {s.get("locale") for s in stores.values()}
    locale = next(iter(locales)) if len(locales) == 1 else None
    scatter = figures.conversion_vs_traffic(points, locale=locale)

    kind = formatting.KPI_KINDS.get(kpi, "number")
    value_format = {
        "percent": Format(precision=1, scheme=Scheme.percentage),
        "money": Format(precision=2, scheme=Scheme.fixed, group=True),
        "count": Format(precision=0, scheme=Scheme.fixed, group=True),
    }.get(kind, Format(precision=2, scheme=Scheme.fixed, group=True))
    currencies = {s.get("currency") for s in stores.values()}
    unit = f" ({next(iter(currencies))})" if kind == "money" and len(currencies) == 1 else ""
    data_table = dash_table.DataTable(
        id=f"{ids.CMP_TABLE}-grid",
        columns=[
            {"name": "#", "id": "rank", "type": "numeric"},
            {"name": "Store", "id": "store"},
            {"name": "Region", "id": "region"},
            {
                "name": "Area (m²)",
                "id": "floor_area_m2",
                "type": "numeric",
                "format": Format(precision=0, scheme=Scheme.fixed, group=True),
            },
            {"name": f"{label}{unit}", "id": "value", "type": "numeric", "format": value_format},
            {
                "name": "vs last year",
                "id": "change",
                "type": "numeric",
                "format": Format(precision=1, scheme=Scheme.percentage, sign="+"),
            },
        ],
        data=table,
        sort_action="native",
        sort_mode="single",
        export_format="csv",
        export_headers="display",
        page_size=15,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": figures.FONT, "padding": "6px 10px", "textAlign": "left"},
        style_cell_conditional=[{"if": {"column_type": "numeric"}, "textAlign": "right"}],
        style_header={"fontWeight": "600", "backgroundColor": "#ecf0f1"},
        style_data_conditional=[
            {"if": {"filter_query": "{change} < 0", "column_id": "change"}, "color": figures.DANGER},
            {"if": {"filter_query": "{change} > 0", "column_id": "change"}, "color": "#128f76"},
        ],
    )
    lfl, stores_in_both = ranking.like_for_like(kpi, table)
    lfl_view = html.Div(
        [
            html.Div(f"Like-for-like {label.lower()} vs same period last year", className="kpi-label"),
            html.Div(formatting.change(lfl, locale), className="kpi-value", id=f"{ids.CMP_LFL}-value"),
            html.Div(
                f"{stores_in_both} store(s) trading in both periods · {start:%d %b} – {end:%d %b %Y}"
                if stores_in_both
                else "No store has data for the same period last year yet.",
                className="kpi-hint",
            ),
        ]
    )
    return data_table, lfl_view, scatter, None


def _anomaly_item(row: dict) -> dbc.ListGroupItem:
    when = row.get("bucket_start") or row.get("date") or row.get("day") or ""
    store = row.get("store_name") or row.get("name") or row.get("store_id")
    message = (
        row.get("message")
        or row.get("description")
        or (
            f"{formatting.kpi_label(str(row.get('kpi', 'visitors')))}: {row.get('value')} vs expected {row.get('expected')}"
        )
    )
    direction = row.get("direction") or (
        "high" if (row.get("value") or 0) > (row.get("expected") or 0) else "low"
    )
    return dbc.ListGroupItem(
        [
            html.Div(
                [
                    html.Strong(store),
                    html.Span(str(when)[:16].replace("T", " "), className="text-muted small ms-2"),
                ]
            ),
            html.Div(
                [
                    dbc.Badge(
                        direction, color="warning" if direction == "high" else "danger", className="me-2"
                    ),
                    message,
                ],
                className="small",
            ),
        ]
    )
