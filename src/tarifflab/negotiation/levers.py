"""Negotiation levers: typed, with unit, range and a documented mapping into model inputs.

A *lever* is one number a negotiator controls (a tariff rate, a purchase commitment, an on/off
exemption encoded as 0/1). A *package* is a named setting of levers. The mapping of every lever into
the trade model's inputs — a tariff cube ``t'[i, j, s]``, an iceberg trade-cost change
``d̂[i, j, s]`` and net-export changes ``NX'_j`` — is :func:`model_inputs`; its assumptions are
named parameters of :class:`MappingAssumptions` (stated, adjustable, documented in
docs/negotiation.md).

The same machinery serves any pair ``USA``–partner (``us-japan``, ``us-eu``, ``us-korea``,
``us-uk``…); levers specific to one partner (Japan's rice minimum access) exist only for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tarifflab.errors import InvalidInputError, UnknownCountryError
from tarifflab.negotiation.ossa_model import Array, TradeWarData
from tarifflab.nomenclature.countries import to_iso3


class UnknownLeverError(InvalidInputError):
    """A lever name that the negotiation pair does not have."""


class LeverRangeError(InvalidInputError):
    """A lever value outside the lever's range."""


class Lever(BaseModel):
    """One negotiable quantity. ``value`` semantics by ``unit``: ``fraction`` (0.15 = 15%),
    ``usd_bn_per_year``, ``usd_bn``, ``share`` (0–1 of a stock), ``switch`` (0 off / 1 on)."""

    model_config = ConfigDict(frozen=True)

    name: str
    side: str = Field(description="ISO3 of the country that concedes or sets the lever")
    unit: str
    low: float
    high: float
    status_quo: float = Field(description="value before the 2025 measures (the 2024 status quo)")
    description: str
    mapping: str = Field(description="how the value enters the model")

    def check(self, value: float) -> float:
        if not isinstance(value, int | float) or (isinstance(value, bool) and self.unit != "switch"):
            raise LeverRangeError(f"lever {self.name}: value must be a number, got {value!r}")
        v = float(value)
        if math.isnan(v) or v < self.low - 1e-12 or v > self.high + 1e-12:
            raise LeverRangeError(
                f"lever {self.name}: {v:g} is outside its range [{self.low:g}, {self.high:g}] ({self.unit})"
            )
        if self.unit == "switch" and v not in (0.0, 1.0):
            raise LeverRangeError(f"lever {self.name} is a switch: use 0 or 1 (or false/true), got {v:g}")
        return v


@dataclass(frozen=True)
class MappingAssumptions:
    """Stated, adjustable assumptions of the lever → model mapping.

    * ``generic_pharma_share``: share of the partner's pharma exports to the US that are generics
      (exempted by EO 14345); 0.3 by assumption.
    * ``metals_s232_coverage``: share of the model's metals sector (basic + fabricated metals) under
      S232 steel/aluminium tariffs; 0.6 by assumption.
    * ``auto_share_of_motor_vehicles``: share of motor-vehicle exports that are cars and parts under the
      S232 auto proclamation (the rest: trucks, buses); 0.9.
    * ``rice_baseline_tonnes`` (346,000 t, FY2024 US rice under minimum access, facts/trade_japan.csv)
      and ``rice_price_usd_per_tonne`` (900 USD/t, assumption) turn the rice lever into USD.
    * Investment pledge: a project yielding an NPV-zero cash flow at ``discount_rate`` over
      ``project_years`` is split 50/50 until Japan recoups its capital, then 90/10 to the US (MOU of
      2025-09-04). The present value Japan gives up is a transfer; it enters as a permanent annual
      transfer ``PV × discount_rate`` (``NX'_partner = +T``, ``NX'_USA = −T``). ``pledge_realisation``
      scales the headline pledge.
    * ``purchase_elasticity_sigma``: purchase commitments are demand shifts toward US goods realised by
      an implicit import subsidy (a negative tariff-equivalent) whose cost the partner bears:
      ``(1+t') = (1+t)(1 + A/X)^(-1/σ_s)`` raises the US flow ``X`` by about ``A`` at given prices.
    """

    generic_pharma_share: float = 0.3
    metals_s232_coverage: float = 0.6
    auto_share_of_motor_vehicles: float = 0.9
    rice_baseline_tonnes: float = 346_000.0
    rice_minimum_access_tonnes: float = 770_000.0
    rice_price_usd_per_tonne: float = 900.0
    discount_rate: float = 0.05
    project_years: int = 20
    pledge_years: float = 3.4  # 2025-09-04 MOU to the 2029-01-19 commitment deadline

    def transfer_fraction(self) -> float:
        """Share of the pledged capital's present value that the partner gives up (50/50 then 90/10)."""
        r, n = self.discount_rate, self.project_years
        annuity = (1 - (1 + r) ** -n) / r
        cash = 1.0 / annuity  # per unit of capital, per year
        received, pv = 0.0, 0.0
        for year in range(1, n + 1):
            share = 0.5 if received < 1.0 else 0.1
            received += share * cash
            pv += share * cash / (1 + r) ** year
        return 1.0 - pv


US = "USA"


def _us_levers() -> list[Lever]:
    return [
        Lever(
            name="us_reciprocal_rate",
            side=US,
            unit="fraction",
            low=0.0,
            high=0.5,
            status_quo=0.0,
            description="IEEPA reciprocal/baseline rate on the partner's goods (10% baseline, 24% Annex I, 25% July letter, 15% deal)",
            mapping="added to the US tariff on the partner in every goods sector except S232 sectors (motor vehicles, metals share), energy (Annex II) and exempted sectors; with the all-in rule the total is max(MFN, rate)",
        ),
        Lever(
            name="us_all_in_rule",
            side=US,
            unit="switch",
            low=0,
            high=1,
            status_quo=0,
            description="15%-all-inclusive rule (EO 14345): total = max(MFN, rate) instead of MFN + rate",
            mapping="switches how the reciprocal and auto rates combine with the MFN rate",
        ),
        Lever(
            name="us_auto_rate",
            side=US,
            unit="fraction",
            low=0.0,
            high=0.5,
            status_quo=0.0,
            description="S232 rate on passenger vehicles and parts (25% from 2025-04-03; 15% all-in under the deal)",
            mapping="motor-vehicles sector, weighted by the car/parts share; combined with MFN by the all-in switch",
        ),
        Lever(
            name="us_exempt_aircraft",
            side=US,
            unit="switch",
            low=0,
            high=1,
            status_quo=0,
            description="civil aircraft exempt from reciprocal tariffs (EO 14345)",
            mapping="other-transport sector gets no reciprocal rate",
        ),
        Lever(
            name="us_exempt_generic_pharma",
            side=US,
            unit="switch",
            low=0,
            high=1,
            status_quo=0,
            description="generic pharmaceuticals exempt from reciprocal tariffs (EO 14345)",
            mapping="reciprocal rate on pharma scaled by (1 - generic share)",
        ),
        Lever(
            name="us_steel_rate",
            side=US,
            unit="fraction",
            low=0.0,
            high=0.5,
            status_quo=0.0,
            description="S232 steel/aluminium rate (25% from 2025-03-12, 50% from 2025-06-04); lower = steel relief",
            mapping="added to the US metals tariff on the S232-covered share",
        ),
    ]


def _partner_levers(partner: str) -> list[Lever]:
    levers = [
        Lever(
            name="partner_tariff_cut_agriculture",
            side=partner,
            unit="share",
            low=0.0,
            high=1.0,
            status_quo=0.0,
            description="cut of the partner's tariffs on US agricultural goods (share of the current rate removed)",
            mapping="partner tariff on US agriculture × (1 - cut)",
        ),
        Lever(
            name="partner_tariff_cut_food",
            side=partner,
            unit="share",
            low=0.0,
            high=1.0,
            status_quo=0.0,
            description="cut of the partner's tariffs on US processed food",
            mapping="partner tariff on US food × (1 - cut)",
        ),
        Lever(
            name="partner_tariff_cut_manufactures",
            side=partner,
            unit="share",
            low=0.0,
            high=1.0,
            status_quo=0.0,
            description="cut of the partner's tariffs on US manufactures",
            mapping="partner tariff on every US manufacturing sector × (1 - cut)",
        ),
        Lever(
            name="partner_retaliation_rate",
            side=partner,
            unit="fraction",
            low=0.0,
            high=0.5,
            status_quo=0.0,
            description="retaliatory tariff on all US goods (escalation; Japan did not retaliate in 2025)",
            mapping="added to the partner's tariff on US goods in every goods sector",
        ),
        Lever(
            name="purchases_farm_usd_bn",
            side=partner,
            unit="usd_bn_per_year",
            low=0.0,
            high=20.0,
            status_quo=0.0,
            description="commitment to buy US farm and other goods ($8bn/yr in the July 2025 deal)",
            mapping="demand shift toward US agriculture and food (half each) via an implicit import subsidy paid by the partner",
        ),
        Lever(
            name="purchases_aircraft_usd_bn",
            side=partner,
            unit="usd_bn_per_year",
            low=0.0,
            high=10.0,
            status_quo=0.0,
            description="commitment to buy US aircraft (100 Boeing ≈ $12bn over about five years → 2.4/yr)",
            mapping="demand shift toward US other transport",
        ),
        Lever(
            name="purchases_energy_usd_bn",
            side=partner,
            unit="usd_bn_per_year",
            low=0.0,
            high=30.0,
            status_quo=0.0,
            description="commitment to buy US energy (LNG, crude)",
            mapping="demand shift toward US energy and mining",
        ),
        Lever(
            name="purchases_defence_usd_bn",
            side=partner,
            unit="usd_bn_per_year",
            low=0.0,
            high=10.0,
            status_quo=0.0,
            description="increase of US defence purchases ($14bn → $17bn a year: +3)",
            mapping="demand shift toward US other transport and machinery (half each)",
        ),
        Lever(
            name="certification_cost_cut",
            side=partner,
            unit="fraction",
            low=0.0,
            high=0.2,
            status_quo=0.0,
            description="acceptance of US-certified cars: tariff-equivalent of the testing cost removed (assumption; 5% in the built-in deal)",
            mapping="iceberg trade cost of US motor vehicles into the partner × 1/(1 + cut)",
        ),
        Lever(
            name="investment_pledge_usd_bn",
            side=partner,
            unit="usd_bn",
            low=0.0,
            high=1000.0,
            status_quo=0.0,
            description="investment vehicle pledge ($550bn; cash flows 50/50 until recoup, then 90/10 to the US)",
            mapping="present value given up (transfer fraction × pledge × realisation) enters as a permanent annual transfer PV × discount rate from partner to US (NX')",
        ),
        Lever(
            name="pledge_realisation",
            side=partner,
            unit="share",
            low=0.0,
            high=1.0,
            status_quo=1.0,
            description="share of the headline pledge actually deployed (assumption)",
            mapping="scales the investment pledge",
        ),
    ]
    if partner == "JPN":
        top = (
            MappingAssumptions().rice_minimum_access_tonnes / MappingAssumptions().rice_baseline_tonnes - 1.0
        )
        levers.append(
            Lever(name="rice_purchase_increase", side="JPN", unit="share", low=0.0, high=round(top, 4), status_quo=0.0,
                  description="increase of US rice bought within Japan's 770,000 t minimum access (+75% in the deal); capped by the minimum access",
                  mapping="extra tonnes × price → demand shift toward US agriculture; total imports unchanged (diversion within the quota)")
        )  # fmt: skip
    return levers


@dataclass(frozen=True)
class Pair:
    """A negotiating pair: the US and one partner, with their levers."""

    name: str
    us: str
    partner: str
    levers: dict[str, Lever] = field(default_factory=dict)

    @property
    def players(self) -> tuple[str, str]:
        return (self.us, self.partner)

    def lever(self, name: str) -> Lever:
        try:
            return self.levers[name]
        except KeyError:
            raise UnknownLeverError(
                f"unknown lever {name!r} for {self.name}; known: {', '.join(sorted(self.levers))}"
            ) from None

    def status_quo(self) -> dict[str, float]:
        return {name: lever.status_quo for name, lever in self.levers.items()}

    def validate(self, settings: dict[str, float]) -> dict[str, float]:
        """Complete ``settings`` with status-quo values, checking names and ranges."""
        values = self.status_quo()
        for name, value in settings.items():
            lever = self.lever(name)
            values[name] = lever.check(float(value) if isinstance(value, bool) else value)
        return values


PAIR_ALIASES = {
    "japan": "JPN",
    "eu": "EUN",
    "korea": "KOR",
    "uk": "GBR",
    "china": "CHN",
    "canada": "CAN",
    "mexico": "MEX",
}


def get_pair(name: str) -> Pair:
    """``us-japan``, ``us-eu``, ``us-korea``, ``us-uk``, ``us-china``… (or ``USA-JPN``)."""
    text = name.strip().lower().replace("_", "-")
    parts = text.split("-", 1)
    if len(parts) != 2 or parts[0] not in ("us", "usa"):
        raise UnknownPairError(f"unknown negotiating pair {name!r}; use us-<partner>, e.g. us-japan")
    tail = parts[1]
    try:
        partner = PAIR_ALIASES.get(tail) or to_iso3(tail)
    except UnknownCountryError:
        raise UnknownPairError(
            f"unknown negotiating pair {name!r}: partner {tail!r} is not a country"
        ) from None
    if partner == US:
        raise UnknownPairError("a pair needs a partner other than the US")
    levers = {lever.name: lever for lever in (*_us_levers(), *_partner_levers(partner))}
    canonical = f"us-{tail}" if tail in PAIR_ALIASES else f"us-{partner.lower()}"
    return Pair(name=canonical, us=US, partner=partner, levers=levers)


class UnknownPairError(InvalidInputError):
    """A negotiating pair that cannot be resolved or is not covered by the dataset."""


GOODS_EXCLUDED = ("services",)
MANUFACTURES = (
    "chemicals",
    "pharma",
    "metals",
    "machinery_electronics",
    "motor_vehicles",
    "other_transport",
    "other_manufacturing",
)


def _sector(data: TradeWarData, name: str) -> int | None:
    return data.sectors.index(name) if name in data.sectors else None


def model_inputs(
    data: TradeWarData, pair: Pair, settings: dict[str, float], assumptions: MappingAssumptions | None = None
) -> tuple[Array, Array, Array]:
    """Tariff cube ``t'``, iceberg change ``d̂`` and ``NX'`` (model currency units) for one setting.

    Needs the default dataset's sector names (agriculture, food, energy_mining, pharma, metals,
    motor_vehicles, other_transport, machinery_electronics, services…); sectors absent from ``data``
    are skipped.
    """
    a = assumptions or MappingAssumptions()
    values = pair.validate(settings)
    if pair.partner not in data.countries:
        raise UnknownPairError(
            f"partner {pair.partner} is not a country of dataset {data.name} ({', '.join(data.countries)})"
        )
    us, p = data.index(pair.us), data.index(pair.partner)
    t = data.tariffs.copy()
    d = np.ones_like(t)
    nx = np.zeros(len(data.countries))
    mfn_us = data.tariffs[p, us, :]
    S = len(data.sectors)
    goods = np.array([name not in GOODS_EXCLUDED for name in data.sectors])
    all_in = values["us_all_in_rule"] >= 0.5

    def combine(mfn: float, rate: float) -> float:
        return max(mfn, rate) if all_in and rate > 0 else mfn + rate

    recip = values["us_reciprocal_rate"]
    for s in range(S):
        name = data.sectors[s]
        if not goods[s]:
            continue
        mfn = float(mfn_us[s])
        if name == "motor_vehicles":
            share = a.auto_share_of_motor_vehicles
            car = combine(mfn, values["us_auto_rate"])
            rest = combine(mfn, recip)
            t[p, us, s] = share * car + (1 - share) * rest
        elif name == "metals":
            cov = a.metals_s232_coverage
            t[p, us, s] = cov * (mfn + values["us_steel_rate"]) + (1 - cov) * combine(mfn, recip)
        elif name == "energy_mining":
            t[p, us, s] = mfn  # Annex II energy exclusions
        elif name == "other_transport" and values["us_exempt_aircraft"] >= 0.5:
            t[p, us, s] = mfn
        elif name == "pharma" and values["us_exempt_generic_pharma"] >= 0.5:
            g = a.generic_pharma_share
            t[p, us, s] = g * mfn + (1 - g) * combine(mfn, recip)
        else:
            t[p, us, s] = combine(mfn, recip)
    # partner side: tariff cuts and retaliation on US goods
    cuts = {
        "agriculture": values["partner_tariff_cut_agriculture"],
        "food": values["partner_tariff_cut_food"],
    }
    for s in range(S):
        name = data.sectors[s]
        if not goods[s]:
            continue
        cut = cuts.get(name, values["partner_tariff_cut_manufactures"] if name in MANUFACTURES else 0.0)
        t[us, p, s] = data.tariffs[us, p, s] * (1 - cut) + values["partner_retaliation_rate"]
    # purchase commitments (USD bn/yr) → implicit import subsidy raising the US flow by ≈ A
    scale = 1.0 if data.unit == "USD bn" else 1000.0  # model units per USD bn
    shifts: dict[str, float] = {}

    def add(sector: str, amount: float) -> None:
        shifts[sector] = shifts.get(sector, 0.0) + amount

    add("agriculture", values["purchases_farm_usd_bn"] / 2)
    add("food", values["purchases_farm_usd_bn"] / 2)
    add("other_transport", values["purchases_aircraft_usd_bn"])
    add("energy_mining", values["purchases_energy_usd_bn"])
    add("other_transport", values["purchases_defence_usd_bn"] / 2)
    add("machinery_electronics", values["purchases_defence_usd_bn"] / 2)
    if "rice_purchase_increase" in values:
        tonnes = values["rice_purchase_increase"] * a.rice_baseline_tonnes
        add("agriculture", tonnes * a.rice_price_usd_per_tonne / 1e9)
    for sector, amount in shifts.items():
        s_idx = _sector(data, sector)
        if s_idx is None or amount <= 0:
            continue
        base = float(data.flows[us, p, s_idx])
        if base <= 0:
            continue
        factor = (1.0 + amount * scale / base) ** (-1.0 / float(data.sigma[s_idx]))
        t[us, p, s_idx] = (1.0 + t[us, p, s_idx]) * factor - 1.0
    mv = _sector(data, "motor_vehicles")
    if mv is not None and values["certification_cost_cut"] > 0:
        d[us, p, mv] = 1.0 / (1.0 + values["certification_cost_cut"])
    pledge = values["investment_pledge_usd_bn"] * values["pledge_realisation"]
    if pledge > 0:
        transfer = pledge * a.transfer_fraction() * a.discount_rate * scale
        nx[p] += transfer
        nx[us] -= transfer
    return t, d, nx
