"""``/installer``: devices and cameras with their health, enrolment codes, a camera snapshot
with the counting lines drawn, drawing and editing lines and the inside point on it,
calibration status, and a validation mode showing live counts while the installer walks
through the door.

Lines are edited in a ``dcc.Store`` and saved whole with ``PUT /cameras/{id}/lines``; the
device picks them up with its next config poll.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dash_table, dcc, html
from footfall.dashboard import figures, formatting, health_timeline, ids, lines_editing
from footfall.dashboard.client import FootfallClient
from footfall.dashboard.errors import ApiRejected, DashboardError
from footfall.dashboard.navigation import INSTALLER
from footfall.dashboard.pages.common import empty_state, error_state, guarded, page_header, store_options
from footfall.dashboard.session import SignedInUser, current_user
from footfall.dashboard.store_status import (
    device_cameras,
    device_health,
    device_last_seen,
    device_online,
    in_out_by,
)

from footfall.line_advice import needs_extension

CANVAS_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToAdd": ["drawline", "eraseshape"],
    "edits": {"shapePosition": True},
}


def register(app: dash.Dash, api: FootfallClient) -> None:
    from footfall.dashboard.app import live_interval_ms

    def build(user: SignedInUser, camera_id: str | None = None, **_: Any) -> Any:
        client = api.as_user(user.token)
        try:
            stores = client.stores()
            cameras = _cameras(client, stores)
            devices = client.devices() if stores else []
        except DashboardError as error:
            return error_state(error)
        if not stores:
            return html.Div(
                [
                    page_header("Installation", "Devices, cameras and counting lines"),
                    empty_state(
                        "No store assigned to you",
                        "Ask your HQ admin to add you to the stores you install; they appear here at once.",
                    ),
                ]
            )
        camera_options = [
            {
                "label": f"{c.get('name') or c['camera_id']} · {c.get('store_name', '')}",
                "value": c["camera_id"],
            }
            for c in cameras
        ]
        devices_card = dbc.Card(
            dbc.CardBody(
                [
                    html.H5("Devices and cameras", className="card-title"),
                    dcc.Loading(html.Div(id=ids.INS_DEVICES), type="dot"),
                    dcc.Interval(id=ids.INS_DEVICES_INTERVAL, interval=max(live_interval_ms(), 5000)),
                ]
            ),
            className="mb-3",
        )
        enrol_card = dbc.Card(
            dbc.CardBody(
                [
                    html.H5("Enrol a new device", className="card-title"),
                    html.P(
                        "Create a one-time code and run on the device: footfall edge enroll --server URL --code CODE",
                        className="text-muted small",
                    ),
                    dbc.InputGroup(
                        [
                            dcc.Dropdown(
                                id=ids.INS_ENROL_STORE,
                                options=store_options(stores),
                                value=stores[0]["store_id"] if stores else None,
                                clearable=False,
                                style={"minWidth": "220px", "flex": "1"},
                            ),
                            dbc.Button("Create code", id=ids.INS_ENROL_BUTTON, color="primary"),
                        ],
                        className="mb-2 flex-nowrap",
                    ),
                    html.Div(id=ids.INS_ENROL_RESULT),
                ]
            ),
            className="mb-3",
        )
        if not cameras:
            editor = empty_state(
                "No camera yet", "Enrol a device for the store; its cameras appear here once it reports."
            )
        else:
            editor = _editor(camera_options, camera_id or cameras[0]["camera_id"])
        return html.Div(
            [
                page_header("Installation", "Devices, cameras and counting lines"),
                dcc.Store(id=ids.INS_CAMERAS_STORE, data=cameras),
                dbc.Row([dbc.Col(devices_card, lg=8), dbc.Col(enrol_card, lg=4)]),
                editor,
                # Below the line editor, the installer's main tool, so it does not push it down.
                _history_card(devices, {s["store_id"]: s.get("name") or s["store_id"] for s in stores}),
            ]
        )

    def _editor(camera_options: list[dict], chosen: str) -> Any:
        number = {"type": "number", "min": 0, "max": 1, "step": 0.001, "size": "sm"}
        fields = dbc.Row(
            [
                dbc.Col(
                    [dbc.Label("Start x", className="small mb-0"), dbc.Input(id=ids.INS_X1, **number)], xs=3
                ),
                dbc.Col(
                    [dbc.Label("Start y", className="small mb-0"), dbc.Input(id=ids.INS_Y1, **number)], xs=3
                ),
                dbc.Col(
                    [dbc.Label("End x", className="small mb-0"), dbc.Input(id=ids.INS_X2, **number)], xs=3
                ),
                dbc.Col(
                    [dbc.Label("End y", className="small mb-0"), dbc.Input(id=ids.INS_Y2, **number)], xs=3
                ),
                dbc.Col(
                    [dbc.Label("Inside x", className="small mb-0"), dbc.Input(id=ids.INS_INSIDE_X, **number)],
                    xs=3,
                    className="mt-2",
                ),
                dbc.Col(
                    [dbc.Label("Inside y", className="small mb-0"), dbc.Input(id=ids.INS_INSIDE_Y, **number)],
                    xs=3,
                    className="mt-2",
                ),
            ],
            className="g-2",
        )
        side = dbc.Card(
            dbc.CardBody(
                [
                    html.H5("Counting lines", className="card-title"),
                    dbc.Label("Line", className="small mb-0"),
                    dcc.Dropdown(id=ids.INS_LINE_SELECT, clearable=False, className="mb-2"),
                    dbc.Label("Name", className="small mb-0"),
                    dbc.Input(id=ids.INS_LINE_NAME, size="sm", className="mb-2"),
                    dbc.Label("Entrance id", className="small mb-0"),
                    dbc.Input(id=ids.INS_LINE_ENTRANCE, size="sm", className="mb-2", placeholder="optional"),
                    fields,
                    dbc.Label("On the picture…", className="small mt-2 mb-0"),
                    dbc.RadioItems(
                        id=ids.INS_CLICK_MODE,
                        options=[
                            {"label": "drag draws the line", "value": "draw"},
                            {"label": "click sets the inside point", "value": "inside"},
                        ],
                        value="draw",
                        inline=True,
                        className="mb-2",
                    ),
                    html.Div(
                        [
                            dbc.Button("Apply to line", id=ids.INS_APPLY, color="secondary", size="sm"),
                            dbc.Button(
                                "New line", id=ids.INS_NEW_LINE, color="secondary", outline=True, size="sm"
                            ),
                            dbc.Button(
                                "Delete line", id=ids.INS_DELETE_LINE, color="danger", outline=True, size="sm"
                            ),
                        ],
                        className="d-flex gap-2 flex-wrap mb-2",
                    ),
                    dbc.Button("Save lines to device", id=ids.INS_SAVE, color="primary", className="w-100"),
                    html.Div(id=ids.INS_SAVE_RESULT, className="mt-2"),
                ]
            ),
            className="mb-3",
        )
        validation = dbc.Card(
            dbc.CardBody(
                [
                    html.Div(
                        [
                            html.H5("Validation walk-through", className="card-title mb-0"),
                            dbc.Switch(id=ids.INS_VALIDATE, label="Validation mode", value=False),
                        ],
                        className="d-flex justify-content-between align-items-center mb-2",
                    ),
                    html.P(
                        "Switch on, then walk in and out through the door: each crossing should appear here within seconds.",
                        className="text-muted small",
                    ),
                    dcc.Interval(
                        id=ids.INS_VALIDATE_INTERVAL, interval=min(live_interval_ms(), 3000), disabled=True
                    ),
                    dcc.Store(id=ids.INS_VALIDATE_BASE),
                    html.Div(id=ids.INS_VALIDATE_COUNTS),
                ]
            ),
            className="mb-3",
        )
        return html.Div(
            [
                dcc.Store(id=ids.INS_LINES),
                dcc.Store(id=ids.INS_SNAPSHOT_STORE),
                dcc.Interval(id=ids.INS_SNAPSHOT_INTERVAL, interval=2000, disabled=True),
                dbc.Card(
                    dbc.CardBody(
                        dbc.Row(
                            [
                                dbc.Col(
                                    [
                                        dbc.Label("Camera", className="small mb-0"),
                                        dcc.Dropdown(
                                            id=ids.INS_CAMERA,
                                            options=camera_options,
                                            value=chosen,
                                            clearable=False,
                                        ),
                                    ],
                                    md=5,
                                ),
                                dbc.Col(
                                    [
                                        dbc.Label("Calibration", className="small mb-0 d-block"),
                                        html.Div(id=ids.INS_CALIBRATION),
                                    ],
                                    md=3,
                                ),
                                dbc.Col(
                                    [
                                        dbc.Button(
                                            "Request snapshot",
                                            id=ids.INS_SNAPSHOT_BUTTON,
                                            color="primary",
                                            outline=True,
                                        ),
                                        html.Span(
                                            id=ids.INS_SNAPSHOT_STATUS, className="ms-2 small text-muted"
                                        ),
                                    ],
                                    md=4,
                                    className="d-flex align-items-end",
                                ),
                            ],
                            className="g-3",
                        )
                    ),
                    className="mb-3",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Card(
                                dcc.Loading(dcc.Graph(id=ids.INS_CANVAS, config=CANVAS_CONFIG), type="dot")
                            ),
                            lg=8,
                            className="mb-3",
                        ),
                        dbc.Col([side, validation], lg=4),
                    ]
                ),
            ]
        )

    dash.register_page(
        "footfall.dashboard.pages.installer",
        path=INSTALLER.path,
        title="Installation · Footfall",
        name=INSTALLER.title,
        layout=guarded(INSTALLER, build),
    )

    def _client() -> FootfallClient | None:
        user = current_user()
        return api.as_user(user.token) if user else None

    @app.callback(Output(ids.INS_DEVICES, "children"), Input(ids.INS_DEVICES_INTERVAL, "n_intervals"))
    def _devices(_: int | None) -> Any:
        client = _client()
        if client is None:
            return dash.no_update
        try:
            devices, stores = client.devices(), {s["store_id"]: s for s in client.stores()}
        except DashboardError as error:
            return error_state(error)
        if not devices:
            return empty_state(
                "No device enrolled",
                "Create an enrolment code on the right and enter it on the counting device.",
            )
        return _device_table(devices, stores, datetime.now(UTC), _completeness(client, devices))

    @app.callback(
        Output(ids.INS_HISTORY, "children"),
        Input(ids.INS_HISTORY_DEVICE, "value"),
        State(ids.INS_CAMERAS_STORE, "data"),
    )
    def _history(device_id: str | None, cameras: list[dict] | None) -> Any:
        client = _client()
        if client is None or not device_id:
            return dash.no_update
        try:
            history = client.device_health_history(device_id)
            zones = {s["store_id"]: s.get("timezone") or "UTC" for s in client.stores()}
        except DashboardError as error:
            return error_state(error)
        names = {c["camera_id"]: c.get("name") or c["camera_id"] for c in cameras or []}
        return _history_table(history, names, ZoneInfo(zones.get(history.get("store_id"), "UTC")))

    @app.callback(
        Output(ids.INS_ENROL_RESULT, "children"),
        Input(ids.INS_ENROL_BUTTON, "n_clicks"),
        State(ids.INS_ENROL_STORE, "value"),
        prevent_initial_call=True,
    )
    def _enrol(_: int, store_id: str | None) -> Any:
        client = _client()
        if client is None or not store_id:
            return dash.no_update
        try:
            code = client.create_enrolment_code(store_id)
        except DashboardError as error:
            return error_state(error)
        expires = code.get("expires_at", "")
        return dbc.Alert(
            [
                html.Div("Enrolment code", className="small"),
                html.Code(
                    code["code"],
                    id=f"{ids.INS_ENROL_RESULT}-code",
                    className="fs-4 fw-bold text-dark user-select-all",
                ),
                html.Div(f"valid until {expires[:16].replace('T', ' ')} UTC", className="small text-muted"),
            ],
            color="success",
        )

    @app.callback(
        Output(ids.INS_LINES, "data"),
        Output(ids.INS_CALIBRATION, "children"),
        Output(ids.INS_SNAPSHOT_STORE, "data"),
        Output(ids.INS_VALIDATE, "value"),
        Input(ids.INS_CAMERA, "value"),
        State(ids.INS_CAMERAS_STORE, "data"),
    )
    def _load_camera(camera_id: str | None, cameras: list[dict] | None) -> Any:
        client = _client()
        if client is None or not camera_id:
            return dash.no_update, dash.no_update, dash.no_update, dash.no_update
        camera = next((c for c in cameras or [] if c["camera_id"] == camera_id), {})
        try:
            lines = lines_editing.lines_of(client.camera_lines(camera_id))
        except DashboardError:
            lines = lines_editing.lines_of(camera.get("lines") or [])
        snapshot = None
        try:
            jpeg = client.snapshot(camera_id)
            snapshot = base64.b64encode(jpeg).decode("ascii") if jpeg else None
        except DashboardError:
            snapshot = None
        return lines, _calibration(camera), snapshot, False

    @app.callback(
        Output(ids.INS_LINE_SELECT, "options"),
        Output(ids.INS_LINE_SELECT, "value"),
        Input(ids.INS_LINES, "data"),
        State(ids.INS_LINE_SELECT, "value"),
    )
    def _line_choices(lines: list[dict] | None, current: str | None) -> Any:
        lines = lines or []
        options = [{"label": line.get("name") or line["line_id"], "value": line["line_id"]} for line in lines]
        known = {line["line_id"] for line in lines}
        if current in known:
            return options, current
        return options, (lines[-1]["line_id"] if lines else None)

    @app.callback(
        Output(ids.INS_LINE_NAME, "value"),
        Output(ids.INS_LINE_ENTRANCE, "value"),
        Output(ids.INS_X1, "value"),
        Output(ids.INS_Y1, "value"),
        Output(ids.INS_X2, "value"),
        Output(ids.INS_Y2, "value"),
        Output(ids.INS_INSIDE_X, "value"),
        Output(ids.INS_INSIDE_Y, "value"),
        Input(ids.INS_LINE_SELECT, "value"),
        Input(ids.INS_CANVAS, "relayoutData"),
        Input(ids.INS_CANVAS, "clickData"),
        State(ids.INS_LINES, "data"),
        State(ids.INS_CLICK_MODE, "value"),
    )
    def _fields(
        line_id: str | None, relayout: dict | None, click: dict | None, lines: list[dict] | None, mode: str
    ) -> Any:
        keep = dash.no_update
        triggered = {prop for prop in ctx.triggered_prop_ids or () if prop != "."}  # ".": the page opening
        drawn = figures.drawn_line(relayout) if f"{ids.INS_CANVAS}.relayoutData" in triggered else None
        inside_click = (
            f"{ids.INS_CANVAS}.clickData" in triggered
            and mode == "inside"
            and bool(click and click.get("points"))
        )
        event = lines_editing.editor_event(
            triggered,
            select=f"{ids.INS_LINE_SELECT}.value",
            drawn=drawn is not None,
            inside_click=inside_click,
        )
        if event == "drawn":
            return keep, keep, *drawn, keep, keep
        if event == "inside":
            point = click["points"][0]
            x, y = min(1.0, max(0.0, float(point["x"]))), min(1.0, max(0.0, float(point["y"])))
            return keep, keep, keep, keep, keep, keep, round(x, 4), round(y, 4)
        if event == "none":
            return (keep,) * 8
        line = next((line for line in lines or [] if line["line_id"] == line_id), None)
        if line is None:
            return (None,) * 8
        return (
            line.get("name"),
            line.get("entrance_id"),
            line["x1"],
            line["y1"],
            line["x2"],
            line["y2"],
            line["inside_x"],
            line["inside_y"],
        )

    @app.callback(
        Output(ids.INS_LINES, "data", allow_duplicate=True),
        Output(ids.INS_SAVE_RESULT, "children", allow_duplicate=True),
        Input(ids.INS_APPLY, "n_clicks"),
        Input(ids.INS_NEW_LINE, "n_clicks"),
        Input(ids.INS_DELETE_LINE, "n_clicks"),
        State(ids.INS_LINES, "data"),
        State(ids.INS_LINE_SELECT, "value"),
        State(ids.INS_CAMERA, "value"),
        State(ids.INS_LINE_NAME, "value"),
        State(ids.INS_LINE_ENTRANCE, "value"),
        State(ids.INS_X1, "value"),
        State(ids.INS_Y1, "value"),
        State(ids.INS_X2, "value"),
        State(ids.INS_Y2, "value"),
        State(ids.INS_INSIDE_X, "value"),
        State(ids.INS_INSIDE_Y, "value"),
        prevent_initial_call=True,
    )
    def _edit(
        _a: Any,
        _n: Any,
        _d: Any,
        lines: list[dict] | None,
        line_id: str | None,
        camera_id: str,
        name: str | None,
        entrance: str | None,
        *coords: float | None,
    ) -> Any:
        lines = lines or []
        if ctx.triggered_id == ids.INS_NEW_LINE:
            return [*lines, lines_editing.new_line(lines, camera_id)], dbc.Alert(
                "New line added: drag on the picture to place it, then Apply and Save.",
                color="info",
                className="py-2 small",
            )
        if line_id is None:
            return dash.no_update, dbc.Alert(
                "Choose a line first (or add a new one).", color="warning", className="py-2 small"
            )
        if ctx.triggered_id == ids.INS_DELETE_LINE:
            return lines_editing.remove_line(lines, line_id), dbc.Alert(
                "Line removed; Save to apply it on the device.", color="info", className="py-2 small"
            )
        keys = ("x1", "y1", "x2", "y2", "inside_x", "inside_y")
        changes = {"name": name, "entrance_id": entrance or None, **dict(zip(keys, coords, strict=True))}
        updated = lines_editing.replace_line(lines, line_id, changes)
        if not entrance:
            updated = [
                dict(line, entrance_id=None) if line["line_id"] == line_id else line for line in updated
            ]
        return updated, dbc.Alert(
            "Applied. Save to send the lines to the device.", color="info", className="py-2 small"
        )

    @app.callback(
        Output(ids.INS_SAVE_RESULT, "children"),
        Input(ids.INS_SAVE, "n_clicks"),
        State(ids.INS_LINES, "data"),
        State(ids.INS_CAMERA, "value"),
        prevent_initial_call=True,
    )
    def _save(_: int, lines: list[dict] | None, camera_id: str) -> Any:
        client = _client()
        if client is None:
            return dash.no_update
        problems = lines_editing.validation_problems(lines or [])
        if problems:
            return dbc.Alert([html.Div(p) for p in problems], color="danger", className="py-2 small")
        try:
            client.save_camera_lines(camera_id, lines or [])
        except ApiRejected as error:
            details = [html.Div(f"{d.get('field')}: {d.get('message')}") for d in error.details]
            return dbc.Alert([html.Div(str(error)), *details], color="danger", className="py-2 small")
        except DashboardError as error:
            return error_state(error)
        return dbc.Alert(
            f"Saved {len(lines or [])} line(s). The device applies them at its next config check.",
            color="success",
            className="py-2 small",
            id=f"{ids.INS_SAVE_RESULT}-ok",
        )

    @app.callback(
        Output(ids.INS_CANVAS, "figure"),
        Input(ids.INS_LINES, "data"),
        Input(ids.INS_SNAPSHOT_STORE, "data"),
        Input(ids.INS_LINE_SELECT, "value"),
        Input(ids.INS_CLICK_MODE, "value"),
    )
    def _canvas(lines: list[dict] | None, snapshot: str | None, line_id: str | None, mode: str) -> Any:
        jpeg = base64.b64decode(snapshot) if snapshot else None
        return figures.snapshot_with_lines(jpeg, lines or [], selected_line_id=line_id, mode=mode)

    @app.callback(
        Output(ids.INS_SNAPSHOT_STATUS, "children"),
        Output(ids.INS_SNAPSHOT_INTERVAL, "disabled"),
        Output(ids.INS_SNAPSHOT_STORE, "data", allow_duplicate=True),
        Input(ids.INS_SNAPSHOT_BUTTON, "n_clicks"),
        Input(ids.INS_SNAPSHOT_INTERVAL, "n_intervals"),
        State(ids.INS_CAMERA, "value"),
        State(ids.INS_SNAPSHOT_STORE, "data"),
        prevent_initial_call=True,
    )
    def _snapshot(_: Any, polls: int | None, camera_id: str, previous: str | None) -> Any:
        client = _client()
        if client is None:
            return dash.no_update, True, dash.no_update
        try:
            if ctx.triggered_id == ids.INS_SNAPSHOT_BUTTON:
                client.request_snapshot(camera_id)
                return "Requested; waiting for the device…", False, dash.no_update
            jpeg = client.snapshot(camera_id)
        except DashboardError as error:
            return f"Snapshot failed: {error}", True, dash.no_update
        encoded = base64.b64encode(jpeg).decode("ascii") if jpeg else None
        if encoded and encoded != previous:
            return f"Snapshot received {datetime.now(UTC):%H:%M:%S} UTC", True, encoded
        if (polls or 0) > 60:
            return "No snapshot after 2 minutes: is the device online?", True, dash.no_update
        return "Requested; waiting for the device…", False, dash.no_update

    @app.callback(
        Output(ids.INS_VALIDATE_INTERVAL, "disabled"),
        Output(ids.INS_VALIDATE_BASE, "data"),
        Input(ids.INS_VALIDATE, "value"),
        State(ids.INS_CAMERA, "value"),
        State(ids.INS_CAMERAS_STORE, "data"),
    )
    def _validation_toggle(on: bool, camera_id: str | None, cameras: list[dict] | None) -> Any:
        if not on or not camera_id:
            return True, None
        client = _client()
        if client is None:
            return True, None
        try:
            return False, _line_counts(client, camera_id, cameras or [])
        except DashboardError:
            return False, {}

    @app.callback(
        Output(ids.INS_VALIDATE_COUNTS, "children"),
        Input(ids.INS_VALIDATE_INTERVAL, "n_intervals"),
        Input(ids.INS_VALIDATE_BASE, "data"),
        State(ids.INS_VALIDATE, "value"),
        State(ids.INS_CAMERA, "value"),
        State(ids.INS_CAMERAS_STORE, "data"),
        State(ids.INS_LINES, "data"),
    )
    def _validation_counts(
        _: Any,
        base: dict | None,
        on: bool,
        camera_id: str | None,
        cameras: list[dict] | None,
        lines: list[dict] | None,
    ) -> Any:
        if not on or not camera_id or base is None:
            return html.Div("Off.", className="text-muted small")
        client = _client()
        if client is None:
            return dash.no_update
        try:
            now = _line_counts(client, camera_id, cameras or [])
        except DashboardError as error:
            return error_state(error)
        names = {line["line_id"]: line.get("name") or line["line_id"] for line in lines or []}
        rows = []
        for line_id in sorted(set(names) | set(now)):
            seen_in, seen_out = now.get(line_id, (0, 0))
            base_in, base_out = (base or {}).get(line_id, (0, 0))
            rows.append(
                html.Tr(
                    [
                        html.Td(names.get(line_id, line_id)),
                        html.Td(
                            str(seen_in - base_in), className="text-end fw-bold", id=f"validate-in-{line_id}"
                        ),
                        html.Td(
                            str(seen_out - base_out),
                            className="text-end fw-bold",
                            id=f"validate-out-{line_id}",
                        ),
                    ]
                )
            )
        return dbc.Table(
            [
                html.Thead(
                    html.Tr(
                        [
                            html.Th("Line"),
                            html.Th("In since start", className="text-end"),
                            html.Th("Out since start", className="text-end"),
                        ]
                    )
                ),
                html.Tbody(rows),
            ],
            size="sm",
            className="mb-0",
        )


def _cameras(client: FootfallClient, stores: list[dict]) -> list[dict]:
    """Cameras the installer can see, each with its store; from the stores' camera lists if the
    server offers them, else from what the devices report."""
    names = {s["store_id"]: s for s in stores}
    found: dict[str, dict] = {}
    for store in stores:
        try:
            for camera in client.cameras(store["store_id"]):
                found[camera["camera_id"]] = {**camera, "store_id": store["store_id"]}
        except ApiRejected:
            continue
    if not found:
        try:
            devices = client.devices()
        except ApiRejected:
            devices = []
        for device in devices:
            for camera in device_cameras(device):
                found.setdefault(camera["camera_id"], {**camera, "store_id": device.get("store_id")})
    for camera in found.values():
        store = names.get(camera.get("store_id"), {})
        camera["store_name"] = store.get("name", "")
        camera["store_timezone"] = store.get("timezone", "UTC")
    return sorted(found.values(), key=lambda c: (c["store_name"], c.get("name") or c["camera_id"]))


def _line_counts(client: FootfallClient, camera_id: str, cameras: list[dict]) -> dict[str, tuple[int, int]]:
    camera = next((c for c in cameras if c["camera_id"] == camera_id), None)
    if camera is None:
        return {}
    today = datetime.now(ZoneInfo(camera.get("store_timezone") or "UTC")).date()
    buckets = client.traffic(
        camera["store_id"], today, today, granularity="day", by="line", person_class=None
    )["buckets"]
    return {k: v for k, v in in_out_by(buckets, "line_id").items()}


def _calibration(camera: dict) -> Any:
    calibration = camera.get("calibration")
    if not calibration:
        return html.Span(
            [
                dbc.Badge("not calibrated", color="warning"),
                html.Span(" children are told apart once calibrated", className="small text-muted"),
            ]
        )
    height = calibration.get("camera_height_m") if isinstance(calibration, dict) else None
    text = f" camera at {height:.2f} m" if isinstance(height, (int, float)) else ""
    return html.Span(
        [dbc.Badge("calibrated", color="success"), html.Span(text, className="small text-muted")]
    )


def _history_card(devices: list[dict], store_names: dict[str, str]) -> Any:
    """When each camera was down, stale or reconnecting, and when the device was silent."""
    options = [
        {
            "label": f"{d.get('hostname') or d['device_id']} · {store_names.get(d.get('store_id'), '')}",
            "value": d["device_id"],
        }
        for d in devices
        if not d.get("revoked_at")
    ]
    body: list[Any] = [
        html.H5("Health history (last 7 days)", className="card-title"),
        html.P(
            "Camera states as the device reported them, newest first; gaps are times it sent nothing.",
            className="text-muted small",
        ),
    ]
    if not options:
        body.append(
            empty_state("No device enrolled", "The history starts with the device's first heartbeat.")
        )
    else:
        body += [
            dcc.Dropdown(
                id=ids.INS_HISTORY_DEVICE,
                options=options,
                value=options[0]["value"],
                clearable=False,
                className="mb-2",
                style={"maxWidth": "420px"},
            ),
            dcc.Loading(html.Div(id=ids.INS_HISTORY), type="dot"),
        ]
    return dbc.Card(dbc.CardBody(body), className="mb-3")


def _history_table(history: dict, camera_names: dict[str, str], zone: ZoneInfo) -> Any:
    segments = health_timeline.camera_segments(history)
    if not segments:
        return empty_state("No heartbeat yet", "The device reports every minute once it runs.")
    trouble = health_timeline.trouble_by_camera(segments)
    summary = (
        "Not ok: "
        + ", ".join(
            f"{camera_names.get(c, c)} {health_timeline.duration_text(span)}"
            for c, span in sorted(trouble.items())
        )
        if trouble
        else "Every camera ok the whole time."
    )

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).strftime("%a %d %b %H:%M")

    rows = [
        {
            "camera": camera_names.get(seg.camera_id, seg.camera_id),
            "state": seg.state,
            "from": local(seg.start),
            "until": local(seg.end),
            "duration": health_timeline.duration_text(seg.duration),
            "reason": seg.reason or "",
        }
        for seg in reversed(segments[-200:])
    ]
    return html.Div(
        [
            html.P(summary, id=f"{ids.INS_HISTORY}-summary", className="small mb-2"),
            dash_table.DataTable(
                id=f"{ids.INS_HISTORY}-grid",
                columns=[
                    {"name": "Camera", "id": "camera"},
                    {"name": "State", "id": "state"},
                    {"name": "From", "id": "from"},
                    {"name": "Until", "id": "until"},
                    {"name": "For", "id": "duration"},
                    {"name": "Reason", "id": "reason"},
                ],
                data=rows,
                page_size=15,
                style_table={"overflowX": "auto"},
                style_cell={"fontFamily": figures.FONT, "padding": "6px 10px", "textAlign": "left"},
                style_header={"fontWeight": "600", "backgroundColor": "#ecf0f1"},
                style_data_conditional=[
                    {"if": {"filter_query": '{state} != "ok"', "column_id": "state"}, "color": figures.DANGER}
                ],
            ),
        ]
    )


def _completeness(client: FootfallClient, devices: list[dict]) -> dict[str, float | None]:
    """Share of today's minutes each store's cameras covered (the server's occupancy coverage)."""
    shares: dict[str, float | None] = {}
    for store_id in {str(d.get("store_id")) for d in devices}:
        try:
            shares[store_id] = client.occupancy(store_id).get("coverage")
        except DashboardError:
            shares[store_id] = None
    return shares


def _device_table(
    devices: list[dict], stores: dict, now: datetime, completeness: dict[str, float | None]
) -> Any:
    rows = []
    for device in devices:
        online = device_online(device, now)
        health = device_health(device)
        store = stores.get(device.get("store_id"), {})
        base = {
            "device": device.get("hostname") or device.get("device_id"),
            "store": store.get("name") or device.get("store_name") or "",
            "status": "revoked" if device.get("revoked_at") else ("online" if online else "offline"),
            "last_seen": formatting.time_ago(device_last_seen(device), now),
            "backlog": health.get("outbox_backlog", device.get("outbox_backlog")),
        }
        cameras = device_cameras(device) or [{}]
        for camera in cameras:
            share = camera.get("completeness", completeness.get(str(device.get("store_id"))))
            rows.append(
                {
                    **base,
                    "camera": camera.get("name") or camera.get("camera_id") or "–",
                    "state": camera.get("state", "–"),
                    "fps": round(float(camera.get("fps") or 0), 1) if camera else None,
                    "completeness": share,
                    "line_check": line_check(camera.get("lines")),
                }
            )
    return dash_table.DataTable(
        id=f"{ids.INS_DEVICES}-grid",
        columns=[
            {"name": "Device", "id": "device"},
            {"name": "Store", "id": "store"},
            {"name": "Status", "id": "status"},
            {"name": "Last seen", "id": "last_seen"},
            {"name": "Camera", "id": "camera"},
            {"name": "Camera state", "id": "state"},
            {"name": "fps", "id": "fps", "type": "numeric"},
            {"name": "Backlog (counts)", "id": "backlog", "type": "numeric"},
            {"name": "Line check", "id": "line_check"},
            {
                "name": "Completeness",
                "id": "completeness",
                "type": "numeric",
                "format": dash_table.FormatTemplate.percentage(1),
            },
        ],
        data=rows,
        sort_action="native",
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": figures.FONT, "padding": "6px 10px", "textAlign": "left"},
        style_header={"fontWeight": "600", "backgroundColor": "#ecf0f1"},
        style_data_conditional=[
            {
                "if": {"filter_query": '{status} = "online"', "column_id": "status"},
                "color": "#128f76",
                "fontWeight": "600",
            },
            {
                "if": {"filter_query": '{status} != "online"', "column_id": "status"},
                "color": figures.DANGER,
                "fontWeight": "600",
            },
            {
                "if": {"filter_query": '{state} != "ok" && {state} != "–"', "column_id": "state"},
                "color": figures.DANGER,
            },
            {
                "if": {"filter_query": '{line_check} contains "extend"', "column_id": "line_check"},
                "color": figures.DANGER,
            },
        ],
    )


def line_check(lines: object) -> str:
    """What the device's line tallies say: lines people cross at their very ends should be longer."""
    if not isinstance(lines, list) or not lines:
        return "–"
    flagged = [
        f"{line.get('line_id')}: {line.get('at_ends', 0)} of {line.get('crossings', 0)} at its ends, extend it"
        for line in lines
        if isinstance(line, dict)
        and needs_extension(int(line.get("at_ends") or 0), int(line.get("crossings") or 0))
    ]
    return "; ".join(flagged) or "ok"
