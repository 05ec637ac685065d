"""ETR explorer: effective tariff rates by partner (with a world map), by sector, and over time."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tarifflab.app import cache, common, figures, services

DEFAULT_DATE = dt.date(2025, 9, 16)
TODAY = dt.date.today()


def _in_billions(frame: pd.DataFrame) -> pd.DataFrame:
    """USD columns shown in billions (``*_usd`` → ``*_usd_bn``), rounded for reading."""
    out = frame.copy()
    for column in [c for c in out.columns if c.endswith("_usd")]:
        out[f"{column}_bn"] = (out.pop(column) / 1e9).round(2)
    return out


def render() -> None:
    common.header(
        "Effective tariff rates",
        "ETR = duty ÷ imports at 2024 import values, by partner, by sector and over time.",
    )
    scenarios = common.scenario_upload()
    c1, c2 = st.columns([1, 1])
    with c1:
        on = common.date_field("Date", DEFAULT_DATE, key="etr_date")
    view = c2.radio("View of the law", services.VIEWS, horizontal=True, key="etr_view")
    if on is None:
        return
    common.stale_banner(on, scenarios)
    by_partner = None
    with common.guard("ETR by partner"), st.spinner("Computing ETR by partner…"):
        by_partner = cache.etr_by_partner(on, view, scenarios)
    if by_partner is not None:
        overall = by_partner[by_partner["partner"] == "ALL"]
        japan = by_partner[by_partner["partner"] == "JPN"]
        a, b = st.columns(2)
        if not overall.empty:
            a.metric("All partners", f"{float(overall['etr_pct'].iloc[0]):.2f}%")
        if not japan.empty:
            b.metric("Japan", f"{float(japan['etr_pct'].iloc[0]):.2f}%")
        common.chart(figures.choropleth_figure(by_partner, "etr_pct", f"ETR by partner on {on}", "ETR %"))
        st.dataframe(
            _in_billions(by_partner.sort_values("imports_usd", ascending=False)),
            hide_index=True,
            width="stretch",
            column_config={"etr_pct": st.column_config.NumberColumn("ETR %", format="%.2f")},
        )
    st.subheader("By sector")
    c5, c6 = st.columns(2)
    partner = c5.text_input("Partner (blank = all partners)", value="JPN", key="etr_partner")
    scheme = c6.selectbox("Sectors", services.SECTOR_SCHEMES, key="etr_scheme")
    with common.guard("ETR by sector"), st.spinner("Computing ETR by sector…"):
        sectors = cache.etr_by_sector(on, view, partner.strip() or None, scheme, scenarios)
        st.dataframe(
            _in_billions(sectors),
            hide_index=True,
            width="stretch",
            column_config={"etr_pct": st.column_config.NumberColumn("ETR %", format="%.2f")},
        )
    st.subheader("Over time")
    c3, c4 = st.columns(2)
    with c3:
        start = common.date_field("From", dt.date(2025, 1, 1), key="etr_start")
    with c4:
        end = common.date_field("To", TODAY, key="etr_end")
    if start is None or end is None:
        return
    series_view = "in-force" if view == "as-known" else view
    with common.guard("ETR series"), st.spinner("Computing the series…"):
        series = cache.etr_series(start, end, partner.strip() or None, series_view, scenarios)
        common.chart(figures.line_figure(series, "date", "etr_pct", "partner", "ETR over time", "ETR %"))
