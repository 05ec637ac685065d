"""Plotly figures shared by the dashboard and the HTML report (no Streamlit import).

Inputs are the frames returned by :mod:`tarifflab.app.services`; rates arrive in percent (``*_pct``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tarifflab.nomenclature.countries import EU27, EU_AGGREGATE, country_name

STATIC_DIR = Path(__file__).resolve().parent / "static"
WORLD_TOPOJSON = STATIC_DIR / "world_110m.json"
DASHBOARD_CONFIG: dict[str, object] = {"displaylogo": False, "topojsonURL": "/app/static/"}
"""plotly config for the dashboard: maps load their outlines from the server, not from a CDN."""


def world_topojson_script() -> str:
    """``<script>`` that hands plotly.js the world outlines, so maps in a report draw offline."""
    return (
        "<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
        f"window.PlotlyGeoAssets.topojson['world_110m'] = {WORLD_TOPOJSON.read_text(encoding='utf-8')};"
        "</script>"
    )


EVENT_KINDS: tuple[str, ...] = ("measure", "negotiation", "deal", "court", "statement")
_KIND_COLOURS = {
    "measure": "#d62728",
    "negotiation": "#1f77b4",
    "deal": "#2ca02c",
    "court": "#9467bd",
    "statement": "#7f7f7f",
}
_SERIES_COLOURS = {"JPN": "#c0392b", "ALL": "#34495e"}


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) if text else ""


def timeline_figure(events: pd.DataFrame, series: pd.DataFrame | None) -> go.Figure:
    """ETR lines (top) over the dated events (bottom lanes: measures, rounds, deals, rulings).

    ``events``: ``date, kind, label, detail, source_url``; ``series``: ``date, partner, etr_pct``.
    """
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.62, 0.38],
        vertical_spacing=0.04,
        subplot_titles=("Effective tariff rate on US imports (%)", "Events"),
    )
    if series is not None and not series.empty:
        for partner, rows in series.groupby("partner", sort=False):
            code = str(partner)
            fig.add_trace(
                go.Scatter(
                    x=rows["date"],
                    y=rows["etr_pct"],
                    mode="lines",
                    line={"shape": "hv", "width": 2.5, "color": _SERIES_COLOURS.get(code)},
                    name=f"ETR {country_name(code) if code != 'ALL' else 'all partners'}",
                    hovertemplate="%{x|%Y-%m-%d}: %{y:.2f}%<extra>" + code + "</extra>",
                ),
                row=1,
                col=1,
            )
    for kind in EVENT_KINDS:
        rows = events[events["kind"] == kind]
        if rows.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=rows["date"],
                y=[kind] * len(rows),
                mode="markers",
                marker={"size": 11, "color": _KIND_COLOURS[kind], "symbol": "diamond"},
                name=kind,
                text=[
                    f"<b>{d:%Y-%m-%d} {lab}</b><br>{_wrap(det)}"
                    for d, lab, det in zip(
                        pd.to_datetime(rows["date"]), rows["label"], rows["detail"], strict=True
                    )
                ],
                hovertemplate="%{text}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(title_text="%", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(EVENT_KINDS)), row=2, col=1)
    fig.update_layout(height=620, legend={"orientation": "h", "y": -0.08}, margin={"t": 40, "l": 10, "r": 10})
    return fig


def choropleth_figure(frame: pd.DataFrame, value: str, title: str, colour_label: str) -> go.Figure:
    """World map of ``value`` by ISO3 ``partner``/``country``; the EU aggregate colours its 27 members."""
    key = "partner" if "partner" in frame.columns else "country"
    rows = frame[frame[key] != "ALL"][[key, value]].copy()
    eu = rows[rows[key] == EU_AGGREGATE]
    if not eu.empty:
        members = pd.DataFrame({key: list(EU27), value: float(eu[value].iloc[0])})
        rows = pd.concat([rows[rows[key] != EU_AGGREGATE], members], ignore_index=True)
    names = [country_name(str(code)) for code in rows[key]]
    fig = go.Figure(
        go.Choropleth(
            locations=rows[key],
            z=rows[value],
            text=names,
            colorscale="RdBu_r" if (rows[value] < 0).any() else "Reds",
            zmid=0 if (rows[value] < 0).any() else None,
            colorbar={"title": colour_label},
            hovertemplate="%{text} (%{location}): %{z:.3f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=460,
        margin={"t": 40, "l": 0, "r": 0, "b": 0},
        geo={"showframe": False, "projection": {"type": "natural earth"}},
    )
    return fig


def bar_figure(
    frame: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    y_label: str,
    error_low: str | None = None,
    error_high: str | None = None,
    top: int = 25,
) -> go.Figure:
    """Horizontal-ready bar chart of the ``top`` rows by |y|, with optional uncertainty bands."""
    rows = frame.reindex(frame[y].abs().sort_values(ascending=False).index).head(top)
    error = None
    if error_low and error_high and error_low in rows and error_high in rows:
        error = {
            "type": "data",
            "symmetric": False,
            "array": (rows[error_high] - rows[y]).clip(lower=0),
            "arrayminus": (rows[y] - rows[error_low]).clip(lower=0),
        }
    fig = go.Figure(go.Bar(x=rows[x], y=rows[y], error_y=error, marker_color="#2c7fb8"))
    fig.update_layout(title=title, yaxis_title=y_label, height=420, margin={"t": 40, "l": 10, "r": 10})
    return fig


def line_figure(frame: pd.DataFrame, x: str, y: str, colour: str, title: str, y_label: str) -> go.Figure:
    """Step lines of ``y`` against ``x``, one per value of ``colour``."""
    fig = go.Figure()
    for name, rows in frame.groupby(colour, sort=False):
        fig.add_trace(go.Scatter(x=rows[x], y=rows[y], mode="lines", line={"shape": "hv"}, name=str(name)))
    fig.update_layout(title=title, yaxis_title=y_label, height=380, margin={"t": 40, "l": 10, "r": 10})
    return fig


_POINT_SYMBOLS = {
    "disagreement": ("x", "#000000"),
    "nash": ("star", "#d62728"),
    "nash (us power α)": ("star-open", "#d62728"),
    "kalai-smorodinsky": ("diamond", "#9467bd"),
    "rubinstein": ("triangle-up", "#ff7f0e"),
    "actual deal": ("square", "#2ca02c"),
    "your package": ("circle", "#17becf"),
}


_LABELLED = ("disagreement", "actual deal", "your package")


def frontier_figure(
    frontier: pd.DataFrame, points: pd.DataFrame, cloud: pd.DataFrame | None = None
) -> go.Figure:
    """Pareto frontier (``us``, ``jpn`` payoffs) with named points (``point, us, jpn``) and, faintly,
    every evaluated package (``cloud``)."""
    ordered = frontier.sort_values("us")
    fig = go.Figure()
    if cloud is not None and not cloud.empty:
        fig.add_trace(
            go.Scatter(x=cloud["us"], y=cloud["jpn"], mode="markers", name="packages",
                         marker={"size": 3, "color": "rgba(120,120,120,0.25)"}, hoverinfo="skip")
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(x=ordered["us"], y=ordered["jpn"], mode="lines+markers", name="Pareto frontier",
                   line={"color": "#7f7f7f"}, marker={"size": 4})
    )  # fmt: skip
    for row in points.itertuples(index=False):
        name = str(row.point)
        symbol, colour = _POINT_SYMBOLS.get(name.lower(), ("circle", "#1f77b4"))
        fig.add_trace(
            go.Scatter(
                x=[row.us], y=[row.jpn], mode="markers+text" if name in _LABELLED else "markers", name=name,
                text=[name],
                textposition="top center", marker={"size": 14, "symbol": symbol, "color": colour},
            )
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="US payoff",
        yaxis_title="Japan payoff",
        height=520,
        margin={"t": 30, "l": 10, "r": 10},
    )
    return fig


def grouped_bar_figure(
    frame: pd.DataFrame, x: str, y: str, group: str, title: str, y_label: str
) -> go.Figure:
    """Bars of ``y`` by ``x``, one colour per ``group`` (order of ``x`` kept)."""
    fig = go.Figure()
    for name, rows in frame.groupby(group, sort=False):
        fig.add_trace(go.Bar(x=rows[x], y=rows[y], name=str(name)))
    fig.update_layout(title=title, yaxis_title=y_label, barmode="group", height=420, margin={"t": 40})
    return fig
