"""Cached wrappers around :mod:`tarifflab.app.services` (shared by every session of the server).

Results are cached per input (for scenarios: per scenario hash, see :func:`services.scenario_key`).
Exceptions are not cached, so a fixed input recomputes.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from tarifflab.app import services


@st.cache_data(show_spinner=False, max_entries=64)
def etr_by_partner(on: dt.date, view: str, scenarios: services.ScenarioTexts = ()) -> pd.DataFrame:
    return services.etr_by_partner(on, view=view, scenarios=scenarios)


@st.cache_data(show_spinner=False, max_entries=64)
def etr_by_sector(
    on: dt.date, view: str, partner: str | None, scheme: str, scenarios: services.ScenarioTexts = ()
) -> pd.DataFrame:
    return services.etr_by_sector(on, view=view, partner=partner, scheme=scheme, scenarios=scenarios)


@st.cache_data(show_spinner=False, max_entries=32)
def etr_series(
    start: dt.date,
    end: dt.date,
    partner: str | None,
    view: str = "in-force",
    scenarios: services.ScenarioTexts = (),
) -> pd.DataFrame:
    return services.etr_series(start, end, partner=partner, view=view, scenarios=scenarios)


@st.cache_data(show_spinner=False, max_entries=32)
def etr_series_with_total(
    start: dt.date, end: dt.date, partners: tuple[str, ...], scenarios: services.ScenarioTexts = ()
) -> pd.DataFrame:
    return services.etr_series_with_total(start, end, partners, scenarios=scenarios)


@st.cache_data(show_spinner=False, max_entries=4)
def measures() -> pd.DataFrame:
    return services.measures()


@st.cache_data(show_spinner=False, max_entries=4)
def provenance() -> pd.DataFrame:
    return services.provenance()


@st.cache_data(show_spinner=False, max_entries=256)
def search_products(query: str) -> pd.DataFrame:
    return services.search_products(query)


# The spinner shows only while a lookup is computed: a cached answer costs no spinner thread.
@st.cache_data(show_spinner="Stacking the tariff layers…", max_entries=1024)
def duty_lookup(
    hts: str,
    origin: str,
    on: dt.date,
    value_usd: float | None,
    view: str,
    as_known_on: dt.date | None,
    usmca_qualifying: bool = False,
    scenarios: services.ScenarioTexts = (),
) -> services.DutyLookup:
    return services.duty_lookup(
        hts,
        origin,
        on,
        value_usd=value_usd,
        view=view,
        as_known_on=as_known_on,
        usmca_qualifying=usmca_qualifying,
        scenarios=scenarios,
    )


@st.cache_data(show_spinner="Evaluating every line…", max_entries=128)
def duty_all_lines(
    code: str,
    origin: str,
    on: dt.date,
    value_usd: float | None,
    usmca_qualifying: bool = False,
    scenarios: services.ScenarioTexts = (),
) -> pd.DataFrame:
    return services.duty_all_lines(
        code, origin, on, value_usd=value_usd, usmca_qualifying=usmca_qualifying, scenarios=scenarios
    )


@st.cache_data(show_spinner=False, max_entries=64)
def stale_banner(on: dt.date, scenarios: services.ScenarioTexts = ()) -> str | None:
    return services.stale_banner(on, scenarios)


@st.cache_data(show_spinner=False, max_entries=2)
def timeline_events() -> pd.DataFrame:
    return services.timeline_events()


@st.cache_data(show_spinner=False, max_entries=128)
def run_scenario(key: str, spec: services.ScenarioSpec) -> services.ScenarioOutcome:
    """One model run per scenario hash ``key`` (``spec.key()``); every session shares the result."""
    del key  # part of the cache key only
    return services.run_scenario(spec)


@st.cache_data(show_spinner=False, max_entries=8)
def scenario_presets(model: str) -> list[str]:
    return services.scenario_presets(model)


@st.cache_data(show_spinner=False, max_entries=4)
def negotiation_levers() -> pd.DataFrame:
    return services.negotiation_levers()


@st.cache_data(show_spinner=False, max_entries=16)
def negotiation_packages(pair: str) -> list[str]:
    return services.negotiation_packages(pair)


@st.cache_data(show_spinner=False, max_entries=16)
def negotiation_pair_levers(pair: str) -> list[str]:
    return services.negotiation_pair_levers(pair)


@st.cache_data(show_spinner=False, max_entries=64)
def negotiation_what_it_takes(pair: str, lever: str, value: float) -> pd.DataFrame:
    return services.negotiation_what_it_takes(pair, lever, value)


@st.cache_data(show_spinner=False, max_entries=64)
def negotiation_money(pair: str, package: str, reference: str) -> pd.DataFrame:
    return services.negotiation_money(pair, package, reference)


@st.cache_data(show_spinner=False, max_entries=2)
def negotiation_money_tariff_date() -> str:
    return services.negotiation_money_tariff_date()


@st.cache_data(show_spinner=False, max_entries=4)
def negotiation_weights() -> pd.DataFrame:
    return services.negotiation_weights()


@st.cache_data(show_spinner=False, max_entries=128)
def negotiation_analysis(key: str, request: services.NegotiationRequest) -> services.NegotiationOutcome:
    """One analysis per request hash ``key``."""
    del key
    return services.negotiation_analysis(request)
