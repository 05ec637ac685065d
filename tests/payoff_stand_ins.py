"""Stand-in payoff models with known answers, for the negotiation tests (the PayoffModel protocol)."""

from __future__ import annotations

from collections.abc import Sequence

from tarifflab.negotiation.levers import Pair
from tarifflab.negotiation.payoffs import Outcomes


class LinearModel:
    """u_US = 10kr − e/10, u_JPN = 2 − 10kr − e/10 (USD bn), r the reciprocal rate, e energy purchases.

    National income is 100 USD bn, so the equivalent variation in USD bn equals real income in %; ``k``
    scales the rate's effect (a stand-in for a trade elasticity).
    """

    def __init__(self, pair: Pair, k: float = 1.0) -> None:
        self.pair = pair
        self.k = k

    def _one(self, s: dict[str, float]) -> dict[str, Outcomes]:
        r, waste = self.k * s["us_reciprocal_rate"], s["purchases_energy_usd_bn"] / 10
        return {
            "USA": Outcomes("USA", 10 * r - waste, 0.0, 0.0, 0.0, 0.0, 0.0, national_income_usd_bn=100.0),
            "JPN": Outcomes(
                "JPN", 2.0 - 10 * r - waste, 0.0, 0.0, 0.0, 0.0, 0.0, national_income_usd_bn=100.0
            ),
        }

    def evaluate(self, settings: dict[str, float]) -> dict[str, Outcomes]:
        return self._one(settings)

    def evaluate_many(self, settings: Sequence[dict[str, float]]) -> list[dict[str, Outcomes]]:
        return [self._one(s) for s in settings]
