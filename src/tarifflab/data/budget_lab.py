"""The Budget Lab's own inputs to its published ETRs (Budget-Lab-Yale/Tariff-ETRs), read as they ship.

The Budget Lab's "State of U.S. Tariffs" reports of 2025 take their tariff change from the Tariff-ETRs
calculator: per Section 232 program a list of HS6 codes and a rate per partner group, IEEPA rates per
GTAP sector and partner group on the imports no 232 program covers, and GTAP-sector USMCA shares for
Canada and Mexico. The configuration of the 30 October 2025 report is in the reference data
(``tariffs/Budget-Lab-Yale__Tariff-ETRs/config/archive/6_digit_hts/10-30``); so are the crosswalk, the
USMCA shares and the partner groups (``resources/``). Every rate returned is a fraction.

The scenario's ``other_params.yaml`` is not in our copy; its five parameters are typed in
:data:`TARIFF_ETRS_10_30_PARAMETERS` with their source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import yaml

from tarifflab.data.reference import reference_path
from tarifflab.errors import DataError

TARIFF_ETRS = "Budget-Lab-Yale__Tariff-ETRs"
PARTNER_GROUPS = ("china", "canada", "mexico", "japan", "uk", "eu", "row", "ftrow")
# The 232 programs whose rate the calculator lowers by the auto rebate and whose USMCA share it scales
# by the US content of North American vehicles (functions.R, calc_weighted_etr).
AUTO_PROGRAMS = frozenset(
    {"automobiles_passenger_and_light_trucks", "automobile_parts", "vehicles_completed_mhd"}
)
CONFIG_10_30 = "config/archive/6_digit_hts/10-30"


@dataclass(frozen=True)
class TariffEtrsParameters:
    """The scalar parameters of a Tariff-ETRs scenario (its ``other_params.yaml``), fractions."""

    us_auto_content_share: float
    us_auto_assembly_share: float
    auto_rebate_rate: float
    ieepa_usmca_exception: bool
    kr_share_ftrow: float
    vn_share_row: float
    source: str


# Budget-Lab-Yale/Tariff-ETRs, config/archive/6_digit_hts/10-30/other_params.yaml at commit 9a5879f1
# (the file beside the s232.yaml and ieepa_rates.csv of our copy; the copy itself lacks it).
TARIFF_ETRS_10_30_PARAMETERS = TariffEtrsParameters(
    us_auto_content_share=0.4,
    us_auto_assembly_share=0.33,
    auto_rebate_rate=0.0375,
    ieepa_usmca_exception=True,
    kr_share_ftrow=0.57,
    vn_share_row=0.94,
    source="https://github.com/Budget-Lab-Yale/Tariff-ETRs/blob/9a5879f1aa28540c13565f4267409223f82d7cd7/"
    "config/archive/6_digit_hts/10-30/other_params.yaml",
)


@dataclass(frozen=True)
class S232Program:
    """One Section 232 program of a Tariff-ETRs scenario: HS6 codes, rate per partner group."""

    name: str
    definite: tuple[str, ...]
    maybe: tuple[str, ...]
    rates: MappingProxyType[str, float] = field(default_factory=lambda: MappingProxyType({}))
    usmca_exempt: bool = False


@dataclass(frozen=True)
class TariffEtrsScenario:
    """A Tariff-ETRs scenario: its 232 programs, IEEPA rates (GTAP sector × partner group, Korea and
    Vietnam folded in as the calculator does) and scalar parameters."""

    name: str
    programs: tuple[S232Program, ...]
    ieepa: pd.DataFrame  # index gtap_code (lower case), columns PARTNER_GROUPS
    parameters: TariffEtrsParameters


def _path(relative: str) -> Path:
    return reference_path("tariffs", TARIFF_ETRS, *relative.split("/"))


def _hs6(code: object) -> str:
    return str(code).strip().zfill(6)


def _programs(raw: object) -> tuple[S232Program, ...]:
    if not isinstance(raw, dict):
        raise DataError("Tariff-ETRs s232.yaml is not a mapping of programs")
    programs = []
    for name, block in raw.items():
        base = block.get("base", {}) or {}
        rates = {str(k): float(v) for k, v in (block.get("rate") or {}).items()}
        programs.append(
            S232Program(
                name=str(name),
                definite=tuple(_hs6(c) for c in base.get("definite") or ()),
                maybe=tuple(_hs6(c) for c in base.get("maybe") or ()),
                rates=MappingProxyType(rates),
                usmca_exempt=bool(block.get("usmca_exempt", 0)),
            )
        )
    return tuple(programs)


def fold_ieepa_rates(raw: pd.DataFrame, parameters: TariffEtrsParameters) -> pd.DataFrame:
    """IEEPA rates by GTAP sector with Korea folded into ``ftrow`` and Vietnam into ``row`` by their
    trade shares, as the calculator does before applying them (columns :data:`PARTNER_GROUPS`)."""
    frame = raw.copy()
    frame["gtap_code"] = frame["gtap_code"].str.strip().str.lower()
    frame = frame.set_index("gtap_code").astype(float)
    kr, vn = parameters.kr_share_ftrow, parameters.vn_share_row
    if "kr" in frame.columns:
        frame["ftrow"] = frame["ftrow"] * (1 - kr) + frame["kr"] * kr
    if "vn" in frame.columns:
        frame["row"] = frame["row"] * (1 - vn) + frame["vn"] * vn
    missing = [g for g in PARTNER_GROUPS if g not in frame.columns]
    if missing:
        raise DataError(f"Tariff-ETRs IEEPA rates lack partner groups {missing}")
    return frame[list(PARTNER_GROUPS)]


@lru_cache(maxsize=2)
def tariff_etrs_scenario(config: str = CONFIG_10_30) -> TariffEtrsScenario:
    """The Budget Lab's scenario of 30 October 2025 (the only one in the reference data)."""
    with _path(f"{config}/s232.yaml").open(encoding="utf-8") as handle:
        programs = _programs(yaml.safe_load(handle))
    parameters = TARIFF_ETRS_10_30_PARAMETERS
    ieepa = fold_ieepa_rates(pd.read_csv(_path(f"{config}/ieepa_rates.csv")), parameters)
    return TariffEtrsScenario(config.rsplit("/", 1)[-1], programs, ieepa, parameters)


@lru_cache(maxsize=1)
def hs6_to_gtap() -> pd.Series:
    """GTAP sector (lower case) of each HS6 code (Aguiar's concordance, as the calculator uses it)."""
    raw = pd.read_csv(_path("resources/hs6_gtap_crosswalk.csv.gz"), dtype={"hs6_code": str})
    return raw.assign(hs6=raw["hs6_code"].str.zfill(6)).set_index("hs6")["gtap_code"].str.lower()


@lru_cache(maxsize=1)
def usmca_sector_shares() -> pd.DataFrame:
    """USMCA-qualifying share of imports by GTAP sector, columns canada and mexico (fractions)."""
    raw = pd.read_csv(_path("resources/usmca_shares.csv"))
    return raw.assign(gtap_code=raw["gtap_code"].str.lower()).set_index("gtap_code")[["canada", "mexico"]]


@lru_cache(maxsize=1)
def partner_groups() -> pd.Series:
    """The calculator's partner group of each Census country code listed (others are ``row``)."""
    raw = pd.read_csv(_path("resources/country_partner_mapping.csv"), dtype={"cty_code": str})
    return raw.set_index(raw["cty_code"].str.zfill(4))["partner"]


@lru_cache(maxsize=1)
def gtap_import_weights() -> pd.DataFrame:
    """GTAP baseline import values by GTAP sector (index) and partner group (columns)."""
    raw = pd.read_csv(_path("resources/gtap_import_weights.csv"), encoding="utf-8-sig")
    frame = raw.assign(gtap_code=raw["gtap_code"].str.lower()).set_index("gtap_code")
    return frame[[g for g in PARTNER_GROUPS if g in frame.columns]].astype(float)
