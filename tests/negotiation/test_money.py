"""Money first: equivalent variation in USD bn and % of GDP, political weights with dollar meaning,
lever overrides (``--set``, ``override:``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from payoff_stand_ins import LinearModel
from tarifflab.cli.main import run
from tarifflab.negotiation.levers import get_pair
from tarifflab.negotiation.packages import builtin_packages, get_package, with_settings
from tarifflab.negotiation.payoffs import Outcomes, UtilityWeights

PAIR = get_pair("us-japan")


@pytest.fixture(scope="module")
def ge():  # type: ignore[no-untyped-def]
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    return MultiSectorPayoffModel(PAIR)


def test_pledge_moves_equivalent_variation_by_the_transfer(ge) -> None:  # type: ignore[no-untyped-def]
    # docs/negotiation.md §3 (lever mapping): Japan gives up 50 % of the $550bn pledge's present value,
    # a permanent flow of PV × 5 % = 550 × 0.5 × 0.05 = 13.75 USD bn a year (issue 16 states the same sum)
    out = ge.evaluate(PAIR.validate({"investment_pledge_usd_bn": 550}))
    assert out["JPN"].equivalent_variation_usd_bn == pytest.approx(-13.75, abs=1e-6)
    assert out["USA"].equivalent_variation_usd_bn == pytest.approx(13.75, abs=1e-6)
    jp = out["JPN"]
    assert jp.equivalent_variation_pct_gdp == pytest.approx(100 * -13.75 / jp.gdp_usd_bn)


def test_equivalent_variation_is_real_income_times_national_income(ge) -> None:  # type: ignore[no-untyped-def]
    out = ge.evaluate(builtin_packages(PAIR)["no_deal_july_letter"].levers)
    for o in out.values():
        assert o.equivalent_variation_usd_bn == pytest.approx(
            o.real_income_pct / 100 * o.national_income_usd_bn
        )
        # national income = value added + tariff revenue − surplus; purged base: surplus 0, so I ≥ VA
        assert o.national_income_usd_bn >= o.gdp_usd_bn > 0
    # tracked sector output in dollars = its percent change × its base output
    car = out["JPN"]
    assert car.sector_output_change_usd_bn["partner_motor_vehicles"] == pytest.approx(
        car.sector_output_pct["partner_motor_vehicles"]
        / 100
        * car.sector_output_base_usd_bn["partner_motor_vehicles"]
    )


def _outcome(ev_pct: float, cars_pct: float, balance: float) -> Outcomes:
    return Outcomes(
        "JPN", ev_pct, 0.0, 0.0, balance, 0.0, 50.0,
        sector_output_pct={"partner_motor_vehicles": cars_pct},
        national_income_usd_bn=4000.0, gdp_usd_bn=4000.0,
        sector_output_base_usd_bn={"partner_motor_vehicles": 400.0},
    )  # fmt: skip


def test_political_weights_have_dollar_meaning() -> None:
    o = _outcome(-0.5, -2.0, -10.0)  # EV −20, car output −8 USD bn, balance −10 USD bn
    assert UtilityWeights().utility(o) == pytest.approx(-20.0)
    w = UtilityWeights(balance=0.5, sector_output={"partner_motor_vehicles": 1.5})
    assert w.utility(o) == pytest.approx(-20.0 - 5.0 - 12.0)
    assert (
        "one dollar of partner motor vehicles output counts as 1.5 dollars of national income" in w.describe()
    )


def test_tariff_revenue_is_not_a_separate_payoff() -> None:
    # revenue is part of national income, hence of the equivalent variation; a weight on it is refused
    with pytest.raises(ValidationError):
        UtilityWeights(revenue_usd_bn=0.005)  # type: ignore[call-arg]
    o = _outcome(0.0, 0.0, 0.0)  # +50 USD bn of revenue change, zero real income change
    assert UtilityWeights().utility(o) == 0.0


def test_set_changes_one_lever_and_override_in_a_file(tmp_path: Path) -> None:
    deal = get_package(PAIR, "july_2025_deal")
    changed = with_settings(PAIR, deal, ["us_auto_rate=0.25"])
    assert changed.levers["us_auto_rate"] == 0.25
    assert {k: v for k, v in changed.levers.items() if k != "us_auto_rate"} == {
        k: v for k, v in deal.levers.items() if k != "us_auto_rate"
    }
    path = tmp_path / "mine.yaml"
    path.write_text(
        "description: deal with cars at 25%\ninclude: [july_2025_deal]\noverride: {us_auto_rate: 0.25}\n"
    )
    assert get_package(PAIR, str(path)).levers == changed.levers


def _call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        run(list(args))
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_cli_evaluate_reports_dollars_and_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal",
        "--set", "us_auto_rate=0.25", "--format", "json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["levers"]["us_auto_rate"] == 0.25
    for side in ("USA", "JPN"):
        o = data["outcomes"][side]
        assert {"equivalent_variation_usd_bn", "equivalent_variation_pct_gdp"} <= set(o)
    # Japan's pledge transfer alone is −13.75 USD bn a year; the deal costs Japan at least that
    assert data["outcomes"]["JPN"]["equivalent_variation_usd_bn"] < -13.75
    code, out, _ = _call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--format", "table"
    )
    assert code == 0 and out.splitlines()[2].split() == ["USA", "JPN"]
    assert out.splitlines()[3].startswith("equivalent variation, USD bn a year")


@pytest.mark.parametrize(
    "setting", ["us_auto_rate", "us_auto_rate=lots", "no_such_lever=1", "us_auto_rate=7"]
)
def test_cli_bad_set_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], setting: str) -> None:
    code, _, err = _call(
        capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", "--set", setting
    )
    assert code == 2 and err.strip().count("\n") == 0 and "Traceback" not in err


def test_what_would_it_take_on_a_model_with_a_known_answer() -> None:
    from tarifflab.negotiation.analysis import what_would_it_take
    from tarifflab.negotiation.packages import Package, grid_packages

    model = LinearModel(PAIR)
    weights = {"USA": UtilityWeights(), "JPN": UtilityWeights()}
    grid = grid_packages(
        PAIR, {}, {"us_reciprocal_rate": [0.0, 0.05, 0.1, 0.15, 0.2], "purchases_energy_usd_bn": [0, 10]}
    )
    no_deal = Package(
        "war", "", PAIR.validate({"us_reciprocal_rate": 0.1, "purchases_energy_usd_bn": 10})
    )  # u = (0, 0)
    # without purchases the US accepts any r ≥ 0: Japan's best is r = 0, u = (0, 2)
    out = what_would_it_take(model, grid, {"purchases_energy_usd_bn": 0.0}, no_deal, weights)
    assert out.reservation == {"USA": pytest.approx(0.0), "JPN": pytest.approx(0.0)}
    assert out.packages_considered == 5 and out.packages_accepted == 5
    assert out.best is not None and out.best.levers["us_reciprocal_rate"] == 0.0
    assert out.best.utility == {"USA": pytest.approx(0.0), "JPN": pytest.approx(2.0)}
    # with $10bn of purchases (a deadweight loss of 1 each) the US needs r ≥ 0.1: Japan's best is r = 0.1
    out = what_would_it_take(model, grid, {"purchases_energy_usd_bn": 10.0}, no_deal, weights)
    assert (
        out.packages_accepted == 3 and out.best is not None and out.best.levers["us_reciprocal_rate"] == 0.1
    )
    # a target no accepted package can meet: the US never accepts when every package loses it money
    out = what_would_it_take(
        model, grid, {"us_reciprocal_rate": 0.0, "purchases_energy_usd_bn": 10.0}, no_deal, weights
    )
    assert out.best is None and out.to_dict(PAIR)["feasible"] is False


def test_cli_what_would_it_take_shape_and_bad_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "pair: us-japan\nbase: {us_all_in_rule: 1}\ngrid: {us_reciprocal_rate: [0.1, 0.15, 0.25], investment_pledge_usd_bn: [0, 550]}\n"
    )
    code, out, _ = _call(
        capsys,
        "negotiate",
        "what-would-it-take",
        "us-japan",
        "--target",
        "us_auto_rate=0.10",
        "--grid",
        str(grid),
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["target"] == {"us_auto_rate": 0.1} and data["packages_considered"] == 6
    if data["feasible"]:
        assert data["package"]["levers"]["us_auto_rate"] == 0.1
        assert data["payoffs_usd_bn"]["USA"] >= data["reservation_value_usd_bn"]["USA"] - 1e-9
    code, _, err = _call(capsys, "negotiate", "what-would-it-take", "us-japan", "--target", "us_auto_rate=2")
    assert code == 2 and err.strip().count("\n") == 0


def test_third_country_effects_show_diversion(ge) -> None:  # type: ignore[no-untyped-def]
    # the July letter taxes Japan only: with aggregate deficits fixed, other suppliers sell more to the US
    third = ge.third_countries(builtin_packages(PAIR)["no_deal_july_letter"].levers)
    countries = {r["country"] for r in third}
    assert "JPN" not in countries and "USA" not in countries and {"KOR", "EUN", "CHN"} <= countries
    assert sum(float(r["exports_to_us_change_usd_bn"]) for r in third) > 0
    # nothing changes for third countries at the status quo
    for r in ge.third_countries(PAIR.status_quo()):
        assert abs(float(r["equivalent_variation_usd_bn"])) < 1e-6


def test_purchase_additionality_scales_the_purchase_effect() -> None:
    from tarifflab.errors import InvalidInputError
    from tarifflab.negotiation.levers import MappingAssumptions
    from tarifflab.negotiation.payoffs_ge import MultiSectorPayoffModel

    farm = PAIR.validate({"purchases_farm_usd_bn": 8.0})
    full = MultiSectorPayoffModel(PAIR).evaluate(farm)
    none = MultiSectorPayoffModel(PAIR, assumptions=MappingAssumptions(purchase_additionality=0.0)).evaluate(
        farm
    )
    # nothing additional: the commitment changes nothing (status quo = 0); all additional: US farm output rises
    assert none["USA"].equivalent_variation_usd_bn == pytest.approx(0.0, abs=1e-9)
    assert full["USA"].sector_output_pct["us_agriculture"] > none["USA"].sector_output_pct["us_agriculture"]
    with pytest.raises(InvalidInputError, match="purchase_additionality"):
        MappingAssumptions(purchase_additionality=1.5)


def test_every_pair_has_the_status_quo_package(capsys: pytest.CaptureFixture[str]) -> None:
    # issue 16: "negotiate evaluate us-china --package status_quo_2024 fails with unknown package"
    # with the stylised tariff input the status quo is the model's base: nothing changes
    code, out, err = _call(
        capsys, "negotiate", "evaluate", "us-china", "--package", "status_quo_2024", "--tariffs", "stylised",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    for side in ("USA", "CHN"):
        assert data["outcomes"][side]["equivalent_variation_usd_bn"] == pytest.approx(0.0, abs=1e-6)
    # with the engine input (the default) every other partner carries the law of the date, so the pair's
    # 2024 status quo is not the model's base any more; it still evaluates
    code, out, err = _call(
        capsys, "negotiate", "evaluate", "us-china", "--package", "status_quo_2024", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["tariffs"] == "engine"


def test_cli_evaluate_elasticity_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _call(
        capsys,
        "negotiate",
        "evaluate",
        "us-japan",
        "--package",
        "july_2025_deal",
        "--elasticities",
        "LL",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out)["elasticities"] == "LL"
    # the pledge's transfer (−13.75 USD bn a year) does not depend on the elasticities
    assert json.loads(out)["outcomes"]["JPN"]["equivalent_variation_usd_bn"] < -13.75
    for bad in (("--elasticities", "XX"), ("--elasticities", "LL", "--model", "ossa")):
        code, _, err = _call(capsys, "negotiate", "evaluate", "us-japan", "--package", "july_2025_deal", *bad)
        assert code == 2 and err.strip().count("\n") == 0


def test_what_would_it_take_bands_span_the_sources() -> None:
    from tarifflab.negotiation.analysis import what_would_it_take_bands
    from tarifflab.negotiation.packages import Package, grid_packages

    weights = {"USA": UtilityWeights(), "JPN": UtilityWeights()}
    grid = grid_packages(
        PAIR, {}, {"us_reciprocal_rate": [0.0, 0.05, 0.1, 0.15, 0.2], "purchases_energy_usd_bn": [0, 10]}
    )
    no_deal = Package("war", "", PAIR.validate({"us_reciprocal_rate": 0.1, "purchases_energy_usd_bn": 10}))
    models = {"low": LinearModel(PAIR, 0.5), "one": LinearModel(PAIR, 1.0), "high": LinearModel(PAIR, 2.0)}
    out = what_would_it_take_bands(models, grid, {"purchases_energy_usd_bn": 10.0}, no_deal, weights)  # type: ignore[arg-type]
    # no deal (r = 0.1, e = 10): u_US = k − 1, u_JPN = 1 − k → reservation values 0.5 − 1, 0, 2 − 1
    res_us = {s: r.reservation["USA"] for s, r in out.by_source.items()}
    assert res_us == {"low": pytest.approx(-0.5), "one": pytest.approx(0.0), "high": pytest.approx(1.0)}
    # with e = 10 the US needs 10kr − 1 ≥ k − 1, i.e. r ≥ 0.1 for every k: Japan's best is r = 0.1
    assert all(
        r.best is not None and r.best.levers["us_reciprocal_rate"] == 0.1 for r in out.by_source.values()
    )
    band = out.band(PAIR)
    assert band["reservation_value_usd_bn"]["USA"] == (pytest.approx(-0.5), pytest.approx(1.0))
    assert band["reservation_value_usd_bn"]["JPN"] == (pytest.approx(-1.0), pytest.approx(0.5))
    # best payoffs at r = 0.1: u_JPN = 1 − k → [−1, 0.5]
    assert band["payoffs_usd_bn"]["JPN"] == (pytest.approx(-1.0), pytest.approx(0.5))
    payload = out.to_dict(PAIR)
    assert payload["same_package_in_all"] is True and payload["feasible_in"] == ["low", "one", "high"]


def test_cli_elasticity_bands_need_the_multi_sector_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _call(
        capsys, "negotiate", "what-would-it-take", "us-japan", "--target", "us_auto_rate=0.10",
        "--model", "ossa", "--elasticity-bands",
    )  # fmt: skip
    assert code == 2 and err.strip().count("\n") == 0 and "multi-sector" in err
