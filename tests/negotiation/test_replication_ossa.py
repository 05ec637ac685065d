"""Replication of Ossa (2014), "Trade Wars and Trade Talks with Data", AER 104(12), on his
7-region × 33-sector data (reference data; GTAP-derived, never shipped).

Published figures are from the paper's Tables 3–5, panel A ("without political economy",
λ ≡ 1). Tariff statistics are per-country *medians* over partners and sectors (the statistic of
the tables; the abstract's "average" is the mean of these medians). The abstract's political-economy
figures (62/63/2.9/0.5) need Ossa's calibrated λ (DATA.mat), which our reference copy lacks: see
docs/negotiation.md for that comparison.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tarifflab.negotiation.datasets import OSSA_REGIONS, load_ossa, load_ossa_noncooperative
from tarifflab.negotiation.ossa_model import OssaModel
from tarifflab.negotiation.tradewar import (
    TariffGameResult,
    calibrate_weights,
    cooperative_tariffs,
    nash_tariffs,
    optimal_tariffs,
)

pytestmark = pytest.mark.replication

# Ossa (2014) Table 3 panel A (optimal tariffs, no retaliation, λ ≡ 1), regions in regions.csv order
# (Brazil, China, EU, India, Japan, ROW, US): welfare gain of the imposing country (%) and median
# optimal tariff (%).
TABLE3A_WELFARE = [1.1, 1.8, 1.9, 1.7, 4.0, 2.9, 2.3]
TABLE3A_MEDIAN_TARIFF = [56.1, 59.3, 61.3, 54.0, 59.6, 61.5, 60.3]
# Ossa (2014) Table 4 panel A (Nash tariffs of a world trade war, λ ≡ 1): welfare change (%) and
# median Nash tariff (%); averages −2.4% and 58.1%.
TABLE4A_WELFARE = [-1.9, -2.2, -2.6, -2.2, -0.8, -5.0, -2.2]
TABLE4A_MEDIAN_TARIFF = [56.4, 58.6, 59.1, 54.5, 58.5, 59.7, 59.6]
# Ossa (2014) Table 5 panel A / abstract: efficient trade talks starting from factual tariffs give
# equal welfare gains of 0.5% ("possible government welfare gains ... average 0.5 percent").
TALKS_GAIN = 0.5


@pytest.fixture(scope="module")
def model(reference_data: Path) -> OssaModel:
    return OssaModel(load_ossa(reference_data))


@pytest.fixture(scope="module")
def optimal(model: OssaModel) -> TariffGameResult:
    return optimal_tariffs(model)


@pytest.fixture(scope="module")
def nash(model: OssaModel, optimal: TariffGameResult) -> TariffGameResult:
    # The first Jacobi round from factual tariffs is the optimal-tariff cube: start there.
    return nash_tariffs(model, start=optimal.tariffs, tol=1e-3)


def test_data_layout(model: OssaModel) -> None:
    assert model.data.countries == OSSA_REGIONS
    assert len(model.data.sectors) == 33
    jp, rice = model.data.index("JPN"), model.data.sector_index("ric")
    cn, us = model.data.index("CHN"), model.data.index("USA")
    # Japan's rice tariff is about 510% (sectors/README.md): row 2 of tariff_ijs.csv, China → Japan;
    # on US rice it is 402%.
    assert model.t0[cn, jp, rice] == pytest.approx(5.1316, abs=1e-4)
    assert model.t0[us, jp, rice] == pytest.approx(4.0177, abs=1e-4)
    assert np.max(np.abs(model.nx0)) < 1e-6 * model.E.max()


def test_optimal_tariffs_table3_panel_a(optimal: TariffGameResult) -> None:
    res = optimal
    np.testing.assert_allclose(res.welfare_change_pct, TABLE3A_WELFARE, atol=0.06)
    medians = list(res.player_median_tariffs_pct().values())
    np.testing.assert_allclose(medians, TABLE3A_MEDIAN_TARIFF, atol=1.0)
    assert res.average_tariff_pct == pytest.approx(np.mean(TABLE3A_MEDIAN_TARIFF), abs=0.5)


def test_nash_tariffs_table4_panel_a(nash: TariffGameResult) -> None:
    np.testing.assert_allclose(nash.welfare_change_pct, TABLE4A_WELFARE, atol=0.06)
    assert nash.welfare_change_pct.mean() == pytest.approx(-2.4, abs=0.05)
    medians = list(nash.player_median_tariffs_pct().values())
    np.testing.assert_allclose(medians, TABLE4A_MEDIAN_TARIFF, atol=1.0)
    assert nash.average_tariff_pct == pytest.approx(58.1, abs=0.5)


def test_trade_talks_gain_from_factual(model: OssaModel) -> None:
    res = cooperative_tariffs(model, liberalisation_only=False, sharpness=(2000.0,), max_iter=600)
    # Max-min efficient point: the smallest gain is the equal-gains value of Ossa's Table 5.
    assert res.welfare_change_pct.min() == pytest.approx(TALKS_GAIN, abs=0.05)
    assert np.all(res.welfare_change_pct > 0)


def test_bilateral_us_japan_war_only_moves_their_tariffs(model: OssaModel) -> None:
    us, jp = model.data.index("USA"), model.data.index("JPN")
    res = nash_tariffs(model, players=[us, jp], bilateral=True, tol=1e-4)
    eu = model.data.index("EUN")
    np.testing.assert_allclose(res.tariffs[:, eu, :], model.t0[:, eu, :])
    assert res.tariffs[jp, us].mean() > model.t0[jp, us].mean() + 0.1
    # Japan's Nash tariffs replace its prohibitive rice tariff on the US with a finite one
    assert res.tariffs[us, jp, model.data.sector_index("ric")] < 2.0


def test_nash_tariffs_compared_with_ossa_noncooperative_targets(
    nash: TariffGameResult, reference_data: Path
) -> None:
    targets = load_ossa_noncooperative(reference_data)
    # The empirical non-cooperative tariffs (tariff_noncoop.csv) are far below the λ ≡ 1 Nash
    # tariffs for the US and the EU: documented in docs/negotiation.md.
    medians = nash.player_median_tariffs_pct()
    for country in ("USA", "EUN"):
        assert medians[country] > 100 * float(np.median(targets[country])) + 20


def test_weight_calibration_reproduces_china_targets(model: OssaModel, reference_data: Path) -> None:
    from tarifflab.negotiation.tradewar import best_response

    targets = load_ossa_noncooperative(reference_data).to_numpy()
    cn = model.data.index("CHN")
    lam = calibrate_weights(model, targets, calibrate=[cn])
    assert lam[cn].mean() == pytest.approx(1.0)
    column, _ = best_response(model, cn, model.t0, upper=2.28, weights=lam, mfn=True)
    mfn = column[0]
    np.testing.assert_allclose(mfn, targets[:, cn], atol=0.05)
