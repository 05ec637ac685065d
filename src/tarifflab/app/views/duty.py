"""Duty lookup: one product, one origin, one date → every tariff layer with its legal citation."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tarifflab.app import cache, common, services

DEFAULT_DATE = dt.date(2025, 9, 16)


def _search() -> None:
    query = st.text_input(
        "Find a product (code or words)", key="duty_query", placeholder="e.g. 8703 or passenger cars"
    )
    if not query:
        return
    with common.guard("product search"):
        hits = cache.search_products(query)
        st.dataframe(hits, hide_index=True, width="stretch", height=min(38 * (len(hits) + 1), 320))


def _layers_table(result: services.DutyLookup) -> None:
    layers = result.layers_frame()
    st.dataframe(
        layers,
        hide_index=True,
        width="stretch",
        column_config={
            "rate_pct": st.column_config.NumberColumn("rate %", format="%.2f"),
            "legal_basis": st.column_config.TextColumn("legal basis", width="large"),
        },
    )


def _show(result: services.DutyLookup, title: str) -> None:
    st.markdown(f"**{title}**")
    if result.scenario_hash:
        st.caption(f"with scenario {result.scenario_hash}")
    a, b, c = st.columns(3)
    a.metric("Total rate", f"{result.total_rate_pct:.2f}%")
    b.metric("Duty", "—" if result.duty_usd is None else f"${result.duty_usd:,.2f}")
    c.metric("Refundable", f"{result.refundable_pct:.2f}%")
    _layers_table(result)
    for note in result.notes:
        st.caption(note)


def _all_lines(
    code: str, origin: str, on_text: str, value: float, usmca: bool, scenarios: services.ScenarioTexts
) -> None:
    with common.guard("duty for all lines"):
        on = services.parse_date(on_text, field_name="date of entry")
        common.stale_banner(on, scenarios)
        lines = cache.duty_all_lines(code, origin, on, value, usmca, scenarios)
        rates = lines["total_rate_pct"]
        st.markdown(
            f"**{len(lines)} HTS-10 line{'s' if len(lines) != 1 else ''} under {code.strip()} from "
            f"{services.to_iso3(origin)}, entered {on}: as finally applied**"
        )
        a, b = st.columns(2)
        a.metric("Lowest total rate", f"{rates.min():.2f}%")
        b.metric("Highest total rate", f"{rates.max():.2f}%")
        st.dataframe(
            lines,
            hide_index=True,
            width="stretch",
            column_config={
                "total_rate_pct": st.column_config.NumberColumn("total rate %", format="%.2f"),
                "duty_usd": st.column_config.NumberColumn("duty (USD)", format="%.2f"),
                "refundable_pct": st.column_config.NumberColumn("refundable %", format="%.2f"),
                "description": st.column_config.TextColumn("description", width="large"),
            },
        )
        st.caption("Each line's layers and legal bases: enter its 10-digit code and press Look up.")


def render() -> None:
    common.header(
        "Duty lookup",
        "The US duty on one product from one origin on one date of entry, layer by layer, each with "
        "its legal basis. 'As finally applied' includes retroactive corrections and court rulings; "
        "'as known on' shows the law as it stood on that date.",
    )
    scenarios = common.scenario_upload()
    _search()
    with st.form("duty_form"):
        c1, c2, c3 = st.columns(3)
        hts = c1.text_input(
            "HTS code",
            value="8703.23.01.40",
            key="duty_hts",
            help="10 digits; a shorter code lists its lines",
        )
        origin = c2.text_input("Origin (ISO3 or name)", value="Japan", key="duty_origin")
        on_text = c3.text_input("Date of entry", value=DEFAULT_DATE.isoformat(), key="duty_date")
        c4, c5 = st.columns(2)
        value = c4.number_input("Customs value (USD)", value=10_000.0, min_value=0.0, key="duty_value")
        known_text = c5.text_input(
            "Compare with the law as known on (optional)", value="", key="duty_known", help="YYYY-MM-DD"
        )
        usmca = st.checkbox("USMCA-qualifying shipment (Canada or Mexico)", value=False, key="duty_usmca")
        b1, b2 = st.columns(2)
        submitted = b1.form_submit_button("Look up", type="primary", key="duty_submit")
        every_line = b2.form_submit_button(
            "Answer for all lines",
            key="duty_all_submit",
            help="The duty on every HTS-10 line under a code shorter than 10 digits",
        )
    if every_line:
        st.session_state["duty_all_lines"] = True
    elif submitted:
        st.session_state.pop("duty_all_lines", None)
    if st.session_state.get("duty_all_lines"):
        _all_lines(hts, origin, on_text, float(value), usmca, scenarios)
        return
    if not submitted and "duty_result" not in st.session_state:
        return
    with common.guard("duty lookup"):
        on = services.parse_date(on_text, field_name="date of entry")
        common.stale_banner(on, scenarios)
        applied = cache.duty_lookup(hts, origin, on, float(value), "in-force", None, usmca, scenarios)
        st.session_state["duty_result"] = True
        if known_text.strip():
            known_on = services.parse_date(known_text, field_name="as-known-on date")
            known = cache.duty_lookup(hts, origin, on, float(value), "as-known", known_on, usmca, scenarios)
            comparison = pd.DataFrame(
                {
                    "view": ["as finally applied", f"as known on {known_on}"],
                    "total_rate_pct": [applied.total_rate_pct, known.total_rate_pct],
                    "duty_usd": [applied.duty_usd, known.duty_usd],
                    "refundable_pct": [applied.refundable_pct, known.refundable_pct],
                }
            )
            st.dataframe(comparison, hide_index=True, width="stretch")
            _show(applied, "As finally applied")
            _show(known, f"As known on {known_on}")
        else:
            _show(applied, f"{applied.hts} from {applied.origin}, entered {applied.on}: as finally applied")
            st.caption(applied.description)
