"""Negotiation: a plain question first (pair, package, against what) answered in dollars; then the
frontier map with bargaining power, your own package and the political weights behind an expander."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tarifflab.app import cache, common, figures, services


def _weights(table: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    chosen: list[tuple[str, float]] = []
    columns = st.columns(2)
    for index, (side, rows) in enumerate(table.groupby("side", sort=False)):
        with columns[index % 2]:
            st.markdown(f"**{side}'s political weights** (dollars of national income per dollar)")
            for key, label, default in zip(rows["key"], rows["label"], rows["default"], strict=True):
                value = st.number_input(
                    str(label), value=float(default), step=0.05, format="%.2f", key=f"neg_w_{key}"
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


def _question() -> None:
    """The plain question: pair, then what a package gives each side or what it would take, in dollars."""
    st.subheader("Ask a question")
    pairs = list(services.negotiation_pairs())
    c0, c1 = st.columns([2, 1])
    mode = c0.radio(
        "Question",
        ["What does a package give each side?", "What would it take?"],
        horizontal=True,
        key="neg_q_mode",
    )
    pair = c1.selectbox("Negotiating pair", pairs, index=0, key="neg_q_pair")
    if mode == "What would it take?":
        _what_it_takes(pair)
        return
    names: list[str] | None = None
    with common.guard("negotiation"):
        names = cache.negotiation_packages(pair)
    if not names:
        return
    c2, c3 = st.columns(2)
    default_pkg = names.index("july_2025_deal") if "july_2025_deal" in names else 0
    package = c2.selectbox("Package", names, index=default_pkg, key="neg_q_package")
    ref_default = next(
        (
            names.index(n)
            for n in ("no_deal_july_letter", "liberation_day_annex", "status_quo_2024")
            if n in names
        ),
        0,
    )
    reference = c3.selectbox("Against (no deal)", names, index=ref_default, key="neg_q_reference")
    with common.guard("negotiation"), st.spinner("Solving the multi-sector model…"):
        money = cache.negotiation_money(pair, package, reference)
        st.dataframe(
            money,
            hide_index=True,
            width="stretch",
            column_config={
                col: st.column_config.NumberColumn(col, format="%+.2f")
                for col in ("package", "reference", "difference")
            },
        )
        st.caption(
            "Equivalent variation = the multi-sector GE model's exact real-income change × national income "
            "(value added + tariff revenue − surplus, base-year dollars); tariff revenue is already in it. "
            "Balances are on the model's purged base: with fixed aggregate deficits a bilateral swing is "
            "trade diverted to or from other partners. Changes are against the 2024 status quo; "
            "'difference' = package − reference. US tariffs: the tariff engine's duties on every partner "
            f"on {cache.negotiation_money_tariff_date()}, the package's US levers written as a scenario "
            "(`tarifflab negotiate scenario`), so they are the duties `tarifflab duty` reports."
        )


def _what_it_takes(pair: str) -> None:
    levers: list[str] | None = None
    with common.guard("negotiation"):
        levers = cache.negotiation_pair_levers(pair)
    if not levers:
        return
    c1, c2 = st.columns(2)
    default = levers.index("us_auto_rate") if "us_auto_rate" in levers else 0
    lever = c1.selectbox("The partner wants this lever…", levers, index=default, key="neg_q_lever")
    value = c2.number_input("…at this value", value=0.10, step=0.025, format="%.3f", key="neg_q_value")
    with common.guard("negotiation"), st.spinner("Searching the lever grid…"):
        answer = cache.negotiation_what_it_takes(pair, lever, float(value))
        st.dataframe(
            answer,
            hide_index=True,
            width="stretch",
            column_config={
                "reservation_usd_bn": st.column_config.NumberColumn("no-deal payoff, USD bn", format="%+.2f"),
                "payoff_usd_bn": st.column_config.NumberColumn(
                    "payoff with the package, USD bn", format="%+.2f"
                ),
            },
        )
        st.caption(
            "The partner's best package of the lever grid with this lever value that leaves the US at least "
            "its no-deal payoff (fast Ossa model; equivalent variation + default political weights)."
        )


def render() -> None:
    common.header(
        "Negotiation",
        "Which package gives each side what, in dollars; what it would take; where the bargaining "
        "solutions sit compared with the deal of 2025-07-22.",
    )
    _question()
    levers = weights = None
    with common.guard("negotiation"):
        levers = cache.negotiation_levers()
        weights = cache.negotiation_weights()
    if levers is None or weights is None:
        return
    st.subheader("US–Japan: the frontier of the lever grid")
    with st.expander(f"The {len(levers)} levers: 2024 status quo and the July 2025 deal", expanded=False):
        st.dataframe(levers, hide_index=True, width="stretch")
    package = _package(levers)
    with st.expander("Political weights (what one dollar of a sector's output or of the balance is worth)"):
        chosen = _weights(weights)
    power = st.slider("US bargaining power α (asymmetric Nash)", 0.0, 1.0, 0.5, 0.05, key="neg_power")
    with common.guard("negotiation"), st.spinner("Evaluating the lever grid and tracing the frontier…"):
        request = services.NegotiationRequest(weights=chosen, us_power=power, package=package).validated()
        outcome = cache.negotiation_analysis(request.key(), request)
        common.chart(figures.frontier_figure(outcome.frontier, outcome.points, outcome.cloud))
        st.caption(
            "Payoffs in USD bn a year: equivalent variation (fast Ossa model; its income is gross absorption, "
            "so dollars are larger than the table above) plus the political weights."
        )
        st.dataframe(
            outcome.points,
            hide_index=True,
            width="stretch",
            column_config={
                "us": st.column_config.NumberColumn("US payoff, USD bn", format="%+.2f"),
                "jpn": st.column_config.NumberColumn("Japan payoff, USD bn", format="%+.2f"),
            },
        )
        with st.expander("Diagnostics"):
            st.json(outcome.diagnostics)
