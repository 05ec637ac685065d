"""Worked duty cases, each checked against its published source.

Sources: ../shared/docs/stacking-rules.md "Worked totals for Japan" (built from the Federal Register
texts cited per case), ../shared/data/facts/timeline.csv, and GTA's US Tariff Barrier Estimates README
example for a Chinese car.
"""

from __future__ import annotations

import pytest

from tarifflab.errors import AmbiguousProductError
from tarifflab.policy.engine import MfnBasis, TariffEngine

CAR = "8703.23.01.40"  # passenger car 1.5-3.0 l, Japan's largest line ($12.4 bn in 2024), MFN 2.5%
BEEF = "0201.30.80.90"  # boneless beef, over-quota column 1 rate 26.4%
PRINTER_PARTS = "8443.99.50.15"  # MFN free, no s.232, not on Annex II
FLAT_STEEL = "7208.39.00.30"  # hot-rolled flat steel, MFN free, s.232 steel list


@pytest.fixture(scope="module")
def engine() -> TariffEngine:
    return TariffEngine.default()


@pytest.fixture(scope="module")
def statutory() -> TariffEngine:
    return TariffEngine.default(MfnBasis.STATUTORY)


@pytest.mark.parametrize(
    ("date", "expected_pct"),
    [
        ("2025-03-01", 2.5),  # MFN only (stacking-rules.md table, row 2025-03-01)
        ("2025-04-07", 27.5),  # + 25% s.232 from 2025-04-03 (Proclamation 10908; timeline 2025-04-03)
        ("2025-05-01", 27.5),  # s.232 goods pay no reciprocal tariff (EO 14257 sec. 3(b))
        ("2025-08-10", 27.5),  # the deal's 15% for cars only from 2025-09-16
        ("2025-10-01", 15.0),  # 15% all-in (EO 14345; timeline 2025-09-16)
        ("2026-03-01", 15.0),  # the s.232 deal rate outlives the IEEPA ruling; s.122 spares s.232 goods
    ],
)
def test_japanese_passenger_car(engine: TariffEngine, date: str, expected_pct: float) -> None:
    assert engine.duty(CAR, "JPN", date).total_rate_pct == pytest.approx(expected_pct, abs=1e-6)


def test_car_duty_in_dollars_and_layers(engine: TariffEngine) -> None:
    result = engine.duty(CAR, "Japan", "2025-10-01", value_usd=30_000)
    assert result.duty_usd == pytest.approx(4_500.0)
    by_layer = {layer.layer: layer for layer in result.layers}
    assert by_layer["mfn"].rate_pct == pytest.approx(2.5)
    assert by_layer["s232"].rate_pct == pytest.approx(12.5)
    assert "EO 14345" in by_layer["s232"].legal_basis
    assert "reciprocal" not in by_layer


def test_beef_all_in_rule_in_force_against_as_known(statutory: TariffEngine) -> None:
    # stacking-rules.md: beef (MFN 26.4%) on 2025-08-10 is 26.4 in force (EO 14345 retroactive to
    # 2025-08-07) but was 41.4 under the law as known that day (EO 14326 stacked 15% on MFN).
    in_force = statutory.duty(BEEF, "JPN", "2025-08-10")
    as_known = statutory.duty(BEEF, "JPN", "2025-08-10", view="as-known", as_known_on="2025-08-10")
    assert in_force.total_rate_pct == pytest.approx(26.4)
    assert as_known.total_rate_pct == pytest.approx(41.4)
    # Once EO 14345 was published the as-known view agrees with the in-force one.
    later = statutory.duty(BEEF, "JPN", "2025-08-10", view="as-known", as_known_on="2025-09-10")
    assert later.total_rate_pct == pytest.approx(26.4)


@pytest.mark.parametrize(
    ("date", "expected_pct"),
    [("2025-04-07", 36.4), ("2025-04-09", 50.4), ("2025-05-01", 36.4), ("2025-10-01", 26.4)],
)
def test_beef_other_dates(statutory: TariffEngine, date: str, expected_pct: float) -> None:
    # stacking-rules.md "beef, MFN 26.4%" column
    assert statutory.duty(BEEF, "JPN", date).total_rate_pct == pytest.approx(expected_pct)


def test_applied_basis_uses_fta_preference_rate(engine: TariffEngine, statutory: TariffEngine) -> None:
    # Korean cars enter free under KORUS (HTSUS general note 33); the general rate is 2.5%.
    assert engine.duty(CAR, "KOR", "2025-03-01").total_rate_pct == pytest.approx(0.0, abs=0.01)
    assert statutory.duty(CAR, "KOR", "2025-03-01").total_rate_pct == pytest.approx(2.5)
    # Beef's observed 2024 rate (26.18%) is within half a point of 26.4%: no preference, general rate kept.
    assert engine.duty(BEEF, "JPN", "2025-03-01").total_rate_pct == pytest.approx(26.4)


@pytest.mark.parametrize(
    ("date", "expected_pct"),
    [
        ("2025-03-01", 0.0),
        ("2025-04-05", 10.0),  # 10% baseline (EO 14257; timeline 2025-04-05)
        ("2025-04-09", 24.0),  # Annex I rate for one day (timeline 2025-04-09)
        ("2025-04-10", 10.0),  # the pause (EO 14266; timeline 2025-04-10)
        ("2025-05-01", 10.0),
        ("2025-08-10", 15.0),  # all-in 15% retroactive to 2025-08-07 (EO 14345)
        ("2025-10-01", 15.0),
        ("2026-03-01", 10.0),  # s.122 surcharge 10% (Proclamation 11012; timeline 2026-02-24)
        ("2026-07-24", 12.5),  # s.301 forced-labour 12.5% all-in (timeline 2026-07-24, single source)
    ],
)
def test_zero_mfn_product_through_the_year(engine: TariffEngine, date: str, expected_pct: float) -> None:
    assert engine.duty(PRINTER_PARTS, "JPN", date).total_rate_pct == pytest.approx(expected_pct)


def test_zero_mfn_product_as_known_before_the_fix(engine: TariffEngine) -> None:
    # EO 14326 as published: 15% on top of MFN (0 here), so 15 either way for a free line.
    result = engine.duty(PRINTER_PARTS, "JPN", "2025-08-10", view="as-known", as_known_on="2025-08-10")
    assert result.total_rate_pct == pytest.approx(15.0)
    assert [layer.measure_id for layer in result.layers if layer.layer == "reciprocal"] == [
        "ieepa-japan-15-additive"
    ]


def test_japanese_flat_rolled_steel_at_50(engine: TariffEngine) -> None:
    # Proclamation of 2025-06-03 doubled s.232 steel to 50% from 2025-06-04 (timeline 2025-06-04);
    # the Japan deal did not reduce it (facts README).
    result = engine.duty(FLAT_STEEL, "JPN", "2025-10-01")
    assert result.total_rate_pct == pytest.approx(50.0)
    assert engine.duty(FLAT_STEEL, "JPN", "2025-04-01").total_rate_pct == pytest.approx(25.0)


def test_gta_chinese_car_example(engine: TariffEngine) -> None:
    # GTA US Tariff Barrier Estimates README: a Chinese passenger car in November 2025 pays 62.5% =
    # 2.5 MFN + 25 s.232 autos + 10 fentanyl (from 2025-11-10) + 25 s.301 List 1; no reciprocal on s.232 goods.
    result = engine.duty(CAR, "CHN", "2025-11-20")
    assert result.total_rate_pct == pytest.approx(62.5)
    layers = {layer.layer: layer.rate_pct for layer in result.layers}
    assert layers == pytest.approx({"mfn": 2.5, "s232": 25.0, "fentanyl": 10.0, "s301": 25.0})


def test_ieepa_layers_refundable_and_net_of_refunds(engine: TariffEngine) -> None:
    due = engine.duty(PRINTER_PARTS, "JPN", "2025-05-01")
    assert due.refundable_pct == pytest.approx(10.0)
    assert all(layer.refundable for layer in due.layers if layer.layer == "reciprocal")
    net = engine.duty(PRINTER_PARTS, "JPN", "2025-05-01", view="net-of-refunds")
    assert net.total_rate_pct == pytest.approx(0.0)
    assert net.refundable_pct == 0.0
    # Before the ruling was known nobody could know the duty was refundable.
    known_then = engine.duty(PRINTER_PARTS, "JPN", "2025-05-01", view="as-known", as_known_on="2025-05-01")
    assert known_then.refundable_pct == 0.0


def test_eu_member_maps_to_the_eu_measures(engine: TariffEngine) -> None:
    # EO 14326: EU goods 15% all-in from 2025-08-07; a German car 15% all-in from 2025-08-01.
    assert engine.duty(PRINTER_PARTS, "DEU", "2025-10-01").total_rate_pct == pytest.approx(15.0)
    assert engine.duty(CAR, "Germany", "2025-10-01").total_rate_pct == pytest.approx(15.0)


def test_canada_usmca_share_spared(engine: TariffEngine) -> None:
    lines = engine.evaluate("2025-05-01")
    canada = lines[lines["partner"] == "CAN"]
    assert (canada["fentanyl_rate"] <= 0.25 + 1e-12).all()
    assert 0 < (canada["fentanyl_rate"] * canada["imports_usd"]).sum() / canada["imports_usd"].sum() < 0.25


def test_six_digit_code_is_refused_not_resolved(engine: TariffEngine) -> None:
    # HTSUS 8703.23 covers seven statistical lines; the engine must not pick one (tests/nomenclature).
    with pytest.raises(AmbiguousProductError):
        engine.duty("870323", "JPN", "2025-10-01")


def test_canadian_shipment_usmca_status(engine: TariffEngine) -> None:
    # EO 14325: 35% on Canadian goods from 2025-08-01; USMCA-qualifying goods exempt (EO 14231).
    assert engine.duty(PRINTER_PARTS, "CAN", "2025-09-01").total_rate_pct == pytest.approx(35.0)
    assert engine.duty(
        PRINTER_PARTS, "CAN", "2025-09-01", usmca_qualifying=True
    ).total_rate_pct == pytest.approx(0.0)
    # Mexico 25% (EO 14194), not on s.232 autos (EO 14289 sec. 2): a Mexican car pays 2.5 + 25 s.232 only.
    assert engine.duty(PRINTER_PARTS, "MEX", "2025-09-01").total_rate_pct == pytest.approx(25.0)
    assert engine.duty(CAR, "MEX", "2025-09-01").total_rate_pct == pytest.approx(27.5)
