"""Timeline: measures, negotiation rounds and court rulings on one axis, with Japan's and the overall ETR."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tarifflab.app import cache, common, figures

START = dt.date(2025, 1, 1)
END = dt.date.today()  # past the library's date the law as last known is shown, with a banner


def render() -> None:
    common.header(
        "US–Japan tariffs, 2025–2026",
        "Measures, negotiation rounds, deals and court rulings on one time axis; the lines are the "
        "effective tariff rate (duty ÷ imports, 2024 import weights) on imports from Japan and from all partners.",
    )
    scenarios = common.scenario_upload()
    events: pd.DataFrame | None = None
    with common.guard("events"):
        events = cache.timeline_events()
    if events is None:
        return
    left, mid, right = st.columns([2, 1, 1])
    kinds = left.multiselect(
        "Show events", list(figures.EVENT_KINDS), default=list(figures.EVENT_KINDS), key="tl_kinds"
    )
    with mid:
        start = common.date_field("From", START, key="tl_start")
    with right:
        end = common.date_field("To", END, key="tl_end")
    if start is None or end is None:
        return
    if end < start:
        st.error(f"'To' ({end}) is before 'From' ({start})")
        return
    common.stale_banner(end, scenarios)
    shown = events[events["kind"].isin(kinds)]
    shown = shown[(shown["date"] >= start) & (shown["date"] <= end)]
    series = None
    with common.guard("ETR series"), st.spinner("Computing the effective tariff rate series…"):
        series = cache.etr_series_with_total(start, end, ("JPN",), scenarios)
    common.chart(figures.timeline_figure(shown, series))
    st.subheader(f"{len(shown)} events")
    st.dataframe(
        shown[["date", "kind", "label", "detail", "source_url"]],
        hide_index=True,
        width="stretch",
        column_config={"source_url": st.column_config.LinkColumn("source")},
    )
