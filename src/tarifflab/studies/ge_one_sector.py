"""Named scenarios of the one-sector model: every counterfactual of the paper's Tables 1–4, 8–11.

Use :class:`OneSectorLab` (calibrates once, caches models, warm-starts solves)::

    lab = OneSectorLab.load()
    result = lab.run("liberation-day")
    result.welfare("USA")  # 1.13 (Table 1, case 1)

Scenarios that use "the US tariffs" (the Liberation Day schedule) accept ``us_tariffs``, a vector
of US import tariffs by exporter, to replace that schedule (e.g. the tariffs in force on a date).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar

from tarifflab.errors import ConvergenceError, InvalidInputError, ScenarioError
from tarifflab.models.ge.one_sector import Fiscal, OneSectorModel
from tarifflab.models.ge.one_sector_calibration import (
    Baseline,
    OneSectorParams,
    balanced_trade_transfers,
    calibrate,
    calibrate_ek,
    calibrate_io,
)
from tarifflab.models.ge.one_sector_data import EU25, FloatArray, GEData, load_ge_data
from tarifflab.models.ge.one_sector_optimal import Barrier, RetaliationProblem, optimise_retaliation
from tarifflab.models.ge.results import GEResult
from tarifflab.models.ge.solver import SolverDiagnostics, SolverOptions
from tarifflab.studies.ge_one_sector_tariffs import (
    export_supply_delta,
    optimal_tariff,
    region_delta,
    us_import_matrix,
    ustr_vector,
    with_reciprocal,
    with_retaliation,
)

#: Bounds of the numerical optimal US tariff in the IO variant (the authors' fmincon bounds, §9.3).
IO_OPTIMAL_US_BOUNDS = (0.0, 0.25)
#: Bounds of the numerical optimal retaliation tariffs in the IO variant (§9.3: [0, 0.5]).
IO_OPTIMAL_RETALIATION_BOUNDS = (0.0, 0.5)
#: Bounds of the MPEC's equilibrium hats in ``main_io.m``: [0.75, 1.5] × the USTR (slot-1) solution.
AUTHORS_HAT_BOUNDS = (0.75, 1.5)
#: Log-barrier parameter μ at which the interior-point subproblem reproduces Table 4 post (2): fitted
#: on one printed figure (USA welfare −5.26 %); the other eleven figures of the row then match
#: (docs/ge-one-sector.md). The authors' fmincon stopped at its 200-iteration cap before μ → 0.
AUTHORS_BARRIER_MU = 0.01636


@dataclass(frozen=True)
class ScenarioInfo:
    """A named scenario: one-line description, the paper's table, whether ``us_tariffs`` applies."""

    name: str
    description: str
    table: str
    accepts_us_tariffs: bool


@dataclass(frozen=True)
class _Entry:
    info: ScenarioInfo
    run: Callable[[OneSectorLab, FloatArray | None, SolverOptions | None], GEResult]


_REGISTRY: dict[str, _Entry] = {}


def _with_scalars(result: GEResult, **extra: float) -> GEResult:
    return dataclasses.replace(result, scalars={**result.scalars, **extra})


def _scenario(
    name: str, description: str, table: str, accepts_us_tariffs: bool = True
) -> Callable[
    [Callable[[OneSectorLab, FloatArray | None, SolverOptions | None], GEResult]],
    Callable[[OneSectorLab, FloatArray | None, SolverOptions | None], GEResult],
]:
    def register(
        fn: Callable[[OneSectorLab, FloatArray | None, SolverOptions | None], GEResult],
    ) -> Callable[[OneSectorLab, FloatArray | None, SolverOptions | None], GEResult]:
        _REGISTRY[name] = _Entry(ScenarioInfo(name, description, table, accepts_us_tariffs), fn)
        return fn

    return register


def scenarios() -> list[ScenarioInfo]:
    """Every named scenario, in registration order."""
    return [entry.info for entry in _REGISTRY.values()]


def scenario_info(name: str) -> ScenarioInfo:
    """Description of one scenario; :class:`ScenarioError` if the name is unknown."""
    if name not in _REGISTRY:
        known = ", ".join(_REGISTRY)
        raise ScenarioError(f"unknown GE scenario {name!r} (known: {known})")
    return _REGISTRY[name].info


class OneSectorLab:
    """Calibrated data plus cached models (baseline, EK, IO, parameter variants, fiscal regimes).

    Models are cached by configuration and keep their last solution as a warm start; a model with
    no solution yet starts from the last solution of any model of the same size.
    """

    def __init__(self, data: GEData, params: OneSectorParams | None = None) -> None:
        self.data = data
        self.params = params or OneSectorParams()
        self.base = calibrate(data, self.params)
        self._baselines: dict[str, Baseline] = {"baseline": self.base}
        self._models: dict[tuple[object, ...], OneSectorModel] = {}
        self._last: dict[int, FloatArray] = {}

    @classmethod
    def load(cls, data_dir: Path | str | None = None, *, embedded: bool = False) -> OneSectorLab:
        """Calibrate on the reference data (or ``data_dir``, or the embedded default)."""
        return cls(load_ge_data(data_dir, embedded=embedded))

    # ------------------------------------------------------------------ building blocks
    @property
    def us(self) -> int:
        return self.data.us

    @property
    def iso3(self) -> tuple[str, ...]:
        return self.data.iso3

    def baseline(self, variant: str = "baseline") -> Baseline:
        """Calibrated baseline of a variant: ``baseline``, ``ek``, ``io`` or ``balanced`` (Ossa T^b)."""
        if variant not in self._baselines:
            if variant == "ek":
                self._baselines[variant] = calibrate_ek(self.base)
            elif variant == "io":
                self._baselines[variant] = calibrate_io(self.data, self.params)
            elif variant == "balanced":
                self._baselines[variant] = self.base.with_transfers(balanced_trade_transfers(self.base))
            else:
                raise InvalidInputError(f"unknown model variant {variant!r}")
        return self._baselines[variant]

    def model(
        self,
        variant: str = "baseline",
        *,
        fiscal: Fiscal = "income-tax",
        params: OneSectorParams | None = None,
    ) -> OneSectorModel:
        """Cached model of a variant with optional parameter overrides and fiscal regime."""
        key = (variant, fiscal, params)
        if key not in self._models:
            base = self.baseline(variant)
            if params is not None:
                base = base.with_params(params)
            self._models[key] = OneSectorModel(base, fiscal=fiscal)
        return self._models[key]

    def solve(
        self,
        model: OneSectorModel,
        tariffs: FloatArray,
        scenario: str,
        options: SolverOptions | None = None,
        description: str = "",
    ) -> GEResult:
        """Solve on ``model``, warm-starting from the last solution of the same size if it has none."""
        x0 = None if model.last_solution is not None else self._last.get(model.size)
        result = model.solve(tariffs, scenario=scenario, description=description, options=options, x0=x0)
        solution = model.last_solution
        if solution is not None:
            self._last[model.size] = solution
        return result

    def us_tariffs(self, override: FloatArray | None) -> FloatArray:
        """The US import tariff vector: ``override`` (validated) or the Liberation Day schedule."""
        if override is None:
            return ustr_vector(self.data)
        vec = np.asarray(override, dtype=np.float64).copy()
        if vec.shape != (self.data.n,):
            raise InvalidInputError(f"US tariff vector must have {self.data.n} entries, got {vec.shape}")
        if not np.all(np.isfinite(vec)) or np.any(vec < 0):
            raise InvalidInputError("US tariff vector has NaN, infinite or negative entries")
        vec[self.us] = 0.0
        return vec

    def ustr_matrix(self, override: FloatArray | None = None) -> FloatArray:
        """``t_{j,US}`` = US tariffs (Liberation Day unless overridden), all else 0."""
        return us_import_matrix(self.us_tariffs(override), self.us)

    def optimal_us_rate(self, denominator: str = "E") -> float:
        """Closed-form optimal US tariff with δ^E (Table 1 case 3) or δ^Y (Table 2 panel 4)."""
        delta = export_supply_delta(self.base, denominator)[self.us]
        return optimal_tariff(delta, self.params.eps, float(self.base.phi[self.us]))

    def optimal_retaliation_rate(self) -> float:
        """Optimal retaliation ``1/((1+δ̄_ROW ε)φ_nonUS − 1)`` with the 2-region δ̄ (row sum)."""
        delta_row, _ = region_delta(self.base)
        non_us = 0 if self.us != 0 else 1
        return optimal_tariff(delta_row, self.params.eps, float(self.base.phi[non_us]))

    # ------------------------------------------------------------------ running
    def run(
        self,
        name: str,
        *,
        us_tariffs: FloatArray | None = None,
        options: SolverOptions | None = None,
    ) -> GEResult:
        """Run a named scenario (see :func:`scenarios`)."""
        info = scenario_info(name)
        if us_tariffs is not None and not info.accepts_us_tariffs:
            raise ScenarioError(f"scenario {name!r} sets its own US tariffs; it takes no tariff override")
        return _REGISTRY[name].run(self, us_tariffs, options)

    def run_matrix(
        self,
        tariffs: FloatArray,
        *,
        io: bool = False,
        scenario: str = "custom",
        options: SolverOptions | None = None,
    ) -> GEResult:
        """Solve an arbitrary tariff matrix ``t_ji`` (N×N, exporter × importer, fraction)."""
        model = self.model("io" if io else "baseline")
        return self.solve(model, tariffs, scenario, options, "user tariff matrix")


# ---------------------------------------------------------------------------- Tables 1–3
@_scenario("liberation-day", "USTR tariffs, income-tax relief, no retaliation", "Table 1 case 1")
def _liberation_day(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return lab.solve(
        lab.model(), lab.ustr_matrix(us), "liberation-day", opt, "USTR tariffs + income-tax relief"
    )


@_scenario("liberation-day-lump-sum", "USTR tariffs, revenue rebated lump-sum", "Table 1 case 2")
def _lump_sum(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    model = lab.model(fiscal="lump-sum")
    return lab.solve(
        model, lab.ustr_matrix(us), "liberation-day-lump-sum", opt, "USTR tariffs + lump-sum rebate"
    )


@_scenario(
    "optimal-us", "closed-form optimal uniform US tariff (δ^E), no retaliation", "Table 1 case 3", False
)
def _optimal_us(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    rate = lab.optimal_us_rate("E")
    tariffs = us_import_matrix(np.full(lab.data.n, rate), lab.us)
    result = lab.solve(lab.model(), tariffs, "optimal-us", opt, f"uniform US tariff t* = {rate:.4f}")
    return _with_scalars(result, us_tariff=rate)


@_scenario("reciprocal-retaliation", "USTR tariffs, every country mirrors the US tariff", "Table 2 (1)")
def _reciprocal(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    tariffs = with_reciprocal(lab.ustr_matrix(us), lab.us)
    return lab.solve(
        lab.model(), tariffs, "reciprocal-retaliation", opt, "USTR tariffs + reciprocal retaliation"
    )


@_scenario("optimal-retaliation", "USTR tariffs, optimal retaliation (2-region δ̄, row sum)", "Table 2 (3)")
def _optimal_retaliation(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    rate = lab.optimal_retaliation_rate()
    tariffs = with_retaliation(lab.ustr_matrix(us), lab.us, rate)
    result = lab.solve(lab.model(), tariffs, "optimal-retaliation", opt, f"USTR + retaliation at {rate:.4f}")
    return _with_scalars(result, retaliation_tariff=rate)


@_scenario("optimal-vs-optimal", "optimal US tariff (δ^Y) against optimal retaliation", "Table 2 (4)", False)
def _optimal_vs_optimal(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    rate_us = lab.optimal_us_rate("Y")
    rate_row = lab.optimal_retaliation_rate()
    tariffs = with_retaliation(us_import_matrix(np.full(lab.data.n, rate_us), lab.us), lab.us, rate_row)
    result = lab.solve(
        lab.model(), tariffs, "optimal-vs-optimal", opt, f"US {rate_us:.4f} vs retaliation {rate_row:.4f}"
    )
    return _with_scalars(result, us_tariff=rate_us, retaliation_tariff=rate_row)


# ---------------------------------------------------------------------------- Table 9
@_scenario("liberation-day-low-passthrough", "USTR tariffs with firm pass-through φ̃ = 0.25", "Table 9 alt. 2")
def _low_passthrough(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    params = OneSectorParams(phi_tilde=0.25)
    model = lab.model(params=params)
    return lab.solve(model, lab.ustr_matrix(us), "liberation-day-low-passthrough", opt, "φ̃ = 0.25")


@_scenario(
    "liberation-day-eps8", "USTR tariffs with trade elasticity ε = 8 (ψ, φ from ε = 4)", "Table 9 alt. 3"
)
def _eps8(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    model = lab.model(params=OneSectorParams(eps=8.0))
    return lab.solve(model, lab.ustr_matrix(us), "liberation-day-eps8", opt, "ε = 8")


@_scenario(
    "liberation-day-ek",
    "USTR tariffs in the EK/Krugman variant (ν = 0, φ = 1)",
    "Table 9 alt. 4 / Table 10 (1)",
)
def _ek(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return lab.solve(lab.model("ek"), lab.ustr_matrix(us), "liberation-day-ek", opt, "EK/Krugman variant")


# ---------------------------------------------------------------------------- Table 10
@_scenario("deficit-dek-pre", "fixed transfers (Dekle–Eaton–Kortum), USTR, EK variant", "Table 10 (1)")
def _dek_pre(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return lab.solve(
        lab.model("ek"), lab.ustr_matrix(us), "deficit-dek-pre", opt, "EK, fixed transfers, USTR"
    )


def _balanced(lab: OneSectorLab, tariffs: FloatArray, name: str, opt: SolverOptions | None) -> GEResult:
    model = lab.model("balanced")
    zero = lab.solve(model, np.zeros_like(tariffs), name + ":zero", opt)
    shocked = lab.solve(model, tariffs, name, opt)
    return shocked.difference(
        zero, name, "balanced trade (Ossa): (USTR case) − (zero tariffs), both with T^b"
    )


@_scenario("deficit-balanced-pre", "balanced trade (Ossa): USTR minus zero-tariff solution", "Table 10 (2)")
def _balanced_pre(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return _balanced(lab, lab.ustr_matrix(us), "deficit-balanced-pre", opt)


@_scenario(
    "deficit-dek-post", "fixed transfers, USTR + retaliation at 1/ε (δ = 1, φ = 1), EK", "Table 10 (3)"
)
def _dek_post(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    rate = optimal_tariff(1.0, lab.params.eps, 1.0)
    tariffs = with_retaliation(lab.ustr_matrix(us), lab.us, rate)
    return lab.solve(lab.model("ek"), tariffs, "deficit-dek-post", opt, f"EK, USTR + retaliation {rate:.2f}")


@_scenario("deficit-balanced-post", "balanced trade, USTR + retaliation (δ = 1, US φ)", "Table 10 (4)")
def _balanced_post(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    rate = optimal_tariff(1.0, lab.params.eps, float(lab.base.phi[lab.us]))
    tariffs = with_retaliation(lab.ustr_matrix(us), lab.us, rate)
    return _balanced(lab, tariffs, "deficit-balanced-post", opt)


# ---------------------------------------------------------------------------- Table 8
def _regional(
    lab: OneSectorLab, name: str, partners: dict[str, float | None], opt: SolverOptions | None
) -> GEResult:
    n, us = lab.data.n, lab.us
    ustr = ustr_vector(lab.data)
    t = np.zeros((n, n))
    t[:, us] = 0.10
    t[us, :] = 0.10
    for code, rate in partners.items():
        k = lab.data.index[code]
        level = ustr[k] if rate is None else rate
        t[k, us] = level
        t[us, k] = level
    t[us, us] = 0.0
    return lab.solve(lab.model(), t, name, opt, "10 % both ways, targeted partners at the stated rate")


@_scenario(
    "regional-us-eu-china",
    "10 % both ways; US–EU25 and US–China at USTR rates both ways",
    "Table 8 case 1",
    False,
)
def _regional_eu_china(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    partners: dict[str, float | None] = {c: None for c in (*EU25, "CHN")}
    return _regional(lab, "regional-us-eu-china", partners, opt)


@_scenario("regional-us-china", "10 % both ways; US–China at 54 % both ways", "Table 8 case 2", False)
def _regional_china(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return _regional(lab, "regional-us-china", {"CHN": None}, opt)


@_scenario("regional-us-china-108", "10 % both ways; US–China at 108 % both ways", "Table 8 case 3", False)
def _regional_china_108(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return _regional(lab, "regional-us-china-108", {"CHN": 1.08}, opt)


# ---------------------------------------------------------------------------- Table 4 (IO)
@_scenario("io-liberation-day", "IO variant (β = 0.49): USTR tariffs", "Table 4 pre (1)")
def _io_ld(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    return lab.solve(lab.model("io"), lab.ustr_matrix(us), "io-liberation-day", opt, "IO, USTR tariffs")


@_scenario("io-reciprocal-retaliation", "IO variant: USTR + reciprocal retaliation", "Table 4 post (1)")
def _io_reciprocal(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    tariffs = with_reciprocal(lab.ustr_matrix(us), lab.us)
    return lab.solve(lab.model("io"), tariffs, "io-reciprocal-retaliation", opt, "IO, USTR + reciprocal")


def _bounded_search(objective: Callable[[float], float], bounds: tuple[float, float]) -> float:
    found = minimize_scalar(objective, bounds=bounds, method="bounded", options={"xatol": 1e-6})
    return float(found.x)


@_scenario(
    "io-optimal-us",
    "IO variant: numerical optimal uniform US tariff (1-D search on [0, 0.25])",
    "Table 4 pre (2)",
    False,
)
def _io_optimal_us(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    model = lab.model("io")
    n, home = lab.data.n, lab.us

    def loss(rate: float) -> float:
        tariffs = us_import_matrix(np.full(n, rate), home)
        return -lab.solve(model, tariffs, "io-optimal-us:search", opt).welfare("USA")

    rate = _bounded_search(loss, IO_OPTIMAL_US_BOUNDS)
    tariffs = us_import_matrix(np.full(n, rate), home)
    result = lab.solve(model, tariffs, "io-optimal-us", opt, f"IO, optimal uniform US tariff {rate:.4f}")
    return _with_scalars(result, us_tariff=rate)


@_scenario(
    "io-optimal-retaliation",
    "IO variant: USTR + country-specific retaliation maximising non-US welfare (193 rates, L-BFGS-B)",
    "Table 4 post (2)",
)
def _io_optimal_retaliation(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    model = lab.model("io")
    base = lab.ustr_matrix(us)
    problem = RetaliationProblem(model, base, opt)
    return _retaliation_result(lab, problem, base, opt, "io-optimal-retaliation", "optimum")


def _retaliation_result(
    lab: OneSectorLab,
    problem: RetaliationProblem,
    base: FloatArray,
    opt: SolverOptions | None,
    name: str,
    label: str,
) -> GEResult:
    # The authors' start: each country's tariff on US goods = the US tariff on it (§9.3).
    found = optimise_retaliation(problem, base[problem.others, lab.us], IO_OPTIMAL_RETALIATION_BOUNDS)
    if not found.converged:
        raise ConvergenceError(
            f"optimal retaliation search did not converge: {found.message}",
            SolverDiagnostics(found.iterations, found.projected_gradient, found.seconds, False, "l-bfgs-b"),
        )
    rates = found.rates[problem.others]
    result = lab.solve(
        problem.model,
        problem.tariffs(rates),
        name,
        opt,
        f"IO, country-specific retaliation ({label}; mean rate {rates.mean():.4f})",
    )
    return _with_scalars(
        result,
        retaliation_objective_pct=found.objective_pct,
        retaliation_tariff_mean=float(rates.mean()),
        search_iterations=float(found.iterations),
        search_evaluations=float(found.evaluations),
        search_seconds=found.seconds,
        search_projected_gradient=found.projected_gradient,
    )


@_scenario(
    "io-optimal-retaliation-authors",
    "IO variant: USTR + retaliation at the authors' interior-point iterate (log barrier μ on the MPEC bounds)",
    "Table 4 post (2) as published",
)
def _io_optimal_retaliation_authors(
    lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None
) -> GEResult:
    model = lab.model("io")
    base = lab.ustr_matrix(us)
    slot1 = lab.solve(model, base, "io-optimal-retaliation-authors:slot1", opt)
    hats = np.concatenate([slot1.hats[k] for k in ("w_hat", "E_hat", "L_hat", "P_hat")])
    barrier = Barrier(
        AUTHORS_BARRIER_MU,
        AUTHORS_HAT_BOUNDS[0] * hats,
        AUTHORS_HAT_BOUNDS[1] * hats,
        IO_OPTIMAL_RETALIATION_BOUNDS,
    )
    problem = RetaliationProblem(model, base, opt, barrier=barrier)
    return _retaliation_result(
        lab, problem, base, opt, "io-optimal-retaliation-authors", f"barrier μ = {AUTHORS_BARRIER_MU}"
    )


@_scenario(
    "io-optimal-retaliation-uniform",
    "IO variant: USTR + one uniform retaliation rate maximising non-US welfare (1-D search)",
    "Table 4 post (2), uniform variant",
)
def _io_optimal_retaliation_uniform(
    lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None
) -> GEResult:
    model = lab.model("io")
    base = lab.ustr_matrix(us)
    problem = RetaliationProblem(model, base, opt)

    def loss(rate: float) -> float:
        return -problem.welfare_objective(np.full(problem.others.size, rate))

    rate = _bounded_search(loss, IO_OPTIMAL_RETALIATION_BOUNDS)
    result = lab.solve(
        model,
        with_retaliation(base, lab.us, rate),
        "io-optimal-retaliation-uniform",
        opt,
        f"IO, uniform retaliation {rate:.4f}",
    )
    return _with_scalars(result, retaliation_tariff=rate)


# ---------------------------------------------------------------------------- user tariffs
@_scenario("custom", "user tariffs: --tariff-file matrix or --tariffs-from-date US tariffs", "—")
def _custom(lab: OneSectorLab, us: FloatArray | None, opt: SolverOptions | None) -> GEResult:
    if us is None:
        raise ScenarioError("scenario 'custom' needs tariffs: a tariff file or US tariffs from a date")
    return lab.solve(lab.model(), lab.ustr_matrix(us), "custom", opt, "US tariffs supplied by the user")
