"""Scenario lab: US tariffs from a preset or a date, plus your own edits → GE welfare by country."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from tarifflab.app import cache, common, figures, services
from tarifflab.errors import TariffLabError

DEFAULT_DATE = dt.date(2025, 9, 16)


def _edits() -> tuple[tuple[str, float], ...] | None:
    text = st.text_area(
        "Your edits: additional US tariff on a partner (percent over MFN, all goods), one per line",
        value="",
        placeholder="JPN = 15\nChina: 30",
        key="sc_edits",
        help="e.g. JPN = 15 or China: 30",
    )
    try:
        return services.parse_edits(text)
    except TariffLabError as error:
        st.error(str(error))
        return None


def _show(outcome: services.ScenarioOutcome) -> None:
    st.caption(f"scenario hash {outcome.key}")
    welfare = outcome.welfare
    low, high = ("welfare_low_pct", "welfare_high_pct") if "welfare_low_pct" in welfare else (None, None)
    for code in ("USA", "JPN"):
        row = welfare[welfare["country"] == code]
        if not row.empty:
            st.metric(f"Welfare change, {row['name'].iloc[0]}", f"{float(row['welfare_pct'].iloc[0]):+.3f}%")
    common.chart(figures.choropleth_figure(welfare, "welfare_pct", "Welfare change by country", "%"))
    common.chart(
        figures.bar_figure(
            welfare, "country", "welfare_pct", "Largest welfare changes", "welfare %", low, high
        )
    )
    st.dataframe(welfare, hide_index=True, width="stretch")
    if outcome.sectors is not None:
        st.subheader("Sectors (USA and Japan)")
        st.dataframe(outcome.sectors, hide_index=True, width="stretch")
    with st.expander("Solver diagnostics"):
        st.json(outcome.diagnostics)


def render() -> None:
    common.header(
        "Scenario lab",
        "Pick the US tariffs (a preset, or those in force on a date), edit any partner's rate, and solve "
        "a general-equilibrium model. Results are cached per scenario hash.",
    )
    uploaded = common.scenario_upload()
    c1, c2 = st.columns(2)
    model = c1.radio("Model", services.MODELS, horizontal=True, key="sc_model")
    source = c2.radio("Tariffs from", services.SOURCES, horizontal=True, key="sc_source")
    preset: str | None = None
    on: dt.date | None = None
    if source == "preset":
        with common.guard("presets"):
            preset = st.selectbox("Preset", cache.scenario_presets(model), key="sc_preset")
    else:
        on = common.date_field("Tariffs in force on", DEFAULT_DATE, key="sc_date")
        if on is None:
            return
        common.stale_banner(on, uploaded)
    edits = _edits()
    if edits is None:
        return
    uncertainty = st.checkbox("Uncertainty bands (elasticity draws)", value=False, key="sc_unc")
    if not st.button("Run scenario", type="primary", key="sc_run"):
        return
    with common.guard("scenario"):
        applied = uploaded if source == "date" else ()
        spec = services.ScenarioSpec(model, source, preset, on, edits, uncertainty, applied).validated()
        with st.spinner("Solving the equilibrium…"):
            outcome = cache.run_scenario(spec.key(), spec)
        _show(outcome)
