"""Country-specific optimal retaliation in the IO model: adjoint gradient and optimality.

Runs on the embedded default dataset (no reference data needed)."""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import InvalidInputError
from tarifflab.models.ge.one_sector_optimal import Barrier, RetaliationProblem, optimise_retaliation
from tarifflab.models.ge.results import GEResult
from tarifflab.models.ge.solver import SolverOptions
from tarifflab.studies.ge_one_sector import OneSectorLab
from tarifflab.studies.ge_one_sector_tariffs import with_reciprocal


@pytest.fixture(scope="module")
def lab() -> OneSectorLab:
    return OneSectorLab.load(embedded=True)


@pytest.fixture(scope="module")
def optimum(lab: OneSectorLab) -> GEResult:
    return lab.run("io-optimal-retaliation")


def problem_at_ustr(lab: OneSectorLab, barrier: Barrier | None = None) -> RetaliationProblem:
    return RetaliationProblem(
        lab.model("io"), lab.ustr_matrix(None), SolverOptions(tol=1e-13), barrier=barrier
    )


def central_difference(problem: RetaliationProblem, theta: np.ndarray, direction: np.ndarray) -> float:
    step = 1e-6
    plus, _ = problem.value_and_gradient(theta + step * direction)
    minus, _ = problem.value_and_gradient(theta - step * direction)
    return (plus - minus) / (2.0 * step)


def test_objective_is_income_weighted_non_us_welfare(lab: OneSectorLab) -> None:
    problem = problem_at_ustr(lab)
    theta = lab.ustr_matrix(None)[problem.others, lab.us]
    value, _ = problem.value_and_gradient(theta)
    result = lab.model("io").solve(problem.tariffs(theta))
    income = lab.baseline("io").income[problem.others]
    assert value == pytest.approx(income @ result.table[problem.others, 0] / income.sum(), abs=1e-12)


def test_adjoint_gradient_matches_finite_differences(lab: OneSectorLab) -> None:
    problem = problem_at_ustr(lab)
    theta = lab.ustr_matrix(None)[problem.others, lab.us] + 0.05
    _, grad = problem.value_and_gradient(theta)
    position = {code: k for k, code in enumerate(c for c in lab.iso3 if c != "USA")}
    for code in ("CHN", "CAN", "MEX", "JPN"):
        unit = np.zeros(theta.size)
        unit[position[code]] = 1.0
        assert grad[position[code]] == pytest.approx(central_difference(problem, theta, unit), rel=1e-5)
    direction = np.random.default_rng(7).normal(size=theta.size)
    assert grad @ direction == pytest.approx(central_difference(problem, theta, direction), rel=1e-6)


def test_barrier_gradient_matches_finite_differences(lab: OneSectorLab) -> None:
    model = lab.model("io")
    slot1 = model.solve(lab.ustr_matrix(None))
    hats = np.concatenate([slot1.hats[k] for k in ("w_hat", "E_hat", "L_hat", "P_hat")])
    problem = problem_at_ustr(lab, Barrier(0.02, 0.75 * hats, 1.5 * hats))
    theta = np.full(problem.others.size, 0.2)
    _, grad = problem.value_and_gradient(theta)
    direction = np.random.default_rng(3).normal(size=theta.size)
    assert grad @ direction == pytest.approx(central_difference(problem, theta, direction), rel=1e-6)


def test_optimum_beats_uniform_reciprocal_and_start(lab: OneSectorLab, optimum: GEResult) -> None:
    model = lab.model("io")
    problem = problem_at_ustr(lab)
    best = optimum.scalars["retaliation_objective_pct"]
    rates = optimum.tariffs[lab.us, problem.others] if optimum.tariffs is not None else None
    assert rates is not None and np.all((rates >= 0.0) & (rates <= 0.5))
    assert problem.welfare_objective(rates) == pytest.approx(best, abs=1e-9)
    uniform = lab.run("io-optimal-retaliation-uniform").scalars["retaliation_tariff"]
    assert best > problem.welfare_objective(np.full(rates.size, uniform)) + 1e-3
    reciprocal = with_reciprocal(lab.ustr_matrix(None), lab.us)[lab.us, problem.others]
    assert best > problem.welfare_objective(reciprocal) + 1e-2
    assert optimum.scalars["search_projected_gradient"] < 1e-4
    # No single country gains the group anything by moving its own rate (KKT, checked by hand).
    for code in ("CHN", "CAN", "MEX"):
        k = list(problem.others).index(lab.iso3.index(code))
        for shift in (-0.01, 0.01):
            moved = rates.copy()
            moved[k] = np.clip(moved[k] + shift, 0.0, 0.5)
            assert problem.welfare_objective(moved) <= best + 1e-9
    model.solve(optimum.tariffs)  # leave the warm start at the optimum


def test_optimum_hurts_the_us_more_than_uniform(lab: OneSectorLab, optimum: GEResult) -> None:
    uniform = lab.run("io-optimal-retaliation-uniform")
    assert optimum.welfare("USA") < 0.0
    assert optimum.aggregates["non_us"]["welfare_pct"] > uniform.aggregates["non_us"]["welfare_pct"] - 0.05


def test_bad_inputs(lab: OneSectorLab) -> None:
    with pytest.raises(InvalidInputError):
        RetaliationProblem(lab.model(), lab.ustr_matrix(None))
    problem = problem_at_ustr(lab)
    with pytest.raises(InvalidInputError):
        optimise_retaliation(problem, np.zeros(3))
