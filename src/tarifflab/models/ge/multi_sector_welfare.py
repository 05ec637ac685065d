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
from typing import Protocol

import numpy as np


class EquilibriumIncome(Protocol):
    """What the decomposition reads from a solved equilibrium (``MultiSectorResults`` provides it)."""

    @property
    def price_hat(self) -> np.ndarray: ...

    @property
    def income_base(self) -> np.ndarray: ...

    @property
    def w_hat(self) -> np.ndarray: ...

    @property
    def value_added_base(self) -> np.ndarray: ...

    @property
    def tariff_revenue(self) -> np.ndarray: ...

    @property
    def tariff_revenue_base(self) -> np.ndarray: ...

    @property
    def surplus_new(self) -> np.ndarray: ...

    @property
    def surplus_base(self) -> np.ndarray: ...


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


def exact_decomposition(result: EquilibriumIncome) -> ExactDecomposition:
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
