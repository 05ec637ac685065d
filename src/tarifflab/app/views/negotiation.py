"""Negotiation: levers, utility weights and bargaining power → frontier, bargaining solutions, actual deal."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tarifflab.app import cache, common, figures, services


def _weights(table: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    chosen: list[tuple[str, float]] = []
    columns = st.columns(2)
    for index, (side, rows) in enumerate(table.groupby("side", sort=False)):
        with columns[index % 2]:
            st.markdown(f"**{side}'s utility weights** (points per % or per USD bn)")
            for key, label, default in zip(rows["key"], rows["label"], rows["default"], strict=True):
                value = st.number_input(
                    str(label), value=float(default), step=0.01, format="%.3f", key=f"neg_w_{key}"
                )
                chosen.append((str(key), float(value)))
    return tuple(chosen)


def _package(levers: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """Lever values of 'your package' (starts at the July 2025 deal); empty unless switched on."""
    if not st.toggle("Place your own package (set the levers)", value=False, key="neg_own"):
        return ()
    chosen: list[tuple[str, float]] = []
    columns = st.columns(3)
    rows = zip(levers["lever"], levers["unit"], levers["low"], levers["high"], levers["deal"], strict=True)
    for index, (name, unit, low, high, deal) in enumerate(rows):
        value = columns[index % 3].number_input(
            f"{name} ({unit}, {low:g}–{high:g})", value=float(deal), key=f"neg_lever_{name}", format="%.3f"
        )
        chosen.append((str(name), float(value)))
    return tuple(chosen)


def render() -> None:
    common.header(
        "Negotiation",
        "What each side could trade (levers), how much each side values each outcome (weights), and "
        "where the bargaining solutions sit on the frontier compared with the deal of 2025-07-22.",
    )
    levers = weights = None
    with common.guard("negotiation"):
        levers = cache.negotiation_levers()
        weights = cache.negotiation_weights()
    if levers is None or weights is None:
        return
    with st.expander(f"The {len(levers)} levers: 2024 status quo and the July 2025 deal", expanded=False):
        st.dataframe(levers, hide_index=True, width="stretch")
    package = _package(levers)
    chosen = _weights(weights)
    power = st.slider("US bargaining power α (asymmetric Nash)", 0.0, 1.0, 0.5, 0.05, key="neg_power")
    with common.guard("negotiation"), st.spinner("Evaluating the lever grid and tracing the frontier…"):
        request = services.NegotiationRequest(weights=chosen, us_power=power, package=package).validated()
        outcome = cache.negotiation_analysis(request.key(), request)
        common.chart(figures.frontier_figure(outcome.frontier, outcome.points, outcome.cloud))
        st.dataframe(
            outcome.points,
            hide_index=True,
            width="stretch",
            column_config={
                "us": st.column_config.NumberColumn("US payoff", format="%.4f"),
                "jpn": st.column_config.NumberColumn("Japan payoff", format="%.4f"),
            },
        )
        with st.expander("Diagnostics"):
            st.json(outcome.diagnostics)
