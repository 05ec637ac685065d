"""Properties of the one-sector model: zero shock, analytic Jacobian, Walras' law, errors.

Runs on the embedded default dataset (no reference data needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tarifflab.errors import (
    ConvergenceError,
    InvalidInputError,
    ScenarioError,
    TariffFileError,
    UnknownCountryError,
)
from tarifflab.models.ge.one_sector import OneSectorModel
from tarifflab.models.ge.results import STAT_COLUMNS
from tarifflab.models.ge.solver import SolverDiagnostics, SolverOptions
from tarifflab.studies.ge_one_sector import OneSectorLab, scenario_info, scenarios
from tarifflab.studies.ge_one_sector_tariffs import export_supply_delta, read_tariff_file, region_delta


@pytest.fixture(scope="module")
def lab() -> OneSectorLab:
    return OneSectorLab.load(embedded=True)


def model_variants(lab: OneSectorLab) -> dict[str, OneSectorModel]:
    return {
        "baseline": lab.model(),
        "lump-sum": lab.model(fiscal="lump-sum"),
        "ek": lab.model("ek"),
        "io": lab.model("io"),
        "balanced": lab.model("balanced"),
    }


def test_calibration_reference_values(lab: OneSectorLab) -> None:
    # spec ge-one-sector.md §2.2 and §7 (independent check, not published): ν ≈ (0.1143, 0.2705),
    # δ^E_US ≈ 0.725 → t* ≈ 0.218; δ^Y_US ≈ 0.865 → t* ≈ 0.185; δ̄_ROW ≈ 0.923 → 0.227.
    nu_row, nu_us = lab.base.nu_regions
    assert nu_row == pytest.approx(0.1143, abs=5e-5)
    assert nu_us == pytest.approx(0.2705, abs=5e-5)
    assert export_supply_delta(lab.base, "E")[lab.us] == pytest.approx(0.725, abs=5e-4)
    assert export_supply_delta(lab.base, "Y")[lab.us] == pytest.approx(0.865, abs=5e-4)
    assert region_delta(lab.base)[0] == pytest.approx(0.923, abs=5e-4)
    assert lab.optimal_us_rate("E") == pytest.approx(0.218, abs=5e-4)
    assert lab.optimal_us_rate("Y") == pytest.approx(0.185, abs=5e-4)
    assert lab.optimal_retaliation_rate() == pytest.approx(0.227, abs=5e-4)


def test_baseline_accounting(lab: OneSectorLab) -> None:
    base = lab.base
    assert base.transfers.sum() == pytest.approx(0.0, abs=1e-6 * base.expenditure.sum())
    np.testing.assert_allclose(base.lam.sum(axis=0), 1.0, rtol=1e-12)
    assert int((np.diag(base.trade) == 0).sum()) == 2  # README: two countries get X_ii = 0


@pytest.mark.parametrize("variant", ["baseline", "lump-sum", "ek", "io"])
def test_zero_shock_returns_exact_ones(lab: OneSectorLab, variant: str) -> None:
    model = model_variants(lab)[variant]
    result = model.solve(np.zeros((model.n, model.n)), warm_start=False)
    for name, hat in result.hats.items():
        assert np.all(hat == 1.0), name
    assert result.diagnostics.iterations == 0
    assert np.all(result.table[:, 0] == 0.0)  # welfare exactly unchanged


@pytest.mark.parametrize("variant", ["baseline", "lump-sum", "ek", "io", "balanced"])
def test_analytic_jacobian_matches_finite_differences(lab: OneSectorLab, variant: str) -> None:
    model = model_variants(lab)[variant]
    tariffs = lab.ustr_matrix()
    tariffs[lab.us, :] = 0.2  # retaliation too, so every block is exercised
    tariffs[lab.us, lab.us] = 0.0
    shock = model.shock(tariffs)
    x = np.random.default_rng(7).normal(0.0, 0.05, model.size)
    _, jac = model.residual_jacobian(x, shock)
    step = 1e-6
    numeric = np.empty_like(jac)
    for k in range(model.size):
        up, down = x.copy(), x.copy()
        up[k] += step
        down[k] -= step
        numeric[:, k] = (model.residual(up, shock) - model.residual(down, shock)) / (2 * step)
    np.testing.assert_allclose(jac, numeric, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("variant", ["baseline", "ek", "io"])
def test_walras_law(lab: OneSectorLab, variant: str) -> None:
    model = model_variants(lab)[variant]
    tariffs = lab.ustr_matrix()
    x = np.random.default_rng(3).normal(0.0, 0.05, model.size)
    income_gap, budget_gap = model.market_gaps(x, tariffs)
    scale = model.baseline.expenditure.sum()
    assert income_gap.sum() == pytest.approx(-budget_gap.sum(), abs=1e-9 * scale)
    # At the solution the dropped income equation (last country) holds too.
    result = model.solve(tariffs)
    x_star = np.concatenate([np.log(result.hats[k]) for k in ("w_hat", "E_hat", "L_hat")])
    if variant == "io":
        x_star = np.concatenate([x_star, np.log(result.hats["P_hat"])])
    income_gap, budget_gap = model.market_gaps(x_star, tariffs)
    expenditure = model.baseline.expenditure
    assert np.max(np.abs(income_gap / expenditure)) < 1e-8
    assert np.max(np.abs(budget_gap / expenditure)) < 1e-8


def test_non_convergence_raises_with_diagnostics(lab: OneSectorLab) -> None:
    model = OneSectorModel(lab.base)
    with pytest.raises(ConvergenceError) as caught:
        model.solve(lab.ustr_matrix(), options=SolverOptions(max_iter=1))
    diagnostics = caught.value.diagnostics
    assert isinstance(diagnostics, SolverDiagnostics)
    assert diagnostics.converged is False
    assert diagnostics.iterations == 1
    assert diagnostics.max_residual > 1e-10


def test_warm_start_reaches_the_same_equilibrium(lab: OneSectorLab) -> None:
    cold = OneSectorModel(lab.base).solve(lab.ustr_matrix(), warm_start=False)
    model = OneSectorModel(lab.base)
    model.solve(lab.ustr_matrix() * 0.5)
    warm = model.solve(lab.ustr_matrix())
    np.testing.assert_allclose(warm.table, cold.table, atol=1e-7)
    assert warm.diagnostics.iterations < cold.diagnostics.iterations


def test_results_object(lab: OneSectorLab) -> None:
    result = lab.run("liberation-day")
    frame = result.to_frame()
    assert list(frame.columns) == list(STAT_COLUMNS)
    assert frame.index.name == "iso3" and len(frame) == 194
    assert frame.loc["USA", "welfare_pct"] == pytest.approx(1.1307, abs=1e-4)
    assert set(result.aggregates) == {"non_us", "non_us_mean", "eu25", "row"}
    diag = result.diagnostics
    assert diag.converged and diag.max_residual <= 1e-10 and diag.seconds > 0
    with pytest.raises(UnknownCountryError):
        result.country("XXX")
    payload = result.to_dict()
    assert set(payload["diagnostics"]) == {"iterations", "max_residual", "seconds", "converged"}


def test_scenario_registry(lab: OneSectorLab) -> None:
    names = {info.name for info in scenarios()}
    assert {
        "liberation-day",
        "liberation-day-lump-sum",
        "optimal-us",
        "reciprocal-retaliation",
        "optimal-retaliation",
        "optimal-vs-optimal",
        "custom",
    } <= names
    with pytest.raises(ScenarioError, match="nope"):
        scenario_info("nope")
    with pytest.raises(ScenarioError):
        lab.run("optimal-us", us_tariffs=np.zeros(194))
    with pytest.raises(ScenarioError):
        lab.run("custom")


def test_us_tariff_override_equals_matrix_run(lab: OneSectorLab) -> None:
    vec = np.full(194, 0.15)
    via_override = lab.run("custom", us_tariffs=vec)
    matrix = np.zeros((194, 194))
    matrix[:, lab.us] = 0.15
    via_matrix = lab.run_matrix(matrix)
    np.testing.assert_allclose(via_override.table, via_matrix.table, atol=1e-8)
    with pytest.raises(InvalidInputError):
        lab.run("custom", us_tariffs=np.full(194, -0.1))
    with pytest.raises(InvalidInputError):
        lab.run("custom", us_tariffs=np.zeros(3))


# ---------------------------------------------------------------------------- tariff files
def test_tariff_file_long_and_wide_agree(lab: OneSectorLab, tmp_path: Path) -> None:
    long = pd.DataFrame(
        {"exporter": ["JPN", "CHN", "USA"], "importer": ["USA", "USA", "JPN"], "tariff": [0.15, 0.3, 0.05]}
    )
    long.to_csv(tmp_path / "long.csv", index=False)
    wide = pd.DataFrame(
        {
            "exporter": ["JPN", "CHN", "USA"],
            "JPN": [0.0, 0.0, 0.05],
            "CHN": [0.0, 0.0, 0.0],
            "USA": [0.15, 0.3, 0.0],
        }
    )
    wide.to_parquet(tmp_path / "wide.parquet", index=False)
    a = read_tariff_file(tmp_path / "long.csv", lab.iso3)
    b = read_tariff_file(tmp_path / "wide.parquet", lab.iso3)
    np.testing.assert_array_equal(a, b)
    idx = lab.data.index
    assert a[idx["JPN"], idx["USA"]] == 0.15 and a[idx["USA"], idx["JPN"]] == 0.05
    assert np.count_nonzero(a) == 3


@pytest.mark.parametrize(
    ("content", "error", "match"),
    [
        ("exporter,importer,tariff\nJPN,USA,-0.1\n", TariffFileError, "negative"),
        ("exporter,importer,tariff\nJPN,USA,\n", TariffFileError, "NaN"),
        ("exporter,importer,tariff\nXXX,USA,0.1\n", UnknownCountryError, "XXX"),
        ("exporter,importer,tariff\nJPN,USA,0.1\nJPN,USA,0.2\n", TariffFileError, "twice"),
        ("exporter,importer,tariff\nJPN,USA,abc\n", TariffFileError, "numeric"),
        ("exporter,JPN,USA\nJPN,0,0.1\n", TariffFileError, "square"),
        ("exporter,JPN,USA\nJPN,0,0.1\nUSA,0.1,0.2\n", TariffFileError, "diagonal"),
        ("exporter,JPN,USA\nJPN,0,0.1\nUSA,,0\n", TariffFileError, "NaN"),
        ("exporter,JPN,ZZZ\nJPN,0,0.1\nZZZ,0.1,0\n", UnknownCountryError, "ZZZ"),
        ("just_one_column\n1\n", TariffFileError, "expected"),
    ],
)
def test_bad_tariff_files(lab: OneSectorLab, tmp_path: Path, content: str, error: type, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(error, match=match):
        read_tariff_file(path, lab.iso3)


def test_missing_or_wrong_type_tariff_file(lab: OneSectorLab, tmp_path: Path) -> None:
    with pytest.raises(TariffFileError, match="not found"):
        read_tariff_file(tmp_path / "none.csv", lab.iso3)
    other = tmp_path / "t.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(TariffFileError, match=r"csv or \.parquet"):
        read_tariff_file(other, lab.iso3)
