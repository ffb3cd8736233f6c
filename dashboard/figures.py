"""Pure Plotly figure builders: plain data in, ``go.Figure`` out (no Dash, no HTTP).

Every chart has a title, axis titles with units and hover text in the retailer's words, and
says so plainly when there is nothing to draw, so pages stay thin and these are unit-tested.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import plotly.graph_objects as go
from footfall.dashboard import formatting

#: One palette for the whole dashboard (matches the FLATLY theme's primary/success/warning).
PRIMARY = "#2c3e50"
ACCENT = "#18bc9c"
MUTED = "#95a5a6"
WARNING = "#f39c12"
DANGER = "#e74c3c"
LINE_COLOURS = ("#e74c3c", "#3498db", "#f39c12", "#9b59b6", "#18bc9c", "#34495e")
#: The theme's font stack (system fonts: nothing is fetched from the internet).
FONT = 'Lato, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _base(title: str, *, height: int = 340) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white",
        height=height,
        margin={"l": 56, "r": 16, "t": 56, "b": 48},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0},
        hoverlabel={"bgcolor": "white"},
        font={"family": FONT},
    )
    return figure


def _whole_people(figure: go.Figure, values: Iterable[float], *, axis: str = "y") -> None:
    """People come whole: small counts get a tick per person instead of 0.5 steps."""
    top = max(values, default=0)
    settings = {"rangemode": "tozero", "tickformat": ",d"}
    if top <= 10:
        settings["dtick"] = 1
    (figure.update_xaxes if axis == "x" else figure.update_yaxes)(**settings)


def empty(title: str, message: str, *, height: int = 340) -> go.Figure:
    """A titled chart that explains why it is empty instead of showing blank axes."""
    figure = _base(title, height=height)
    figure.add_annotation(
        text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"color": MUTED}
    )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


def hour_of(bucket_start: str) -> int:
    """The local hour of a bucket given as local ISO time with offset (what the server sends)."""
    return datetime.fromisoformat(bucket_start).hour


def hourly_in(buckets: Iterable[Mapping]) -> dict[int, int]:
    """Visitors in per local hour of day, summed over entrances/lines if the buckets are split."""
    totals: dict[int, int] = {}
    for bucket in buckets:
        hour = hour_of(bucket["bucket_start"])
        totals[hour] = totals.get(hour, 0) + int(bucket.get("in", 0))
    return totals


def hourly_against_last_week(
    today: Iterable[Mapping], last_week: Iterable[Mapping], *, weekday: str, locale: str | None = None
) -> go.Figure:
    """Today's visitors per hour as bars, the same weekday last week as a line to beat."""
    now, before = hourly_in(today), hourly_in(last_week)
    title = f"Visitors per hour — today vs last {weekday}"
    if not now and not before:
        return empty(title, "No counts yet today. Counts appear here within a minute of people entering.")
    hours = list(range(min([*now, *before]), max([*now, *before]) + 1))
    figure = _base(title)
    figure.add_bar(
        x=[f"{h:02d}:00" for h in hours],
        y=[now.get(h, 0) for h in hours],
        name="Today",
        marker_color=PRIMARY,
        customdata=[formatting.count(now.get(h, 0), locale) for h in hours],
        hovertemplate="%{x}: %{customdata} visitors today<extra></extra>",
    )
    figure.add_scatter(
        x=[f"{h:02d}:00" for h in hours],
        y=[before.get(h, 0) for h in hours],
        name=f"Last {weekday}",
        mode="lines+markers",
        line={"color": WARNING, "width": 2, "dash": "dot"},
        customdata=[formatting.count(before.get(h, 0), locale) for h in hours],
        hovertemplate="%{x}: %{customdata} visitors last " + weekday + "<extra></extra>",
    )
    figure.update_xaxes(title_text="Hour (store time)")
    figure.update_yaxes(title_text="Visitors in (people)")
    _whole_people(figure, [*now.values(), *before.values()])
    return figure


def entrance_split(totals: Mapping[str, int], *, locale: str | None = None) -> go.Figure:
    """Visitors in per entrance today, largest first."""
    title = "Visitors in by entrance — today"
    if not totals or sum(totals.values()) == 0:
        return empty(title, "No entrance has counted anyone yet today.", height=300)
    ordered = sorted(totals.items(), key=lambda item: item[1])
    total = sum(totals.values())
    figure = _base(title, height=max(220, 80 + 44 * len(ordered)))
    figure.add_bar(
        y=[name for name, _ in ordered],
        x=[value for _, value in ordered],
        orientation="h",
        marker_color=ACCENT,
        customdata=[[formatting.count(v, locale), formatting.percent(v / total, locale)] for _, v in ordered],
        hovertemplate="%{y}: %{customdata[0]} visitors (%{customdata[1]})<extra></extra>",
        text=[formatting.count(v, locale) for _, v in ordered],
        textposition="auto",
    )
    figure.update_xaxes(title_text="Visitors in (people)")
    _whole_people(figure, totals.values(), axis="x")
    figure.update_yaxes(title_text="Entrance")
    return figure


def conversion_vs_traffic(points: Sequence[Mapping], *, locale: str | None = None) -> go.Figure:
    """Each store a point: visitors on x, conversion on y; the quadrant shows where to act."""
    title = "Conversion vs traffic — each point is a store"
    usable = [p for p in points if p.get("visitors") is not None and p.get("conversion") is not None]
    if not usable:
        return empty(title, "Needs both counts and imported sales for the period (Imports → Sales).")
    figure = _base(title, height=380)
    figure.add_scatter(
        x=[p["visitors"] for p in usable],
        y=[p["conversion"] * 100 for p in usable],
        mode="markers+text",
        text=[p.get("name", p.get("store_id")) for p in usable],
        textposition="top center",
        marker={"size": 12, "color": ACCENT, "line": {"color": PRIMARY, "width": 1}},
        customdata=[
            [
                p.get("name", p.get("store_id")),
                formatting.count(p["visitors"], locale),
                formatting.percent(p["conversion"], locale),
                p.get("region_name") or "",
            ]
            for p in usable
        ],
        hovertemplate=(
            "<b>%{customdata[0]}</b> %{customdata[3]}<br>Visitors: %{customdata[1]}"
            "<br>Conversion: %{customdata[2]}<extra></extra>"
        ),
        name="Stores",
    )
    figure.update_xaxes(title_text="Visitors in the period (people)", rangemode="tozero")
    figure.update_yaxes(title_text="Conversion (% of visitors who bought)", rangemode="tozero")
    return figure


def hour_of_week(cells: Iterable[Mapping], *, store_name: str, value_label: str = "Visitors") -> go.Figure:
    """Average visitors per weekday × hour; ``cells`` are ``{"weekday": 0..6 (Mon=0), "hour", "value"}``."""
    title = f"Hour of week — {store_name}"
    grid: dict[tuple[int, int], float] = {}
    for cell in cells:
        grid[(int(cell["weekday"]), int(cell["hour"]))] = float(cell.get("value") or 0.0)
    if not grid:
        return empty(title, "No traffic in this period for this store.")
    hours = list(range(min(h for _, h in grid), max(h for _, h in grid) + 1))
    z = [[grid.get((day, hour)) for hour in hours] for day in range(7)]
    figure = _base(title, height=320)
    figure.add_heatmap(
        z=z,
        x=[f"{h:02d}:00" for h in hours],
        y=list(WEEKDAYS),
        colorscale="Tealgrn",
        colorbar={"title": {"text": value_label}},
        hovertemplate="%{y} %{x}: %{z:.1f} " + value_label.lower() + " per hour<extra></extra>",
    )
    figure.update_yaxes(autorange="reversed", title_text="Weekday")
    figure.update_xaxes(title_text="Hour (store time)")
    return figure


def split_pie(parts: Mapping[str, float], *, title: str, locale: str | None = None) -> go.Figure:
    """A share chart (members vs non-members, new vs returning)."""
    usable = {k: v for k, v in parts.items() if v}
    if not usable:
        return empty(
            title, "No customer data for this period.<br>Import customers and sales first.", height=300
        )
    figure = _base(title, height=300)
    figure.add_pie(
        labels=list(usable),
        values=list(usable.values()),
        hole=0.5,
        marker={"colors": [PRIMARY, ACCENT, WARNING, MUTED][: len(usable)]},
        customdata=[formatting.count(v, locale) for v in usable.values()],
        hovertemplate="%{label}: %{customdata} (%{percent})<extra></extra>",
        sort=False,
    )
    return figure


def segment_bars(segments: Mapping[str, float], *, locale: str | None = None) -> go.Figure:
    """Customers per RFM segment."""
    title = "Customers per RFM segment"
    if not segments or not any(segments.values()):
        return empty(title, "No segments yet:<br>customers need purchases in the period.", height=300)
    ordered = sorted(segments.items(), key=lambda item: item[1])
    figure = _base(title, height=max(260, 80 + 34 * len(ordered)))
    figure.add_bar(
        y=[name for name, _ in ordered],
        x=[value for _, value in ordered],
        orientation="h",
        marker_color=PRIMARY,
        customdata=[formatting.count(v, locale) for _, v in ordered],
        hovertemplate="%{y}: %{customdata} customers<extra></extra>",
    )
    figure.update_xaxes(title_text="Customers (people)")
    _whole_people(figure, segments.values(), axis="x")
    figure.update_yaxes(title_text="Segment")
    return figure


def lifetime_value(bins: Sequence[Mapping], *, currency: str | None, locale: str | None = None) -> go.Figure:
    """Histogram of customer lifetime value; ``bins`` are ``{"lower","upper","customers"}``."""
    title = f"Customer lifetime value ({(currency or '').upper()})".replace(" ()", "")
    if not bins or not any(b.get("customers") for b in bins):
        return empty(title, "No lifetime values yet: import customers and their sales.", height=300)
    labels = [
        f"{formatting.money(b['lower'], currency, locale)}–{formatting.money(b['upper'], currency, locale)}"
        if b.get("upper") is not None
        else f"≥ {formatting.money(b['lower'], currency, locale)}"
        for b in bins
    ]
    figure = _base(title, height=300)
    figure.add_bar(
        x=labels,
        y=[b["customers"] for b in bins],
        marker_color=ACCENT,
        customdata=[formatting.count(b["customers"], locale) for b in bins],
        hovertemplate="%{x}: %{customdata} customers<extra></extra>",
    )
    figure.update_xaxes(title_text=f"Lifetime value ({(currency or '').upper()})")
    figure.update_yaxes(title_text="Customers (people)")
    _whole_people(figure, [b["customers"] for b in bins])
    return figure


def jpeg_size(jpeg: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a JPEG's start-of-frame marker, without an imaging library."""
    index = 2
    while index + 9 < len(jpeg):
        if jpeg[index] != 0xFF:
            index += 1
            continue
        marker = jpeg[index + 1]
        length = int.from_bytes(jpeg[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height = int.from_bytes(jpeg[index + 5 : index + 7], "big")
            width = int.from_bytes(jpeg[index + 7 : index + 9], "big")
            return width, height
        index += 2 + length
    return None


def snapshot_with_lines(
    jpeg: bytes | None,
    lines: Sequence[Mapping],
    *,
    selected_line_id: str | None = None,
    mode: str = "draw",
) -> go.Figure:
    """The camera's picture with every counting line and its inside point drawn on it.

    Coordinates are 0–1 fractions of the frame (as in :class:`footfall.contracts.LineConfig`);
    the y axis runs top-down like image rows. An invisible grid over the picture turns a
    click anywhere into a coordinate. ``mode="draw"``: dragging draws a new line;
    ``mode="inside"``: a click places the inside point (Plotly reports no clicks while drawing).
    """
    title = (
        "Camera view — drag across the door to draw the line"
        if mode == "draw"
        else "Camera view — click inside the store"
    )
    figure = _base(title, height=460)
    figure.update_layout(
        dragmode="drawline" if mode == "draw" else False,
        newshape={"line": {"color": DANGER, "width": 4}},
        margin={"l": 8, "r": 8, "t": 48, "b": 8},
        showlegend=False,
    )
    width, height = (jpeg_size(jpeg) if jpeg else None) or (1280, 720)
    if jpeg:
        source = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
        figure.add_layout_image(
            source=source, x=0, y=0, sizex=1, sizey=1, xref="x", yref="y", sizing="stretch", layer="below"
        )
    else:
        figure.add_annotation(
            text="No snapshot yet — press “Request snapshot”; the device sends one within a minute.",
            showarrow=False,
            x=0.5,
            y=0.5,
            font={"color": MUTED},
        )
    steps = 101
    grid = [i / (steps - 1) for i in range(steps)]
    figure.add_heatmap(
        z=[[0] * steps for _ in range(steps)],
        x=grid,
        y=grid,
        opacity=0,
        showscale=False,
        hoverinfo="none",
        name="picture",
    )
    for index, line in enumerate(lines):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        selected = line.get("line_id") == selected_line_id
        figure.add_scatter(
            x=[line["x1"], line["x2"]],
            y=[line["y1"], line["y2"]],
            mode="lines+markers+text",
            line={"color": colour, "width": 6 if selected else 4},
            marker={"size": 10},
            text=[line.get("name", line.get("line_id", "")), ""],
            textposition="top right",
            textfont={"color": colour, "size": 14},
            hovertemplate=f"{line.get('name', '')}: %{{x:.3f}}, %{{y:.3f}}<extra></extra>",
            name=line.get("name", ""),
        )
        figure.add_scatter(
            x=[line["inside_x"]],
            y=[line["inside_y"]],
            mode="markers+text",
            marker={"symbol": "star", "size": 16, "color": colour, "line": {"color": "white", "width": 1}},
            text=["inside"],
            textposition="bottom center",
            textfont={"color": colour},
            hovertemplate="inside point: %{x:.3f}, %{y:.3f}<extra></extra>",
            name="inside",
        )
    figure.update_xaxes(range=[0, 1], visible=False, constrain="domain", fixedrange=True)
    figure.update_yaxes(
        range=[1, 0], visible=False, scaleanchor="x", scaleratio=height / width, fixedrange=True
    )
    return figure


def drawn_line(relayout: Mapping | None) -> tuple[float, float, float, float] | None:
    """The end points (fractions, clamped to 0–1) of the line just drawn or moved on the chart.

    Plotly reports a new shape as ``{"shapes": [...]}`` and an edited one as
    ``{"shapes[0].x0": ...}``; both are read here so callbacks stay trivial.
    """
    if not relayout:
        return None
    if relayout.get("shapes"):
        shape = relayout["shapes"][-1]
        values = (shape.get("x0"), shape.get("y0"), shape.get("x1"), shape.get("y1"))
    else:
        keys = [k for k in relayout if k.startswith("shapes[") and k.endswith(".x0")]
        if not keys:
            return None
        prefix = keys[-1][: -len(".x0")]
        values = tuple(relayout.get(f"{prefix}.{name}") for name in ("x0", "y0", "x1", "y1"))
    if any(v is None for v in values):
        return None
    return tuple(round(min(1.0, max(0.0, float(v))), 4) for v in values)  # type: ignore[return-value]
