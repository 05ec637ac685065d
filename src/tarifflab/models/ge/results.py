"""Results of a GE counterfactual: per-country statistics, aggregates, scalars and diagnostics.

Columns (spec ``ge-one-sector.md`` §6), all in percent:

* ``welfare_pct`` — 100(Ŵ_i − 1)
* ``deficit_pct`` — 100(D'_i − D_i)/|D_i|, D = imports − exports
* ``exports_gdp_pct`` / ``imports_gdp_pct`` — change of off-diagonal exports (imports) over income
* ``employment_pct`` — 100(L̂_i − 1)
* ``cpi_pct`` — 100(P̂_i − 1), relative to the scenario's numeraire
* ``revenue_gdp_pct`` — 100 R_i / E_i (counterfactual tariff revenue over baseline expenditure)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tarifflab.errors import UnknownCountryError
from tarifflab.models.ge.one_sector_data import EU25, US, FloatArray
from tarifflab.models.ge.solver import SolverDiagnostics

STAT_COLUMNS: tuple[str, ...] = (
    "welfare_pct",
    "deficit_pct",
    "exports_gdp_pct",
    "imports_gdp_pct",
    "employment_pct",
    "cpi_pct",
    "revenue_gdp_pct",
)
#: Columns that are averaged in aggregates (spec §6: columns 1–6).
AGGREGATED_COLUMNS: tuple[str, ...] = STAT_COLUMNS[:6]


@dataclass(frozen=True, eq=False)
class GEResult:
    """One solved counterfactual.

    Attributes:
        scenario: scenario name.
        iso3: country codes, model order.
        table: N×7 statistics in the order of :data:`STAT_COLUMNS` (percent).
        hats: equilibrium changes ``w_hat`` (ŵ_i), ``E_hat`` (Ê_i), ``L_hat`` (L̂_i), ``P_hat`` (P̂_i).
        weights: weights of the averages (``E_i``; GDP/1000 in the IO variant).
        diagnostics: solver diagnostics.
        scalars: scenario scalars (``global_trade_to_gdp_pct``, ``global_employment_pct``,
            ``us_revenue_gdp_pct``, ``us_revenue_federal_budget_pct``, tariffs used ...).
        tariffs: the tariff matrix ``t_ji`` solved (exporter × importer, fraction).
        description: one line on what was solved.
    """

    scenario: str
    iso3: tuple[str, ...]
    table: FloatArray
    hats: dict[str, FloatArray]
    weights: FloatArray
    diagnostics: SolverDiagnostics
    scalars: dict[str, float] = field(default_factory=dict)
    tariffs: FloatArray | None = None
    description: str = ""

    def index_of(self, iso3: str) -> int:
        """Row of a country; :class:`UnknownCountryError` if it is not in the model."""
        return self._index(iso3)

    def _index(self, iso3: str) -> int:
        try:
            return self.iso3.index(iso3)
        except ValueError:
            raise UnknownCountryError(f"country {iso3!r} is not in the GE model") from None

    def to_frame(self) -> pd.DataFrame:
        """Per-country statistics, one row per ISO3 code (index ``iso3``), percent columns."""
        frame = pd.DataFrame(self.table, columns=list(STAT_COLUMNS))
        frame.insert(0, "iso3", list(self.iso3))
        return frame.set_index("iso3")

    def country(self, iso3: str) -> dict[str, float]:
        """Statistics of one country."""
        row = self.table[self._index(iso3)]
        return {name: float(value) for name, value in zip(STAT_COLUMNS, row, strict=True)}

    def welfare(self, iso3: str) -> float:
        """Δ welfare of one country, percent."""
        return self.country(iso3)["welfare_pct"]

    def average(self, members: Sequence[str], *, weighted: bool = True) -> dict[str, float]:
        """Weighted (by :attr:`weights`) or simple mean of columns 1–6 over ``members``."""
        idx = np.array([self._index(c) for c in members], dtype=np.int64)
        values = self.table[idx, : len(AGGREGATED_COLUMNS)]
        if weighted:
            w = self.weights[idx]
            mean = (w[:, None] * values).sum(axis=0) / w.sum()
        else:
            mean = values.mean(axis=0)
        return {name: float(v) for name, v in zip(AGGREGATED_COLUMNS, mean, strict=True)}

    @property
    def aggregates(self) -> dict[str, dict[str, float]]:
        """``non_us`` (weighted), ``non_us_mean`` (unweighted, Table 10 welfare), ``eu25`` and
        ``row`` (all but USA, CHN and EU25; Table 8)."""
        non_us = [c for c in self.iso3 if c != US]
        eu = [c for c in EU25 if c in self.iso3]
        rest = [c for c in non_us if c != "CHN" and c not in EU25]
        return {
            "non_us": self.average(non_us),
            "non_us_mean": self.average(non_us, weighted=False),
            "eu25": self.average(eu),
            "row": self.average(rest),
        }

    def difference(self, other: GEResult, scenario: str, description: str = "") -> GEResult:
        """Column-by-column ``self − other`` (Table 10 balanced-trade panels report (b) − (a))."""
        return dataclasses.replace(
            self,
            scenario=scenario,
            table=self.table - other.table,
            diagnostics=self.diagnostics.combine(other.diagnostics),
            scalars={k: v - other.scalars.get(k, 0.0) for k, v in self.scalars.items()},
            description=description or self.description,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: scenario, countries, aggregates, diagnostics, scalars."""
        rows = [
            {"iso3": c, **{k: float(v) for k, v in zip(STAT_COLUMNS, r, strict=True)}}
            for c, r in zip(self.iso3, self.table, strict=True)
        ]
        diag = self.diagnostics
        return {
            "scenario": self.scenario,
            "description": self.description,
            "countries": rows,
            "aggregates": self.aggregates,
            "scalars": dict(self.scalars),
            "diagnostics": {
                "iterations": diag.iterations,
                "max_residual": diag.max_residual,
                "seconds": diag.seconds,
                "converged": diag.converged,
            },
        }
