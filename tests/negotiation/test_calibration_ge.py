"""Calibration on the multi-sector GE model with deals signed in sequence: signing-date tariffs, the
order of signature, the rest-of-world mapping, recovery of known parameters from deals simulated with
the GE payoffs, the curve cache and the back-test columns of ``--model ge``.

Dates, threats, agreed rates and rates in force come from the deal record
(``negotiation/deals/deals_2025_2026.yaml``, each with its source); the engine's tariffs are replaced by
a fixed 10 % on every partner (EO 14257's baseline, 9903.01.25) so the tests need no reference data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tarifflab.errors import InvalidInputError
from tarifflab.negotiation import calibration_ge as cg
from tarifflab.negotiation.deals import Deal, load_deals

BASELINE = 0.10  # EO 14257 §3: the 10 % ad valorem baseline (heading 9903.01.25)
KEEP = ("VNM", "IDN", "PHL", "JPN", "EUN", "KOR", "THA", "CHE", "TWN", "IND")


class FixedEngine:
    """The US additional tariff of EO 14257's baseline on every partner and goods sector; records the
    dates it is asked for."""

    def __init__(self, countries: tuple[str, ...], sectors: tuple[str, ...]) -> None:
        self.countries, self.sectors = countries, sectors
        self.dates: list[dt.date] = []

    def __call__(self, on: dt.date) -> pd.DataFrame:
        self.dates.append(on)
        frame = pd.DataFrame(BASELINE, index=[c for c in self.countries if c != "USA"], columns=self.sectors)
        frame["services"] = 0.0
        return frame


@pytest.fixture(scope="module")
def builder() -> cg.GePayoffCurves:
    probe = cg.GePayoffCurves(nodes=6, us_tariffs_on=lambda on: pd.DataFrame())
    engine = FixedEngine(probe.countries, probe.sectors)
    return cg.GePayoffCurves(nodes=6, us_tariffs_on=engine)


@pytest.fixture(scope="module")
def deals() -> list[Deal]:
    return [d for d in load_deals() if d.iso3 in KEEP]


def test_signing_date_tariffs_earlier_deals_in_force_later_not(builder: cg.GePayoffCurves) -> None:
    record = load_deals()
    by = {d.iso3: d for d in record}
    # Korea announced 2025-07-30: Japan (07-22), the EU (07-27), Viet Nam (07-02), Indonesia (07-15) and
    # the Philippines (07-22) had announced, none in force before 2025-08-07; Thailand (08-07) had not
    assert cg.deals_in_force(by["KOR"], record) == ("VNM", "IDN", "PHL", "JPN", "EUN")
    # Japan and the Philippines announced the same day: neither is earlier than the other
    assert "PHL" not in cg.deals_in_force(by["JPN"], record)
    # Switzerland (2025-11-14): Japan's deal was in force from 2025-09-16 (the engine has it), the EU's
    # framework is not implemented in the record, the four Latin American frameworks date from 11-13
    assert cg.deals_in_force(by["CHE"], record) == ("EUN", "ARG", "ECU", "GTM", "SLV")
    env, chosen = builder.environment(by["KOR"], record)
    assert chosen == cg.deals_in_force(by["KOR"], record)
    goods = [s for s in builder.sectors if s != "services"]
    # Japan's row moves from the 10 % in force to its agreed 15 % (record: EO 14345); China's does not
    assert np.allclose(env.loc["JPN", goods], 0.15) and np.allclose(env.loc["CHN", goods], BASELINE)
    assert np.allclose(env.loc["EUN", goods], 0.15) and np.allclose(env.loc["THA", goods], BASELINE)
    # the engine is asked for the day before the signing date
    assert builder._us_tariffs_on.dates[-1] == dt.date(2025, 7, 29)  # type: ignore[attr-defined]
    assert env.loc["JPN", "services"] == 0.0


def test_order_of_signature_changes_koreas_bargain(builder: cg.GePayoffCurves) -> None:
    record = load_deals()
    korea = next(d for d in record if d.iso3 == "KOR")
    with_japan = builder.curves(korea, record)
    without_japan = builder.curves(korea, record, in_force=[c for c in with_japan.in_force if c != "JPN"])
    assert "JPN" in with_japan.in_force and "JPN" not in without_japan.in_force
    # Japan at 15 % instead of 10 % diverts US demand to Korean goods: Korea's exports to the US at a
    # given rate differ, and so do both sides' payoffs
    assert not np.allclose(with_japan.partner_exports, without_japan.partner_exports, atol=1e-6)
    params = cg.GeParameters(0.6, 0.1, 0.5, 1.0, 2.0)
    rates = [
        float(cg.predict_rates_ge(params, cg.FineCurves.from_curves([c]))[0])
        for c in (with_japan, without_japan)
    ]
    assert all(0.0 <= r <= 0.25 for r in rates)
    assert abs(rates[0] - rates[1]) > 1e-5


def test_partners_outside_the_dataset_are_mapped_to_the_rest_of_the_world(
    builder: cg.GePayoffCurves,
) -> None:
    record = load_deals()
    philippines = next(d for d in record if d.iso3 == "PHL")
    assert "PHL" not in builder.countries
    row, scale = builder.proxy(philippines)
    row_exports = builder.flows_base[builder.countries.index("ROW"), builder.us, builder.goods].sum() / 1000
    # US goods imports from the Philippines 2024: 14.178 USD bn (Census, record)
    assert row == "ROW" and scale == pytest.approx(14.178 / row_exports)
    curves = builder.curves(philippines, record)
    assert curves.payoff_source == f"GE via ROW x {scale:.4f}"
    japan = builder.curves(next(d for d in record if d.iso3 == "JPN"), record)
    assert japan.payoff_source == "GE"


def test_recovers_known_parameters_from_deals_simulated_with_ge_payoffs(
    builder: cg.GePayoffCurves, deals: list[Deal]
) -> None:
    curves = [builder.curves(d, deals) for d in deals]
    true = cg.GeParameters(0.7, 0.08, 0.6, 1.5, 3.0)
    simulated_rates = cg.predict_rates_ge(true, cg.FineCurves.from_curves(curves))
    # an interior bargain for most deals, so every parameter matters
    assert (
        np.sum((simulated_rates > 1e-3) & (simulated_rates < np.array([c.threat for c in curves]) - 1e-3))
        >= 6
    )
    simulated = [
        dataclasses.replace(c, agreed=float(r)) for c, r in zip(curves, simulated_rates, strict=True)
    ]
    fine = cg.FineCurves.from_curves(simulated)
    assert cg._loss(true.as_array(), fine) == pytest.approx(0.0, abs=1e-14)
    # the objective has local minima (docs §8.1): the full fit runs all eight fixed starts; one of the
    # four that reach the simulated θ on this record keeps the test fast (starts 0–2 and 7 stop elsewhere)
    result = cg.calibrate_ge(simulated, starts=cg.GE_STARTS[6:7])
    fitted = np.array([result.fitted_pct[c.partner] for c in simulated])
    assert np.max(np.abs(fitted - 100.0 * simulated_rates)) < 0.05
    assert result.parameters.us_power == pytest.approx(true.us_power, abs=0.05)
    assert result.parameters.us_output_weight == pytest.approx(true.us_output_weight, rel=0.15)


def test_curves_are_cached_by_inputs(
    builder: cg.GePayoffCurves, deals: list[Deal], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TARIFFLAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(builder, "_custom_source", False)
    few = deals[:2]
    first = builder.all_curves(few)
    assert len(list(tmp_path.glob("calibration-ge-*.json"))) == 1

    def no_solve(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(builder, "curves", no_solve)
    assert builder.all_curves(few) == first
    # another deal set is another key
    with pytest.raises(AssertionError, match="cache was not used"):
        builder.all_curves(deals[:3])


def test_back_test_and_prediction_on_ge_curves(builder: cg.GePayoffCurves, deals: list[Deal]) -> None:
    from tarifflab.negotiation.calibration import backtest

    curves = [builder.curves(d, deals) for d in deals[:4]]
    loo = cg.backtest_ge(curves, starts=cg.GE_STARTS[:1], use_cache=False)
    assert set(loo) == {c.partner for c in curves}
    assert all(0.0 <= loo[c.partner] <= 100.0 * c.threat + 1e-9 for c in curves)
    rows, mae = backtest(deals[:4], headline_pct=loo, payoff_model="ge")
    assert [r.partner for r in rows] == [c.partner for c in curves]
    assert [r.predicted_rate_pct for r in rows] == [loo[c.partner] for c in curves]
    assert all(r.predicted_auto_rate_pct is None for r in rows)
    assert mae["predicted_rate_pct"] == pytest.approx(
        np.mean([abs(loo[d.iso3] - d.agreed_rate_pct) for d in deals[:4]])
    )
    # threat halved: Viet Nam's Annex I 46 % → 23 (EO 14257 Annex I)
    assert next(r for r in rows if r.partner == "VNM").threat_halved_pct == 23.0
    japan = next(d for d in deals if d.iso3 == "JPN")
    payload = cg.prediction_payload(
        japan, deals[:4], curves, exclude_own=True, draws=1, starts=cg.GE_STARTS[:1]
    )
    low, high = payload["interval_pct"]  # type: ignore[misc]
    assert 0.0 <= low <= high <= 25.0 and payload["deals_used"] == 3
    assert payload["payoff_source"] == "GE" and "VNM" in payload["deals_in_force"]  # type: ignore[operator]
    with pytest.raises(InvalidInputError):
        cg.check_model("ossa")
    with pytest.raises(InvalidInputError):
        cg.backtest_ge(curves[:2], use_cache=False)
