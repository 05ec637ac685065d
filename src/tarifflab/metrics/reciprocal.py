"""The USTR "reciprocal tariff" formula of April 2025 (EO 14257, Annex I).

USTR's note: the tariff change that would balance bilateral goods trade with partner i is

    Δτ_i = (m_i − x_i) / (ε · φ · m_i)

with m_i US imports from i, x_i US exports to i (Census basis, 2024), ε = 4 the import demand
elasticity (in absolute value) and φ = 0.25 the pass-through of tariffs to import prices. Because
ε·φ = 1 this is deficit ÷ imports. The rate imposed was half of it, rounded, with a 10 % floor.

Rounding (USTR does not document it; docs/reciprocal.md): the Annex I first posted on 2 April 2025
equals ⌈½·Δτ⌉ on the unrounded Census figures (Japan 24, China 34, Vietnam 46, EU 20, Korea 26,
India 27). On 3 April about 14–18 rates were revised down by one point to match the Rose Garden chart
(Korea 25, India 26, …); no single rule reproduces those. ``rounding="ceil"`` (default) reproduces
the first annex; ``"chart"`` gives ⌈round(Δτ)/2⌉; ``"none"`` returns ½·Δτ unrounded.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tarifflab.data.census import census_trade
from tarifflab.errors import DataError, InvalidInputError
from tarifflab.nomenclature.countries import country_name

Rounding = Literal["ceil", "chart", "none"]
USTR_EPSILON = 4.0
USTR_PHI = 0.25
USTR_FLOOR_PCT = 10.0
_TOLERANCE = 1e-9  # guards ⌈·⌉ against binary noise (23.000000000001 → 23)


def _check_parameters(epsilon: float, phi: float, floor_pct: float, rounding: str) -> None:
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
        raise InvalidInputError(
            f"epsilon (import demand elasticity, absolute value) must be > 0, got {epsilon!r}"
        )
    if not (isinstance(phi, int | float) and math.isfinite(phi) and phi > 0):
        raise InvalidInputError(f"phi (pass-through) must be > 0, got {phi!r}")
    if not (math.isfinite(floor_pct) and floor_pct >= 0):
        raise InvalidInputError(f"floor must be ≥ 0 percent, got {floor_pct!r}")
    if rounding not in ("ceil", "chart", "none"):
        raise InvalidInputError(f"unknown rounding {rounding!r} (use ceil, chart or none)")


def formula_rate_pct(
    imports_usd: float, exports_usd: float, epsilon: float = USTR_EPSILON, phi: float = USTR_PHI
) -> float:
    """Δτ in percent: 100·(m − x)/(ε·φ·m). Negative for a US surplus."""
    _check_parameters(epsilon, phi, 0.0, "none")
    if not (math.isfinite(imports_usd) and imports_usd > 0):
        raise InvalidInputError(f"imports must be > 0 for the formula, got {imports_usd!r}")
    if not (math.isfinite(exports_usd) and exports_usd >= 0):
        raise InvalidInputError(f"exports must be ≥ 0, got {exports_usd!r}")
    return 100.0 * (imports_usd - exports_usd) / (epsilon * phi * imports_usd)


def _round_half(formula_pct: np.ndarray, rounding: Rounding) -> np.ndarray:
    if rounding == "ceil":
        return np.ceil(formula_pct / 2.0 - _TOLERANCE)
    if rounding == "chart":
        chart = np.floor(formula_pct + 0.5)
        return np.ceil(chart / 2.0 - _TOLERANCE)
    return formula_pct / 2.0


def reciprocal_rate_pct(
    formula_pct: float | np.ndarray, rounding: Rounding = "ceil", floor_pct: float = USTR_FLOOR_PCT
) -> np.ndarray:
    """Announced rate from Δτ (percent): max(floor, rounded ½·Δτ). NaN Δτ (no imports) → the floor."""
    values = np.asarray(formula_pct, dtype=float)
    halved = _round_half(values, rounding)
    return np.where(np.isnan(values), floor_pct, np.maximum(floor_pct, halved))


def implied_rate(
    imports_usd: float,
    exports_usd: float,
    epsilon: float = USTR_EPSILON,
    phi: float = USTR_PHI,
    rounding: Rounding = "ceil",
    floor_pct: float = USTR_FLOOR_PCT,
) -> float:
    """Reciprocal rate (percent) the USTR formula gives for any trade balance (m, x in USD).

    >>> implied_rate(148.2e9, 79.7e9)   # Japan 2024, rounded Census figures
    24.0
    """
    _check_parameters(epsilon, phi, floor_pct, rounding)
    formula = formula_rate_pct(imports_usd, exports_usd, epsilon, phi)
    return float(reciprocal_rate_pct(formula, rounding, floor_pct))


def _trade_source(source: pd.DataFrame | str | Path | None) -> pd.DataFrame:
    """partner, year, imports_usd, exports_usd from the embedded table, a frame or a Census country.csv."""
    if source is None:
        return census_trade()
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        path = Path(source)
        if not path.exists():
            raise DataError(f"trade source not found: {path}")
        frame = pd.read_csv(path, dtype={"CTY_CODE": str, "partner": str})
    if {"CTY_CODE", "IYR", "EYR", "year"} <= set(frame.columns):  # raw Census country.csv (USD millions)
        from tarifflab.data.census import census_to_iso3

        mapping = census_to_iso3()
        codes = frame["CTY_CODE"].astype(str).str.zfill(4)
        frame = frame.loc[codes.isin(mapping)].assign(partner=codes.map(mapping))
        frame = frame.groupby(["partner", "year"], as_index=False)[["IYR", "EYR"]].sum()
        return pd.DataFrame(
            {
                "partner": frame["partner"],
                "year": frame["year"].astype(int),
                "imports_usd": frame["IYR"] * 1e6,
                "exports_usd": frame["EYR"] * 1e6,
            }
        )
    needed = {"partner", "year", "imports_usd", "exports_usd"}
    if not needed <= set(frame.columns):
        raise DataError(f"trade source needs columns {sorted(needed)} or a Census country.csv layout")
    return frame


def reciprocal_table(
    year: int = 2024,
    epsilon: float = USTR_EPSILON,
    phi: float = USTR_PHI,
    source: pd.DataFrame | str | Path | None = None,
    rounding: Rounding = "ceil",
    floor_pct: float = USTR_FLOOR_PCT,
) -> pd.DataFrame:
    """The reciprocal formula for every partner in ``year``.

    Columns: partner (ISO3; ``EUN`` = the EU aggregate, computed on Census code 0003), name,
    imports_usd, exports_usd, deficit_usd (= m − x), formula_rate_pct (100·Δτ), reciprocal_rate_pct
    (max(floor, rounded half)). Sorted by deficit, largest first. ``source``: None = the embedded
    Census table (2015–2024); or a DataFrame / CSV with partner, year, imports_usd, exports_usd; or a
    Census ``country.csv``.
    """
    _check_parameters(epsilon, phi, floor_pct, rounding)
    trade = _trade_source(source)
    years = sorted(int(y) for y in trade["year"].unique())
    if int(year) not in years:
        raise InvalidInputError(f"no trade data for {year} (available: {years[0]}–{years[-1]})")
    rows = trade.loc[trade["year"] == int(year)]
    imports = rows["imports_usd"].to_numpy(dtype=float)
    exports = rows["exports_usd"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        formula = np.where(imports > 0, 100.0 * (imports - exports) / (epsilon * phi * imports), np.nan)
    table = pd.DataFrame(
        {
            "partner": rows["partner"].astype(str).to_numpy(),
            "imports_usd": imports,
            "exports_usd": exports,
            "deficit_usd": imports - exports,
            "formula_rate_pct": formula,
            "reciprocal_rate_pct": reciprocal_rate_pct(formula, rounding, floor_pct),
        }
    )
    table.insert(1, "name", table["partner"].map(country_name))
    return table.sort_values("deficit_usd", ascending=False, ignore_index=True)
