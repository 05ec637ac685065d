"""Payoffs from the model and the frontier analysis (including with a stand-in payoff model)."""

from __future__ import annotations

import numpy as np
import pytest

from payoff_stand_ins import LinearModel
from tarifflab.negotiation import analysis as an
from tarifflab.negotiation.bargaining import pareto_mask
from tarifflab.negotiation.datasets import load_default
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import EmptyGridError, Package, builtin_packages, grid_packages
from tarifflab.negotiation.payoffs import OssaPayoffModel, UtilityWeights, utilities

PAIR = get_pair("us-japan")


@pytest.fixture(scope="module")
def pm() -> OssaPayoffModel:
    return OssaPayoffModel(PAIR, load_default())


def test_status_quo_is_the_origin(pm: OssaPayoffModel) -> None:
    out = pm.evaluate({})
    for o in out.values():
        assert o.real_income_pct == pytest.approx(0.0, abs=1e-9)
        assert o.balance_change_usd_bn == pytest.approx(0.0, abs=1e-9)
        assert all(abs(v) < 1e-9 for v in o.sector_output_pct.values())


def test_no_deal_hurts_japanese_cars_and_cuts_the_deficit(pm: OssaPayoffModel) -> None:
    pk = builtin_packages(PAIR)
    out = pm.evaluate(pk["no_deal_july_letter"].levers)
    assert out["JPN"].sector_output_pct["partner_motor_vehicles"] < -1.0
    assert out["USA"].balance_change_usd_bn > 0
    assert out["USA"].revenue_change_usd_bn > 0
    assert out["JPN"].real_income_pct < 0
    deal = pm.evaluate(pk["july_2025_deal"].levers)
    # the deal's lower car tariff leaves Japanese car output above its no-deal level
    assert (
        deal["JPN"].sector_output_pct["partner_motor_vehicles"]
        > out["JPN"].sector_output_pct["partner_motor_vehicles"]
    )


def test_batch_equals_single(pm: OssaPayoffModel) -> None:
    pk = builtin_packages(PAIR)
    settings = [p.levers for p in pk.values()]
    batch = pm.evaluate_many(settings)
    for s, b in zip(settings, batch, strict=True):
        single = pm.evaluate(s)
        assert single["USA"].real_income_pct == pytest.approx(b["USA"].real_income_pct, abs=1e-10)


def test_frontier_report_on_model(pm: OssaPayoffModel) -> None:
    pk = builtin_packages(PAIR)
    grid = grid_packages(
        PAIR,
        {"us_all_in_rule": 1},
        {
            "us_reciprocal_rate": [0.0, 0.1, 0.2],
            "us_auto_rate": [0.0, 0.15, 0.25],
            "purchases_farm_usd_bn": [0, 8],
        },
    )
    rep = an.frontier(pm, grid, pk["no_deal_july_letter"], pk["july_2025_deal"])
    mask = pareto_mask(rep.payoffs)
    assert set(rep.frontier_index.tolist()) == set(np.flatnonzero(mask).tolist())
    d = rep.to_dict()
    assert set(d["disagreement"]) == {"USA", "JPN"}
    for sol in rep.solutions.values():
        if sol.mutually_beneficial:
            assert mask[sol.package_index]
            assert sol.point[0] >= d["disagreement"]["USA"] - 1e-9
    assert d["actual_deal"] is not None and "dominated_by" in d["actual_deal"]
    with pytest.raises(EmptyGridError):
        an.frontier(pm, [], pk["no_deal_july_letter"])


def test_concession_values_cover_every_changed_lever(pm: OssaPayoffModel) -> None:
    pk = builtin_packages(PAIR)
    values = an.concession_values(pm, pk["july_2025_deal"], pk["no_deal_july_letter"])
    assert set(values) == set(pk["july_2025_deal"].changed(PAIR)) - {"us_steel_rate"}
    # the pledge costs Japan and helps the US; the lower auto rate helps Japan
    assert values["investment_pledge_usd_bn"]["JPN"] < 0 < values["investment_pledge_usd_bn"]["USA"]
    assert values["us_auto_rate"]["JPN"] > 0


def test_frontier_with_any_payoff_model_and_no_deal_flag() -> None:
    model = LinearModel(PAIR)
    weights = {"USA": UtilityWeights(), "JPN": UtilityWeights()}
    grid = grid_packages(PAIR, {}, {"us_reciprocal_rate": list(np.linspace(0, 0.2, 21))})
    pk = builtin_packages(PAIR)
    # disagreement = reciprocal 25%: u = (2.5, -0.5); a linear frontier u_US + u_JP = 2
    rep = an.frontier(model, grid, pk["no_deal_july_letter"], weights=weights)
    assert not rep.mutually_beneficial
    assert "no mutually beneficial deal" in rep.to_dict()["message"]
    inside = Package("war", "", PAIR.validate({"us_reciprocal_rate": 0.1, "purchases_energy_usd_bn": 10}))
    rep = an.frontier(model, grid, inside, weights=weights, us_weight=0.3)  # d = (0, 0)
    assert rep.solutions["asymmetric_nash"].share_of_surplus_0 == pytest.approx(0.3)
    assert utilities(model.evaluate(PAIR.validate({"us_reciprocal_rate": 0.1})), PAIR, weights) == (1.0, 1.0)


def test_multi_sector_ge_payoff_model() -> None:
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    ge = MultiSectorPayoffModel(PAIR)
    sq = ge.evaluate(PAIR.status_quo())
    assert sq["USA"].real_income_pct == pytest.approx(0.0, abs=1e-8)
    assert sq["JPN"].sector_output_pct["partner_motor_vehicles"] == pytest.approx(0.0, abs=1e-8)
    pk = builtin_packages(PAIR)
    no_deal = ge.evaluate(pk["no_deal_july_letter"].levers)
    deal = ge.evaluate(pk["july_2025_deal"].levers)
    assert (
        no_deal["JPN"].sector_output_pct["partner_motor_vehicles"]
        < deal["JPN"].sector_output_pct["partner_motor_vehicles"]
        < 0
    )
    assert no_deal["USA"].balance_change_usd_bn > 0
    # the pledge's transfer moves real income one for one (first order) between the two
    pledge = ge.evaluate(PAIR.validate({"investment_pledge_usd_bn": 550}))
    assert pledge["JPN"].real_income_pct < 0 < pledge["USA"].real_income_pct
    grid = grid_packages(PAIR, {}, {"us_reciprocal_rate": [0.0, 0.1], "purchases_farm_usd_bn": [0, 8]})
    rep = an.frontier(ge, grid, pk["no_deal_july_letter"], pk["july_2025_deal"])
    assert len(rep.payoffs) == 4


def test_multi_sector_worker_processes_give_the_same_payoffs() -> None:
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    grid = grid_packages(PAIR, {}, {"us_reciprocal_rate": [0.0, 0.1, 0.2], "us_auto_rate": [0.0, 0.25]})
    serial = MultiSectorPayoffModel(PAIR, result_store=False).evaluate_many(grid)
    parallel = MultiSectorPayoffModel(PAIR, workers=2, result_store=False).evaluate_many(grid)
    for a, b in zip(serial, parallel, strict=True):
        assert a["JPN"].real_income_pct == pytest.approx(b["JPN"].real_income_pct, abs=1e-9)
