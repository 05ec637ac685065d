"""Welfare accounting of the multi-sector model: the exact change, an exact decomposition, and the
Caliendo–Parro (2015) linear decomposition in one step (as published) or integrated along the path.

* **Exact** (the headline, ``welfare_pct``): Ŵ_n − 1 = Î_n/P̂_n − 1 with national income
  I_n = w_n L_n + R_n − S_n (value added + tariff revenue − trade surplus).
* **Exact decomposition** (:func:`exact_decomposition`): the identity

      Ŵ_n − 1 = (ŵ_n VA_n/P̂_n − VA_n)/I_n + (R'_n/P̂_n − R_n)/I_n − (S'_n/P̂_n − S_n)/I_n

  splits the change into real value added (factor income), real tariff revenue and the real
  value of the transfer abroad; the three parts sum to ``welfare_pct`` by construction.
* **CP one-step linearisation (as published)** (``welfare_decomp_pct``): terms of trade + volume of
  trade evaluated with base-year flows, tariffs and income (CP ``Welfarelineal.m``). For large tariff
  cuts it is far from the exact change: it values the whole change in imports at base-year tariffs
  that are zero afterwards.
* **Path-integrated CP decomposition** (:func:`path_decomposition`): the same linear terms summed over
  K equal steps of the tariff path t(k/K) = t₀ + (k/K)(t₁ − t₀), each step linearised around the
  previous step's equilibrium. It converges to the exact change as K grows (error ∝ 1/K).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tarifflab.errors import InvalidInputError

if TYPE_CHECKING:
    from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorResults

CP_LINEAR_LABEL = "CP one-step linearisation (as published)"


@dataclass(frozen=True)
class ExactDecomposition:
    """Parts of Ŵ_n − 1 (fractions of base national income); ``total`` = their sum = Ŵ_n − 1."""

    value_added: np.ndarray
    tariff_revenue: np.ndarray
    transfers: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.value_added + self.tariff_revenue + self.transfers


def exact_decomposition(result: MultiSectorResults) -> ExactDecomposition:
    """Exact split of the real-income change into value added, tariff revenue and transfers.

    Uses base value added VA_n, base and counterfactual revenue R_n, R'_n and surplus S_n, S'_n (million
    USD) and the consumer price index P̂_n; divided by base national income I_n.
    """
    p = result.price_hat
    income = result.income_base
    va_part = (result.w_hat * result.value_added_base / p - result.value_added_base) / income
    rev_part = (result.tariff_revenue / p - result.tariff_revenue_base) / income
    transfer_part = -(result.surplus_new / p - result.surplus_base) / income
    return ExactDecomposition(va_part, rev_part, transfer_part)


@dataclass(frozen=True)
class PathDecomposition:
    """CP terms summed along a K-step tariff path (fractions of income, compounded over steps)."""

    steps: int
    terms_of_trade: np.ndarray
    volume_of_trade: np.ndarray
    total: np.ndarray
    exact: np.ndarray


def path_decomposition(model: MultiSectorModel, tariffs_new: np.ndarray, steps: int) -> PathDecomposition:
    """Integrate CP's linear decomposition along t₀ → t₁ in ``steps`` equal steps.

    Each step k linearises around the equilibrium of step k − 1 (its flows, tariffs and income); the
    step's welfare contributions d_k = ToT_k + VoT_k compound, 1 + total = Π_k (1 + d_k). ToT and VoT
    are reported as sums of their step values. With ``steps=1`` this is the one-step (published) value.
    """
    if steps < 1:
        raise InvalidInputError(f"the tariff path needs at least one step, got {steps}")
    t0 = model.base.kappa - 1.0
    t1 = np.asarray(tariffs_new, dtype=float)
    if t1.shape != t0.shape:
        raise InvalidInputError(f"tariff cube has shape {t1.shape}, expected {t0.shape}")
    from tarifflab.models.ge.multi_sector import MultiSectorScenario

    scenario = MultiSectorScenario(name="tariff path")
    prev = model.solve(scenario, tariffs=t0)
    n = len(model.countries)
    tot_sum, vot_sum, growth = np.zeros(n), np.zeros(n), np.ones(n)
    last = prev
    for k in range(1, steps + 1):
        cur = model.solve(scenario, tariffs=t0 + (k / steps) * (t1 - t0))
        tot, vot = _step_terms(prev, cur)
        tot_sum += tot
        vot_sum += vot
        growth *= 1.0 + tot + vot
        prev = last = cur
    return PathDecomposition(steps, tot_sum, vot_sum, growth - 1.0, last.welfare_hat - 1.0)


def _step_terms(a: MultiSectorResults, b: MultiSectorResults) -> tuple[np.ndarray, np.ndarray]:
    """CP ToT and VoT of the move from equilibrium ``a`` to ``b``, linearised at ``a``."""
    X0, X1 = a.flows_pre, b.flows_pre
    dc = b.c_hat / a.c_hat - 1.0
    income = a.income_base * a.income_hat
    exports = np.einsum("nms,ns->n", X0, dc)
    imports = np.einsum("ins,is->n", X0, dc)
    xhat = np.where(X0 > 0, X1 / np.where(X0 > 0, X0, 1.0), 1.0)
    vot = np.einsum("ins,ins->n", a.tariffs_new * X0, (xhat - 1.0) - dc[:, None, :])
    return (exports - imports) / income, vot / income
