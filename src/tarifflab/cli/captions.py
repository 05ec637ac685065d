"""What a table shows, in words: units, view of the law, weights, base year and the law's date.

One place writes these lines so every command says the same thing the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tarifflab.policy.engine import View

ETR_WEIGHTS = (
    "weights: 2024 US imports for consumption by HTS-10 line and partner (Census), held fixed "
    "(behaviour-free, base year 2024)"
)
ETR_UNITS = "imports_usd, duty_usd: US dollars a year at 2024 volumes; etr_pct: duty / imports, percent"


def law_line(
    view: View | str,
    on: str | dt.date | None,
    as_known_on: str | dt.date | None = None,
    law_known_on: dt.date | None = None,
) -> str:
    """The view of the law in one line, e.g. ``law: as finally in force for entries on 2025-10-01 …``.

    ``law_known_on``: the last date the measure library's law is known (the built-in library's by default).
    """
    chosen = View(view)
    where = f" for entries on {on}" if on is not None else ""
    if chosen is View.AS_KNOWN:
        known = as_known_on or on
        return f"law: as published on {known}{where} (view as-known)"
    if chosen is View.NET_OF_REFUNDS:
        return f"law: in force{where}, less the IEEPA duties refunded after 2026-02-20 (view net-of-refunds)"
    if law_known_on is None:
        from tarifflab.policy.library import LAW_KNOWN_ON

        law_known_on = LAW_KNOWN_ON
    return (
        f"law: as finally in force{where}, later retroactive changes included (view in-force); "
        f"law known to {law_known_on}"
    )


def etr_caption(
    view: View | str,
    on: str | dt.date | None,
    as_known_on: str | dt.date | None = None,
    law_known_on: dt.date | None = None,
    claims: Iterable[str] = (),
) -> str:
    """Caption of every effective-tariff-rate table, with the entry claims it assumes made."""
    return "\n".join(
        [law_line(view, on, as_known_on, law_known_on), ETR_WEIGHTS, ETR_UNITS, claims_line(claims)]
    )


def claims_line(claims: Iterable[str]) -> str:
    """The entry claims an ETR assumes made for every eligible line (none: the listed lines pay)."""
    made = sorted(claims)
    if not made:
        return "claims assumed: none (no entry claim made; lines eligible only by claim pay)"
    return f"claims assumed: {', '.join(made)} (made for every eligible line)"


def reciprocal_caption(year: int, epsilon: float, phi: float, rounding: str, floor_pct: float) -> str:
    """Caption of the ``reciprocal`` table: the USTR formula's parameters and the Census base year."""
    return "\n".join(
        [
            f"imports_bn, exports_bn, deficit_bn: US goods trade with the partner, USD bn, Census {year} "
            f"(base year {year})",
            f"formula_rate_pct: percent, USTR April-2025 formula (m − x)/(ε·φ·m) with ε={epsilon:g}, "
            f"φ={phi:g}",
            f"reciprocal_rate_pct: percent, half the formula rate, rounding {rounding}, floor "
            f"{floor_pct:g}% (EO 14257 Annex I)",
        ]
    )


def pe_caption(
    config: dict[str, object],
    source: dict[str, str],
    law_known_on: dt.date | None,
    given: tuple[str, ...] = (),
) -> str:
    """Caption of the ``pe run`` table: units, elasticities used and, for dates, the law's view and date.

    ``given``: symbols of the elasticities set on the command line (they replace the source's values).
    """
    supply = "∞" if config.get("supply_elasticity_infinite") else f"{config['supply_elasticity']:g}"
    elasticities = (
        f"elasticities: demand η={config['demand_elasticity']:g}, substitution σ="
        f"{config['substitution_elasticity']:g}, supply β={supply} ({config['form']} form"
        + (f", {config['hs_overrides']} HS overrides" if config.get("hs_overrides") else "")
        + f"); source: {config['elasticity_source']}"
        + (f"; {', '.join(given)} given on the command line" if given else "")
    )
    if "lines_file" in source:
        law = f"lines, imports and rates: from {source['lines_file']}"
    else:
        law = (
            f"tariffs before: {law_line(source['view'], source['from'], law_known_on=law_known_on)}\n"
            f"tariffs after: entries on {source['to']}, same view; "
            "weights: 2024 US imports by HTS-10 line and partner (Census), base year 2024"
        )
    volumes = "the file's import values" if "lines_file" in source else "2024 import volumes"
    units = f"money columns: USD bn a year at {volumes}; ETR columns: duty / imports, percent"
    return "\n".join([units, elasticities, law])


PAYOFF_MODEL_LINES = {
    "ossa": "payoff model: ossa (Ossa 2014 model on the embedded OECD ICIO 2022 aggregate, base year 2022; "
    "income = gross absorption, dollars about 1.7x too large)",
    "multi-sector": "payoff model: multi-sector (GE model with input-output links; income = national income)",
}


def payoff_caption(model: str) -> str:
    """The payoff model behind a negotiation table, in one line."""
    return PAYOFF_MODEL_LINES.get(model, f"payoff model: {model}")


WAR_DATASETS = {
    "ossa": "Ossa (2014) data, 7 regions × 33 sectors, GTAP base year 2007",
    "default": "embedded OECD ICIO 2022 aggregate (USD bn), base year 2022",
}


def war_caption(dataset: str) -> str:
    """Caption of ``negotiate war``: what the tariff and welfare numbers are, and the data's base year."""
    return "\n".join(
        [
            "tariffs: Nash tariffs in percent ad valorem (median over partners and sectors, Ossa 2014; "
            "mean beside it)",
            "welfare: change in each country's real income, percent, relative to the factual (balanced) "
            "equilibrium",
            f"model: Ossa (2014) multi-country trade-war model; data: {WAR_DATASETS.get(dataset, dataset)}",
        ]
    )
