"""Published figures of Ignatenko, Lashkaripour, Macedoni & Simonovska (2025), JIE 157, 104138.

Expected values are copied from the authors' replication package, repository
JoeLoera/liberation-day-replication (commit e1f26fd), files ``output/Table_*.tex`` (as printed in
the paper) and ``output/output_map*.csv`` (full precision, per country). A value written as a
string is a printed figure; the tolerance is half a unit of its last printed digit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tarifflab.data.reference import reference_root
from tarifflab.errors import ReferenceDataMissingError
from tarifflab.models.ge.results import GEResult
from tarifflab.studies.ge_one_sector import OneSectorLab

# The embedded default holds the same BACI 2023 flows (float32), GDP and announced tariffs as the
# reference files, so the published figures are checked on a fresh clone too.
pytestmark = [pytest.mark.replication, pytest.mark.embedded]

_cache: dict[str, GEResult] = {}


@pytest.fixture(scope="module")
def lab() -> OneSectorLab:
    try:
        return OneSectorLab.load(reference_root() / "ge")
    except ReferenceDataMissingError:
        return OneSectorLab.load(embedded=True)


def solved(lab: OneSectorLab, scenario: str) -> GEResult:
    if scenario not in _cache:
        _cache[scenario] = lab.run(scenario)
    return _cache[scenario]


def check(value: float, printed: str) -> None:
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    tolerance = 0.5 * 10.0**-decimals + 1e-9
    assert abs(value - float(printed)) <= tolerance, f"{value:.6f} does not round to {printed}"


COLS6 = ("welfare_pct", "deficit_pct", "exports_gdp_pct", "imports_gdp_pct", "employment_pct", "cpi_pct")
COLS4 = ("welfare_pct", "deficit_pct", "employment_pct", "cpi_pct")


def row(lab: OneSectorLab, scenario: str, who: str, weighted: bool = True) -> dict[str, float]:
    result = solved(lab, scenario)
    if who == "non-US":
        return result.aggregates["non_us" if weighted else "non_us_mean"]
    if who == "EU":
        return result.aggregates["eu25"]
    if who == "RoW":
        return result.aggregates["row"]
    return result.country(who)


# Table 1 (output/Table_1.tex): welfare, deficit, exports/GDP, imports/GDP, employment, prices.
TABLE_1 = [
    ("liberation-day", "USA", ("1.13", "-18.1", "-52.7", "-43.6", "0.32", "12.8")),  # case 1
    ("liberation-day", "non-US", ("-0.58", "11.6", "-3.2", "-3.3", "-0.14", "-4.7")),  # case 1
    ("liberation-day-lump-sum", "USA", ("-0.01", "-18.4", "-52.5", "-43.3", "-0.41", "13.1")),  # case 2
    ("liberation-day-lump-sum", "non-US", ("-0.57", "11.7", "-3.3", "-3.4", "-0.14", "-4.8")),  # case 2
    ("optimal-us", "USA", ("1.79", "-19.1", "-55.3", "-45.6", "0.51", "12.6")),  # case 3
    ("optimal-us", "non-US", ("-0.61", "17.1", "-4.2", "-3.7", "-0.16", "-4.6")),  # case 3
]
# Table 9 (output/Table_9.tex), same six columns.
TABLE_9 = [
    ("liberation-day-low-passthrough", "USA", ("1.36", "-11.8", "-35.0", "-28.8", "0.30", "7.9")),  # alt. 2
    ("liberation-day-low-passthrough", "non-US", ("-0.23", "7.1", "-2.1", "-2.2", "-0.04", "-2.9")),  # alt. 2
    ("liberation-day-eps8", "USA", ("0.33", "-26.3", "-71.6", "-58.0", "0.10", "11.8")),  # alt. 3
    ("liberation-day-eps8", "non-US", ("-0.44", "18.6", "-5.3", "-4.9", "-0.11", "-4.3")),  # alt. 3
    ("liberation-day-ek", "USA", ("1.24", "-0.4", "-46.3", "-33.3", "0.41", "10.9")),  # alt. 4
    ("liberation-day-ek", "non-US", ("-0.50", "0.1", "-1.9", "-2.9", "-0.10", "-4.0")),  # alt. 4
]
# Table 4 (output/Table_4.tex), one-sector IO rows; non-US weighted by GDP.
TABLE_4 = [
    ("io-liberation-day", "USA", ("0.86", "-18.4", "-53.9", "-44.4", "0.24", "12.7")),  # pre (1)
    ("io-liberation-day", "non-US", ("-1.31", "12.0", "-3.5", "-4.0", "-0.29", "-5.0")),  # pre (1)
    ("io-reciprocal-retaliation", "USA", ("-3.38", "-27.1", "-71.4", "-56.6", "-1.20", "9.3")),  # post (1)
    ("io-reciprocal-retaliation", "non-US", ("-1.17", "20.1", "-6.5", "-6.3", "-0.32", "-2.0")),  # post (1)
    # post (2): the authors' fmincon iterate = the interior-point subproblem at barrier μ = 0.01636
    # (μ fitted on USA welfare only; the other eleven figures follow). See the test below.
    ("io-optimal-retaliation-authors", "USA", ("-5.26", "-30.9", "-79.9", "-62.5", "-1.86", "7.5")),
    ("io-optimal-retaliation-authors", "non-US", ("-1.13", "24.2", "-7.7", "-7.0", "-0.34", "-0.5")),
]


@pytest.mark.parametrize(("scenario", "who", "printed"), TABLE_1 + TABLE_9 + TABLE_4)
def test_six_column_tables(lab: OneSectorLab, scenario: str, who: str, printed: tuple[str, ...]) -> None:
    values = row(lab, scenario, who)
    for col, text in zip(COLS6, printed, strict=True):
        check(values[col], text)


# Table 2 (output/Table_2.tex): welfare, deficit, employment, prices.
TABLE_2 = [
    ("reciprocal-retaliation", "USA", ("-0.36", "-26.7", "-0.18", "7.5")),  # (1)
    ("reciprocal-retaliation", "CHN", ("-0.82", "6.2", "-0.16", "-3.7")),  # (1)
    ("reciprocal-retaliation", "EU", ("-0.22", "15.4", "-0.09", "-2.6")),  # (1)
    ("reciprocal-retaliation", "non-US", ("-0.46", "19.8", "-0.13", "-2.7")),  # (1)
    ("optimal-retaliation", "USA", ("-0.75", "-29.0", "-0.32", "6.0")),  # (3); Python port gives -0.95
    ("optimal-retaliation", "CHN", ("-0.65", "6.3", "-0.13", "-3.3")),  # (3)
    ("optimal-retaliation", "EU", ("-0.23", "16.6", "-0.09", "-2.1")),  # (3)
    ("optimal-retaliation", "non-US", ("-0.43", "22.4", "-0.13", "-2.2")),  # (3)
    ("optimal-vs-optimal", "USA", ("-0.32", "-28.4", "-0.20", "4.2")),  # (4)
    ("optimal-vs-optimal", "CHN", ("-0.36", "4.2", "-0.08", "-2.1")),  # (4)
    ("optimal-vs-optimal", "EU", ("-0.23", "16.9", "-0.09", "-1.5")),  # (4)
    ("optimal-vs-optimal", "non-US", ("-0.39", "25.1", "-0.13", "-1.5")),  # (4)
]
# Table 8 (output/Table_8.tex): welfare, deficit, employment, prices.
TABLE_8 = [
    ("regional-us-eu-china", "USA", ("-0.19", "-22.3", "-0.13", "4.5")),  # case 1
    ("regional-us-eu-china", "CHN", ("-0.69", "6.1", "-0.16", "-2.4")),  # case 1
    ("regional-us-eu-china", "EU", ("-0.25", "17.8", "-0.10", "-1.6")),  # case 1
    ("regional-us-eu-china", "RoW", ("-0.16", "19.8", "-0.07", "-1.3")),  # case 1
    ("regional-us-china", "USA", ("-0.09", "-20.5", "-0.10", "3.9")),  # case 2
    ("regional-us-china", "CHN", ("-0.67", "6.1", "-0.16", "-2.2")),  # case 2
    ("regional-us-china", "EU", ("-0.06", "9.4", "-0.03", "-1.2")),  # case 2
    ("regional-us-china", "RoW", ("-0.17", "21.0", "-0.07", "-1.2")),  # case 2
    ("regional-us-china-108", "USA", ("-0.29", "-20.8", "-0.16", "4.1")),  # case 3
    ("regional-us-china-108", "CHN", ("-0.79", "6.5", "-0.19", "-2.3")),  # case 3
    ("regional-us-china-108", "EU", ("-0.06", "9.2", "-0.03", "-1.3")),  # case 3
    ("regional-us-china-108", "RoW", ("-0.16", "20.7", "-0.07", "-1.2")),  # case 3
]


@pytest.mark.parametrize(("scenario", "who", "printed"), TABLE_2 + TABLE_8)
def test_four_column_tables(lab: OneSectorLab, scenario: str, who: str, printed: tuple[str, ...]) -> None:
    values = row(lab, scenario, who)
    for col, text in zip(COLS4, printed, strict=True):
        check(values[col], text)


# Table 3 (output/Table_3.tex): US tariff revenue, % of GDP and % of federal budget.
@pytest.mark.parametrize(
    ("scenario", "gdp", "budget"),
    [
        ("liberation-day", "1.14", "4.95"),  # column "USTR tariff"
        ("optimal-us", "1.35", "5.88"),  # column "optimal tariff"
        ("optimal-retaliation", "0.74", "3.24"),  # column "retaliation: optimal"
        ("reciprocal-retaliation", "0.82", "3.57"),  # column "retaliation: reciprocal"
    ],
)
def test_table_3_revenue(lab: OneSectorLab, scenario: str, gdp: str, budget: str) -> None:
    scalars = solved(lab, scenario).scalars
    check(scalars["us_revenue_gdp_pct"], gdp)
    check(scalars["us_revenue_federal_budget_pct"], budget)


# Table 10 (output/Table_10.tex): welfare, exports/GDP, imports/GDP, employment, prices.
# non-US: welfare is the unweighted mean; the other columns are E-weighted.
TABLE_10 = [
    ("deficit-dek-pre", "USA", ("1.24", "-46.3", "-33.3", "0.41", "10.9")),  # (1)
    ("deficit-dek-pre", "non-US", ("-0.35", "-1.9", "-2.95", "-0.10", "-4.0")),  # (1)
    ("deficit-balanced-pre", "USA", ("0.92", "-54.9", "-42.7", "0.18", "11.2")),  # (2)
    ("deficit-balanced-pre", "non-US", ("-0.26", "-3.0", "-3.25", "-0.13", "-4.1")),  # (2)
    ("deficit-dek-post", "USA", ("0.05", "-73.8", "-49.0", "-0.04", "5.3")),  # (3)
    ("deficit-dek-post", "non-US", ("-0.26", "-4.8", "-5.64", "-0.10", "-1.9")),  # (3)
    ("deficit-balanced-post", "USA", ("-0.84", "-72.8", "-56.6", "-0.39", "4.4")),  # (4)
    # (4) non-US welfare: the table prints panel (3)'s mean (-0.26, a quirk of main_deficit.m),
    # so only columns 2-5 are checked here; see test_table_10_panel_4_quirk.
    ("deficit-balanced-post", "non-US", (None, "-6.1", "-5.38", "-0.09", "-1.6")),  # (4)
]


@pytest.mark.parametrize(("scenario", "who", "printed"), TABLE_10)
def test_table_10(lab: OneSectorLab, scenario: str, who: str, printed: tuple[str | None, ...]) -> None:
    weighted = row(lab, scenario, who)
    cols = ("welfare_pct", "exports_gdp_pct", "imports_gdp_pct", "employment_pct", "cpi_pct")
    for col, text in zip(cols, printed, strict=True):
        if text is None:
            continue
        if who == "non-US" and col == "welfare_pct":
            check(row(lab, scenario, who, weighted=False)[col], text)
        else:
            check(weighted[col], text)


def test_table_10_panel_4_quirk(lab: OneSectorLab) -> None:
    # output/Table_10.tex panel (4) non-US welfare "-0.26%" equals panel (3)'s unweighted mean.
    check(row(lab, "deficit-dek-post", "non-US", weighted=False)["welfare_pct"], "-0.26")
    assert abs(row(lab, "deficit-balanced-post", "non-US", weighted=False)["welfare_pct"] + 0.26) > 0.05


# Table 11 (output/Table_11.tex): global trade-to-GDP and global employment, one-sector columns.
@pytest.mark.parametrize(
    ("scenario", "trade", "employment"),
    [
        ("liberation-day", "-9.4", "-0.02"),  # main, before retaliation
        ("reciprocal-retaliation", "-11.6", "-0.15"),  # main, after retaliation
        ("io-liberation-day", "-10.8", "-0.12"),  # IO, before
        ("io-reciprocal-retaliation", "-12.4", "-0.58"),  # IO, after
    ],
)
def test_table_11(lab: OneSectorLab, scenario: str, trade: str, employment: str) -> None:
    scalars = solved(lab, scenario).scalars
    check(scalars["global_trade_to_gdp_pct"], trade)
    check(scalars["global_employment_pct"], employment)


# output/output_map.csv (Table 1 case 1, slot 1), all 7 columns at full precision.
OUTPUT_MAP = {
    "USA": (1.13071239738307, -18.0618776597615, -52.7123095310563, -43.5762821134122, 0.317854754606017, 12.8100598869917, 0.0113743239767745),
    "JPN": (-0.291379807186765, 46.5028429187278, -6.43101929650222, -4.38510051681896, -0.12429665981124, -5.24645238099951, 0.0),
    "CHN": (-1.13256221236169, 5.58671939906012, -3.93319574557066, -6.98961077950988, -0.169567550912741, -5.92621916873325, 0.0),
    "CAN": (-0.995790786422912, 10.4418945914817, -6.99704537347875, -6.92891615269006, -0.330049693207024, 0.812104281131898, 0.0),
    "MEX": (-2.54122981288165, 35.8267452050514, -16.7784382688308, -15.0370105891495, -0.87581040322624, -1.64098353095875, 0.0),
    "VNM": (-11.0228558417723, 11.5872157489969, -5.05052058201156, -7.14277000713899, -1.76478312250988, -5.50251789977234, 0.0),
    "GBR": (0.422918457622967, -1.12597515306798, -0.81287577989545, 0.495771626610275, 0.0300442828837122, -3.81332815071657, 0.0),
}  # fmt: skip
# output/output_map_retal.csv (Table 2 panel (3), slot 5).
OUTPUT_MAP_RETAL = {
    "USA": (-0.745409699115485, -28.9605777600051, -75.5333741087818, -59.8256144728485, -0.317229020763277, 6.0178383796905, 0.00744251420175226),
    "JPN": (-0.30657111726109, 66.2754770273699, -9.94741220739864, -7.22906213046302, -0.129418021074545, -2.81999936495906, 0.000910452085622409),
    "CAN": (-0.861377296684562, 209.887983578772, -29.2565353561771, -25.5244624470088, -0.400574493408112, 3.02922495315854, 0.00929406346117731),
    "DEU": (-0.455370416740175, 7.34595460261173, -3.4890530379632, -3.25077191013979, -0.129474460936807, -2.24188258128715, 0.000973170930404307),
}  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "iso3", "expected"),
    [("liberation-day", c, v) for c, v in OUTPUT_MAP.items()]
    + [("optimal-retaliation", c, v) for c, v in OUTPUT_MAP_RETAL.items()],
)
def test_output_map_full_precision(
    reference_data: Path, lab: OneSectorLab, scenario: str, iso3: str, expected: tuple[float, ...]
) -> None:
    # Agreement to 1e-7 needs the reference files' float64 flows (the embedded ones are float32).
    values = list(solved(lab, scenario).country(iso3).values())
    values[6] /= 100.0  # the authors' column 7 is the fraction R_i/E_i
    assert values == pytest.approx(list(expected), rel=1e-7, abs=1e-9)


def test_headline_figures(lab: OneSectorLab) -> None:
    # Table 1 case 1: USA +1.13 %; output/output_map.csv: JPN -0.291 %.
    result = solved(lab, "liberation-day")
    check(result.welfare("USA"), "1.13")
    check(result.welfare("JPN"), "-0.291")


def test_io_optimal_us_beats_other_uniform_tariffs(lab: OneSectorLab) -> None:
    # Table 4 pre (2) prints USA +2.15 % from the authors' MPEC (keeps the last element of the
    # tariff vector, a quirk). Our 1-D search maximises US welfare over uniform tariffs in [0, 0.25],
    # so it must do at least as well as the authors' figure and as any grid point.
    best = lab.run("io-optimal-us")
    rate = best.scalars["us_tariff"]
    assert 0.0 < rate < 0.25
    assert best.welfare("USA") >= 2.15 - 0.005
    model = lab.model("io")
    for other in (0.10, 0.15, 0.22, 0.25):
        tariffs = lab.ustr_matrix(None) * 0.0
        tariffs[:, lab.us] = other
        tariffs[lab.us, lab.us] = 0.0
        assert model.solve(tariffs).welfare("USA") <= best.welfare("USA") + 1e-9


def test_io_optimal_us_authors_rate(lab: OneSectorLab) -> None:
    # Table 4 pre (2) (output/Table_4.tex) comes from the authors' MPEC, which keeps only the last
    # element of the optimised tariff vector. That row is reproduced by a uniform US tariff of
    # 12.577 % (fitted here on one figure only, USA exports/GDP = -39.1); the other eleven printed
    # figures then follow. Our io-optimal-us scenario instead reports the true 1-D optimum (~17.9 %).
    from tarifflab.studies.ge_one_sector_tariffs import us_import_matrix

    result = lab.model("io").solve(us_import_matrix(np.full(lab.data.n, 0.125773), lab.us))
    usa, non_us = result.country("USA"), result.aggregates["non_us"]
    for col, text in zip(COLS6, ("2.15", None, "-39.1", "-32.1", "0.65", "6.9"), strict=True):
        if text is not None:
            check(usa[col], text)
    assert usa["deficit_pct"] == pytest.approx(-12.9, abs=0.06)  # printed -12.9; ours -12.95
    for col, text in zip(COLS6, ("-0.87", "11.7", None, None, "-0.22", "-2.9"), strict=True):
        if text is not None:
            check(non_us[col], text)
    assert non_us["exports_gdp_pct"] == pytest.approx(-3.0, abs=0.06)  # printed -3.0; ours -2.95
    assert non_us["imports_gdp_pct"] == pytest.approx(-2.8, abs=0.06)  # printed -2.8; ours -2.85


def test_io_optimal_retaliation_true_optimum(lab: OneSectorLab) -> None:
    # Table 4 post (2) (output/Table_4.tex) prints USA -5.26 %, non-US -1.13 % (GDP-weighted). That
    # row is not the optimum of the authors' objective (Y^IO-weighted non-US welfare over the 193
    # tariffs t_{US,i} in [0, 0.5]): fmincon stopped at its 200-iteration cap on the barrier path
    # (reproduced exactly by io-optimal-retaliation-authors). The converged optimum (L-BFGS-B with
    # adjoint gradients, projected gradient < 1e-5) retaliates less: mean rate ~21 %, USA -3.63 %,
    # non-US -1.09 %, and the non-US objective is higher than at the authors' iterate.
    best = solved(lab, "io-optimal-retaliation")
    authors = solved(lab, "io-optimal-retaliation-authors")
    assert best.scalars["search_projected_gradient"] < 1e-4
    assert best.scalars["retaliation_objective_pct"] > authors.scalars["retaliation_objective_pct"] + 0.04
    assert best.aggregates["non_us"]["welfare_pct"] > -1.13  # published (not optimal) -1.13
    assert best.welfare("USA") > -5.26  # published -5.26: the authors retaliate more than optimal
    check(best.welfare("USA"), "-3.63")  # ours, not published
    check(best.aggregates["non_us"]["welfare_pct"], "-1.09")  # ours, not published
    assert best.scalars["retaliation_tariff_mean"] == pytest.approx(0.211, abs=0.001)
    assert authors.scalars["retaliation_tariff_mean"] == pytest.approx(0.255, abs=0.001)
