"""The US–Japan report: tariffs over time, what each stage did (GE), and the negotiation.

Every number comes from :mod:`tarifflab.app.services` (the same calls the dashboard makes); nothing is
typed in here except the stage dates, which are the dates the measures took effect (sourced in the
negotiation record and the measure library).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tarifflab.app import figures, services
from tarifflab.errors import BackendUnavailableError
from tarifflab.policy.library import LAW_KNOWN_ON
from tarifflab.report.context import SCENARIOS
from tarifflab.report.html import Section

TITLE = "The US–Japan tariff story, 2025–2026"
SUBTITLE = (
    "Tariffs in force, their economic effects in general equilibrium, and the bargaining behind the deal"
)

SERIES_START = dt.date(2025, 1, 1)
SERIES_END = LAW_KNOWN_ON


@dataclass(frozen=True)
class Stage:
    """A stage of the story: the tariffs in force on ``on`` (date of entry of goods)."""

    key: str
    name: str
    on: dt.date
    what: str


STAGES: tuple[Stage, ...] = (
    Stage(
        "before",
        "Before 2025",
        dt.date(2025, 1, 1),
        "MFN and the 2018–2024 measures (Section 232 metals, Section 301 on China)",
    ),
    Stage(
        "liberation-day",
        "Liberation Day",
        dt.date(2025, 4, 9),
        "EO 14257 country rates in force (Japan 24%), with S232 autos and metals",
    ),
    Stage("pause", "Pause", dt.date(2025, 4, 10), "EO 14266 suspends country rates: 10% baseline"),
    Stage(
        "deal",
        "Deal",
        dt.date(2025, 9, 16),
        "EO 14345: Japan 15% all-in (max(MFN, 15)), autos at 15% from 2025-09-16",
    ),
    Stage(
        "s122",
        "Ruling and Section 122",
        dt.date(2026, 2, 24),
        "Supreme Court ends IEEPA tariffs (decided 2026-02-20; collection stops 02-24); 10% s.122 surcharge",
    ),
    Stage(
        "s301",
        "Section 301",
        dt.date(2026, 7, 24),
        "s.122 expires; s.301 forced-labour action (Japan 12.5% cap net of MFN) takes effect",
    ),
)

Builder = Callable[[Section, list[int]], None]


def _stage_etr(section: Section, counter: list[int]) -> None:
    rows = []
    for stage in STAGES:
        frame = services.etr_by_partner(stage.on, scenarios=SCENARIOS.get())
        by = frame.set_index("partner")["etr_pct"]
        rows.append(
            {
                "stage": stage.name,
                "date": stage.on.isoformat(),
                "what changed": stage.what,
                "ETR Japan %": float(by.get("JPN", float("nan"))),
                "ETR all partners %": float(by.get("ALL", float("nan"))),
            }
        )
    table = pd.DataFrame(rows)
    jp = dict(zip(table["stage"], table["ETR Japan %"], strict=True))
    world = dict(zip(table["stage"], table["ETR all partners %"], strict=True))
    names = [stage.name for stage in STAGES]
    section.text(
        f"Goods from Japan paid an effective {jp[names[0]]:.2f}% before 2025. On Liberation Day "
        f"({STAGES[1].on}) the rate jumped to {jp[names[1]]:.2f}%, fell to {jp[names[2]]:.2f}% with the "
        f"pause, and stood at {jp[names[3]]:.2f}% once the deal's 15% all-in rule and auto rate applied "
        f"({STAGES[3].on}). After the Supreme Court ended the IEEPA tariffs and the 10% Section 122 "
        f"surcharge replaced them it was {jp[names[4]]:.2f}%, and {jp[names[5]]:.2f}% under the Section 301 "
        f"action. Over all partners the effective rate went from {world[names[0]]:.2f}% to "
        f"{world[names[5]]:.2f}% (duty ÷ imports at 2024 import values; the law as finally applied)."
    )
    section.table(table, "Effective tariff rates at each stage (tariff engine, as finally applied).")


def _over_time(section: Section, counter: list[int]) -> None:
    series = services.etr_series_with_total(SERIES_START, SERIES_END, ("JPN",), scenarios=SCENARIOS.get())
    try:
        events = services.timeline_events()
    except BackendUnavailableError as missing:
        section.text(f"(Events not shown: {missing})")
        events = pd.DataFrame(columns=services.TIMELINE_COLUMNS)
    section.text(
        "The lines are the daily effective tariff rate on imports from Japan and from all partners; "
        "the markers below are the measures, negotiation rounds, deals and court rulings (hover for details)."
    )
    section.chart(figures.timeline_figure(events, series), counter)
    peak = series.loc[series["partner"].astype(str) != "ALL"].sort_values("etr_pct").tail(1)
    if not peak.empty:
        section.text(
            f"Japan's effective rate peaked at {float(peak['etr_pct'].iloc[0]):.2f}% on "
            f"{pd.Timestamp(peak['date'].iloc[0]).date()}."
        )


def _ge_stages(section: Section, counter: list[int]) -> None:
    for model in services.MODELS:
        rows = []
        last: services.ScenarioOutcome | None = None
        try:
            for stage in STAGES[1:]:
                outcome = services.run_scenario(services.ScenarioSpec(model, "date", on=stage.on))
                welfare = outcome.welfare.set_index("country")["welfare_pct"]
                rows.append(
                    {
                        "stage": stage.name,
                        "date": stage.on.isoformat(),
                        "welfare USA %": float(welfare.get("USA", float("nan"))),
                        "welfare Japan %": float(welfare.get("JPN", float("nan"))),
                        "scenario hash": outcome.key,
                    }
                )
                if stage.key == "deal":
                    last = outcome
        except BackendUnavailableError as missing:
            section.text(f"<b>{model} model</b>: not available — {missing}")
            continue
        table = pd.DataFrame(rows)
        section.text(
            f"<b>{model} model.</b> Welfare change (percent of real income) when the US applies, on "
            "top of MFN, the additional tariffs in force at each stage (all of Sections 232, 301, IEEPA "
            "and 122, trade-weighted by partner"
            + (" and sector" if model == "multi-sector" else "")
            + " from the tariff engine), without retaliation, relative to MFN tariffs only."
        )
        section.table(table, f"{model} general-equilibrium model, tariffs from the engine at each date", 3)
        long = table.melt(
            id_vars=["stage"], value_vars=["welfare USA %", "welfare Japan %"], var_name="country"
        )
        section.chart(
            figures.grouped_bar_figure(long, "stage", "value", "country", f"{model}: welfare by stage", "%"),
            counter,
        )
        if last is not None:
            section.chart(
                figures.choropleth_figure(
                    last.welfare, "welfare_pct", f"{model}: welfare change at the deal", "%"
                ),
                counter,
            )
            if last.sectors is not None and "sector" in last.sectors.columns:
                japan = last.sectors[last.sectors["country"] == "JPN"].drop(columns=["country"])
                section.table(
                    japan.sort_values("output_pct"),
                    f"{model}: Japan's sectors at the deal (percent change of real output, exports, imports, prices)",
                    2,
                )
    if section.charts == 0:
        section.unavailable = "no general-equilibrium model is available"
    elif section.charts == 4:
        section.text(
            "The two models answer the same question with different structures: one sector with scale "
            "economies and tariff revenue rebated through lower income taxes (docs/ge-one-sector.md), "
            "against many sectors with input–output links (docs/ge-multi-sector.md), so their numbers "
            "differ; docs/ge-multi-sector.md compares the two models on common scenarios."
        )


def _negotiation(section: Section, counter: list[int]) -> None:
    money_letter = services.negotiation_money("us-japan", "july_2025_deal", "no_deal_july_letter")
    money_pre = services.negotiation_money("us-japan", "july_2025_deal", "pre_deal_july_2025")

    def ev(frame: Any, side: str, column: str) -> float:
        row = frame[(frame["measure"] == "equivalent variation, USD bn a year") & (frame["side"] == side)]
        return float(row[column].iloc[0])

    section.text(
        "The July 2025 deal in dollars (multi-sector GE model, equivalent variation = exact real-income "
        "change × national income, USD bn a year at 2022 prices; tariff revenue is part of it): against the "
        f"2024 status quo the US gains {ev(money_letter, 'USA', 'package'):+.1f} and Japan "
        f"{ev(money_letter, 'JPN', 'package'):+.1f}; against the July letter's no deal the US gains "
        f"{ev(money_letter, 'USA', 'difference'):+.1f} and Japan {ev(money_letter, 'JPN', 'difference'):+.1f}; "
        f"against the measures in force before the deal (10% baseline, cars 27.5%) the US gains "
        f"{ev(money_pre, 'USA', 'difference'):+.1f} and Japan {ev(money_pre, 'JPN', 'difference'):+.1f}. "
        "The $550bn pledge alone is a transfer of 13.75 USD bn a year from Japan to the US."
    )
    section.table(money_letter, "The July 2025 deal against the July letter's no deal (USD bn a year, %)", 2)
    levers = services.negotiation_levers()
    weights = services.negotiation_weights()
    outcome = services.negotiation_analysis(services.NegotiationRequest())
    points = {
        str(name): (float(us), float(jp))
        for name, us, jp in zip(
            outcome.points["point"],
            outcome.points["us"].to_numpy(dtype=float),
            outcome.points["jpn"].to_numpy(dtype=float),
            strict=True,
        )
    }
    section.text(
        "Each grey dot is a package of concessions from the negotiation model's lever grid "
        f"({outcome.diagnostics.get('packages_evaluated', '?')} packages); payoffs are each side's "
        "equivalent variation in USD bn a year on the fast Ossa model (whose income is gross absorption, so "
        "its dollars run larger than the table above) plus the political weights below (one dollar of a "
        "sector's output counts as w dollars of national income); the line is the Pareto frontier. "
        "The disagreement point is no deal under the July 2025 letter (25% from 2025-08-01). The "
        "bargaining solutions are computed on the frontier with equal bargaining power and discount "
        "factors 0.95; the square is the deal actually struck on 2025-07-22."
    )
    section.chart(figures.frontier_figure(outcome.frontier, outcome.points, outcome.cloud), counter)
    section.table(outcome.points, "Bargaining solutions and the actual deal (USD bn a year)", 2)
    if "actual deal" in points and "disagreement" in points:
        gain_us = points["actual deal"][0] - points["disagreement"][0]
        gain_jp = points["actual deal"][1] - points["disagreement"][1]
        dominated = outcome.diagnostics.get("actual_deal_dominated_by")
        section.text(
            f"Against no deal, and counting the political weights, the actual deal gave the US "
            f"{gain_us:+.1f} and Japan {gain_jp:+.1f} USD bn a year"
            + (f"; {dominated} packages of the grid would have given both sides more." if dominated else ".")
        )
    section.table(levers, "Levers: their 2024 status quo and the value the July 2025 deal set", 3)
    section.table(weights, "Political weights used (dollars of national income per dollar; defaults)", 2)


def _sources(section: Section, counter: list[int]) -> None:
    section.text(
        "Every embedded dataset, with the first 12 hex digits of its SHA-256 and how it was derived:"
    )
    files = services.provenance()
    files["sha256"] = files["sha256"].str[:12]
    section.table(files)
    try:
        lib = services.measures()
    except BackendUnavailableError as missing:
        section.text(f"(Measure library not available: {missing})")
        return
    reach = lib["countries"].str.split(", ").map(lambda codes: "ALL" in codes or "JPN" in codes)
    shown = lib[reach][["start", "end", "title", "legal_basis"]]
    section.table(
        shown,
        f"The {len(shown)} measures of the library that reach goods from Japan (of {len(lib)}), "
        "with their legal basis; 'end' is exclusive",
    )


SECTIONS: tuple[tuple[str, str, Builder], ...] = (
    ("glance", "At a glance: the rate at each stage", _stage_etr),
    ("over-time", "Tariffs over time", _over_time),
    ("stages", "What each stage did (general equilibrium)", _ge_stages),
    ("negotiation", "The negotiation", _negotiation),
    ("sources", "Data and sources", _sources),
)
