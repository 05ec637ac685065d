"""How much of a partner's 2024 trade a unit quota covers.

The ETR aggregates weight HTS10 lines by 2024 import value and cannot see units, so a preferential rate
limited to a number of units a year (the UK's 100,000 vehicles, Proclamation 10949) is priced in-quota on
all of the line's trade. This module states how much of that trade the quota actually covers:

    share = min(1, quota_units × average_unit_value / 2024 imports in the quota's scope)

The average unit value is an input with a cited default, because the embedded Census lines carry values
only, no quantities.
"""

from __future__ import annotations

from dataclasses import dataclass

from tarifflab.errors import InvalidInputError
from tarifflab.nomenclature.countries import to_iso3
from tarifflab.policy.engine import TariffEngine, engine_partner

# Hagerty, "Charted: Automotive Exports" (2025, SMMT figures): about 105,000 UK cars a year go to the US at an
# average value of about £79,000; converted at the Bank of England's 2024 average USD/GBP of about 1.278.
UK_CAR_AVERAGE_UNIT_VALUE_USD = 79_000 * 1.278


@dataclass(frozen=True)
class QuotaCoverage:
    """2024 imports in a quota's scope and the share a unit quota covers (value terms)."""

    partner: str
    scope: str
    imports_usd: float
    units: int
    average_unit_value_usd: float

    @property
    def quota_value_usd(self) -> float:
        return self.units * self.average_unit_value_usd

    @property
    def share(self) -> float:
        """Share of the 2024 import value inside the quota (0-1)."""
        return 1.0 if self.imports_usd <= 0 else min(1.0, self.quota_value_usd / self.imports_usd)


def quota_coverage(
    partner: str = "GBR",
    scope: str = "passenger_vehicles",
    units: int = 100_000,
    average_unit_value_usd: float = UK_CAR_AVERAGE_UNIT_VALUE_USD,
    engine: TariffEngine | None = None,
) -> QuotaCoverage:
    """The share of ``partner``'s 2024 imports in product ``scope`` that ``units`` a year cover."""
    if units <= 0 or not average_unit_value_usd > 0:
        raise InvalidInputError("a quota needs a positive number of units and a positive average unit value")
    engine = engine or TariffEngine.default()
    iso3 = engine_partner(to_iso3(partner))
    lines = engine.lines[engine.lines["partner"] == iso3]
    mask = engine.scope_mask(scope, "2025-07-01", lines["hs10"].to_numpy(dtype=str))
    return QuotaCoverage(
        iso3, scope, float(lines["imports_usd"].to_numpy()[mask].sum()), units, average_unit_value_usd
    )
