"""Payoffs: from model results to each country's outcomes and its negotiator's utility.

The payoff layer talks to any model through the small :class:`PayoffModel` protocol
(``evaluate(settings) -> {country: Outcomes}``), so the multi-sector GE model can replace the
built-in :class:`OssaPayoffModel` without touching the frontier or bargaining code.

Negotiator utility (``u_c``, in "real-income percent equivalents") is a documented weighted sum:

``u_c = w_income·real_income_pct + w_balance·Δbalance_usd_bn + w_revenue·Δrevenue_usd_bn
+ Σ_k w_k·sector_output_pct_k − w_cpi·cpi_pct``

with defaults in :data:`DEFAULT_WEIGHTS` (political-economy weights; settable).
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
    (employment, since labour in a sector is its wage bill over the wage).
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

    def to_dict(self) -> dict[str, object]:
        return {
            "country": self.country,
            "real_income_pct": self.real_income_pct,
            "cpi_pct": self.cpi_pct,
            "bilateral_balance_usd_bn": self.bilateral_balance_usd_bn,
            "balance_change_usd_bn": self.balance_change_usd_bn,
            "tariff_revenue_usd_bn": self.tariff_revenue_usd_bn,
            "revenue_change_usd_bn": self.revenue_change_usd_bn,
            "sector_output_pct": dict(self.sector_output_pct),
            "sector_jobs_pct": dict(self.sector_jobs_pct),
        }


class PayoffModel(Protocol):
    """What the negotiation layer needs from an economic model."""

    pair: Pair

    def evaluate(self, settings: dict[str, float]) -> dict[str, Outcomes]: ...

    def evaluate_many(self, settings: Sequence[dict[str, float]]) -> list[dict[str, Outcomes]]: ...


class UtilityWeights(BaseModel):
    """Weights of a negotiator's utility (see module docstring). Units: utility points per percent
    (income, CPI, sector output) or per USD bn (balance, revenue)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    real_income: float = 1.0
    balance_usd_bn: float = 0.0
    revenue_usd_bn: float = 0.0
    cpi: float = 0.0
    sector_output: dict[str, float] = Field(default_factory=dict)

    def utility(self, o: Outcomes) -> float:
        u = self.real_income * o.real_income_pct
        u += self.balance_usd_bn * o.balance_change_usd_bn
        u += self.revenue_usd_bn * o.revenue_change_usd_bn
        u -= self.cpi * o.cpi_pct
        for key, w in self.sector_output.items():
            if key not in o.sector_output_pct:
                raise InvalidInputError(f"utility weight on unknown sector output {key!r}")
            u += w * o.sector_output_pct[key]
        return float(u)


#: Defaults: real income counts fully; the US administration also values a smaller bilateral deficit
#: (1 point per $200bn), tariff revenue (1 point per $200bn) and manufacturing and farm output
#: (0.05 point per percent);
#: Japan's government also values its car industry's output (0.1 point per percent).
DEFAULT_WEIGHTS: dict[str, UtilityWeights] = {
    "USA": UtilityWeights(
        real_income=1.0, balance_usd_bn=0.005, revenue_usd_bn=0.005,
        sector_output={"us_manufacturing": 0.05, "us_agriculture": 0.05},
    ),
    "partner": UtilityWeights(real_income=1.0, sector_output={"partner_motor_vehicles": 0.1}),
}  # fmt: skip


def weights_for(pair: Pair, overrides: dict[str, UtilityWeights] | None = None) -> dict[str, UtilityWeights]:
    out = {pair.us: DEFAULT_WEIGHTS["USA"], pair.partner: DEFAULT_WEIGHTS["partner"]}
    for key, value in (overrides or {}).items():
        if key not in out:
            raise InvalidInputError(f"utility weights for {key!r}: not a player of {pair.name}")
        out[key] = value
    return out


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
            for r, group, label in TRACKED_SECTORS:
                if r != role:
                    continue
                if group != "manufacturing" and group not in self.data.sectors:
                    continue
                now = self._sector_value(summary["sales"], role, group)
                was = self._sector_value(base["sales"], role, group)
                outputs[label] = 100.0 * (now / was - 1.0)
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
