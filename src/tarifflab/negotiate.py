"""The public Python API of the negotiation analysis: levers, packages, evaluation, concessions.

A *pair* is ``us-<partner>`` (``us-japan``, ``us-eu``, ``us-korea``, …). A *package* sets every lever
of the pair (tariff rates, exemptions, purchase pledges, …); the built-in ones are listed by
:func:`packages`, and a YAML file path works wherever a package name does. Payoffs come from the Ossa
(2014) model on the embedded ICIO 2022 aggregate (``model="ossa"``, the default; fast, its income is
gross absorption) or from the multi-sector GE model with input-output links (``model="multi-sector"``;
national income, the dollars to quote).

Money first: each side's outcome carries its equivalent variation (``equivalent_variation_usd_bn``,
``equivalent_variation_pct_gdp``). The payoff ("utility") is in USD bn a year: the equivalent variation
plus political weights with dollar meaning (one dollar of a sector's output or of the bilateral balance
counts as w dollars of national income; docs/negotiation.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from tarifflab.errors import InvalidInputError

if TYPE_CHECKING:
    from tarifflab.negotiation.analysis import Evaluation
    from tarifflab.negotiation.levers import MappingAssumptions
    from tarifflab.negotiation.payoffs import PayoffModel

PayoffModelName = Literal["ossa", "multi-sector"]
PAYOFF_MODELS: tuple[str, ...] = ("ossa", "multi-sector")


def payoff_model(
    pair: str,
    model: PayoffModelName = "ossa",
    workers: int = 1,
    elasticities: str | None = None,
    assumptions: MappingAssumptions | None = None,
    tariffs: str | None = None,
    tariff_date: dt.date | None = None,
    scenarios: Sequence[Path] = (),
) -> PayoffModel:
    """The payoff model of ``pair``: ``ossa`` (embedded ICIO 2022 aggregate) or ``multi-sector``;
    ``elasticities`` picks one of the multi-sector model's eight sources (``IS``, ``U4``, ``CP`` (default),
    ``BSY``, ``GYY``, ``Shap``, ``FGO``, ``LL``); ``assumptions`` the lever mapping's stated
    assumptions (default :class:`~tarifflab.negotiation.levers.MappingAssumptions`).

    ``tariffs`` (multi-sector only): ``engine`` (default there: US tariffs on every partner from the
    tariff engine on ``tariff_date``, default the library's last date, with ``scenarios`` applied and the
    pair's US levers as a package scenario) or ``stylised`` (the lever mapping with stated sector shares;
    the Ossa model always uses it)."""
    from tarifflab.negotiation.levers import get_pair

    resolved = get_pair(pair)
    if elasticities is not None and model != "multi-sector":
        raise InvalidInputError(
            "elasticity sources apply to the multi-sector model only (--model multi-sector)"
        )
    if model != "multi-sector" and (tariffs == "engine" or tariff_date is not None):
        raise InvalidInputError("engine tariffs apply to the multi-sector model only (--model multi-sector)")
    if model == "ossa":
        from tarifflab.negotiation.datasets import load_default
        from tarifflab.negotiation.payoffs import OssaPayoffModel

        return OssaPayoffModel(resolved, load_default(), assumptions=assumptions)
    if model == "multi-sector":
        from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel
        from tarifflab.negotiation.tariff_inputs import tariff_input

        source = tariff_input(tariffs, tariff_date, tuple(Path(p) for p in scenarios))
        return MultiSectorPayoffModel(
            resolved,
            workers=workers,
            elasticities=elasticities or "CP",
            assumptions=assumptions,
            tariffs=source,
        )
    raise InvalidInputError(f"unknown payoff model {model!r}; use {' or '.join(PAYOFF_MODELS)}")


def levers(pair: str) -> pd.DataFrame:
    """The pair's levers: ``name, side, unit, low, high, status_quo, description``."""
    from tarifflab.negotiation.levers import get_pair

    resolved = get_pair(pair)
    rows = [
        {
            "name": lever.name,
            "side": lever.side,
            "unit": lever.unit,
            "low": lever.low,
            "high": lever.high,
            "status_quo": lever.status_quo,
            "description": lever.description,
        }
        for lever in resolved.levers.values()
    ]
    return pd.DataFrame(rows)


def packages(pair: str) -> dict[str, str]:
    """Built-in packages of ``pair``: name → one-line description."""
    from tarifflab.negotiation.levers import get_pair
    from tarifflab.negotiation.packages import builtin_packages

    return {name: package.description for name, package in builtin_packages(get_pair(pair)).items()}


def evaluate(pair: str, package: str, *, model: PayoffModelName = "ossa") -> Evaluation:
    """Outcomes and utilities of one package (a built-in name or a YAML file path).

    Returns an :class:`~tarifflab.negotiation.analysis.Evaluation`: ``outcomes[country]`` holds
    ``real_income_pct`` and ``cpi_pct`` (percent change from the 2024 status quo),
    ``bilateral_balance_usd_bn`` and ``tariff_revenue_usd_bn`` (USD bn) and their changes, and the
    equivalent variation ``equivalent_variation_usd_bn`` / ``equivalent_variation_pct_gdp``;
    ``utility[country]`` is the payoff in USD bn a year (EV + political weights).
    """
    from tarifflab.negotiation.analysis import evaluate as evaluate_package
    from tarifflab.negotiation.packages import get_package

    payoffs = payoff_model(pair, model)
    return evaluate_package(payoffs, get_package(payoffs.pair, package))


def concessions(
    pair: str,
    deal: str = "july_2025_deal",
    reference: str = "no_deal_july_letter",
    *,
    model: PayoffModelName = "ossa",
) -> pd.DataFrame:
    """What each concession of ``deal`` was worth to each side, in USD bn a year.

    One row per lever that ``deal`` sets differently from ``reference``: the change in each side's
    payoff (EV + political weights) when that lever alone is reset to its ``reference`` value
    (negative: the lever, as set in the deal, helps that side). Columns ``lever``, ``<US>_usd_bn``,
    ``<partner>_usd_bn``.
    """
    from tarifflab.negotiation.analysis import concession_values
    from tarifflab.negotiation.packages import get_package

    payoffs = payoff_model(pair, model)
    values = concession_values(payoffs, get_package(payoffs.pair, deal), get_package(payoffs.pair, reference))
    us, partner = payoffs.pair.players
    return pd.DataFrame(
        [
            {"lever": lever, f"{us}_usd_bn": value[us], f"{partner}_usd_bn": value[partner]}
            for lever, value in values.items()
        ]
    )
