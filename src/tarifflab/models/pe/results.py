"""Results of a SMART run: per-line effects, aggregation by partner / sector / chapter, totals."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tarifflab.errors import InvalidInputError
from tarifflab.nomenclature.hs_sections import section_of, section_title

if TYPE_CHECKING:
    from tarifflab.models.pe.options import SmartOptions

SUM_COLUMNS: tuple[str, ...] = (
    "imports_before_usd",
    "trade_creation_usd",
    "trade_diversion_usd",
    "price_effect_usd",
    "imports_after_usd",
    "revenue_before_usd",
    "revenue_after_static_usd",
    "revenue_after_usd",
    "consumer_surplus_change_usd",
    "terms_of_trade_gain_usd",
    "net_welfare_change_usd",
    "deadweight_loss_change_usd",
)

LEVELS: tuple[str, ...] = ("partner", "chapter", "section", "gtap", "hs6", "hs10", "market")


@dataclass(frozen=True)
class SmartDiagnostics:
    """How a SMART run went. SMART is closed-form: ``iterations`` is 0 and ``max_residual`` is the
    largest |Σ_c trade diversion| of a product relative to its imports (0 by construction)."""

    lines: int
    products: int
    seconds: float
    iterations: int
    max_residual: float
    converged: bool
    min_imports_after_usd: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _with_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the effective tariff rates (percent) of each row: before, static after, after substitution."""
    out = frame.copy()
    before = out["imports_before_usd"].to_numpy(dtype=float)
    after = out["imports_after_usd"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["etr_before_pct"] = np.where(before > 0, 100 * out["revenue_before_usd"] / before, np.nan)
        out["etr_after_static_pct"] = np.where(
            before > 0, 100 * out["revenue_after_static_usd"] / before, np.nan
        )
        out["etr_after_substitution_pct"] = np.where(
            after > 0, 100 * out["revenue_after_usd"] / after, np.nan
        )
        out["imports_change_pct"] = np.where(before > 0, 100 * (after / before - 1), np.nan)
    out["imports_change_usd"] = out["imports_after_usd"] - out["imports_before_usd"]
    return out


@dataclass(frozen=True)
class SmartResult:
    """Per-line SMART effects (USD, base-year prices) with aggregation helpers.

    ``lines`` has one row per product × supplier: imports before/after, trade creation (TC),
    trade diversion (TD, sums to zero within a product), price effect, tariff revenue before,
    static after (t¹·m) and after substitution (t¹·m¹), consumer-surplus change, terms-of-trade gain,
    net welfare change (ΔCS + Δrevenue) and change in deadweight loss.
    """

    lines: pd.DataFrame
    options: SmartOptions
    diagnostics: SmartDiagnostics
    importer: str = "USA"

    def to_frame(self) -> pd.DataFrame:
        """The per-line table with effective-rate columns added."""
        return _with_ratios(self.lines)

    def by(self, level: str, gtap: pd.Series | None = None) -> pd.DataFrame:
        """Sum the effects by ``partner``, ``chapter`` (HS2), ``section`` (HS section), ``hs6``,
        ``hs10``, ``gtap`` (needs ``gtap``: a Series mapping hs10 → GTAP code) or ``market`` (one row).
        Sorted by imports before, largest first; effective rates recomputed on the sums."""
        if level not in LEVELS:
            raise InvalidInputError(f"unknown aggregation level {level!r} (use one of {', '.join(LEVELS)})")
        frame = self.lines
        if level == "partner":
            key = frame["partner"]
        elif level == "chapter":
            key = frame["hs10"].str.slice(0, 2)
        elif level == "hs6":
            key = frame["hs10"].str.slice(0, 6)
        elif level == "hs10":
            key = frame["hs10"]
        elif level == "section":
            key = section_of(frame["hs10"])
        elif level == "gtap":
            if gtap is None:
                raise InvalidInputError("aggregation by GTAP sector needs an hs10 → GTAP mapping")
            key = frame["hs10"].map(gtap).fillna("unmapped")
        else:
            key = pd.Series("ALL", index=frame.index)
        grouped = frame[list(SUM_COLUMNS)].groupby(key.rename(level).to_numpy(), sort=False).sum()
        grouped.index.name = level
        grouped = grouped.reset_index().sort_values("imports_before_usd", ascending=False, ignore_index=True)
        if level == "section":
            grouped.insert(1, "title", grouped["section"].map(section_title))
        return _with_ratios(grouped)

    def totals(self) -> dict[str, float]:
        """Market totals (all lines) with effective rates in percent."""
        row = self.by("market").iloc[0]
        return {c: float(row[c]) for c in row.index if c != "market"}

    def filtered(self, partner: str | None = None, hs_prefix: str | None = None) -> SmartResult:
        """The same result restricted to some lines (the model has already been solved on all of them)."""
        mask = pd.Series(True, index=self.lines.index)
        if partner is not None:
            mask &= self.lines["partner"] == partner
        if hs_prefix is not None:
            mask &= self.lines["hs10"].str.startswith(hs_prefix)
        return SmartResult(
            lines=self.lines.loc[mask].reset_index(drop=True),
            options=self.options,
            diagnostics=self.diagnostics,
            importer=self.importer,
        )
