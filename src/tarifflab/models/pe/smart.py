"""WITS-SMART single-market partial equilibrium, vectorised over every product × supplier line.

One importer, many products g (HS lines), suppliers c. Notation (docs/pe-smart.md has the derivation):

- m_gc   imports of g from c before the change, USD at base-year world prices (SMART normalises world
         prices to 1, so values are quantities);
- t⁰, t¹ ad-valorem tariff before and after (fractions); τ = (1+t¹)/(1+t⁰) the tariff factor;
- η = |ε_m| import demand elasticity, σ Armington substitution elasticity, β export supply elasticity;
- φ = β/(β+η) pass-through of a tariff change to the domestic price (φ = 1 when β = ∞).

SMART works in two steps (Laird & Yeats 1986; Jammes & Olarreaga 2005):

1. **Trade creation** — each supplier's imports respond to its *own* domestic price change with the
   import demand elasticity: exact form m^A = m·r^(−η) with r = τ^φ; linear (textbook SMART) form
   TC = −η·m·φ·Δt/(1+t⁰) = ε·m·Δt/((1+t⁰)(1−ε/β)).
2. **Trade diversion** — the total after creation is re-allocated between suppliers by their relative
   domestic prices with elasticity σ: new shares ∝ w^A·r^(−σ) (exact, CES) or w^A·max(0, 1−σ·p̂)
   (linear). Diversion therefore sums to zero over the suppliers of a product by construction, and can
   never take more from a supplier than it sold (SMART's "ceiling"). For two suppliers, η = 0 and a
   change for one of them, the linear form is exactly the Laird–Yeats formula
   TD = m_j·m_k·σ·ρ / (m_j + m_k + m_j·σ·ρ), ρ the fall in j's relative price.

With a finite β the world (pre-tariff) price of a variety moves by ŵ = τ^(φ−1) (exact) or
1 + (φ−1)·Δt/(1+t⁰) (linear); SMART reports the resulting change in import value as the
**price effect**. Welfare per line: consumer surplus under the variety's own iso-elastic demand curve,
tariff revenue t¹ × new customs value, terms-of-trade gain = −price effect, and the change in
deadweight loss = terms-of-trade gain − (ΔCS + Δrevenue).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.errors import DataError, InvalidInputError
from tarifflab.models.pe.elasticities import ElasticityTable
from tarifflab.models.pe.options import SmartOptions
from tarifflab.models.pe.results import SmartDiagnostics, SmartResult

MIN_FLOW_USD = 1e-6
LINE_COLUMNS: tuple[str, ...] = ("hs10", "partner", "imports_usd", "rate_before", "rate_after")
MAX_RATE = 10.0  # 1,000 %: anything above is almost surely a percent given where a fraction belongs


def validate_lines(lines: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise a line table (hs10, partner, imports_usd, rate_before, rate_after).

    Returns a new frame with exactly those columns (plus any extra columns kept after them), hs10 and
    partner as strings. Raises :class:`DataError` for missing columns and :class:`InvalidInputError`
    for values out of range (negative imports, rates that are negative or look like percent).
    """
    if not isinstance(lines, pd.DataFrame):
        raise DataError("SMART input must be a pandas DataFrame of lines")
    missing = [c for c in LINE_COLUMNS if c not in lines.columns]
    if missing:
        raise DataError(f"SMART input lacks column(s): {', '.join(missing)} (need {', '.join(LINE_COLUMNS)})")
    frame = lines.reset_index(drop=True).copy()
    frame["hs10"] = frame["hs10"].astype(str).str.replace(".", "", regex=False).str.strip()
    frame["partner"] = frame["partner"].astype(str).str.strip().str.upper()
    bad_hs = ~frame["hs10"].str.fullmatch(r"\d{2,10}")
    if bad_hs.any():
        raise InvalidInputError(f"malformed HS code in SMART input: {frame.loc[bad_hs, 'hs10'].iloc[0]!r}")
    for column in ("imports_usd", "rate_before", "rate_after"):
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        if values.isna().any() or np.isinf(values.to_numpy()).any():
            row = frame.loc[values.isna() | np.isinf(values), ["hs10", "partner"]].iloc[0]
            raise InvalidInputError(f"{column} is missing or not finite for {row['hs10']} × {row['partner']}")
        if (values < 0).any():
            row = frame.loc[values < 0, ["hs10", "partner"]].iloc[0]
            raise InvalidInputError(f"{column} is negative for {row['hs10']} × {row['partner']}")
        if column == "imports_usd":
            # Flows below a millionth of a dollar are numerical dust (e.g. subnormal floats); treating them
            # as zero keeps the share ratios finite.
            values = values.where(values >= MIN_FLOW_USD, 0.0)
        if column != "imports_usd" and (values > MAX_RATE).any():
            row = frame.loc[values > MAX_RATE, ["hs10", "partner"]].iloc[0]
            raise InvalidInputError(
                f"{column} above {MAX_RATE:g} for {row['hs10']} × {row['partner']}: rates are fractions (0.15 = 15%)"
            )
        frame[column] = values
    duplicated = frame.duplicated(["hs10", "partner"])
    if duplicated.any():
        row = frame.loc[duplicated, ["hs10", "partner"]].iloc[0]
        raise InvalidInputError(f"duplicate SMART line {row['hs10']} × {row['partner']}")
    extra = [c for c in frame.columns if c not in LINE_COLUMNS]
    return frame[[*LINE_COLUMNS, *extra]]


def _product_sum(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Σ over the lines of each product, broadcast back to the lines."""
    return np.bincount(codes, weights=values, minlength=n)[codes]


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _elasticities_per_line(hs10: pd.Series, table: ElasticityTable) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(hs10, sort=False)
    resolved = table.resolve(pd.Series(uniques))
    return codes.astype(np.intp), resolved.to_numpy(dtype=float)


def smart_effects(lines: pd.DataFrame, options: SmartOptions | None = None) -> SmartResult:
    """Run SMART on a validated or raw line table; see the module docstring for the equations."""
    return SmartModel(lines).solve(options)


class SmartModel:
    """The import market of one importer: every product × supplier line with its tariff change."""

    def __init__(self, lines: pd.DataFrame, importer: str = "USA") -> None:
        self.lines = validate_lines(lines)
        self.importer = importer

    def solve(self, options: SmartOptions | None = None) -> SmartResult:
        """Compute creation, diversion, price effect, revenue and welfare for every line."""
        options = options or SmartOptions()
        start = time.perf_counter()
        frame = self.lines
        codes, per_product = _elasticities_per_line(frame["hs10"], options.elasticities)
        n_products = len(per_product)
        eta = per_product[codes, 0]
        sigma = per_product[codes, 1]
        beta = per_product[codes, 2]

        m = frame["imports_usd"].to_numpy(dtype=float)
        t0 = frame["rate_before"].to_numpy(dtype=float)
        t1 = frame["rate_after"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            phi = 1.0 / (1.0 + eta / beta)  # β = ∞ → φ = 1 (full pass-through)
        tariff_change = (t1 - t0) / (1.0 + t0)  # Δt/(1+t⁰) = τ − 1

        if options.form == "exact":
            log_tau = np.log1p(t1) - np.log1p(t0)
            log_r = phi * log_tau  # domestic price ratio r = τ^φ
            w_hat = np.exp((phi - 1.0) * log_tau)  # world price ratio ŵ = τ^(φ−1)
            m_created = m * np.exp(-eta * log_r)
            weight = np.exp(-sigma * log_r)
            one_minus_eta = 1.0 - eta
            small = np.abs(one_minus_eta) < 1e-12
            cs_factor = np.where(
                small, log_r, np.expm1(one_minus_eta * log_r) / np.where(small, 1.0, one_minus_eta)
            )
        else:
            p_hat = phi * tariff_change  # domestic price change
            w_hat = np.maximum(1.0 + (phi - 1.0) * tariff_change, 0.0)  # first order; floored at zero
            m_created = np.maximum(m * (1.0 - eta * p_hat), 0.0)
            weight = np.maximum(1.0 - sigma * p_hat, 0.0)
            cs_factor = p_hat * (1.0 - 0.5 * eta * p_hat)

        creation = m_created - m
        total_created = _product_sum(codes, m_created, n_products)
        weighted = _product_sum(codes, m_created * weight, n_products)
        m_new = np.where(weighted > 0, m_created * weight * _safe_ratio(total_created, weighted), m_created)
        diversion = m_new - m_created
        imports_after = m_new * w_hat
        price_effect = imports_after - m_new

        revenue_before = t0 * m
        revenue_after = t1 * imports_after
        consumer_surplus = 0.0 - m * (1.0 + t0) * cs_factor
        terms_of_trade = 0.0 - price_effect  # (avoids printing -0.0)
        net_welfare = consumer_surplus + revenue_after - revenue_before
        deadweight = terms_of_trade - net_welfare

        diversion_sum = np.bincount(codes, weights=diversion, minlength=n_products)
        scale = np.bincount(codes, weights=m, minlength=n_products)
        residual = float(np.max(np.abs(diversion_sum) / np.maximum(scale, 1.0), initial=0.0))
        negative = float(np.min(m_new, initial=0.0))
        seconds = time.perf_counter() - start

        out = pd.DataFrame(
            {
                "hs10": frame["hs10"].to_numpy(),
                "partner": frame["partner"].to_numpy(),
                "imports_before_usd": m,
                "rate_before": t0,
                "rate_after": t1,
                "demand_elasticity": eta,
                "substitution_elasticity": sigma,
                "supply_elasticity": beta,
                "pass_through": phi,
                "trade_creation_usd": creation,
                "trade_diversion_usd": diversion,
                "price_effect_usd": price_effect,
                "imports_after_usd": imports_after,
                "revenue_before_usd": revenue_before,
                "revenue_after_static_usd": t1 * m,
                "revenue_after_usd": revenue_after,
                "consumer_surplus_change_usd": consumer_surplus,
                "terms_of_trade_gain_usd": terms_of_trade,
                "net_welfare_change_usd": net_welfare,
                "deadweight_loss_change_usd": deadweight,
            }
        )
        diagnostics = SmartDiagnostics(
            lines=len(out),
            products=n_products,
            seconds=seconds,
            iterations=0,
            max_residual=residual,
            converged=bool(residual < 1e-9 and negative >= 0.0),
            min_imports_after_usd=negative,
        )
        return SmartResult(lines=out, options=options, diagnostics=diagnostics, importer=self.importer)


def describe(options: SmartOptions) -> dict[str, Any]:
    """Plain description of a run's configuration (for JSON output)."""
    table = options.elasticities
    return {
        "form": options.form,
        "demand_elasticity": table.demand,
        "substitution_elasticity": table.substitution,
        "supply_elasticity": None if math.isinf(table.supply) else table.supply,
        "supply_elasticity_infinite": math.isinf(table.supply),
        "hs_overrides": len(table.overrides),
        "elasticity_source": table.source,
    }
