"""Negotiation: levers and weights → Pareto frontier, bargaining solutions and the actual deal."""

from __future__ import annotations

import streamlit as st

from tarifflab.app import cache, common, figures, services


def render() -> None:
    common.header(
        "Negotiation",
        "What each side could trade (levers), how much it values each (weights), and where the "
        "bargaining solutions sit on the frontier compared with the deal of 2025-07-22.",
    )
    levers = None
    with common.guard("levers"):
        levers = cache.negotiation_levers()
    if levers is None:
        return
    st.subheader("Levers and weights")
    weights: list[tuple[str, float]] = []
    cols = st.columns(2)
    for index, lever in enumerate(levers.itertuples(index=False)):
        weight = cols[index % 2].number_input(
            f"{lever.label}",
            value=float(lever.default_weight),
            step=0.1,
            key=f"neg_w_{lever.lever}",
            help=str(lever.description),
        )
        weights.append((str(lever.lever), float(weight)))
    power = st.slider(
        "US bargaining power (Rubinstein / asymmetric Nash)", 0.0, 1.0, 0.5, 0.05, key="neg_power"
    )
    with common.guard("negotiation"), st.spinner("Tracing the frontier…"):
        request = services.NegotiationRequest(weights=tuple(weights), us_power=power).validated()
        outcome = cache.negotiation_analysis(request.key(), request)
        common.chart(figures.frontier_figure(outcome.frontier, outcome.points))
        st.dataframe(outcome.points, hide_index=True, width="stretch")
        with st.expander("Diagnostics"):
            st.json(outcome.diagnostics)
