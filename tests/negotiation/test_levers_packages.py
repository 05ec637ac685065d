"""Levers, their mapping into model inputs, packages and grids (named errors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tarifflab.errors import ScenarioError
from tarifflab.negotiation.datasets import load_default
from tarifflab.negotiation.levers import (
    LeverRangeError,
    MappingAssumptions,
    UnknownLeverError,
    UnknownPairError,
    get_pair,
    model_inputs,
)
from tarifflab.negotiation.packages import (
    ContradictoryPackageError,
    EmptyGridError,
    UnknownPackageError,
    builtin_packages,
    get_package,
    grid_packages,
    load_grid,
)

PAIR = get_pair("us-japan")


def test_pairs_resolve_and_share_machinery() -> None:
    assert PAIR.players == ("USA", "JPN")
    assert "rice_purchase_increase" in PAIR.levers
    eu = get_pair("us-eu")
    assert eu.partner == "EUN" and "rice_purchase_increase" not in eu.levers
    assert get_pair("US-Korea").partner == "KOR"
    for bad in ("us-atlantis", "japan-us", "us-us", "nonsense"):
        with pytest.raises(UnknownPairError):
            get_pair(bad)


def test_rice_lever_is_capped_by_minimum_access() -> None:
    lever = PAIR.lever("rice_purchase_increase")
    # 770,000 t minimum access over 346,000 t of US rice in FY2024 (facts/trade_japan.csv)
    assert lever.high == pytest.approx(770_000 / 346_000 - 1, abs=1e-4)
    with pytest.raises(LeverRangeError):
        PAIR.validate({"rice_purchase_increase": 1.5})


def test_unknown_and_out_of_range_levers_are_named_errors() -> None:
    with pytest.raises(UnknownLeverError, match="no_such_lever"):
        PAIR.validate({"no_such_lever": 1.0})
    with pytest.raises(LeverRangeError, match="us_reciprocal_rate"):
        PAIR.validate({"us_reciprocal_rate": 0.9})
    with pytest.raises(LeverRangeError):
        PAIR.validate({"us_all_in_rule": 0.5})


def test_tariff_mapping_all_in_rule_and_stacking() -> None:
    data = load_default()
    us, jp, mv = data.index("USA"), data.index("JPN"), data.sector_index("motor_vehicles")
    food = data.sector_index("food")
    mfn = data.tariffs[jp, us, mv]
    share = MappingAssumptions().auto_share_of_motor_vehicles
    t, _, _ = model_inputs(data, PAIR, {"us_auto_rate": 0.25, "us_reciprocal_rate": 0.25})
    # no deal: the S232 25% stacks on MFN (27.5% on cars), the rest pays MFN + reciprocal
    assert t[jp, us, mv] == pytest.approx(share * (mfn + 0.25) + (1 - share) * (mfn + 0.25))
    t, _, _ = model_inputs(
        data,
        PAIR,
        {"us_auto_rate": 0.15, "us_reciprocal_rate": 0.15, "us_all_in_rule": 1, "us_auto_all_in_rule": 1},
    )
    # deal (EO 14345): 15% all-in on goods and on cars, max(MFN, 15%)
    assert t[jp, us, mv] == pytest.approx(max(mfn, 0.15))
    assert t[jp, us, food] == pytest.approx(max(data.tariffs[jp, us, food], 0.15))
    # goods all-in but cars under the s.232 25% on top of MFN (Proclamation 10908; the EU under EO 14326
    # before its auto cap, Switzerland after its 2025-11-14 framework): the two rules are separate
    t, _, _ = model_inputs(
        data, PAIR, {"us_auto_rate": 0.25, "us_reciprocal_rate": 0.15, "us_all_in_rule": 1}
    )
    assert t[jp, us, mv] == pytest.approx(share * (mfn + 0.25) + (1 - share) * max(mfn, 0.15))
    # third countries untouched
    cn = data.index("CHN")
    np.testing.assert_allclose(t[:, cn, :], data.tariffs[:, cn, :])


def test_purchase_certification_and_pledge_mapping() -> None:
    data = load_default()
    us, jp = data.index("USA"), data.index("JPN")
    agri, mv = data.sector_index("agriculture"), data.sector_index("motor_vehicles")
    t, d, nx = model_inputs(
        data,
        PAIR,
        {"purchases_farm_usd_bn": 8.0, "certification_cost_cut": 0.05, "investment_pledge_usd_bn": 550},
    )
    assert t[us, jp, agri] < data.tariffs[us, jp, agri]  # implicit subsidy toward US farm goods
    assert d[us, jp, mv] == pytest.approx(1 / 1.05)
    a = MappingAssumptions()
    assert a.transfer_fraction() == pytest.approx(0.5)  # 50/50 split never recouped within 20 years
    assert nx[jp] == pytest.approx(550 * 0.5 * 0.05) and nx[us] == pytest.approx(-nx[jp])


def test_transfer_fraction_rises_after_recoup() -> None:
    # With a long project life Japan recoups and then keeps only 10%: it gives up more.
    assert MappingAssumptions(project_years=60).transfer_fraction() > 0.5


def test_builtin_packages() -> None:
    pk = builtin_packages(PAIR)
    deal = pk["july_2025_deal"].levers
    assert deal["us_reciprocal_rate"] == 0.15 and deal["us_all_in_rule"] == 1.0
    assert deal["investment_pledge_usd_bn"] == 550.0 and deal["rice_purchase_increase"] == 0.75
    assert pk["no_deal_july_letter"].levers["us_reciprocal_rate"] == 0.25
    assert pk["status_quo_2024"].changed(PAIR) == {}


def test_package_files_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "mine.yaml"
    good.write_text(
        "description: test\ninclude: [tariff_terms_of_deal]\nlevers: {purchases_energy_usd_bn: 5}\n"
    )
    assert get_package(PAIR, str(good)).levers["purchases_energy_usd_bn"] == 5.0
    clash = tmp_path / "clash.yaml"
    clash.write_text("include: [tariff_terms_of_deal]\nlevers: {us_reciprocal_rate: 0.2}\n")
    with pytest.raises(ContradictoryPackageError, match="us_reciprocal_rate"):
        get_package(PAIR, str(clash))
    both = tmp_path / "both.yaml"
    both.write_text("levers: {partner_retaliation_rate: 0.2, purchases_farm_usd_bn: 8}\n")
    with pytest.raises(ContradictoryPackageError, match="retaliates"):
        get_package(PAIR, str(both))
    two = tmp_path / "two.yaml"
    two.write_text("include: [no_deal_july_letter, tariff_terms_of_deal]\n")
    with pytest.raises(ContradictoryPackageError):
        get_package(PAIR, str(two))
    bad_lever = tmp_path / "bad.yaml"
    bad_lever.write_text("levers: {warp_drive: 1}\n")
    with pytest.raises(UnknownLeverError):
        get_package(PAIR, str(bad_lever))
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("levers: [unclosed\n")
    with pytest.raises(ScenarioError):
        get_package(PAIR, str(malformed))
    extra = tmp_path / "extra.yaml"
    extra.write_text("levers: {}\nsurprise: 1\n")
    with pytest.raises(ScenarioError):
        get_package(PAIR, str(extra))
    with pytest.raises(UnknownPackageError):
        get_package(PAIR, "no_such_package")


def test_grids(tmp_path: Path) -> None:
    assert len(load_grid(PAIR)) == 6 * 5 * 3 * 3 * 2 * 2 * 4
    with pytest.raises(EmptyGridError):
        grid_packages(PAIR, {}, {})
    with pytest.raises(EmptyGridError):
        grid_packages(PAIR, {}, {"us_reciprocal_rate": []})
    with pytest.raises(LeverRangeError):
        grid_packages(PAIR, {}, {"us_reciprocal_rate": [0.1, 2.0]})
    wrong_pair = tmp_path / "g.yaml"
    wrong_pair.write_text("pair: us-eu\ngrid: {us_reciprocal_rate: [0.1]}\n")
    with pytest.raises(ScenarioError):
        load_grid(PAIR, wrong_pair)


def test_pairs_without_a_grid_file_use_the_generic_grid() -> None:
    eu = get_pair("us-eu")
    grid = load_grid(eu)
    assert len(grid) == 6 * 5 * 3 * 3 * 3
    assert "rice_purchase_increase" not in grid[0]
    # the package file plus the two packages built from the deal record
    assert set(builtin_packages(eu)) == {
        "status_quo_2024", "liberation_day_annex", "eo14326_15_all_in", "record_threat", "record_deal",
    }  # fmt: skip
