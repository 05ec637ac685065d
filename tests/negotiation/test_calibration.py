"""Revealed-preference calibration: the bargaining solution, recovery of known parameters from deals
simulated with them, leave-one-out back-test mechanics and the CLI shapes."""

from __future__ import annotations

import numpy as np
import pytest

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation import calibration as cb


def test_bargain_matches_brute_force_and_textbook_cases() -> None:
    rng = np.random.default_rng(3)
    threat = rng.uniform(0.05, 1.2, 40)
    pledge = np.where(rng.random(40) < 0.5, rng.uniform(0.0, 0.1, 40), 0.0)
    for params in (
        cb.Parameters(0.5, 0.2, 0.3, 2.0),
        cb.Parameters(0.9, 0.1, 2.0, 0.5),
        cb.Parameters(0.2, 0.0, 0.0, 5.0),
    ):
        np.testing.assert_allclose(
            cb.predict_rates(params, threat, pledge),
            cb.grid_nash_rates(params, threat, pledge, 100_001),
            atol=2e-5,
        )
    # a threat at or below the US ideal rate and no pledge: no agreement improves both, the threat stands
    params = cb.Parameters(0.5, 0.2, 0.3, 1.0)
    assert cb.predict_rates(params, np.array([0.1, 0.2]), np.zeros(2)).tolist() == [0.1, 0.2]
    # all power to the US and no pledge: the US ideal rate; all power to the partner: the lowest rate the US accepts
    assert cb.predict_rates(cb.Parameters(1.0, 0.2, 0.3, 0.0), np.array([0.5]), np.zeros(1))[
        0
    ] == pytest.approx(0.2, abs=1e-6)
    # with α = 0 the US is held to its disagreement payoff: A·x − ½x² = A·T − ½T² → x = 2A − T
    assert cb.predict_rates(cb.Parameters(0.0, 0.2, 0.3, 0.0), np.array([0.3]), np.zeros(1))[
        0
    ] == pytest.approx(0.1, abs=1e-5)


def test_recovers_known_parameters_from_simulated_deals() -> None:
    true = cb.Parameters(us_power=0.6, us_ideal_rate=0.2, partner_marginal_loss=0.3, pledge_value=2.0)
    rng = np.random.default_rng(1)
    threat = rng.uniform(0.12, 1.0, 24)
    pledge = np.where(rng.random(24) < 0.5, rng.uniform(0.0, 0.08, 24), 0.0)
    agreed = cb.predict_rates(true, threat, pledge)
    data = [cb.DealData(f"D{k}", threat[k], agreed[k], pledge[k]) for k in range(24)]
    estimate = cb.fit(data)
    np.testing.assert_allclose(estimate.as_array(), true.as_array(), rtol=2e-3, atol=2e-4)


def test_fit_needs_two_deals() -> None:
    with pytest.raises(InvalidInputError, match="at least two"):
        cb.fit([cb.DealData("A", 0.3, 0.2, 0.0)])


def _small_record(tmp_path, keep):  # type: ignore[no-untyped-def]
    import yaml

    from tarifflab.negotiation.deals import default_path

    raw = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    raw["deals"] = [d for d in raw["deals"] if d["iso3"] in keep]
    path = tmp_path / "deals.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_cli_predict_and_backtest_shapes(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io
    import json

    from tarifflab.cli.main import run

    path = _small_record(tmp_path, {"JPN", "KOR", "IDN", "GBR"})

    def call(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as done:
            run(list(args))
        out, err = capsys.readouterr()
        return int(done.value.code or 0), out, err

    code, out, _ = call(
        "negotiate",
        "predict",
        "us-japan",
        "--exclude-own-deal",
        "--draws",
        "3",
        "--record",
        str(path),
        "--model",
        "reduced-form",
    )
    assert code == 0
    data = json.loads(out)
    low, high = data["interval_pct"]
    assert data["excluded_own_deal"] and data["deals_used"] == 3
    assert 0.0 <= low <= high <= data["threat_rate_pct"] == 25.0
    assert 0.0 <= data["predicted_rate_pct"] <= 25.0
    # Japan's deal capped autos at 15 % all-in (record: Yomiuri, 2025-07-25); threat = S232 autos 25 %
    assert data["actual_auto_rate_pct"] == 15.0
    a_low, a_high = data["auto_interval_pct"]
    assert 0.0 <= a_low <= a_high <= 25.0 and 0.0 <= data["predicted_auto_rate_pct"] <= 25.0
    # without its own deal the sample holds one pledging deal (Korea): no pledge rule, said so
    assert data["predicted_pledge_usd_bn"] is None
    assert any("pledging deals" in n for n in data["notes"])
    code, out, _ = call(
        "negotiate", "backtest", "--format", "csv", "--record", str(path), "--model", "reduced-form"
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "partner", "actual_rate_pct", "predicted_rate_pct", "threat_rate_pct", "best_constant_rate_pct", "threat_halved_pct",
        "actual_auto_rate_pct", "predicted_auto_rate_pct", "actual_pledge_usd_bn", "predicted_pledge_usd_bn",
        "median_pledge_usd_bn", "proportional_pledge_usd_bn", "imports_rule_pledge_usd_bn", "payoff_model",
    ]  # fmt: skip
    assert {r[-1] for r in rows[1:-1]} == {"reduced-form"}
    assert [r[0] for r in rows[1:]] == ["GBR", "IDN", "JPN", "KOR", "MAE"]
    body = rows[1:-1]
    # threat halved and the MAE row are arithmetic on the record: Korea's threat 25 (July 7 letter) → 12.5
    assert float(dict((r[0], r[5]) for r in body)["KOR"]) == 12.5
    mae_halved = np.mean([abs(float(r[5]) - float(r[1])) for r in body])
    assert float(rows[-1][5]) == pytest.approx(mae_halved, abs=0.006)
    # auto caps of the record: UK 10 (in quota), Japan 15, Korea 15; Indonesia none (blank)
    autos = {r[0]: r[6] for r in body}
    assert autos == {"GBR": "10.00", "IDN": "", "JPN": "15.00", "KOR": "15.00"}
    mae_auto = np.mean([abs(float(r[7]) - float(r[6])) for r in body if r[6]])
    assert float(rows[-1][7]) == pytest.approx(mae_auto, abs=0.006)
    assert rows[-1][6] == "" and rows[-1][9] == ""  # two pledging deals: no leave-one-out pledge rule
    code, out, _ = call(
        "negotiate",
        "calibrate",
        "--draws",
        "2",
        "--record",
        str(path),
        "--format",
        "json",
        "--model",
        "reduced-form",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data["parameters"]) == set(cb.PARAMETERS) and set(data["interval_90"]) == set(cb.PARAMETERS)
    assert set(data["fitted_pct"]) == {"GBR", "IDN", "JPN", "KOR"}
    code, _, err = call("negotiate", "predict", "us-brazil", "--record", str(path))
    assert code == 2 and err.strip().count("\n") == 0
    code, _, err = call("negotiate", "backtest", "--record", str(path), "--model", "ossa")
    assert code == 2 and err.strip().count("\n") == 0


def _simulated_record(true: cb.Parameters, auto_cap: float) -> list:  # type: ignore[type-arg]
    """The recorded deals with their agreed rates replaced by the bargain under ``true`` (simulation)
    and Japan's auto cap set to ``auto_cap`` (percent)."""
    from tarifflab.negotiation.deals import load_deals

    deals = load_deals()
    data = [cb.DealData.from_deal(d) for d in deals]
    agreed = cb.predict_rates(
        true, np.array([d.threat for d in data]), np.array([d.pledge_per_import for d in data])
    )
    out = []
    for deal, rate in zip(deals, agreed, strict=True):
        update: dict[str, object] = {"agreed": deal.agreed.model_copy(update={"value": 100.0 * float(rate)})}
        if deal.iso3 == "JPN":
            caps = [c for c in deal.sector_caps if c.sector != "autos"]
            caps.append(deal.sector_caps[0].model_copy(update={"sector": "autos", "rate_pct": auto_cap}))
            update["sector_caps"] = caps
        out.append(deal.model_copy(update=update))
    return out


def test_auto_rate_is_the_calibrated_bargain_at_the_section_232_threat() -> None:
    # Proclamation 10908 (90 FR 14705), heading 9903.94.01: passenger vehicles 25 % → the auto threat
    assert cb.auto_threat_rate() == pytest.approx(0.25)
    true = cb.Parameters(us_power=0.7, us_ideal_rate=0.18, partner_marginal_loss=0.4, pledge_value=2.0)
    japan = next(d for d in _simulated_record(true, 0.0) if d.iso3 == "JPN")
    own = cb.DealData.from_deal(japan)
    cap = 100.0 * float(cb.predict_rates(true, np.array([0.25]), np.array([own.pledge_per_import]))[0])
    deals = _simulated_record(true, cap)
    japan = next(d for d in deals if d.iso3 == "JPN")
    result = cb.predict(japan, deals, draws=0, auto_threat=0.25)
    assert result.auto is not None and result.auto.actual == pytest.approx(cap)
    # θ recovered from the simulated headline rates alone gives back the simulated auto cap
    assert result.auto.predicted == pytest.approx(cap, abs=0.05)
    assert result.auto.interval == (result.auto.predicted, result.auto.predicted)
    # a deal without an auto cap (Viet Nam: no sector caps in the record) gets none, with a note
    vietnam = next(d for d in deals if d.iso3 == "VNM")
    other = cb.predict(vietnam, deals, draws=0, auto_threat=0.25)
    assert other.auto is None and other.pledge is None
    assert any("no auto cap" in n for n in other.notes) and any(
        "no investment pledge" in n for n in other.notes
    )


def test_pledge_rule_recovers_a_known_power_law_and_needs_three_deals() -> None:
    from tarifflab.negotiation.deals import load_deals

    pledging = [d for d in load_deals() if cb.pledge_usd_bn(d) is not None]
    # the record's pledges (fact sheets): Japan 550, EU 600, Korea 350, Switzerland 200, Taiwan 250
    assert {d.iso3: cb.pledge_usd_bn(d) for d in pledging} == {
        "JPN": 550.0, "EUN": 600.0, "KOR": 350.0, "CHE": 200.0, "TWN": 250.0
    }  # fmt: skip
    simulated = [
        d.model_copy(
            update={"investment": d.investment.model_copy(update={"value": 3.0 * d.us_imports_usd_bn**0.5})}
        )
        for d in pledging
    ]
    rule = cb.fit_pledge_rule(simulated)
    assert rule is not None
    assert rule.elasticity == pytest.approx(0.5) and rule.intercept == pytest.approx(np.log(3.0))
    assert rule.predict(400.0) == pytest.approx(60.0)
    assert cb.fit_pledge_rule(simulated[:2]) is None
    # the rule of the predictions: ln(pledge) on ln(imports × rate cut), the cut of the record
    # (threat − agreed; Japan 25 → 15, July 7 letter and the 2025-09-04 EO)
    by_cut = [
        d.model_copy(
            update={
                "investment": d.investment.model_copy(
                    update={
                        "value": 3.0 * (d.us_imports_usd_bn * (d.threat_rate_pct - d.agreed_rate_pct)) ** 0.5
                    }
                )
            }
        )
        for d in pledging
    ]
    rule = cb.fit_pledge_rule(by_cut, by="imports_x_cut")
    assert rule is not None and rule.elasticity == pytest.approx(0.5)
    assert cb.pledge_regressor(by_cut[0], "imports_x_cut") == pytest.approx(
        by_cut[0].us_imports_usd_bn * 10.0
    )
    assert cb.pledge_regressor(by_cut[0], "imports_x_cut", rate_pct=25.0) is None  # no cut: no pledge
    # the proportional baseline: k·M with ln k the mean log pledge per import dollar of the others
    assert cb.proportional_pledge(simulated[1:], simulated[0]) == pytest.approx(
        np.exp(np.mean([np.log(3.0 / d.us_imports_usd_bn**0.5) for d in simulated[1:]]))
        * simulated[0].us_imports_usd_bn
    )
    # a pledging deal predicted from the others, at its predicted cut: the interval brackets the point
    japan = by_cut[0]
    result = cb.predict(japan, by_cut + [d for d in load_deals() if d.iso3 == "GBR"], draws=10)
    assert result.pledge is not None
    cut = japan.threat_rate_pct - result.predicted_rate_pct
    assert result.pledge.predicted == pytest.approx(3.0 * (japan.us_imports_usd_bn * cut) ** 0.5)
    low, high = result.pledge.interval
    assert low <= result.pledge.predicted * (1 + 1e-9) and high >= result.pledge.predicted * (1 - 1e-9)
