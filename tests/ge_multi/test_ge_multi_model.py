"""Multi-sector CES GE: replication, consistency, Jacobian, zero shock, bad inputs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.optimize import root

from tarifflab.errors import (
    ConvergenceError,
    DataError,
    InvalidElasticityError,
    InvalidInputError,
    ScenarioError,
    UnknownCountryError,
    UnknownDatasetError,
)
from tarifflab.models.ge.multi_sector import MultiSectorModel, MultiSectorScenario, TariffChange
from tarifflab.models.ge.multi_sector_data import MultiSectorData, load_dataset
from tarifflab.models.ge.multi_sector_equations import Equations, Shock
from tarifflab.models.ge.multi_sector_solver import SolverOptions
from tarifflab.studies.ge_multi_sector import build_scenario


@pytest.fixture(scope="module")
def default_data() -> MultiSectorData:
    return load_dataset("default")


@pytest.fixture(scope="module")
def cp_nafta() -> dict[str, float]:
    pytest.importorskip("h5py")
    from tarifflab.data.reference import have_reference_data

    if not have_reference_data():
        pytest.skip("reference data absent")
    data = load_dataset("cp")
    model = MultiSectorModel(data, elasticities="CP", io=True, deficits="balanced")
    frame = model.solve(build_scenario("nafta", data)).countries_frame().set_index("iso3")
    return frame["welfare_decomp_pct"].to_dict()


# ------------------------------------------------------------------------------------ replication


@pytest.mark.replication
def test_cp_nafta_mexico_welfare(cp_nafta: dict[str, float]) -> None:
    # Caliendo and Parro (2015), Rev. Econ. Stud. 82(1), abstract: "Mexico's welfare increases by 1.31%"
    assert cp_nafta["MEX"] == pytest.approx(1.31, abs=0.005)


@pytest.mark.replication
def test_cp_nafta_us_and_canada(cp_nafta: dict[str, float]) -> None:
    # Caliendo and Parro (2015), abstract: "U.S.'s welfare increases by 0.08%", "Canada's ... declines by 0.06%"
    assert cp_nafta["USA"] == pytest.approx(0.08, abs=0.006)
    assert cp_nafta["CAN"] == pytest.approx(-0.06, abs=0.006)


@pytest.mark.reference
def test_icio_axis_order() -> None:
    # ../shared/data/sectors/README.md check (ICIO2022): JPN→USA goods $109.7 bn, services $39.9 bn
    data = load_dataset("icio", 2022)
    j, u = data.country_index("JPN"), data.country_index("USA")
    goods = data.flows[j, u, :-1].sum() / 1e3
    services = data.flows[j, u, -1] / 1e3
    assert goods == pytest.approx(109.7, abs=0.1)
    assert services == pytest.approx(39.9, abs=0.1)
    assert data.flows[u, j, :-1].sum() / 1e3 == pytest.approx(62.7, abs=0.1)


# ------------------------------------------------------------------------------------ model checks


@pytest.mark.parametrize("io", [False, True])
@pytest.mark.parametrize("deficits", ["balanced", "fixed"])
def test_zero_shock_all_hats_one(default_data: MultiSectorData, io: bool, deficits: str) -> None:
    model = MultiSectorModel(default_data, elasticities="CP", io=io, deficits=deficits)  # type: ignore[arg-type]
    res = model.solve(MultiSectorScenario(name="zero"))
    for arr in (res.w_hat, res.P_hat, res.welfare_hat, res.income_hat, res.output_hat, res.c_hat):
        np.testing.assert_allclose(arr, 1.0, atol=1e-9)
    assert res.diagnostics.converged


def test_balanced_calibration_removes_surpluses(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, io=True, deficits="balanced")
    res = model.solve(MultiSectorScenario())
    x = res.flows_pre_base
    exports = x.sum(axis=(1, 2))
    imports = x.sum(axis=(0, 2))
    np.testing.assert_allclose(exports, imports, rtol=1e-8)
    fixed = MultiSectorModel(default_data, io=True, deficits="fixed").solve(MultiSectorScenario())
    xf = fixed.flows_pre_base
    assert np.max(np.abs(xf.sum(axis=(1, 2)) - xf.sum(axis=(0, 2)))) > 1e3  # the data are unbalanced


@pytest.mark.parametrize("io", [False, True])
def test_analytic_jacobian_matches_finite_differences(default_data: MultiSectorData, io: bool) -> None:
    model = MultiSectorModel(default_data, elasticities="BSY", io=io)
    cube = model.tariff_cube(build_scenario("liberation-day", default_data, retaliation="reciprocal"))
    eq = Equations(model.base, Shock(kappa_new=1.0 + cube, surplus=model.base.S))
    u = np.random.default_rng(1).normal(0.0, 0.03, default_data.n_countries)
    analytic = eq.jacobian(eq.evaluate(u))
    h = 1e-6
    central = np.empty_like(analytic)
    for k in range(u.size):
        e = np.zeros_like(u)
        e[k] = h
        central[:, k] = (eq.evaluate(u + e).residual - eq.evaluate(u - e).residual) / (2 * h)
    np.testing.assert_allclose(analytic, central, atol=1e-6 * np.max(np.abs(analytic)))


def _one_sector_armington(
    flows: np.ndarray, tariffs: np.ndarray, t_new: np.ndarray, sigma: float
) -> np.ndarray:
    """Independent one-sector Armington solve (ge-multi-sector.md A.4–A.6 with S = 1, 2N unknowns).

    Balanced world: the data passed in are already balanced. Returns welfare hats Ŷ/P̂.
    """
    X = flows
    n = X.shape[0]
    lam = X / X.sum(axis=0, keepdims=True)
    Y = X.sum(axis=0)
    R = (X / (1 + tariffs)).sum(axis=1)
    that = (1 + t_new) / (1 + tariffs)

    def eqs(z: np.ndarray) -> np.ndarray:
        w, yh = np.exp(z[:n]), np.exp(z[n:])
        num = lam * (that * w[:, None]) ** (1 - sigma)
        lam1 = num / num.sum(axis=0, keepdims=True)
        Xn = lam1 * (yh * Y)[None, :] / (1 + t_new)
        f1 = Xn.sum(axis=1) - w * R
        f1[-1] = R @ (w - 1)
        f2 = (lam1 * t_new / (1 + t_new)).sum(axis=0) * yh * Y + w * R - yh * Y
        return np.concatenate([f1 / R, f2 / Y])

    sol = root(eqs, np.zeros(2 * n), method="hybr", tol=1e-13)
    assert sol.success
    w, yh = np.exp(sol.x[:n]), np.exp(sol.x[n:])
    P = ((lam * (that * w[:, None]) ** (1 - sigma)).sum(axis=0)) ** (1 / (1 - sigma))
    return yh / P


def test_one_sector_collapse_matches_one_sector_armington(default_data: MultiSectorData) -> None:
    # collapse the default data to one sector, balance it with the multi-sector calibration, then
    # compare the multi-sector solver (S = 1, no IO) with an independent Armington solve
    flows = default_data.flows.sum(axis=2, keepdims=True)
    pre = (default_data.flows / (1 + default_data.tariffs)).sum(axis=2, keepdims=True)
    tariffs = np.where(pre > 0, flows / np.where(pre > 0, pre, 1) - 1, 0.0)
    one = MultiSectorData(
        countries=default_data.countries,
        sectors=("all",),
        flows=flows,
        tariffs=tariffs,
        elasticities={"U4": np.array([4.0])},
        name="collapsed",
    )
    model = MultiSectorModel(one, elasticities="U4", io=False, deficits="balanced")
    scen = MultiSectorScenario(
        changes=(
            TariffChange(importer="USA", exporter="*", rate=0.10, mode="add"),
            TariffChange(importer="USA", exporter="JPN", rate=0.25),
            TariffChange(importer="CHN", exporter="USA", rate=0.20, mode="add"),
        )
    )
    res = model.solve(scen)
    balanced = model.base.pi * model.base.E[None, :, :]
    w_ref = _one_sector_armington(balanced[:, :, 0], tariffs[:, :, 0], res.tariffs_new[:, :, 0], sigma=5.0)
    np.testing.assert_allclose(res.welfare_hat, w_ref, rtol=1e-8)


def test_identical_sectors_equal_one_sector(default_data: MultiSectorData) -> None:
    # with a common ε and no IO, splitting a one-sector world into sectors with the same bilateral
    # pattern and tariffs leaves every aggregate unchanged
    base = default_data.flows.sum(axis=2)
    flows = np.stack([0.3 * base, 0.7 * base], axis=2)
    tariffs = np.repeat(default_data.tariffs.mean(axis=2, keepdims=True), 2, axis=2)
    two = MultiSectorData(default_data.countries, ("a", "b"), flows, tariffs, {"U4": np.array([4.0, 4.0])})
    one = MultiSectorData(
        default_data.countries, ("a",), base[:, :, None], tariffs[:, :, :1], {"U4": np.array([4.0])}
    )
    scen = MultiSectorScenario(changes=(TariffChange(importer="USA", exporter="*", rate=0.15),))
    r2 = MultiSectorModel(two, elasticities="U4", io=False).solve(scen)
    r1 = MultiSectorModel(one, elasticities="U4", io=False).solve(scen)
    np.testing.assert_allclose(r2.welfare_hat, r1.welfare_hat, rtol=1e-9)


def test_optimal_us_tariff_is_fixed_point(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, elasticities="U4", io=False)
    res = model.solve(build_scenario("optimal-us", default_data))
    t = res.optimal_us_tariff
    assert t is not None and 0.0 < t < 1.0
    us = default_data.country_index("USA")
    assert np.allclose(np.delete(res.tariffs_new[:, us, :], us, axis=0), t)
    # Θ at the solution: t = 1/Θ (Lashkaripour 2021 eq. 14); with ε = 4 everywhere Θ < 4
    assert t > 0.25
    # US welfare is higher at t* than at half of it (a tariff of 0 gives 0 by construction)
    half = model.solve(MultiSectorScenario(changes=(TariffChange(importer="USA", rate=t / 2),)))
    assert res.welfare_pct("USA") > half.welfare_pct("USA") > 0


def test_reciprocal_retaliation_mirrors(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, io=False)
    scen = MultiSectorScenario(
        changes=(
            TariffChange(importer="USA", exporter="JPN", sector="motor_vehicles", rate=0.25, mode="add"),
        ),
        retaliation="reciprocal",
    )
    cube = model.tariff_cube(scen)
    us, jp = default_data.country_index("USA"), default_data.country_index("JPN")
    k = default_data.sector_index("motor_vehicles")
    base = default_data.tariffs
    assert cube[jp, us, k] == pytest.approx(base[jp, us, k] + 0.25)
    assert cube[us, jp, k] == pytest.approx(base[us, jp, k] + 0.25)
    other = [s for s in range(default_data.n_sectors) if s != k]
    np.testing.assert_array_equal(cube[us, jp, other], base[us, jp, other])


def test_tariff_revenue_and_welfare_signs(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, io=True)
    res = model.solve(MultiSectorScenario(changes=(TariffChange(importer="USA", rate=0.10, mode="add"),)))
    frame = res.countries_frame().set_index("iso3")
    assert frame.loc["USA", "tariff_revenue_musd"] > 2 * frame.loc["USA", "tariff_revenue_base_musd"]
    assert frame.loc["USA", "welfare_pct"] > 0  # a 10 % tariff is below the optimal tariff
    assert frame.loc["CAN", "welfare_pct"] < 0
    sectors = res.sectors_frame()
    assert set(sectors.columns) >= {"iso3", "sector", "output_pct", "exports_pct", "imports_pct"}


def test_warm_start_reproduces_cold(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, io=True)
    scen = build_scenario("liberation-day", default_data)
    model.solve(build_scenario("uniform-20", default_data))
    warm = model.solve(scen)
    cold = model.solve(scen, warm_start=False)
    np.testing.assert_allclose(warm.welfare_hat, cold.welfare_hat, atol=1e-10)


# ------------------------------------------------------------------------------------ bad inputs


def test_convergence_error_carries_diagnostics(default_data: MultiSectorData) -> None:
    model = MultiSectorModel(default_data, io=True, options=SolverOptions(max_iter=1, tol=1e-14))
    with pytest.raises(ConvergenceError) as info:
        model.solve(
            build_scenario("liberation-day", default_data, retaliation="reciprocal"), warm_start=False
        )
    diag = info.value.diagnostics
    assert diag is not None and diag.converged is False and diag.iterations >= 1 and diag.max_residual > 0


def test_bad_inputs(default_data: MultiSectorData) -> None:
    with pytest.raises(UnknownDatasetError):
        load_dataset("gtap")
    with pytest.raises(UnknownDatasetError):
        load_dataset("icio", 2030)
    with pytest.raises(UnknownDatasetError):
        load_dataset("default", 2015)
    with pytest.raises(InvalidInputError, match="shape"):
        replace(default_data, tariffs=default_data.tariffs[:, :, :3].copy())
    bad = default_data.flows.copy()
    bad[0, 1, 2] = np.nan
    with pytest.raises(DataError, match="NaN"):
        replace(default_data, flows=bad)
    neg = {k: v.copy() for k, v in default_data.elasticities.items()}
    neg["CP"][0] = -1.0
    with pytest.raises(InvalidElasticityError, match="non-positive"):
        replace(default_data, elasticities=neg)
    with pytest.raises(InvalidElasticityError):
        MultiSectorModel(default_data, elasticities=[-2.0] * default_data.n_sectors)
    with pytest.raises(InvalidElasticityError):
        MultiSectorModel(default_data, elasticities=[np.nan] * default_data.n_sectors)
    with pytest.raises(InvalidInputError):
        MultiSectorModel(default_data, elasticities=[4.0, 4.0])
    with pytest.raises(InvalidInputError, match="unknown elasticity source"):
        MultiSectorModel(default_data, elasticities="XYZ")
    with pytest.raises(ScenarioError):
        build_scenario("no-such-scenario", default_data)
    with pytest.raises(ScenarioError):
        build_scenario("nafta", default_data)
    model = MultiSectorModel(default_data, io=False)
    with pytest.raises(UnknownCountryError):
        model.solve(MultiSectorScenario(changes=(TariffChange(importer="USA", exporter="ATL", rate=0.1),)))
    with pytest.raises(InvalidInputError):
        model.solve(MultiSectorScenario(changes=(TariffChange(importer="USA", sector="toys", rate=0.1),)))
    with pytest.raises(ScenarioError):
        model.solve(MultiSectorScenario(changes=(TariffChange(importer="USA", rate=-1.5),)))


def test_one_sector_collapse_matches_one_sector_helper_model(default_data: MultiSectorData) -> None:
    # Cross-model: the project's one-sector model (tarifflab.models.ge.one_sector, Liberation Day
    # structure) reduces to Armington/CES with lump-sum rebates when ν = 0, β = 1, κ = 0, φ = 1 and no
    # transfers; on the same balanced one-sector data both must give the same welfare and prices.
    one_sector = pytest.importorskip("tarifflab.models.ge.one_sector")
    calib = pytest.importorskip("tarifflab.models.ge.one_sector_calibration")
    flows = default_data.flows.sum(axis=2, keepdims=True)
    zero = np.zeros_like(flows)
    data = MultiSectorData(default_data.countries, ("all",), flows, zero, {"U4": np.array([4.0])})
    model = MultiSectorModel(data, elasticities="U4", io=False, deficits="balanced")
    X = (model.base.pi * model.base.E[None, :, :])[:, :, 0]
    E = X.sum(axis=0)
    n = len(data.countries)
    base = calib.Baseline(
        iso3=data.countries,
        us=data.country_index("USA"),
        trade=X,
        lam=X / E[None, :],
        expenditure=E,
        income=X.sum(axis=1),
        transfers=np.zeros(n),
        nu=np.zeros(n),
        phi=np.ones(n),
        gdp=E,
        weights=E,
        params=calib.OneSectorParams(eps=4.0, kappa=0.0),
        variant="ek",
        beta=1.0,
        nu_regions=(0.0, 0.0),
    )
    t = np.zeros((n, n))
    us, jp, cn = data.country_index("USA"), data.country_index("JPN"), data.country_index("CHN")
    t[:, us] = 0.10
    t[jp, us] = 0.25
    t[us, cn] = 0.20
    np.fill_diagonal(t, 0.0)
    theirs = one_sector.OneSectorModel(base, fiscal="lump-sum").solve(t)
    ours = model.solve(tariffs=t[:, :, None])
    np.testing.assert_allclose(100 * (ours.welfare_hat - 1), theirs.table[:, 0], atol=1e-7)
    np.testing.assert_allclose(
        ours.price_hat / ours.w_hat, theirs.hats["P_hat"] / theirs.hats["w_hat"], rtol=1e-8
    )
