"""Payoffs: from model results to each country's outcomes and its negotiator's utility.

The payoff layer talks to any model through the small :class:`PayoffModel` protocol
(``evaluate(settings) -> {country: Outcomes}``), so the multi-sector GE model can replace the
built-in :class:`OssaPayoffModel` without touching the frontier or bargaining code.

Money first. Each country's outcome carries its **equivalent variation** EV_c = (Ŵ_c − 1)·I_c in USD bn a
year (base-year dollars; I_c national income = value added + tariff revenue − surplus) and as % of GDP.
Tariff revenue is part of I_c, so it is not counted again; the CPI is in Ŵ_c.

The negotiator's payoff (``u_c``, USD bn a year) adds an explicit political layer with dollar meaning:

``u_c = EV_c + w_balance·Δbalance_usd_bn + Σ_k w_k·Δoutput_k_usd_bn``

"one dollar of sector-k output counts as w_k dollars of national income" (and likewise for the bilateral
balance). Weights are user-set (defaults in :data:`DEFAULT_WEIGHTS`) or calibrated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation.levers import GOODS_EXCLUDED, MappingAssumptions, Pair, model_inputs
from tarifflab.negotiation.ossa_model import Array, Equilibrium, OssaModel, TradeWarData

#: How the payoff models' bilateral balances are measured (both purge imbalances before the counterfactual).
BALANCE_BASIS = (
    "purged: the model's base has aggregate imbalances removed, so levels differ from Census data; with "
    "fixed aggregate deficits a bilateral swing is trade diverted to or from other partners"
)

#: Sectors whose output the payoff layer reports: (country role, sector or group, label).
TRACKED_SECTORS: tuple[tuple[str, str, str], ...] = (
    ("partner", "motor_vehicles", "partner_motor_vehicles"),
    ("us", "agriculture", "us_agriculture"),
    ("us", "manufacturing", "us_manufacturing"),
)
MANUFACTURING = (
    "chemicals", "pharma", "metals", "machinery_electronics", "motor_vehicles", "other_transport", "other_manufacturing",
)  # fmt: skip


@dataclass(frozen=True)
class Outcomes:
    """One country's outcomes of one package, relative to the 2024 status quo of the model.

    ``real_income_pct`` 100(Ê/P̂ − 1); ``cpi_pct`` 100(P̂ − 1); ``bilateral_balance_usd_bn``:
    goods exports to the counterpart minus imports from it (level, USD bn, model prices);
    ``balance_change_usd_bn`` its change; ``tariff_revenue_usd_bn`` level and change;
    ``sector_output_pct``: 100(Ŷ_s − 1) for tracked sectors; ``sector_jobs_pct``: 100(Ŷ_s/ŵ − 1)
    (employment, since labour in a sector is its wage bill over the wage; no employment counts exist in
    the model data, so jobs are given in percent only).
    ``national_income_usd_bn`` I_c and ``gdp_usd_bn`` (value added) of the model's base year;
    ``sector_output_base_usd_bn``: base output of each tracked sector; ``income_concept`` and
    ``balance_basis`` say what the model's income and balance are.
    """

    country: str
    real_income_pct: float
    cpi_pct: float
    bilateral_balance_usd_bn: float
    balance_change_usd_bn: float
    tariff_revenue_usd_bn: float
    revenue_change_usd_bn: float
    sector_output_pct: dict[str, float] = field(default_factory=dict)
    sector_jobs_pct: dict[str, float] = field(default_factory=dict)
    national_income_usd_bn: float = float("nan")
    gdp_usd_bn: float = float("nan")
    sector_output_base_usd_bn: dict[str, float] = field(default_factory=dict)
    income_concept: str = "national income"
    balance_basis: str = BALANCE_BASIS

    @property
    def equivalent_variation_usd_bn(self) -> float:
        """EV = (Ŵ − 1)·I at base-year prices, USD bn a year."""
        return self.real_income_pct / 100.0 * self.national_income_usd_bn

    @property
    def equivalent_variation_pct_gdp(self) -> float:
        return 100.0 * self.equivalent_variation_usd_bn / self.gdp_usd_bn

    @property
    def sector_output_change_usd_bn(self) -> dict[str, float]:
        """Change of each tracked sector's real output, USD bn a year at base prices."""
        return {
            k: v / 100.0 * self.sector_output_base_usd_bn[k]
            for k, v in self.sector_output_pct.items()
            if k in self.sector_output_base_usd_bn
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "country": self.country,
            "equivalent_variation_usd_bn": self.equivalent_variation_usd_bn,
            "equivalent_variation_pct_gdp": self.equivalent_variation_pct_gdp,
            "national_income_usd_bn": self.national_income_usd_bn,
            "gdp_usd_bn": self.gdp_usd_bn,
            "income_concept": self.income_concept,
            "real_income_pct": self.real_income_pct,
            "cpi_pct": self.cpi_pct,
            "bilateral_balance_usd_bn": self.bilateral_balance_usd_bn,
            "balance_change_usd_bn": self.balance_change_usd_bn,
            "tariff_revenue_usd_bn": self.tariff_revenue_usd_bn,
            "revenue_change_usd_bn": self.revenue_change_usd_bn,
            "sector_output_pct": dict(self.sector_output_pct),
            "sector_output_change_usd_bn": self.sector_output_change_usd_bn,
            "sector_jobs_pct": dict(self.sector_jobs_pct),
            "balance_basis": self.balance_basis,
            "tariff_revenue_note": "already in national income (and EV); not a separate payoff",
        }


class PayoffModel(Protocol):
    """What the negotiation layer needs from an economic model."""

    pair: Pair

    def evaluate(self, settings: dict[str, float]) -> dict[str, Outcomes]: ...

    def evaluate_many(self, settings: Sequence[dict[str, float]]) -> list[dict[str, Outcomes]]: ...


class UtilityWeights(BaseModel):
    """The political layer of a negotiator's payoff, in dollars (see module docstring).

    ``balance``: dollars of national income one dollar of bilateral balance (exports minus imports)
    counts as; ``sector_output``: the same per dollar of a tracked sector's output (keys as in
    :data:`TRACKED_SECTORS`). All zero = the payoff is the equivalent variation alone.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    balance: float = 0.0
    sector_output: dict[str, float] = Field(default_factory=dict)

    def utility(self, o: Outcomes) -> float:
        """u = EV + w_balance·Δbalance + Σ_k w_k·Δoutput_k, USD bn a year."""
        u = o.equivalent_variation_usd_bn + self.balance * o.balance_change_usd_bn
        changes = o.sector_output_change_usd_bn
        for key, w in self.sector_output.items():
            if key not in changes:
                raise InvalidInputError(f"political weight on unknown sector output {key!r}")
            u += w * changes[key]
        return float(u)

    def describe(self) -> list[str]:
        """Plain-language meaning of each weight."""
        lines = []
        if self.balance:
            lines.append(
                f"one dollar of bilateral balance counts as {self.balance:g} dollars of national income"
            )
        lines += [
            f"one dollar of {key.replace('_', ' ')} output counts as {w:g} dollars of national income"
            for key, w in self.sector_output.items()
            if w
        ]
        return lines or ["none: the payoff is the equivalent variation"]


#: User-set defaults (not estimates): the former point weights (0.005 point per USD bn of balance,
#: 0.05 point per % of US manufacturing and farm output, 0.1 point per % of the partner's car output)
#: converted to dollars at the multi-sector model's US–Japan base (1 point = 1 % of national income)
#: and rounded; the revenue weight is dropped because revenue is already in national income.
DEFAULT_WEIGHTS: dict[str, UtilityWeights] = {
    "USA": UtilityWeights(balance=1.25, sector_output={"us_manufacturing": 0.25, "us_agriculture": 0.75}),
    "partner": UtilityWeights(sector_output={"partner_motor_vehicles": 1.2}),
}

#: No political layer: each side's payoff is its equivalent variation.
MONEY_ONLY: UtilityWeights = UtilityWeights()


def weights_for(pair: Pair, overrides: dict[str, UtilityWeights] | None = None) -> dict[str, UtilityWeights]:
    out = {pair.us: DEFAULT_WEIGHTS["USA"], pair.partner: DEFAULT_WEIGHTS["partner"]}
    for key, value in (overrides or {}).items():
        if key not in out:
            raise InvalidInputError(f"utility weights for {key!r}: not a player of {pair.name}")
        out[key] = value
    return out


#: The Ossa model has no intermediate inputs: its income (= value added) is gross absorption of the
#: ICIO data, about 1.7 times GDP for the US, so its dollar figures are upper bounds (use the
#: multi-sector model for dollars).
OSSA_INCOME_CONCEPT = "gross absorption (Ossa model, no intermediate inputs; about 1.7 x GDP)"


class OssaPayoffModel:
    """Payoffs from the Ossa (2014) multi-sector model (default: the embedded ICIO dataset).

    Evaluates single packages or batches (vectorised Newton over packages, in chunks).
    """

    def __init__(
        self,
        pair: Pair,
        data: TradeWarData,
        assumptions: MappingAssumptions | None = None,
        chunk: int = 256,
    ) -> None:
        self.pair = pair
        self.data = data
        self.assumptions = assumptions or MappingAssumptions()
        self.model = OssaModel(data)
        self.chunk = chunk
        self.us = data.index(pair.us)
        self.partner = data.index(pair.partner)
        self.goods = np.array([s not in GOODS_EXCLUDED for s in data.sectors])
        self._base = self._summaries(self.model.solve())[0]
        self.to_usd_bn = 1.0 if data.unit == "USD bn" else 1e-3

    def inputs(self, settings: dict[str, float]) -> tuple[Array, Array, Array]:
        return model_inputs(self.model.data, self.pair, settings, self.assumptions)

    def _summaries(self, eq: Equilibrium) -> list[dict[str, Array]]:
        """Per-package arrays (balance, revenue, sector outputs) of a (batched) equilibrium."""
        flows = eq.flows.reshape(-1, *eq.flows.shape[-3:])
        w = eq.w_hat.reshape(-1, eq.w_hat.shape[-1])
        E = eq.E_hat.reshape(-1, eq.E_hat.shape[-1])
        P = eq.P_hat.reshape(-1, eq.P_hat.shape[-1])
        rev = eq.revenue.reshape(-1, eq.revenue.shape[-1])
        out = []
        for b in range(flows.shape[0]):
            X = flows[b]
            us, p = self.us, self.partner
            exports_us = X[us, p, self.goods].sum()
            imports_us = X[p, us, self.goods].sum()
            sales = X.sum(axis=1)  # [i, s]
            out.append(
                {"balance_us": np.array(exports_us - imports_us), "revenue": rev[b], "sales": sales,
                 "w": w[b], "E": E[b], "P": P[b]}
            )  # fmt: skip
        return out

    def _sector_value(self, sales: Array, role: str, group: str) -> float:
        c = self.us if role == "us" else self.partner
        names = MANUFACTURING if group == "manufacturing" else (group,)
        idx = [k for k, s in enumerate(self.data.sectors) if s in names]
        return float(sales[c, idx].sum())

    def _outcomes(self, summary: dict[str, Array]) -> dict[str, Outcomes]:
        base = self._base
        out: dict[str, Outcomes] = {}
        k = self.to_usd_bn
        for role, c in (("us", self.us), ("partner", self.partner)):
            sign = 1.0 if role == "us" else -1.0
            outputs: dict[str, float] = {}
            jobs: dict[str, float] = {}
            bases: dict[str, float] = {}
            for r, group, label in TRACKED_SECTORS:
                if r != role:
                    continue
                if group != "manufacturing" and group not in self.data.sectors:
                    continue
                now = self._sector_value(summary["sales"], role, group)
                was = self._sector_value(base["sales"], role, group)
                outputs[label] = 100.0 * (now / was - 1.0)
                bases[label] = was * k
                jobs[label] = 100.0 * (now / was / float(summary["w"][c]) - 1.0)
            bal = sign * float(summary["balance_us"]) * k
            bal0 = sign * float(base["balance_us"]) * k
            rev = float(summary["revenue"][c]) * k
            rev0 = float(base["revenue"][c]) * k
            name = self.data.countries[c]
            out[name] = Outcomes(
                country=name,
                real_income_pct=100.0 * (float(summary["E"][c]) / float(summary["P"][c]) - 1.0),
                cpi_pct=100.0 * (float(summary["P"][c]) - 1.0),
                bilateral_balance_usd_bn=bal,
                balance_change_usd_bn=bal - bal0,
                tariff_revenue_usd_bn=rev,
                revenue_change_usd_bn=rev - rev0,
                sector_output_pct=outputs,
                sector_jobs_pct=jobs,
                national_income_usd_bn=float(self.model.E[c]) * k,
                gdp_usd_bn=float(self.model.E[c]) * k,
                sector_output_base_usd_bn=bases,
                income_concept=OSSA_INCOME_CONCEPT,
            )
        return out

    def evaluate(self, settings: dict[str, float]) -> dict[str, Outcomes]:
        return self.evaluate_many([settings])[0]

    def evaluate_many(self, settings: Sequence[dict[str, float]]) -> list[dict[str, Outcomes]]:
        if len(settings) == 0:
            return []
        results: list[dict[str, Outcomes]] = []
        for start in range(0, len(settings), self.chunk):
            block = settings[start : start + self.chunk]
            inputs = [self.inputs(s) for s in block]
            t = np.stack([i[0] for i in inputs])
            d = np.stack([i[1] for i in inputs])
            nx = np.stack([i[2] for i in inputs])
            eq = self.model.solve(t, nx=nx, trade_cost_hat=d)
            results.extend(self._outcomes(s) for s in self._summaries(eq))
        return results


def utilities(
    outcomes: dict[str, Outcomes], pair: Pair, weights: dict[str, UtilityWeights] | None = None
) -> tuple[float, float]:
    """(u_US, u_partner) of one package's outcomes."""
    w = weights or weights_for(pair)
    return (w[pair.us].utility(outcomes[pair.us]), w[pair.partner].utility(outcomes[pair.partner]))
