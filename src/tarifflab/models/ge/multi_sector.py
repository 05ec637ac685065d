"""Multi-country, multi-sector CES general equilibrium with optional input–output links.

Public API::

    from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorScenario, TariffChange
    model = MultiSectorModel(dataset="default", elasticities="CP", io=True, deficits="balanced")
    result = model.solve(MultiSectorScenario(name="jp15", changes=(
        TariffChange(importer="USA", exporter="JPN", rate=0.15, mode="add"),)))
    result.countries_frame(); result.sectors_frame(); result.diagnostics

The model is Lashkaripour (2021) (``ustariff``/``tariffwar``, σ_s = ε_s + 1, Cobb–Douglas across
sectors, tariff revenue rebated) extended with Caliendo–Parro (2015) input–output links when ``io``
is true: unit costs ĉ_is = ŵ_i^{β_is} ∏_k P̂_ik^{(1−β_is)γ_i^{ks}}. Equations in
:mod:`tarifflab.models.ge.multi_sector_equations`; calibration in ``multi_sector_calibration``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator

from tarifflab.errors import ConvergenceError, InvalidElasticityError, InvalidInputError, ScenarioError
from tarifflab.models.ge.multi_sector_calibration import Deficits, calibrate
from tarifflab.models.ge.multi_sector_data import MultiSectorData, load_dataset
from tarifflab.models.ge.multi_sector_equations import Baseline, Equations, Shock, State
from tarifflab.models.ge.multi_sector_solver import Diagnostics, SolverOptions, solve_equations
from tarifflab.models.ge.multi_sector_welfare import exact_decomposition

ALL = "*"


class TariffChange(BaseModel):
    """One change to the tariff cube: importer's tariff on exporter in sector(s).

    ``mode="set"``: t'_ins = rate; ``mode="add"``: t'_ins = t_ins + rate (additional tariff);
    ``mode="scale"``: t'_ins = rate · t_ins. ``exporter="*"`` = every partner of the importer,
    ``sector="*"`` = every sector. Rates are fractions (0.15 = 15 %).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    importer: str
    exporter: str = ALL
    sector: str = ALL
    rate: float
    mode: Literal["set", "add", "scale"] = "set"

    @field_validator("rate")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not np.isfinite(v):
            raise ValueError("tariff rate must be finite")
        return v


class MultiSectorScenario(BaseModel):
    """A counterfactual: tariff changes, retaliation rule, and whether to solve the optimal US tariff.

    retaliation: ``none``; ``reciprocal`` — every exporter hit by a US tariff change imposes on US goods,
    sector by sector, the same change (``set``: the same level; ``add``: the same increment).
    optimal_us: replace US import tariffs on all partners by the uniform optimal tariff
    t* = 1/max(1, Θ_US) (Lashkaripour 2021 eq. 14; ge-multi-sector.md A.9).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "custom"
    changes: tuple[TariffChange, ...] = ()
    retaliation: Literal["none", "reciprocal"] = "none"
    optimal_us: bool = False

    def scenario_hash(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class MultiSectorResults:
    """Solution of one scenario. Hats are new/old ratios; ``*_pct`` columns are percent changes.

    welfare: Ŵ_n = Î_n / P̂_n (real national income; P̂_n = ∏_k P̂_nk^{α_nk}) — the exact change and the
    headline (``welfare_pct``); ``exact_*_pct`` columns split it exactly (they sum to ``welfare_pct``);
    ``welfare_decomp_pct`` is the CP one-step linearisation (as published), see
    :mod:`tarifflab.models.ge.multi_sector_welfare`;
    real_wage: ŵ_n / P̂_n; w_hat: ŵ_n (numeraire: world value added); P_hat: P̂_ns;
    output: Q̂_is/ĉ_is (real gross output); exports, imports: pre-tariff values in base-year million USD.
    """

    scenario: MultiSectorScenario
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    w_hat: np.ndarray
    income_hat: np.ndarray
    price_hat: np.ndarray
    P_hat: np.ndarray
    c_hat: np.ndarray
    welfare_hat: np.ndarray
    output_hat: np.ndarray
    output_nominal_hat: np.ndarray
    flows_pre: np.ndarray  # counterfactual pre-tariff flows X'_ins (million USD)
    flows_pre_base: np.ndarray
    tariff_revenue: np.ndarray
    tariff_revenue_base: np.ndarray
    tariffs_new: np.ndarray
    tariffs_base: np.ndarray
    income_base: np.ndarray
    value_added_base: np.ndarray
    surplus_base: np.ndarray
    surplus_new: np.ndarray
    diagnostics: Diagnostics
    optimal_us_tariff: float | None = None
    meta: Mapping[str, object] = field(default_factory=dict)

    def welfare_decomposition(self) -> tuple[np.ndarray, np.ndarray]:
        """Caliendo–Parro (2015) first-order welfare decomposition (``Welfarelineal.m``), fractions:
        the CP one-step linearisation (as published), not the exact change ``welfare_hat − 1``.

        ToT_n = [Σ_{s,m} X_{n m s}(ĉ_ns − 1) − Σ_{s,i} X_{i n s}(ĉ_is − 1)] / I_n,
        VoT_n = Σ_{s,i} t_{i n s} X_{i n s} [(X̂_{i n s} − 1) − (ĉ_is − 1)] / I_n,
        with base-year pre-tariff flows X and income I. CP's published NAFTA welfare is ToT + VoT.
        """
        X0, X1 = self.flows_pre_base, self.flows_pre
        dc = self.c_hat - 1.0  # [i, s]
        exports = np.einsum("nms,ns->n", X0, dc)
        imports = np.einsum("ins,is->n", X0, dc)
        tot = (exports - imports) / self.income_base
        xhat = np.where(X0 > 0, X1 / np.where(X0 > 0, X0, 1.0), 1.0)
        vot = np.einsum("ins,ins->n", self.tariffs_base * X0, (xhat - 1.0) - dc[:, None, :])
        return tot, vot / self.income_base

    # ---- tables
    def countries_frame(self) -> pd.DataFrame:
        n = len(self.countries)
        off = ~np.eye(n, dtype=bool)
        exp_new = (self.flows_pre * off[:, :, None]).sum(axis=(1, 2))
        exp_old = (self.flows_pre_base * off[:, :, None]).sum(axis=(1, 2))
        imp_new = (self.flows_pre * off[:, :, None]).sum(axis=(0, 2))
        imp_old = (self.flows_pre_base * off[:, :, None]).sum(axis=(0, 2))
        tot, vot = self.welfare_decomposition()
        exact = exact_decomposition(self)
        return pd.DataFrame(
            {
                "iso3": list(self.countries),
                "welfare_pct": 100.0 * (self.welfare_hat - 1.0),
                "exact_value_added_pct": 100.0 * exact.value_added,
                "exact_tariff_revenue_pct": 100.0 * exact.tariff_revenue,
                "exact_transfers_pct": 100.0 * exact.transfers,
                "welfare_decomp_pct": 100.0 * (tot + vot),
                "tot_pct": 100.0 * tot,
                "vot_pct": 100.0 * vot,
                "real_wage_pct": 100.0 * (self.w_hat / self.price_hat - 1.0),
                "wage_pct": 100.0 * (self.w_hat - 1.0),
                "price_index_pct": 100.0 * (self.price_hat - 1.0),
                "income_pct": 100.0 * (self.income_hat - 1.0),
                "exports_pct": 100.0 * (exp_new / np.maximum(exp_old, 1e-300) - 1.0),
                "imports_pct": 100.0 * (imp_new / np.maximum(imp_old, 1e-300) - 1.0),
                "tariff_revenue_musd": self.tariff_revenue,
                "tariff_revenue_base_musd": self.tariff_revenue_base,
            }
        )

    def sectors_frame(self) -> pd.DataFrame:
        n, s = len(self.countries), len(self.sectors)
        off = ~np.eye(n, dtype=bool)[:, :, None]
        exp_new = (self.flows_pre * off).sum(axis=1)
        exp_old = (self.flows_pre_base * off).sum(axis=1)
        imp_new = (self.flows_pre * off).sum(axis=0)
        imp_old = (self.flows_pre_base * off).sum(axis=0)

        def pct(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.where(b > 0, 100.0 * (a / np.where(b > 0, b, 1.0) - 1.0), 0.0)

        return pd.DataFrame(
            {
                "iso3": np.repeat(np.asarray(self.countries), s),
                "sector": np.tile(np.asarray(self.sectors), n),
                "output_pct": (100.0 * (self.output_hat - 1.0)).ravel(),
                "output_nominal_pct": (100.0 * (self.output_nominal_hat - 1.0)).ravel(),
                "exports_pct": pct(exp_new, exp_old).ravel(),
                "imports_pct": pct(imp_new, imp_old).ravel(),
                "price_pct": (100.0 * (self.P_hat - 1.0)).ravel(),
            }
        )

    def to_frame(self) -> pd.DataFrame:
        return self.countries_frame()

    def bilateral_balance(self, a: str, b: str) -> tuple[float, float]:
        """(base, counterfactual) goods-and-services balance of ``a`` with ``b``, million USD, pre-tariff."""
        i, j = self.countries.index(a), self.countries.index(b)
        base = float(self.flows_pre_base[i, j].sum() - self.flows_pre_base[j, i].sum())
        new = float(self.flows_pre[i, j].sum() - self.flows_pre[j, i].sum())
        return base, new

    def welfare_pct(self, iso3: str) -> float:
        return float(100.0 * (self.welfare_hat[self.countries.index(iso3)] - 1.0))

    def output_pct(self, iso3: str, sector: str) -> float:
        return float(100.0 * (self.output_hat[self.countries.index(iso3), self.sectors.index(sector)] - 1.0))

    def to_json_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario.name,
            "retaliation": self.scenario.retaliation,
            "scenario_hash": self.scenario.scenario_hash(),
            "model": "multi-sector",
            **{k: v for k, v in self.meta.items()},
            "optimal_us_tariff": self.optimal_us_tariff,
            "countries": self.countries_frame().to_dict(orient="records"),
            "sectors": self.sectors_frame()[
                ["iso3", "sector", "output_pct", "exports_pct", "imports_pct"]
            ].to_dict(orient="records"),
            "diagnostics": self.diagnostics.as_dict(),
        }


class MultiSectorModel:
    """Multi-sector CES model built from a dataset; call :meth:`solve` with a scenario.

    Parameters
    ----------
    dataset: ``"default"`` | ``"icio"`` | ``"wiod"`` | ``"cp"`` or a :class:`MultiSectorData`.
    year: ICIO year (2011–2022); ignored for the others.
    elasticities: source code (``IS``, ``U4``, ``CP``, ``BSY``, ``GYY``, ``Shap``, ``FGO``, ``LL``) or an
        explicit ε_s vector.
    io: use input–output links (Caliendo–Parro); False = Lashkaripour's one-factor model.
    deficits: ``balanced`` (purge imbalances first, the ustariff/CP default) or ``fixed`` (keep the
        data's surpluses S_n in the counterfactual).
    """

    def __init__(
        self,
        dataset: str | MultiSectorData = "default",
        *,
        year: int | None = None,
        elasticities: str | Sequence[float] | np.ndarray = "CP",
        io: bool = True,
        deficits: Deficits = "balanced",
        options: SolverOptions | None = None,
    ) -> None:
        self.data = dataset if isinstance(dataset, MultiSectorData) else load_dataset(dataset, year)
        if isinstance(elasticities, str):
            if elasticities not in self.data.elasticities and elasticities.upper() in {
                k.upper() for k in self.data.elasticities
            }:
                elasticities = next(k for k in self.data.elasticities if k.upper() == elasticities.upper())
            self.elasticity_source = elasticities
            eps = self.data.epsilon(elasticities)
        else:
            self.elasticity_source = "custom"
            eps = np.asarray(elasticities, dtype=float)
            if eps.shape != (self.data.n_sectors,):
                raise InvalidInputError(
                    f"elasticity vector has {eps.size} entries, dataset has {self.data.n_sectors} sectors"
                )
            if not np.all(np.isfinite(eps)):
                raise InvalidElasticityError("elasticity vector contains NaN")
            if np.any(eps <= 0):
                raise InvalidElasticityError("trade elasticities must be positive")
        self.eps = eps
        self.io = bool(io)
        self.deficits = deficits
        self.options = options or SolverOptions()
        t0 = time.perf_counter()
        self.base: Baseline = calibrate(self.data, eps, self.io, deficits)
        self.calibration_seconds = time.perf_counter() - t0
        self._last: State | None = None

    @property
    def countries(self) -> tuple[str, ...]:
        return self.data.countries

    @property
    def sectors(self) -> tuple[str, ...]:
        return self.data.sectors

    # ------------------------------------------------------------------ tariffs
    def tariff_cube(self, scenario: MultiSectorScenario, us_rate: float | None = None) -> np.ndarray:
        """Counterfactual tariff levels t'_ins for ``scenario`` (fraction)."""
        data = self.data
        t_old = self.base.kappa - 1.0
        t_new = t_old.copy()
        n = data.n_countries
        diag = np.eye(n, dtype=bool)
        us = data.countries.index("USA") if "USA" in data.countries else None
        touched_us: np.ndarray = np.zeros_like(t_new, dtype=bool)
        level_us: np.ndarray = np.zeros_like(t_new, dtype=bool)  # mirrored as a level, not a change
        for ch in scenario.changes:
            imp = self._country(ch.importer)
            mask = np.zeros_like(t_new, dtype=bool)
            ex = [i for i in range(n) if i != imp] if ch.exporter == ALL else [self._country(ch.exporter)]
            secs = list(range(data.n_sectors)) if ch.sector == ALL else [data.sector_index(ch.sector)]
            for i in ex:
                if i == imp:
                    raise ScenarioError(f"a tariff change of {ch.importer} on itself is not allowed")
                mask[i, imp, secs] = True
            if ch.mode == "set":
                t_new[mask] = ch.rate
            elif ch.mode == "add":
                t_new[mask] = t_new[mask] + ch.rate
            else:
                t_new[mask] = t_new[mask] * ch.rate
            if us is not None and imp == us:
                touched_us |= mask
                level_us = (level_us & ~mask) | (mask if ch.mode == "set" else False)
        if scenario.optimal_us or us_rate is not None:
            if us is None:
                raise ScenarioError("optimal US tariff needs a dataset with USA")
            rate = 0.0 if us_rate is None else us_rate
            t_new[:, us, :] = rate
            touched_us[:, us, :] = True
            touched_us[us, us, :] = False
            level_us[:, us, :] = True
        if scenario.retaliation == "reciprocal" and us is not None:
            # mirror: partner j's tariff on US goods in sector s follows the US tariff on j in s —
            # the same level for "set" changes and the optimal tariff, the same increment otherwise
            touched = touched_us[:, us, :]  # [j, s]
            level = level_us[:, us, :]
            inc = t_new[us, :, :] + (t_new[:, us, :] - t_old[:, us, :])
            mirrored = np.where(level, t_new[:, us, :], inc)
            t_new[us, :, :] = np.where(touched, mirrored, t_new[us, :, :])
        t_new[diag] = 0.0
        if np.any(t_new <= -1.0) or not np.all(np.isfinite(t_new)):
            raise ScenarioError(f"scenario {scenario.name}: tariffs must stay above −100 %")
        return t_new

    def _country(self, code: str) -> int:
        from tarifflab.nomenclature.countries import to_iso3

        iso = code.upper()
        if iso not in self.data.countries:
            iso = to_iso3(code)
        return self.data.country_index(iso)

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        scenario: MultiSectorScenario | None = None,
        *,
        warm_start: bool = True,
        tariffs: np.ndarray | None = None,
    ) -> MultiSectorResults:
        """Solve the counterfactual equilibrium of ``scenario`` (or of an explicit tariff cube)."""
        scenario = scenario or MultiSectorScenario(name="baseline")
        if scenario.optimal_us:
            return self._solve_optimal(scenario)
        t_new = self.tariff_cube(scenario) if tariffs is None else np.asarray(tariffs, dtype=float)
        if t_new.shape != self.base.kappa.shape:
            raise InvalidInputError(f"tariff cube has shape {t_new.shape}, expected {self.base.kappa.shape}")
        if not np.all(np.isfinite(t_new)):
            raise InvalidInputError("tariff cube contains NaN")
        st, diag = self._solve_cube(t_new, warm_start)
        return self._results(scenario, t_new, st, diag)

    def solve_batch(
        self,
        tariff_cubes: np.ndarray | Sequence[np.ndarray],
        scenarios: Sequence[MultiSectorScenario] | None = None,
        *,
        retry_one_by_one: bool = True,
    ) -> list[MultiSectorResults]:
        """Solve K counterfactual tariff cubes t'_ins (fractions, ``[K, i, n, s]``) together.

        Each package gets the result and the diagnostics a cold one-by-one :meth:`solve` would give (same
        Newton iteration, tolerance and inner fixed points, vectorised over the packages; see
        :mod:`tarifflab.models.ge.multi_sector_batch`); ``diagnostics.seconds`` is the batch's wall time
        divided by K. A package the batch cannot solve is retried one by one (warm-started from the last
        solution) when ``retry_one_by_one``; if it still fails, :class:`ConvergenceError` names it.
        """
        from tarifflab.models.ge.multi_sector_batch import BatchEquations, solve_batch_equations

        cubes = np.asarray(tariff_cubes, dtype=float)
        shape = self.base.kappa.shape
        if cubes.ndim != 4 or cubes.shape[1:] != shape:
            raise InvalidInputError(
                f"tariff cubes have shape {cubes.shape}, expected (K, {', '.join(map(str, shape))})"
            )
        if not np.all(np.isfinite(cubes)):
            raise InvalidInputError("tariff cube contains NaN")
        if np.any(cubes <= -1.0):
            raise ScenarioError("tariffs must stay above −100 %")
        count = cubes.shape[0]
        if scenarios is None:
            scenarios = [MultiSectorScenario(name=f"package {k + 1}") for k in range(count)]
        if len(scenarios) != count:
            raise InvalidInputError(f"{len(scenarios)} scenarios for {count} tariff cubes")
        if count == 0:
            return []
        batch = solve_batch_equations(BatchEquations(self.base, 1.0 + cubes, self.base.S), self.options)
        results: list[MultiSectorResults] = []
        for k in range(count):
            state, diag = batch.states[k], batch.diagnostics[k]
            if state is None:
                message = (
                    f"multi-sector GE did not converge for package {k + 1} of {count}: {batch.failures[k]}"
                )
                if not retry_one_by_one:
                    raise ConvergenceError(message, diag)
                try:
                    state, diag = self._solve_cube(cubes[k], True)
                except ConvergenceError as err:
                    raise ConvergenceError(f"{message} (and one by one: {err})", err.diagnostics) from err
            results.append(self._results(scenarios[k], cubes[k], state, diag))
        return results

    def _solve_cube(self, t_new: np.ndarray, warm_start: bool) -> tuple[State, Diagnostics]:
        eq = Equations(self.base, Shock(kappa_new=1.0 + t_new, surplus=self.base.S))
        warm = self._last if warm_start else None
        u0 = None if warm is None else warm.u
        try:
            st, diag = solve_equations(eq, u0=u0, warm=warm, options=self.options)
        except ConvergenceError:
            if warm is None:
                raise
            st, diag = solve_equations(eq, options=self.options)  # cold retry
        self._last = st
        return st, diag

    def _solve_optimal(self, scenario: MultiSectorScenario) -> MultiSectorResults:
        """Uniform optimal US tariff: fixed point t = 1/max(1, Θ_US(t)) (ge-multi-sector.md A.9)."""
        us = self.data.countries.index("USA") if "USA" in self.data.countries else None
        if us is None:
            raise ScenarioError("optimal US tariff needs a dataset with USA")
        base_scn = scenario.model_copy(update={"optimal_us": False, "retaliation": "none"})
        t0 = time.perf_counter()
        rate, total_iter = 0.25, 0
        st: State | None = None
        diag: Diagnostics | None = None
        for _ in range(100):
            cube = self.tariff_cube(base_scn.model_copy(update={"changes": ()}), us_rate=rate)
            # keep the scenario's own non-US changes
            if base_scn.changes:
                other = self.tariff_cube(base_scn)
                keep = np.ones_like(cube, dtype=bool)
                keep[:, us, :] = False
                cube[keep] = other[keep]
            st, diag = self._solve_cube(cube, True)
            total_iter += diag.iterations
            theta = self._theta(st, us)
            new_rate = 1.0 / max(1.0, theta)
            if abs(new_rate - rate) < 1e-9:
                rate = new_rate
                break
            rate = new_rate
        else:
            raise ConvergenceError("optimal US tariff fixed point did not converge", diag)
        # final cube: t* on every partner, the scenario's other changes, then (optionally) mirroring
        final = scenario.model_copy(update={"optimal_us": True})
        cube = self.tariff_cube(final, us_rate=rate)
        if final.changes:
            other = self.tariff_cube(final.model_copy(update={"optimal_us": False, "retaliation": "none"}))
            keep = np.ones_like(cube, dtype=bool)
            keep[:, us, :] = False
            if final.retaliation == "reciprocal":
                keep[us, :, :] = False
            cube[keep] = other[keep]
        st, diag = self._solve_cube(cube, True)
        diag = Diagnostics(
            total_iter + diag.iterations,
            diag.max_residual,
            time.perf_counter() - t0,
            True,
            diag.jacobian_evaluations,
            diag.inner_iterations,
        )
        return self._results(scenario, cube, st, diag, optimal=rate)

    def _theta(self, st: State, us: int) -> float:
        """Θ_US = Σ_s ε_s Σ_{i≠US} X'_{US,i,s}(1 − λ'_{US,i,s}) / Σ_{s,i≠US} X'_{US,i,s}."""
        X = st.H[us] * st.E  # pre-tariff exports of the US, [i, s]
        lam = st.pi_new[us]
        mask = np.ones(self.data.n_countries, dtype=bool)
        mask[us] = False
        num = (self.eps[None, :] * X[mask] * (1.0 - lam[mask])).sum()
        den = X[mask].sum()
        return float(num / den)

    def _results(
        self,
        scenario: MultiSectorScenario,
        t_new: np.ndarray,
        st: State,
        diag: Diagnostics,
        optimal: float | None = None,
    ) -> MultiSectorResults:
        base = self.base
        w = np.exp(st.u)
        price_hat = np.exp((base.alpha * st.lnP).sum(axis=1))
        income_hat = st.I / base.I
        c_hat = np.exp(st.lnc)
        q_hat = np.where(base.Q > 0, st.Q / np.where(base.Q > 0, base.Q, 1.0), 1.0)
        flows_pre = st.H * st.E[None, :, :]
        flows_pre_base = base.pi / base.kappa * base.E[None, :, :]
        rev = ((1.0 - st.F) * st.E).sum(axis=1)
        rev_base = ((1.0 - (base.pi / base.kappa).sum(axis=0)) * base.E).sum(axis=1)
        return MultiSectorResults(
            scenario=scenario,
            countries=self.data.countries,
            sectors=self.data.sectors,
            w_hat=w,
            income_hat=income_hat,
            price_hat=price_hat,
            P_hat=np.exp(st.lnP),
            c_hat=c_hat,
            welfare_hat=income_hat / price_hat,
            output_hat=q_hat / c_hat,
            output_nominal_hat=q_hat,
            flows_pre=flows_pre,
            flows_pre_base=flows_pre_base,
            tariff_revenue=rev,
            tariff_revenue_base=rev_base,
            tariffs_new=t_new,
            tariffs_base=base.kappa - 1.0,
            income_base=base.I,
            value_added_base=base.VA,
            surplus_base=base.S,
            surplus_new=base.S,
            diagnostics=diag,
            optimal_us_tariff=optimal,
            meta={
                "dataset": self.data.name,
                "year": self.data.year,
                "elasticities": self.elasticity_source,
                "io": self.io,
                "deficits": self.deficits,
            },
        )
