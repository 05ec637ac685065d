"""CP's linear welfare decomposition integrated along a K-step tariff path (Caliendo–Parro 2015, eq. 29).

With one step it is the published one-step linearisation; as K grows it converges to the exact change
Ŵ_n − 1 of :mod:`tarifflab.models.ge.multi_sector_welfare`. It drives the model, so it sits above it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tarifflab.errors import InvalidInputError
from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorResults, MultiSectorScenario


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
