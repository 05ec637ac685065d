"""Batched multi-sector solve: every package equals its one-by-one solve, failures are named.

The NAFTA expected values are those of the existing replication test (tests/ge_multi/test_ge_multi_welfare.py):
an independent solver reported in issue 16 gives the exact real-income change of Caliendo–Parro's (2015)
NAFTA counterfactual as Mexico +0.007 %, the US +0.074 %, Canada −0.110 %.
"""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import ConvergenceError, InvalidInputError, ScenarioError
from tarifflab.models.ge.multi_sector import (
    MultiSectorModel,
    MultiSectorResults,
    MultiSectorScenario,
    TariffChange,
)
from tarifflab.models.ge.multi_sector_batch import BatchEquations, solve_batch_equations
from tarifflab.models.ge.multi_sector_data import MultiSectorData, load_dataset
from tarifflab.models.ge.multi_sector_solver import SolverOptions
from tarifflab.studies.ge_multi_sector import build_scenario

RTOL = 1e-9


@pytest.fixture(scope="module")
def default_data() -> MultiSectorData:
    return load_dataset("default")


def _scenarios(data: MultiSectorData) -> list[MultiSectorScenario]:
    return [
        MultiSectorScenario(name="baseline"),
        MultiSectorScenario(
            name="jp15", changes=(TariffChange(importer="USA", exporter="JPN", rate=0.15, mode="add"),)
        ),
        MultiSectorScenario(
            name="cn-autos",
            changes=(
                TariffChange(importer="USA", exporter="CHN", rate=0.5, mode="add"),
                TariffChange(importer="USA", sector="motor_vehicles", rate=0.25, mode="set"),
            ),
            retaliation="reciprocal",
        ),
        build_scenario("liberation-day", data),
        build_scenario("liberation-day", data, retaliation="reciprocal"),
    ]


def _assert_same(one: MultiSectorResults, batch: MultiSectorResults) -> None:
    np.testing.assert_allclose(batch.welfare_hat, one.welfare_hat, rtol=RTOL, atol=0)
    np.testing.assert_allclose(batch.flows_pre, one.flows_pre, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(batch.w_hat, one.w_hat, rtol=RTOL, atol=0)
    np.testing.assert_allclose(batch.P_hat, one.P_hat, rtol=RTOL, atol=0)
    np.testing.assert_allclose(batch.output_hat, one.output_hat, rtol=RTOL, atol=0)
    np.testing.assert_allclose(batch.tariff_revenue, one.tariff_revenue, rtol=RTOL, atol=1e-9)
    assert batch.diagnostics.converged
    assert batch.diagnostics.max_residual < 10 * SolverOptions().tol


@pytest.mark.parametrize(("io", "deficits"), [(True, "balanced"), (False, "balanced"), (True, "fixed")])
def test_batch_equals_one_by_one(default_data: MultiSectorData, io: bool, deficits: str) -> None:
    model = MultiSectorModel(default_data, io=io, deficits=deficits)  # type: ignore[arg-type]
    scenarios = _scenarios(default_data)
    cubes = np.stack([model.tariff_cube(s) for s in scenarios])
    batch = model.solve_batch(cubes, scenarios)
    for scenario, cube, got in zip(scenarios, cubes, batch, strict=True):
        one = model.solve(scenario, warm_start=False)
        np.testing.assert_array_equal(one.tariffs_new, cube)
        _assert_same(one, got)
        assert got.scenario == scenario
        # the same Newton path package by package: the same iteration and inner-iteration counts
        assert (got.diagnostics.iterations, got.diagnostics.inner_iterations) == (
            one.diagnostics.iterations,
            one.diagnostics.inner_iterations,
        )
        assert got.diagnostics.jacobian_evaluations == one.diagnostics.jacobian_evaluations


@pytest.mark.replication
def test_batch_reproduces_cp_nafta_exact_welfare() -> None:
    pytest.importorskip("h5py")
    from tarifflab.data.reference import have_reference_data

    if not have_reference_data():
        pytest.skip("reference data absent (../shared/data or TARIFFLAB_REFERENCE_DATA)")
    data = load_dataset("cp")
    model = MultiSectorModel(data, elasticities="CP", io=True, deficits="balanced")
    nafta = model.tariff_cube(build_scenario("nafta", data))
    base = model.base.kappa - 1.0
    # NAFTA, half of its tariff change, and the baseline, solved together
    cubes = np.stack([nafta, base + 0.5 * (nafta - base), base])
    batch = model.solve_batch(cubes)
    one = model.solve(tariffs=nafta, warm_start=False)
    _assert_same(one, batch[0])
    frame = batch[0].countries_frame().set_index("iso3")
    # issue 16 (independent solver): MEX +0.007 %, USA +0.074 %, CAN −0.110 %
    assert frame.loc["MEX", "welfare_pct"] == pytest.approx(0.007, abs=0.0006)
    assert frame.loc["USA", "welfare_pct"] == pytest.approx(0.074, abs=0.0006)
    assert frame.loc["CAN", "welfare_pct"] == pytest.approx(-0.110, abs=0.0006)
    _assert_same(model.solve(tariffs=cubes[1], warm_start=False), batch[1])
    np.testing.assert_allclose(batch[2].welfare_hat, 1.0, atol=1e-10)


def test_a_package_that_does_not_converge_is_named(default_data: MultiSectorData) -> None:
    options = SolverOptions(max_iter=1)
    model = MultiSectorModel(default_data, io=True, options=options)
    scenarios = _scenarios(default_data)[:2]  # the baseline converges at once, jp15 needs Newton steps
    cubes = np.stack([model.tariff_cube(s) for s in scenarios])
    raw = solve_batch_equations(BatchEquations(model.base, 1.0 + cubes, model.base.S), options)
    assert raw.states[0] is not None and raw.diagnostics[0].converged
    assert raw.states[1] is None and not raw.diagnostics[1].converged
    assert raw.failures[1] == "no convergence in 1 iterations"
    assert raw.diagnostics[1].iterations == 1 and raw.diagnostics[1].max_residual > options.tol
    with pytest.raises(ConvergenceError, match="package 2 of 2") as info:
        model.solve_batch(cubes, retry_one_by_one=False)
    assert info.value.diagnostics.converged is False
    # the one-by-one retry fails too (one Newton iteration is not enough): still named, never silent
    with pytest.raises(ConvergenceError, match=r"package 2 of 2.*one by one"):
        model.solve_batch(cubes)


def test_batch_bad_inputs(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, io=False)
    cube = model.base.kappa - 1.0
    with pytest.raises(InvalidInputError, match="shape"):
        model.solve_batch(cube)
    bad = np.stack([cube, cube])
    bad[1, 0, 1, 0] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        model.solve_batch(bad)
    bad[1, 0, 1, 0] = -1.5
    with pytest.raises(ScenarioError, match="100"):
        model.solve_batch(bad)
    with pytest.raises(InvalidInputError, match="2 tariff cubes"):
        model.solve_batch(np.stack([cube, cube]), [MultiSectorScenario()])
    assert model.solve_batch(np.empty((0, *cube.shape))) == []
