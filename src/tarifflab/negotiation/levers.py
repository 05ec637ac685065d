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
    * ``purchase_additionality``: share of a purchase commitment that is additional (would not have been
      bought anyway); A = additionality × the committed amount. 1.0 (all additional) by default, as
      before; lower values are the sensible range for commitments that repackage planned purchases.
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
    pharma_share_of_chemicals: float = 0.3  # multi-sector GE data: pharma within chemicals_pharma
    agriculture_share_of_agri_food: float = 0.4  # multi-sector GE data: raw farm goods within agri_food
    purchase_additionality: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.purchase_additionality <= 1.0:
            raise InvalidInputError(
                f"purchase_additionality must lie in [0, 1], got {self.purchase_additionality:g}"
            )

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
            description="15%-all-inclusive rule on the reciprocal rate (EO 14345, EO 14326 for the EU): total = max(MFN, rate) instead of MFN + rate",
            mapping="switches how the reciprocal rate combines with the MFN rate (cars: us_auto_all_in_rule)",
        ),
        Lever(
            name="us_auto_rate",
            side=US,
            unit="fraction",
            low=0.0,
            high=0.5,
            status_quo=0.0,
            description="S232 rate on passenger vehicles and parts (25% from 2025-04-03; 15% all-in under the deal)",
            mapping="motor-vehicles sector, weighted by the car/parts share; combined with MFN by us_auto_all_in_rule",
        ),
        Lever(
            name="us_auto_all_in_rule",
            side=US,
            unit="switch",
            low=0,
            high=1,
            status_quo=0,
            description="all-inclusive rule on the S232 auto rate: total = max(MFN, rate) (Japan 15% from 2025-09-16, EO 14345; Korea and EU 15%; UK 10% in quota, Proclamation 10949) instead of MFN + rate (Proclamation 10908's 25%)",
            mapping="switches how the auto rate combines with the MFN rate, independently of the reciprocal rule",
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
            description="S232 steel/aluminium headline rate (25% from 2025-03-12, 50% from 2025-06-04); lower = steel relief. Only the headline tier moves: lower tiers (the 2026 annex tiers, derivatives at other rates), metal-content rules and UK quotas keep the law's rates",
            mapping="added to the US metals tariff on the S232-covered share (engine input: replaces the partner's headline-rate steel and aluminium measures only)",
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
    "chemicals", "pharma", "metals", "machinery_electronics", "motor_vehicles", "other_transport",
    "other_manufacturing",
)  # fmt: skip

Shares = dict[str, float]


@dataclass(frozen=True)
class SectorProfile:
    """How a dataset's sectors map onto the lever categories.

    ``us_treatment[sector]``: shares of the sector's imports from the partner under each US
    treatment — ``auto`` (S232 autos), ``metals232`` (S232 steel/aluminium), ``energy`` (Annex II,
    MFN only), ``aircraft`` (reciprocal unless exempt), ``generic_pharma`` (reciprocal unless exempt),
    ``reciprocal`` (everything else); services (no entry) keep their tariffs.
    ``partner_group[sector]``: shares of the partner's imports from the US in ``agriculture``,
    ``food``, ``manufactures`` (the tariff-cut levers). ``purchases[lever]``: sector shares of a
    purchase commitment. ``certification``: the motor-vehicle sector.
    """

    us_treatment: dict[str, Shares]
    partner_group: dict[str, Shares]
    purchases: dict[str, Shares]
    certification: str


def sector_profile(sectors: tuple[str, ...], a: MappingAssumptions) -> SectorProfile:
    """Profile of the embedded negotiation dataset (11 sectors) or of the multi-sector GE default
    (10 sectors: agri_food, …, chemicals_pharma, electronics, machinery, …)."""
    names = set(sectors)
    auto = {"auto": a.auto_share_of_motor_vehicles, "reciprocal": 1 - a.auto_share_of_motor_vehicles}
    metals = {"metals232": a.metals_s232_coverage, "reciprocal": 1 - a.metals_s232_coverage}
    common: dict[str, Shares] = {
        "energy_mining": {"energy": 1.0},
        "metals": metals,
        "motor_vehicles": auto,
        "other_transport": {"aircraft": 1.0},
    }
    if {"agriculture", "food", "pharma", "machinery_electronics"} <= names:
        g = a.generic_pharma_share
        treat = {**common, "pharma": {"generic_pharma": g, "reciprocal": 1 - g}}
        group = {"agriculture": {"agriculture": 1.0}, "food": {"food": 1.0}}
        group.update({m: {"manufactures": 1.0} for m in MANUFACTURES})
        purchases = {
            "farm": {"agriculture": 0.5, "food": 0.5},
            "rice": {"agriculture": 1.0},
            "aircraft": {"other_transport": 1.0},
            "energy": {"energy_mining": 1.0},
            "defence": {"other_transport": 0.5, "machinery_electronics": 0.5},
        }
    elif {"agri_food", "chemicals_pharma", "machinery", "electronics"} <= names:
        g = a.generic_pharma_share * a.pharma_share_of_chemicals
        treat = {**common, "chemicals_pharma": {"generic_pharma": g, "reciprocal": 1 - g}}
        group = {
            "agri_food": {
                "agriculture": a.agriculture_share_of_agri_food,
                "food": 1 - a.agriculture_share_of_agri_food,
            }
        }
        group.update(
            {m: {"manufactures": 1.0} for m in ("chemicals_pharma", "metals", "electronics", "machinery", "motor_vehicles", "other_transport", "other_manufacturing")}
        )  # fmt: skip
        purchases = {
            "farm": {"agri_food": 1.0},
            "rice": {"agri_food": 1.0},
            "aircraft": {"other_transport": 1.0},
            "energy": {"energy_mining": 1.0},
            "defence": {"other_transport": 0.5, "machinery": 0.5},
        }
    else:
        raise UnknownPairError(f"no lever mapping for sectors {', '.join(sectors)}")
    for sector in sectors:
        if sector not in GOODS_EXCLUDED and sector not in treat:
            treat[sector] = {"reciprocal": 1.0}
    return SectorProfile(treat, group, purchases, "motor_vehicles")


def model_inputs(
    data: TradeWarData, pair: Pair, settings: dict[str, float], assumptions: MappingAssumptions | None = None
) -> tuple[Array, Array, Array]:
    """Tariff cube ``t'``, iceberg change ``d̂`` and ``NX'`` (model currency units) for one setting.

    ``data``: flows ``[exporter, importer, sector]``, base tariffs and σ; its sectors must be those of
    the embedded negotiation dataset or of the multi-sector GE default (:func:`sector_profile`).
    """
    a = assumptions or MappingAssumptions()
    values = pair.validate(settings)
    if pair.partner not in data.countries:
        raise UnknownPairError(
            f"partner {pair.partner} is not a country of dataset {data.name} ({', '.join(data.countries)})"
        )
    profile = sector_profile(data.sectors, a)
    us, p = data.index(pair.us), data.index(pair.partner)
    t = data.tariffs.copy()
    d = np.ones_like(t)
    nx = np.zeros(len(data.countries))
    all_in = values["us_all_in_rule"] >= 0.5
    auto_all_in = values["us_auto_all_in_rule"] >= 0.5
    recip = values["us_reciprocal_rate"]

    def combine(mfn: float, rate: float, floor: bool = all_in) -> float:
        return max(mfn, rate) if floor and rate > 0 else mfn + rate

    for s, name in enumerate(data.sectors):
        shares = profile.us_treatment.get(name)
        if not shares:
            continue
        mfn = float(data.tariffs[p, us, s])
        rates = {
            "auto": combine(mfn, values["us_auto_rate"], auto_all_in),
            "metals232": mfn + values["us_steel_rate"],
            "energy": mfn,
            "aircraft": mfn if values["us_exempt_aircraft"] >= 0.5 else combine(mfn, recip),
            "generic_pharma": mfn if values["us_exempt_generic_pharma"] >= 0.5 else combine(mfn, recip),
            "reciprocal": combine(mfn, recip),
        }
        t[p, us, s] = sum(share * rates[cat] for cat, share in shares.items())
    cuts = {
        "agriculture": values["partner_tariff_cut_agriculture"],
        "food": values["partner_tariff_cut_food"],
        "manufactures": values["partner_tariff_cut_manufactures"],
    }
    for s, name in enumerate(data.sectors):
        if name in GOODS_EXCLUDED:
            continue
        groups = profile.partner_group.get(name, {})
        cut = sum(share * cuts[g] for g, share in groups.items())
        t[us, p, s] = data.tariffs[us, p, s] * (1 - cut) + values["partner_retaliation_rate"]
    # purchase commitments (USD bn/yr) → implicit import subsidy raising the US flow by ≈ A
    scale = {"USD bn": 1.0, "USD million": 1000.0}.get(data.unit, 1000.0)  # model units per USD bn
    amounts = {
        "farm": values["purchases_farm_usd_bn"],
        "aircraft": values["purchases_aircraft_usd_bn"],
        "energy": values["purchases_energy_usd_bn"],
        "defence": values["purchases_defence_usd_bn"],
        "rice": values.get("rice_purchase_increase", 0.0)
        * a.rice_baseline_tonnes
        * a.rice_price_usd_per_tonne
        / 1e9,
    }
    shifts: dict[str, float] = {}
    for kind, amount in amounts.items():
        for sector, share in profile.purchases[kind].items():
            shifts[sector] = shifts.get(sector, 0.0) + share * amount * a.purchase_additionality
    for sector, amount in shifts.items():
        if sector not in data.sectors or amount <= 0:
            continue
        k = data.sectors.index(sector)
        base = float(data.flows[us, p, k])
        if base <= 0:
            continue
        factor = (1.0 + amount * scale / base) ** (-1.0 / float(data.sigma[k]))
        t[us, p, k] = (1.0 + t[us, p, k]) * factor - 1.0
    if profile.certification in data.sectors and values["certification_cost_cut"] > 0:
        d[us, p, data.sectors.index(profile.certification)] = 1.0 / (1.0 + values["certification_cost_cut"])
    pledge = values["investment_pledge_usd_bn"] * values["pledge_realisation"]
    if pledge > 0:
        transfer = pledge * a.transfer_fraction() * a.discount_rate * scale
        nx[p] += transfer
        nx[us] -= transfer
    return t, d, nx
