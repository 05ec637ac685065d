"""The Budget Lab's ETR rebuilt from its own inputs, and our gap to it split by measure.

Expected values come from the Budget Lab's calculator as published (Budget-Lab-Yale/Tariff-ETRs:
functions.R's rules, the 10-30 scenario's files and parameters) and from its "State of U.S. Tariffs:
October 30, 2025" report (17.9%, and 9.1% without IEEPA), never from our engine's output.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from tarifflab.data import trackers
from tarifflab.data.budget_lab import (
    TARIFF_ETRS_10_30_PARAMETERS,
    S232Program,
    TariffEtrsScenario,
    fold_ieepa_rates,
    tariff_etrs_scenario,
)
from tarifflab.metrics.budget_lab import (
    budget_lab_line_rates,
    derivative_scope_split,
    gap_by_line,
    gtap_weighted_change,
    layer_base,
    partner_group_of,
    summarise_gap,
)

PARAMS = TARIFF_ETRS_10_30_PARAMETERS
GROUPS = {"CAN": "canada", "MEX": "mexico", "CHN": "china", "GBR": "uk", "KOR": "ftrow"}


def _scenario() -> TariffEtrsScenario:
    rates = {g: 0.25 for g in ("china", "canada", "mexico", "japan", "uk", "eu", "row", "ftrow")}
    steel = S232Program(
        "steel", ("720810",), (), MappingProxyType({**rates, "uk": 0.25, "china": 0.5}), usmca_exempt=False
    )
    autos = S232Program(
        "automobiles_passenger_and_light_trucks", ("870323",), (), MappingProxyType(rates), True
    )
    ieepa = pd.DataFrame(
        {
            "china": [0.2, 0.2, 0.0],
            "canada": [0.35, 0.35, 0.0],
            "mexico": [0.25, 0.25, 0.0],
            "japan": [0.15, 0.15, 0.0],
            "uk": [0.1, 0.1, 0.0],
            "eu": [0.15, 0.15, 0.0],
            "row": [0.1, 0.1, 0.0],
            "ftrow": [0.1, 0.1, 0.0],
        },
        index=pd.Index(["tex", "i_s", "mvh"], name="gtap_code"),
    )
    return TariffEtrsScenario("synthetic", (steel, autos), ieepa, PARAMS)


GTAP = pd.Series({"610910": "tex", "720810": "i_s", "870323": "mvh"})
USMCA = pd.DataFrame(
    {"canada": [0.07, 0.48, 0.91], "mexico": [0.11, 0.84, 0.71]}, index=["tex", "i_s", "mvh"]
)


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hs10": ["6109100012", "6109100012", "8703230140", "7208100000", "9801001035", "6109100012"],
            "partner": ["CHN", "MEX", "CAN", "GBR", "CHN", "KOR"],
            "imports_usd": [100.0, 200.0, 400.0, 50.0, 250.0, 0.0],
        }
    )


def _theirs(with_ieepa: bool = True) -> pd.DataFrame:
    observed = np.array([0.16, 0.0, 0.0, 0.0, 0.0, 0.0])
    return budget_lab_line_rates(
        _lines(), observed, _scenario(), with_ieepa=with_ieepa, gtap=GTAP, usmca=USMCA, groups=GROUPS
    )


def test_korea_and_viet_nam_are_folded_into_their_groups_by_trade_share() -> None:
    # Tariff-ETRs do_scenario(): ftrow = ftrow·(1 − kr_share) + kr·kr_share; row likewise with vn.
    raw = pd.DataFrame(
        {"gtap_code": ["B_T"], "china": [0.2], "canada": [0.35], "mexico": [0.25], "japan": [0.15]}
    )
    raw = raw.assign(uk=0.1, eu=0.15, row=0.1, ftrow=0.1, kr=0.151, vn=0.273)
    folded = fold_ieepa_rates(raw, PARAMS).loc["b_t"]
    assert folded["ftrow"] == pytest.approx(0.1 * (1 - 0.57) + 0.151 * 0.57)
    assert folded["row"] == pytest.approx(0.1 * (1 - 0.94) + 0.273 * 0.94)
    assert folded["china"] == 0.2 and "kr" not in folded.index


def test_line_rates_follow_the_calculator_rules() -> None:
    theirs = _theirs()
    # Chinese T-shirt: no 232 program, IEEPA tex rate 20% on top of its 2024 rate (16%).
    assert theirs.loc[0, "bl_ieepa_rate"] == pytest.approx(0.2)
    assert theirs.loc[0, "bl_total_rate"] == pytest.approx(0.36)
    # Mexican T-shirt: IEEPA 25% × (1 − USMCA share of tex, 0.11).
    assert theirs.loc[1, "bl_ieepa_rate"] == pytest.approx(0.25 * (1 - 0.11))
    # Canadian car: (25% − rebate 0.0375 × assembly share 0.33) × (1 − USMCA share 0.91 × US content 0.4),
    # and no IEEPA on the 232 base.
    expected = (0.25 - 0.0375 * 0.33) * (1 - 0.91 * 0.4)
    assert theirs.loc[2, "bl_s232_rate"] == pytest.approx(expected)
    assert theirs.loc[2, "bl_ieepa_rate"] == 0.0
    assert theirs.loc[2, "programs"] == "automobiles_passenger_and_light_trucks"
    # UK steel: the program's UK rate, full value, no USMCA or rebate.
    assert theirs.loc[3, "bl_s232_rate"] == pytest.approx(0.25)
    # Chapter 98 has no GTAP sector, so no IEEPA rate.
    assert theirs.loc[4, "gtap"] == "" and theirs.loc[4, "bl_ieepa_rate"] == 0.0
    # Korea is in the FTA group.
    assert theirs.loc[5, "group"] == "ftrow"


def test_no_ieepa_scenario_keeps_232_and_the_2024_base() -> None:
    theirs = _theirs(with_ieepa=False)
    assert (theirs["bl_ieepa_rate"] == 0).all()
    assert theirs.loc[0, "bl_total_rate"] == pytest.approx(0.16)
    assert theirs.loc[3, "bl_s232_rate"] == pytest.approx(0.25)


def _ours() -> pd.DataFrame:
    lines = _lines()
    frame = lines.assign(
        mfn_rate=[0.16, 0.0, 0.025, 0.0, 0.0, 0.0],
        s232_rate=[0.0, 0.0, 0.25, 0.25, 0.0, 0.0],
        reciprocal_rate=[0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        fentanyl_rate=[0.1, 0.25 * (1 - 0.5), 0.0, 0.0, 0.1, 0.0],
        s301_rate=[0.075, 0.0, 0.0, 0.0, 0.0, 0.0],
    )
    layers = ["mfn_rate", "s232_rate", "reciprocal_rate", "fentanyl_rate", "s301_rate"]
    return frame.assign(total_rate=frame[layers].sum(axis=1))


def test_measures_sum_to_our_rate_minus_the_rebuild() -> None:
    ours, theirs = _ours(), _theirs()
    by_line = gap_by_line(ours, theirs)
    total = float(ours["imports_usd"].sum())
    expected = (
        100 * float((ours["imports_usd"] * (ours["total_rate"] - theirs["bl_total_rate"])).sum()) / total
    )
    assert by_line["contribution_pp"].sum() == pytest.approx(expected)
    summary = summarise_gap(by_line, total).set_index("measure")
    assert summary["gap_pp"].sum() == pytest.approx(expected)
    # China's 7.5% s.301 (not in the 2024 duties of this synthetic line) is a pre-2025 China measure.
    china_base = "pre-2025 layers, China: our MFN + s.301 against its 2024 duties collected"
    assert summary.loc[china_base, "gap_pp"] == pytest.approx(100 * 100 * 0.075 / total)
    # The car is in its vehicle list: every additional layer of ours against its 232 rate.
    car = by_line[(by_line["hs10"] == "8703230140") & ~by_line["measure"].str.startswith("pre-2025")]
    assert car["measure"].str.startswith("s.232 passenger vehicles").all() and len(car) == 1
    # The chapter 98 line carries our duty and none of its.
    assert (by_line["measure"].str.contains("outside its HS6-GTAP crosswalk")).any()


def test_partner_groups_default_to_row() -> None:
    groups = partner_group_of(pd.Series(["CAN", "BRA", "EUN"]), {"CAN": "canada", "EUN": "eu"})
    assert groups.tolist() == ["canada", "row", "eu"]


def test_layer_base_reports_share_mean_and_highest_rate() -> None:
    lines = pd.DataFrame({"imports_usd": [60.0, 20.0, 20.0], "reciprocal_rate": [0.0, 0.1, 0.05]})
    share, mean, highest, pp = layer_base(lines, "reciprocal")
    assert (share, highest) == (pytest.approx(0.4), 0.1)
    assert mean == pytest.approx(0.075)
    assert pp == pytest.approx(3.0)


def test_gtap_weights_reweight_the_cells() -> None:
    lines = pd.DataFrame({"imports_usd": [100.0, 100.0]})
    theirs = pd.DataFrame(
        {
            "group": ["china", "eu"],
            "gtap": ["tex", "tex"],
            "bl_s232_rate": [0.0, 0.0],
            "bl_ieepa_rate": [0.2, 0.1],
        }
    )
    weights = pd.DataFrame({"china": [1.0], "eu": [3.0]}, index=pd.Index(["tex"], name="gtap_code"))
    assert gtap_weighted_change(lines, theirs, weights) == pytest.approx(100 * (0.2 * 1 + 0.1 * 3) / 4)


@pytest.mark.reference
def test_the_10_30_scenario_reads_as_published(reference_data: Path) -> None:
    scenario = tariff_etrs_scenario()
    programs = {p.name: p for p in scenario.programs}
    # Reference README §2(d): Japan's rate on upholstered wooden furniture is 15%; USMCA exempts vehicles.
    assert programs["upholstered_wooden_furniture"].rates["japan"] == 0.15
    assert programs["automobiles_passenger_and_light_trucks"].usmca_exempt
    assert not programs["steel"].usmca_exempt
    assert programs["steel"].rates["uk"] == 0.25
    # ieepa_rates.csv: textiles from China 20%, Canada 35%.
    assert scenario.ieepa.loc["tex", "china"] == 0.2 and scenario.ieepa.loc["tex", "canada"] == 0.35


@pytest.mark.reference
def test_rebuild_on_our_lines_lands_near_its_published_figures(reference_data: Path) -> None:
    # "State of U.S. Tariffs: October 30, 2025": 17.9% with the IEEPA duties, 9.1% if they are invalidated.
    # Our lines hold 98.7% of 2024 imports (51 partners) and the figure is rounded, hence the tolerance.
    from tarifflab.policy.engine import TariffEngine

    lines = TariffEngine.default().lines
    observed = (lines["duty_usd"] / lines["imports_usd"]).to_numpy()
    imports = lines["imports_usd"].to_numpy()
    scenario = tariff_etrs_scenario()
    for with_ieepa, published in ((True, 17.9), (False, 9.1)):
        theirs = budget_lab_line_rates(lines, observed, scenario, with_ieepa=with_ieepa)
        rebuilt = 100 * float((imports * theirs["bl_total_rate"]).sum() / imports.sum())
        assert rebuilt == pytest.approx(published, abs=0.3)


def test_post_ruling_estimates_carry_a_source_per_row() -> None:
    estimates = trackers.published_post_ruling_estimates()
    assert estimates["url"].str.startswith("https://").all()
    assert set(estimates["unit"]) <= {"level_pct", "change_pp", "drop_pp"}
    # The Budget Lab's SCOTUS update: 9.1% without IEEPA and before the surcharge.
    yale = estimates[estimates["url"].str.contains("budgetlab.yale.edu")]
    assert yale["figure_low"].tolist() == [9.1] and yale["s122_rate_pct"].isna().all()


def test_derivative_measure_splits_by_the_legal_list() -> None:
    # Heading 9903.85.08 lists HTS8 8473.30.20 and 8473.30.51, not 8473.30.11 (its tariff-rate-tracker's
    # s232_derivative_products.csv); aluminium plates of chapter 76 are base articles.
    measure = "s.232 aluminium and derivatives: its HS6 list, full value (all layers on these lines)"
    by_line = pd.DataFrame(
        {
            "hs10": ["8473301180", "8473302000", "7606123096"],
            "imports_usd": [1e9, 2e9, 3e9],
            "measure": [measure] * 3,
            "contribution_pp": [-0.3, -0.1, 0.02],
        }
    )
    split = derivative_scope_split(by_line, "s.232 aluminium", ("84733020", "84733051")).set_index("part")
    assert split.loc["its HS6 codes beyond the HTS8 list", "gap_pp"] == pytest.approx(-0.3)
    assert split.loc["derivatives on the HTS8 list", "gap_pp"] == pytest.approx(-0.1)
    assert split.loc["articles of chapters 72, 73, 74, 76", "lines"] == 1
