"""Adapters from the scenario lab's :class:`~tarifflab.app.services.ScenarioSpec` to the GE models.

Both adapters read the US tariffs either from a model preset or from the tariff engine on a date
(additional tariff over MFN, trade-weighted, by partner — and by sector in the multi-sector model),
then apply the user's edits, which *set* the additional US tariff on a partner (percent, all sectors).
Welfare is the model's percent change in real income; uncertainty bands are the range over the
published robustness variants of the parameters (see ``docs/dashboard.md``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tarifflab.errors import (
    BackendUnavailableError,
    InvalidInputError,
    ReferenceDataMissingError,
    ScenarioError,
)
from tarifflab.nomenclature.countries import EU27, EU_AGGREGATE, country_name

if TYPE_CHECKING:
    from tarifflab.app.specs import ScenarioSpec


def _members(code: str, available: tuple[str, ...]) -> list[str]:
    """Countries of the model an edit applies to (the EU aggregate → its members in the model)."""
    if code == EU_AGGREGATE and code not in available:
        return [c for c in EU27 if c in available]
    if code not in available:
        raise InvalidInputError(f"{code} ({country_name(code)}) is not a country of this model")
    return [code]


def welfare_frame(iso3: list[str] | tuple[str, ...], welfare_pct: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": list(iso3),
            "name": [country_name(c) for c in iso3],
            "welfare_pct": np.asarray(welfare_pct, dtype=float),
        }
    )


def _with_band(frame: pd.DataFrame, variants: list[np.ndarray]) -> pd.DataFrame:
    stacked = np.vstack([frame["welfare_pct"].to_numpy(), *variants])
    return frame.assign(welfare_low_pct=stacked.min(axis=0), welfare_high_pct=stacked.max(axis=0))


# ------------------------------------------------------------------------------------- one sector


def _engine_kwargs(spec: ScenarioSpec) -> dict[str, Any]:
    """``engine=`` with the uploaded scenario files applied, only when tariffs come from a date and files exist."""
    if spec.source != "date" or not spec.engine_scenarios:
        return {}
    from tarifflab.policy.engine import TariffEngine
    from tarifflab.policy.library import load_library
    from tarifflab.policy.scenario import apply_scenarios, parse_scenario

    files = [parse_scenario(text, name) for name, text in spec.engine_scenarios]
    return {"engine": TariffEngine.for_library(apply_scenarios(load_library(), files))}


class OneSectorBackend:
    """The one-sector 'Liberation Day' model (:mod:`tarifflab.studies.ge_one_sector`)."""

    #: Scenario that solves "these US tariffs, income-tax relief, no retaliation" (Table 1 case 1).
    US_ONLY = "liberation-day"
    #: Robustness variants of the paper (Table 9): trade elasticity 8, firm pass-through 0.25.
    VARIANTS: tuple[dict[str, float], ...] = ({"eps": 8.0}, {"phi_tilde": 0.25})

    def __init__(self) -> None:
        from tarifflab.studies import ge_one_sector as module

        self.module = module
        self.lab = module.OneSectorLab.load()

    def presets(self) -> list[str]:
        return [info.name for info in self.module.scenarios() if info.name != "custom"]

    def _us_vector(self, spec: ScenarioSpec) -> np.ndarray | None:
        iso3 = tuple(self.lab.iso3)
        if spec.source == "date" and spec.on is not None:
            from tarifflab.studies.ge_one_sector_tariffs import us_tariffs_on

            # the law on that date (with the uploaded scenario files), by the studies layer
            vec = us_tariffs_on(iso3, spec.on, **_engine_kwargs(spec)).copy()
        elif spec.edits:
            vec = np.asarray(self.lab.us_tariffs(None), dtype=float).copy()
        else:
            return None
        for code, rate_pct in spec.edits:
            for member in _members(code, iso3):
                vec[iso3.index(member)] = rate_pct / 100.0
        return vec

    def run(self, spec: ScenarioSpec) -> dict[str, Any]:
        name = self.US_ONLY if spec.source == "date" else str(spec.preset)
        us = self._us_vector(spec)
        result = self.lab.run(name, us_tariffs=us)
        table = result.to_frame()
        frame = welfare_frame(tuple(table.index), table["welfare_pct"].to_numpy())
        # the model's other statistics by country (percent changes), beside welfare
        extra = table.drop(columns=["welfare_pct"]).reset_index(drop=True)
        frame = pd.concat([frame, extra], axis=1)
        if spec.uncertainty:
            if name != self.US_ONLY:
                raise InvalidInputError(
                    f"uncertainty bands are computed for US-tariff-only scenarios, not {name!r}"
                )
            frame = _with_band(frame, [self._variant(us, params) for params in self.VARIANTS])
        diagnostics = result.diagnostics
        return {
            "welfare": frame,
            "sectors": None,  # one sector: no sector table
            "diagnostics": {
                "model": "one-sector",
                "scenario": name if spec.source == "preset" else f"US tariffs in force on {spec.on}",
                "converged": bool(getattr(diagnostics, "converged", True)),
                "iterations": int(getattr(diagnostics, "iterations", 0)),
                "max_residual": float(getattr(diagnostics, "max_residual", float("nan"))),
                "seconds": float(getattr(diagnostics, "seconds", float("nan"))),
            },
        }

    def _variant(self, us: np.ndarray | None, params: dict[str, float]) -> np.ndarray:
        from dataclasses import replace

        model = self.lab.model(params=replace(self.lab.params, **params))
        result = self.lab.solve(model, self.lab.ustr_matrix(us), "uncertainty-variant")
        return np.asarray(result.to_frame()["welfare_pct"].to_numpy(), dtype=float)


# ----------------------------------------------------------------------------------- multi sector
class MultiSectorBackend:
    """The multi-sector CES model (:mod:`tarifflab.models.ge.multi_sector`) on the embedded default data."""

    ELASTICITIES = "CP"
    PATTERN_PRESETS = ("uniform-R", "targeted-ISO-R")

    def __init__(self) -> None:
        from tarifflab.models.ge import multi_sector
        from tarifflab.studies import ge_multi_sector

        self.ms = multi_sector
        self.scen = ge_multi_sector
        self.model = multi_sector.MultiSectorModel("default", elasticities=self.ELASTICITIES)

    def presets(self) -> list[str]:
        return [name for name in self.scen.SCENARIOS if name not in self.PATTERN_PRESETS]

    def _scenario(self, spec: ScenarioSpec) -> Any:
        data = self.model.data
        countries = tuple(data.countries)
        if spec.source == "date" or (spec.preset in self.scen.ENGINE_DATES and spec.edits):
            on = (
                spec.on
                if spec.source == "date" and spec.on is not None
                else self.scen.ENGINE_DATES[str(spec.preset)]
            )
            kwargs = _engine_kwargs(spec)
            if kwargs:
                from functools import partial

                from tarifflab.metrics.etr import us_tariff_matrix

                matrix = self.scen.engine_matrix(
                    data, on, us_tariff_matrix=partial(us_tariff_matrix, **kwargs)
                )
            else:
                matrix = self.scen.engine_matrix(data, on)
            for code, rate_pct in spec.edits:
                for member in _members(code, countries):
                    matrix.loc[member, :] = rate_pct / 100.0
            name = f"tariffs-on-{on.isoformat()}"
            return self.ms.MultiSectorScenario(name=name, changes=self.scen.changes_from_matrix(matrix))
        overrides = []
        if spec.edits:
            if spec.preset != "liberation-day":
                raise ScenarioError(
                    f"edits apply to tariff presets (liberation-day, {', '.join(self.scen.ENGINE_DATES)}), "
                    f"not to {spec.preset!r}"
                )
            for code, rate_pct in spec.edits:
                for member in _members(code, countries):
                    overrides.append(
                        self.ms.TariffChange(
                            importer="USA", exporter=member, rate=rate_pct / 100.0, mode="set"
                        )
                    )
        return self.scen.build_scenario(str(spec.preset), data, overrides=tuple(overrides))

    def run(self, spec: ScenarioSpec) -> dict[str, Any]:
        try:
            scenario = self._scenario(spec)
        except ReferenceDataMissingError as missing:
            # the multi-sector model maps the engine's HS lines to its sectors with a concordance it
            # reads from the reference data only (not embedded): without it, say so
            raise BackendUnavailableError(
                f"the multi-sector model cannot read US tariffs from the engine without the reference "
                f"data (its HS6→sector concordance is not embedded): {missing}"
            ) from None
        result = self.model.solve(scenario)
        countries = result.countries_frame()
        frame = welfare_frame(tuple(countries["iso3"]), countries["welfare_pct"].to_numpy())
        if spec.uncertainty:
            frame = _with_band(frame, [self._variant(source, scenario) for source in self._sources()])
        sectors = result.sectors_frame()
        sectors = sectors[sectors["iso3"].isin(["USA", "JPN"])].rename(columns={"iso3": "country"})
        diagnostics = result.diagnostics
        return {
            "welfare": frame,
            "sectors": sectors.reset_index(drop=True),
            "diagnostics": {
                "model": "multi-sector",
                "scenario": scenario.name,
                "scenario_hash": scenario.scenario_hash(),
                "elasticities": self.ELASTICITIES,
                "converged": bool(getattr(diagnostics, "converged", True)),
                "iterations": int(getattr(diagnostics, "iterations", 0)),
                "max_residual": float(getattr(diagnostics, "max_residual", float("nan"))),
                "seconds": float(getattr(diagnostics, "seconds", float("nan"))),
            },
        }

    def _sources(self) -> list[str]:
        return [s for s in self.model.data.elasticities if s != self.ELASTICITIES]

    def _variant(self, source: str, scenario: Any) -> np.ndarray:
        model = _multi_sector_model(source)
        return np.asarray(model.solve(scenario).countries_frame()["welfare_pct"].to_numpy(), dtype=float)


@lru_cache(maxsize=16)
def _multi_sector_model(elasticities: str) -> Any:
    from tarifflab.models.ge.multi_sector import MultiSectorModel

    return MultiSectorModel("default", elasticities=elasticities)
